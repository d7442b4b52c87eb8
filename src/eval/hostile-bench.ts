/**
 * `npm run -s bench -- --hostile [--json] [--size BYTES]`: for each hostile input
 * (hostile-inputs.ts; `size` bytes, 1 MB by default, and a quarter of that), the time and the peak
 * growth of resident memory of each text stage: extract, sentences (the whole text as one span),
 * clean, chunk, focus (marking who each sentence is about) and lexical (the BM25 index). `growth`
 * is a stage's time at full size over its time at a quarter: about 4 for a linear stage, 16 for a
 * quadratic one. Each input runs in a fresh worker thread, stage after stage with a garbage
 * collection between; this thread samples the resident memory every few milliseconds meanwhile.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { Chunk, Document } from '../core/types.js';
import { hostileInputs } from './hostile-inputs.js';

export const STAGES = ['extract', 'sentences', 'clean', 'chunk', 'focus', 'lexical'] as const;
type Stage = (typeof STAGES)[number];

export interface StageFigure {
  ms: number;
  /** Growth of the process's resident memory over the stage, at its peak. */
  peak_mb: number;
}

export interface InputFigures {
  name: string;
  bytes: number;
  /** Characters of text extracted. */
  chars?: number;
  /** Why the file is refused (a limit of extract/caps.ts), if it is: the later stages do not run. */
  refused?: string;
  stages: Partial<Record<Stage, StageFigure & { growth?: number }>>;
  /** Longest sentence and chunk made, in characters (bounded whatever the input). */
  longest_sentence?: number;
  longest_chunk?: number;
}

type FromWorker =
  | { kind: 'start'; stage: Stage }
  | { kind: 'end'; stage: Stage; ms: number }
  | { kind: 'done'; bytes: number; chars?: number; refused?: string; longestSentence?: number; longestChunk?: number }
  | { kind: 'error'; message: string };

const MARK = 'quotebot-hostile-bench';
const SAMPLE_MS = 2;

/** One input at one size, in a fresh worker. */
function runOne(name: string, size: number): Promise<InputFigures> {
  const w = new Worker(new URL(import.meta.url), { workerData: { mark: MARK, name, size } });
  const figures: InputFigures = { name, bytes: 0, stages: {} };
  let base = 0;
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), SAMPLE_MS);
  return new Promise<InputFigures>((resolve, reject) => {
    w.on('message', (m: FromWorker) => {
      if (m.kind === 'start') base = peak = process.memoryUsage.rss();
      else if (m.kind === 'end') {
        peak = Math.max(peak, process.memoryUsage.rss());
        figures.stages[m.stage] = { ms: round(m.ms), peak_mb: round(Math.max(0, peak - base) / 2 ** 20) };
      } else if (m.kind === 'done') {
        Object.assign(figures, {
          bytes: m.bytes,
          ...(m.chars !== undefined && { chars: m.chars }),
          ...(m.refused && { refused: m.refused }),
          ...(m.longestSentence !== undefined && { longest_sentence: m.longestSentence }),
          ...(m.longestChunk !== undefined && { longest_chunk: m.longestChunk }),
        });
        resolve(figures);
      } else reject(new Error(`${name}: ${m.message}`));
    });
    w.on('error', reject);
  }).finally(() => {
    clearInterval(sampler);
    void w.terminate();
  });
}

/** Every hostile input at `size` and `size / 4`; `progress` gets a line per input. */
export async function hostileBench(size: number, progress?: (line: string) => void): Promise<InputFigures[]> {
  const out: InputFigures[] = [];
  for (const input of hostileInputs(size)) {
    const full = await runOne(input.name, size);
    const quarter = await runOne(input.name, Math.round(size / 4));
    for (const stage of STAGES) {
      const f = full.stages[stage];
      const q = quarter.stages[stage];
      // (Only where the quarter-size run took long enough for the ratio to mean something.)
      if (f && q && q.ms >= 5) f.growth = round(f.ms / q.ms);
    }
    out.push(full);
    progress?.(formatInput(full));
  }
  return out;
}

export function formatInput(f: InputFigures): string {
  const stages = STAGES.filter((s) => f.stages[s])
    .map((s) => {
      const x = f.stages[s]!;
      return `${s} ${x.ms} ms/${x.peak_mb} MB${x.growth !== undefined ? ` ×${x.growth}` : ''}`;
    })
    .join(' | ');
  return `${f.name.padEnd(20)} ${String(f.bytes).padStart(8)} B  ${f.refused ? `refused: ${f.refused}` : stages}`;
}

const round = (x: number) => Math.round(x * 10) / 10;

async function inWorker(name: string, size: number): Promise<void> {
  const post = (m: FromWorker) => parentPort!.postMessage(m);
  // (A worker cannot be started with --expose-gc: the flag is set here, and gc taken from a fresh context.)
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const input = hostileInputs(size).find((i) => i.name === name)!;
  const bytes = await input.bytes();
  // Modules loaded before timing: a stage's first call should not pay for them.
  const [{ extract }, { splitSentences }, { cleanDocument }, { chunkDocument }, { focusTable }, { buildLexical }] =
    await Promise.all([
      import('../ingest/extract/extract.js'),
      import('../ingest/sentences.js'),
      import('../ingest/clean/clean.js'),
      import('../ingest/chunk.js'),
      import('../retrieve/focus/table.js'),
      import('../index/lexical.js'),
      import('../ingest/extract/html.js'),
      import('../ingest/extract/pdf.js'),
    ]);
  const timed = async <T>(stage: Stage, fn: () => T | Promise<T>): Promise<T> => {
    gc();
    post({ kind: 'start', stage });
    const t = performance.now();
    const r = await fn();
    post({ kind: 'end', stage, ms: performance.now() - t });
    return r;
  };
  let extracted;
  try {
    extracted = await timed('extract', () => extract(input.file, bytes));
  } catch (err) {
    return post({ kind: 'done', bytes: bytes.length, refused: (err as Error).message });
  }
  const doc: Document = { id: input.file, hash: '', ...extracted };
  const sentences = await timed('sentences', () => splitSentences(doc.text, { start: 0, end: doc.text.length }));
  const clean = await timed('clean', () => cleanDocument(doc));
  const chunks: Chunk[] = await timed('chunk', () => chunkDocument(clean, 0));
  const spans = chunks.flatMap((c) => c.sentences.map((s) => ({ ...s, paragraph: c.paragraph })));
  await timed('focus', () =>
    focusTable(spans.map((s) => ({ text: doc.text.slice(s.start, s.end), doc: doc.id, paragraph: s.paragraph }))),
  );
  await timed('lexical', () => buildLexical(chunks.map((c) => ({ id: c.id, text: doc.text.slice(c.start, c.end) }))));
  const longest = (xs: { start: number; end: number }[]) => xs.reduce((m, x) => Math.max(m, x.end - x.start), 0);
  post({
    kind: 'done',
    bytes: bytes.length,
    chars: doc.text.length,
    longestSentence: Math.max(longest(sentences), longest(spans)),
    longestChunk: longest(chunks),
  });
}

if (!isMainThread && (workerData as { mark?: string } | null)?.mark === MARK) {
  const { name, size } = workerData as { name: string; size: number };
  inWorker(name, size).catch((err: unknown) =>
    parentPort!.postMessage({ kind: 'error', message: String((err as Error)?.message ?? err) } satisfies FromWorker),
  );
}
