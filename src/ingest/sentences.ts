import type { Span } from '../core/types.js';
import { ABBREVIATION_AT_END } from '../text/english.js';

const segmenter = new Intl.Segmenter('en', { granularity: 'sentence' });

/** Fragments this short are glued to their neighbour: `He said “No.` + `Never.”`. */
const MIN_WORDS = 3;

/** Sentences of `text` inside `span`, as trimmed [start, end) offsets into `text`. */
export function splitSentences(text: string, span: Span): Span[] {
  // A line break inside a paragraph is a hard wrap, not a sentence end (ICU breaks there):
  // segment a same-length copy with spaces, so offsets still point into the original.
  const part = text.slice(span.start, span.end).replace(/[\r\n]/g, ' ');
  const out: Span[] = [];
  for (const seg of segmenter.segment(part)) {
    let start = span.start + seg.index;
    let end = start + seg.segment.length;
    while (start < end && /\s/u.test(text[start]!)) start++;
    while (end > start && /\s/u.test(text[end - 1]!)) end--;
    if (start === end) continue;
    const prev = out[out.length - 1];
    const prevText = prev ? text.slice(prev.start, prev.end) : '';
    const segText = text.slice(start, end);
    // An ellipsis inside a sentence marks an elision, not an end. A short fragment joins the
    // sentence before it, unless it ends with an abbreviation ("Mr."): then it opens the next one.
    if (
      prev &&
      (ABBREVIATION_AT_END.test(prevText) ||
        /(?:\.\.\.|…)$/u.test(prevText) ||
        (wordCount(segText) < MIN_WORDS && !ABBREVIATION_AT_END.test(segText)))
    ) {
      prev.end = end;
      continue;
    }
    out.push({ start, end });
  }
  // A short first fragment is glued forward.
  if (out.length > 1 && wordCount(text.slice(out[0]!.start, out[0]!.end)) < MIN_WORDS) {
    out[1]!.start = out[0]!.start;
    out.shift();
  }
  return out;
}

export function wordCount(s: string): number {
  return (s.match(/[\p{L}\p{N}]+/gu) ?? []).length;
}
