/**
 * Linear-time pieces of the cleaner, for the checks that once re-read a growing text or scanned
 * the whole page for every line (quadratic on a 150,000-line file, a page of quotation lines, a
 * run of opening quotes). Each gives exactly the answer of the expression it replaces (named in
 * its comment) on any input; only the time differs, except `repeatsOnPage`, which has a budget.
 */
import type { Span } from '../../core/types.js';
import { withoutQuotations as quotationsOut } from '../../text/quotation.js';

/** Closing quotes and brackets that may follow a sentence's final stop. */
const CLOSERS = new Set(['"', "'", '”', '’', '»', ')', ']']);

/**
 * `/[.!?]["'”’»)\]]*$/u.test(text.slice(start, end))`, reading back from `end` only over the
 * closing marks: a line that keeps growing (hard-wrapped lines joined) is not re-read.
 */
export function endsSentence(text: string, start: number, end: number): boolean {
  let i = end - 1;
  while (i >= start && CLOSERS.has(text[i]!)) i--;
  if (i >= start && (text[i] === '.' || text[i] === '!' || text[i] === '?')) return true;
  // The last closer may itself be preceded by a stop further back only through other closers: none left.
  return false;
}

/** `Math.max(...xs)` without spreading: a block of 150,000 lines would overflow the call stack. */
export function maxOf(xs: readonly number[]): number {
  let m = -Infinity;
  for (const x of xs) if (x > m) m = x;
  return m;
}

/** `text.replace(/[“"][^”"]*[”"]/g, ' ')` in one pass (text/quotation.ts). */
export const withoutQuotations = (text: string): string => quotationsOut(text, ' ');

/**
 * `page.split(sep).length > 2` (two occurrences that do not overlap), for many separators over
 * one page: each call stops at the second occurrence. A page with thousands of quotation lines
 * would scan the page once per line; past `scans` whole-page scans the answer is false
 * (no real page comes near it: its pull quotes are a handful).
 */
export function repeatsOnPage(page: string, scans = 64): (sep: string) => boolean {
  let budget = scans * Math.max(1, page.length);
  return (sep) => {
    if (budget <= 0) return false;
    const first = page.indexOf(sep);
    const second = first < 0 ? -1 : page.indexOf(sep, first + sep.length);
    budget -= second < 0 ? page.length : second + sep.length;
    return second >= 0;
  };
}

/**
 * `units.filter((u) => !skip.some((s) => s.start <= u.start && u.end <= s.end))` in
 * O((units + skip) log skip): a span contains `u` when one starting at or before it ends at or after it.
 */
export function outsideSpans<T extends Span>(units: T[], skip: readonly Span[]): T[] {
  if (skip.length === 0) return units;
  const sorted = [...skip].sort((a, b) => a.start - b.start);
  const reach: number[] = [];
  let far = -Infinity;
  for (const s of sorted) reach.push((far = Math.max(far, s.end)));
  return units.filter((u) => {
    let lo = 0;
    let hi = sorted.length - 1;
    let at = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid]!.start <= u.start) {
        at = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return !(at >= 0 && reach[at]! >= u.end);
  });
}

/** A stretch of units, `to` inclusive (`to < from` is empty); `sum` its value. */
export interface Stretch {
  sum: number;
  from: number;
  to: number;
}

/**
 * The stretches taken, in order: `main`, then again and again the best candidate (largest sum,
 * the earliest on a tie) among the gaps not taken yet, until no gap has one. `candidate(gap)`
 * depends on the gap alone, so it is worked out once per gap (each taken stretch splits one gap
 * in two) instead of for every gap on every round.
 */
export function takeStretches(
  count: number,
  main: Stretch,
  candidate: (gap: Stretch) => Stretch | undefined,
): Stretch[] {
  const taken = [main];
  // Open gaps and their candidates, in position order.
  let gaps: { gap: Stretch; best: Stretch | undefined }[] = [];
  const open = (from: number, to: number) =>
    from <= to ? [{ gap: { sum: 0, from, to }, best: candidate({ sum: 0, from, to }) }] : [];
  gaps = [...open(0, main.from - 1), ...open(main.to + 1, count - 1)];
  for (;;) {
    let pick = -1;
    gaps.forEach((g, i) => {
      if (g.best && (pick < 0 || g.best.sum > gaps[pick]!.best!.sum)) pick = i;
    });
    if (pick < 0) break;
    const { gap, best } = gaps[pick]!;
    taken.push(best!);
    gaps.splice(pick, 1, ...open(gap.from, best!.from - 1), ...open(best!.to + 1, gap.to));
  }
  return taken.sort((x, y) => x.from - y.from);
}
