import { existsSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEvalSet } from '../src/eval/eval.js';
import {
  EvalAllJsonSchema,
  EvalManifestSchema,
  formatEvalTable,
  readEvalManifest,
  runEvalSets,
  type EvalAllJson,
  type EvalSetEntry,
} from '../src/eval/sets.js';
import { assertDistBuilt, lines, runCli } from './helpers/run-cli.js';
import { REPO, tempDir } from './helpers/tmp-collection.js';

/** eval/sets.json (issue: every set runnable at once) and `npm run eval -- --all`. */
const manifest = await readEvalManifest(path.join(REPO, 'eval', 'sets.json'));
const hostile = manifest.find((s) => s.name === 'hostile')!;

describe('the eval sets manifest', () => {
  it('names files and collections that exist, and every eval/*.jsonl is in it', async () => {
    for (const s of manifest) {
      expect(existsSync(path.join(REPO, s.file)), s.file).toBe(true);
      expect(existsSync(path.join(REPO, s.collection)), s.collection).toBe(true);
      expect((await readEvalSet(path.join(REPO, s.file))).length, s.file).toBeGreaterThan(0);
    }
    const files = (await readdir(path.join(REPO, 'eval'))).filter((f) => f.endsWith('.jsonl')).map((f) => `eval/${f}`);
    expect(manifest.map((s) => s.file).sort()).toEqual(files.sort());
  });

  it('keeps calibration to the six sets it was measured with, none held out', () => {
    expect(manifest.filter((s) => s.calibration).map((s) => s.name)).toEqual([
      'seeds',
      'collection-b',
      'proxy-seeds',
      'proxy-b',
      'proxy-noisy-a',
      'proxy-noisy-b',
    ]);
  });

  it('refuses a held-out set used by calibration, a floor above 1 and a duplicate', () => {
    const ok: EvalSetEntry = { ...hostile };
    expect(EvalManifestSchema.safeParse({ sets: [ok] }).success).toBe(true);
    expect(EvalManifestSchema.safeParse({ sets: [{ ...ok, heldOut: true, calibration: true }] }).success).toBe(false);
    expect(EvalManifestSchema.safeParse({ sets: [{ ...ok, floors: { ...ok.floors, hit1: 1.5 } }] }).success).toBe(
      false,
    );
    expect(EvalManifestSchema.safeParse({ sets: [ok, ok] }).success).toBe(false);
  });
});

describe('running sets against their floors (the small hostile set)', () => {
  let root: string;
  let held: EvalAllJson;
  let missed: EvalAllJson;
  beforeAll(async () => {
    root = await tempDir('quotebot-eval-sets-');
    held = await runEvalSets([hostile], { indexRoot: root });
    // The same set held to floors it cannot meet: every figure past its floor is named.
    missed = await runEvalSets(
      [{ ...hostile, name: 'strict', floors: { hit1: 1, hit3: 1, negatives: 1, chars: 10, refused: 0 } }],
      { indexRoot: root },
    );
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('scores the set on its own collection and checks its floors', () => {
    expect(EvalAllJsonSchema.strict().parse(held)).toEqual(held);
    expect(held.ok).toBe(true);
    const [r] = held.sets;
    expect(r).toMatchObject({ set: 'hostile', collection: hostile.collection, questions: 13, floors_missed: [] });
    expect(r!.hit_at_1).toBeGreaterThanOrEqual(hostile.floors.hit1);
    expect(formatEvalTable(held)).toMatch(/^hostile\s+test\/fixtures\/hostile\s+13\s.*✓$/m);
  });

  it('fails a set that misses a floor, naming what missed', () => {
    expect(missed.ok).toBe(false);
    const why = missed.sets[0]!.floors_missed.join('; ');
    expect(why).toMatch(/hit@1 [\d.]+ < 1/);
    expect(why).toMatch(/mean quoted chars \d+ > 10/);
    // No negatives in the set: that floor is not checked.
    expect(why).not.toContain('negatives');
    expect(formatEvalTable(missed)).toContain('✗ hit@1');
    expect(formatEvalTable(missed)).toContain('1 of 1 sets miss a floor.');
  });

  it('`eval --set FILE` of a manifest set, with no --corpus, asks its own collection', async () => {
    assertDistBuilt(['eval']);
    const r = await runCli('eval', ['--set', hostile.file, '--json'], { cwd: REPO, env: { TMPDIR: root } });
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { questions: number; hit_at_1: number };
    expect(report).toMatchObject({ questions: 13, hit_at_1: held.sets[0]!.hit_at_1 });
  });
});

describe('eval CLI argument errors: one line, exit 2', () => {
  it.each([
    [['--all', '--set', 'eval/seeds.jsonl'], /--all .*drop --set/],
    [['--all', '--corpus', 'seeds'], /drop --corpus/],
    [['--set', 'eval/no-such-set.jsonl'], /No eval set at eval\/no-such-set\.jsonl/],
  ])('eval %j', async (args, message) => {
    assertDistBuilt(['eval']);
    const r = await runCli('eval', args, { cwd: REPO });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });
});
