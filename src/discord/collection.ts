/**
 * /collection — moderators change their own server's collection, never another's nor the base.
 * The command is built from a table of subcommands (commands/collection.ts lists them), so others
 * add theirs beside add, remove and settings. Every use is checked here first: in a server, and
 * the member has Manage Server there (Discord's computation for this channel), whatever the
 * command's default permissions say; a server that edits too often is refused (GUILD_EDITS_PER_HOUR).
 * Replies are ephemeral; every edit is logged with server, member and document.
 */
import {
  InteractionContextType,
  PermissionFlagsBits,
  SlashCommandBuilder,
  type AutocompleteInteraction,
  type ChatInputCommandInteraction,
  type SlashCommandSubcommandBuilder,
} from 'discord.js';
import type { GuildCollections } from '../live/guilds.js';
import { renderNotice } from '../message/rendered.js';
import { deferFirst, send } from './respond.js';
import type { BotContext, HandlerResult } from './types.js';

/** What a subcommand handler gets: the interaction, the context, and the checked server. */
export interface CollectionUse {
  i: ChatInputCommandInteraction;
  ctx: BotContext;
  guild: string;
  guilds: GuildCollections;
  /** Replies with one ephemeral line and returns the outcome for the log. */
  say(text: string, outcome: string): Promise<HandlerResult>;
  /** Takes one of the server's edits this hour; false (after replying) when none is left. */
  takeEdit(): Promise<boolean>;
}

export interface CollectionSubcommand {
  name: string;
  /** Works without per-server collections (reads only what was asked here): `guilds` may then be absent. */
  withoutCollections?: true;
  build(s: SlashCommandSubcommandBuilder): SlashCommandSubcommandBuilder;
  execute(use: CollectionUse): Promise<HandlerResult>;
  autocomplete?(i: AutocompleteInteraction, ctx: BotContext, guild: string): Promise<HandlerResult>;
}

/** The /collection command module (`data`, `execute`, `autocomplete`) over its subcommands. */
export function collectionCommand(subcommands: readonly CollectionSubcommand[]) {
  const data = new SlashCommandBuilder()
    .setName('collection')
    .setDescription("Moderators: this server's own documents, and whether the bot's base collection is used here.")
    .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
    .setContexts(InteractionContextType.Guild);
  for (const sub of subcommands) data.addSubcommand((s) => sub.build(s.setName(sub.name)));
  const byName = new Map(subcommands.map((s) => [s.name, s]));

  async function execute(i: ChatInputCommandInteraction, ctx: BotContext): Promise<HandlerResult> {
    const name = i.options.getSubcommand(false) ?? '';
    const say = async (text: string, outcome: string): Promise<HandlerResult> => {
      await send(i, renderNotice(text));
      return { outcome };
    };
    const sub = byName.get(name);
    if (!sub) return say('I do not know that command.', 'unknown_subcommand');
    if (!i.inGuild() || !i.guildId)
      return say('/collection works in a server, for its own documents.', 'collection_dm');
    // Discord's own computation for this member in this channel, on every use.
    if (!i.memberPermissions?.has(PermissionFlagsBits.ManageGuild)) {
      ctx.log.info('collection_edit_refused', { action: name, guild: i.guildId, by: i.user.id });
      return say(
        "Only members with the **Manage Server** permission can change this server's collection.",
        `${name}_denied`,
      );
    }
    const guilds = ctx.guilds;
    if (!guilds && !sub.withoutCollections) return say('This bot has no per-server collections.', `${name}_off`);
    const guild = i.guildId;
    const takeEdit = async () => {
      const limit = ctx.editLimiter?.take(guild);
      if (!limit || limit.allowed) return true;
      const minutes = Math.max(1, Math.ceil(limit.retryAfterMs / 60_000));
      ctx.log.info('collection_edit_refused', { action: name, guild, by: i.user.id, reason: 'edits_per_hour' });
      await say(
        `This server has made ${ctx.editLimiter!.count} changes to its collection in the last hour, the most allowed: try again in ${minutes} min.`,
        'rate_limited',
      );
      return false;
    };
    return sub.execute({ i, ctx, guild, guilds: guilds!, say, takeEdit });
  }

  async function autocomplete(i: AutocompleteInteraction, ctx: BotContext): Promise<HandlerResult> {
    const sub = byName.get(i.options.getSubcommand(false) ?? '');
    // Choices only for the members who may use them, in their own server.
    if (!sub?.autocomplete || !i.guildId || !i.memberPermissions?.has(PermissionFlagsBits.ManageGuild)) {
      await i.respond([]);
      return { outcome: 'autocomplete_none' };
    }
    return sub.autocomplete(i, ctx, i.guildId);
  }

  return { data, execute, autocomplete };
}

/** Defers the ephemeral reply (edits and their indexing can take longer than Discord's 3 s). */
export const deferEdit = (i: ChatInputCommandInteraction) => deferFirst(i, true);
