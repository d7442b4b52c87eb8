/**
 * The index's data types, shared by both stores and by every later stage: what a loaded index
 * holds, the dense search over it, what a build reports, and the store interface. Types only (and
 * the one error class), so the store files never need each other.
 */
import type MiniSearch from 'minisearch';
export { IndexError } from '../core/errors.js';
import type { Chunk, Span } from '../core/types.js';
import type { Embedder } from '../embed/embedder.js';
import type { SkippedFile } from '../ingest/load.js';
import type { DocRecord, Manifest } from './files.js';
import type { LexicalDoc } from './lexical.js';


/** A sentence of the collection; its position in `sentences` is its HNSW label and vector row. */
export interface SentenceRef extends Span {
  chunk: number;
}

/** Nearest sentences to a query vector, nearest first: labels are rows of `sentences`, distances are cosine distances. */
export interface Knn {
  neighbors: number[];
  distances: number[];
}

/**
 * The dense half of retrieval, whatever store holds the vectors: in-process HNSW for local
 * files, an HNSW index in Postgres for a shared store.
 */
export interface DenseSearch {
  /** Vectors searchable (one per sentence). */
  readonly count: number;
  knn(qvec: number[], k: number): Promise<Knn>;
  /** Searches that could not use the store's index and ran exactly in memory instead. */
  readonly fallbacks?: number;
  /** The same search, synchronously, where it runs in this process (local files). */
  knnSync?(qvec: number[], k: number): Knn;
}

export interface LoadedIndex {
  /** Where the index was read from, safe to print (a folder, or a redacted database URL). */
  dir: string;
  manifest: Manifest;
  docs: DocRecord[];
  /** The same documents by file name: the per-question path looks them up often. */
  byId: Map<string, DocRecord>;
  chunks: Chunk[];
  sentences: SentenceRef[];
  /** Row-major unit vectors, `sentences.length × manifest.dims`. */
  vectors: Float32Array;
  dense: DenseSearch;
  lexical: MiniSearch<LexicalDoc>;
  /** The generation read (local files of the generation layout, see generations.ts). */
  generation?: string;
  /** The generation's precomputed statistics as stored (retrieve/stats.ts `statsJson`), when there are some. */
  stats?: string;
}

/** What a build knows of its new index before it is written: enough to compute its statistics. */
export type BuiltIndex = Pick<LoadedIndex, 'byId' | 'chunks' | 'sentences'>;

export interface BuildReport {
  docs: number;
  chunks: number;
  sentences: number;
  /** Sentences embedded now; the rest were reused from the previous index (unchanged files). */
  embedded: number;
  reused: number;
  /** Probe texts embedded to measure the embedder's similarity scale (0 when the previous index's is kept). */
  probes: number;
  ms: number;
  embedMs: number;
  /** Files left out, and why. */
  skipped: SkippedFile[];
}

/**
 * Where an index lives: local files (the embedded default) or a shared Postgres database.
 * The engine, retrieval and answers see only this interface and the `LoadedIndex` it loads.
 */
export interface IndexStore {
  /** Where the index lives, safe to print: a folder, or a database URL without its password. */
  readonly where: string;
  /** True for a store many processes read while one writes (readers then poll `version`). */
  readonly shared: boolean;
  /** The manifest of the index in use, or undefined when there is none yet. */
  manifest(): Promise<Manifest | undefined>;
  /** Builds or updates the index from a collection: unchanged documents keep their vectors. */
  build(opts: StoreBuildOptions): Promise<BuildReport>;
  load(): Promise<LoadedIndex>;
  /** Changes with every build: a reader that sees a new value loads the new index. */
  version(): Promise<string | undefined>;
  /** Calls `onChange` soon after a new version appears, where the store can tell (readers poll as well). */
  watch?(onChange: () => void): () => void;
  /** Bytes the index takes (files, or the database's tables and indexes). */
  bytes(): Promise<number>;
  close(): Promise<void>;
}

export interface StoreBuildOptions {
  corpusDir: string;
  embedder: Embedder;
  progress?: (done: number, total: number) => void;
  /** One line for each collection file skipped (unreadable, damaged, no text). */
  notice?: (line: string) => void;
  /** Test hook: runs when the new index is written, before readers are switched to it. */
  beforeSwap?: () => Promise<void>;
  /**
   * The generation's statistics as stored (retrieve/stats.ts `storedStats`), written with it before
   * readers switch, so none computes them: the layer that knows them passes it.
   */
  stats?: (built: BuiltIndex) => string;
}
