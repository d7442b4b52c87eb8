import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { statSync } from 'node:fs';
import hnswlib from 'hnswlib-node';
import { CHUNKER_VERSION, chunkDocument } from '../ingest/chunk.js';
import { CLEANER_VERSION, cleanDocument } from '../ingest/clean/clean.js';
import type { Embedder } from '../embed/embedder.js';
import { measureScale, PROBES, type SimilarityScale } from '../embed/scale.js';
import { LEXICAL_VERSION } from '../text/terms.js';
import { buildLexical } from './lexical.js';
import type { BuildReport, BuiltIndex, StoreBuildOptions } from './types.js';
import { EXTRACTOR_VERSION } from '../ingest/extract/extract.js';
import { readCollection, skipNotice, type ReadOptions, type SkippedFile } from '../ingest/load.js';
import { wordCount } from '../ingest/sentences.js';
import type { Chunk } from '../core/types.js';
import { FILES, INDEX_FORMAT, sentenceRefs, type DocRecord, type Manifest } from './files.js';
import { indexFolder, type IndexFolder, type IndexWriter } from './folder.js';
import { STATS_FILE } from './generations.js';

/**
 * Sized with `npm run bench -- --scale N` (recombined sentences: many near neighbours). At 20,000
 * sentences, searching 64 neighbours at ef 128, recall@10 against exact search: M 16 → 0.984,
 * M 24 → 0.993, M 32 → 0.996, for 20% more build time than M 16.
 */
const HNSW = { space: 'cosine' as const, M: 32, efConstruction: 200 };
/** The index folder's cache of read pages and PDFs (see ingest/extract-cache.ts). */
export const EXTRACTED = 'extracted';
/** Sentences per embedder call (and per progress update). */
export const EMBED_BATCH = 32;
const SORT_WINDOW = 32 * EMBED_BATCH;

export interface BuildOptions {
  corpusDir: string;
  indexDir: string;
  embedder: Embedder;
  /** Called after each embedding batch: done and total sentences to embed. */
  progress?: (done: number, total: number) => void;
  /** One line for each file skipped (unreadable, damaged, no text). */
  notice?: (line: string) => void;
  /** Stops the build between steps (a worker shutting down); the previous index stays current. */
  signal?: AbortSignal;
  /** Test hook: runs after the new generation is written, before the pointer is flipped to it. */
  beforeSwap?: () => Promise<void>;
  /** The generation's statistics, stored beside it (see `StoreBuildOptions`). */
  stats?: StoreBuildOptions['stats'];
}


/** The text a sentence is embedded as: its words, with line breaks and runs of spaces folded. */
export function embeddingText(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** A collection read, cleaned and chunked: everything of an index but its vectors. */
export interface Prepared {
  records: DocRecord[];
  chunks: Chunk[];
  sentences: { doc: string; start: number; end: number }[];
  /** Collection files that cannot be indexed, and why. */
  skipped: SkippedFile[];
}

/**
 * Reads (extracting pages and PDFs, in a worker), cleans and chunks the collection; `notice` gets
 * one line per file skipped. `cacheDir`: where pages and PDFs read before are kept.
 */
export async function prepareCollection(
  corpusDir: string,
  notice?: (line: string) => void,
  opts: ReadOptions = {},
): Promise<Prepared> {
  const { docs, skipped } = await readCollection(corpusDir, opts);
  for (const s of skipped) notice?.(skipNotice(s));
  const records: DocRecord[] = [];
  const chunks: Chunk[] = [];
  for (const doc of docs) {
    const clean = cleanDocument(doc);
    const docChunks = chunkDocument(clean, chunks.length);
    chunks.push(...docChunks);
    const words = clean.paragraphs.reduce((n, p) => n + wordCount(doc.text.slice(p.start, p.end)), 0);
    records.push({
      id: doc.id,
      text: doc.text,
      hash: doc.hash,
      title: clean.title,
      titleSpan: clean.titleSpan,
      meta: doc.meta,
      paragraphs: clean.paragraphs,
      words,
      ...(doc.format && doc.format !== 'text' && { format: doc.format }),
      ...(doc.pages && { pages: doc.pages }),
    });
  }
  const sentences = chunks.flatMap((c) => c.sentences.map((s) => ({ doc: c.doc, ...s })));
  return { records, chunks, sentences, skipped };
}

/** Key of a sentence's vector for reuse across builds: same document text, same span. */
export const reuseKey = (hash: string, start: number, end: number): string => `${hash}:${start}:${end}`;

export interface Embedded {
  vectors: Float32Array;
  embedded: number;
  embedMs: number;
  scale: SimilarityScale;
  probes: number;
}

/** Embeds every sentence not in `reusable` (keyed by `reuseKey`), in batches. */
export async function embedSentences(
  { records, sentences }: Prepared,
  embedder: Embedder,
  previous: { vectors: Map<string, Float32Array>; scale?: SimilarityScale },
  progress?: (done: number, total: number) => void,
  signal?: AbortSignal,
): Promise<Embedded> {
  const textOf = new Map(records.map((r) => [r.id, r.text]));
  const hashOf = new Map(records.map((r) => [r.id, r.hash]));
  const { dims } = embedder;
  const reusable = previous.vectors;
  const vectors = new Float32Array(sentences.length * dims);
  const todo: number[] = [];
  sentences.forEach((s, i) => {
    const old = reusable.get(reuseKey(hashOf.get(s.doc)!, s.start, s.end));
    if (old) vectors.set(old, i * dims);
    else todo.push(i);
  });

  const te = performance.now();
  // Sentences of similar length embedded together (a batch costs as much as its longest text),
  // sorted within windows so the rate, and so the progress ETA, stays even along the way.
  const texts = new Map(todo.map((j) => [j, embeddingText(textOf.get(sentences[j]!.doc)!.slice(sentences[j]!.start, sentences[j]!.end))]));
  for (let w = 0; w < todo.length; w += SORT_WINDOW) {
    const sorted = todo.slice(w, w + SORT_WINDOW).sort((a, b) => texts.get(a)!.length - texts.get(b)!.length);
    todo.splice(w, sorted.length, ...sorted);
  }
  for (let i = 0; i < todo.length; i += EMBED_BATCH) {
    signal?.throwIfAborted();
    const batch = todo.slice(i, i + EMBED_BATCH);
    const embedded = await embedder.embed(batch.map((j) => texts.get(j)!));
    batch.forEach((j, k) => vectors.set(embedded[k]!, j * dims));
    progress?.(Math.min(i + EMBED_BATCH, todo.length), todo.length);
  }
  const embedMs = performance.now() - te;
  const scale = previous.scale ?? (await measureScale(embedder));
  const probes = previous.scale ? 0 : PROBES.length * 2;
  return { vectors, embedded: todo.length, embedMs, scale, probes };
}

/** The manifest of a build (`sizes` filled in by the local store). */
export function makeManifest(p: Prepared, embedder: Embedder, scale: SimilarityScale, corpusDir: string): Manifest {
  return {
    format: INDEX_FORMAT,
    embedder: embedder.id,
    dims: embedder.dims,
    chunker: CHUNKER_VERSION,
    cleaner: CLEANER_VERSION,
    lexical: LEXICAL_VERSION,
    created: new Date().toISOString(),
    corpus: resolve(corpusDir),
    extractor: EXTRACTOR_VERSION,
    files: p.records.map((r) => ({ id: r.id, hash: r.hash })),
    skipped: p.skipped,
    counts: { docs: p.records.length, chunks: p.chunks.length, sentences: p.sentences.length },
    hnsw: HNSW,
    scale,
    sizes: {},
  };
}

/** The new index as its statistics read it. */
export function builtIndex({ records, chunks }: Prepared): BuiltIndex {
  return {
    byId: new Map(records.map((r) => [r.id, r])),
    chunks,
    sentences: sentenceRefs(chunks),
  };
}

/** The BM25 index over chunks, as stored (MiniSearch JSON). */
export function lexicalJson({ records, chunks }: Prepared): string {
  const textOf = new Map(records.map((r) => [r.id, r.text]));
  return JSON.stringify(buildLexical(chunks.map((c) => ({ id: c.id, text: textOf.get(c.doc)!.slice(c.start, c.end) }))));
}

/**
 * True when an index built this way can lend its vectors to a new build with `embedder`.
 * Vectors are keyed by the file's hash: another extractor may read the same bytes differently.
 */
export function canReuse(m: Manifest, embedder: Embedder): boolean {
  return (
    m.embedder === embedder.id &&
    m.dims === embedder.dims &&
    m.chunker === CHUNKER_VERSION &&
    m.cleaner === CLEANER_VERSION &&
    extractorOf(m) === EXTRACTOR_VERSION
  );
}

/** The extractor an index was built with; indexes from before it read text files only, exactly as version 1 does. */
export function extractorOf(m: Manifest): number {
  return m.extractor ?? 1;
}

/**
 * Reads, cleans, chunks and embeds the collection and writes a complete new generation of the
 * index (see folder.ts), then makes it current. One build at a time per index folder.
 */
export async function buildIndex(opts: BuildOptions): Promise<BuildReport> {
  const t0 = performance.now();
  const folder = indexFolder(opts.indexDir);
  const writer = await folder.write(opts.notice);
  try {
    return await buildLocked(opts, folder, writer, t0);
  } finally {
    await writer.release();
  }
}

async function buildLocked(opts: BuildOptions, folder: IndexFolder, writer: IndexWriter, t0: number): Promise<BuildReport> {
  const prepared = await prepareCollection(opts.corpusDir, opts.notice, { cacheDir: join(folder.dir, EXTRACTED) });
  const { records, chunks, sentences, skipped } = prepared;
  const { dims } = opts.embedder;

  // Unchanged files keep their vectors: same text, same cleaner, chunker and embedder.
  const before = await previous(folder, opts.embedder);
  const embedding = embedSentences(prepared, opts.embedder, before, opts.progress, opts.signal);
  // Worked out while the encoder runs its first batch (in its own threads); should they throw,
  // the embedding's own failure is not left unhandled.
  embedding.catch(() => undefined);
  const stats = opts.stats?.(builtIndex(prepared));
  const { vectors, embedded, embedMs, scale, probes } = await embedding;

  const draft = await writer.draft();
  const tmp = draft.path;
  try {
    const hnsw = new hnswlib.HierarchicalNSW(HNSW.space, dims);
    hnsw.initIndex(Math.max(1, sentences.length), HNSW.M, HNSW.efConstruction, 100);
    for (let i = 0; i < sentences.length; i++) {
      hnsw.addPoint(Array.from(vectors.subarray(i * dims, (i + 1) * dims)), i);
      // Let timers and messages in (the write lock's heartbeat, a cancel) during a long build.
      if (i % 2000 === 1999) {
        await new Promise((r) => setImmediate(r));
        opts.signal?.throwIfAborted();
      }
    }
    hnsw.writeIndexSync(join(tmp, FILES.hnsw));

    await writeFile(join(tmp, FILES.docs), JSON.stringify(records));
    await writeFile(join(tmp, FILES.chunks), JSON.stringify(chunks));
    await writeFile(join(tmp, FILES.vectors), new Uint8Array(vectors.buffer, vectors.byteOffset, vectors.byteLength));
    await writeFile(join(tmp, FILES.lexical), lexicalJson(prepared));
    if (stats !== undefined) await writeFile(join(tmp, STATS_FILE), stats);

    const manifest = makeManifest(prepared, opts.embedder, scale, opts.corpusDir);
    for (const name of [FILES.docs, FILES.chunks, FILES.vectors, FILES.hnsw, FILES.lexical]) manifest.sizes[name] = statSync(join(tmp, name)).size;
    // The manifest is written last: a folder without one is never mistaken for an index.
    await writeFile(join(tmp, FILES.manifest), JSON.stringify(manifest, null, 2));
    await opts.beforeSwap?.();
    opts.signal?.throwIfAborted();
    await draft.publish();
  } catch (err) {
    await draft.discard();
    throw err;
  }
  return {
    docs: records.length,
    chunks: chunks.length,
    sentences: sentences.length,
    embedded,
    reused: sentences.length - embedded,
    probes,
    ms: performance.now() - t0,
    embedMs,
    skipped,
  };
}

/**
 * The previous index's vectors keyed by `docHash:start:end`, and its embedder's scale, when it
 * was built the same way.
 */
async function previous(folder: IndexFolder, embedder: Embedder): Promise<{ vectors: Map<string, Float32Array>; scale?: SimilarityScale }> {
  const out = new Map<string, Float32Array>();
  let old;
  try {
    old = await folder.read();
  } catch {
    return { vectors: out }; // no usable previous index: embed everything
  }
  const m = old.manifest;
  if (!canReuse(m, embedder)) return { vectors: out };
  const hashOf = new Map(old.docs.map((d) => [d.id, d.hash]));
  const chunkDoc = new Map(old.chunks.map((c) => [c.id, c.doc]));
  old.sentences.forEach((s, i) => {
    out.set(reuseKey(hashOf.get(chunkDoc.get(s.chunk)!)!, s.start, s.end), old.vectors.slice(i * m.dims, (i + 1) * m.dims));
  });
  return { vectors: out, scale: m.scale };
}
