/**
 * Adding, replacing and removing documents, from the upload to the reply: shared by `/sources add|remove`
 * and the console, so both say the same thing. Refusals are thrown as CollectionEditError.
 */
import { formatBytes, type AddInput } from '../live/collection.js';
import type { Engine } from '../core/types.js';
import { discordMarkup, type Markup } from './markdown.js';
import { type LiveCollection } from '../live/live-collection.js';

export interface EditReply {
  text: string;
  outcome: string;
  doc: string;
}

export async function addSource(
  engine: Engine,
  collection: LiveCollection,
  input: AddInput,
  m: Markup = discordMarkup,
): Promise<EditReply> {
  const added = await collection.editor.add(input);
  const refreshed = await collection.refresh({ force: true });
  const info = engine.document(added.doc);
  const verb = added.replaced ? 'Replaced' : 'Added';
  if (!info || !refreshed.ok) {
    // A replaced file is still in the index until a re-index succeeds: its old text may be cited.
    const why = refreshed.ok ? 'it is not in the index yet' : refreshed.error;
    const until = added.replaced
      ? 'the old version may be cited until the index is rebuilt'
      : 'it becomes answerable once the index is rebuilt';
    return {
      text: `${verb} ${m.code(added.doc)}, but the index could not be updated (${why}); ${until}.`,
      outcome: added.replaced ? 'replace_unindexed' : 'add_unindexed',
      doc: added.doc,
    };
  }
  const what = added.replaced
    ? 'the new version is indexed and answerable now; the old one will not be cited any more'
    : 'it is indexed and answerable now';
  return {
    text: `${verb} ${m.code(added.doc)} (${formatBytes(added.bytes)}, ${info.passages} passages): ${what}.`,
    outcome: added.replaced ? 'replaced' : 'added',
    doc: added.doc,
  };
}

/** `value`: a file name (the autocomplete value) or a document's exact title. */
export async function removeSource(
  engine: Engine,
  collection: LiveCollection,
  value: string,
  m: Markup = discordMarkup,
): Promise<EditReply> {
  const v = value.trim();
  const doc =
    engine.document(v)?.doc ?? engine.documents().find((d) => d.title.toLowerCase() === v.toLowerCase())?.doc ?? v;
  await collection.editor.remove(doc);
  const refreshed = await collection.refresh();
  if (engine.document(doc)) {
    const why = refreshed.ok ? 'it is still in the index' : refreshed.error;
    return {
      text: `Removed ${m.code(doc)} from the folder, but the index could not be updated (${why}); it may still be cited until it is.`,
      outcome: 'remove_unindexed',
      doc,
    };
  }
  return { text: `Removed ${m.code(doc)}: it will not be cited any more.`, outcome: 'removed', doc };
}
