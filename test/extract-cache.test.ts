/**
 * Pages already read are not read again by a rebuild: the extraction of a page is kept by its
 * extension and content hash (so bytes under a hash already seen are not even looked at), plain
 * text is never kept (see src/ingest/extract-cache.ts).
 */
import { expect, test } from 'vitest';
import { extractCached } from '../src/ingest/extract-cache.js';
import { sha256 } from '../src/ingest/load.js';

const page = (words: string) =>
  Buffer.from(
    `<!doctype html><html><head><title>T</title></head><body><article><p>${words} ${'It goes on for a while, as articles do, with more words in it. '.repeat(4)}</p><p>${'A second paragraph of the same article, long enough to be read. '.repeat(3)}</p></article></body></html>`,
  );

test('a page is read once per content hash and extension; text is not kept, a refusal is kept', async () => {
  const first = page('The first version of the page has these words in its only paragraph.');
  const hash = sha256(first);
  const a = await extractCached('a.html', first, hash);
  expect(a.text).toContain('first version');
  // Same hash, other bytes: the kept extraction answers (a real hash never lies; this shows the bytes are not read).
  const b = await extractCached('b.html', page('Something else entirely.'), hash);
  expect(b).toBe(a);
  const asHtm = await extractCached('c.htm', page('Another extension is read afresh.'), hash);
  expect(asHtm.text).toContain('Another extension');
  const t1 = await extractCached('n.txt', Buffer.from('one'), 'h1');
  const t2 = await extractCached('n.txt', Buffer.from('two'), 'h1');
  expect([t1.text, t2.text]).toEqual(['one', 'two']);
  await expect(extractCached('x.pdf', Buffer.from('not a pdf'), 'bad')).rejects.toThrow();
  await expect(extractCached('x.pdf', Buffer.from('still not a pdf'), 'bad')).rejects.toThrow();
});
