import { existsSync } from 'node:fs';
import { appendFile, cp, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Embedder } from '../src/embed/embedder.js';
import { buildIndex } from '../src/index/build.js';
import { ChunksFileSchema, DocsFileSchema, FILES, ManifestSchema } from '../src/index/files.js';
import { readIndex } from '../src/index/read.js';
import { recoverLeftovers } from '../src/index/swap.js';
import { sha256 } from '../src/ingest/load.js';
import {
  cleanCollection,
  copyCollection,
  countingEmbedder,
  fileText,
  loadUseLiteOnce,
} from './helpers/tmp-collection.js';

import { filesDir } from '../src/index/generations.js';
import { type BuildReport } from '../src/index/types.js';
import { parseStatsData, statsData, storedStats } from '../src/retrieve/stats.js';
import { createEngine, createEngineAsync } from '../src/engine/create.js';
import { policyFor } from '../src/answer/calibration.js';
/** The folder of the index's current generation (see src/index/generations.ts). */
const gen = async (dir: string) => (await filesDir(dir)).path;

/**
 * One seeds index per file, built once and then updated step by step: the tests run in order
 * and each one leaves the index in the state the next one expects.
 */
let root: string;
let corpus: string;
let index: string;
let cleanup: () => Promise<void>;
let embedder: Embedder & { count: number; reset: () => void };
let first: BuildReport;

/** A PID that is certainly not running (above Linux's pid_max). */
const DEAD_PID = 999_999_999;

async function build(extra: Partial<Parameters<typeof buildIndex>[0]> = {}): Promise<BuildReport> {
  embedder.reset();
  const report = await buildIndex({ corpusDir: corpus, indexDir: index, embedder, ...extra });
  // What the report says was embedded is what went through the embedder.
  expect(report.embedded + report.probes).toBe(embedder.count);
  expect(report.embedded + report.reused).toBe(report.sentences);
  return report;
}

async function manifestJson(dir = index) {
  return ManifestSchema.parse(JSON.parse(await readFile(path.join(await gen(dir), FILES.manifest), 'utf8')));
}

/** Sentences the pipeline finds in each file of the corpus (without embedding). */
async function sentencesPerDoc(): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const [id, { chunks }] of await cleanCollection(corpus))
    out.set(
      id,
      chunks.reduce((n, c) => n + c.sentences.length, 0),
    );
  return out;
}

/** Temp and old folders that a build leaves beside the index (there must be none). */
async function leftovers(): Promise<string[]> {
  return (await readdir(root)).filter((n) => /\.(tmp|old)-/.test(n));
}

beforeAll(async () => {
  ({ root, corpus, index, cleanup } = await copyCollection());
  embedder = countingEmbedder(await loadUseLiteOnce());
  first = await build();
});

afterAll(async () => {
  await cleanup?.();
});

describe('a fresh build', () => {
  it('embeds every sentence of the collection', async () => {
    const per = await sentencesPerDoc();
    const total = [...per.values()].reduce((a, b) => a + b, 0);
    expect(first.docs).toBe(5);
    expect(first.sentences).toBe(total);
    expect(first.embedded).toBe(total);
    expect(first.reused).toBe(0);
    expect(first.chunks).toBeGreaterThan(first.docs);
  });

  it('writes a manifest that validates: use-lite, 512 dims, versions, per-file hashes, sizes', async () => {
    const m = await manifestJson();
    expect(m.embedder).toBe('use-lite');
    expect(m.dims).toBe(512);
    expect(m.hnsw.space).toBe('cosine');
    expect(m.counts).toEqual({ docs: first.docs, chunks: first.chunks, sentences: first.sentences });
    const ids = (await readdir(corpus)).filter((n) => n.endsWith('.txt')).sort();
    expect(m.files.map((f) => f.id)).toEqual(ids);
    for (const f of m.files) expect(f.hash).toBe(sha256(await fileText(corpus, f.id)));
    for (const name of [FILES.docs, FILES.chunks, FILES.vectors, FILES.hnsw, FILES.lexical]) {
      expect(m.sizes[name], name).toBe((await stat(path.join(await gen(index), name))).size);
    }
    expect(Number.isNaN(Date.parse(m.created))).toBe(false);
    // The embedder's similarity scale: an answer sits closer to its question than unrelated text.
    expect(m.scale!.related).toBeGreaterThan(m.scale!.unrelated + 0.2);
    expect(first.probes).toBeGreaterThan(0);
  });

  it('the other files validate and agree with each other', async () => {
    const docs = DocsFileSchema.parse(JSON.parse(await readFile(path.join(await gen(index), FILES.docs), 'utf8')));
    const chunks = ChunksFileSchema.parse(
      JSON.parse(await readFile(path.join(await gen(index), FILES.chunks), 'utf8')),
    );
    expect(docs).toHaveLength(5);
    expect(chunks).toHaveLength(first.chunks);
    chunks.forEach((c, i) => expect(c.id).toBe(i));
    const vectors = await readFile(path.join(await gen(index), FILES.vectors));
    expect(vectors.byteLength).toBe(first.sentences * 512 * 4);
    for (const d of docs) expect(d.text).toBe(await fileText(corpus, d.id));
  });

  it('readIndex loads it: HNSW count and dims, unit vectors, lexical search', async () => {
    const loaded = await readIndex(index);
    expect(loaded.sentences).toHaveLength(first.sentences);
    expect(loaded.dense.count).toBe(first.sentences);
    expect(loaded.manifest.dims).toBe(512);
    for (const row of [0, Math.floor(first.sentences / 2), first.sentences - 1]) {
      const v = loaded.vectors.subarray(row * 512, (row + 1) * 512);
      expect(Math.hypot(...v)).toBeCloseTo(1, 3);
    }
    // The nearest neighbour of a stored vector is itself.
    const probe = 7;
    const knn = await loaded.dense.knn(Array.from(loaded.vectors.subarray(probe * 512, (probe + 1) * 512)), 1);
    expect(knn.neighbors[0]).toBe(probe);
    const hits = loaded.lexical.search('Kaliningrad missiles');
    expect(hits.length).toBeGreaterThan(0);
    expect(loaded.chunks[hits[0]!.id as number]!.doc).toBe('001_e031b70f8b598c01.txt');
    expect(await leftovers()).toEqual([]);
  });

  it('stores the generation’s statistics with it when asked, the same a reader would compute', async () => {
    // (The fresh build above was asked for none.)
    expect((await readIndex(index)).stats).toBeUndefined();
    await build({ stats: storedStats });
    const loaded = await readIndex(index);
    expect(loaded.stats).toBe(storedStats(loaded));
    expect(parseStatsData(loaded.stats, loaded)?.focus.says).toEqual(statsData(loaded).focus.says);
  });

  it('an engine opened a step at a time lets the event loop turn between steps, and scores as one opened at once', async () => {
    const policy = policyFor('use-lite');
    const whole = createEngine(await readIndex(index), embedder, policy);
    const loaded = await readIndex(index);
    // Counts the event loop's turns while the engine is made.
    let turns = 0;
    let spinning = true;
    const spin = () => spinning && (turns++, setImmediate(spin));
    setImmediate(spin);
    const stepped = await createEngineAsync(loaded, embedder, policy);
    spinning = false;
    expect(turns).toBeGreaterThanOrEqual(3);
    expect([...stepped.stats.idf]).toEqual([...whole.stats.idf]);
    expect([...stepped.stats.chunkNorms]).toEqual([...whole.stats.chunkNorms]);
    expect(stepped.stats.focus.says).toEqual(whole.stats.focus.says);
  });
});

describe('incremental rebuilds', () => {
  it('with no change, embeds 0 sentences and keeps identical vectors', async () => {
    const before = await readFile(path.join(await gen(index), FILES.vectors));
    const r = await build();
    expect(r.embedded).toBe(0);
    expect(r.probes).toBe(0);
    expect(r.reused).toBe(first.sentences);
    expect(Buffer.compare(before, await readFile(path.join(await gen(index), FILES.vectors)))).toBe(0);
    expect(await leftovers()).toEqual([]);
  });

  it('changing one file re-embeds only that file’s sentences', async () => {
    const changed = '002_eabb709f850d152a.txt';
    // A new paragraph inside the article body (text after the page's footer would be cleaned away).
    const text = await fileText(corpus, changed);
    const anchor = text.indexOf('\n', text.indexOf('Russian President Vladimir Putin on Saturday demanded'));
    expect(anchor).toBeGreaterThan(0);
    const added =
      '\n\nThe ministry added on Sunday that talks would resume in the spring. Officials on both sides declined to give a date.';
    await writeFile(path.join(corpus, changed), text.slice(0, anchor) + added + text.slice(anchor));
    const per = await sentencesPerDoc();
    const r = await build();
    expect(r.embedded).toBe(per.get(changed));
    expect(r.reused).toBe(r.sentences - per.get(changed)!);
    const m = await manifestJson();
    expect(m.files.find((f) => f.id === changed)!.hash).toBe(sha256(await fileText(corpus, changed)));
    const loaded = await readIndex(index);
    expect(loaded.lexical.search('ministry resume spring').map((h) => loaded.chunks[h.id as number]!.doc)).toContain(
      changed,
    );
  });

  it('adding a file embeds only the new file', async () => {
    await writeFile(
      path.join(corpus, '005_added.txt'),
      'Harbour ferry strike ends\n\nFerry crews in the harbour ended a four-day strike on Monday after the operator agreed to a pay rise of 6 percent. Services will resume on Tuesday morning, the union said.\n\nThe operator said the deal would cost about 2 million a year. Passengers had faced long queues for buses during the strike.\n',
    );
    const per = await sentencesPerDoc();
    const r = await build();
    expect(r.docs).toBe(6);
    expect(r.embedded).toBe(per.get('005_added.txt'));
    expect(r.embedded).toBeGreaterThan(0);
    const loaded = await readIndex(index);
    expect(loaded.docs.map((d) => d.id)).toContain('005_added.txt');
    expect(loaded.docs.find((d) => d.id === '005_added.txt')!.title).toBe('Harbour ferry strike ends');
  });

  it('removing a file embeds nothing and drops it from every file of the index', async () => {
    await rm(path.join(corpus, '005_added.txt'));
    const r = await build();
    expect(r.docs).toBe(5);
    expect(r.embedded).toBe(0);
    const m = await manifestJson();
    expect(m.files.map((f) => f.id)).not.toContain('005_added.txt');
    const loaded = await readIndex(index);
    expect(loaded.docs.map((d) => d.id)).not.toContain('005_added.txt');
    expect(loaded.chunks.some((c) => c.doc === '005_added.txt')).toBe(false);
    expect(loaded.dense.count).toBe(r.sentences);
  });

  it('another embedder id (or dims) reuses nothing', async () => {
    let count = 0;
    // A fast stand-in: any unit vectors will do, the point is that nothing is reused.
    const other: Embedder = {
      id: 'transformers:test/other',
      dims: 512,
      embed: async (texts) => {
        count += texts.length;
        return texts.map((t) => Array.from({ length: 512 }, (_, i) => (i === t.length % 512 ? 1 : 0)));
      },
    };
    const otherIndex = path.join(root, 'other-index');
    await cp(index, otherIndex, { recursive: true });
    const r = await buildIndex({ corpusDir: corpus, indexDir: otherIndex, embedder: other });
    expect(r.reused).toBe(0);
    expect(count).toBe(r.sentences + r.probes);
    expect(r.probes).toBeGreaterThan(0);
    expect((await manifestJson(otherIndex)).embedder).toBe('transformers:test/other');
    await rm(otherIndex, { recursive: true, force: true });
  });
});

describe('atomic swap', () => {
  it('a build that fails before the swap leaves the previous generation current and no new folder', async () => {
    const before = await manifestJson();
    const genBefore = await gen(index);
    const existing = await readdir(index);
    await appendFile(
      path.join(corpus, '000_66da2474460d67a9.txt'),
      '\n\nA late paragraph that the failed build would have added to the index.\n',
    );
    let written: string[] = [];
    await expect(
      build({
        beforeSwap: async () => {
          // The new generation is complete in its own folder at this point, and not in use.
          written = (await readdir(index)).filter((n) => n.startsWith('gen-') && !existing.includes(n));
          expect(written).toHaveLength(1);
          expect(existsSync(path.join(index, written[0]!, FILES.manifest))).toBe(true);
          expect(await gen(index)).toBe(genBefore);
          throw new Error('crash before swap');
        },
      }),
    ).rejects.toThrow('crash before swap');
    expect(written).toHaveLength(1);
    expect(existsSync(path.join(index, written[0]!))).toBe(false);
    expect(await leftovers()).toEqual([]);
    expect(await gen(index)).toBe(genBefore);
    const after = await manifestJson();
    expect(after.created).toBe(before.created);
    expect(after.files).toEqual(before.files);
    const loaded = await readIndex(index);
    expect(loaded.sentences).toHaveLength(before.counts.sentences);
    // Put the file back for the next tests.
    const text = await fileText(corpus, '000_66da2474460d67a9.txt');
    await writeFile(path.join(corpus, '000_66da2474460d67a9.txt'), text.replace(/\n\nA late paragraph[^\n]*\n$/, ''));
    expect(sha256(await fileText(corpus, '000_66da2474460d67a9.txt'))).toBe(
      before.files.find((f) => f.id === '000_66da2474460d67a9.txt')!.hash,
    );
  });

  it('keeps the current and the previous generation only; a reader never loads a mix while builds flip the pointer', async () => {
    const names = async () => (await readdir(index)).filter((n) => n.startsWith('gen-')).sort();
    const file = (await readdir(corpus)).filter((n) => n.endsWith('.txt')).sort()[3]!;
    const original = await fileText(corpus, file);
    // Readers load over and over while two builds replace the index: each load is one whole
    // generation (readIndex checks sizes and cross-references; here also the text of the file).
    let loads = 0;
    let stop = false;
    const seen = new Set<string>();
    const reader = (async () => {
      while (!stop) {
        const loaded = await readIndex(index);
        const doc = loaded.docs.find((d) => d.id === file)!;
        expect(loaded.manifest.files.find((f) => f.id === file)!.hash).toBe(doc.hash);
        expect(sha256(doc.text)).toBe(doc.hash);
        seen.add(loaded.generation!);
        loads++;
      }
    })();
    for (const extra of ['\n\nOne more paragraph about the matter, added for this test.\n', '']) {
      await writeFile(path.join(corpus, file), original + extra);
      const r = await build();
      expect(r.embedded).toBeLessThan(r.sentences);
    }
    stop = true;
    await reader;
    expect(loads).toBeGreaterThan(1);
    expect(seen.size).toBeGreaterThanOrEqual(1);
    const pointer = JSON.parse(await readFile(path.join(index, 'current.json'), 'utf8')) as {
      generation: string;
      previous: string;
    };
    expect(await names()).toEqual([pointer.generation, pointer.previous].sort());
    expect(existsSync(path.join(index, 'write.lock'))).toBe(false);
  });

  it('an index folder of the older flat layout is read as it is, and the next build moves it to generations', async () => {
    const flat = path.join(root, 'flat-index');
    await cp(await gen(index), flat, { recursive: true });
    expect(existsSync(path.join(flat, 'current.json'))).toBe(false);
    const loaded = await readIndex(flat);
    expect(loaded.generation).toBeUndefined();
    expect(loaded.docs.map((d) => d.id)).toEqual((await readIndex(index)).docs.map((d) => d.id));
    const r = await buildIndex({ corpusDir: corpus, indexDir: flat, embedder });
    expect(r.embedded).toBe(0);
    const names = await readdir(flat);
    expect(names.filter((n) => !n.startsWith('gen-')).sort()).toEqual(['current.json']);
    expect((await readIndex(flat)).generation).toMatch(/^gen-/);
    await rm(flat, { recursive: true });
  });

  it('a second build of the same folder waits for the first (one writer at a time)', async () => {
    const notices: string[] = [];
    let firstDone = 0;
    const a = build().then(() => (firstDone = Date.now()));
    await new Promise((r) => setTimeout(r, 20));
    const b = buildIndex({ corpusDir: corpus, indexDir: index, embedder, notice: (l) => notices.push(l) }).then(() =>
      Date.now(),
    );
    const [, secondDone] = await Promise.all([a, b]);
    expect(notices.some((n) => /Waiting for another build of the index/.test(n))).toBe(true);
    expect(secondDone).toBeGreaterThanOrEqual(firstDone);
    expect(existsSync(path.join(index, 'write.lock'))).toBe(false);
  });

  it('a lock left by a dead process is taken over', async () => {
    await writeFile(path.join(index, 'write.lock'), `${DEAD_PID} 0badf00d`);
    const r = await build();
    expect(r.embedded).toBe(0);
    expect(existsSync(path.join(index, 'write.lock'))).toBe(false);
  });

  it('a leftover temp folder from a dead build is removed by the next build; a live one is kept', async () => {
    const dead = path.join(root, `index.tmp-${DEAD_PID}-0badf00d`);
    const live = path.join(root, `index.tmp-${process.ppid}-feedf00d`);
    const otherIndex = path.join(root, `other.tmp-${DEAD_PID}-0badf00d`);
    for (const d of [dead, live, otherIndex]) {
      await mkdir(d);
      await writeFile(path.join(d, FILES.manifest), '{ half written');
    }
    const r = await build();
    expect(r.embedded).toBe(0);
    expect(existsSync(dead)).toBe(false);
    // A build still running in another process owns its folder; another index's folders are not ours.
    expect(existsSync(live)).toBe(true);
    expect(existsSync(otherIndex)).toBe(true);
    await rm(live, { recursive: true });
    await rm(otherIndex, { recursive: true });
    expect(await leftovers()).toEqual([]);
  });

  it('a crash between the two renames of a swap is recovered: the old index comes back', async () => {
    const before = await manifestJson();
    const old = path.join(root, `index.old-${DEAD_PID}-12345678`);
    await rename(index, old);
    expect(existsSync(index)).toBe(false);
    await recoverLeftovers(index);
    expect(existsSync(old)).toBe(false);
    expect((await manifestJson()).created).toBe(before.created);
    await readIndex(index);
  });

  it('the index lives at the path given, relative or absolute', async () => {
    const cwd = process.cwd();
    try {
      process.chdir(root);
      const r = await buildIndex({ corpusDir: 'corpus', indexDir: 'index', embedder });
      expect(r.embedded).toBe(0);
    } finally {
      process.chdir(cwd);
    }
    expect(await leftovers()).toEqual([]);
  });
});
