/**
 * /collection add, remove and settings: a server's moderators add a file to their server's own
 * collection, remove one of its documents, and show or hide the bot's base collection there. Names
 * and sizes are refused before a byte is downloaded; the edit goes to the one writer, and the reply
 * comes once this process answers from the generation that has it. The base's documents cannot be
 * removed or replaced from a server (one line says so).
 */
import type { AutocompleteInteraction } from 'discord.js';
import type { DocInfo, Engine } from '../core/types.js';
import { splitDocValue } from '../engine/composite.js';
import { SOURCE_EXTENSIONS } from '../ingest/load.js';
import { CollectionEditError, checkSize, collectionName } from '../live/collection.js';
import { toData } from '../live/guild-edit.js';
import { addReply, baseDocRefusal, editOutcome, removeReply, settingsReply } from '../message/guild-edit.js';
import { docChoices } from '../message/sources.js';
import { deferEdit, type CollectionSubcommand, type CollectionUse } from './collection.js';
import { unfollow } from './collection-web.js';
import { isWebAddress } from '../core/url.js';
import { downloadCapped } from './download.js';
import type { BotContext, HandlerResult } from './types.js';

const own = (docs: readonly DocInfo[]) => docs.filter((d) => d.collection === 'server');
const baseDocs = (docs: readonly DocInfo[]) => docs.filter((d) => d.collection !== 'server');

/** A document a moderator named (an autocomplete value, a file name or a title typed by hand), in `docs`. */
function named(docs: readonly DocInfo[], value: string): DocInfo | undefined {
  const { doc } = splitDocValue(value.trim());
  const v = doc.toLowerCase();
  return docs.find((d) => d.doc === doc) ?? docs.find((d) => d.doc.toLowerCase() === v || d.title.toLowerCase() === v);
}

/** Every document answered in the server, its own and the base's (even when the server hides the base). */
async function everything(use: CollectionUse): Promise<{ engine: Engine; docs: DocInfo[]; base: DocInfo[] }> {
  const engine = await use.guilds.engineFor(use.guild);
  const docs = engine.documents();
  const tagged = engine === use.ctx.engine ? docs.map((d) => ({ ...d, collection: 'base' as const })) : docs;
  return { engine, docs: tagged, base: use.ctx.engine.documents() };
}

async function refused(use: CollectionUse, action: string, err: unknown): Promise<HandlerResult> {
  if (!(err instanceof CollectionEditError)) throw err;
  use.ctx.log.info('collection_edit_refused', {
    action,
    guild: use.guild,
    by: use.i.user.id,
    reason: err.message.slice(0, 200),
  });
  return use.say(err.message, `${action}_refused`);
}

export const ADD: CollectionSubcommand = {
  name: 'add',
  build: (s) =>
    s
      .setDescription("Add a file to this server's own collection (answerable here once indexed).")
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
        o.setName('replace').setDescription("Replace this server's document of the same name (default: false)"),
      ),
  async execute(use) {
    const { i, ctx, guild, guilds } = use;
    const file = i.options.getAttachment('file', true);
    const replace = i.options.getBoolean('replace') ?? false;
    let name: string;
    try {
      // Refused before a byte is downloaded: the name, and the size Discord declares.
      name = collectionName(file.name);
      checkSize(name, file.size, guilds.limits.uploadMaxBytes);
    } catch (err) {
      return refused(use, 'add', err);
    }
    const { docs, base } = await everything(use);
    if (replace && !own(docs).some((d) => d.doc === name) && base.some((d) => d.doc === name)) {
      ctx.log.info('collection_edit_refused', { action: 'add', guild, by: i.user.id, doc: name, reason: 'base' });
      return use.say(baseDocRefusal(name), 'add_base_refused');
    }
    if (!(await use.takeEdit())) return { outcome: 'rate_limited' };
    await deferEdit(i);
    let bytes: Uint8Array;
    try {
      bytes = await downloadCapped(file.url, guilds.limits.uploadMaxBytes);
    } catch (err) {
      return refused(use, 'add', err);
    }
    const outcome = await guilds.edit({
      kind: 'add',
      guild,
      by: i.user.id,
      filename: file.name,
      data: toData(bytes),
      title: i.options.getString('title') ?? undefined,
      url: i.options.getString('url') ?? undefined,
      replace,
    });
    const info = outcome.doc ? (await guilds.engineFor(guild)).document(outcome.doc, 'server') : undefined;
    const result = editOutcome('add', outcome);
    ctx.log.info(outcome.ok ? (outcome.replaced ? 'source_replaced' : 'source_added') : 'collection_edit_refused', {
      action: 'add',
      guild,
      doc: outcome.doc ?? name,
      bytes: bytes.length,
      by: i.user.id,
      by_name: i.user.username,
      outcome: result,
      ...(outcome.message && { reason: outcome.message.slice(0, 200) }),
    });
    return use.say(addReply(outcome, info), result);
  },
};

export const REMOVE: CollectionSubcommand = {
  name: 'remove',
  build: (s) =>
    s
      .setDescription("Remove a document from this server's own collection.")
      .addStringOption((o) =>
        o
          .setName('doc')
          .setDescription('The document (file name or title), or the URL of a feed or sitemap to stop following')
          .setRequired(true)
          .setAutocomplete(true)
          .setMaxLength(2000),
      ),
  async execute(use) {
    const { i, ctx, guild, guilds } = use;
    const value = i.options.getString('doc', true);
    const { docs, base } = await everything(use);
    const target = named(own(docs), value);
    if (!target && isWebAddress(value)) return unfollow(use, value);
    if (!target) {
      const inBase = named(baseDocs(docs), value) ?? named(base, value);
      ctx.log.info('collection_edit_refused', {
        action: 'remove',
        guild,
        by: i.user.id,
        doc: value.slice(0, 100),
        reason: inBase ? 'base' : 'unknown',
      });
      return inBase
        ? use.say(baseDocRefusal(inBase.doc), 'remove_base_refused')
        : use.say(`No document named “${value.slice(0, 100)}” in this server's collection.`, 'remove_unknown');
    }
    if (!(await use.takeEdit())) return { outcome: 'rate_limited' };
    await deferEdit(i);
    const outcome = await guilds.edit({ kind: 'remove', guild, by: i.user.id, doc: target.doc });
    const result = editOutcome('remove', outcome);
    ctx.log.info(outcome.ok ? 'source_removed' : 'collection_edit_refused', {
      action: 'remove',
      guild,
      doc: target.doc,
      by: i.user.id,
      by_name: i.user.username,
      outcome: result,
    });
    return use.say(removeReply(outcome), result);
  },
  async autocomplete(i: AutocompleteInteraction, ctx: BotContext, guild: string) {
    const engine = await ctx.guilds!.engineFor(guild);
    const focused = i.options.getFocused(true);
    const choices = focused.name === 'doc' ? docChoices(own(engine.documents()), String(focused.value)) : [];
    await i.respond(choices);
    return { outcome: 'autocomplete' };
  },
};

export const SETTINGS: CollectionSubcommand = {
  name: 'settings',
  build: (s) =>
    s
      .setDescription("Show this server's settings; base:false hides the bot's base collection here.")
      .addBooleanOption((o) =>
        o.setName('base').setDescription("Answer from the bot's base collection in this server too (default: true)"),
      ),
  async execute(use) {
    const { i, ctx, guild, guilds } = use;
    const base = i.options.getBoolean('base');
    let settings = await guilds.settings(guild);
    const changed = base !== null && base !== settings.base;
    if (changed) {
      if (!(await use.takeEdit())) return { outcome: 'rate_limited' };
      await deferEdit(i);
      const outcome = await guilds.edit({ kind: 'settings', guild, by: i.user.id, base });
      if (!outcome.ok || !outcome.settings)
        return use.say(outcome.message ?? 'The setting was not saved.', 'settings_failed');
      settings = outcome.settings;
      ctx.log.info('collection_settings', { guild, base, by: i.user.id, by_name: i.user.username });
    }
    const { docs } = await everything(use);
    const text = settingsReply(
      settings,
      { base: ctx.engine.documents().length, own: own(docs).length },
      guilds.limits,
      changed,
    );
    return use.say(text, changed ? 'settings_saved' : 'settings_shown');
  },
};
