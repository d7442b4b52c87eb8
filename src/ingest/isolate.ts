/**
 * Reading a collection file or an upload in a worker thread, under limits: a heap limit
 * (`resourceLimits`), a time limit and a watch on the process's resident memory (decoded PDF
 * streams live outside the heap), besides the extractors' own limits (caps.ts). A file past one
 * is refused with one line naming it (`Unreadable`); the worker is terminated and a fresh one
 * started for the next file. Nothing is written here: the caller writes, after the answer.
 *
 * One worker per thread that reads, kept for the next file and ended after a quiet spell; reads
 * run one at a time. `check: true` also cleans and chunks the text there and returns only the
 * number of passages (an upload's check: no quadratic stage or big page ever runs on the bot's
 * event loop). Run from the TypeScript sources (tests), the worker is loaded through tsx.
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { CAPS, over } from './extract/caps.js';
import { Unreadable, type Extracted } from './extract/extracted.js';

const MARK = 'quotebot-read-worker';
/** A worker with nothing to read for this long is ended (the next read starts one: ~50 ms). */
const IDLE_MS = 10_000;
/** How often the resident memory is looked at while a file is read. */
const WATCH_MS = 50;

interface Job {
  id: number;
  name: string;
  bytes: Uint8Array;
  check: boolean;
}
type Reply =
  | { id: number; ok: true; extracted?: Extracted; passages?: number }
  | { id: number; ok: false; reason: string; unreadable: boolean };

export interface ReadResult {
  /** The extracted text and metadata (absent for a check). */
  extracted?: Extracted;
  /** For a check: the passages the file would have once indexed. */
  passages?: number;
}

let worker: Worker | undefined;
let idle: NodeJS.Timeout | undefined;
let chain: Promise<unknown> = Promise.resolve();
let seq = 0;

function start(): Worker {
  const options = {
    workerData: MARK,
    resourceLimits: { maxOldGenerationSizeMb: CAPS.heapMb, maxYoungGenerationSizeMb: 64 },
  };
  // From the TypeScript sources (tests) this file is loaded through tsx, which may add a query to its URL.
  const self = new URL(import.meta.url);
  self.search = '';
  const w = self.pathname.endsWith('.ts')
    ? new Worker(
        `import('tsx/esm/api').then((tsx) => tsx.tsImport(${JSON.stringify(self.href)}, ${JSON.stringify(self.href)}))`,
        { ...options, eval: true },
      )
    : new Worker(new URL('./isolate.js', import.meta.url), options);
  w.unref();
  w.once('exit', () => {
    if (worker === w) worker = undefined;
  });
  return w;
}

function stop(w: Worker): void {
  if (worker === w) worker = undefined;
  void w.terminate();
}

/** Reads `bytes` as the collection file `name` in the worker; throws `Unreadable` with the reason. */
export function readIsolated(
  name: string,
  bytes: Uint8Array,
  opts: { check?: boolean; timeoutMs?: number } = {},
): Promise<ReadResult> {
  const run = chain.then(() => readOne(name, bytes, !!opts.check, opts.timeoutMs ?? CAPS.timeoutMs));
  chain = run.catch(() => undefined);
  return run;
}

function readOne(name: string, bytes: Uint8Array, check: boolean, timeoutMs: number): Promise<ReadResult> {
  clearTimeout(idle);
  const w = (worker ??= start());
  w.ref(); // a read under way keeps the process alive (a CLI build awaits it)
  const id = ++seq;
  const rssAtStart = process.memoryUsage.rss();
  return new Promise<ReadResult>((resolve, reject) => {
    const done = (settle: () => void) => {
      clearTimeout(timer);
      clearInterval(watch);
      w.off('message', onMessage).off('error', onError).off('exit', onExit);
      w.unref();
      if (worker === w) idle = setTimeout(() => stop(w), IDLE_MS).unref();
      settle();
    };
    const refuse = (err: Error) => {
      stop(w);
      done(() => reject(err));
    };
    const timer = setTimeout(() => refuse(over.time(timeoutMs)), timeoutMs).unref();
    const watch = setInterval(() => {
      if (process.memoryUsage.rss() - rssAtStart > CAPS.memoryMb * 2 ** 20) refuse(over.memory());
    }, WATCH_MS).unref();
    const onMessage = (m: Reply) => {
      if (m.id !== id) return;
      done(() =>
        m.ok
          ? resolve({ extracted: m.extracted, passages: m.passages })
          : reject(m.unreadable ? new Unreadable(m.reason) : new Error(m.reason)),
      );
    };
    const onError = (err: Error & { code?: string }) =>
      refuse(err.code === 'ERR_WORKER_OUT_OF_MEMORY' ? over.memory() : new Error(err.message));
    const onExit = (code: number) => refuse(new Error(`the reading worker stopped (exit code ${code})`));
    w.on('message', onMessage).on('error', onError).on('exit', onExit);
    w.postMessage({ id, name, bytes, check } satisfies Job);
  });
}

if (!isMainThread && workerData === MARK) {
  const reply = (r: Reply) => parentPort!.postMessage(r);
  parentPort!.on('message', (job: Job) => {
    void (async () => {
      try {
        const { extract } = await import('./extract/extract.js');
        const extracted = await extract(job.name, job.bytes);
        if (!job.check) return reply({ id: job.id, ok: true, extracted });
        const [{ cleanDocument }, { chunkDocument }] = await Promise.all([
          import('./clean/clean.js'),
          import('./chunk.js'),
        ]);
        const doc = { id: job.name, hash: '', ...extracted };
        reply({ id: job.id, ok: true, passages: chunkDocument(cleanDocument(doc), 0).length });
      } catch (err) {
        const unreadable = err instanceof Unreadable;
        const message = err instanceof Error ? err.message : String(err);
        reply({ id: job.id, ok: false, reason: message.split('\n')[0]!.slice(0, 200), unreadable });
      }
    })();
  });
}
