import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
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
const expectations = JSON.parse(
  readFileSync(path.join(REPO, 'test/fixtures/cleaning-expectations.json'), 'utf8'),
) as Record<string, { junk: string[]; keep: string[] }>;
const fold = (s: string) => s.replace(/\s+/g, ' ').trim();
const html = (id: string) => id.replace(/\.txt$/, '.html');

let dir: string;
let pages: Map<string, Cleaned>;
beforeAll(async () => {
  dir = await tempDir('quotebot-html-pages-');
  for (const from of [SEEDS, COLLECTION_B]) {
    for (const name of (await readdir(from)).filter((n) => n.endsWith('.txt'))) {
      await writeFile(
        path.join(dir, html(name)),
        textAsHtml(await readFile(path.join(from, name), 'utf8'), `Story ${name.replace(/\.txt$/, '')}`),
      );
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
    expect(
      chunkTexts(id).some((c) => c.includes(fold(phrase))),
      `"${phrase}" is not inside any chunk`,
    ).toBe(true);
  });

  it("no chunk contains the page's own furniture", () => {
    for (const phrase of PAGE_FURNITURE)
      expect(
        chunkTexts(id).filter((c) => c.includes(phrase)),
        phrase,
      ).toEqual([]);
  });
});

/**
 * The thirteen batches of blind-written scraped pages, rendered as pages the same way: every
 * labelled article sentence and junk sentence gets the same verdict (kept or not) as in the
 * text version, so reading HTML loses nothing the text cleaner keeps and lets no junk through.
 */
describe('the noisy pages as HTML are cleaned as their text versions are', () => {
  const batches = readdirSync(path.join(REPO, 'test/fixtures')).filter((d) => d.startsWith('noisy-pages'));
  const verdicts = new Map<string, { text: boolean[]; html: boolean[]; labelled: number }>();
  let pagesDir: string;
  beforeAll(async () => {
    pagesDir = await tempDir('quotebot-noisy-html-');
    for (const b of batches) {
      const dir = path.join(REPO, 'test/fixtures', b);
      const labels = JSON.parse(await readFile(path.join(dir, 'labels.json'), 'utf8')) as Record<
        string,
        { article?: string[]; article_sentences?: string[]; junk_sentences?: string[] }
      >;
      const out = path.join(pagesDir, b);
      await mkdir(out);
      for (const id of Object.keys(labels))
        await writeFile(path.join(out, html(id)), textAsHtml(await readFile(path.join(dir, id), 'utf8'), 'Page'));
      const [text, pages] = [await cleanCollection(dir), await cleanCollection(out)];
      const kept = (c: Cleaned | undefined) =>
        c ? c.clean.paragraphs.map((p) => fold(c.clean.doc.text.slice(p.start, p.end))) : [];
      const sentences = Object.entries(labels).flatMap(([id, l]) =>
        [...(l.article_sentences ?? l.article ?? []), ...(l.junk_sentences ?? [])].map((s) => [id, fold(s)] as const),
      );
      verdicts.set(b, {
        text: sentences.map(([id, s]) => kept(text.get(id)).some((p) => p.includes(s))),
        html: sentences.map(([id, s]) => kept(pages.get(html(id))).some((p) => p.includes(s))),
        labelled: sentences.length,
      });
    }
  });
  afterAll(() => rm(pagesDir, { recursive: true, force: true }));

  it('covers every batch', () => {
    expect(batches.length).toBeGreaterThanOrEqual(13);
    for (const b of batches) expect(verdicts.get(b)!.labelled, b).toBeGreaterThan(20);
  });

  it.each(batches)('%s: every labelled sentence is kept or dropped as in the text version', (b) => {
    const v = verdicts.get(b)!;
    expect(v.html).toEqual(v.text);
  });
});
