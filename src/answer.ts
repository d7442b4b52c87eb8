import type { LoadedIndex } from './index/read.js';
import type { Retrieval, Weights } from './retrieve.js';
import type { Citation, NearDoc } from './types.js';
import { terms } from './lexical.js';

/**
 * Composes an answer from retrieved sentences: 1–3 passages of 1–3 consecutive sentences,
 * each an exact slice of its document, ordered by relevance, without repeats. A passage
 * grows only to stay readable: a quotation is kept whole, and a quote whose speaker is
 * named in the next or previous sentence keeps that attribution.
 */

export interface AnswerPolicy {
  /** How sentences are scored. */
  weights: Weights;
  /** Refuse when the best sentence scores below this. */
  threshold: number;
  /** Further passages must score at least this fraction of the best one. */
  followRatio: number;
  maxPassages: number;
}

export interface Composed {
  answered: boolean;
  citations: Citation[];
  closest: NearDoc[];
  confidence: number;
}

const SPEECH = /\b(?:said|says|told|tells|added|adds|stated|states|wrote|writes|asked|insisted|argued|noted|warned|explained|declared|continued|responded|replied|claimed|announced|stressed|remarked|acknowledged|admitted|emphasi[sz]ed|urged|according to)\b/i;
const MAX_PASSAGE_SENTENCES = 3;

export function compose(index: LoadedIndex, retrieval: Retrieval, policy: AnswerPolicy): Composed {
  const top = retrieval.sentences[0];
  const confidence = top ? top.score : 0;
  if (!top || confidence < policy.threshold) {
    return { answered: false, citations: [], closest: closestDocs(index, retrieval), confidence };
  }
  const taken: { doc: string; start: number; end: number; terms: Set<string> }[] = [];
  const citations: Citation[] = [];
  for (const hit of retrieval.sentences) {
    if (citations.length >= policy.maxPassages) break;
    if (citations.length > 0 && hit.score < top.score * policy.followRatio) break;
    const doc = index.docs.find((d) => d.id === hit.doc)!;
    const span = passageAround(index, hit.sentence);
    if (taken.some((t) => t.doc === hit.doc && t.start < span.end && span.start < t.end)) continue;
    const quote = doc.text.slice(span.start, span.end);
    const quoteTerms = new Set(terms(quote));
    // The same words quoted by two outlets add nothing.
    if (taken.some((t) => jaccard(t.terms, quoteTerms) > 0.6)) continue;
    taken.push({ doc: hit.doc, ...span, terms: quoteTerms });
    citations.push({ n: citations.length + 1, doc: hit.doc, title: doc.title, quote, start: span.start, end: span.end, score: round(hit.score) });
  }
  return { answered: true, citations, closest: [], confidence };
}

/** The sentence, grown to keep a quotation whole and its speaker named. */
function passageAround(index: LoadedIndex, sentence: number): { start: number; end: number } {
  const s = index.sentences[sentence]!;
  const para = paragraphSentences(index, sentence);
  const text = index.docs.find((d) => d.id === index.chunks[s.chunk]!.doc)!.text;
  const slice = (i: number) => text.slice(para[i]!.start, para[i]!.end);
  let lo = para.findIndex((p) => p.start === s.start);
  let hi = lo;
  const size = () => hi - lo + 1;

  // Inside a quotation that opened earlier: go back to where it opens.
  while (size() < MAX_PASSAGE_SENTENCES && lo > 0 && quoteBalance(slice(lo)) < 0) lo--;
  // A quotation that does not close here: go on until it does.
  let open = 0;
  for (let i = lo; i <= hi; i++) open += quoteBalance(slice(i));
  while (size() < MAX_PASSAGE_SENTENCES && hi + 1 < para.length && open > 0) open += quoteBalance(slice(++hi));

  const passage = () => text.slice(para[lo]!.start, para[hi]!.end);
  if (hasQuotation(passage()) && !SPEECH.test(passage().replace(/[“"][^”"]*[”"]/g, ''))) {
    // Quoted words without a speaker: take the attribution from a neighbour.
    if (size() < MAX_PASSAGE_SENTENCES && hi + 1 < para.length && SPEECH.test(slice(hi + 1))) hi++;
    else if (size() < MAX_PASSAGE_SENTENCES && lo > 0 && SPEECH.test(slice(lo - 1))) lo--;
  }
  return { start: para[lo]!.start, end: para[hi]!.end };
}

/** The sentences of the paragraph that holds `sentence` (chunks never cross paragraphs). */
function paragraphSentences(index: LoadedIndex, sentence: number): { start: number; end: number }[] {
  const chunk = index.chunks[index.sentences[sentence]!.chunk]!;
  return index.chunks.filter((c) => c.doc === chunk.doc && c.paragraph === chunk.paragraph).flatMap((c) => c.sentences);
}

/** Opening minus closing double quotes; straight quotes count as opening at a word start. */
function quoteBalance(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === '“') n++;
    else if (ch === '”') n--;
    else if (ch === '"') n += i === 0 || /[\s(\[—–-]/.test(s[i - 1]!) ? 1 : -1;
  }
  return n;
}

function hasQuotation(s: string): boolean {
  return /[“”"]/.test(s);
}

function closestDocs(index: LoadedIndex, retrieval: Retrieval): NearDoc[] {
  const best = new Map<string, number>();
  for (const h of retrieval.sentences) best.set(h.doc, Math.max(best.get(h.doc) ?? -Infinity, h.score));
  return [...best.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([doc, score]) => ({ doc, title: index.docs.find((d) => d.id === doc)!.title, score: round(score) }));
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
