import { readFileSync } from 'node:fs';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAGE_FURNITURE, textAsHtml } from './helpers/make-documents.js';
import { cleanCollection, COLLECTION_B, REPO, SEEDS, tempDir, type Cleaned } from './helpers/tmp-collection.js';

/**
 * The seeds and collection-b rendered as the web pages they came from (every block a
 * paragraph, with a nav bar, cookie banner, share bar, newsletter promo, related list, scripts
 * and styles around them), read through Readability and cleaning: in both directions, the
 * same expectations as for the text versions hold, and none of the page's own furniture is quoted.
 */
const expectations = JSON.parse(readFileSync(path.join(REPO, 'test/fixtures/cleaning-expectations.json'), 'utf8')) as Record<string, { junk: string[]; keep: string[] }>;
const fold = (s: string) => s.replace(/\s+/g, ' ').trim();
const html = (id: string) => id.replace(/\.txt$/, '.html');

let dir: string;
let pages: Map<string, Cleaned>;
beforeAll(async () => {
  dir = await tempDir('quotebot-html-pages-');
  for (const from of [SEEDS, COLLECTION_B]) {
    for (const name of (await readdir(from)).filter((n) => n.endsWith('.txt'))) {
      await writeFile(path.join(dir, html(name)), textAsHtml(await readFile(path.join(from, name), 'utf8'), `Story ${name.replace(/\.txt$/, '')}`));
    }
  }
  pages = await cleanCollection(dir);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const chunkTexts = (id: string) => {
  const { clean, chunks } = pages.get(html(id))!;
  return chunks.map((c) => fold(clean.doc.text.slice(c.start, c.end)));
};

describe.each(Object.keys(expectations))('the page of %s', (id) => {
  const { junk, keep } = expectations[id]!;

  it('is read as HTML', () => {
    expect(pages.get(html(id))!.clean.doc.format).toBe('html');
  });

  it.each(junk)('no chunk contains junk: %s', (phrase) => {
    expect(fold(pages.get(html(id))!.clean.doc.text)).toContain(fold(phrase));
    expect(chunkTexts(id).filter((c) => c.includes(fold(phrase)))).toEqual([]);
  });

  it.each(keep)('some chunk contains: %s', (phrase) => {
    expect(chunkTexts(id).some((c) => c.includes(fold(phrase))), `"${phrase}" is not inside any chunk`).toBe(true);
  });

  it("no chunk contains the page's own furniture", () => {
    for (const phrase of PAGE_FURNITURE) expect(chunkTexts(id).filter((c) => c.includes(phrase)), phrase).toEqual([]);
  });
});
