import { readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnswerJsonSchema, DocTextJsonSchema } from '../src/cli/args.js';
import { readEvalSet, runEval } from '../src/eval/eval.js';
import type { Answer, Engine } from '../src/core/types.js';
import {
  ARTICLE,
  encryptedPdf,
  htmlPage,
  makePdf,
  REPORT,
  REPORT_FOOTER,
  REPORT_HEADER,
  textAsHtml,
} from './helpers/make-documents.js';
import { assertDistBuilt, lines, runCli, type CliResult } from './helpers/run-cli.js';
import { REPO, SEEDS, tempDir } from './helpers/tmp-collection.js';
import { renderAnswer } from '../src/message/answer.js';
import { renderSourcesView } from '../src/message/sources.js';
import { openEngine } from '../src/engine/open.js';

/**
 * Issue 13 end to end: a collection of a web page, a PDF, a text file and bad files, asked
 * through the compiled `ask` CLI; the quotes are slices of the stored extracted text, PDF
 * citations name their page, and bad files are skipped with one line each.
 */
let root: string;
let corpus: string;
let index: string;
let firstRun: CliResult;
const ask = (args: string[]) =>
  runCli('ask', [...args, '--index', index, '--corpus', corpus], { cwd: root, timeoutMs: 240_000 });

beforeAll(async () => {
  assertDistBuilt(['ask']);
  root = await tempDir('quotebot-formats-');
  corpus = path.join(root, 'corpus');
  index = path.join(root, 'index');
  const { mkdir } = await import('node:fs/promises');
  await mkdir(corpus);
  const pdf = await makePdf(REPORT, { header: REPORT_HEADER, footer: REPORT_FOOTER });
  await writeFile(
    path.join(corpus, 'bridge.html'),
    htmlPage({
      title: 'Council shuts the old bridge',
      paragraphs: ARTICLE,
      url: 'https://example.com/news/bridge',
      published: '2026-03-02',
    }),
  );
  await writeFile(path.join(corpus, 'report.pdf'), pdf);
  await writeFile(
    path.join(corpus, 'notes.txt'),
    'Harbour notes\n\nThe lighthouse on the north mole was repainted red and white in the autumn of 2024.\n',
  );
  await writeFile(path.join(corpus, 'cut.pdf'), pdf.slice(0, Math.floor(pdf.length / 2)));
  await writeFile(path.join(corpus, 'locked.pdf'), await encryptedPdf(pdf));
  await writeFile(path.join(corpus, 'menu.html'), htmlPage({ title: 'Sections', paragraphs: [] }));
  await writeFile(path.join(corpus, 'photo.html'), new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 13, 0x49, 0x48]));
  await writeFile(path.join(corpus, 'huge.txt'), '');
  await truncate(path.join(corpus, 'huge.txt'), 200 * 2 ** 20);
  firstRun = await ask(['--json', 'How much will water prices rise in April?']);
});
afterAll(() => rm(root, { recursive: true, force: true }));

async function stored(doc: string) {
  const r = await ask(['--show', doc, '--json']);
  expect(r.code, r.stderr).toBe(0);
  return DocTextJsonSchema.strict().parse(JSON.parse(r.stdout));
}

describe('a collection of a page, a PDF, a text file and bad files', () => {
  it('skips each bad file with exactly one line naming it and why; the rest is indexed', () => {
    expect(firstRun.code, firstRun.stderr).toBe(0);
    const skipped = lines(firstRun.stderr).filter((l) => l.startsWith('Skipped '));
    expect(skipped).toEqual([
      'Skipped cut.pdf: it is truncated (not a complete PDF).',
      'Skipped huge.txt: it is 200 MB, over the 100 MB limit.',
      'Skipped locked.pdf: it is password-protected.',
      'Skipped menu.html: it has no article text.',
      'Skipped photo.html: it is not text (binary data).',
    ]);
  });

  it('a PDF citation names its page, and its quote is a slice of the stored text on that page', async () => {
    const answer = AnswerJsonSchema.strict().parse(JSON.parse(firstRun.stdout));
    expect(answer.answered).toBe(true);
    const top = answer.citations[0]!;
    expect(top.doc).toBe('report.pdf');
    expect(top.page).toBe(3);
    expect(top.quote).toContain('3.5 percent in April');
    const doc = await stored('report.pdf');
    for (const c of answer.citations.filter((x) => x.doc === 'report.pdf')) {
      expect(c.quote).toBe(doc.text.slice(c.start, c.end));
      const page = doc.pages!.find((p) => p.page === c.page)!;
      expect(page.start <= c.start && c.start < page.end).toBe(true);
      expect(c.quote).not.toContain(REPORT_HEADER);
    }
  });

  it('--show prints the stored text exactly: the text start and end count in', async () => {
    const raw = await ask(['--show', 'report.pdf']);
    expect(raw.code).toBe(0);
    expect(raw.stdout).toBe((await stored('report.pdf')).text);
    const missing = await ask(['--show', 'nothing.pdf']);
    expect(missing.code).toBe(2);
    expect(lines(missing.stderr)).toHaveLength(1);
    expect(missing.stderr).toContain('nothing.pdf');
  });

  it('a page citation has no page; its quote is a slice of the extracted article text', async () => {
    const r = await ask(['--json', 'How often will the ferry leave from the customs pier?']);
    const answer = AnswerJsonSchema.strict().parse(JSON.parse(r.stdout));
    const top = answer.citations[0]!;
    expect(top.doc).toBe('bridge.html');
    expect(Object.keys(top)).not.toContain('page');
    expect(top.quote).toBe((await stored('bridge.html')).text.slice(top.start, top.end));
    expect(top.quote).toContain('every twenty minutes');
    // Nothing changed: the skipped files are remembered, nothing is rebuilt.
    expect(r.stderr).toBe('');
  });

  it('the Discord answer and its Sources view show the page: report.pdf, p. 2', async () => {
    const engine = await openEngine({ corpusDir: corpus, indexDir: index, embedder: 'use-lite' });
    const answer: Answer = await engine.ask('How much of the water is lost to leaks in the old mains?');
    const top = answer.citations[0]!;
    expect([top.doc, top.page]).toEqual(['report.pdf', 2]);
    const { rendered, shown } = renderAnswer(answer, { docsSearched: engine.documents().length });
    expect(rendered.embeds[0]!.description).toMatch(/\[1\][^\n]*— `report\.pdf`, p\. 2/);
    expect(shown[0]!.page).toBe(2);
    const ctx = engine.context(top.doc, top.start, top.end)!;
    expect(ctx.page).toBe(2);
    const view = renderSourcesView([{ n: 1, doc: top.doc, ctx }]);
    expect(view.embeds[0]!.footer!.text).toMatch(/^report\.pdf, p\. 2 · paragraph \d+ of \d+$/);
    const hits = await engine.search('reservoir levels in summer');
    expect(hits.find((h) => h.doc === 'report.pdf')?.page).toBe(2);
  });

  it('a bad file fixed is indexed on the next open', async () => {
    await writeFile(
      path.join(corpus, 'menu.html'),
      htmlPage({
        title: 'Lighthouse',
        paragraphs: [
          'The harbour board will open the lighthouse to visitors on summer weekends from next June, with guided tours every hour.',
        ],
      }),
    );
    const r = await ask(['--json', 'When will the lighthouse open to visitors?']);
    expect(r.stderr).toMatch(/changed/);
    expect(r.stderr).not.toContain('menu.html');
    expect(AnswerJsonSchema.parse(JSON.parse(r.stdout)).citations[0]!.doc).toBe('menu.html');
  });
});

/**
 * The seeds as the web pages they were scraped from answer the eval sets as well as the text
 * dumps: hit@1 within 0.03 over all the sets' questions together.
 */
describe('the seeds as HTML pages answer like the text versions', () => {
  const SETS = ['eval/seeds.jsonl', 'eval/dev.jsonl', 'eval/proxy-seeds.jsonl', 'eval/seeds-fresh.jsonl'];
  let dir: string;
  const results: { set: string; text: number; html: number; answerable: number }[] = [];

  beforeAll(async () => {
    dir = await tempDir('quotebot-seed-pages-');
    const pages = path.join(dir, 'pages');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(pages);
    for (const name of (await readdir(SEEDS)).filter((n) => n.endsWith('.txt'))) {
      await writeFile(
        path.join(pages, name.replace(/\.txt$/, '.html')),
        textAsHtml(await readFile(path.join(SEEDS, name), 'utf8'), `Story ${name.replace(/\.txt$/, '')}`),
      );
    }
    const open = (corpusDir: string, indexDir: string): Promise<Engine> =>
      openEngine({ corpusDir, indexDir, embedder: 'use-lite' });
    const text = await open(SEEDS, path.join(dir, 'text-index'));
    const html = await open(pages, path.join(dir, 'html-index'));
    for (const set of SETS) {
      const items = await readEvalSet(path.join(REPO, set));
      const [t, h] = [await runEval(text, items), await runEval(html, items)];
      results.push({ set, text: t.hit_at_1, html: h.hit_at_1, answerable: t.answerable });
    }
  }, 600_000);
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('hit@1 over the four sets is within 0.03 of the text versions', () => {
    const total = results.reduce((n, r) => n + r.answerable, 0);
    const pooled = (k: 'text' | 'html') => results.reduce((n, r) => n + r[k] * r.answerable, 0) / total;
    expect(total).toBeGreaterThan(100);
    expect(Math.abs(pooled('html') - pooled('text'))).toBeLessThanOrEqual(0.03);
  });

  it('no single set drops by more than one question', () => {
    for (const r of results) expect(r.html, r.set).toBeGreaterThanOrEqual(r.text - 1 / r.answerable - 1e-9);
  });
});
