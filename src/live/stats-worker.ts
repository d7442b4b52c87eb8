/**
 * The text statistics of a freshly built index generation (terms, pairs, focus marking, local
 * rarity: retrieve/score.ts `textStats`), worked out in a short-lived worker thread: on the bot's
 * event loop they take about a second per megabyte of new text, long enough to miss Discord's
 * 3-second deadline for every server. The engine swap then only reads the index and takes them.
 * Any failure gives undefined: the engine works them out itself, as before.
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { readIndex } from '../index/read.js';
import { textStats, type TextStats } from '../retrieve/score.js';

const MARK = 'quotebot-stats-worker';

export interface PreparedStats {
  /** The generation they were worked out for. */
  generation?: string;
  text: TextStats;
}

export function textStatsOffThread(indexDir: string, timeoutMs = 120_000): Promise<PreparedStats | undefined> {
  const options = { workerData: { mark: MARK, indexDir }, resourceLimits: { maxOldGenerationSizeMb: 1024 } };
  const w = import.meta.url.endsWith('.ts')
    ? new Worker(
        `import('tsx/esm/api').then((tsx) => tsx.tsImport(${JSON.stringify(import.meta.url)}, ${JSON.stringify(import.meta.url)}))`,
        { ...options, eval: true },
      )
    : new Worker(new URL('./stats-worker.js', import.meta.url), options);
  return new Promise<PreparedStats | undefined>((resolve) => {
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    const finish = (r: PreparedStats | undefined) => {
      clearTimeout(timer);
      w.removeAllListeners();
      void w.terminate();
      resolve(r);
    };
    w.once('message', (m: PreparedStats | { error: string }) => finish('text' in m ? m : undefined));
    w.once('error', () => finish(undefined));
    w.once('exit', () => finish(undefined));
  });
}

if (!isMainThread && (workerData as { mark?: string } | null)?.mark === MARK) {
  const { indexDir } = workerData as { indexDir: string };
  readIndex(indexDir).then(
    (index) =>
      parentPort!.postMessage({ generation: index.generation, text: textStats(index) } satisfies PreparedStats),
    (err: unknown) => parentPort!.postMessage({ error: String(err) }),
  );
}
