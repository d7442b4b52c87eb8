/**
 * Sentence splitting: ICU's sentence breaks (Intl.Segmenter), then the repairs ICU needs for news
 * text (abbreviations, elisions, short fragments), then a cap on length. Linear in the text's
 * length whatever it holds: V8's segmenter costs time in proportion to the string it was given
 * for every segment it returns, so long paragraphs are segmented through bounded windows (see
 * `segments`), every test on a growing sentence looks only at its last characters, and no
 * sentence is longer than MAX_SENTENCE_CHARS.
 */
import type { Span } from '../core/types.js';
import { ABBREVIATION_AT_END } from '../text/english.js';

const segmenter = new Intl.Segmenter('en', { granularity: 'sentence' });

const ELLIPSIS = /(?:\.\.\.|…)$/u;
/** Longer than any match of ABBREVIATION_AT_END or ELLIPSIS that ends a string: testing this many last characters is testing the whole. */
const TAIL = 32;

/** Fragments this short are glued to their neighbour: `He said “No.` + `Never.”`. */
const MIN_WORDS = 3;

/**
 * No sentence is longer (a quote, a chunk and an embedding stay bounded): a longer one (a page
 * with no full stops, a run of "A. " glued as abbreviations) is cut at the last space before the
 * limit. Above the longest sentence of any real collection seen (2,525 characters).
 */
export const MAX_SENTENCE_CHARS = 3000;

/**
 * Paragraphs up to this long go to the segmenter whole; longer ones in windows this long, each
 * starting at a break already found. A break is taken from a window only when at least
 * WINDOW_MARGIN characters follow it there, far more than ICU looks ahead to place a break
 * (to the next letter after a terminator), so the breaks are those of the whole paragraph.
 */
const WINDOW = 2048;
const WINDOW_MARGIN = 512;

/**
 * Sentences of `text` inside `span`, as trimmed [start, end) offsets into `text`. (`window`: the
 * segmenter's window, for tests: any size gives the same sentences.)
 */
export function splitSentences(text: string, span: Span, window = WINDOW): Span[] {
  // A line break inside a paragraph is a hard wrap, not a sentence end (ICU breaks there):
  // segment a same-length copy with spaces, so offsets still point into the original.
  const part = text.slice(span.start, span.end).replace(/[\r\n]/g, ' ');
  const out: Span[] = [];
  for (const seg of segments(part, window)) {
    let start = span.start + seg.start;
    let end = span.start + seg.end;
    while (start < end && /\s/u.test(text[start]!)) start++;
    while (end > start && /\s/u.test(text[end - 1]!)) end--;
    if (start === end) continue;
    const prev = out[out.length - 1];
    // An ellipsis inside a sentence marks an elision, not an end. A short fragment joins the
    // sentence before it, unless it ends with an abbreviation ("Mr."): then it opens the next one.
    if (
      prev &&
      (endsWith(ABBREVIATION_AT_END, text, prev) ||
        endsWith(ELLIPSIS, text, prev) ||
        (fewerWords(text, start, end, MIN_WORDS) && !endsWith(ABBREVIATION_AT_END, text, { start, end })))
    ) {
      prev.end = end;
      continue;
    }
    out.push({ start, end });
  }
  // A short first fragment is glued forward.
  if (out.length > 1 && fewerWords(text, out[0]!.start, out[0]!.end, MIN_WORDS)) {
    out[1]!.start = out[0]!.start;
    out.shift();
  }
  return out.flatMap((s) => capLength(text, s, MAX_SENTENCE_CHARS));
}

export function wordCount(s: string): number {
  return (s.match(/[\p{L}\p{N}]+/gu) ?? []).length;
}

/** ICU's sentence segments of `part` ([start, end) into it), through bounded windows. */
function* segments(part: string, window: number): Generator<Span> {
  const margin = Math.min(WINDOW_MARGIN, Math.floor(window / 2));
  let pos = 0;
  let size = window;
  while (pos < part.length) {
    const last = pos + size >= part.length;
    const piece = last ? part.slice(pos) : part.slice(pos, pos + size);
    const grown = size > window;
    let taken = 0;
    for (const seg of segmenter.segment(piece)) {
      const end = seg.index + seg.segment.length;
      if (!last && end > piece.length - margin) break;
      yield { start: pos + seg.index, end: pos + end };
      taken = end;
      if (grown) break;
    }
    if (taken > 0) {
      pos += taken;
      size = window;
    } else {
      // One sentence longer than the window: a window twice as long (only its first segment is
      // taken, then small windows again), so finding it costs its own length, not the paragraph's.
      size *= 2;
    }
  }
}

/** True when `re` (a pattern anchored at the end) matches the text of `span`; only its last characters are read. */
function endsWith(re: RegExp, text: string, span: Span): boolean {
  return re.test(text.slice(Math.max(span.start, span.end - TAIL), span.end));
}

/** True when text[start, end) has fewer than `n` words (`wordCount` without counting past `n`). */
function fewerWords(text: string, start: number, end: number, n: number): boolean {
  const word = /[\p{L}\p{N}]+/gu;
  const s = text.slice(start, end);
  let count = 0;
  while (word.exec(s)) if (++count >= n) return false;
  return true;
}

/** `s` cut into trimmed pieces of at most `max` characters, each at the last white space before the limit. */
function capLength(text: string, s: Span, max: number): Span[] {
  if (s.end - s.start <= max) return [s];
  const pieces: Span[] = [];
  let start = s.start;
  while (s.end - start > max) {
    let cut = start + max;
    const floor = start + Math.floor(max / 2);
    while (cut > floor && !/\s/u.test(text[cut]!)) cut--;
    if (cut === floor) cut = start + max; // no space in the second half: cut inside the word
    // Never between the two halves of a surrogate pair.
    if (/[\uD800-\uDBFF]/.test(text[cut - 1]!)) cut--;
    let end = cut;
    while (end > start && /\s/u.test(text[end - 1]!)) end--;
    if (end > start) pieces.push({ start, end });
    start = cut;
    while (start < s.end && /\s/u.test(text[start]!)) start++;
  }
  if (start < s.end) pieces.push({ start, end: s.end });
  return pieces;
}
