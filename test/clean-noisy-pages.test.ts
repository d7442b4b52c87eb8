import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cleanCollection, REPO, type Cleaned } from './helpers/tmp-collection.js';

/**
 * Six more scraped pages, written by someone who had not seen the cleaner, each with another
 * site's furniture: TV-station and sports layouts, paywall meters, cookie banners, author bios,
 * correction notes, podcast promos, reader comments, copyright footers. Labels name the
 * headline, every article line, and the junk written as whole sentences (the hard kind).
 */
const DIR = path.join(REPO, 'test/fixtures/noisy-pages');
const labels = JSON.parse(readFileSync(path.join(DIR, 'labels.json'), 'utf8')) as Record<string, { headline: string; article: string[]; junk_sentences: string[] }>;
/** Article lines a reader quotes: sentences (a subheading is not a quote). */
const isSentence = (line: string) => /[.!?]["'”’)]*$/u.test(line.trim()) && line.trim().split(/\s+/).length >= 4;

let pages: Map<string, Cleaned>;
beforeAll(async () => {
  pages = await cleanCollection(DIR);
});
const kept = (id: string) => {
  const { clean } = pages.get(id)!;
  return clean.paragraphs.map((p) => clean.doc.text.slice(p.start, p.end));
};

describe.each(Object.keys(labels))('cleaning the noisy page %s', (id) => {
  const { headline, article, junk_sentences } = labels[id]!;

  it('finds the headline, not a dateline, caption or banner', () => {
    expect(pages.get(id)!.clean.title).toBe(headline.trim());
  });

  it.each(article.filter(isSentence))('keeps the article sentence: %s', (line) => {
    expect(kept(id).some((p) => p.includes(line.trim()))).toBe(true);
  });

  it.each(junk_sentences)('never keeps the junk sentence: %s', (line) => {
    expect(kept(id).filter((p) => p.includes(line.trim()))).toEqual([]);
  });
});
