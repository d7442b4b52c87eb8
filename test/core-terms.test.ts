import { describe, expect, it } from 'vitest';
import { terms, usSpelling } from '../src/text/terms.js';

describe('terms', () => {
  it('drops stopwords and question words, keeps acronyms, stems', () => {
    expect(terms('What did the US say about the shields?')).toEqual(['US'.toLowerCase(), 'shield']);
  });

  it('meets British and American spellings on one term', () => {
    for (const [uk, us] of [
      ['defence', 'defense'],
      ['organised', 'organized'],
      ['centres', 'centers'],
      ['colour', 'color'],
      ['analyse', 'analyze'],
      ['catalogue', 'catalog'],
      ['licence', 'license'],
    ] as const)
      expect(terms(uk), uk).toEqual(terms(us));
  });

  it('leaves short words that only look like British endings alone', () => {
    for (const w of ['four', 'hour', 'rise', 'fence', 'genre']) expect(usSpelling(w)).toBe(w);
  });
});
