/**
 * What moderators are told about edits of their server's collection (`/collection add|remove|
 * settings`): one line each, from the writer's outcome. Platform-neutral (the markup decides).
 */
import { formatBytes } from '../live/collection.js';
import type { EditOutcome } from '../live/guild-edit.js';
import type { GuildSettings } from '../index/guild-folder.js';
import type { DocInfo } from '../core/types.js';
import { discordMarkup, type Markup } from './markdown.js';
import { plural } from './rendered.js';

/** The outcome name logged for an edit (`added`, `replace_unindexed`, `remove_refused`, …). */
export function editOutcome(kind: 'add' | 'remove', o: EditOutcome): string {
  if (!o.ok) return `${kind}_refused`;
  const verb = kind === 'remove' ? 'remove' : o.replaced ? 'replace' : 'add';
  if (o.indexError) return `${verb}_unindexed`;
  return kind === 'remove' ? 'removed' : o.replaced ? 'replaced' : 'added';
}

export function addReply(o: EditOutcome, info: DocInfo | undefined, m: Markup = discordMarkup): string {
  if (!o.ok) return o.message ?? 'The document could not be added.';
  const doc = m.code(o.doc ?? '');
  const verb = o.replaced ? 'Replaced' : 'Added';
  if (o.indexError || !info)
    return `${verb} ${doc} in this server's collection, but the index could not be updated (${o.indexError ?? 'it is not in the index yet'}); ${o.replaced ? 'the old version may be cited until it is' : 'it becomes answerable once it is'}.`;
  const what = o.replaced
    ? 'the new version is indexed and answerable now; the old one will not be cited any more'
    : 'it is indexed and answerable in this server now';
  return `${verb} ${doc} (${formatBytes(o.bytes ?? 0)}, ${plural(info.passages, 'passage')}): ${what}. Try /ask.`;
}

export function removeReply(o: EditOutcome, m: Markup = discordMarkup): string {
  if (!o.ok) return o.message ?? 'The document could not be removed.';
  const doc = m.code(o.doc ?? '');
  if (o.indexError)
    return `Removed ${doc} from this server's files, but the index could not be updated (${o.indexError}); it may still be cited until it is.`;
  return `Removed ${doc} from this server's collection: it will not be cited any more.`;
}

/** `base` and `own`: the documents of each collection answered in this server. */
export function settingsReply(
  settings: GuildSettings,
  counts: { base: number; own: number },
  limits: { maxDocs: number; maxBytes: number },
  changed: boolean,
): string {
  const base = settings.base
    ? `The bot's base collection (${plural(counts.base, 'document')}) is answered in this server`
    : "The bot's base collection is hidden in this server: only this server's own documents are answered";
  const own = `This server's own collection: ${plural(counts.own, 'document')} (at most ${limits.maxDocs}, ${formatBytes(limits.maxBytes)} in all).`;
  return `${changed ? 'Saved. ' : ''}${base}. ${own}`;
}

/** Removing or replacing one of the base's documents from a server. */
export function baseDocRefusal(doc: string, m: Markup = discordMarkup): string {
  return `${m.code(doc)} is in the bot's base collection, which only the bot's operator can change; a server can hide the whole base with /collection settings base:false.`;
}
