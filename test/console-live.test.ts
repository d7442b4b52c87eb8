/**
 * The console (`npm start` without a token) edits the collection and votes like the bot:
 * `/sources add PATH` makes a file answerable at once, `/sources remove DOC` stops it being
 * cited, `/feedback up|down` votes on the last answer; then `npm run feedback` reports the votes
 * and `--export` writes an eval set that `npm run eval` scores.
 */
import { copyFile, mkdir, readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { assertDistBuilt, runCli } from './helpers/run-cli.js';
import { REPO, tempDir } from './helpers/tmp-collection.js';

const C = join(REPO, 'test', 'fixtures', 'collection-c');
let root: string;
let env: Record<string, string>;

beforeAll(async () => {
  assertDistBuilt(['start', 'feedback', 'eval']);
  root = await tempDir('quotebot-console-live-');
  await mkdir(join(root, 'corpus'));
  for (const f of ['c1_airline_strike.txt', 'c4_chess_upset.txt']) await copyFile(join(C, f), join(root, 'corpus', f));
  env = {
    CORPUS_DIR: join(root, 'corpus'),
    INDEX_DIR: join(root, 'index'),
    FEEDBACK_FILE: join(root, 'fb', 'feedback.jsonl'),
    LOG_LEVEL: 'warn',
  };
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

test('add, ask, vote, remove, ask again in one console session; then the report and the export', async () => {
  const input = [
    '/feedback up',
    `/sources add ${join(C, 'c2_chariot_burial.txt')} title:Chariot burial found`,
    '/ask Roughly how old is the chariot grave found in Yorkshire?',
    '/feedback up',
    '/sources remove c4_chess_upset.txt',
    "/ask What was the winner's prize money?",
    '/ask Who first taught Nwosu to play chess?',
    '/ask How many flights were scrapped when the Harbor Skies pilots walked off the job?',
    '/feedback down',
    '/feedback sideways',
    '/sources add ../../etc/passwd',
    `/sources add ${join(root, 'missing.txt')}`,
    '/sources remove ../c1_airline_strike.txt',
  ].join('\n');
  const run = await runCli('start', [], { cwd: root, env, stdin: input + '\n', timeoutMs: 120_000 });
  expect(run.code, run.stderr).toBe(0);
  const out = run.stdout;
  expect(out).toContain('There is no answer to vote on');
  expect(out).toMatch(/Added c2_chariot_burial\.txt \(\d+ KB, \d+ passages\): it is indexed and answerable now\./);
  expect(out).toContain('2,300 years old');
  expect(out).toContain('Recorded 👍 for “Roughly how old is the chariot grave found in Yorkshire?”.');
  expect(out).toContain('Removed c4_chess_upset.txt: it will not be cited any more.');
  expect(out).not.toMatch(/c4_chess_upset\.txt`?\s*$/m); // never cited after the removal
  expect(out).toContain('Recorded 👎 for “How many flights were scrapped');
  expect(out).toContain('Usage: /feedback up|down');
  expect(out).toContain('Only .txt, .md, .html, .htm, .pdf files can be added (got “passwd”).');
  expect(out).toContain(`No file at ${join(root, 'missing.txt')}.`);
  expect(out).toContain('No file named ../c1_airline_strike.txt in the collection.');
  expect((await readdir(join(root, 'corpus'))).sort()).toEqual([
    'c1_airline_strike.txt',
    'c2_chariot_burial.txt',
    'sources.json',
  ]);

  const report = await runCli('feedback', [], { cwd: root, env });
  expect(report.code, report.stderr).toBe(0);
  expect(report.stdout).toMatch(/answers recorded +2\n/);
  expect(report.stdout).toMatch(/votes +2 \(👍 1, 👎 1\)/);
  expect(report.stdout).toContain('Worst-rated questions:\n  👍 0  👎 1  How many flights were scrapped');

  const set = join(root, 'from-feedback.jsonl');
  const exported = await runCli('feedback', ['--export', set], { cwd: root, env, timeoutMs: 120_000 });
  expect(exported.code, exported.stderr).toBe(0);
  expect(exported.stdout).toMatch(/^Wrote 1 question to /);
  const items = (await readFile(set, 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { q: string; any: string[] });
  expect(items).toHaveLength(1);
  expect(items[0]!.q).toBe('Roughly how old is the chariot grave found in Yorkshire?');

  const evaluated = await runCli('eval', ['--set', set, '--json'], { cwd: root, env, timeoutMs: 120_000 });
  expect(evaluated.code, evaluated.stderr).toBe(0);
  expect(JSON.parse(evaluated.stdout), evaluated.stdout + JSON.stringify(items)).toMatchObject({
    questions: 1,
    hit_at_1: 1,
  });
}, 240_000);
