/**
 * A server's engine: the operator's base collection and the server's own, each kept in its own
 * index (the base is shared by every server, never copied) and scored against its own statistics.
 * A question is embedded once, retrieved from each index, and the sentence hits are ranked as one
 * list before composing (answer/compose.ts `composeParts`): one refusal threshold, one follow
 * ratio, `maxPassages` over the merged list. With one part the answer is exactly that engine's.
 * Results carry the collection they come from; document names are per collection.
 */
import type { Answer, AskContext, CollectionKind, DocInfo, Engine } from '../core/types.js';
import { IndexError } from '../index/types.js';
import { nearest } from '../retrieve/score.js';
import type { Topic } from '../retrieve/score.js';
import { answerFrom, askAll, followUpResolver, searchFrom, type FullEngine } from './create.js';

export interface CollectionPart {
  engine: FullEngine;
  collection: CollectionKind;
}

export type CompositeEngine = Engine & { readonly parts: readonly CollectionPart[] };

/** A document value that names its collection (`server:report.pdf`, `base:report.pdf`), as autocomplete offers them. */
export function splitDocValue(value: string): { doc: string; collection?: CollectionKind } {
  const m = /^(base|server):(.+)$/.exec(value);
  return m ? { doc: m[2]!, collection: m[1] as CollectionKind } : { doc: value };
}

/** `parts`: the server's own first (it is listed first and found first by name), then the base. */
export function compositeEngine(parts: readonly CollectionPart[]): CompositeEngine {
  const first = parts[0]?.engine;
  for (const p of parts)
    if (p.engine.embedder.id !== first!.embedder.id || p.engine.embedder.dims !== first!.embedder.dims)
      throw new IndexError(
        `The ${p.collection} collection was indexed with ${p.engine.embedder.id}, not ${first!.embedder.id}: rebuild it.`,
      );
  const answerParts = parts.map((p) => ({ index: p.engine.index, stats: p.engine.stats, collection: p.collection }));
  const answerOne = (q: string, qvec: number[], t0: number, topic?: Topic) =>
    answerFrom(answerParts, first!.policy, q, qvec, t0, topic);
  // A follow-up's "he" is found among the server's names first, then the base's.
  const resolve = followUpResolver(parts.map((p) => p.engine.stats));
  const tagged = (d: DocInfo, collection: CollectionKind): DocInfo => ({ ...d, collection });
  /** The parts a lookup may search: the one named, else all (the server's own first). */
  const among = (value: string, collection?: CollectionKind) => {
    const named = splitDocValue(value);
    const c = collection ?? named.collection;
    return { doc: named.doc, parts: parts.filter((p) => !c || p.collection === c) };
  };
  const askMany = (questions: string[], contexts?: readonly (AskContext | undefined)[]): Promise<Answer[]> =>
    first
      ? askAll(first.embedder, questions, answerOne, contexts, resolve)
      : Promise.resolve(questions.map(nothingToSearch));
  return {
    parts,
    embedderId: first?.embedder.id ?? 'none',
    askMany,
    ask: async (question) => (await askMany([question]))[0]!,
    async search(query, k = 5) {
      if (!first) return [];
      const [qvec] = await first.embedder.embed([query], { query: true });
      const near = await Promise.all(parts.map((p) => nearest(p.engine.index, qvec!)));
      return searchFrom(answerParts, first.policy, query, qvec!, near, k);
    },
    documents: () => parts.flatMap((p) => p.engine.documents().map((d) => tagged(d, p.collection))),
    document(value, collection) {
      const { doc, parts: found } = among(value, collection);
      for (const p of found) {
        const d = p.engine.document(doc);
        if (d) return tagged(d, p.collection);
      }
      return undefined;
    },
    documentText(value, collection) {
      const { doc, parts: found } = among(value, collection);
      for (const p of found) {
        const t = p.engine.documentText(doc);
        if (t) return t;
      }
      return undefined;
    },
    context(value, start, end, collection) {
      const { doc, parts: found } = among(value, collection);
      for (const p of found) {
        if (!p.engine.document(doc)) continue;
        const ctx = p.engine.context(doc, start, end);
        return ctx && { ...ctx, collection: p.collection };
      }
      return undefined;
    },
  };
}

/** The answer of a server that hides the base and has no documents of its own. */
function nothingToSearch(question: string): Answer {
  return {
    question,
    answered: false,
    answer: 'Not found in the sources.',
    citations: [],
    closest: [],
    timings_ms: { total: 0 },
  };
}
