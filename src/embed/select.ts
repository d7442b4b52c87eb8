import type { Embedder } from './embedder.js';

export const DEFAULT_TRANSFORMERS_MODEL = 'Xenova/bge-small-en-v1.5';

export interface EmbedderOptions {
  modelDir?: string;
  /** One-line notices (e.g. the fallback), for stderr. */
  notice?: (line: string) => void;
}

/**
 * Opens an embedder by id: `use-lite`, `transformers:<model>` (downloaded when not local), or `auto`:
 * the default transformers model when it is already local (MODEL_DIR or the cache), else use-lite
 * at once. `auto` never downloads, so a fresh install never meets a network error; a model named
 * outright (`transformers:<model>`, or `transformers` for the default) is downloaded when missing.
 */
export async function openEmbedder(spec: string, opts: EmbedderOptions = {}): Promise<Embedder> {
  if (spec === 'use-lite') {
    const { loadUseLite } = await import('./use-lite.js');
    return loadUseLite({ notice: opts.notice });
  }
  if (spec === 'auto' || spec === 'transformers' || spec.startsWith('transformers:')) {
    const model = spec.startsWith('transformers:') ? spec.slice('transformers:'.length) : DEFAULT_TRANSFORMERS_MODEL;
    const { loadTransformersEmbedder, ModelNotLocalError } = await import('./transformers.js');
    try {
      return await loadTransformersEmbedder(model, { modelDir: opts.modelDir, allowRemote: spec !== 'auto' });
    } catch (err) {
      if (spec !== 'auto') throw err;
      opts.notice?.(
        err instanceof ModelNotLocalError
          ? `Embedder: using use-lite, the bundled encoder (${model} is not in MODEL_DIR or the cache; EMBEDDER=transformers:${model} downloads it).`
          : `Embedder: ${model} could not be loaded (${firstLine(err)}); using use-lite instead.`,
      );
      const { loadUseLite } = await import('./use-lite.js');
      return loadUseLite({ notice: opts.notice });
    }
  }
  throw new Error(`Unknown embedder "${spec}": use auto, use-lite or transformers:<model>.`);
}

function firstLine(err: unknown): string {
  return String(err instanceof Error ? err.message : err).split('\n')[0]!;
}
