/** Questions longer than this are cut: no real question needs more, and embedding time grows with length. */
export const MAX_QUESTION_CHARS = 1000;

/**
 * Tidies a question before it is embedded: terminal escape sequences and control characters
 * become spaces, invisible format characters (zero-width space, soft hyphen, direction marks)
 * are removed so that a word they sit inside stays one word; whitespace folded, length capped.
 * The result may be empty.
 */
export function normalizeQuestion(raw: string): string {
  return (
    raw
      .normalize('NFKC')
      // ANSI escape sequences pasted from a terminal are not part of a question.
      // eslint-disable-next-line no-control-regex
      .replace(/\u001b\[[0-?]*[ -/]*[@-~]/gu, ' ')
      .replace(/\p{Cf}/gu, '')
      .replace(/\p{Cc}/gu, ' ')
      .replace(/\s+/g, ' ')
      .trim()
      .slice(0, MAX_QUESTION_CHARS)
      // Never keep half of a surrogate pair (an emoji cut in two by the length cap).
      .replace(/[\uD800-\uDBFF]$/, '')
      .trim()
  );
}

/** True when the question has at least one letter or digit in any script. */
export function hasWords(q: string): boolean {
  return /[\p{L}\p{N}]/u.test(q);
}
