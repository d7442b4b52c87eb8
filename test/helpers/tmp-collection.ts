/**
 * Temp collections and indexes for the core, index and CLI tests.
 * Everything lives under the OS temp folder and is removed by `cleanup()`.
 */
import { chmod, cp, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Embedder } from '../../src/embed/embedder.js';
import { chunkDocument } from '../../src/ingest/chunk.js';
import { cleanDocument } from '../../src/ingest/clean/clean.js';
import { loadCollection } from '../../src/ingest/load.js';
import type { Chunk, CleanDocument } from '../../src/core/types.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Tests run from the sources (vitest) or from dist/ (compiled helper): find the repo root either way. */
export const REPO = ROOT.endsWith(`${path.sep}dist`) ? path.dirname(ROOT) : ROOT;
export const SEEDS = path.join(REPO, 'seeds');
export const COLLECTION_B = path.join(REPO, 'test', 'fixtures', 'collection-b');
export const HOSTILE = path.join(REPO, 'test', 'fixtures', 'hostile');

/** A fresh temp folder; remove it with `rm(dir, { recursive: true, force: true })`. */
export function tempDir(prefix = 'quotebot-test-'): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), prefix));
}

/**
 * A writable copy of a collection folder (seeds are read-only in the repo) inside a new temp folder:
 * returns the temp root, the corpus copy (`<root>/corpus`) and an index path (`<root>/index`, not created).
 */
export async function copyCollection(
  from: string = SEEDS,
): Promise<{ root: string; corpus: string; index: string; cleanup: () => Promise<void> }> {
  const root = await tempDir();
  const corpus = path.join(root, 'corpus');
  await cp(from, corpus, { recursive: true });
  // The copies keep the read-only mode of the seeds: make them writable for tests that edit them.
  for (const name of await readdir(corpus)) await chmod(path.join(corpus, name), 0o644);
  return { root, corpus, index: path.join(root, 'index'), cleanup: () => rm(root, { recursive: true, force: true }) };
}

/** The use-lite embedder, loaded once per test file. */
let useLite: Promise<Embedder> | undefined;
export function loadUseLiteOnce(): Promise<Embedder> {
  useLite ??= import('../../src/embed/use-lite.js').then((m) => m.loadUseLite());
  return useLite;
}

/** An embedder wrapper that counts how many texts were embedded (for incremental-build checks). */
export function countingEmbedder(inner: Embedder): Embedder & { count: number; reset: () => void } {
  const wrapper = {
    id: inner.id,
    dims: inner.dims,
    count: 0,
    reset() {
      wrapper.count = 0;
    },
    async embed(texts: string[], opts?: { query?: boolean }) {
      wrapper.count += texts.length;
      return inner.embed(texts, opts);
    },
  };
  return wrapper;
}

export interface Cleaned {
  clean: CleanDocument;
  chunks: Chunk[];
}

/** Loads, cleans and chunks a collection folder (no embedding): per file id. */
export async function cleanCollection(dir: string): Promise<Map<string, Cleaned>> {
  const out = new Map<string, Cleaned>();
  let next = 0;
  for (const doc of await loadCollection(dir)) {
    const clean = cleanDocument(doc);
    const chunks = chunkDocument(clean, next);
    next += chunks.length;
    out.set(doc.id, { clean, chunks });
  }
  return out;
}

/** The text of a file as the pipeline sees it (BOM dropped). */
export async function fileText(dir: string, id: string): Promise<string> {
  const text = await readFile(path.join(dir, id), 'utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
