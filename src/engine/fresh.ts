/**
 * Whether an index still matches its collection: a file added, changed or removed makes it stale
 * (a file's version is the hash of its bytes, as a build computes it).
 */
import { join } from 'node:path';
import type { Manifest } from '../index/files.js';
import { localStore } from '../index/store.js';
import { listCollection, readSource } from '../ingest/load.js';
import { DEFAULT_CORPUS, type EngineOptions } from './options.js';

/**
 * For a running bot (src/live.ts): true when the index was built by `embedderId` from exactly
 * the collection's files as they are now (`sources.json` is not part of that check).
 */
export async function indexIsCurrent(
  opts: Pick<EngineOptions, 'corpusDir' | 'indexDir'>,
  embedderId: string,
): Promise<boolean> {
  const manifest = await localStore(opts.indexDir).manifest();
  return !!manifest && manifest.embedder === embedderId && !(await isStale(opts.corpusDir ?? DEFAULT_CORPUS, manifest));
}

/** True when `manifest` was built from exactly the collection's files as they are now. */
export async function matchesCollection(corpusDir: string, manifest: Manifest): Promise<boolean> {
  return !(await isStale(corpusDir, manifest));
}

/**
 * True when the collection's files differ from those the index was built from or skipped.
 * A file's version is the hash of its bytes (`readSource`, the same function a build uses).
 */
export async function isStale(corpusDir: string, manifest: Manifest): Promise<boolean> {
  const files = [...manifest.files.map((f) => ({ id: f.id, version: f.hash })), ...(manifest.skipped ?? [])].sort(
    (a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
  let names: string[];
  try {
    names = await listCollection(corpusDir);
  } catch {
    return false; // no collection here: answer from the index as it is
  }
  if (names.length !== files.length || names.some((n, i) => n !== files[i]!.id)) return true;
  for (const f of files) {
    if ((await readSource(join(corpusDir, f.id))).version !== f.version) return true;
  }
  return false;
}
