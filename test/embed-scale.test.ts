import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POLICIES } from '../src/answer/calibration.js';
import type { Embedder } from '../src/embed/embedder.js';
import { measureScale, PROBES, rescale } from '../src/embed/scale.js';
import { buildIndex } from '../src/index/build.js';
import { readIndex } from '../src/index/read.js';
import { readEvalSet } from '../src/eval/eval.js';
import { retrieve } from '../src/retrieve/score.js';
import { REPO, SEEDS, loadUseLiteOnce } from './helpers/tmp-collection.js';
import { createEngine } from '../src/engine/create.js';

/**
 * An embedder whose cosines are `a² · cos + b²` of another's: the same geometry on a squashed
 * scale (unrelated text near b², as with encoders that never score below ~0.5). Every vector
 * gets one constant extra component.
 */
function squashed(inner: Embedder, b = 0.8): Embedder {
  const a = Math.sqrt(1 - b * b);
  return {
    id: `transformers:test/squashed-${inner.id}`,
    dims: inner.dims + 1,
    embed: async (texts, opts) => (await inner.embed(texts, opts)).map((v) => [...v.map((x) => x * a), b]),
  };
}

/** Words hashed into 64 dimensions, unit length: related text shares words. */
const bagOfWords: Embedder = {
  id: 'transformers:test/bow',
  dims: 64,
  embed: async (texts) =>
    texts.map((t) => {
      const v = new Array<number>(64).fill(0);
      for (const w of t.toLowerCase().match(/[a-z]+/g) ?? [])
        v[[...w].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 64, 7)]! += 1;
      const n = Math.hypot(...v) || 1;
      return v.map((x) => x / n);
    }),
};

const cos = (x: number[], y: number[]) => x.reduce((s, v, i) => s + v * y[i]!, 0);

describe('similarity scale', () => {
  it('puts a question closer to its answer than to unrelated text', async () => {
    const s = await measureScale(bagOfWords);
    expect(s.related).toBeGreaterThan(s.unrelated);
    expect(PROBES.length).toBeGreaterThanOrEqual(12);
  });

  it('maps a squashed embedder back onto the original scale', async () => {
    const from = await measureScale(squashed(bagOfWords));
    const to = await measureScale(bagOfWords);
    expect(from.unrelated).toBeGreaterThan(0.6); // squashed: unrelated text scores high
    const map = rescale(from, to);
    const texts = [
      'the council voted to raise rents',
      'rents rose sharply',
      'a fish was found in the trench',
      'the council met on Monday',
    ];
    const plain = await bagOfWords.embed(texts);
    const squash = await squashed(bagOfWords).embed(texts);
    for (let i = 0; i < texts.length; i++)
      for (let j = 0; j < texts.length; j++)
        expect(map(cos(squash[i]!, squash[j]!))).toBeCloseTo(cos(plain[i]!, plain[j]!), 6);
  });

  it('leaves the similarities of an embedder that tells nothing apart unchanged', async () => {
    const flat: Embedder = { id: 'transformers:test/flat', dims: 2, embed: async (t) => t.map(() => [1, 0]) };
    const map = rescale(await measureScale(flat), { related: 0.6, unrelated: 0.1 });
    expect(map(0.42)).toBe(0.42);
  });
});

describe('an index built with a squashed embedder', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'quotebot-scale-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('scores, answers and refuses as the calibrated embedder does', async () => {
    const use = await loadUseLiteOnce();
    const policy = POLICIES['use-lite']!;
    const plainDir = path.join(dir, 'plain'),
      squashDir = path.join(dir, 'squashed');
    await buildIndex({ corpusDir: SEEDS, indexDir: plainDir, embedder: use });
    await buildIndex({ corpusDir: SEEDS, indexDir: squashDir, embedder: squashed(use) });
    const plain = createEngine(await readIndex(plainDir), use, policy);
    const squash = createEngine(await readIndex(squashDir), squashed(use), policy);
    // Without the mapping every similarity is inflated: off-topic questions would be answered.
    const squashIndex = await readIndex(squashDir);
    const unmapped = createEngine(
      { ...squashIndex, manifest: { ...squashIndex.manifest, scale: undefined } },
      squashed(use),
      policy,
    );
    const questions = (await readEvalSet(path.join(REPO, 'eval', 'dev.jsonl'))).map((i) => i.q);
    const a = await plain.askMany(questions);
    const b = await squash.askMany(questions);
    const c = await unmapped.askMany(questions);
    expect(a.some((x) => !x.answered)).toBe(true);
    const [qa, qb] = [
      await use.embed(questions, { query: true }),
      await squashed(use).embed(questions, { query: true }),
    ];
    for (let i = 0; i < questions.length; i++) {
      expect(b[i]!.answered, questions[i]).toBe(a[i]!.answered);
      const ra = retrieve(plain.index, plain.stats, questions[i]!, qa[i]!, policy.weights).sentences;
      const rb = retrieve(squash.index, squash.stats, questions[i]!, qb[i]!, policy.weights).sentences;
      // Sentence similarities map exactly, and so do chunk similarities built from them: the same scores.
      const inB = new Map(rb.map((h) => [h.sentence, h]));
      const shared = ra.slice(0, 10).filter((h) => inB.has(h.sentence));
      expect(shared.length, questions[i]).toBeGreaterThan(5);
      for (const h of shared) {
        expect(inB.get(h.sentence)!.dense, questions[i]).toBeCloseTo(h.dense, 4);
        expect(inB.get(h.sentence)!.score, questions[i]).toBeCloseTo(h.score, 3);
      }
    }
    expect(c.filter((x) => x.answered).length).toBeGreaterThan(a.filter((x) => x.answered).length);
  });
});
