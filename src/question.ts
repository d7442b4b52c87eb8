/** Questions longer than this are cut: no real question needs more, and embedding time grows with length. */
export const MAX_QUESTION_CHARS = 1000;

/**
 * Tidies a question before it is embedded: control and zero-width characters removed,
 * whitespace folded, length capped. The result may be empty.
 */
export function normalizeQuestion(raw: string): string {
  return raw
    .normalize('NFKC')
    .replace(/[\p{Cc}\p{Cf}]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, MAX_QUESTION_CHARS)
    .trim();
}

/** True when the question has at least one letter or digit in any script. */
export function hasWords(q: string): boolean {
  return /[\p{L}\p{N}]/u.test(q);
}
