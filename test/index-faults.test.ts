import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, readFile, rm, stat, symlink, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildIndex } from '../src/index/build.js';
import { FILES, type Manifest } from '../src/index/files.js';
import { readIndex } from '../src/index/read.js';
import { CorpusError } from '../src/ingest/load.js';
import { copyCollection, loadUseLiteOnce, REPO } from './helpers/tmp-collection.js';

import { filesDir } from '../src/index/generations.js';
import { IndexError } from '../src/index/types.js';
import { openEngine } from '../src/engine/open.js';
/** The folder of the index's current generation (see src/index/generations.ts). */
const gen = async (dir: string) => (await filesDir(dir)).path;

/**
 * Issue 4, index faults: a damaged index is one clear line (never silently used, never a crash),
 * and a rebuild that fails for any reason leaves the previous index in place and in use.
 */
let root: string;
let corpus: string;
let good: string;
let cleanup: () => Promise<void>;
let goodManifest: Manifest;

beforeAll(async () => {
  ({ root, corpus, index: good, cleanup } = await copyCollection());
  await buildIndex({ corpusDir: corpus, indexDir: good, embedder: await loadUseLiteOnce() });
  goodManifest = JSON.parse(await readFile(path.join(await gen(good), FILES.manifest), 'utf8')) as Manifest;
});

afterAll(async () => {
  await cleanup?.();
});

let copies = 0;
/** A copy of the good index, damaged by `harm`. */
async function damaged(harm: (dir: string) => Promise<void>): Promise<string> {
  const dir = path.join(root, `damaged-${++copies}`);
  await cp(good, dir, { recursive: true });
  await harm(await gen(dir));
  return dir;
}

async function editManifest(dir: string, edit: (m: Record<string, unknown>) => void): Promise<void> {
  const file = path.join(dir, FILES.manifest);
  const m = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  edit(m);
  await writeFile(file, JSON.stringify(m, null, 2));
}

/** The IndexError a promise rejects with: one line, mentions a rebuild or the index. */
async function indexError(p: Promise<unknown>): Promise<IndexError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(IndexError);
  const message = (err as Error).message;
  expect(message).not.toContain('\n');
  expect(message.length).toBeLessThan(300);
  return err as IndexError;
}

/** Temp and old folders beside an index, or anywhere in the test root. */
async function leftovers(): Promise<string[]> {
  return (await readdir(root)).filter((n) => /\.(tmp|old)-/.test(n));
}

const faults: [string, (dir: string) => Promise<void>, RegExp][] = [
  [
    'truncated hnsw.bin',
    async (dir) => truncate(path.join(dir, FILES.hnsw), Math.floor((await stat(path.join(dir, FILES.hnsw))).size / 2)),
    /corrupt: hnsw\.bin has \d+ bytes, expected \d+/,
  ],
  [
    'truncated hnsw.bin with a manifest that agrees on its size',
    async (dir) => {
      const size = Math.floor((await stat(path.join(dir, FILES.hnsw))).size / 2);
      await truncate(path.join(dir, FILES.hnsw), size);
      await editManifest(dir, (m) => ((m.sizes as Record<string, number>)[FILES.hnsw] = size));
    },
    /hnsw\.bin cannot be read/,
  ],
  [
    'hnsw.bin overwritten with garbage of the same size',
    async (dir) =>
      writeFile(path.join(dir, FILES.hnsw), Buffer.alloc((await stat(path.join(dir, FILES.hnsw))).size, 0x41)),
    /hnsw\.bin cannot be read/,
  ],
  ['manifest with wrong dims', (dir) => editManifest(dir, (m) => (m.dims = 384)), /inconsistent/],
  [
    'manifest with an unknown embedder',
    (dir) => editManifest(dir, (m) => (m.embedder = 'word2vec-google-news')),
    /embedder: unknown embedder/,
  ],
  [
    'manifest that is not JSON',
    (dir) => writeFile(path.join(dir, FILES.manifest), '{"format": 1, "embedder": "use-'),
    /manifest\.json is not valid JSON/,
  ],
  ['manifest of another format', (dir) => editManifest(dir, (m) => (m.format = 99)), /manifest\.json format/],
  ['missing chunks.json', (dir) => rm(path.join(dir, FILES.chunks)), /incomplete: chunks\.json is missing/],
  [
    'missing chunks.json and a manifest that no longer lists it',
    async (dir) => {
      await rm(path.join(dir, FILES.chunks));
      await editManifest(dir, (m) => delete (m.sizes as Record<string, number>)[FILES.chunks]);
    },
    /manifest\.json does not list chunks\.json/,
  ],
  ['missing vectors.f32', (dir) => rm(path.join(dir, FILES.vectors)), /incomplete: vectors\.f32 is missing/],
  [
    'docs.json garbled (same size)',
    async (dir) => writeFile(path.join(dir, FILES.docs), 'x'.repeat((await stat(path.join(dir, FILES.docs))).size)),
    /docs\.json is not valid JSON/,
  ],
  [
    'chunks.json with a broken record (same size)',
    async (dir) => {
      const raw = await readFile(path.join(dir, FILES.chunks), 'utf8');
      await writeFile(path.join(dir, FILES.chunks), raw.replace('"start":', '"begin":'));
    },
    /chunks\.json .*start/,
  ],
  [
    'chunks.json naming a document that is not in docs.json (same size)',
    async (dir) => {
      const raw = await readFile(path.join(dir, FILES.chunks), 'utf8');
      await writeFile(
        path.join(dir, FILES.chunks),
        raw.replaceAll('"doc":"001_e031b70f8b598c01.txt"', '"doc":"001_e031b70f8b598c0X.txt"'),
      );
    },
    /inconsistent: chunks\.json record \d+ names 001_e031b70f8b598c0X\.txt/,
  ],
  [
    'chunks.json with offsets past the end of the document (same size)',
    async (dir) => {
      const raw = await readFile(path.join(dir, FILES.chunks), 'utf8');
      await writeFile(path.join(dir, FILES.chunks), raw.replace(/"end":(\d)(\d{3})\b/, '"end":9$2'));
    },
    /inconsistent: chunks\.json record \d+ has offsets outside its document/,
  ],
  [
    'docs.json from another build (a hash differs, same size)',
    async (dir) => {
      const raw = await readFile(path.join(dir, FILES.docs), 'utf8');
      await writeFile(
        path.join(dir, FILES.docs),
        raw.replace(/"hash":"([0-9a-f])/, (_m, c: string) => `"hash":"${c === '0' ? '1' : '0'}`),
      );
    },
    /inconsistent: docs\.json does not match the manifest/,
  ],
  [
    'lexical.json garbled (same size)',
    async (dir) =>
      writeFile(path.join(dir, FILES.lexical), '{}'.padEnd((await stat(path.join(dir, FILES.lexical))).size, ' ')),
    /lexical\.json cannot be read/,
  ],
];

describe.each(faults)('index fault: %s', (_name, harm, pattern) => {
  let dir: string;
  beforeAll(async () => {
    dir = await damaged(harm);
  });

  it('readIndex throws one clear IndexError line', async () => {
    const err = await indexError(readIndex(dir));
    expect(err.message).toMatch(pattern);
    expect(err.message).toContain(dir);
  });

  it('openEngine refuses it with the same kind of error and does not touch it', async () => {
    const before = await readdir(dir);
    const notices: string[] = [];
    await indexError(openEngine({ corpusDir: corpus, indexDir: dir, notice: (l) => notices.push(l) }));
    // A corrupt index is reported, not silently rebuilt behind the user's back.
    expect(notices.filter((n) => /building|updating/i.test(n))).toEqual([]);
    expect(await readdir(dir)).toEqual(before);
  });
});

describe('no index, or the wrong one', () => {
  it('a folder without a manifest is "no index"', async () => {
    const err = await indexError(readIndex(path.join(root, 'nowhere')));
    expect(err.message).toMatch(/No index in .*manifest\.json missing/);
  });

  it('asking for another embedder than the index was built with is a clear error', async () => {
    const err = await indexError(
      openEngine({ corpusDir: corpus, indexDir: good, embedder: 'transformers:Xenova/bge-small-en-v1.5' }),
    );
    expect(err.message).toContain('use-lite');
    expect(err.message).toContain('transformers:Xenova/bge-small-en-v1.5');
  });
});

describe('an index made by an older version', () => {
  it.each([
    ['without a similarity scale', (m: Record<string, unknown>) => delete m.scale],
    ['with older term rules', (m: Record<string, unknown>) => (m.lexical = 1)],
  ])('%s is updated on open, every sentence vector reused', async (_, edit) => {
    const dir = await damaged((d) => editManifest(d, edit));
    const before = await readFile(path.join(await gen(dir), FILES.vectors));
    const notices: string[] = [];
    const engine = await openEngine({ corpusDir: corpus, indexDir: dir, notice: (l) => notices.push(l) });
    expect(notices.some((n) => /older version: updating it/.test(n))).toBe(true);
    const m = JSON.parse(await readFile(path.join(await gen(dir), FILES.manifest), 'utf8')) as Manifest;
    expect(m.scale).toEqual(goodManifest.scale);
    expect(m.lexical).toBe(goodManifest.lexical);
    expect(Buffer.compare(before, await readFile(path.join(await gen(dir), FILES.vectors)))).toBe(0);
    expect((await engine.ask('What did Putin demand about the missile shield?')).answered).toBe(true);
  });
});

describe('a rebuild that cannot read the collection', () => {
  let index: string;
  const added = 'zz_added.txt';
  const gone = 'zz_deleted.txt';

  beforeAll(async () => {
    index = path.join(root, 'rebuild-index');
    await cp(good, index, { recursive: true });
    // A file added (the index is stale) while sources.json is broken: the collection cannot be read as a whole.
    await writeFile(
      path.join(corpus, added),
      'Late news\n\nThe harbour board met on Friday and agreed to repaint the lighthouse before the winter storms.\n',
    );
    await writeFile(path.join(corpus, 'sources.json'), '{ "zz_added.txt": ');
  });
  afterAll(async () => {
    for (const f of [added, gone, 'sources.json']) await rm(path.join(corpus, f), { force: true });
  });

  it('buildIndex fails with a one-line CorpusError and leaves the previous index intact', async () => {
    const err = await buildIndex({ corpusDir: corpus, indexDir: index, embedder: await loadUseLiteOnce() }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(CorpusError);
    expect((err as Error).message).toBe('sources.json is not valid JSON.');
    const m = JSON.parse(await readFile(path.join(await gen(index), FILES.manifest), 'utf8')) as Manifest;
    expect(m.created).toBe(goodManifest.created);
    expect((await readIndex(index)).docs).toHaveLength(5);
    expect(await leftovers()).toEqual([]);
  });

  it('openEngine keeps answering from the previous index, with a notice', async () => {
    const notices: string[] = [];
    const engine = await openEngine({ corpusDir: corpus, indexDir: index, notice: (l) => notices.push(l) });
    expect(notices.some((n) => /changed/.test(n))).toBe(true);
    const failed = notices.find((n) => /Could not update the index/.test(n));
    expect(failed).toBeDefined();
    expect(failed).toContain('sources.json');
    expect(failed).toMatch(/previous one/);
    for (const n of notices) expect(n).not.toContain('\n');
    expect(engine.documents()).toHaveLength(5);
    const a = await engine.ask('What did Putin demand about the missile shield?');
    expect(a.answered).toBe(true);
    expect(a.citations.length).toBeGreaterThan(0);
    const m = JSON.parse(await readFile(path.join(await gen(index), FILES.manifest), 'utf8')) as Manifest;
    expect(m.created).toBe(goodManifest.created);
    expect(await leftovers()).toEqual([]);
  });

  it('a file that cannot be read is skipped with one line naming it; the rest is indexed, and stays fresh', async () => {
    await rm(path.join(corpus, 'sources.json'));
    // Listed, then gone when read: what a file deleted in the middle of a rebuild looks like.
    await symlink(path.join(root, 'does-not-exist.txt'), path.join(corpus, gone));
    const notices: string[] = [];
    const engine = await openEngine({ corpusDir: corpus, indexDir: index, notice: (l) => notices.push(l) });
    expect(notices).toContain('Skipped zz_deleted.txt: it cannot be read.');
    expect(engine.documents().map((d) => d.doc)).toContain(added);
    expect(engine.documents()).toHaveLength(6);
    // The skipped file is remembered: opening again rebuilds nothing.
    const again: string[] = [];
    await openEngine({ corpusDir: corpus, indexDir: index, notice: (l) => again.push(l) });
    expect(again).toEqual([]);
  });

  it('a folder named like a text file is not a collection file, so it does not make the index stale', async () => {
    await mkdir(path.join(corpus, 'folder.txt'));
    try {
      const notices: string[] = [];
      await openEngine({ corpusDir: corpus, indexDir: index, notice: (l) => notices.push(l) });
      expect(notices).toEqual([]);
    } finally {
      await rm(path.join(corpus, 'folder.txt'), { recursive: true });
    }
  });
});

describe('a rebuild killed midway', () => {
  it('leaves the old index readable; the next build takes over its lock and removes its generation', async () => {
    const index = path.join(root, 'killed-index');
    await cp(good, index, { recursive: true });
    await writeFile(
      path.join(corpus, '006_new.txt'),
      'Late news arrives\n\nA new file was added to the collection just before the rebuild was killed. Nobody noticed it at first.\n',
    );
    // A child process builds the index and is SIGKILLed after writing the new folder, before the swap.
    const script = path.join(root, 'kill-build.mts');
    const src = (p: string) => pathToFileURL(path.join(REPO, p)).href;
    await writeFile(
      script,
      `import { buildIndex } from ${JSON.stringify(src('src/index/build.ts'))};
import { loadUseLite } from ${JSON.stringify(src('src/embed/use-lite.ts'))};
await buildIndex({ corpusDir: ${JSON.stringify(corpus)}, indexDir: ${JSON.stringify(index)}, embedder: await loadUseLite(),
  beforeSwap: async () => { process.kill(process.pid, 'SIGKILL'); await new Promise(() => {}); } });
console.log('swapped');`,
    );
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const signal = await new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, sig) => resolve(sig)),
    );
    expect(signal, out).toBe('SIGKILL');
    expect(out).not.toContain('swapped');

    // Its new generation was written but never made current; its lock names a dead process.
    const current = path.basename(await gen(index));
    const orphans = (await readdir(index)).filter((n) => n.startsWith('gen-') && n !== current);
    expect(orphans.length).toBeGreaterThanOrEqual(1);
    expect(await readFile(path.join(index, 'write.lock'), 'utf8')).toMatch(new RegExp(`^${child.pid} `));
    const old = await readIndex(index);
    expect(old.manifest.created).toBe(goodManifest.created);
    expect(old.docs).toHaveLength(5);

    const r = await buildIndex({ corpusDir: corpus, indexDir: index, embedder: await loadUseLiteOnce() });
    expect(r.docs).toBe(6);
    // The dead build's lock is taken over and its generation removed; the killed one's was never current.
    const after = await readdir(index);
    for (const o of orphans) expect(after).not.toContain(o);
    expect(after).not.toContain('write.lock');
    expect((await readdir(root)).filter((n) => n.startsWith('killed-index.'))).toEqual([]);
    expect((await readIndex(index)).docs).toHaveLength(6);
    await rm(path.join(corpus, '006_new.txt'));
    expect(existsSync(path.join(corpus, '006_new.txt'))).toBe(false);
  });
});
