/**
 * A page as units: lines joined into paragraphs (hard-wrapped text rejoined), grouped into
 * blocks by blank lines, each described (prose or not, how much UI vocabulary, junk or not).
 */
import type { Span } from '../../core/types.js';
import { FIRST_SECOND_PERSON } from '../../text/english.js';
import { withoutQuotations } from '../../text/quotation.js';
import { endsSentence, maxOf } from './linear.js';
import {
  UI_PATTERNS,
  STRONG_UI_PATTERNS,
  CREDIT,
  CAPTION,
  ENDS_SENTENCE,
  TEASER,
  BYLINE,
  LIST_ITEM,
  MD_HEADING,
} from './patterns.js';

export interface Unit extends Span {
  /** Lines separated by blank lines belong to different blocks. */
  block: number;
  /** The lines the unit is made of. */
  lines: Span[];
  text: string;
  words: number;
  prose: boolean;
  ui: number;
  junk: boolean;
  /** Part of a module, story list or poll, or a photo credit: furniture whatever its shape. */
  boxed?: boolean;
}

/**
 * Splits the text into paragraph units: one per line, except that hard-wrapped lines
 * (a line without a sentence end followed by one starting in lower case) are joined.
 */
export function toUnits(text: string): Unit[] {
  const units: Unit[] = [];
  let prev: Unit | null = null;
  let block = 0;
  let offset = 0;
  for (const raw of text.split('\n')) {
    const span = trimSpan(text, offset, offset + raw.length);
    offset += raw.length + 1;
    if (span.start === span.end) {
      // A blank line ends a paragraph, and a block of lines.
      if (prev) block++;
      prev = null;
      continue;
    }
    const line = text.slice(span.start, span.end);
    // (A byline in lower case, "by: Name", starts a line of its own.)
    if (prev && !endsSentence(text, prev.start, prev.end) && /^\p{Ll}/u.test(line) && !BYLINE.test(line)) {
      prev.end = span.end;
      prev.lines.push(span);
      continue;
    }
    const unit = { ...span, block, lines: [span] } as Unit;
    units.push(unit);
    prev = unit;
  }
  const joined = joinWrapped(units, text);
  for (const u of joined) describe(u, text);
  return joined;
}

/**
 * A block of lines that all run to about the same width, most of them stopping mid-sentence,
 * is one paragraph hard-wrapped at that width, even where a line starts with a capital or a digit.
 */
export function joinWrapped(units: Unit[], text: string): Unit[] {
  const out: Unit[] = [];
  for (const group of blocks(units)) {
    const lines = group.flatMap((u) => u.lines);
    const widths = lines.map((l) => l.end - l.start);
    const max = maxOf(widths);
    const inner = lines.slice(0, -1);
    const wrapped =
      lines.length > 2 &&
      max >= 50 &&
      max <= 100 &&
      inner.every((l) => l.end - l.start >= 0.6 * max) &&
      // Wrapping breaks a line only where the next word would not have fitted.
      inner.every((l, k) => l.end - l.start + 1 + firstWord(text, lines[k + 1]!) > max) &&
      inner.filter((l) => ENDS_SENTENCE.test(text.slice(l.start, l.end))).length <= inner.length / 2;
    if (wrapped) out.push({ ...group[0]!, end: group[group.length - 1]!.end, lines });
    else out.push(...group);
  }
  return out;
}

export function firstWord(text: string, line: Span): number {
  return text.slice(line.start, line.end).split(/\s/)[0]!.length;
}

/** Units grouped by block (runs of lines between blank lines). */
export function blocks(units: Unit[]): Unit[][] {
  const out: Unit[][] = [];
  for (const u of units) {
    const last = out[out.length - 1];
    if (last && last[0]!.block === u.block) last.push(u);
    else out.push([u]);
  }
  return out;
}

/** How much a line reads like page furniture: one point per UI pattern it matches, two per strong one. */
export function uiScore(text: string): number {
  return (
    UI_PATTERNS.reduce((n, re) => n + (re.test(text) ? 1 : 0), 0) +
    STRONG_UI_PATTERNS.reduce((n, re) => n + (re.test(text) ? 2 : 0), 0)
  );
}

export function describe(u: Unit, text: string): void {
  u.text = text.slice(u.start, u.end);
  u.words = (u.text.match(/[\p{L}\p{N}][\p{L}\p{N}'’.\-]*/gu) ?? []).length;
  u.ui = uiScore(u.text);
  const firstLetter = u.text.match(/[\p{L}\p{N}]/u)?.[0] ?? '';
  const teaser = TEASER.test(u.text);
  // A paragraph starts with a capital or a digit: "…and then" is a fragment.
  const startsLower = firstLetter !== firstLetter.toUpperCase();
  // A sentence that leads into a list ("… the following advice:") is prose too.
  const leadIn = u.words >= 6 && /:$/.test(u.text);
  u.prose =
    u.words >= 4 && (ENDS_SENTENCE.test(u.text) || leadIn) && !teaser && !startsLower && !MD_HEADING.test(u.text);
  // A furniture phrase in the writer's or the reader's voice ("consider becoming a subscriber to support my work").
  const furniture = u.ui >= 2 || (u.ui >= 1 && (u.words < 15 || personal(u.text)));
  const shortListItem = LIST_ITEM.test(u.text) && u.words < 12;
  u.junk = !u.prose || teaser || furniture || CREDIT.test(u.text) || CAPTION.test(u.text) || shortListItem;
}

/** A caption sits on the line right above its credit ("…on Tuesday.\nPhotograph: Name/Agency"). */

export function trimSpan(text: string, start: number, end: number): Span {
  while (start < end && /\s/u.test(text[start]!)) start++;
  while (end > start && /\s/u.test(text[end - 1]!)) end--;
  return { start, end };
}

/** Lower-case words only, single-spaced: text compared whatever its quotes and punctuation. */
export function words(s: string): string {
  return (s.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).join(' ');
}

export function normalize(s: string): string {
  return s.toLowerCase().replace(/\s+/g, ' ').trim();
}

/** The text speaks to the reader or for the writer outside its quotations. */
export const personal = (text: string) => FIRST_SECOND_PERSON.test(withoutQuotations(text, ' '));

/** A story's headline in a list of teasers: a capitalised (or numbered) line of a few words with no closing punctuation. */
export function teaserHeadline(line: string): boolean {
  const n = wordsIn(line);
  return /^(?:\d+\.\s+)?[\p{Lu}\p{N}]/u.test(line) && !/\p{P}$/u.test(line) && n >= 4 && n <= 20;
}
export const wordsIn = (line: string) => line.split(/\s+/).length;
