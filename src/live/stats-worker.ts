/**
 * The text statistics of a freshly built index generation (terms, pairs, focus marking, local
 * rarity: retrieve/score.ts `textStats`), worked out in a short-lived worker thread: on the bot's
 * event loop they take about a second per megabyte of new text, long enough to miss Discord's
 * 3-second deadline for every server. They come back in slices, each sent only once the previous
 * one is taken, so that reading them (structured clone) holds the event loop a few milliseconds at
 * a time. The engine swap then only reads the index and takes them. Any failure gives undefined:
 * the engine works them out itself, as before.
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { readIndex } from '../index/read.js';
import { textStats, type TextStats } from '../retrieve/score.js';

const MARK = 'quotebot-stats-worker';
/** Items per slice of a per-sentence list. */
const SLICE = 1000;

export interface PreparedStats {
  /** The generation they were worked out for. */
  generation?: string;
  text: TextStats;
}

type Piece =
  | { path: string[]; value: unknown }
  | { path: string[]; slice: unknown[]; last: boolean }
  | { done: true; generation?: string }
  | { error: string };

export function textStatsOffThread(indexDir: string, timeoutMs = 120_000): Promise<PreparedStats | undefined> {
  const options = { workerData: { mark: MARK, indexDir }, resourceLimits: { maxOldGenerationSizeMb: 1024 } };
  // From the TypeScript sources (tests) this file is loaded through tsx, which may add a query to its URL.
  const self = new URL(import.meta.url);
  self.search = '';
  const w = self.pathname.endsWith('.ts')
    ? new Worker(
        `import('tsx/esm/api').then((tsx) => tsx.tsImport(${JSON.stringify(self.href)}, ${JSON.stringify(self.href)}))`,
        { ...options, eval: true },
      )
    : new Worker(new URL('./stats-worker.js', import.meta.url), options);
  const out: Record<string, unknown> = {};
  const lists = new Map<string, unknown[][]>();
  const at = (path: string[]) => {
    let o = out;
    for (const k of path.slice(0, -1)) o = (o[k] ??= {}) as Record<string, unknown>;
    return { o, k: path.at(-1)! };
  };
  return new Promise<PreparedStats | undefined>((resolve) => {
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    const finish = (r: PreparedStats | undefined) => {
      clearTimeout(timer);
      w.removeAllListeners();
      void w.terminate();
      resolve(r);
    };
    w.on('message', (m: Piece) => {
      if ('error' in m) return finish(undefined);
      if ('done' in m) return finish({ generation: m.generation, text: out as unknown as TextStats });
      const { o, k } = at(m.path);
      if ('value' in m) o[k] = m.value;
      else {
        const key = m.path.join('.');
        const parts = lists.get(key) ?? lists.set(key, []).get(key)!;
        parts.push(m.slice);
        if (m.last) {
          o[k] = parts.flat();
          lists.delete(key);
        }
      }
      // The next piece once this one is taken and the event loop has had a turn.
      setImmediate(() => w.postMessage('next'));
    });
    w.once('error', () => finish(undefined));
    w.once('exit', () => finish(undefined));
  });
}

/** The statistics as pieces: per-sentence lists in slices, everything else whole. */
function* pieces(text: TextStats): Generator<Piece> {
  const parts = (path: string[], value: unknown): Piece[] => {
    if (!Array.isArray(value) || value.length <= SLICE) return [{ path, value }];
    const out: Piece[] = [];
    for (let i = 0; i < value.length; i += SLICE)
      out.push({ path, slice: value.slice(i, i + SLICE), last: i + SLICE >= value.length });
    return out;
  };
  for (const [k, v] of Object.entries(text)) {
    if (k === 'focus') for (const [f, fv] of Object.entries(v as object)) yield* parts(['focus', f], fv);
    else yield* parts([k], v);
  }
}

if (!isMainThread && (workerData as { mark?: string } | null)?.mark === MARK) {
  const { indexDir } = workerData as { indexDir: string };
  readIndex(indexDir).then(
    (index) => {
      const queue = pieces(textStats(index));
      const send = () => {
        const next = queue.next();
        parentPort!.postMessage(
          next.done ? ({ done: true, generation: index.generation } satisfies Piece) : next.value,
        );
      };
      parentPort!.on('message', send);
      send();
    },
    (err: unknown) => parentPort!.postMessage({ error: String(err) } satisfies Piece),
  );
}
