import { describe, expect, it } from 'vitest';
import { hasWords, MAX_QUESTION_CHARS, normalizeQuestion } from '../src/text/question.js';

describe('normalizeQuestion', () => {
  it('folds whitespace and trims', () => {
    expect(normalizeQuestion('  What\tdid \n\n Putin   demand?  ')).toBe('What did Putin demand?');
  });

  it('removes invisible format characters without splitting the word they sit in', () => {
    expect(normalizeQuestion('Kalinin\u00adgrad mis\u200bsiles Pu\u2060tin\ufeff')).toBe('Kaliningrad missiles Putin');
    expect(normalizeQuestion('\u202eWhat did Putin demand?\u202c')).toBe('What did Putin demand?');
  });

  it('turns control characters and terminal escapes into spaces', () => {
    expect(normalizeQuestion('What\u0000did\u0007Putin \u001b[31mdemand\u001b[0m?')).toBe('What did Putin demand ?');
    expect(normalizeQuestion('a\r\nb')).toBe('a b');
  });

  it('applies NFKC (full-width letters, ligatures)', () => {
    expect(normalizeQuestion('Ｗｈａｔ about ﬁnance')).toBe('What about finance');
  });

  it('caps the length without leaving half an emoji', () => {
    expect(normalizeQuestion('x'.repeat(10_000))).toHaveLength(MAX_QUESTION_CHARS);
    const q = normalizeQuestion(`a${'🚀'.repeat(5_000)}`);
    expect(q.length).toBeLessThanOrEqual(MAX_QUESTION_CHARS);
    expect(q).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
  });

  it('may return an empty string', () => {
    expect(normalizeQuestion('')).toBe('');
    expect(normalizeQuestion(' \u200b\u200d\t ')).toBe('');
  });
});

describe('hasWords', () => {
  it('needs a letter or digit in any script', () => {
    expect(hasWords('What?')).toBe(true);
    expect(hasWords('ما هو')).toBe(true);
    expect(hasWords('Что')).toBe(true);
    expect(hasWords('2014')).toBe(true);
    expect(hasWords('?!... ---')).toBe(false);
    expect(hasWords('🚀🔥')).toBe(false);
    expect(hasWords('')).toBe(false);
  });
});
