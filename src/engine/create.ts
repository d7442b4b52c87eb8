/**
 * An engine over an index already in memory: a question is normalised, embedded, retrieved and
 * composed into an answer (or a refusal); documents, their text and a quote's context are served
 * from the same index. This is the narrow `Engine` interface every edge sees.
 */
import { composeParts, type AnswerPolicy } from '../answer/compose.js';
import type { Embedder } from '../embed/embedder.js';
import { rescale } from '../embed/scale.js';
import { nearest, retrieve } from '../retrieve/score.js';
import { lexStats, parseStatsData, type LexStats } from '../retrieve/stats.js';
import { hasWords, normalizeQuestion } from '../text/question.js';
import type { Answer, CollectionKind, DocInfo, Engine, PassageHit, QuoteContext, Span } from '../core/types.js';
import { type Knn, type LoadedIndex } from '../index/types.js';

export type FullEngine = ReturnType<typeof createEngine>;

/** An index with the statistics it is scored against, and the collection it holds (see composite.ts). */
export interface AnswerPart {
  index: LoadedIndex;
  stats: LexStats;
  collection?: CollectionKind;
}

/**
 * The answer to one question (normalised, embedded as `qvec`) from one or more indexes: each
 * retrieves on its own, the sentence hits are ranked together and composed into one answer.
 */
export async function answerFrom(
  parts: readonly AnswerPart[],
  policy: AnswerPolicy,
  question: string,
  qvec: number[],
  t0: number,
): Promise<Answer> {
  const retrieved = await Promise.all(
    parts.map(async ({ index, stats, collection }) => ({
      index,
      collection,
      retrieval: retrieve(index, stats, question, qvec, policy.weights, await nearest(index, qvec)),
    })),
  );
  const composed = composeParts(retrieved, policy);
  const pagesOf = (c: { doc: string; collection?: CollectionKind }) =>
    parts.find((p) => p.collection === c.collection)?.index.byId.get(c.doc)?.pages;
  return {
    question,
    answered: composed.answered,
    answer: composed.answered
      ? composed.citations.map((c) => `${c.quote.replace(/\s+/g, ' ')} [${c.n}]`).join('\n\n')
      : 'Not found in the sources.',
    citations: composed.citations.map((c) => withPage(c, pagesOf(c))),
    closest: composed.closest,
    timings_ms: { total: Math.round((performance.now() - t0) * 10) / 10 },
  };
}

/** The best `k` passages (chunks) for a lookup, from one or more indexes ranked together by fused score. */
export function searchFrom(
  parts: readonly AnswerPart[],
  policy: AnswerPolicy,
  query: string,
  qvec: number[],
  near: readonly (Knn | undefined)[],
  k: number,
): PassageHit[] {
  return parts
    .flatMap(({ index, stats, collection }, p) =>
      retrieve(index, stats, query, qvec, policy.weights, near[p])
        .chunks.slice(0, k)
        .map(({ chunk, fused }): PassageHit => {
          const c = index.chunks[chunk]!;
          const d = index.byId.get(c.doc)!;
          return withPage(
            {
              doc: d.id,
              title: d.title,
              quote: d.text.slice(c.start, c.end),
              start: c.start,
              end: c.end,
              score: Math.round(fused * 1e4) / 1e4,
              ...(collection && { collection }),
            },
            d.pages,
          );
        }),
    )
    .sort((a, b) => b.score - a.score)
    .slice(0, k);
}

/** Normalises and embeds a batch of questions (those without words are refused without a lookup). */
export async function askAll(
  embedder: Embedder,
  raw: string[],
  answerOne: (question: string, qvec: number[], t0: number) => Promise<Answer>,
): Promise<Answer[]> {
  const t0 = performance.now();
  const questions = raw.map(normalizeQuestion);
  const real = questions.filter(hasWords);
  const qvecs = real.length ? await embedder.embed(real, { query: true }) : [];
  let k = 0;
  return Promise.all(questions.map((q) => (hasWords(q) ? answerOne(q, qvecs[k++]!, t0) : emptyAnswer(q, t0))));
}

/**
 * An engine over an index already in memory. It answers as the base collection: a lookup that
 * names the server's collection finds nothing here (a server's engine is composite.ts).
 */
export function createEngine(
  index: LoadedIndex,
  embedder: Embedder,
  policy: AnswerPolicy,
): Engine & { index: LoadedIndex; stats: LexStats; embedder: Embedder; policy: AnswerPolicy } {
  const similarity = index.manifest.scale ? rescale(index.manifest.scale, policy.scale) : undefined;
  const stats = lexStats(index, similarity, parseStatsData(index.stats, index));
  // Parsed once: the stored text is not kept in memory beside what was made of it.
  delete index.stats;
  const docById = index.byId;
  const chunkCount = new Map<string, number>();
  for (const c of index.chunks) chunkCount.set(c.doc, (chunkCount.get(c.doc) ?? 0) + 1);
  const parts = [{ index, stats }];
  const mine = (collection: CollectionKind | undefined) => collection !== 'server';

  const info = (id: string, collection?: CollectionKind): DocInfo | undefined => {
    const d = mine(collection) ? docById.get(id) : undefined;
    if (!d) return undefined;
    const { outlet, url, published } = d.meta;
    return {
      doc: d.id,
      title: d.title,
      outlet,
      url,
      published,
      passages: chunkCount.get(d.id) ?? 0,
      words: d.words,
      version: d.hash,
    };
  };

  return {
    index,
    stats,
    embedder,
    policy,
    embedderId: embedder.id,
    ask: async (question) => (await askAll(embedder, [question], (q, v, t) => answerFrom(parts, policy, q, v, t)))[0]!,
    askMany: (questions) => askAll(embedder, questions, (q, v, t) => answerFrom(parts, policy, q, v, t)),
    async search(query, k = 5) {
      const [qvec] = await embedder.embed([query], { query: true });
      return searchFrom(parts, policy, query, qvec!, [await nearest(index, qvec!)], k);
    },
    documents: () => index.docs.map((d) => info(d.id)!),
    document: info,
    documentText(doc, collection) {
      const d = mine(collection) ? docById.get(doc) : undefined;
      return d && { doc: d.id, text: d.text, ...(d.pages && { pages: d.pages }) };
    },
    context(doc, start, end, collection): QuoteContext | undefined {
      const d = mine(collection) ? docById.get(doc) : undefined;
      if (!d || !Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > d.text.length || start >= end)
        return undefined;
      // A passage may run on into the next paragraph (a lead-in and its quotation) when only
      // white space lies between them; a span that takes in anything skipped is not a quote.
      const p = d.paragraphs.findIndex((s) => s.start <= start && start < s.end);
      const q = d.paragraphs.findIndex((s) => s.start < end && end <= s.end);
      if (p < 0 || q < p) return undefined;
      for (let i = p; i < q; i++)
        if (/\S/.test(d.text.slice(d.paragraphs[i]!.end, d.paragraphs[i + 1]!.start))) return undefined;
      const sentencesOf = (k: number) =>
        index.chunks.filter((c) => c.doc === doc && c.paragraph === k).flatMap((c) => c.sentences);
      const before = sentencesOf(p)
        .filter((s) => s.end <= start)
        .slice(-1)[0];
      const after = sentencesOf(q).find((s) => s.start >= end);
      return {
        doc,
        title: d.title,
        before: before ? d.text.slice(before.start, start).trimEnd() : '',
        quote: d.text.slice(start, end),
        after: after ? d.text.slice(end, after.end).trimStart() : '',
        paragraph: p + 1,
        paragraphs: d.paragraphs.length,
        ...(d.pages && { page: pageAt(d.pages, start) }),
      };
    },
  };
}

/** The 1-based page an offset falls on (the page whose span starts at or before it). */
export function pageAt(pages: readonly Span[], offset: number): number {
  let n = 0;
  while (n + 1 < pages.length && pages[n + 1]!.start <= offset) n++;
  return n + 1;
}

/** A quote of a paged document (a PDF) names the page it starts on. */
function withPage<T extends PassageHit>(hit: T, pages: readonly Span[] | undefined): T {
  return pages?.length ? { ...hit, page: pageAt(pages, hit.start) } : hit;
}

function emptyAnswer(question: string, t0: number): Answer {
  return {
    question,
    answered: false,
    answer: 'Please ask a question in words.',
    citations: [],
    closest: [],
    timings_ms: { total: Math.round((performance.now() - t0) * 10) / 10 },
  };
}
