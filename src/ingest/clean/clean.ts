import type { CleanDocument, Document } from '../../core/types.js';
import { terms } from '../../text/terms.js';
import {
  CREDIT,
  ENDS_SENTENCE,
  TEASER,
  LIST_ITEM,
  MD_HEADING,
  JUNK_LINE_COST,
  STRUCTURE_COST,
  UI_LINE_COST,
  RUN_COST,
} from './patterns.js';
import { personal, teaserHeadline, Unit, toUnits } from './units.js';
import { markCaptions, markModules, markStoryLists, markDuplicates } from './marks.js';
import { findTitle, titleText } from './title.js';
import { outsideSpans, takeStretches } from './linear.js';

/**
 * Cleaning finds the article inside a scraped page without rewriting a character:
 * it returns the spans of the article paragraphs and picks the headline.
 *
 * Every signal is general: sentence shape, length, position, repetition, list shape and
 * the vocabulary of web page furniture (sign-in, cookies, newsletters, sharing). The main
 * body is the stretch of lines with the most prose after charging a cost for each
 * non-prose line (a maximum-sum segment, as in classic body-text extraction), so menus,
 * login prompts and "more stories" lists at either end fall away even when one of their
 * lines happens to be a sentence. Prose past an interruption too long to bridge joins the
 * body when it is about the same thing and does not address the reader.
 */

/** Bump when cleaning changes: the manifest records it and a mismatch forces re-embedding. */
export const CLEANER_VERSION = 22;

/** Finds the article paragraphs and the headline of a scraped page. */
export function cleanDocument(doc: Document): CleanDocument {
  if (doc.format === 'pdf') return cleanLaidOut(doc);
  const units = toUnits(doc.text);
  markDuplicates(units);
  markCaptions(units, doc.text);
  markModules(units);
  markStoryLists(units, doc.text);

  const best = maxSegment(units, 0, units.length);
  // Inside the article, a list of full statements ("Key facts") is content, sentence or not.
  for (let i = best.from + 1; i < best.to; i++) {
    const u = units[i]!;
    if (
      u.junk &&
      !u.boxed &&
      !u.ui &&
      LIST_ITEM.test(u.text) &&
      u.words >= 6 &&
      !TEASER.test(u.text) &&
      !CREDIT.test(u.text)
    )
      u.junk = false;
  }
  let body = best.to >= best.from ? withContinuations(units, best) : [];
  // A page with no prose at all (notes, lists): keep whatever is not furniture.
  if (body.length === 0) body = units.filter((u) => u.words >= 3 && !u.ui && !MD_HEADING.test(u.text));

  const bodyStart = body[0] ? units.indexOf(body[0]) : units.length;
  const bodyEnd = body.length ? units.indexOf(body[body.length - 1]!) : -1;
  const titleUnit = findTitle(units, bodyStart, bodyEnd);
  const paragraphs = body.filter((u) => u !== titleUnit).map(({ start, end }) => ({ start, end }));
  return {
    doc,
    title: doc.meta.title ?? titleText(titleUnit, doc, paragraphs),
    titleSpan: titleUnit ? { start: titleUnit.start, end: titleUnit.end } : null,
    paragraphs,
  };
}

/** A table of contents line: a title, dot leaders, a page number. */
const CONTENTS_LINE = /(?<!\.\s?)(?:\.\s?){4,}\s*\d+$|(?<!…)…{2,}\s*\d+$/u;

/**
 * A PDF is a document, not a scraped page: its furniture (running headers and footers, page
 * numbers) was found from the layout by the extractor and is skipped here. Every other
 * paragraph is kept except headings and labels (lines under a dozen words that end no
 * sentence) and table-of-contents lines. The title: the file's own, else a heading that opens the first page.
 */
function cleanLaidOut(doc: Document): CleanDocument {
  const skip = doc.skip ?? [];
  const units = outsideSpans(toUnits(doc.text), skip);
  const first = units[0];
  const titleUnit =
    first &&
    !doc.meta.title &&
    first.words <= 20 &&
    !ENDS_SENTENCE.test(first.text) &&
    (!doc.pages?.[0] || first.end <= doc.pages[0].end)
      ? first
      : undefined;
  const paragraphs = units
    .filter(
      (u) =>
        u !== titleUnit &&
        /\p{L}/u.test(u.text) &&
        !CONTENTS_LINE.test(u.text) &&
        (ENDS_SENTENCE.test(u.text) || /[:;,]$/.test(u.text) || u.words >= 12),
    )
    .map(({ start, end }) => ({ start, end }));
  return {
    doc,
    title: doc.meta.title ?? titleText(titleUnit, doc, paragraphs),
    titleSpan: titleUnit ? { start: titleUnit.start, end: titleUnit.end } : null,
    paragraphs,
  };
}

/** A stretch of units. */
interface Segment {
  sum: number;
  from: number;
  /** Inclusive; `to < from` is empty. */
  to: number;
}

/** Maximum-sum segment of units[lo, hi): prose lines earn their words, other lines cost a fixed amount. */
function maxSegment(units: Unit[], lo: number, hi: number, values = unitValues(units)): Segment {
  let best = { sum: 0, from: lo, to: lo - 1 };
  let sum = 0;
  let from = lo;
  for (let i = lo; i < hi; i++) {
    const value = values[i]!;
    if (sum <= 0) {
      sum = 0;
      from = i;
    }
    sum += value;
    if (sum > best.sum) best = { sum, from, to: i };
  }
  return best;
}

/** What each unit earns or costs in `maxSegment` (worked out once: continuations search many stretches). */
function unitValues(units: Unit[]): number[] {
  return units.map((u, i) => {
    const structure = !u.ui && (MD_HEADING.test(u.text) || LIST_ITEM.test(u.text));
    const full = u.ui ? UI_LINE_COST : structure ? STRUCTURE_COST : JUNK_LINE_COST;
    return u.junk ? -(i > 0 && units[i - 1]!.junk ? Math.min(full, RUN_COST) : full) : u.words;
  });
}

/**
 * A continuation has at least this many words, and this share of its words are the body's
 * (measured: article continuations 0.33–0.44, publisher blurbs and promos 0.20–0.29).
 */
const CONTINUATION_WORDS = 40;
const CONTINUATION_SHARE = 0.3;

/**
 * The article may go on after an interruption too long to bridge (a poll, a "you might also
 * like" box): a later stretch of prose joins the body when it is about what the body is about.
 */
function withContinuations(units: Unit[], main: Segment): Unit[] {
  const keep = (seg: Segment) => units.slice(seg.from, seg.to + 1).filter((u) => !u.junk);
  const vocab = new Set(keep(main).flatMap((u) => terms(u.text)));
  // The best stretch of prose in a stretch not taken yet, cut at its first junk line:
  // a continuation does not bridge a further interruption of its own.
  const values = unitValues(units);
  const candidate = (gap: Segment): Segment | undefined => {
    const seg = maxSegment(units, gap.from, gap.to + 1, values);
    let to = seg.to;
    for (let i = seg.from + 1; i <= seg.to; i++)
      if (units[i]!.junk) {
        to = i - 1;
        break;
      }
    const found = { from: seg.from, to, sum: units.slice(seg.from, to + 1).reduce((n, u) => n + u.words, 0) };
    return found.sum >= CONTINUATION_WORDS &&
      !underHeadlines(units, found) &&
      continues(units.slice(found.from, found.to + 1), vocab)
      ? found
      : undefined;
  };
  return takeStretches(units.length, main, candidate).flatMap(keep);
}

/**
 * A list of other stories: each blurb sits under its own headline (a capitalised line of a
 * few words with no sentence end), as the line right before it or joined to it.
 */
function underHeadlines(units: Unit[], seg: Segment): boolean {
  for (let i = seg.from; i <= seg.to; i++) {
    const u = units[i]!;
    const before = units[i - 1];
    if (before?.junk && before.block === u.block && teaserHeadline(before.text)) return true;
    if (u.lines.length === 2 && teaserHeadline(u.text.slice(0, u.lines[0]!.end - u.start))) return true;
  }
  return false;
}

/** Reported prose about the body's subject: enough of its words are the body's, and it does not address the reader. */
function continues(stretch: Unit[], vocab: Set<string>): boolean {
  const text = stretch.map((u) => u.text).join(' ');
  if (personal(text)) return false;
  const words = [...new Set(terms(text).filter((t) => !/^\d/.test(t)))];
  return words.filter((t) => vocab.has(t)).length >= CONTINUATION_SHARE * words.length;
}
