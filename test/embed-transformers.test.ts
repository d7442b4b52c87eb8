import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Embedder } from '../src/embed/embedder.js';
import { loadTransformersEmbedder, transformersModelProfile } from '../src/embed/transformers.js';
import { TINY_HIDDEN_SIZE, TINY_WORDS, writeTinyBertModel } from './helpers/tiny-onnx.js';

const BGE_QUERY_PREFIX = 'Represent this sentence for searching relevant passages: ';

let tmp: string;
let modelDir: string;
let bge: Embedder;
let plain: Embedder;

const norm = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
const maxAbsDiff = (a: number[], b: number[]) => {
  expect(a.length).toBe(b.length);
  return a.reduce((m, x, i) => Math.max(m, Math.abs(x - (b[i] as number))), 0);
};

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'quotebot-embed-'));
  ({ modelDir } = await writeTinyBertModel(tmp, 'test/tiny-bge-en'));
  await writeTinyBertModel(tmp, 'test/tiny-plain');
  await writeTinyBertModel(tmp, 'test/tiny-e5-small');
  await writeTinyBertModel(tmp, 'test/tiny-fullprecision', { quantized: false });
  bge = await loadTransformersEmbedder('test/tiny-bge-en', { modelDir, allowRemote: false });
  plain = await loadTransformersEmbedder('test/tiny-plain', { modelDir, allowRemote: false });
});

afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('transformers embedder (tiny local ONNX model)', () => {
  it('reports id and dims read from the model', () => {
    expect(bge.id).toBe('transformers:test/tiny-bge-en');
    expect(plain.id).toBe('transformers:test/tiny-plain');
    expect(bge.dims).toBe(TINY_HIDDEN_SIZE);
    expect(plain.dims).toBe(TINY_HIDDEN_SIZE);
  });

  it('returns unit-length vectors of length dims', async () => {
    const vecs = await bge.embed(['the quick brown fox', 'a lazy dog', 'red sun over the sea'], { query: false });
    expect(vecs).toHaveLength(3);
    for (const v of vecs) {
      expect(v).toHaveLength(bge.dims);
      expect(v.every((x) => typeof x === 'number' && Number.isFinite(x))).toBe(true);
      expect(norm(v)).toBeCloseTo(1, 5);
    }
    const q = await plain.embed(['what is the blue river'], { query: true });
    expect(norm(q[0]!)).toBeCloseTo(1, 5);
  });

  it('gives different vectors for different texts and the same vector for the same text', async () => {
    for (const e of [bge, plain]) {
      const [a, b, a2] = await e.embed(['the quick brown fox', 'a lazy dog', 'the quick brown fox']);
      expect(maxAbsDiff(a!, b!)).toBeGreaterThan(1e-3);
      expect(maxAbsDiff(a!, a2!)).toBeLessThan(1e-6);
      const [again] = await e.embed(['the quick brown fox']);
      expect(maxAbsDiff(a!, again!)).toBeLessThan(1e-5);
    }
  });

  it('applies the BGE query instruction to queries only', async () => {
    const text = 'where is the green mountain';
    const [passage] = await bge.embed([text]);
    const [query] = await bge.embed([text], { query: true });
    const [prefixedByHand] = await bge.embed([BGE_QUERY_PREFIX + text]);
    expect(maxAbsDiff(passage!, query!)).toBeGreaterThan(1e-3);
    expect(maxAbsDiff(query!, prefixedByHand!)).toBeLessThan(1e-5);
  });

  it('applies no prefix for a model outside the known families', async () => {
    const text = 'where is the green mountain';
    const [passage] = await plain.embed([text]);
    const [query] = await plain.embed([text], { query: true });
    expect(maxAbsDiff(passage!, query!)).toBeLessThan(1e-6);
  });

  it('uses CLS pooling for BGE and mean pooling otherwise (same weights, different vectors)', async () => {
    const text = 'the yellow bird on the tree';
    const [clsVec] = await bge.embed([text]);
    const [meanVec] = await plain.embed([text]);
    expect(maxAbsDiff(clsVec!, meanVec!)).toBeGreaterThan(1e-3);
  });

  it('applies E5 "query: " / "passage: " prefixes', async () => {
    const e5 = await loadTransformersEmbedder('test/tiny-e5-small', { modelDir, allowRemote: false });
    const text = 'the blue sea';
    const [q] = await e5.embed([text], { query: true });
    const [p] = await e5.embed([text]);
    // Same weights and pooling as the plain model, so the plain model on hand-prefixed text must match.
    const [qRef, pRef] = await plain.embed([`query: ${text}`, `passage: ${text}`]);
    expect(maxAbsDiff(q!, p!)).toBeGreaterThan(1e-3);
    expect(maxAbsDiff(q!, qRef!)).toBeLessThan(1e-5);
    expect(maxAbsDiff(p!, pRef!)).toBeLessThan(1e-5);
  });

  it('batches internally: 70 texts with batchSize 32 equal embedding one at a time', async () => {
    const small = await loadTransformersEmbedder('test/tiny-bge-en', { modelDir, allowRemote: false, batchSize: 32 });
    // Deterministic sentences of varying length, so batches contain padding.
    const texts = Array.from({ length: 70 }, (_, i) =>
      Array.from({ length: 1 + (i % 9) }, (_, j) => TINY_WORDS[(i * 7 + j * 13) % TINY_WORDS.length]).join(' '),
    );
    expect(new Set(texts).size).toBeGreaterThan(60);
    for (const query of [false, true]) {
      const batched = await small.embed(texts, { query });
      expect(batched).toHaveLength(70);
      for (let i = 0; i < texts.length; i++) {
        const [single] = await small.embed([texts[i]!], { query });
        expect(maxAbsDiff(batched[i]!, single!)).toBeLessThan(1e-5);
      }
    }
  });

  it('returns [] for no texts and truncates over-long texts', async () => {
    expect(await bge.embed([])).toEqual([]);
    const long = Array.from({ length: 500 }, (_, i) => TINY_WORDS[i % TINY_WORDS.length]).join(' ');
    const [v] = await bge.embed([long], { query: true });
    expect(norm(v!)).toBeCloseTo(1, 5);
  });

  it('falls back to onnx/model.onnx when no quantized file exists', async () => {
    const e = await loadTransformersEmbedder('test/tiny-fullprecision', { modelDir, allowRemote: false });
    expect(e.dims).toBe(TINY_HIDDEN_SIZE);
    // Identical weights to the plain model (mean pooling, no prefix).
    const [a] = await e.embed(['the red fox']);
    const [b] = await plain.embed(['the red fox']);
    expect(maxAbsDiff(a!, b!)).toBeLessThan(1e-6);
  });

  it('fails with a clear one-line error for a missing model when remote loading is off', async () => {
    const err = await loadTransformersEmbedder('test/not-there', { modelDir, allowRemote: false }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(Error);
    const msg = (err as Error).message;
    expect(msg).toMatch(/^transformers model "test\/not-there" is not available locally/);
    expect(msg).not.toContain('\n');
    expect(msg).not.toMatch(/\bat .+:\d+:\d+/); // no stack frames in the message
  });

  it('still loads local models after a failed load (global transformers.js settings restored per load)', async () => {
    const e = await loadTransformersEmbedder('test/tiny-plain', { modelDir, allowRemote: false });
    const [a] = await e.embed(['one two three']);
    const [b] = await plain.embed(['one two three']);
    expect(maxAbsDiff(a!, b!)).toBeLessThan(1e-6);
  });

  it('rejects a non-positive batch size', async () => {
    await expect(loadTransformersEmbedder('test/tiny-plain', { modelDir, batchSize: 0 })).rejects.toThrow(/batchSize/);
  });
});

describe('transformers embedder, remote loading (local fake hub)', () => {
  /** Serves `<root>/<org>/<name>/<file>` at `/<org>/<name>/resolve/main/<file>`; 'hang' never answers. */
  async function withHub(
    mode: 'serve' | 'hang',
    root: string,
    fn: (env: { remoteHost: string; cacheDir: string | null }) => Promise<void>,
  ): Promise<void> {
    const server = http.createServer((req, res) => {
      if (mode === 'hang') return; // accept, never respond
      const m = /^\/(.+)\/resolve\/main\/(.+)$/.exec(decodeURIComponent(req.url ?? ''));
      const file = m ? path.join(root, m[1]!, m[2]!) : '';
      readFile(file).then(
        (buf) => {
          res.writeHead(200, { 'content-length': buf.length });
          res.end(req.method === 'HEAD' ? undefined : buf);
        },
        () => {
          res.writeHead(404);
          res.end();
        },
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { env } = (await import('@xenova/transformers')) as unknown as {
      env: { remoteHost: string; cacheDir: string | null };
    };
    const saved = { remoteHost: env.remoteHost, cacheDir: env.cacheDir };
    env.remoteHost = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    env.cacheDir = path.join(tmp, 'cache') + path.sep; // never write into the shared node_modules cache
    try {
      await fn(env);
    } finally {
      env.remoteHost = saved.remoteHost;
      env.cacheDir = saved.cacheDir;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  it('downloads a model that is not local, falling back to onnx/model.onnx', async () => {
    const hubRoot = path.join(tmp, 'hub');
    await writeTinyBertModel(hubRoot, 'hub/tiny-remote', { quantized: false });
    await withHub('serve', hubRoot, async () => {
      const e = await loadTransformersEmbedder('hub/tiny-remote', { modelDir, allowRemote: true });
      expect(e.dims).toBe(TINY_HIDDEN_SIZE);
      const [a] = await e.embed(['the red fox']);
      const [b] = await plain.embed(['the red fox']);
      expect(maxAbsDiff(a!, b!)).toBeLessThan(1e-6);
    });
  });

  it('fails with one line when the hub does not have the model', async () => {
    await withHub('serve', path.join(tmp, 'empty-hub'), async () => {
      await expect(loadTransformersEmbedder('hub/absent', { modelDir, allowRemote: true })).rejects.toThrow(
        /^transformers model "hub\/absent" is not available locally and could not be downloaded: hub answered HTTP 404[^\n]*$/,
      );
    });
  });

  it('gives up on a hub that never answers after a bounded time', async () => {
    await withHub('hang', tmp, async () => {
      const t0 = Date.now();
      await expect(loadTransformersEmbedder('hub/slow', { modelDir, allowRemote: true })).rejects.toThrow(
        /^transformers model "hub\/slow" is not available locally and could not be downloaded: hub did not answer within \d+s$/,
      );
      expect(Date.now() - t0).toBeLessThan(15_000);
    });
  }, 30_000);
});

describe('transformersModelProfile', () => {
  it('follows the documented model-family conventions', () => {
    expect(transformersModelProfile('Xenova/bge-small-en-v1.5')).toEqual({
      pooling: 'cls',
      queryPrefix: BGE_QUERY_PREFIX,
      passagePrefix: '',
    });
    expect(transformersModelProfile('Xenova/bge-base-en-v1.5').pooling).toBe('cls');
    expect(transformersModelProfile('BAAI/bge-large-en').queryPrefix).toBe(BGE_QUERY_PREFIX);
    expect(transformersModelProfile('Xenova/e5-small-v2')).toEqual({
      pooling: 'mean',
      queryPrefix: 'query: ',
      passagePrefix: 'passage: ',
    });
    expect(transformersModelProfile('Xenova/multilingual-e5-small').queryPrefix).toBe('query: ');
    for (const other of ['Xenova/all-MiniLM-L6-v2', 'Xenova/gte-small', 'Xenova/paraphrase-MiniLM-L3-v2']) {
      expect(transformersModelProfile(other)).toEqual({ pooling: 'mean', queryPrefix: '', passagePrefix: '' });
    }
  });
});
