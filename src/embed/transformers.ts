/**
 * Sentence-embedding backend on transformers.js (`@xenova/transformers`, ONNX runtime).
 *
 * Models are looked up, in transformers.js' own order, in its file cache (`env.cacheDir`, by
 * default `node_modules/@xenova/transformers/.cache/`), then under `env.localModelPath`
 * (`<modelDir>/<org>/<name>/`), then — only when remote loading is allowed — on the Hugging Face
 * hub (downloads land in the cache).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Embedder } from './embedder.js';

type Pooling = 'mean' | 'cls';

export interface TransformersModelProfile {
  pooling: Pooling;
  /** Prepended to texts embedded with `{ query: true }`. */
  queryPrefix: string;
  /** Prepended to every other text (passages / documents). */
  passagePrefix: string;
}

/**
 * Pooling and prefixes per model family, as documented by the model authors:
 * - BGE English (BAAI/bge-{small,base,large}-en[-v1.5]; model cards at
 *   https://huggingface.co/BAAI/bge-small-en-v1.5 and the FlagEmbedding README): the sentence
 *   embedding is the last hidden state of [CLS], normalized; for short-query → passage retrieval
 *   queries get the instruction "Represent this sentence for searching relevant passages: ",
 *   passages get none.
 * - E5 (intfloat/e5-*-v2, intfloat/multilingual-e5-*; model cards at
 *   https://huggingface.co/intfloat/e5-small-v2): average pooling over the attention mask,
 *   normalized; inputs must start with "query: " or "passage: ".
 * - Anything else (e.g. sentence-transformers/all-MiniLM-*): mean pooling, no prefix.
 * Matched against the model name (the part after the last `/`).
 */
const FAMILIES: ReadonlyArray<{ match: RegExp; profile: TransformersModelProfile }> = [
  {
    match: /(?:^|[^a-z0-9])bge-(?:.*-)?en(?:$|[^a-z])/i,
    profile: {
      pooling: 'cls',
      queryPrefix: 'Represent this sentence for searching relevant passages: ',
      passagePrefix: '',
    },
  },
  {
    match: /(?:^|[^a-z0-9])e5-/i,
    profile: { pooling: 'mean', queryPrefix: 'query: ', passagePrefix: 'passage: ' },
  },
];
const DEFAULT_PROFILE: TransformersModelProfile = { pooling: 'mean', queryPrefix: '', passagePrefix: '' };

/** Pooling / prefixes used for `model` (see the table above). */
export function transformersModelProfile(model: string): TransformersModelProfile {
  const name = model.slice(model.lastIndexOf('/') + 1);
  return FAMILIES.find((f) => f.match.test(name))?.profile ?? DEFAULT_PROFILE;
}

export const DEFAULT_BATCH_SIZE = 32;
/** Upper bound on the hub reachability check, so an unreachable hub fails fast instead of hanging. */
export const HUB_PROBE_TIMEOUT_MS = 5_000;

// ---- minimal structural types for the parts of transformers.js we use ----
interface FeatureTensor {
  dims: number[];
  tolist(): unknown;
}
type Extractor = (texts: string[], opts: { pooling: Pooling; normalize: boolean }) => Promise<FeatureTensor>;
interface TransformersEnv {
  localModelPath: string;
  allowRemoteModels: boolean;
  allowLocalModels: boolean;
  cacheDir: string | null;
  remoteHost: string;
  remotePathTemplate: string;
}
interface TransformersModule {
  env: TransformersEnv;
  pipeline(task: 'feature-extraction', model: string, opts: { quantized: boolean }): Promise<unknown>;
}

let modulePromise: Promise<TransformersModule> | undefined;
let defaultLocalModelPath: string | undefined;
/** transformers.js configuration is one global object: serialize loads that change it. */
let loadQueue: Promise<unknown> = Promise.resolve();

async function importTransformers(): Promise<TransformersModule> {
  modulePromise ??= (import('@xenova/transformers') as Promise<unknown> as Promise<TransformersModule>).then(
    (mod) => {
      defaultLocalModelPath = mod.env.localModelPath;
      return mod;
    },
    (err: unknown) => {
      modulePromise = undefined;
      throw new Error(`transformers.js (@xenova/transformers) could not be loaded: ${oneLine(err)}`, { cause: err });
    },
  );
  return modulePromise;
}

/** First line of an error's message, plus the first line of its cause (fetch puts the reason there). */
function oneLine(err: unknown): string {
  const first = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split('\n')[0]?.trim() ?? '';
  let msg = first(err);
  const cause = err instanceof Error ? err.cause : undefined;
  if (cause !== undefined) {
    const c = first(cause);
    if (c && !msg.includes(c)) msg += ` (${c})`;
  }
  return msg;
}

/** Directories transformers.js will read `model` from, in its lookup order. */
function localDirs(env: TransformersEnv, model: string): string[] {
  const parts = model.split('/');
  const dirs: string[] = [];
  if (env.cacheDir) dirs.push(path.join(env.cacheDir, ...parts));
  if (env.allowLocalModels) dirs.push(path.join(env.localModelPath, ...parts));
  return dirs;
}

function findLocal(dirs: string[], file: string): boolean {
  return dirs.some((d) => existsSync(path.join(d, ...file.split('/'))));
}

/** Cheap, time-bounded check that the hub answers for this model before transformers.js tries. */
async function probeHub(env: TransformersEnv, model: string): Promise<void> {
  const url =
    env.remoteHost.replace(/\/?$/, '/') +
    env.remotePathTemplate.replaceAll('{model}', model).replaceAll('{revision}', 'main').replace(/\/?$/, '/') +
    'config.json';
  const headers: Record<string, string> = {};
  const token = process.env.HF_TOKEN ?? process.env.HF_ACCESS_TOKEN;
  if (token) headers.Authorization = `Bearer ${token}`;
  let res: Response;
  try {
    res = await fetch(url, { method: 'HEAD', headers, signal: AbortSignal.timeout(HUB_PROBE_TIMEOUT_MS) });
  } catch (err) {
    const name = err instanceof Error ? err.name : '';
    if (name === 'TimeoutError' || name === 'AbortError') {
      // The probe's failure is told in one line (oneLine folds a cause into the message): no cause attached.
      // eslint-disable-next-line preserve-caught-error
      throw new Error(`hub did not answer within ${HUB_PROBE_TIMEOUT_MS / 1000}s`);
    }
    // eslint-disable-next-line preserve-caught-error
    throw new Error(oneLine(err));
  }
  if (!res.ok) throw new Error(`hub answered HTTP ${res.status} for ${url}`);
}

/** The model is neither in the cache nor under the model folder, and downloading was not allowed. */
export class ModelNotLocalError extends Error {
  override name = 'ModelNotLocalError';
}

export interface TransformersEmbedderOptions {
  /** Root of local models, laid out `<modelDir>/<org>/<name>/`. */
  modelDir?: string;
  /** Allow downloading from the Hugging Face hub when the model is not local (default true). */
  allowRemote?: boolean;
  /** Texts per forward pass (default 32). */
  batchSize?: number;
}

/**
 * Load a transformers.js feature-extraction model as an {@link Embedder}.
 * Throws a one-line Error when the model is neither local nor downloadable.
 */
export async function loadTransformersEmbedder(
  model: string,
  opts: TransformersEmbedderOptions = {},
): Promise<Embedder> {
  const batchSize = opts.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new Error(`transformers embedder: batchSize must be a positive integer, got ${batchSize}`);
  }
  const allowRemote = opts.allowRemote ?? true;
  const mod = await importTransformers();

  const load = async (): Promise<Extractor> => {
    const { env } = mod;
    env.localModelPath = opts.modelDir ?? defaultLocalModelPath ?? env.localModelPath;
    env.allowRemoteModels = allowRemote;

    const dirs = localDirs(env, model);
    const hasQuantized = findLocal(dirs, 'onnx/model_quantized.onnx');
    const hasFull = findLocal(dirs, 'onnx/model.onnx');
    const isLocal = findLocal(dirs, 'config.json') && findLocal(dirs, 'tokenizer.json') && (hasQuantized || hasFull);

    if (!isLocal) {
      const where = dirs.join(', ');
      if (!allowRemote) {
        throw new ModelNotLocalError(
          `transformers model "${model}" is not available locally (looked in ${where}) and remote download is disabled`,
        );
      }
      try {
        await probeHub(env, model);
      } catch (err) {
        throw new Error(
          `transformers model "${model}" is not available locally and could not be downloaded: ${oneLine(err)}`,
          { cause: err },
        );
      }
    }

    // Prefer the quantized weights; use the full-precision file when only that one exists.
    const quantizedFirst = hasQuantized || !hasFull;
    const attempt = (quantized: boolean) =>
      mod.pipeline('feature-extraction', model, { quantized }) as Promise<Extractor>;
    try {
      try {
        return await attempt(quantizedFirst);
      } catch (err) {
        // Remote repo without a quantized export: retry with the full-precision file.
        if (!isLocal && quantizedFirst && /model_quantized\.onnx/.test(oneLine(err))) return await attempt(false);
        throw err;
      }
    } catch (err) {
      const reason = oneLine(err);
      const what = isLocal ? 'could not be loaded' : 'is not available locally and could not be downloaded';
      throw new Error(`transformers model "${model}" ${what}: ${reason}`, { cause: err });
    }
  };

  const loading = loadQueue.then(load, load);
  loadQueue = loading.catch(() => undefined);
  const extractor = await loading;

  const profile = transformersModelProfile(model);
  const run = async (texts: string[]): Promise<number[][]> => {
    const out = await extractor(texts, { pooling: profile.pooling, normalize: true });
    const rows = out.tolist() as number[][];
    if (rows.length !== texts.length) {
      throw new Error(`transformers model "${model}" returned ${rows.length} vectors for ${texts.length} texts`);
    }
    return rows;
  };

  const probe = await run(['dimension probe']);
  const dims = probe[0]?.length ?? 0;
  if (dims === 0) throw new Error(`transformers model "${model}" produced an empty embedding`);

  return {
    id: `transformers:${model}`,
    dims,
    async embed(texts: string[], embedOpts?: { query?: boolean }): Promise<number[][]> {
      const prefix = embedOpts?.query ? profile.queryPrefix : profile.passagePrefix;
      const out: number[][] = [];
      for (let i = 0; i < texts.length; i += batchSize) {
        const batch = texts.slice(i, i + batchSize).map((t) => prefix + t);
        out.push(...(await run(batch)));
      }
      return out;
    },
  };
}
