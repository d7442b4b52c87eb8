/**
 * /collection — moderators (Manage Server, checked on every use; hidden from other members by its
 * default permissions; servers only) change their own server's collection:
 *   add file:<attachment> [title] [url] [replace]   a file into this server's own documents
 *   remove doc:<document>                           one of this server's own documents
 *   settings [base:<bool>]                          show, or show/hide the bot's base collection here
 *   insights [days:7|30]                            what members asked here, and what went unanswered
 * Another subcommand is one more entry in SUBCOMMANDS, its handler in src/discord/ (see
 * src/discord/collection.ts for what a handler gets).
 */
import { collectionCommand, type CollectionSubcommand } from '../src/discord/collection.js';
import { ADD, REMOVE, SETTINGS } from '../src/discord/collection-edits.js';
import { INSIGHTS } from '../src/discord/insights.js';

export const SUBCOMMANDS: CollectionSubcommand[] = [ADD, REMOVE, SETTINGS, INSIGHTS];

export const { data, execute, autocomplete } = collectionCommand(SUBCOMMANDS);
