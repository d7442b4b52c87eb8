/**
 * A live engine: an `Engine` that answers from the current index while the collection changes.
 * `refresh()` rebuilds in the background (only changed files embedded; in a worker thread, see
 * build-worker.ts) and then swaps the reference; a question already being answered keeps the engine it started with.
 * Rebuilds run one at a time; calls made during a rebuild share one follow-up rebuild. A failed
 * rebuild keeps the old engine; what a moderator is told is an error id, and the log line with
 * that id says why (its message may name server paths or database hosts).
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from '../core/log.js';
import { workerBuilder } from './build-worker.js';
import { indexFolder } from '../index/folder.js';
import { skipNotice } from '../ingest/load.js';
import type { Engine } from '../core/types.js';
import { watchCollection } from './watch.js';
import type { RefreshResult } from './types.js';
import { type BuildReport } from '../index/types.js';
import { DEFAULT_CORPUS, type EngineOptions } from '../engine/options.js';
import { indexIsCurrent, matchesCollection } from '../engine/fresh.js';
import { type SharedEngine, answeringFrom, rebuildShared } from '../engine/shared.js';
import { engineFromIndex } from '../engine/open.js';
import { type FullEngine } from '../engine/create.js';

/** Builds a fresh engine from the collection; `undefined` when nothing changed (and `force` is off). */
export type Rebuild<E extends Engine = Engine> = (
  force: boolean,
) => Promise<{ engine: E; report: BuildReport } | undefined>;

export interface LiveEngine<E extends Engine = Engine> extends Engine {
  /** The engine answering now. */
  readonly current: E;
  /**
   * Re-index the collection and swap the result in. Resolves after a rebuild that started after
   * this call (so a file written before the call is in it); never rejects.
   */
  refresh(opts?: { force?: boolean }): Promise<RefreshResult>;
}

export function createLiveEngine<E extends Engine>(
  initial: E,
  rebuild: Rebuild<E>,
  onResult: (r: RefreshResult, seconds: number) => void = () => {},
): LiveEngine<E> {
  let current = initial;
  const refresh = serialized(async (force) => {
    let result: RefreshResult;
    const t0 = performance.now();
    try {
      const built = await rebuild(force);
      if (!built) result = { ok: true, changed: false };
      else {
        current = built.engine;
        result = reported(built.report);
      }
    } catch (err) {
      result = failed(err);
    }
    onResult(result, (performance.now() - t0) / 1000);
    return result;
  });

  return answeringFrom(() => current, {
    get current() {
      return current;
    },
    refresh,
  });
}

const reported = ({ docs, embedded, reused, ms, embedMs, skipped }: BuildReport): RefreshResult => ({
  ok: true,
  changed: true,
  docs,
  embedded,
  reused,
  ms: Math.round(ms),
  embedMs: Math.round(embedMs),
  skipped: skipped.map(skipNotice),
});

/** A failed rebuild: a line for moderators with an error id, the details for the log. */
const failed = (err: unknown): RefreshResult => {
  const errorId = randomBytes(4).toString('hex');
  return {
    ok: false,
    error: `error ${errorId}: the details are in the bot's log`,
    errorId,
    detail: (err instanceof Error ? err.message : String(err)).split('\n')[0]!.slice(0, 300),
  };
};

/**
 * `job` one run at a time: a call made during a run (which may have read the folder already)
 * gets one more run after it, shared with every other call made meanwhile.
 */
function serialized(
  job: (force: boolean) => Promise<RefreshResult>,
): (opts?: { force?: boolean }) => Promise<RefreshResult> {
  let running: Promise<RefreshResult> | undefined;
  let next: Promise<RefreshResult> | undefined;
  let nextForce = false;
  const refresh = (opts: { force?: boolean } = {}): Promise<RefreshResult> => {
    if (!running) {
      running = job(!!opts.force).finally(() => (running = undefined));
      return running;
    }
    nextForce ||= !!opts.force;
    next ??= running.then(() => {
      const force = nextForce;
      next = undefined;
      nextForce = false;
      return refresh({ force });
    });
    return next;
  };
  return refresh;
}

/**
 * One log line per rebuild: what was indexed and skipped, or why the previous index stays; then
 * `onRefresh` (ops: metrics and health) with the rebuild's duration.
 */
function logRefresh(
  log: Logger,
  corpus: string | undefined,
  onRefresh?: LiveCollectionOptions['onRefresh'],
): (r: RefreshResult, seconds: number) => void {
  return (r, seconds) => {
    onRefresh?.(r, seconds);
    if (!r.ok)
      log.warn('reindex_failed', {
        corpus,
        error: r.detail ?? r.error,
        error_id: r.errorId,
        note: 'still answering from the previous index',
      });
    else if (r.changed)
      log.info('reindexed', {
        docs: r.docs,
        embedded: r.embedded,
        reused: r.reused,
        ms: r.ms,
        ...(r.skipped.length && { skipped: r.skipped.join(' ') }),
      });
  };
}

export interface LiveCollectionOptions {
  /** Quiet time after the last change in the folder before re-indexing (ms). */
  debounceMs?: number;
  /** Watch the folder (default true); without, only `refresh()` (an upload) re-indexes. */
  watch?: boolean;
  log: Logger;
  /** Told of every rebuild's result and duration in seconds (ops: metrics, health). */
  onRefresh?: (r: RefreshResult, seconds: number) => void;
}

/**
 * The running bot's collection: a live engine over `initial`, re-indexed when files in
 * `opts.corpusDir` change (watched) or when `refresh()` is called (after an upload).
 */
export function openLiveCollection(
  initial: FullEngine,
  engineOpts: EngineOptions,
  opts: LiveCollectionOptions,
): { engine: LiveEngine<FullEngine>; close(): Promise<void> } {
  const { log } = opts;
  const { embedder } = initial;
  const worker = workerBuilder();
  const rebuild: Rebuild<FullEngine> = async (force) => {
    if (!force && (await indexIsCurrent(engineOpts, embedder.id))) return undefined;
    const job = {
      corpusDir: engineOpts.corpusDir ?? DEFAULT_CORPUS,
      indexDir: engineOpts.indexDir,
      embedder: embedder.id,
      modelDir: engineOpts.modelDir,
    };
    const report = await worker.build(job);
    return { engine: await engineFromIndex(engineOpts, embedder), report };
  };
  const engine = createLiveEngine(initial, rebuild, logRefresh(log, engineOpts.corpusDir, opts.onRefresh));
  if (opts.watch === false) return { engine, close: () => worker.close() };
  const stopWatching = watchFolder(engineOpts.corpusDir ?? DEFAULT_CORPUS, engine.refresh, opts);
  return {
    engine,
    close() {
      stopWatching();
      return worker.close();
    },
  };
}

/** Re-indexes (`refresh`) when the collection folder changes, and once now for what changed before. */
function watchFolder(
  dir: string,
  refresh: (opts: { force: boolean }) => Promise<RefreshResult>,
  opts: LiveCollectionOptions,
): () => void {
  const watcher = watchCollection(dir, {
    debounceMs: opts.debounceMs,
    onChange: ({ metadata }) => void refresh({ force: metadata }),
    onError: (message) => opts.log.warn('watch_failed', { error: message }),
  });
  // Anything changed between opening the index and starting to watch is picked up now.
  void refresh({ force: false });
  return () => watcher.close();
}

/**
 * The one writer of a local index shared by shard processes (run by the process that starts
 * them): watches the collection folder and builds a new generation (in the worker) when it
 * changes. It loads no index itself; the shards follow the generations (`followerCollection`).
 */
export function indexWriter(
  engineOpts: EngineOptions,
  embedderId: string,
  opts: LiveCollectionOptions,
): { refresh(opts?: { force?: boolean }): Promise<RefreshResult>; close(waitMs?: number): Promise<void> } {
  const worker = workerBuilder();
  const onResult = logRefresh(opts.log, engineOpts.corpusDir, opts.onRefresh);
  const refresh = serialized(async (force) => {
    let result: RefreshResult;
    const started = Date.now();
    try {
      if (!force && (await indexIsCurrent(engineOpts, embedderId))) result = { ok: true, changed: false };
      else
        result = reported(
          await worker.build({
            corpusDir: engineOpts.corpusDir ?? DEFAULT_CORPUS,
            indexDir: engineOpts.indexDir,
            embedder: embedderId,
            modelDir: engineOpts.modelDir,
          }),
        );
    } catch (err) {
      result = failed(err);
    }
    onResult(result, (Date.now() - started) / 1000);
    // For the shards waiting on an edit: a failure is told at once, not by their timeout.
    await indexFolder(engineOpts.indexDir).recordBuild({
      ok: result.ok,
      started,
      ...(!result.ok && { error: result.error }),
    });
    return result;
  });
  const stopWatching =
    opts.watch === false ? () => {} : watchFolder(engineOpts.corpusDir ?? DEFAULT_CORPUS, refresh, opts);
  return {
    refresh,
    close(waitMs?: number) {
      stopWatching();
      return worker.close(waitMs);
    },
  };
}

/**
 * The collection of a shard process on local files: it never writes the index (the process that
 * started the shards does, see `indexWriter`) and switches to each new generation as it appears.
 * `refresh()` (after `/sources add|remove` wrote the folder) waits, at most `waitMs`, until the
 * engine answers from a generation built from the folder as it is now (`opts` is read on each call).
 */
export function followerCollection(
  initial: SharedEngine,
  dirs: { corpusDir: string; indexDir: string },
  opts: { waitMs: number; checkMs?: number; log?: Logger },
): { engine: LiveEngine<SharedEngine>; close(): Promise<void> } {
  const { corpusDir, indexDir } = dirs;
  const checkMs = opts.checkMs ?? 200;
  const refresh = serialized(async () => {
    const t0 = Date.now();
    const deadline = t0 + opts.waitMs;
    let checked: unknown;
    try {
      for (;;) {
        await initial.refresh(); // a look at the pointer: loads a new generation if there is one
        const index = initial.index;
        if (index !== checked) {
          checked = index;
          if (await matchesCollection(corpusDir, index.manifest)) return { ok: true, changed: false } as const;
        }
        // A build that read the folder after the edit and failed: its reason, now.
        const status = await indexFolder(indexDir).lastBuild();
        if (status && !status.ok && status.started >= t0)
          return { ok: false, error: status.error ?? 'the index build failed' } as const;
        if (Date.now() >= deadline)
          return {
            ok: false,
            error: `the index was not updated within ${Math.round(opts.waitMs / 1000)} s (the process that writes it is still busy, or failed: see its log)`,
          } as const;
        await new Promise((r) => setTimeout(r, checkMs));
      }
    } catch (err) {
      const r = failed(err);
      if (opts.log) logRefresh(opts.log, corpusDir)(r, (Date.now() - t0) / 1000);
      return r;
    }
  });
  const engine: LiveEngine<SharedEngine> = answeringFrom(() => initial, {
    get current() {
      return initial;
    },
    refresh,
  });
  return { engine, close: () => initial.close() };
}

/**
 * The collection of a bot on a shared store: not watched (one writer, `npm run index`, updates the
 * store and every process switches to its new generations); `refresh()` after an upload writes
 * a new generation from this process's collection folder.
 */
export function sharedCollection(
  initial: SharedEngine,
  engineOpts: EngineOptions,
  opts: LiveCollectionOptions,
): { engine: LiveEngine<SharedEngine>; close(): Promise<void> } {
  const { log } = opts;
  const engine = createLiveEngine<SharedEngine>(
    initial,
    (force) => rebuildShared(engineOpts, initial, force),
    logRefresh(log, engineOpts.corpusDir, opts.onRefresh),
  );
  return { engine, close: () => initial.close() };
}
