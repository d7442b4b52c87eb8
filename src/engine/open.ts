/**
 * Opening an engine: the index is found (local folder or Postgres), built first when missing or
 * stale, and answered from with its own embedder; a corrupt index or a mismatched collection is a
 * one-line `IndexError`.
 */
import { CHUNKER_VERSION } from '../ingest/chunk.js';
import { CLEANER_VERSION } from '../ingest/clean/clean.js';
import { resolve } from 'node:path';
import { policyFor } from '../answer/calibration.js';
import type { Embedder } from '../embed/embedder.js';
import { openEmbedder } from '../embed/select.js';
import { extractorOf } from '../index/build.js';
import { EXTRACTOR_VERSION } from '../ingest/extract/extract.js';
import type { Manifest } from '../index/files.js';
import { indexFolder } from '../index/folder.js';
import { openStore } from '../index/store.js';
import { LEXICAL_VERSION } from '../text/terms.js';
import { storedStats } from '../retrieve/stats.js';
import { IndexError, type IndexStore, type LoadedIndex } from '../index/types.js';
import { DEFAULT_CORPUS, type EngineOptions } from './options.js';
import { createEngineAsync, type createEngine, type FullEngine } from './create.js';
import { isStale } from './fresh.js';
import { sharedEngine } from './shared.js';

/**
 * Opens the collection's index, building it first when it is missing or stale (a file
 * added, changed or removed). A corrupt index is an error, not silently rebuilt. When a
 * stale index cannot be rebuilt (a file unreadable), the old one stays in use. A shared
 * store is built here only when empty: readers never re-index it (`npm run index` does),
 * they pick up each new generation as it appears.
 */
export async function openEngine(opts: EngineOptions): Promise<OpenedEngine> {
  const store = await openStore(opts);
  try {
    return await openOn(store, opts);
  } catch (err) {
    await store.close();
    throw err;
  }
}

/** An opened engine knows its embedder and the collection it answers from. */
export type OpenedEngine = ReturnType<typeof createEngine> & {
  readonly corpusDir: string;
  refresh?(): Promise<void>;
  close?(): Promise<void>;
  /** On a shared store (or read-only): the engine of the generation answering now. */
  snapshot?(): FullEngine;
};

async function openOn(store: IndexStore, opts: EngineOptions): Promise<OpenedEngine> {
  const notice = opts.notice ?? (() => {});
  const where = store.where;
  const manifest = await store.manifest();
  const corpusDir = await collectionOf(manifest, opts.corpusDir, where);
  let embedder: Embedder | undefined;
  if (!manifest && opts.readOnly) {
    throw new IndexError(`No index in ${where}: the process that writes it has not built it.`);
  } else if (!manifest) {
    notice(`No index in ${where}: building it from ${corpusDir}…`);
    embedder = await openEmbedder(opts.embedder ?? 'auto', { modelDir: opts.modelDir, notice });
    await store.build({ corpusDir, embedder, progress: opts.progress, notice, stats: storedStats });
  } else {
    checkEmbedderChoice(manifest.embedder, opts.embedder);
    // A newer cleaner or chunker changes what is quotable: rebuild as if the files had changed.
    // Newer term rules or an index from before similarity scales were recorded: rebuilt too, reusing every vector.
    const outdated =
      manifest.cleaner !== CLEANER_VERSION ||
      manifest.chunker !== CHUNKER_VERSION ||
      manifest.lexical !== LEXICAL_VERSION ||
      extractorOf(manifest) !== EXTRACTOR_VERSION ||
      !manifest.scale;
    const stale = await isStale(corpusDir, manifest);
    if ((outdated || stale) && opts.readOnly) {
      // The writer is updating it: this reader switches when the new generation appears.
    } else if ((outdated || stale) && store.shared) {
      notice(
        `The index in ${where} ${stale ? `differs from ${corpusDir}` : 'was made by an older version'}: answering from it; update it with npm run index.`,
      );
    } else if (outdated || stale) {
      notice(
        stale
          ? `The collection in ${corpusDir} changed: updating the index…`
          : `The index in ${where} was made by an older version: updating it…`,
      );
      embedder = await loadIndexEmbedder(manifest.embedder, opts);
      try {
        await store.build({ corpusDir, embedder, progress: opts.progress, notice, stats: storedStats });
      } catch (err) {
        notice(
          `Could not update the index (${err instanceof Error ? err.message : String(err)}); answering from the previous one.`,
        );
      }
    }
  }
  const policy = (e: Embedder) => ({ ...policyFor(e.id), ...opts.policy });
  const open = async (index: LoadedIndex) => {
    if (!embedder) embedder = await loadIndexEmbedder(index.manifest.embedder, opts);
    if (embedder.id !== index.manifest.embedder || embedder.dims !== index.manifest.dims) {
      throw new IndexError(
        `Index in ${where} was built with ${index.manifest.embedder} (${index.manifest.dims} dims) but the embedder is ${embedder.id} (${embedder.dims}).`,
      );
    }
    return createEngineAsync(index, embedder, policy(embedder));
  };
  const version = await store.version();
  const engine = await open(await store.load());
  if (!store.shared && !opts.readOnly) return Object.assign(engine, { corpusDir });
  return Object.assign(sharedEngine(store, engine, version, open, opts.pollMs ?? 5000, notice), { corpusDir });
}

/**
 * The collection to answer from: the one the index was built from, unless another is named.
 * Another folder holding the same files (the collection moved) is the same collection.
 */
async function collectionOf(
  manifest: Manifest | undefined,
  requested: string | undefined,
  where: string,
): Promise<string> {
  if (!manifest?.corpus) return requested ?? DEFAULT_CORPUS;
  if (requested === undefined || resolve(requested) === manifest.corpus) return manifest.corpus;
  if (!(await isStale(requested, manifest))) return requested;
  throw new IndexError(
    `Index in ${where} was built from ${manifest.corpus}, not ${requested}: leave the collection out to answer from it, or rebuild it with npm run index -- --corpus ${requested}.`,
  );
}

/** An engine over the index in `opts.indexDir`, with an embedder already loaded (after a rebuild). */
export async function engineFromIndex(opts: EngineOptions, embedder: Embedder): Promise<FullEngine> {
  const index = await indexFolder(opts.indexDir).read();
  return createEngineAsync(index, embedder, { ...policyFor(embedder.id), ...opts.policy });
}

function checkEmbedderChoice(indexEmbedder: string, requested: string | undefined): void {
  if (!requested || requested === 'auto' || requested === indexEmbedder) return;
  if (requested === 'transformers' && indexEmbedder.startsWith('transformers:')) return;
  throw new IndexError(
    `Index was built with ${indexEmbedder}, not ${requested}: rebuild it with npm run index -- --embedder ${requested}.`,
  );
}

async function loadIndexEmbedder(id: string, opts: EngineOptions): Promise<Embedder> {
  try {
    return await openEmbedder(id, { modelDir: opts.modelDir });
  } catch (err) {
    throw new IndexError(
      `Index was built with ${id}, which cannot be loaded here (${err instanceof Error ? err.message.split('\n')[0] : String(err)}).`,
    );
  }
}
