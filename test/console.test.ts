/**
 * The local console through `npm start`'s entry point as a child process (no DISCORD_TOKEN):
 * lines on stdin, the bot's content as plain text on stdout, exit 0 at the end of input.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { assertDistBuilt } from './helpers/run-cli.js';

const REPO = process.cwd();
const SEEDS = join(REPO, 'seeds');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

let indexDir: string;
let seedTexts: string[];

function start(input: string, env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    // From a scratch directory (no .env there), with only this environment.
    const child = spawn(process.execPath, [join(REPO, 'dist/scripts/start.js')], {
      cwd: indexDir,
      env: {
        PATH: process.env.PATH ?? '',
        CORPUS_DIR: SEEDS,
        INDEX_DIR: join(indexDir, 'index'),
        EMBEDDER: 'use-lite',
        ...env,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

beforeAll(async () => {
  assertDistBuilt(['start']);
  indexDir = await mkdtemp(join(tmpdir(), 'quotebot-console-'));
  seedTexts = await Promise.all(
    (await readdir(SEEDS)).filter((f) => f.endsWith('.txt')).map((f) => readFile(join(SEEDS, f), 'utf8')),
  );
});
afterAll(async () => {
  await rm(indexDir, { recursive: true, force: true });
});

test('echo "/ask what did Lavrov demand" | npm start → verbatim quotes with sources, exit 0 (index built first)', async () => {
  const r = await start('/ask what did Lavrov demand\n');
  expect(r.code).toBe(0);
  expect(r.stderr).toMatch(/^No index in .*: building it from .*seeds/m);
  const lines = r.stdout.split('\n');
  expect(lines[0]).toBe('what did Lavrov demand');
  const quotes = lines.filter((l) => l.startsWith('> ')).map((l) => l.slice(2).replace(/ \[\d+\]$/, ''));
  expect(quotes.length).toBeGreaterThanOrEqual(1);
  for (const q of quotes) expect(seedTexts.some((t) => t.includes(q))).toBe(true);
  expect(r.stdout).toMatch(/\nSources\n\[1\]/);
  expect(r.stdout).toContain('Searched 5 documents');
  // Plain text: no Discord escapes or bold markers.
  expect(r.stdout).not.toContain('**');
  expect(r.stdout).not.toMatch(/\\[*_<>@]/);
});

test('every command in one session: help, /sources (list, query, doc), refusals, unknown input; exit 0', async () => {
  const doc = (await readdir(SEEDS)).filter((f) => f.endsWith('.txt')).sort()[0]!;
  const r = await start(
    [
      'help',
      '',
      '/sources',
      '/sources query:missile defense',
      `/sources doc:${doc}`,
      '/ask What is the recipe for banana bread?',
      '/ask hi',
      'hello there',
    ].join('\n') + '\n',
  );
  expect(r.code).toBe(0);
  expect(r.stderr).not.toMatch(/No index/); // built by the previous test
  const out = r.stdout;
  expect(out).toContain('/sources query:<words>');
  expect(out).toContain('The collection: 5 documents');
  expect(out.match(/ — \d{3}_[0-9a-f]+\.txt · \d+ passages · \d+ words/g)).toHaveLength(5);
  expect(out).toContain('Passages matching “missile defense”');
  expect(out).toContain(`File: ${doc}`);
  expect(out).toMatch(
    /I couldn't find a passage that answers “What is the recipe for banana bread\?” in the 5 documents I searched\.\nThe closest documents were:\n• /,
  );
  expect(out).toContain('Please ask a question of at least 3 characters.');
  expect(out).toContain('Unknown command: hello there. Type help for the commands.');
});

test('a bad setting gives one clear line naming the variable, exit 1', async () => {
  const r = await start('', { RATE_LIMIT_COUNT: 'lots' });
  expect(r.code).toBe(1);
  expect(r.stdout).toBe('');
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(/^Bad setting RATE_LIMIT_COUNT: /);
});
