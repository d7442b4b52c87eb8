/**
 * Bounded views for checks that look around a position in a sentence or back through a list:
 * read in full, a sentence with a thousand capitalised words or a document naming thousands of
 * people would be read again for every one of them (quadratic). A window ends at white space,
 * so a pattern anchored at its edge sees what it would see in the whole text.
 */

/** Characters read on either side of a name: far more than its title, apposition or speech verb take. */
export const NEAR_CHARS = 512;

/** `text.slice(0, at)`, kept to its last `max` characters or so (cut where white space starts). */
export function textBefore(text: string, at: number, max = NEAR_CHARS): string {
  if (at <= max) return text.slice(0, at);
  let from = at - max;
  while (from < at && !/\s/u.test(text[from]!)) from++;
  return text.slice(from < at ? from : at - max, at);
}

/** `text.slice(at)`, kept to its first `max` characters or so (cut after the last white space in them). */
export function textAfter(text: string, at: number, max = NEAR_CHARS): string {
  if (text.length - at <= max) return text.slice(at);
  let to = at + max;
  while (to > at && !/\s/u.test(text[to - 1]!)) to--;
  return text.slice(at, to > at ? to : at + max);
}

/** True when `text.slice(0, at)` has no ASCII word character (`/^\W*$/u`): `first` is `text.search(/\w/u)`. */
export const nothingBefore = (first: number, at: number): boolean => first < 0 || first >= at;

/** The last item of `list` that passes `ok`, looking back at most `limit` items. */
export function findLast<T>(list: readonly T[], ok: (item: T) => boolean, limit = 1000): T | undefined {
  for (let i = list.length - 1; i >= Math.max(0, list.length - limit); i--) if (ok(list[i]!)) return list[i];
  return undefined;
}
