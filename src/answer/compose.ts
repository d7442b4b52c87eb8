import type { Retrieval, Weights } from '../retrieve/score.js';
import type { Citation, NearDoc } from '../core/types.js';
import { terms } from '../text/terms.js';
import { MAX_PASSAGE_SENTENCES, passageAround } from './passage.js';
import type { SimilarityScale } from '../embed/scale.js';
import { type LoadedIndex } from '../index/types.js';

/**
 * Composes an answer from retrieved sentences: 1–3 passages of 1–3 consecutive sentences,
 * each an exact slice of its document, ordered by relevance, without repeats. A passage
 * grows only to stay readable or to reach what the question asks: a quotation is kept whole, a
 * quote whose speaker is named in the next or previous sentence keeps that attribution, the
 * asked person's words that follow are taken, and so is the detail after an article's lead.
 */

export interface AnswerPolicy {
  /** How sentences are scored. */
  weights: Weights;
  /** Refuse when the best sentence scores below this. */
  threshold: number;
  /**
   * Refuse, too, when the best sentence holds less than `floor` of what the question asks for
   * beyond its names (src/retrieve/evidence.ts) and scores below `below`: a quote that only
   * shares the question's names is no answer.
   */
  evidence: { floor: number; below: number };
  /** Further passages must score at least this fraction of the best one. */
  followRatio: number;
  maxPassages: number;
  /** The similarity scale of the embedder these numbers were calibrated on. */
  scale: SimilarityScale;
}

export interface Composed {
  answered: boolean;
  citations: Citation[];
  closest: NearDoc[];
  confidence: number;
}

/** Passages this many sentences apart or closer are cited as one (the sentence between reads as context). */
const JOIN_GAP = 1;
/** Sentences a..b (a < b) follow each other with nothing but white space between. */
function contiguous(index: LoadedIndex, text: string, a: number, b: number): boolean {
  for (let i = a; i < b; i++) {
    const x = index.sentences[i]!,
      y = index.sentences[i + 1]!;
    if (index.chunks[x.chunk]!.doc !== index.chunks[y.chunk]!.doc || /\S/.test(text.slice(x.end, y.start)))
      return false;
  }
  return true;
}

export function compose(index: LoadedIndex, retrieval: Retrieval, policy: AnswerPolicy): Composed {
  const top = retrieval.sentences[0];
  const confidence = top ? top.score : 0;
  if (!top || confidence < policy.threshold || refusedForEvidence(retrieval, policy)) {
    return { answered: false, citations: [], closest: closestDocs(index, retrieval), confidence };
  }
  const taken: { doc: string; start: number; end: number; lo: number; hi: number; terms: Set<string> }[] = [];
  const citations: Citation[] = [];
  for (const hit of retrieval.sentences) {
    if (citations.length >= policy.maxPassages) break;
    // Further passages must be close to the best one and strong enough to answer on their own.
    if (citations.length > 0 && hit.score < Math.max(top.score * policy.followRatio, policy.threshold)) break;
    const doc = index.byId.get(hit.doc)!;
    const span = passageAround(index, hit.sentence, retrieval.voiced);
    // Overlapping a passage already cited, next to it, or one sentence away with nothing skipped between: one passage reads better.
    const beside = taken.findIndex(
      (t) =>
        t.doc === hit.doc &&
        t.hi + 1 + JOIN_GAP >= span.lo &&
        span.hi + 1 + JOIN_GAP >= t.lo &&
        Math.max(t.hi, span.hi) - Math.min(t.lo, span.lo) < MAX_PASSAGE_SENTENCES &&
        contiguous(index, doc.text, Math.min(t.hi, span.hi), Math.max(t.lo, span.lo)),
    );
    if (beside < 0 && taken.some((t) => t.doc === hit.doc && t.start < span.end && span.start < t.end)) continue;
    if (beside >= 0) {
      const t = taken[beside]!;
      Object.assign(t, { lo: Math.min(t.lo, span.lo), hi: Math.max(t.hi, span.hi) });
      Object.assign(t, { start: index.sentences[t.lo]!.start, end: index.sentences[t.hi]!.end });
      citations[beside] = { ...citations[beside]!, quote: doc.text.slice(t.start, t.end), start: t.start, end: t.end };
      continue;
    }
    const quote = doc.text.slice(span.start, span.end);
    const quoteTerms = new Set(terms(quote));
    // The same words quoted by two outlets add nothing.
    if (taken.some((t) => jaccard(t.terms, quoteTerms) > 0.6)) continue;
    taken.push({ doc: hit.doc, ...span, terms: quoteTerms });
    citations.push({
      n: citations.length + 1,
      doc: hit.doc,
      title: doc.title,
      quote,
      start: span.start,
      end: span.end,
      score: round(hit.score),
    });
  }
  return { answered: true, citations, closest: [], confidence };
}

/** The best sentence shares the question's names but not what it asks for (and scores too low to outweigh that). */
export function refusedForEvidence(retrieval: Retrieval, policy: AnswerPolicy): boolean {
  const top = retrieval.sentences[0];
  // The score first: the evidence is worked out only where it can decide.
  return (
    !!top &&
    top.score < policy.evidence.below &&
    (retrieval.evidence?.(policy.evidence.floor) ?? 1) < policy.evidence.floor
  );
}

function closestDocs(index: LoadedIndex, retrieval: Retrieval): NearDoc[] {
  const best = new Map<string, number>();
  for (const h of retrieval.sentences) best.set(h.doc, Math.max(best.get(h.doc) ?? -Infinity, h.score));
  return [...best.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([doc, score]) => ({ doc, title: index.byId.get(doc)!.title, score: round(score) }));
}

function jaccard(a: Set<string>, b: Set<string>): number {
  let inter = 0;
  for (const t of a) if (b.has(t)) inter++;
  const union = a.size + b.size - inter;
  return union === 0 ? 0 : inter / union;
}

function round(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}
