/**
 * /sources browse [query] [doc] — the list, a passage lookup, or one document's card.
 * /sources add file:<attachment> [title] [url] [replace] — moderators: add a file to the collection
 *   (replace:true replaces a document of the same name; without it a taken name is refused).
 * /sources remove doc:<document> — moderators: take a file out of the collection.
 * Adding and removing need Manage Server, checked on every use; every reply is ephemeral, and
 * each edit is logged with who made it. A command registered before the subcommands existed
 * (plain options) still browses.
 */
import {
  PermissionFlagsBits,
  SlashCommandBuilder,
  type AutocompleteInteraction,
  type ChatInputCommandInteraction,
} from 'discord.js';
import { CollectionEditError, checkSize, collectionName } from '../src/live/collection.js';
import { composeSources } from '../src/message/compose.js';
import { downloadCapped } from '../src/discord/download.js';
import { addSource, removeSource } from '../src/message/edit.js';
import { docChoices, renderNotice, renderSlowDown } from '../src/message/render.js';
import { deferFirst, send } from '../src/discord/respond.js';
import type { BotContext, HandlerResult, LiveCollection } from '../src/discord/types.js';
import { SOURCE_EXTENSIONS } from '../src/ingest/load.js';

export const data = new SlashCommandBuilder()
  .setName('sources')
  .setDescription('The documents: browse them; moderators add and remove them.')
  .addSubcommand((s) =>
    s
      .setName('browse')
      .setDescription('List the documents, look up passages, or show one document.')
      .addStringOption((o) =>
        o
          .setName('query')
          .setDescription('Words to look up: the 5 best matching passages (no answer)')
          .setMaxLength(300),
      )
      .addStringOption((o) =>
        o.setName('doc').setDescription('One document (by title or file name)').setAutocomplete(true).setMaxLength(100),
      ),
  )
  .addSubcommand((s) =>
    s
      .setName('add')
      .setDescription('Moderators: add a file to the collection (answerable once indexed).')
      .addAttachmentOption((o) =>
        o
          .setName('file')
          .setDescription(`The document (${SOURCE_EXTENSIONS.join(', ')})`)
          .setRequired(true),
      )
      .addStringOption((o) =>
        o.setName('title').setDescription('Its title (default: found in the text)').setMaxLength(300),
      )
      .addStringOption((o) => o.setName('url').setDescription('Where it was published (https://…)').setMaxLength(2000))
      .addBooleanOption((o) =>
        o.setName('replace').setDescription('Replace the document of the same name (default: false)'),
      ),
  )
  .addSubcommand((s) =>
    s
      .setName('remove')
      .setDescription('Moderators: remove a document from the collection.')
      .addStringOption((o) =>
        o.setName('doc').setDescription('The document').setRequired(true).setAutocomplete(true).setMaxLength(100),
      ),
  );

export async function execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<HandlerResult> {
  const sub = interaction.options.getSubcommand(false);
  if (sub === 'add' || sub === 'remove') return edit(interaction, ctx, sub);
  // A lookup runs a search, as a question does: it counts against the same per-member limit.
  const limit = ctx.limiter.take(interaction.user.id);
  if (!limit.allowed) {
    await send(interaction, renderSlowDown(limit.retryAfterMs, ctx.limiter.count, ctx.limiter.windowMs / 1000));
    return { outcome: 'rate_limited' };
  }
  await deferFirst(interaction, true);
  const query = interaction.options.getString('query');
  const doc = interaction.options.getString('doc');
  await send(interaction, await composeSources(ctx.engine, { query, doc }));
  return { outcome: doc ? 'doc' : query ? 'query' : 'list' };
}

export async function autocomplete(interaction: AutocompleteInteraction, ctx: BotContext): Promise<HandlerResult> {
  const focused = interaction.options.getFocused(true);
  if (ctx.autocompleteLimiter && !ctx.autocompleteLimiter.take(interaction.user.id).allowed) {
    await interaction.respond([]);
    return { outcome: 'autocomplete_rate_limited' };
  }
  const choices = focused.name === 'doc' ? docChoices(ctx.engine.documents(), String(focused.value)) : [];
  await interaction.respond(choices);
  return { outcome: 'autocomplete' };
}

async function edit(i: ChatInputCommandInteraction, ctx: BotContext, sub: 'add' | 'remove'): Promise<HandlerResult> {
  const say = async (text: string, outcome: string): Promise<HandlerResult> => {
    await send(i, renderNotice(text));
    return { outcome };
  };
  // Discord's own computation for this member in this channel, on every use.
  if (!i.inGuild() || !i.memberPermissions?.has(PermissionFlagsBits.ManageGuild)) {
    ctx.log.info('source_edit_refused', { action: sub, by: i.user.id });
    return say('Only members with the **Manage Server** permission can add or remove documents.', `${sub}_denied`);
  }
  const collection = ctx.collection;
  if (!collection)
    return say('Documents cannot be added or removed on this bot (its collection is not editable).', `${sub}_off`);
  // Every edit re-indexes: each server has a quota of them per hour.
  const quota = ctx.editQuota?.take(i.guildId);
  if (quota && !quota.allowed) {
    ctx.log.info('source_edit_refused', { action: sub, by: i.user.id, guild: i.guildId, reason: 'edit quota' });
    const minutes = Math.max(1, Math.ceil(quota.retryAfterMs / 60_000));
    return say(
      `This server has made ${ctx.editQuota!.count} changes to the documents in the last hour, its limit; try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`,
      `${sub}_rate_limited`,
    );
  }
  try {
    return sub === 'add' ? await add(i, ctx, collection, say) : await remove(i, ctx, collection, say);
  } catch (err) {
    if (!(err instanceof CollectionEditError)) throw err;
    ctx.log.info('source_edit_refused', { action: sub, by: i.user.id, reason: err.message.slice(0, 200) });
    return say(err.message, `${sub}_refused`);
  }
}

type Say = (text: string, outcome: string) => Promise<HandlerResult>;

async function add(
  i: ChatInputCommandInteraction,
  ctx: BotContext,
  collection: LiveCollection,
  say: Say,
): Promise<HandlerResult> {
  const file = i.options.getAttachment('file', true);
  const max = collection.editor.maxBytes;
  // Refused before a byte is downloaded: the name, and the size Discord declares.
  collectionName(file.name);
  checkSize(file.name, file.size, max);
  await deferFirst(i, true);
  const bytes = await downloadCapped(file.url, max);
  const input = {
    filename: file.name,
    bytes,
    title: i.options.getString('title') ?? undefined,
    url: i.options.getString('url') ?? undefined,
    replace: i.options.getBoolean('replace') ?? false,
  };
  const r = await addSource(ctx.engine, collection, input);
  const replaced = r.outcome === 'replaced' || r.outcome === 'replace_unindexed';
  const indexed = r.outcome === 'added' || r.outcome === 'replaced';
  ctx.log.info(replaced ? 'source_replaced' : 'source_added', {
    doc: r.doc,
    bytes: bytes.length,
    by: i.user.id,
    by_name: i.user.username,
    guild: i.guildId,
    indexed,
  });
  return say(indexed ? `${r.text} Try /ask.` : r.text, r.outcome);
}

async function remove(
  i: ChatInputCommandInteraction,
  ctx: BotContext,
  collection: LiveCollection,
  say: Say,
): Promise<HandlerResult> {
  await deferFirst(i, true);
  const r = await removeSource(ctx.engine, collection, i.options.getString('doc', true));
  ctx.log.info('source_removed', {
    doc: r.doc,
    by: i.user.id,
    by_name: i.user.username,
    guild: i.guildId,
    unindexed: r.outcome === 'removed',
  });
  return say(r.text, r.outcome);
}
