import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { filesDir, readPointer, watchPointer } from './generations.js';
import type { Embedder } from '../embed/embedder.js';
import { buildIndex, type BuildReport } from './build.js';
import { FILES, type Manifest } from './files.js';
import { readIndex, readManifest, type LoadedIndex } from './read.js';

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
}

/**
 * Up to this many sentences a shared store's reader scans its vectors in memory rather than ask
 * Postgres: about 1 ms here, less than a round trip, so a small collection answers as fast as from
 * local files (a larger one pays the round trip for an HNSW search, which grows far slower).
 */
export const SCAN_MAX = 1000;

/** Opens the store named by a URL (Postgres) or else the local index folder. */
export async function openStore(opts: { indexDir: string; indexUrl?: string; scanMax?: number }): Promise<IndexStore> {
  if (opts.indexUrl) {
    // Loaded only when asked for: the local default needs no database client.
    const { openPgStore } = await import('./pg-store.js');
    return openPgStore(opts.indexUrl, { scanMax: opts.scanMax ?? SCAN_MAX });
  }
  return localStore(opts.indexDir);
}

/** The index as files in one folder, a new generation per build (see generations.ts). */
export function localStore(dir: string): IndexStore {
  const hasIndex = async () => existsSync(join((await filesDir(dir)).path, FILES.manifest));
  return {
    where: dir,
    shared: false,
    manifest: async () => ((await hasIndex()) ? readManifest(dir) : undefined),
    build: (o) => buildIndex({ ...o, indexDir: dir }),
    load: () => readIndex(dir),
    // The generation's name; an index of the flat layout has only its build time.
    version: async () => (await readPointer(dir))?.generation ?? ((await hasIndex()) ? (await readManifest(dir)).created : undefined),
    watch: (onChange) => watchPointer(dir, onChange),
    async bytes() {
      const files = (await filesDir(dir)).path;
      let total = 0;
      for (const f of await readdir(files)) total += (await stat(join(files, f))).size;
      return total;
    },
    close: async () => {},
  };
}
