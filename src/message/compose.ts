/**
 * From engine results to rendered messages: the one place the bot and the console share,
 * so both say exactly the same thing (only the markup differs).
 */
import { normalizeQuestion } from '../text/question.js';
import type { Answer, DocInfo, Engine } from '../core/types.js';
import { PIN_ID, docCheck, encodeSourcesId, voteIds, type SpanRef } from './ids.js';
import { discordMarkup, type Markup } from './markdown.js';
import { type AnswerRender, renderAnswer } from './answer.js';
import {
  type ContextItem,
  renderDocCard,
  renderDocList,
  renderSearch,
  renderSourcesView,
  renderUnknownDoc,
} from './sources.js';
import { type Rendered, type ShownCitation } from './rendered.js';

export const QUESTION_MIN = 3;
export const QUESTION_MAX = 300;

/** A question cleaned for retrieval, or the reason it cannot be asked. */
export function cleanQuestion(raw: string): { ok: true; question: string } | { ok: false; message: string } {
  const question = normalizeQuestion(raw);
  if (question.length < QUESTION_MIN)
    return { ok: false, message: `Please ask a question of at least ${QUESTION_MIN} characters.` };
  if (question.length > QUESTION_MAX)
    return { ok: false, message: `Please keep the question under ${QUESTION_MAX} characters.` };
  return { ok: true, question };
}

/**
 * The check of a span reference: of the document and its version, so a replaced file's old spans
 * are refused; a server's own document's check includes the server.
 */
const checkOf = (d: DocInfo, length?: number, guild?: string | null) => {
  const name = d.version ? `${d.doc}@${d.version}` : d.doc;
  return docCheck(d.collection === 'server' ? `${guild ?? ''}/${name}` : name, length);
};

/** A collection's documents in the engine's order: what a span reference's docIndex counts. */
const docsOf = (docs: readonly DocInfo[], server: boolean) =>
  docs.filter((d) => (d.collection === 'server') === server);

/** Span references for the Sources button: the citations' full (uncut) spans. */
export function spanRefs(docs: readonly DocInfo[], shown: readonly ShownCitation[], guild?: string | null): SpanRef[] {
  const lists = [docsOf(docs, false), docsOf(docs, true)];
  const index = lists.map((list) => new Map(list.map((d, i) => [d.doc, i])));
  const refs: SpanRef[] = [];
  for (const c of shown) {
    const server = c.collection === 'server';
    const docIndex = index[server ? 1 : 0]!.get(c.doc);
    if (docIndex === undefined) continue;
    const check = checkOf(lists[server ? 1 : 0]![docIndex]!, undefined, guild);
    refs.push({
      docIndex,
      start: c.original.start,
      end: c.original.end,
      check,
      ...(server && { collection: 'server' }),
    });
  }
  return refs;
}

/**
 * `feedbackId`: the answer's feedback record id, for the 👍 / 👎 buttons of a public answer;
 * `followUpId`, `postId`: custom IDs of the Follow up and Post to channel buttons (src/message/conversation-ids.ts).
 */
export function composeAnswer(
  engine: Engine,
  answer: Answer,
  opts: {
    private?: boolean;
    markup?: Markup;
    feedbackId?: string;
    followUpId?: string;
    postId?: string;
    guild?: string | null;
  } = {},
): AnswerRender {
  const docs = engine.documents();
  const urls = new Map(docs.map((d) => [d.doc, d.url]));
  return renderAnswer(answer, {
    docsSearched: docs.length,
    markup: opts.markup ?? discordMarkup,
    private: opts.private,
    sourcesId: (shown) => {
      const refs = spanRefs(docs, shown, opts.guild);
      return refs.length ? encodeSourcesId(refs, opts.guild) : undefined;
    },
    pinId: PIN_ID,
    voteIds: opts.feedbackId ? voteIds(opts.feedbackId) : undefined,
    followUpId: opts.followUpId,
    postId: opts.postId,
    urlOf: (doc) => urls.get(doc),
  });
}

/**
 * The Sources view for span references from a button; each one is re-validated by the engine
 * (`guild`: the server where the button is used; a server's own documents are looked up there only).
 */
export function composeSourcesView(
  engine: Engine,
  refs: readonly SpanRef[],
  markup: Markup = discordMarkup,
  guild?: string | null,
): Rendered {
  const lists = [docsOf(engine.documents(), false), docsOf(engine.documents(), true)];
  const items: ContextItem[] = [];
  let invalid = 0;
  for (const ref of refs) {
    const server = ref.collection === 'server';
    const d = lists[server ? 1 : 0]![ref.docIndex];
    const ok = d && checkOf(d, ref.check.length, guild) === ref.check;
    const ctx = ok ? engine.context(d.doc, ref.start, ref.end, d.collection) : undefined;
    if (!d || !ctx) invalid++;
    else items.push({ n: items.length + 1, doc: d.doc, ctx });
  }
  return renderSourcesView(items, { markup, invalid });
}

export interface SourcesQuery {
  query?: string | null;
  doc?: string | null;
}

/** /sources: no option → the list; `query` → top 5 passages; `doc` → the card (both → passages of that document). */
export async function composeSources(
  engine: Engine,
  q: SourcesQuery,
  markup: Markup = discordMarkup,
): Promise<Rendered> {
  const docs = engine.documents();
  const query = q.query?.replace(/\s+/g, ' ').trim();
  const docValue = q.doc?.trim();
  if (docValue) {
    const info = engine.document(docValue) ?? docs.find((d) => d.doc === docValue) ?? findDoc(docs, docValue);
    if (!info) return renderUnknownDoc(docValue, { markup });
    if (!query) return renderDocCard(info, { markup });
    const hits = (await engine.search(query, 50))
      .filter((h) => h.doc === info.doc && h.collection === info.collection)
      .slice(0, 5);
    return renderSearch(query, hits, { docsSearched: 1, markup });
  }
  if (query) return renderSearch(query, await engine.search(query, 5), { docsSearched: docs.length, markup });
  return renderDocList(docs, { markup });
}

function findDoc(docs: readonly DocInfo[], value: string): DocInfo | undefined {
  const v = value.toLowerCase();
  return (
    docs.find((d) => d.doc.toLowerCase() === v || d.title.toLowerCase() === v) ??
    docs.find((d) => d.doc.toLowerCase().includes(v) || d.title.toLowerCase().includes(v))
  );
}
