import { indexFolder } from './folder.js';
import type { IndexStore } from './types.js';
import { buildIndex } from './build.js';


/**
 * Up to this many sentences a shared store's reader scans its vectors in memory rather than ask
 * Postgres: about 1 ms here, less than a round trip, so a small collection answers as fast as from
 * local files (a larger one pays the round trip for an HNSW search, which grows far slower).
 */
export const SCAN_MAX = 1000;

/** Opens the store named by a URL (Postgres) or else the local index folder. */
export async function openStore(opts: {
  indexDir: string;
  indexUrl?: string;
  scanMax?: number;
  /** On a shared store: a server's collection (its id) instead of the base. */
  collection?: string;
}): Promise<IndexStore> {
  if (opts.indexUrl) {
    // Loaded only when asked for: the local default needs no database client.
    const { openPgStore } = await import('./pg-store.js');
    return openPgStore(opts.indexUrl, { scanMax: opts.scanMax ?? SCAN_MAX, collection: opts.collection });
  }
  return localStore(opts.indexDir);
}

/** The index as files in one folder, a new generation per build (see folder.ts). */
export function localStore(dir: string): IndexStore {
  const folder = indexFolder(dir);
  return {
    where: dir,
    shared: false,
    manifest: () => folder.manifest(),
    build: (o) => buildIndex({ ...o, indexDir: dir }),
    load: () => folder.read(),
    version: () => folder.version(),
    watch: (onChange) => folder.watch(onChange),
    bytes: () => folder.bytes(),
    close: async () => {},
  };
}
