/**
 * An index remembers the collection it was built from: asking with only --index answers from
 * that collection (never rebuilt from the default one), and naming another collection is a clear error.
 */
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildIndex } from '../src/index/build.js';
import { filesDir } from '../src/index/generations.js';
import { assertDistBuilt, runCli } from './helpers/run-cli.js';
import { COLLECTION_B, loadUseLiteOnce, REPO, SEEDS, tempDir } from './helpers/tmp-collection.js';

let root: string;
let index: string;
const manifest = async () => readFile(path.join((await filesDir(index)).path, 'manifest.json'), 'utf8');

beforeAll(async () => {
  assertDistBuilt(['ask']);
  root = await tempDir();
  index = path.join(root, 'index-b');
  await buildIndex({ corpusDir: COLLECTION_B, indexDir: index, embedder: await loadUseLiteOnce() });
}, 240_000);
afterAll(() => rm(root, { recursive: true, force: true }));

describe('an index of another collection than the default', () => {
  it('records its collection', async () => {
    expect(JSON.parse(await manifest()).corpus).toBe(COLLECTION_B);
  });

  it('ask --index DIR answers from that collection and leaves the index as it was', async () => {
    const before = await manifest();
    // Run from the repo, where seeds/ (the default collection) is right there.
    const r = await runCli('ask', ['--json', '--index', index, 'How many homes lost water when the main burst'], {
      cwd: REPO,
    });
    expect(r.code).toBe(0);
    const a = JSON.parse(r.stdout) as { citations: { doc: string }[] };
    expect(a.citations.length).toBeGreaterThan(0);
    for (const c of a.citations) expect(c.doc).toMatch(/^b\d_/);
    expect(r.stderr).not.toMatch(/building|updating/i);
    expect(await manifest()).toBe(before);
  }, 120_000);

  it('a conflicting --corpus (or CORPUS_DIR) is one clear line, exit 2, index untouched', async () => {
    const before = await manifest();
    for (const run of [
      () => runCli('ask', ['--index', index, '--corpus', SEEDS, 'what did Lavrov demand'], { cwd: REPO }),
      () => runCli('ask', ['--index', index, 'what did Lavrov demand'], { cwd: REPO, env: { CORPUS_DIR: SEEDS } }),
    ]) {
      const r = await run();
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(`built from ${COLLECTION_B}, not ${SEEDS}`);
    }
    expect(await manifest()).toBe(before);
  }, 120_000);

  it('the same collection named by its path is fine', async () => {
    const r = await runCli(
      'ask',
      ['--index', index, '--corpus', COLLECTION_B, 'How many homes lost water when the main burst'],
      { cwd: REPO },
    );
    expect(r.code).toBe(0);
  }, 120_000);
});
