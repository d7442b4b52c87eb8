/**
 * An engine over a shared store that follows its new generations, the rebuild a bot on a shared
 * store runs, and `answeringFrom`, which puts each question to the engine of the moment.
 */
import { openStore } from '../index/store.js';
import type { Engine } from '../core/types.js';
import { type BuildReport, type IndexStore, type LoadedIndex } from '../index/types.js';
import { DEFAULT_CORPUS, type EngineOptions } from './options.js';
import { type FullEngine } from './create.js';
import { isStale } from './fresh.js';
import { storedStats } from '../retrieve/stats.js';

/**
 * A shared store's engine: `refresh` looks for a new generation now (tests), `close` stops polling,
 * `snapshot` is the engine of the generation answering now (it never changes under its reader).
 */
export type SharedEngine = FullEngine & { refresh(): Promise<void>; close(): Promise<void>; snapshot(): FullEngine };

/** The engine answering now, fixed: a shared store's current generation, or the engine itself. */
export function settled(engine: FullEngine): FullEngine {
  return 'snapshot' in engine && typeof engine.snapshot === 'function' ? (engine as SharedEngine).snapshot() : engine;
}

/**
 * An engine over a shared store that switches to each new generation without a restart. It
 * polls the store's version; a new one is loaded beside the old and swapped in whole, so a
 * question is answered from one generation. A failed poll or load keeps the current one.
 */
export function sharedEngine(
  store: IndexStore,
  first: FullEngine,
  version: string | undefined,
  open: (index: LoadedIndex) => Promise<FullEngine>,
  pollMs: number,
  notice: (line: string) => void,
): SharedEngine {
  let current = first;
  let seen = version;
  let failing = false;
  const check = async () => {
    try {
      const now = await store.version();
      if (now !== undefined && now !== seen) {
        const index = await store.load();
        current = await open(index);
        // The generation loaded, which may already be newer than the one polled.
        seen = index.generation ?? now;
        notice(`Switched to the new index in ${store.where}.`);
      }
      failing = false;
    } catch (err) {
      if (!failing)
        notice(
          `Could not check the index in ${store.where} (${err instanceof Error ? err.message.split('\n')[0] : String(err)}); answering from the one loaded.`,
        );
      failing = true;
    }
  };
  // One check at a time; the timer and the watcher share the one under way.
  let running: Promise<void> | undefined;
  const poll = () => (running ??= check().finally(() => (running = undefined)));
  const timer = setInterval(() => void poll(), pollMs);
  timer.unref();
  // Where the store can tell at once (local files: the pointer file replaced), no wait for the next poll.
  const unwatch = store.watch?.(() => void poll()) ?? (() => {});
  const engine = answeringFrom(() => current, {
    get index() {
      return current.index;
    },
    get stats() {
      return current.stats;
    },
    get embedder() {
      return current.embedder;
    },
    get policy() {
      return current.policy;
    },
    snapshot: () => current,
    // A check already under way may have read the pointer before the flip: look again after it.
    async refresh() {
      await running;
      await poll();
    },
    async close() {
      clearInterval(timer);
      unwatch();
      await store.close();
    },
  });
  return engine as SharedEngine;
}

/**
 * The same for a bot on a shared store: writes a new generation from the collection and has
 * `engine` switch to it (the other processes switch when they next poll).
 */
export async function rebuildShared(
  opts: EngineOptions,
  engine: SharedEngine,
  force = false,
): Promise<{ engine: SharedEngine; report: BuildReport } | undefined> {
  const store = await openStore(opts);
  try {
    const manifest = await store.manifest();
    const corpusDir = opts.corpusDir ?? manifest?.corpus ?? DEFAULT_CORPUS;
    if (!force && manifest && manifest.embedder === engine.embedder.id && !(await isStale(corpusDir, manifest)))
      return undefined;
    const report = await store.build({
      corpusDir,
      embedder: engine.embedder,
      progress: opts.progress,
      notice: opts.notice,
      stats: storedStats,
    });
    await engine.refresh();
    return { engine, report };
  } finally {
    await store.close();
  }
}

/**
 * `rest`, given the questions of an `Engine`, each put to the engine `now()` returns at the time
 * of the call: a swap never changes an answer under way. (Defined on `rest`, not spread into
 * it: a spread would read `embedderId` once.)
 */
export function answeringFrom<T extends object>(now: () => Engine, rest: T): T & Omit<Engine, 'close'> {
  const questions: Omit<Engine, 'close'> = {
    get embedderId() {
      return now().embedderId;
    },
    ask: (question) => now().ask(question),
    askMany: (questions, contexts) => now().askMany(questions, contexts),
    search: (query, k) => now().search(query, k),
    documents: () => now().documents(),
    document: (doc, collection) => now().document(doc, collection),
    documentText: (doc, collection) => now().documentText(doc, collection),
    context: (doc, start, end, collection) => now().context(doc, start, end, collection),
  };
  return Object.defineProperties(rest, Object.getOwnPropertyDescriptors(questions)) as T & Omit<Engine, 'close'>;
}
