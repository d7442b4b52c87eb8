/**
 * The passage around a scored sentence: 1–3 consecutive sentences of one document that read on
 * their own. It starts as the sentence and grows by the rules below, each a named predicate,
 * tried in order; a passage never passes three sentences, and neighbours count only when nothing
 * but white space separates them, so a passage never swallows skipped junk.
 */
import { SPEECH_VERB } from '../text/english.js';
import {
  OPENS_QUOTATION,
  PRONOUN_ATTRIBUTION,
  PRONOUN_SAYS,
  PRONOUN_START,
  hasQuotation,
  quoteBalance,
  withoutQuotations,
} from '../text/quotation.js';
import { type LoadedIndex } from '../index/types.js';

export const MAX_PASSAGE_SENTENCES = 3;

/** Sentences lo..hi of the index (inclusive), and the offsets of their text. */
export interface Passage {
  start: number;
  end: number;
  lo: number;
  hi: number;
}

/** The growing window and what the rules may ask of the document around it. */
interface Grow {
  lo: number;
  hi: number;
  /** The sentence's text. */
  slice(i: number): string;
  /** The window's text. */
  passage(): string;
  /** Neighbours in the same paragraph; `across` also allows the next paragraph (news puts quotes in their own). */
  adjacent(a: number, b: number, across?: boolean): boolean;
  /** The paragraph (chunk) number of a sentence. */
  paragraph(i: number): number;
  /** The document's first sentence. */
  first(i: number): boolean;
  /** Sentences in which the person whose words the question asks for speaks. */
  voiced?: Set<number>;
}

const room = (g: Grow) => g.hi - g.lo + 1 < MAX_PASSAGE_SENTENCES;

/** Who is speaking, or who "he" is: the sentence opens on a pronoun or a pronoun's attribution. */
const pointsBack = (g: Grow) =>
  room(g) &&
  g.adjacent(g.lo - 1, g.lo, true) &&
  (PRONOUN_START.test(g.slice(g.lo)) || PRONOUN_ATTRIBUTION.test(g.slice(g.lo)));

/** Quoted words without a speaker: the attribution is in a neighbour. */
const quotedWithoutSpeaker = (g: Grow) =>
  room(g) && hasQuotation(g.passage()) && !SPEECH_VERB.test(withoutQuotations(g.passage()));

/** The speaker goes on in a new sentence that is all quotation: keep the quotation whole. */
const quotationGoesOn = (g: Grow) =>
  room(g) &&
  g.adjacent(g.hi, g.hi + 1) &&
  hasQuotation(g.passage()) &&
  OPENS_QUOTATION.test(g.slice(g.hi + 1)) &&
  !SPEECH_VERB.test(withoutQuotations(g.slice(g.hi + 1)));

/** A lead-in whose quotation follows ("X said:" here, or `“…,” he said.` next). */
const leadsIntoQuotation = (g: Grow) =>
  room(g) &&
  g.adjacent(g.hi, g.hi + 1, true) &&
  (/:["”’]?$/.test(g.slice(g.hi)) || PRONOUN_ATTRIBUTION.test(g.slice(g.hi + 1)));

/** Reported speech without the words themselves, and the quotation follows. */
const reportsThenQuotes = (g: Grow) =>
  room(g) &&
  g.lo === g.hi &&
  g.adjacent(g.hi, g.hi + 1) &&
  SPEECH_VERB.test(g.slice(g.hi)) &&
  !hasQuotation(g.slice(g.hi)) &&
  OPENS_QUOTATION.test(g.slice(g.hi + 1));

/** The next sentence goes on with what "he" or "she" said ("She said the group had…"). */
const pronounSaysNext = (g: Grow) =>
  room(g) && g.lo === g.hi && g.adjacent(g.hi, g.hi + 1) && PRONOUN_SAYS.test(g.slice(g.hi + 1));

/** The question asks what someone said and the passage leads up to it: their words follow. */
const askedWordsNext = (g: Grow) => room(g) && g.adjacent(g.hi, g.hi + 1, true) && !!g.voiced?.has(g.hi + 1);

/**
 * An article's lead (its first paragraph, one sentence, maybe after the headline) sums up; the
 * paragraph after it gives the detail asked for: who, how many, which court.
 */
const leadBeforeDetail = (g: Grow) =>
  room(g) &&
  g.lo === g.hi &&
  g.adjacent(g.hi, g.hi + 1, true) &&
  g.paragraph(g.hi + 1) !== g.paragraph(g.hi) &&
  (g.first(g.lo) || (g.first(g.lo - 1) && g.paragraph(g.lo - 1) !== g.paragraph(g.lo)));

/** Takes every following sentence that carries on the quotation. */
function takeQuotationGoingOn(g: Grow): void {
  while (quotationGoesOn(g)) g.hi++;
}

/**
 * The sentence, grown (to at most three sentences) so that it reads on its own: a quotation is
 * kept whole, a quote keeps its speaker, a sentence that points back with a pronoun keeps the
 * sentence it points to; then what is asked is reached (the asked person's words, the detail
 * after an article's lead).
 */
export function passageAround(index: LoadedIndex, sentence: number, voiced?: Set<number>): Passage {
  const doc = index.chunks[index.sentences[sentence]!.chunk]!.doc;
  const text = index.byId.get(doc)!.text;
  const at = (i: number) => index.sentences[i]!;
  const chunkOf = (i: number) => index.chunks[at(i).chunk]!;
  const g: Grow = {
    lo: sentence,
    hi: sentence,
    voiced,
    slice: (i) => text.slice(at(i).start, at(i).end),
    passage: () => text.slice(at(g.lo).start, at(g.hi).end),
    adjacent: (a, b, across = false) =>
      a >= 0 &&
      b < index.sentences.length &&
      chunkOf(a).doc === doc &&
      chunkOf(b).doc === doc &&
      (chunkOf(a).paragraph === chunkOf(b).paragraph || (across && !/\S/.test(text.slice(at(a).end, at(b).start)))),
    paragraph: (i) => chunkOf(i).paragraph,
    first: (i) => i === 0 || chunkOf(i - 1).doc !== doc,
  };

  // Inside a quotation that opened earlier: go back to where it opens.
  while (room(g) && g.adjacent(g.lo - 1, g.lo) && quoteBalance(g.slice(g.lo)) < 0) g.lo--;
  // A quotation that does not close here: go on until it does.
  let open = 0;
  for (let i = g.lo; i <= g.hi; i++) open += quoteBalance(g.slice(i));
  while (room(g) && g.adjacent(g.hi, g.hi + 1) && open > 0) open += quoteBalance(g.slice(++g.hi));

  if (pointsBack(g)) g.lo--;
  else if (quotedWithoutSpeaker(g)) {
    if (g.adjacent(g.hi, g.hi + 1) && SPEECH_VERB.test(g.slice(g.hi + 1))) g.hi++;
    else if (g.adjacent(g.lo - 1, g.lo) && SPEECH_VERB.test(g.slice(g.lo - 1))) g.lo--;
  }
  takeQuotationGoingOn(g);

  // The lead names the speaker, the words follow: take the quotation and what it goes on to say.
  if (leadsIntoQuotation(g) || reportsThenQuotes(g)) {
    g.hi++;
    takeQuotationGoingOn(g);
  } else if (pronounSaysNext(g)) g.hi++;

  if (askedWordsNext(g) || leadBeforeDetail(g)) g.hi++;
  return { start: at(g.lo).start, end: at(g.hi).end, lo: g.lo, hi: g.hi };
}
