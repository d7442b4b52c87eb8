/**
 * /collection — moderators (Manage Server, checked on every use; hidden from other members by its
 * default permissions; servers only) change their own server's collection:
 *   add file:<attachment> [title] [url] [replace]   a file into this server's own documents
 *   add-url url:<https://…>                         a web page, or a feed or sitemap to follow
 *   feeds                                           what this server follows: last sync, pages, errors
 *   remove doc:<document or followed URL>           one of this server's own documents, or stop following
 *   settings [base:<bool>]                          show, or show/hide the bot's base collection here
 *   insights [days:7|30]                            what members asked here, and what went unanswered
 * Another subcommand is one more entry in SUBCOMMANDS, its handler in src/discord/ (see
 * src/discord/collection.ts for what a handler gets).
 */
import { collectionCommand, type CollectionSubcommand } from '../src/discord/collection.js';
import { ADD, REMOVE, SETTINGS } from '../src/discord/collection-edits.js';
import { ADD_URL, FEEDS } from '../src/discord/collection-web.js';
import { INSIGHTS } from '../src/discord/insights.js';

export const SUBCOMMANDS: CollectionSubcommand[] = [ADD, ADD_URL, REMOVE, FEEDS, SETTINGS, INSIGHTS];

export const { data, execute, autocomplete } = collectionCommand(SUBCOMMANDS);
