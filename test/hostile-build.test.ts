/**
 * A build over a folder holding every kind of hostile file beside the seeds (a run of "A. ", a PDF
 * whose stream inflates to 512 MB, 300 pages drawing one 1 MB stream, 60,000 nested divs, a
 * 150,000-line file) ends with the others indexed: each file past a limit is skipped with one line
 * naming the limit, every sentence and chunk is bounded. Pages and PDFs read once are taken from
 * the index folder's cache on the next build (a refusal too), and entries of files gone are removed.
 * The upload check reads in the worker, under a time limit. Timings: `npm run bench -- --hostile`.
 */
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { hostileInputs, pdfBomb, pdfSharedStream, targetInputs } from '../src/eval/hostile-inputs.js';
import { buildIndex, EXTRACTED } from '../src/index/build.js';
import type { BuildReport } from '../src/index/types.js';
import { readIndex } from '../src/index/read.js';
import { MAX_SENTENCE_CHARS } from '../src/ingest/sentences.js';
import { readIsolated } from '../src/ingest/isolate.js';
import { Unreadable } from '../src/ingest/extract/extracted.js';
import { skipNotice } from '../src/ingest/load.js';
import { forgetExtracted } from '../src/ingest/extract-cache.js';
import { htmlPage, makePdf, ARTICLE, REPORT } from './helpers/make-documents.js';
import { copyCollection, loadUseLiteOnce } from './helpers/tmp-collection.js';

let corpus: string;
let index: string;
let cleanup: () => Promise<void>;
let report: BuildReport;
const cache = () => join(index, EXTRACTED);

beforeAll(async () => {
  ({ corpus, index, cleanup } = await copyCollection());
  const targets = targetInputs().filter((i) => i.name !== 'a-dot-run-600k');
  for (const i of targets) await writeFile(join(corpus, i.file), await i.bytes());
  // A smaller run of "A. " (its embedding is the slow part, not its reading), and the 300-page PDF.
  await writeFile(join(corpus, 'a-dot-run.txt'), 'A. '.repeat(40_000));
  await writeFile(join(corpus, 'shared-stream.pdf'), await pdfSharedStream());
  await writeFile(join(corpus, 'report.pdf'), await makePdf(REPORT));
  await writeFile(join(corpus, 'page.html'), htmlPage({ title: 'Bridge to close', paragraphs: ARTICLE }));
  report = await buildIndex({ corpusDir: corpus, indexDir: index, embedder: await loadUseLiteOnce() });
}, 600_000);
afterAll(async () => {
  await cleanup?.();
});

describe('a build over the seeds and the hostile files', () => {
  test('ends with the others indexed; each file past a limit skipped with one line naming it', () => {
    const skipped = Object.fromEntries(report.skipped.map((s) => [s.id, skipNotice(s)]));
    expect(skipped).toEqual({
      'pdf-bomb.pdf': 'Skipped pdf-bomb.pdf: it has a stream that decodes to more than 64 MB (the limit).',
      'shared-stream.pdf':
        'Skipped shared-stream.pdf: it decodes to more than 256 MB, counting what each page draws (the limit).',
      'nested-divs.html': 'Skipped nested-divs.html: it nests HTML elements more than 200 deep (the limit).',
    });
    expect(report.docs).toBe(5 + 4); // the seeds, the run of "A. ", the 150,000 lines, the PDF and the page
  });

  test('every sentence and chunk is bounded, and a slice of its document', async () => {
    const loaded = await readIndex(index);
    const text = new Map(loaded.docs.map((d) => [d.id, d.text]));
    for (const c of loaded.chunks) {
      expect(c.end - c.start).toBeLessThanOrEqual(3 * MAX_SENTENCE_CHARS + 2);
      for (const s of c.sentences) {
        expect(s.end - s.start).toBeLessThanOrEqual(MAX_SENTENCE_CHARS);
        expect(text.get(c.doc)!.slice(s.start, s.end).trim().length).toBe(s.end - s.start);
      }
    }
    expect(loaded.chunks.filter((c) => c.doc === 'many-lines.txt').length).toBeGreaterThan(100);
  });

  test('the next build takes pages and PDFs from the cache, refusals included; entries of files gone are removed', async () => {
    const entries = await readdir(cache());
    expect(entries.filter((e) => e.endsWith('.json'))).toHaveLength(5); // 3 PDFs and 2 pages, by content hash
    // A cached refusal is believed: the file is not read again (this reason could only come from the cache).
    let tampered = 0;
    for (const e of entries) {
      const entry = JSON.parse(await readFile(join(cache(), e), 'utf8')) as { ok: boolean; reason?: string };
      if (entry.reason?.includes('64 MB')) {
        await writeFile(
          join(cache(), e),
          JSON.stringify({ ok: false, reason: 'was refused earlier (from the cache)' }),
        );
        tampered++;
      }
    }
    expect(tampered).toBe(1);
    forgetExtracted(); // as a new process: only the disk cache
    const again = await buildIndex({ corpusDir: corpus, indexDir: index, embedder: await loadUseLiteOnce() });
    expect(again.skipped.find((s) => s.id === 'pdf-bomb.pdf')?.reason).toBe('was refused earlier (from the cache)');
    expect(again.embedded).toBe(0);
    // The bomb leaves the collection: its entry goes at the next build.
    await rm(join(corpus, 'pdf-bomb.pdf'));
    await buildIndex({ corpusDir: corpus, indexDir: index, embedder: await loadUseLiteOnce() });
    expect((await readdir(cache())).filter((e) => e.endsWith('.json'))).toHaveLength(4);
  }, 300_000);
});

describe('reading in the worker', () => {
  test('every hostile input is read, or refused with a line naming a limit, and the worker goes on', async () => {
    for (const input of hostileInputs(256 * 1024)) {
      const r = await readIsolated(input.file, await input.bytes(), { check: true }).catch((e: unknown) => e as Error);
      if (r instanceof Error) {
        expect(r).toBeInstanceOf(Unreadable);
        expect(r.message).toMatch(/\(the limit\)$/);
      } else expect(r.passages).toBeGreaterThanOrEqual(0);
    }
  }, 300_000);

  test('a file that takes too long is refused with the time limit, and the next file is read', async () => {
    const slow = await readIsolated('bomb.pdf', await pdfBomb(), { timeoutMs: 1 }).catch((e: unknown) => e);
    expect(slow).toBeInstanceOf(Unreadable);
    expect((slow as Error).message).toBe('took more than 0.001 s to read (the limit)');
    const next = await readIsolated('note.txt', new TextEncoder().encode('The council met on Tuesday.\n'), {
      check: true,
    });
    expect(next.passages).toBe(1);
  }, 120_000);
});
