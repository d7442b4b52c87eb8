/**
 * An engine over an index already in memory: a question is normalised, embedded, retrieved and
 * composed into an answer (or a refusal); documents, their text and a quote's context are served
 * from the same index. This is the narrow `Engine` interface every edge sees.
 */
import { composeParts, type AnswerPolicy } from '../answer/compose.js';
import type { Embedder } from '../embed/embedder.js';
import { rescale } from '../embed/scale.js';
import { nearest, retrieve, type Topic } from '../retrieve/score.js';
import { lexStats, lexStatsAsync, parseStatsData, type LexStats } from '../retrieve/stats.js';
import { hasWords, normalizeQuestion } from '../text/question.js';
import type {
  Answer,
  AskContext,
  CollectionKind,
  DocInfo,
  Engine,
  PassageHit,
  QuoteContext,
  Span,
} from '../core/types.js';
import { resolveFollowUp, type FollowUp } from './followup.js';
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
  topic?: Topic,
): Promise<Answer> {
  const retrieved = await Promise.all(
    parts.map(async ({ index, stats, collection }) => ({
      index,
      collection,
      sentenceTerms: stats.sentenceTerms,
      retrieval: retrieve(index, stats, question, qvec, policy.weights, await nearest(index, qvec), topic),
    })),
  );
  const composed = composeParts(retrieved, policy);
  const docOf = (c: { doc: string; collection?: CollectionKind }) =>
    parts.find((p) => p.collection === c.collection)?.index.byId.get(c.doc);
  return {
    question,
    answered: composed.answered,
    answer: composed.answered
      ? composed.citations.map((c) => `${c.quote.replace(/\s+/g, ' ')} [${c.n}]`).join('\n\n')
      : 'Not found in the sources.',
    citations: composed.citations.map((c) => withUrl(withPage(c, docOf(c)?.pages), docOf(c)?.meta.url)),
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

/**
 * Normalises and embeds a batch of questions (those without words are refused without a lookup).
 * `contexts[i]`, when given, makes question i a follow-up: `resolve` rewrites it against the
 * question it follows (a pronoun or bare title becomes whom that one asked about) and gives the
 * earlier question's topic, which counts a little; a question without a context is asked as written.
 */
export async function askAll(
  embedder: Embedder,
  raw: string[],
  answerOne: (question: string, qvec: number[], t0: number, topic?: Topic) => Promise<Answer>,
  contexts?: readonly (AskContext | undefined)[],
  resolve?: (earlier: string, followUp: string) => FollowUp,
): Promise<Answer[]> {
  const t0 = performance.now();
  const followUps = raw.map((q, i) => {
    const earlier = contexts?.[i]?.earlier;
    return earlier && resolve ? resolve(normalizeQuestion(earlier), normalizeQuestion(q)) : undefined;
  });
  const questions = raw.map((q, i) => followUps[i]?.question ?? normalizeQuestion(q));
  const real = questions.filter(hasWords);
  const qvecs = real.length ? await embedder.embed(real, { query: true }) : [];
  let k = 0;
  return Promise.all(
    questions.map((q, i) => (hasWords(q) ? answerOne(q, qvecs[k++]!, t0, followUps[i]?.topic) : emptyAnswer(q, t0))),
  );
}

/** A follow-up resolved against the first of these focus tables that names whom the earlier question asked about. */
export function followUpResolver(stats: readonly LexStats[]): (earlier: string, followUp: string) => FollowUp {
  return (earlier, followUp) => {
    let last: FollowUp | undefined;
    for (const s of stats) {
      last = resolveFollowUp(s.focus, earlier, followUp);
      if (last.standalone || last.question !== followUp || last.topic) return last;
    }
    return last ?? { question: followUp, standalone: true };
  };
}

/**
 * An engine over an index already in memory. It answers as the base collection: a lookup that
 * names the server's collection finds nothing here (a server's engine is composite.ts).
 */
/** The index's similarities on the policy's calibrated scale (as they are, where the index measured none). */
const similarityOf = (index: LoadedIndex, policy: AnswerPolicy) =>
  index.manifest.scale ? rescale(index.manifest.scale, policy.scale) : undefined;

/**
 * `createEngine`, its statistics worked out a step at a time (`lexStatsAsync`): for a process
 * that answers while it opens a new generation.
 */
export async function createEngineAsync(
  index: LoadedIndex,
  embedder: Embedder,
  policy: AnswerPolicy,
): Promise<ReturnType<typeof createEngine>> {
  return createEngine(index, embedder, policy, await lexStatsAsync(index, similarityOf(index, policy)));
}

export function createEngine(
  index: LoadedIndex,
  embedder: Embedder,
  policy: AnswerPolicy,
  /** Worked out already (`createEngineAsync`). */
  worked?: LexStats,
): Engine & { index: LoadedIndex; stats: LexStats; embedder: Embedder; policy: AnswerPolicy } {
  const stats = worked ?? lexStats(index, similarityOf(index, policy), parseStatsData(index.stats, index));
  // Parsed once: the stored text is not kept in memory beside what was made of it.
  delete index.stats;
  const docById = index.byId;
  const chunkCount = new Map<string, number>();
  for (const c of index.chunks) chunkCount.set(c.doc, (chunkCount.get(c.doc) ?? 0) + 1);
  const parts = [{ index, stats }];
  const answerOne = (q: string, v: number[], t: number, topic?: Topic) => answerFrom(parts, policy, q, v, t, topic);
  const resolve = followUpResolver([stats]);
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
    ask: async (question) => (await askAll(embedder, [question], answerOne))[0]!,
    askMany: (questions, contexts) => askAll(embedder, questions, answerOne, contexts, resolve),
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
/** A quote of a document with a web address carries it (`ask --json`, the links of Discord's source list). */
function withUrl<T extends PassageHit>(hit: T, url: string | undefined): T {
  return url ? { ...hit, url } : hit;
}

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
