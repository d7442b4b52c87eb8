/**
 * Collection edits (what /sources add and remove do on disk) and the live engine's swap, without
 * Discord: names that are paths are refused and nothing is written; sizes, encodings and empty
 * files are refused with one line; sources.json follows; a question in flight keeps its engine.
 */
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { CollectionEditError, collectionEditor, collectionName } from '../src/live/collection.js';
import { createLiveEngine } from '../src/live/live.js';
import type { Engine } from '../src/core/types.js';
import { htmlPage } from './helpers/make-documents.js';
import { createStubEngine } from './helpers/stub-engine.js';
import { tempDir } from './helpers/tmp-collection.js';
import { type RefreshResult } from '../src/live/types.js';

const ARTICLE =
  'Harbour works finished\n\nThe new quay opened on Monday after three years of building work. It cost 12 million euros.\n';

describe('collectionName', () => {
  test.each([
    '../../etc/passwd',
    '../x.txt',
    'a/b.txt',
    '..\\..\\x.txt',
    'C:\\temp\\x.txt',
    '/etc/x.md',
    '..',
    'x.txt\0.md',
  ])('refuses the path %j', (name) => {
    expect(() => collectionName(name)).toThrow(CollectionEditError);
    expect(() => collectionName(name)).toThrow(/path, not a file name/);
  });
  test.each([
    ['.hidden.txt', /cannot start with a dot/],
    ['passwd', /Only \.txt, \.md, \.html, \.htm, \.pdf files can be added/],
    ['report.pdf.exe', /Only/],
    ['sources.json', /Only/],
    ['***.txt', /no letters or digits/],
    ['', /no name/],
  ])('refuses %j', (name, why) => {
    expect(() => collectionName(name)).toThrow(why);
  });
  test('keeps plain names, replaces odd characters, keeps the extension within 100 characters', () => {
    expect(collectionName('Report 2024.TXT')).toBe('Report 2024.TXT');
    expect(collectionName('what?<is>this|file*.md')).toBe('what_is_this_file_.md');
    expect(collectionName('Zürich notes.md')).toBe('Zürich notes.md');
    const long = collectionName(`${'a'.repeat(300)}.txt`);
    expect(long).toHaveLength(100);
    expect(long.endsWith('.txt')).toBe(true);
  });
});

describe('collectionEditor', () => {
  let dir: string;
  let corpus: string;
  beforeEach(async () => {
    dir = await tempDir('quotebot-edit-');
    corpus = join(dir, 'corpus');
    await mkdir(corpus);
    await writeFile(join(corpus, 'one.txt'), ARTICLE);
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const listing = async () => (await readdir(corpus)).sort();
  const bytes = (s: string) => Buffer.from(s, 'utf8');

  test('adds a file with its metadata, then removes both', async () => {
    const ed = collectionEditor(corpus, 1024 * 1024);
    expect(
      await ed.add({ filename: 'two.md', bytes: bytes(ARTICLE), title: 'Quay', url: 'https://example.org/quay' }),
    ).toEqual({ doc: 'two.md', bytes: ARTICLE.length, replaced: false });
    expect(await listing()).toEqual(['one.txt', 'sources.json', 'two.md']);
    expect(JSON.parse(await readFile(join(corpus, 'sources.json'), 'utf8'))).toEqual({
      'two.md': { title: 'Quay', url: 'https://example.org/quay' },
    });
    expect(await readFile(join(corpus, 'two.md'), 'utf8')).toBe(ARTICLE);
    await ed.remove('two.md');
    expect(await listing()).toEqual(['one.txt', 'sources.json']);
    expect(JSON.parse(await readFile(join(corpus, 'sources.json'), 'utf8'))).toEqual({});
  });

  test('refusals write nothing: too big, not UTF-8, binary, empty, nothing to quote, a page without an article, a damaged PDF, a bad url, a name taken', async () => {
    const ed = collectionEditor(corpus, 10_000);
    const cases: [string, Uint8Array, RegExp, { url?: string }?][] = [
      ['big.txt', Buffer.alloc(10_001, 0x61), /big\.txt is 10 KB|limit is 10 KB/],
      ['latin.txt', Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0x6e, 0x6f, 0x69, 0x72]), /not UTF-8 text/],
      ['nul.txt', bytes('text\0more'), /binary/],
      ['empty.txt', new Uint8Array(0), /empty/],
      ['blank.txt', bytes('\n\n   \n'), /no passages I could quote/],
      [
        'menu.html',
        bytes(htmlPage({ title: 'Sections', paragraphs: [] })),
        /menu\.html cannot be added: it has no article text\./,
      ],
      ['cut.pdf', bytes('%PDF-1.7\n1 0 obj'), /cut\.pdf cannot be added: it is truncated/],
      ['fine.txt', bytes(ARTICLE), /full web address/, { url: 'javascript:alert(1)' }],
      ['one.txt', bytes(ARTICLE), /already in the collection: add it again with replace:true/],
    ];
    for (const [filename, data, why, extra] of cases) {
      await expect(ed.add({ filename, bytes: data, ...extra }), filename).rejects.toThrow(why);
    }
    expect(await listing()).toEqual(['one.txt']);
  });

  test('replace: swaps the file whole, keeps its sources.json entry (new fields win); bad content or a folder leaves all as it was', async () => {
    const ed = collectionEditor(corpus, 1024 * 1024);
    await ed.add({ filename: 'two.txt', bytes: bytes(ARTICLE), title: 'Quay', url: 'https://example.org/quay' });
    const updated = ARTICLE.replace('12 million', '14 million');
    expect(await ed.add({ filename: 'two.txt', bytes: bytes(updated), replace: true })).toEqual({
      doc: 'two.txt',
      bytes: updated.length,
      replaced: true,
    });
    expect(await readFile(join(corpus, 'two.txt'), 'utf8')).toBe(updated);
    expect(JSON.parse(await readFile(join(corpus, 'sources.json'), 'utf8'))).toEqual({
      'two.txt': { title: 'Quay', url: 'https://example.org/quay' },
    });
    await ed.add({ filename: 'two.txt', bytes: bytes(ARTICLE), title: 'Quay, corrected', replace: true });
    expect(JSON.parse(await readFile(join(corpus, 'sources.json'), 'utf8'))).toEqual({
      'two.txt': { title: 'Quay, corrected', url: 'https://example.org/quay' },
    });
    // replace on a new name simply adds it.
    expect(await ed.add({ filename: 'three.txt', bytes: bytes(ARTICLE), replace: true })).toMatchObject({
      replaced: false,
    });
    await expect(ed.add({ filename: 'two.txt', bytes: bytes('\n\n'), replace: true })).rejects.toThrow(
      /no passages I could quote/,
    );
    await mkdir(join(corpus, 'folder.txt'));
    await expect(ed.add({ filename: 'folder.txt', bytes: bytes(ARTICLE), replace: true })).rejects.toThrow(
      /folder\.txt is a folder in the collection/,
    );
    expect(await readFile(join(corpus, 'two.txt'), 'utf8')).toBe(ARTICLE);
    expect(await listing()).toEqual(['folder.txt', 'one.txt', 'sources.json', 'three.txt', 'two.txt']);
  });

  test('remove takes only names the collection lists', async () => {
    const ed = collectionEditor(corpus, 1000);
    await writeFile(join(dir, 'outside.txt'), ARTICLE);
    for (const name of ['../outside.txt', 'missing.txt', 'sources.json', '.']) {
      await expect(ed.remove(name)).rejects.toThrow(CollectionEditError);
    }
    expect(await readdir(dir)).toContain('outside.txt');
    expect(await listing()).toEqual(['one.txt']);
  });

  test('a folder that cannot be written: one line, and the next edit still runs', async () => {
    const ed = collectionEditor(join(dir, 'no-such-folder'), 1024 * 1024);
    await expect(ed.add({ filename: 'two.txt', bytes: bytes(ARTICLE) })).rejects.toThrow(
      /^The collection folder cannot be changed \(the folder is missing\); ask the operator to check it\.$/,
    );
    await expect(ed.remove('one.txt')).rejects.toThrow(/No file named one\.txt/);
  });

  test('concurrent adds keep every sources.json entry', async () => {
    const ed = collectionEditor(corpus, 1024 * 1024);
    await Promise.all(
      Array.from({ length: 8 }, (_, k) =>
        ed.add({ filename: `doc${k}.txt`, bytes: bytes(ARTICLE), title: `Doc ${k}` }),
      ),
    );
    expect(Object.keys(JSON.parse(await readFile(join(corpus, 'sources.json'), 'utf8'))).sort()).toEqual(
      Array.from({ length: 8 }, (_, k) => `doc${k}.txt`),
    );
  });
});

describe('createLiveEngine', () => {
  const before = createStubEngine([{ id: 'a.txt', text: 'The quay opened on Monday.' }]);
  const after = createStubEngine([{ id: 'b.txt', text: 'The bridge opened on Friday.' }]);

  test('a question in flight finishes on the engine it started with; the next one uses the new engine', async () => {
    before.delayMs = 300;
    const results: RefreshResult[] = [];
    const live = createLiveEngine(
      before,
      async () => ({
        engine: after,
        report: { docs: 1, chunks: 1, sentences: 1, embedded: 1, reused: 0, probes: 0, ms: 5, embedMs: 1, skipped: [] },
      }),
      (r) => results.push(r),
    );
    const inFlight = live.ask('when did the quay open');
    expect(await live.refresh()).toMatchObject({ ok: true, changed: true, docs: 1, embedded: 1 });
    expect(live.current).toBe(after);
    expect((await inFlight).citations.map((c) => c.doc)).toEqual(['a.txt']);
    expect((await live.ask('when did the bridge open')).citations.map((c) => c.doc)).toEqual(['b.txt']);
    expect(live.documents().map((d) => d.doc)).toEqual(['b.txt']);
    expect(results).toHaveLength(1);
    before.delayMs = 0;
  });

  test('rebuilds run one at a time; calls during a rebuild share one more; a failure keeps the old engine', async () => {
    let running = 0;
    let most = 0;
    let calls = 0;
    let fail = false;
    const live = createLiveEngine(before, async () => {
      calls++;
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, 50));
      running--;
      if (fail) throw new Error('Collection file broken.txt cannot be read.\nsecond line');
      return undefined;
    });
    const first = live.refresh();
    const rest = [live.refresh(), live.refresh(), live.refresh()];
    await Promise.all([first, ...rest]);
    expect(most).toBe(1);
    expect(calls).toBe(2);
    fail = true;
    const r = await live.refresh();
    // The moderator gets an error id only; the details (which may name server paths) are for the log.
    expect(r).toMatchObject({ ok: false, detail: 'Collection file broken.txt cannot be read.' });
    expect(!r.ok && r.error).toBe(`error ${!r.ok && r.errorId}: the details are in the bot's log`);
    expect(!r.ok && r.error).not.toMatch(/broken/);
    expect(live.current).toBe(before);
    expect((await live.ask('when did the quay open')).answered).toBe(true);
  });
});

// The Engine interface is implemented in full (a compile-time check that fails when it grows).
const _check: Engine = createLiveEngine(createStubEngine([]), async () => undefined);
void _check;
