import type { LoadedIndex } from '../index/read.js';
import type { Retrieval, Weights } from '../retrieve/score.js';
import type { Citation, NearDoc } from '../core/types.js';
import { terms } from '../text/terms.js';
import type { SimilarityScale } from '../embed/scale.js';

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

export const SPEECH =
  /\b(?:said|says|told|tells|added|adds|stated|states|wrote|writes|insisted|argued|noted|warned|explained|declared|continued|responded|replied|claimed|announced|stressed|remarked|acknowledged|admitted|emphasi[sz]ed|urged|according to)\b/i;
const MAX_PASSAGE_SENTENCES = 3;
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
  if (!top || confidence < policy.threshold) {
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

/** A quotation attributed to a pronoun (`“…,” he said.`): it needs the sentence that names the speaker. */
const PRONOUN_ATTRIBUTION =
  /["”’]\s*(?:he|she|they|it|we)\s+(?:said|says|added|adds|told|continued|wrote|insisted|argued|noted|warned|explained|declared|stressed)\b|["”’]\s*(?:said|added|continued)\s+(?:he|she)\b/i;
/** The next sentence goes on with what "he" or "she" said: "She said the group had…", "He added that…". */
const SAID_NEXT = new RegExp(`^(?:he|she)\\s+(?:also\\s+|later\\s+|then\\s+)?${SPEECH.source}`, 'i');
/** A sentence that opens on a pronoun refers back to the sentence before it. */
const PRONOUN_START = /^["“‘]?(?:he|she|they|it|his|her|their|its|this|these|those)\b/i;

/**
 * The sentence, grown (to at most three sentences) so that it reads on its own: a
 * quotation is kept whole, a quote keeps its speaker, and a sentence that points back
 * with a pronoun keeps the sentence it points to. `voiced`: sentences in which the person
 * the question asks the words of speaks; the next one is taken. Neighbours count only when nothing but
 * white space separates them, so a passage never swallows skipped junk.
 */
function passageAround(
  index: LoadedIndex,
  sentence: number,
  voiced?: Set<number>,
): { start: number; end: number; lo: number; hi: number } {
  const doc = index.chunks[index.sentences[sentence]!.chunk]!.doc;
  const text = index.byId.get(doc)!.text;
  const at = (i: number) => index.sentences[i]!;
  const slice = (i: number) => text.slice(at(i).start, at(i).end);
  const paragraphOf = (i: number) => index.chunks[at(i).chunk]!;
  /** Neighbours in the same paragraph; `across` also allows the next paragraph (news puts quotes in their own). */
  const adjacent = (a: number, b: number, across = false) =>
    a >= 0 &&
    b < index.sentences.length &&
    paragraphOf(a).doc === doc &&
    paragraphOf(b).doc === doc &&
    (paragraphOf(a).paragraph === paragraphOf(b).paragraph ||
      (across && !/\S/.test(text.slice(at(a).end, at(b).start))));
  /** The document's first sentence. */
  const first = (i: number) => i === 0 || paragraphOf(i - 1).doc !== doc;
  let lo = sentence;
  let hi = sentence;
  const room = () => hi - lo + 1 < MAX_PASSAGE_SENTENCES;

  // Inside a quotation that opened earlier: go back to where it opens.
  while (room() && adjacent(lo - 1, lo) && quoteBalance(slice(lo)) < 0) lo--;
  // A quotation that does not close here: go on until it does.
  let open = 0;
  for (let i = lo; i <= hi; i++) open += quoteBalance(slice(i));
  while (room() && adjacent(hi, hi + 1) && open > 0) open += quoteBalance(slice(++hi));

  const passage = () => text.slice(at(lo).start, at(hi).end);
  // Who is speaking, or who "he" is: the sentence before.
  if (room() && adjacent(lo - 1, lo, true) && (PRONOUN_START.test(slice(lo)) || PRONOUN_ATTRIBUTION.test(slice(lo))))
    lo--;
  // Quoted words without a speaker: the attribution in a neighbour.
  else if (room() && hasQuotation(passage()) && !SPEECH.test(passage().replace(/[“"][^”"]*[”"]/g, ''))) {
    if (adjacent(hi, hi + 1) && SPEECH.test(slice(hi + 1))) hi++;
    else if (adjacent(lo - 1, lo) && SPEECH.test(slice(lo - 1))) lo--;
  }
  // The speaker goes on in a new sentence that is all quotation: keep the quotation whole.
  const goesOn = () => {
    while (
      room() &&
      adjacent(hi, hi + 1) &&
      hasQuotation(passage()) &&
      /^["“]/.test(slice(hi + 1)) &&
      !SPEECH.test(slice(hi + 1).replace(/[“"][^”"]*[”"]/g, ''))
    )
      hi++;
  };
  goesOn();
  // A lead-in whose quotation follows ("X said:" or `“…,” he said.` next): take the quotation,
  // and what the speaker goes on to say after it (the lead names the speaker, the words follow).
  if (room() && adjacent(hi, hi + 1, true) && (/:["”’]?$/.test(slice(hi)) || PRONOUN_ATTRIBUTION.test(slice(hi + 1))))
    (hi++, goesOn());
  // Reported speech without the words themselves, and the quotation follows: take it.
  else if (
    room() &&
    lo === hi &&
    adjacent(hi, hi + 1) &&
    SPEECH.test(slice(hi)) &&
    !hasQuotation(slice(hi)) &&
    /^["“]/.test(slice(hi + 1))
  )
    (hi++, goesOn());
  // The next sentence goes on with what "he" or "she" said ("She said the group had…"): the
  // sentence names the speaker, the words follow.
  else if (room() && lo === hi && adjacent(hi, hi + 1) && SAID_NEXT.test(slice(hi + 1))) hi++;
  // The question asks what someone said and the passage leads up to it: their words follow.
  if (room() && adjacent(hi, hi + 1, true) && voiced?.has(hi + 1)) hi++;
  // An article's lead (its first paragraph, one sentence, maybe after the headline) sums up; the
  // paragraph after it gives the detail asked for: who, how many, which court.
  else if (
    room() &&
    lo === hi &&
    adjacent(hi, hi + 1, true) &&
    paragraphOf(hi + 1).paragraph !== paragraphOf(hi).paragraph &&
    (first(lo) || (first(lo - 1) && paragraphOf(lo - 1).paragraph !== paragraphOf(lo).paragraph))
  )
    hi++;
  return { start: at(lo).start, end: at(hi).end, lo, hi };
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
