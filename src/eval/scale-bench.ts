/**
 * The scale benchmark: a generated collection of N sentences, built into an index, then the
 * approximate (HNSW) search checked against exact cosine search. Text is realistic but made
 * here: sentences of the given source collections, each new one the front of one sentence
 * joined to the back of another, grouped into article-sized documents. Nothing is loaded from
 * outside. The index is reached through a small {@link ScaleStore}, so another store (e.g. a
 * database) can be measured the same way.
 */
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { chunkDocument } from '../ingest/chunk.js';
import { cleanDocument } from '../ingest/clean/clean.js';
import type { Embedder } from '../embed/embedder.js';
import { buildIndex, embeddingText } from '../index/build.js';
import { readIndex } from '../index/read.js';
import { filesDir } from '../index/generations.js';
import { loadCollection } from '../ingest/load.js';
import { type BuildReport, type IndexStore } from '../index/types.js';

/** What the benchmark needs of an index store. Sentence ids are ordinals in the index. */
export interface ScaleStore {
  build(corpusDir: string, embedder: Embedder, progress?: (done: number, total: number) => void): Promise<BuildReport>;
  /** Opens the built index for searching. */
  open(): Promise<{
    /** Approximate nearest sentences, best first: the store's real query path. */
    search(query: number[], k: number): number[] | Promise<number[]>;
    /** Exact nearest sentences by cosine, best first. */
    exact(query: number[], k: number): number[];
    /** Bytes on disk (or in the database). */
    bytes(): Promise<number>;
  }>;
}

/** Exact nearest rows of `vectors` by cosine (unit vectors: dot product), best first. */
function exactNearest(vectors: Float32Array, dims: number, q: number[], k: number): number[] {
  const n = vectors.length / dims;
  const scores = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let dot = 0;
    for (let d = 0, off = i * dims; d < dims; d++) dot += vectors[off + d]! * q[d]!;
    scores[i] = dot;
  }
  return topK(scores, k);
}

/** Any `IndexStore` (the Postgres one): searched the way the engine searches it. */
export function indexStoreScale(store: IndexStore): ScaleStore {
  return {
    build: (corpusDir, embedder, progress) => store.build({ corpusDir, embedder, progress }),
    async open() {
      const index = await store.load();
      const dims = index.manifest.dims;
      return {
        search: async (q, k) => (await index.dense.knn(q, Math.min(k, index.dense.count))).neighbors,
        exact: (q, k) => exactNearest(index.vectors, dims, q, k),
        bytes: () => store.bytes(),
      };
    },
  };
}

export interface ScaleFigures {
  sentences: number;
  build_ms: number;
  embed_sentences_per_s: number;
  recall_at_10: number;
  search_ms: { p50: number; p95: number };
  rss_mb: number;
  index_mb: number;
  runtime?: string;
}

/** Neighbours retrieval asks HNSW for per query (as `retrieve.ts` does). */
const SEARCH_K = 64;
const QUERIES = 200;
const SENTENCES_PER_DOC = 40;
const SENTENCES_PER_PARAGRAPH = 4;

/** mulberry32: a small seeded PRNG, so a given N always makes the same collection (guild-bench.ts uses it too). */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The sentences of the source collections, as words (sentences under five words left out). */
export async function sourceSentences(dirs: string[]): Promise<string[][]> {
  const out: string[][] = [];
  for (const dir of dirs)
    for (const doc of await loadCollection(dir))
      for (const c of chunkDocument(cleanDocument(doc), 0))
        for (const s of c.sentences) {
          const words = embeddingText(doc.text.slice(s.start, s.end)).split(' ');
          if (words.length >= 5) out.push(words);
        }
  if (out.length < 2) throw new Error('scale bench: the source collections have too few sentences');
  return out;
}

/** `count` new sentences: the front of one source sentence, then the back of another. */
export function recombine(source: string[][], count: number, seed: number): string[] {
  const rnd = random(seed);
  const pick = () => source[Math.floor(rnd() * source.length)]!;
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const a = pick(),
      b = pick();
    const front = a.slice(0, 2 + Math.floor(rnd() * (a.length - 3)));
    const back = b.slice(1 + Math.floor(rnd() * (b.length - 2)));
    let s = [...front, ...back].join(' ');
    s = s.charAt(0).toUpperCase() + s.slice(1);
    out.push(/[.!?]["'”’)]?$/.test(s) ? s : `${s}.`);
  }
  return out;
}

/** Writes `sentences` as article-sized text documents into `dir`. */
export async function writeCollection(dir: string, sentences: string[]): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (let d = 0; d * SENTENCES_PER_DOC < sentences.length; d++) {
    const doc = sentences.slice(d * SENTENCES_PER_DOC, (d + 1) * SENTENCES_PER_DOC);
    const paragraphs: string[] = [];
    for (let p = 0; p < doc.length; p += SENTENCES_PER_PARAGRAPH)
      paragraphs.push(doc.slice(p, p + SENTENCES_PER_PARAGRAPH).join(' '));
    await writeFile(
      join(dir, `article-${String(d).padStart(5, '0')}.txt`),
      `Article ${d + 1}\n\n${paragraphs.join('\n\n')}\n`,
    );
  }
}

/**
 * Bytes on disk of the index in use in `indexDir`: every file of its current generation (the
 * generation folder, or the folder itself in the older flat layout), sub-folders included.
 */
export async function indexBytes(indexDir: string): Promise<number> {
  const sum = async (dir: string): Promise<number> => {
    let total = 0;
    for (const e of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, e.name);
      if (e.isDirectory()) total += await sum(path);
      else if (e.isFile()) total += (await stat(path)).size;
    }
    return total;
  };
  return sum((await filesDir(indexDir)).path);
}

/** The index folder of `buildIndex`: HNSW from hnswlib, exact search over the stored vectors. */
export function fileStore(indexDir: string): ScaleStore {
  return {
    build: (corpusDir, embedder, progress) => buildIndex({ corpusDir, indexDir, embedder, progress }),
    async open() {
      const index = await readIndex(indexDir);
      const { vectors } = index;
      const dims = index.manifest.dims;
      const n = vectors.length / dims;
      return {
        search: (q, k) => index.dense.knnSync!(q, Math.min(k, n)).neighbors,
        exact: (q, k) => exactNearest(vectors, dims, q, k),
        bytes: () => indexBytes(indexDir),
      };
    },
  };
}

function topK(scores: Float32Array, k: number): number[] {
  const best: number[] = [];
  for (let i = 0; i < scores.length; i++) {
    if (best.length === k && scores[i]! <= scores[best[k - 1]!]!) continue;
    let j = best.length === k ? k - 1 : best.length;
    while (j > 0 && scores[best[j - 1]!]! < scores[i]!) j--;
    best.splice(j, 0, i);
    if (best.length > k) best.pop();
  }
  return best;
}

export interface ScaleOptions {
  n: number;
  embedder: Embedder;
  /** Collections whose sentences are recombined. */
  sources: string[];
  /** Where the generated collection is written. */
  corpusDir: string;
  store: ScaleStore;
  /** Query texts (e.g. eval questions); topped up with generated sentences to 200. */
  questions?: string[];
  progress?: (done: number, total: number) => void;
}

export async function benchScale(opts: ScaleOptions): Promise<ScaleFigures> {
  const source = await sourceSentences(opts.sources);
  await writeCollection(opts.corpusDir, recombine(source, opts.n, 1));

  const t0 = performance.now();
  const report = await opts.store.build(opts.corpusDir, opts.embedder, opts.progress);
  const buildMs = performance.now() - t0;

  const queries = [...(opts.questions ?? []).slice(0, QUERIES)];
  queries.push(...recombine(source, QUERIES - queries.length, 2));
  const qvecs = await opts.embedder.embed(queries, { query: true });
  const index = await opts.store.open();
  let hits = 0;
  const times: number[] = [];
  for (const q of qvecs) {
    const t = performance.now();
    const approx = await index.search(q, SEARCH_K);
    times.push(performance.now() - t);
    const exact = new Set(index.exact(q, 10));
    hits += approx.slice(0, 10).filter((i) => exact.has(i)).length;
  }
  return {
    sentences: report.sentences,
    build_ms: Math.round(buildMs),
    embed_sentences_per_s: Math.round((report.embedded / report.embedMs) * 1000 * 10) / 10,
    recall_at_10: Math.round((hits / (qvecs.length * Math.min(10, report.sentences))) * 1000) / 1000,
    search_ms: { p50: round2(pct(times, 0.5)), p95: round2(pct(times, 0.95)) },
    // Peak resident memory of this process (build and search included).
    rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
    index_mb: Math.round(((await index.bytes()) / 2 ** 20) * 10) / 10,
    runtime: opts.embedder.runtime,
  };
}

export function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
}
const round2 = (x: number) => Math.round(x * 100) / 100;
