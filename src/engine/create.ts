/**
 * An engine over an index already in memory: a question is normalised, embedded, retrieved and
 * composed into an answer (or a refusal); documents, their text and a quote's context are served
 * from the same index. This is the narrow `Engine` interface every edge sees.
 */
import { compose, type AnswerPolicy } from '../answer/compose.js';
import type { Embedder } from '../embed/embedder.js';
import { rescale } from '../embed/scale.js';
import { nearest, retrieve, type Topic } from '../retrieve/score.js';
import { lexStats, type LexStats } from '../retrieve/stats.js';
import { hasWords, normalizeQuestion } from '../text/question.js';
import type { Answer, AskContext, DocInfo, Engine, PassageHit, QuoteContext, Span } from '../core/types.js';
import { resolveFollowUp } from './followup.js';
import { type LoadedIndex } from '../index/types.js';

export type FullEngine = ReturnType<typeof createEngine>;

/** An engine over an index already in memory. */
export function createEngine(
  index: LoadedIndex,
  embedder: Embedder,
  policy: AnswerPolicy,
): Engine & { index: LoadedIndex; stats: LexStats; embedder: Embedder } {
  const stats = lexStats(index, index.manifest.scale ? rescale(index.manifest.scale, policy.scale) : undefined);
  const docById = index.byId;
  const chunkCount = new Map<string, number>();
  for (const c of index.chunks) chunkCount.set(c.doc, (chunkCount.get(c.doc) ?? 0) + 1);

  const answerOne = async (question: string, qvec: number[], t0: number, topic?: Topic): Promise<Answer> => {
    const composed = compose(
      index,
      retrieve(index, stats, question, qvec, policy.weights, await nearest(index, qvec), topic),
      policy,
    );
    return {
      question,
      answered: composed.answered,
      answer: composed.answered
        ? composed.citations.map((c) => `${c.quote.replace(/\s+/g, ' ')} [${c.n}]`).join('\n\n')
        : 'Not found in the sources.',
      citations: composed.citations.map((c) =>
        withUrl(withPage(c, docById.get(c.doc)?.pages), docById.get(c.doc)?.meta.url),
      ),
      closest: composed.closest,
      timings_ms: { total: Math.round((performance.now() - t0) * 10) / 10 },
    };
  };
  const info = (id: string): DocInfo | undefined => {
    const d = docById.get(id);
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

  const askMany = async (raw: string[], contexts?: readonly (AskContext | undefined)[]): Promise<Answer[]> => {
    const t0 = performance.now();
    // A follow-up is asked as resolved against the question it follows; the others exactly as written.
    const followUps = raw.map((q, i) => {
      const earlier = contexts?.[i]?.earlier;
      return earlier ? resolveFollowUp(stats.focus, normalizeQuestion(earlier), normalizeQuestion(q)) : undefined;
    });
    const questions = raw.map((q, i) => followUps[i]?.question ?? normalizeQuestion(q));
    // Only questions with words are embedded; the others are refused without a lookup.
    const real = questions.filter(hasWords);
    const qvecs = real.length ? await embedder.embed(real, { query: true }) : [];
    let k = 0;
    return Promise.all(
      questions.map((q, i) => (hasWords(q) ? answerOne(q, qvecs[k++]!, t0, followUps[i]?.topic) : emptyAnswer(q, t0))),
    );
  };

  return {
    index,
    stats,
    embedder,
    embedderId: embedder.id,
    ask: async (question) => (await askMany([question]))[0]!,
    askMany,
    async search(query, k = 5) {
      const [qvec] = await embedder.embed([query], { query: true });
      const r = retrieve(index, stats, query, qvec!, policy.weights, await nearest(index, qvec!));
      return r.chunks.slice(0, k).map(({ chunk, fused }): PassageHit => {
        const c = index.chunks[chunk]!;
        const d = docById.get(c.doc)!;
        return withPage(
          {
            doc: d.id,
            title: d.title,
            quote: d.text.slice(c.start, c.end),
            start: c.start,
            end: c.end,
            score: Math.round(fused * 1e4) / 1e4,
          },
          d.pages,
        );
      });
    },
    documents: () => index.docs.map((d) => info(d.id)!),
    document: info,
    documentText(doc) {
      const d = docById.get(doc);
      return d && { doc: d.id, text: d.text, ...(d.pages && { pages: d.pages }) };
    },
    context(doc, start, end): QuoteContext | undefined {
      const d = docById.get(doc);
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

/** A quote of a document with a web address carries it (`ask --json`, the links of Discord's source list). */
function withUrl<T extends PassageHit>(hit: T, url: string | undefined): T {
  return url ? { ...hit, url } : hit;
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
