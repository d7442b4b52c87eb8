import { truncate as truncateFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chunkDocument } from '../src/ingest/chunk.js';
import { cleanDocument } from '../src/ingest/clean/clean.js';
import { extract } from '../src/ingest/extract/extract.js';
import { Unreadable, type Extracted } from '../src/ingest/extract/extracted.js';
import {
  SOURCE_EXTENSIONS,
  CorpusError,
  MAX_FILE_BYTES,
  readCollection,
  sha256,
  skipNotice,
} from '../src/ingest/load.js';
import type { Document } from '../src/core/types.js';
import {
  ARTICLE,
  encryptedPdf,
  htmlPage,
  makePdf,
  PAGE_FURNITURE,
  REPORT,
  REPORT_FOOTER,
  REPORT_HEADER,
} from './helpers/make-documents.js';
import { tempDir } from './helpers/tmp-collection.js';
import { rm } from 'node:fs/promises';

const HEADER = REPORT_HEADER;
const FOOTER = REPORT_FOOTER;

const bytes = (s: string) => new TextEncoder().encode(s);
const doc = (id: string, e: Extracted): Document => ({ id, hash: 'x', ...e });
/** The text of every chunk of a document, as it would be quoted. */
const chunksOf = (d: Document) => chunkDocument(cleanDocument(d), 0).map((c) => d.text.slice(c.start, c.end));
const reason = (p: Promise<unknown>) =>
  p.then(
    () => 'no error',
    (e: unknown) => (e instanceof Unreadable ? e.message : `not Unreadable: ${String(e)}`),
  );

describe('HTML pages', () => {
  let page: Extracted;
  beforeAll(async () => {
    page = await extract(
      'bridge.html',
      bytes(
        htmlPage({
          title: 'Council shuts the old bridge',
          paragraphs: ARTICLE,
          url: 'https://example.com/news/bridge',
          published: '2026-03-02T08:00:00Z',
          site: 'The Daily Example',
        }),
      ),
    );
  });

  it("keeps the page's title (without the site name), canonical URL, site and date", () => {
    expect(page.format).toBe('html');
    expect(page.meta).toEqual({
      title: 'Council shuts the old bridge',
      outlet: 'The Daily Example',
      url: 'https://example.com/news/bridge',
      published: '2026-03-02T08:00:00Z',
    });
  });

  it('every article sentence is in a chunk, word for word (markup and inline styles gone)', () => {
    const chunks = chunksOf(doc('bridge.html', page));
    for (const sentence of ARTICLE)
      expect(
        chunks.some((c) => c.includes(sentence)),
        sentence,
      ).toBe(true);
  });

  it('no furniture (nav, cookie banner, share bar, promo, related list, scripts, styles, footer) is in any chunk', () => {
    const chunks = chunksOf(doc('bridge.html', page));
    for (const junk of PAGE_FURNITURE)
      expect(
        chunks.filter((c) => c.includes(junk)),
        junk,
      ).toEqual([]);
  });

  it('a page with no article (menus, links and notices only) is unreadable, and says so', async () => {
    const html = htmlPage({ title: 'Index', paragraphs: [] });
    expect(await reason(extract('index.html', bytes(html)))).toBe('has no article text');
  });

  it('a binary file renamed .html is not text', async () => {
    const png = new Uint8Array([
      0x89,
      0x50,
      0x4e,
      0x47,
      0x0d,
      0x0a,
      0x1a,
      0x0a,
      0,
      0,
      0,
      13,
      0x49,
      0x48,
      0x44,
      0x52,
      ...bytes('x'.repeat(500)),
    ]);
    expect(await reason(extract('photo.html', png))).toBe('is not text (binary data)');
    expect(await reason(extract('photo.txt', png))).toBe('is not text (binary data)');
  });

  it('reads the charset a page declares', async () => {
    const html = htmlPage({ title: 'Café', paragraphs: ARTICLE.map((p) => p.replace('bakery', 'café')) }).replace(
      'charset="utf-8"',
      'charset="windows-1252"',
    );
    const latin = Uint8Array.from(
      [...html].map((ch) => (ch === '“' ? 0x93 : ch === '”' ? 0x94 : ch === '—' ? 0x97 : ch.charCodeAt(0))),
    );
    const e = await extract('cafe.html', latin);
    expect(e.text).toContain(
      '“We were told this bridge would last another fifty years,” said Maria Lopez, who runs a café near the crossing.',
    );
  });
});

describe('PDFs', () => {
  let pdf: Uint8Array;
  let report: Extracted;
  beforeAll(async () => {
    pdf = await makePdf(REPORT, { header: HEADER, footer: FOOTER });
    report = await extract('report.pdf', pdf);
  });

  it('gives the text page by page: page n is a span holding that page’s paragraphs', () => {
    expect(report.format).toBe('pdf');
    expect(report.pages).toHaveLength(3);
    REPORT.forEach((p, i) => {
      const { start, end } = report.pages![i]!;
      const pageText = report.text.slice(start, end);
      for (const para of p.paragraphs) expect(pageText).toContain(para);
    });
  });

  it('every body sentence is in a chunk; running headers, footers and page numbers are in none', () => {
    const d = doc('report.pdf', report);
    const chunks = chunksOf(d);
    for (const para of REPORT.flatMap((p) => p.paragraphs))
      expect(
        chunks.some((c) => c.includes(para)),
        para,
      ).toBe(true);
    // The header and footer stay in the stored text (verbatim), marked as spans to skip.
    expect(report.text.split(HEADER)).toHaveLength(4);
    for (const junk of [HEADER, FOOTER, 'page 2 of 3', 'Annual Report'])
      expect(
        chunks.filter((c) => c.includes(junk)),
        junk,
      ).toEqual([]);
    expect(cleanDocument(d).title).toBe('Water use in the valley, 2025');
  });

  it("takes the PDF's own title when it has one", async () => {
    const titled = await extract(
      't.pdf',
      await makePdf(REPORT.slice(0, 2), { title: 'Annual report of the Valley Water Board' }),
    );
    expect(titled.meta.title).toBe('Annual report of the Valley Water Board');
  });

  it('a truncated, an encrypted, a damaged, a text-less and a non-PDF file are unreadable, each with its reason', async () => {
    expect(await reason(extract('cut.pdf', pdf.slice(0, Math.floor(pdf.length * 0.6))))).toBe(
      'is truncated (not a complete PDF)',
    );
    expect(await reason(extract('locked.pdf', await encryptedPdf(pdf)))).toBe('is password-protected');
    expect(await reason(extract('fake.pdf', bytes('<html>not a pdf</html>')))).toBe('is not a PDF');
    // The end marker is there, the body is not: pdf.js itself refuses it.
    const gutted = new Uint8Array([...bytes('%PDF-1.7\n'), ...new Uint8Array(300).fill(0x41), ...bytes('\n%%EOF\n')]);
    expect(await reason(extract('gutted.pdf', gutted))).toBe('is not a readable PDF (damaged?)');
    // Pictures only, as a scan without OCR is.
    const { PDFDocument, rgb } = await import('pdf-lib');
    const scan = await PDFDocument.create();
    scan.addPage([595, 842]).drawRectangle({ x: 50, y: 50, width: 400, height: 600, color: rgb(0.8, 0.8, 0.8) });
    expect(await reason(extract('scan.pdf', await scan.save()))).toBe('has no text (a scanned image?)');
  });
});

describe('a collection of pages, PDFs and bad files', () => {
  let dir: string;
  let result: Awaited<ReturnType<typeof readCollection>>;
  beforeAll(async () => {
    dir = await tempDir('quotebot-extract-');
    const pdf = await makePdf(REPORT, { header: HEADER, footer: FOOTER });
    await writeFile(
      path.join(dir, 'bridge.html'),
      htmlPage({ title: 'Council shuts the old bridge', paragraphs: ARTICLE, url: 'https://example.com/news/bridge' }),
    );
    await writeFile(path.join(dir, 'report.pdf'), pdf);
    await writeFile(path.join(dir, 'notes.txt'), 'Plain notes. They are read as they are.\n');
    await writeFile(path.join(dir, 'cut.pdf'), pdf.slice(0, 900));
    await writeFile(path.join(dir, 'locked.pdf'), await encryptedPdf(pdf));
    await writeFile(path.join(dir, 'menu.htm'), htmlPage({ title: 'Sections', paragraphs: [] }));
    await writeFile(path.join(dir, 'photo.html'), new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 13]));
    // 200 MB, sparse: refused from its size, never read.
    await writeFile(path.join(dir, 'huge.txt'), '');
    await truncateFile(path.join(dir, 'huge.txt'), 200 * 2 ** 20);
    await writeFile(path.join(dir, 'sources.json'), JSON.stringify({ 'bridge.html': { title: 'The bridge story' } }));
    result = await readCollection(dir);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('reads .txt, .md, .html, .htm and .pdf', () => {
    expect([...SOURCE_EXTENSIONS].sort()).toEqual(['.htm', '.html', '.md', '.pdf', '.txt']);
    expect(result.docs.map((d) => d.id)).toEqual(['bridge.html', 'notes.txt', 'report.pdf']);
  });

  it('skips each bad file with one line naming it and why; the rest loads', () => {
    expect(result.skipped.map(skipNotice)).toEqual([
      'Skipped cut.pdf: it is truncated (not a complete PDF).',
      `Skipped huge.txt: it is 200 MB, over the ${MAX_FILE_BYTES / 2 ** 20} MB limit.`,
      'Skipped locked.pdf: it is password-protected.',
      'Skipped menu.htm: it has no article text.',
      'Skipped photo.html: it is not text (binary data).',
    ]);
  });

  it("hashes the file's bytes; sources.json wins over what the page says", async () => {
    const { readFile } = await import('node:fs/promises');
    for (const d of result.docs) expect(d.hash).toBe(sha256(await readFile(path.join(dir, d.id))));
    const page = result.docs.find((d) => d.id === 'bridge.html')!;
    expect(page.meta).toEqual({ title: 'The bridge story', url: 'https://example.com/news/bridge' });
    expect(result.docs.find((d) => d.id === 'report.pdf')!.pages).toHaveLength(3);
  });

  it('a collection where nothing can be indexed is a one-line CorpusError', async () => {
    const bad = await tempDir('quotebot-extract-bad-');
    try {
      await writeFile(path.join(bad, 'photo.html'), new Uint8Array([0x89, 0x50, 0, 0]));
      const err = await readCollection(bad).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(CorpusError);
      expect((err as Error).message).toContain('photo.html');
      expect((err as Error).message).not.toContain('\n');
    } finally {
      await rm(bad, { recursive: true, force: true });
    }
  });
});
