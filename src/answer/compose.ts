import type { Retrieval, SentenceHit, Weights } from '../retrieve/score.js';
import type { Citation, CollectionKind, NearDoc } from '../core/types.js';
import { terms } from '../text/terms.js';
import { MAX_PASSAGE_SENTENCES, passageAround, type Passage } from './passage.js';
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

/** One index's retrieval for a question, and the collection its documents are in (answers over several collections). */
export interface ComposePart {
  index: LoadedIndex;
  retrieval: Retrieval;
  collection?: CollectionKind;
  /** The index's stemmed terms per sentence (retrieve/stats.ts): a passage's terms are read from them, not tokenised again. */
  sentenceTerms?: readonly ReadonlySet<string>[];
}

export function compose(index: LoadedIndex, retrieval: Retrieval, policy: AnswerPolicy): Composed {
  return composeParts([{ index, retrieval }], policy);
}

/**
 * An answer from the sentence hits of several indexes ranked as one list (each scored against its
 * own index's statistics): one refusal threshold, one follow ratio, `maxPassages` over the merged
 * list. With one part the list is that part's own, so the answer is exactly `compose`'s.
 */
export function composeParts(parts: readonly ComposePart[], policy: AnswerPolicy): Composed {
  // Each part's hits are sorted already; a stable sort keeps their order on equal scores.
  const hits = parts
    .flatMap((p, part) => p.retrieval.sentences.map((hit) => ({ hit, part })))
    .sort((a, b) => b.hit.score - a.hit.score);
  const top = hits[0]?.hit;
  const confidence = top ? top.score : 0;
  // The evidence is the top hit's own index's: the merged top is the first hit of its part.
  if (!top || confidence < policy.threshold || refusedForEvidence(parts[hits[0]!.part]!.retrieval, policy)) {
    return { answered: false, citations: [], closest: closestDocs(parts, hits), confidence };
  }
  const taken: {
    part: number;
    doc: string;
    start: number;
    end: number;
    lo: number;
    hi: number;
    terms: ReadonlySet<string>;
  }[] = [];
  const citations: Citation[] = [];
  for (const { hit, part } of hits) {
    if (citations.length >= policy.maxPassages) break;
    // Further passages must be close to the best one and strong enough to answer on their own.
    if (citations.length > 0 && hit.score < Math.max(top.score * policy.followRatio, policy.threshold)) break;
    const { index, retrieval, collection, sentenceTerms } = parts[part]!;
    const doc = index.byId.get(hit.doc)!;
    const span = passageAround(index, hit.sentence, retrieval.voiced);
    const same = (t: (typeof taken)[number]) => t.part === part && t.doc === hit.doc;
    // Overlapping a passage already cited, next to it, or one sentence away with nothing skipped between: one passage reads better.
    const beside = taken.findIndex(
      (t) =>
        same(t) &&
        t.hi + 1 + JOIN_GAP >= span.lo &&
        span.hi + 1 + JOIN_GAP >= t.lo &&
        Math.max(t.hi, span.hi) - Math.min(t.lo, span.lo) < MAX_PASSAGE_SENTENCES &&
        contiguous(index, doc.text, Math.min(t.hi, span.hi), Math.max(t.lo, span.lo)),
    );
    if (beside < 0 && taken.some((t) => same(t) && t.start < span.end && span.start < t.end)) continue;
    if (beside >= 0) {
      const t = taken[beside]!;
      Object.assign(t, { lo: Math.min(t.lo, span.lo), hi: Math.max(t.hi, span.hi) });
      Object.assign(t, { start: index.sentences[t.lo]!.start, end: index.sentences[t.hi]!.end });
      citations[beside] = { ...citations[beside]!, quote: doc.text.slice(t.start, t.end), start: t.start, end: t.end };
      continue;
    }
    const quote = doc.text.slice(span.start, span.end);
    const quoteTerms = passageTerms(index, doc.text, span, sentenceTerms);
    // The same words quoted by two outlets add nothing.
    if (taken.some((t) => jaccard(t.terms, quoteTerms) > 0.6)) continue;
    taken.push({ part, doc: hit.doc, ...span, terms: quoteTerms });
    citations.push({
      n: citations.length + 1,
      doc: hit.doc,
      title: doc.title,
      quote,
      start: span.start,
      end: span.end,
      score: round(hit.score),
      ...(collection && { collection }),
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

function closestDocs(parts: readonly ComposePart[], hits: readonly { hit: SentenceHit; part: number }[]): NearDoc[] {
  const best = new Map<string, { part: number; doc: string; score: number }>();
  for (const { hit: h, part } of hits) {
    const key = `${part}\n${h.doc}`;
    const seen = best.get(key);
    if (seen) seen.score = Math.max(seen.score, h.score);
    else best.set(key, { part, doc: h.doc, score: h.score });
  }
  return [...best.values()]
    .sort((a, b) => b.score - a.score)
    .slice(0, 3)
    .map(({ part, doc, score }) => {
      const { index, collection } = parts[part]!;
      return { doc, title: index.byId.get(doc)!.title, score: round(score), ...(collection && { collection }) };
    });
}

/**
 * The terms of a passage: the union of its sentences' terms when only white space lies between
 * them (no token crosses white space, so that is exactly the terms of its text), else its text
 * tokenised again.
 */
function passageTerms(
  index: LoadedIndex,
  text: string,
  span: Passage,
  sentenceTerms: readonly ReadonlySet<string>[] | undefined,
): Set<string> {
  const gapsBlank = () => {
    for (let i = span.lo; i < span.hi; i++)
      if (!/^\s+$/.test(text.slice(index.sentences[i]!.end, index.sentences[i + 1]!.start))) return false;
    return true;
  };
  if (!sentenceTerms || !gapsBlank()) return new Set(terms(text.slice(span.start, span.end)));
  const out = new Set<string>();
  for (let i = span.lo; i <= span.hi; i++) for (const t of sentenceTerms[i]!) out.add(t);
  return out;
}

function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  let inter = 0;
  for (const t of a) if (b.has(t)) inter++;
  const union = a.size + b.size - inter;
  return union === 0 ? 0 : inter / union;
}

function round(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}
