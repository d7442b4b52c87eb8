/**
 * A live engine: an `Engine` that answers from the current index while the collection changes.
 * `refresh()` rebuilds in the background (only changed files embedded; in a worker thread, see
 * index/build-worker.ts) and then swaps the reference; a question already being answered keeps the engine it started with.
 * Rebuilds run one at a time; calls made during a rebuild share one follow-up rebuild. A failed
 * rebuild keeps the old engine and reports why (one line, naming the file when the error does).
 */
import type { Logger } from './discord/log.js';
import type { Embedder } from './embed/embedder.js';
import { DEFAULT_CORPUS, engineFromIndex, indexIsCurrent, rebuildShared, type EngineOptions, type SharedEngine } from './engine.js';
import type { BuildReport } from './index/build.js';
import { workerBuilder } from './index/build-worker.js';
import { skipNotice } from './load.js';
import type { Answer, Engine } from './types.js';
import { watchCollection } from './watch.js';

export type RefreshResult =
  | { ok: true; changed: false }
  | { ok: true; changed: true; docs: number; embedded: number; reused: number; ms: number; skipped: string[] }
  | { ok: false; error: string };

/** Builds a fresh engine from the collection; `undefined` when nothing changed (and `force` is off). */
export type Rebuild = (force: boolean) => Promise<{ engine: Engine; report: BuildReport } | undefined>;

export interface LiveEngine extends Engine {
  /** The engine answering now. */
  readonly current: Engine;
  /**
   * Re-index the collection and swap the result in. Resolves after a rebuild that started after
   * this call (so a file written before the call is in it); never rejects.
   */
  refresh(opts?: { force?: boolean }): Promise<RefreshResult>;
}

export function createLiveEngine(initial: Engine, rebuild: Rebuild, onResult: (r: RefreshResult) => void = () => {}): LiveEngine {
  let current = initial;
  let running: Promise<RefreshResult> | undefined;
  let next: Promise<RefreshResult> | undefined;
  let nextForce = false;

  const run = async (force: boolean): Promise<RefreshResult> => {
    let result: RefreshResult;
    try {
      const built = await rebuild(force);
      if (!built) result = { ok: true, changed: false };
      else {
        current = built.engine;
        const { docs, embedded, reused, ms, skipped } = built.report;
        result = { ok: true, changed: true, docs, embedded, reused, ms: Math.round(ms), skipped: skipped.map(skipNotice) };
      }
    } catch (err) {
      result = { ok: false, error: (err instanceof Error ? err.message : String(err)).split('\n')[0]!.slice(0, 300) };
    }
    onResult(result);
    return result;
  };

  const refresh = (opts: { force?: boolean } = {}): Promise<RefreshResult> => {
    if (!running) {
      running = run(!!opts.force).finally(() => (running = undefined));
      return running;
    }
    // A rebuild is under way and may have read the folder already: queue one more after it.
    nextForce ||= !!opts.force;
    next ??= running.then(() => {
      const force = nextForce;
      next = undefined;
      nextForce = false;
      return refresh({ force });
    });
    return next;
  };

  return {
    get current() {
      return current;
    },
    get embedderId() {
      return current.embedderId;
    },
    refresh,
    // Each call takes the engine of the moment: a swap never changes an answer under way.
    ask: (question: string): Promise<Answer> => current.ask(question),
    askMany: (questions: string[]) => current.askMany(questions),
    search: (query, k) => current.search(query, k),
    documents: () => current.documents(),
    document: (doc) => current.document(doc),
    documentText: (doc) => current.documentText(doc),
    context: (doc, start, end) => current.context(doc, start, end),
  };
}

/** One log line per rebuild: what was indexed and skipped, or why the previous index stays. */
function logRefresh(log: Logger, corpus: string | undefined): (r: RefreshResult) => void {
  return (r) => {
    if (!r.ok) log.warn('reindex_failed', { corpus, error: r.error, note: 'still answering from the previous index' });
    else if (r.changed) log.info('reindexed', { docs: r.docs, embedded: r.embedded, reused: r.reused, ms: r.ms, ...(r.skipped.length && { skipped: r.skipped.join(' ') }) });
  };
}

export interface LiveCollectionOptions {
  /** Quiet time after the last change in the folder before re-indexing (ms). */
  debounceMs?: number;
  /** Watch the folder (default true); without, only `refresh()` (an upload) re-indexes. */
  watch?: boolean;
  log: Logger;
}

/**
 * The running bot's collection: a live engine over `initial`, re-indexed when files in
 * `opts.corpusDir` change (watched) or when `refresh()` is called (after an upload).
 */
export function openLiveCollection(
  initial: Engine & { readonly embedder: Embedder },
  engineOpts: EngineOptions,
  opts: LiveCollectionOptions,
): { engine: LiveEngine; close(): void } {
  const { log } = opts;
  const { embedder } = initial;
  const worker = workerBuilder();
  const rebuild: Rebuild = async (force) => {
    if (!force && (await indexIsCurrent(engineOpts, embedder.id))) return undefined;
    const job = { corpusDir: engineOpts.corpusDir ?? DEFAULT_CORPUS, indexDir: engineOpts.indexDir, embedder: embedder.id, modelDir: engineOpts.modelDir };
    const report = await worker.build(job);
    return { engine: await engineFromIndex(engineOpts, embedder), report };
  };
  const engine = createLiveEngine(
    initial,
    rebuild,
    logRefresh(log, engineOpts.corpusDir),
  );
  if (opts.watch === false) return { engine, close: () => worker?.close() };
  const watcher = watchCollection(engineOpts.corpusDir ?? DEFAULT_CORPUS, {
    debounceMs: opts.debounceMs,
    onChange: ({ metadata }) => void engine.refresh({ force: metadata }),
    onError: (message) => log.warn('watch_failed', { error: message }),
  });
  // Anything changed between opening the index and starting to watch is picked up now.
  void engine.refresh();
  return {
    engine,
    close() {
      watcher.close();
      worker.close();
    },
  };
}

/**
 * The collection of a bot on a shared store: not watched (one writer, `npm run index`, updates the
 * store and every process switches to its new generations); `refresh()` after an upload writes
 * a new generation from this process's collection folder.
 */
export function sharedCollection(initial: SharedEngine, engineOpts: EngineOptions, opts: LiveCollectionOptions): { engine: LiveEngine; close(): void } {
  const { log } = opts;
  const engine = createLiveEngine(
    initial,
    (force) => rebuildShared(engineOpts, initial, force),
    logRefresh(log, engineOpts.corpusDir),
  );
  return { engine, close: () => void initial.close() };
}
