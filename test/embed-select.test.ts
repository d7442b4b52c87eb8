import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEmbedder } from '../src/embed/select.js';
import { filesDir } from '../src/index/generations.js';
import { writeTinyBertModel } from './helpers/tiny-onnx.js';
import { IndexError } from '../src/index/types.js';
import { openEngine } from '../src/engine/open.js';

/** The embedder choice end to end: a transformers.js index (tiny ONNX model made in code), fallback, mismatch. */
let tmp: string;
let modelDir: string;
let corpus: string;
const MODEL = 'test/tiny-bge-en';

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'quotebot-select-'));
  ({ modelDir } = await writeTinyBertModel(tmp, MODEL));
  corpus = path.join(tmp, 'corpus');
  await cp('test/fixtures/collection-b', corpus, { recursive: true });
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

describe('embedder selection', () => {
  it('builds and answers with a transformers model, and records it in the manifest', async () => {
    const indexDir = path.join(tmp, 'index-tx');
    const engine = await openEngine({ corpusDir: corpus, indexDir, embedder: `transformers:${MODEL}`, modelDir });
    expect(engine.embedderId).toBe(`transformers:${MODEL}`);
    const manifest = JSON.parse(await readFile(path.join((await filesDir(indexDir)).path, 'manifest.json'), 'utf8'));
    expect(manifest.embedder).toBe(`transformers:${MODEL}`);
    expect(manifest.dims).toBe(16);
    const hits = await engine.search('water main', 3);
    expect(hits.length).toBeGreaterThan(0);
    for (const h of hits)
      expect((await readFile(path.join(corpus, h.doc), 'utf8')).slice(h.start, h.end)).toBe(h.quote);

    // Queries always use the index's own embedder: `auto` reopens it with the same model.
    const again = await openEngine({ corpusDir: corpus, indexDir, embedder: 'auto', modelDir });
    expect(again.embedderId).toBe(`transformers:${MODEL}`);
  });

  it('refuses to query an index with another embedder than it was built with', async () => {
    const indexDir = path.join(tmp, 'index-tx');
    const err = await openEngine({ corpusDir: corpus, indexDir, embedder: 'use-lite', modelDir }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(IndexError);
    expect((err as Error).message).toMatch(/built with transformers:test\/tiny-bge-en.*use-lite/);
  });

  it('says clearly when the index embedder cannot be loaded here', async () => {
    const indexDir = path.join(tmp, 'index-tx');
    const err = await openEngine({ corpusDir: corpus, indexDir, modelDir: path.join(tmp, 'no-models') }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(IndexError);
    expect((err as Error).message).toMatch(/cannot be loaded here/);
    expect((err as Error).message).not.toContain('\n');
  });

  it('auto falls back to use-lite with a one-line notice when the default model is unavailable', async () => {
    const notices: string[] = [];
    const embedder = await openEmbedder('auto', {
      modelDir: path.join(tmp, 'no-models'),
      notice: (l) => notices.push(l),
    });
    expect(embedder.id).toBe('use-lite');
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(/using use-lite/);
    expect(notices[0]).not.toContain('\n');
  });

  it('rejects an unknown embedder name', async () => {
    await expect(openEmbedder('word2vec')).rejects.toThrow(/Unknown embedder/);
  });
});
