/**
 * Index builds for a running bot, in a worker thread: cleaning, embedding and the HNSW build are
 * CPU work that would otherwise hold the bot's event loop for seconds (measured: 1.7–2.2 s for one
 * added article), long enough to miss Discord's 3-second deadline. The worker keeps its own
 * embedder warm between builds and exits after a quiet spell; it builds into the index folder
 * (temp folder, then rename) with the generation's statistics beside it (so that no process that
 * reads the new index computes them on its event loop: ~2 s at 20,000 sentences), and the bot then
 * reads the new index. Run from the TypeScript
 * sources (tests), the worker is loaded through tsx.
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { Embedder } from '../embed/embedder.js';
import { openEmbedder } from '../embed/select.js';
import { buildIndex } from '../index/build.js';
import { openStore } from '../index/store.js';
import { type BuildReport } from '../index/types.js';
import { storedStats } from '../retrieve/stats.js';

export interface BuildJob {
  corpusDir: string;
  indexDir: string;
  /** The index's embedder id (e.g. `use-lite`). */
  embedder: string;
  modelDir?: string;
  /** Build into the shared store at this URL instead (`collection`: a server's; default the base). */
  indexUrl?: string;
  collection?: string;
  scanMax?: number;
}

type Reply = { ok: true; report: BuildReport } | { ok: false; error: string };

const MARK = 'quotebot-build-worker';
/** The build worker's JavaScript heap (texts, chunks, the lexical index; vectors and the models live outside it). */
export const BUILD_HEAP_MB = 1024;

export interface WorkerBuilder {
  /** One build at a time (the live engine serializes them). */
  build(job: BuildJob): Promise<BuildReport>;
  /**
   * Stops the worker. A build under way is asked to stop first (between embedding batches; the
   * index keeps its previous generation) and waited for, at most `waitMs`: a worker terminated
   * inside native code (onnxruntime, hnswlib) aborts the whole process.
   */
  close(waitMs?: number): Promise<void>;
}

export function workerBuilder(opts: { idleMs?: number } = {}): WorkerBuilder {
  const idleMs = opts.idleMs ?? 5 * 60_000;
  let worker: Worker | undefined;
  let idle: NodeJS.Timeout | undefined;
  let inFlight: Promise<unknown> | undefined;

  const start = (): Worker => {
    const options = { workerData: MARK, resourceLimits: { maxOldGenerationSizeMb: BUILD_HEAP_MB } };
    const w = import.meta.url.endsWith('.ts')
      ? // From the TypeScript sources (vitest): load this file through tsx inside the worker.
        new Worker(
          `import('tsx/esm/api').then((tsx) => tsx.tsImport(${JSON.stringify(import.meta.url)}, ${JSON.stringify(import.meta.url)}))`,
          { eval: true, ...options },
        )
      : new Worker(new URL('./build-worker.js', import.meta.url), options);
    w.unref(); // never what keeps the process alive
    w.once('exit', () => {
      if (worker === w) worker = undefined;
    });
    return w;
  };

  return {
    build(job) {
      clearTimeout(idle);
      const w = (worker ??= start());
      const done = new Promise<BuildReport>((resolve, reject) => {
        const onMessage = (m: Reply) => {
          cleanup();
          if (m.ok) resolve(m.report);
          else reject(new Error(m.error));
        };
        const onError = (err: Error & { code?: string }) => {
          cleanup();
          reject(
            err.code === 'ERR_WORKER_OUT_OF_MEMORY'
              ? new Error(`the index build ran out of memory (its limit is ${BUILD_HEAP_MB} MB)`)
              : err,
          );
        };
        const onExit = (code: number) => {
          cleanup();
          reject(new Error(`the index build stopped (worker exit code ${code})`));
        };
        const cleanup = () => {
          w.off('message', onMessage).off('error', onError).off('exit', onExit);
          idle = setTimeout(() => void w.terminate(), idleMs).unref();
        };
        w.on('message', onMessage).on('error', onError).on('exit', onExit);
        w.postMessage(job);
      });
      inFlight = done.finally(() => (inFlight = undefined)).catch(() => {});
      return done;
    },
    async close(waitMs = 10_000) {
      clearTimeout(idle);
      const w = worker;
      worker = undefined;
      if (!w) return;
      if (inFlight) {
        w.postMessage({ cancel: true });
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([inFlight, new Promise((r) => (timer = setTimeout(r, waitMs)))]);
        clearTimeout(timer);
      }
      await w.terminate();
    },
  };
}

if (!isMainThread && workerData === MARK) {
  const embedders = new Map<string, Promise<Embedder>>();
  let running: AbortController | undefined;
  parentPort!.on('message', (job: BuildJob | { cancel: true }) => {
    if ('cancel' in job) return running?.abort(new Error('the build was stopped (shutting down)'));
    void (async () => {
      const controller = (running = new AbortController());
      let reply: Reply;
      try {
        const key = `${job.embedder}\n${job.modelDir ?? ''}`;
        if (!embedders.has(key)) embedders.set(key, openEmbedder(job.embedder, { modelDir: job.modelDir }));
        const embedder = await embedders.get(key)!.catch((err: unknown) => {
          embedders.delete(key);
          throw err;
        });
        controller.signal.throwIfAborted();
        if (job.indexUrl) {
          const store = await openStore({
            indexDir: job.indexDir,
            indexUrl: job.indexUrl,
            scanMax: job.scanMax,
            collection: job.collection,
          });
          try {
            reply = { ok: true, report: await store.build({ corpusDir: job.corpusDir, embedder, stats: storedStats }) };
          } finally {
            await store.close();
          }
        } else
          reply = {
            ok: true,
            report: await buildIndex({
              corpusDir: job.corpusDir,
              indexDir: job.indexDir,
              embedder,
              signal: controller.signal,
              stats: storedStats,
            }),
          };
      } catch (err) {
        reply = { ok: false, error: err instanceof Error ? err.message : String(err) };
      }
      parentPort!.postMessage(reply);
    })();
  });
}
