import { existsSync } from 'node:fs';
import { cp, readFile, stat, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnswerJsonSchema, type AnswerJson } from '../src/cli/args.js';
import { FILES } from '../src/index/files.js';
import { filesDir } from '../src/index/generations.js';
import { assertDistBuilt, lines, runCli, type CliResult } from './helpers/run-cli.js';
import { copyCollection } from './helpers/tmp-collection.js';

/** The folder of the index's current generation (see src/index/generations.ts). */
const gen = async (dir: string) => (await filesDir(dir)).path;

/**
 * The `ask` CLI contract (issue 2), through the compiled script in a child process:
 * other tools depend on this exactly.
 */
let root: string;
let corpus: string;
let index: string;
let cleanup: () => Promise<void>;
/** The first run, on a folder with no index yet: it builds the index the other tests use. */
let firstRun: CliResult;

const ask = (args: string[], stdin?: string) =>
  runCli('ask', [...args, '--index', index, '--corpus', corpus], { cwd: root, stdin });

/** Parses one JSON answer line and checks it against the published schema and the corpus files. */
async function checkAnswer(line: string): Promise<AnswerJson> {
  const json: unknown = JSON.parse(line);
  const answer = AnswerJsonSchema.strict().parse(json);
  expect(Object.keys(json as object).sort()).toEqual(['answer', 'answered', 'citations', 'question', 'timings_ms']);
  for (const c of answer.citations) {
    expect(Object.keys(c).sort()).toEqual(['doc', 'end', 'n', 'quote', 'score', 'start', 'title']);
    const file = path.join(corpus, c.doc);
    expect(existsSync(file), `${c.doc} is a file of the collection`).toBe(true);
    const fileText = await readFile(file, 'utf8');
    expect(c.quote).toBe(fileText.slice(c.start, c.end));
    expect(c.quote.length).toBeGreaterThan(0);
    expect(c.end).toBeGreaterThan(c.start);
  }
  expect(answer.citations.map((c) => c.n)).toEqual(answer.citations.map((_, i) => i + 1));
  if (answer.answered) {
    expect(answer.citations.length).toBeGreaterThanOrEqual(1);
    expect(answer.citations.length).toBeLessThanOrEqual(3);
    for (const c of answer.citations) expect(answer.answer).toContain(`[${c.n}]`);
  } else {
    expect(answer.citations).toEqual([]);
    expect(answer.answer.length).toBeGreaterThan(0);
  }
  expect(answer.timings_ms.total).toBeGreaterThanOrEqual(0);
  return answer;
}

/** A usage or index error: exit 2, exactly one line on stderr, nothing on stdout, no stack trace. */
function expectOneLineError(r: CliResult, pattern?: RegExp): void {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  expect(lines(r.stderr)).toHaveLength(1);
  expect(r.stderr).not.toContain('    at ');
  expect(r.stderr).not.toMatch(/Error:|TypeError|ZodError/);
  if (pattern) expect(r.stderr).toMatch(pattern);
}

beforeAll(async () => {
  assertDistBuilt(['ask', 'build-index']);
  ({ root, corpus, index, cleanup } = await copyCollection());
  firstRun = await ask(['--json', 'What did Putin demand about the missile shield?']);
}, 120_000);

afterAll(async () => {
  await cleanup?.();
});

describe('ask --json "question"', () => {
  it('a missing index is built first, with a notice on stderr', async () => {
    expect(firstRun.code, firstRun.stderr).toBe(0);
    expect(firstRun.stderr).toMatch(/No index in .*building it/);
    expect(firstRun.stderr).not.toContain('    at ');
    expect(existsSync(path.join(await gen(index), FILES.manifest))).toBe(true);
    const manifest = JSON.parse(await readFile(path.join(await gen(index), FILES.manifest), 'utf8')) as {
      embedder: string;
    };
    expect(manifest.embedder).toBe('use-lite');
  });

  it('prints exactly one JSON line that matches the schema, with honest quotes', async () => {
    expect(lines(firstRun.stdout)).toHaveLength(1);
    const a = await checkAnswer(lines(firstRun.stdout)[0]!);
    expect(a.question).toBe('What did Putin demand about the missile shield?');
    expect(a.answered).toBe(true);
    expect(a.citations.map((c) => c.doc)).toContain('002_eabb709f850d152a.txt');
  });

  it('with an index in place: no notice, same contract, quotes verbatim', async () => {
    const r = await ask(['--json', 'Who is Dmitry Peskov?']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(lines(r.stdout)).toHaveLength(1);
    const a = await checkAnswer(lines(r.stdout)[0]!);
    expect(a.answered).toBe(true);
    expect(a.citations.some((c) => c.quote.includes('Peskov'))).toBe(true);
  });

  it('a question split over several arguments is one question', async () => {
    const r = await ask(['--json', 'What', 'did', 'Putin', 'demand?']);
    expect(r.code, r.stderr).toBe(0);
    expect(lines(r.stdout)).toHaveLength(1);
    expect((await checkAnswer(lines(r.stdout)[0]!)).question).toBe('What did Putin demand?');
  });

  it('an unanswerable question is refused, not an error (exit 0)', async () => {
    const r = await ask(['--json', 'What is the weather in Paris today?']);
    expect(r.code, r.stderr).toBe(0);
    expect(lines(r.stdout)).toHaveLength(1);
    const a = await checkAnswer(lines(r.stdout)[0]!);
    expect(a.answered).toBe(false);
    expect(a.citations).toEqual([]);
    expect(a.answer).toMatch(/not found/i);
  });
});

describe('ask --json --stdin', () => {
  it('answers one JSON line per input line, in order', async () => {
    const questions = [
      'What did Putin demand about the missile shield?',
      'What is the weather in Paris today?',
      'Where are the Bastion missiles stationed?',
    ];
    const r = await ask(['--json', '--stdin'], `${questions.join('\n')}\n`);
    expect(r.code, r.stderr).toBe(0);
    const out = lines(r.stdout);
    expect(out).toHaveLength(3);
    const answers = [];
    for (const line of out) answers.push(await checkAnswer(line));
    expect(answers.map((a) => a.question)).toEqual(questions);
    expect(answers.map((a) => a.answered)).toEqual([true, false, true]);
  });

  it('copes with CRLF line ends, a missing final newline and blank lines (skipped)', async () => {
    const r = await ask(['--json', '--stdin'], 'Who is Dmitry Peskov?\r\n\r\n   \r\nWhat did Putin demand?');
    expect(r.code, r.stderr).toBe(0);
    const out = lines(r.stdout);
    expect(out).toHaveLength(2);
    const answers = await Promise.all(out.map(checkAnswer));
    expect(answers.map((a) => a.question)).toEqual(['Who is Dmitry Peskov?', 'What did Putin demand?']);
  });

  it('empty input prints nothing and exits 0', async () => {
    const r = await ask(['--json', '--stdin'], '');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
  });
});

describe('ask "question" (human mode)', () => {
  it('shows the quotes with [n] markers and a numbered source list', async () => {
    const r = await ask(['What did Putin demand about the missile shield?']);
    expect(r.code, r.stderr).toBe(0);
    const [quotes, sources] = r.stdout.split(/\n\nSources:\n/);
    expect(sources, r.stdout).toBeDefined();
    const markers = [...quotes!.matchAll(/\[(\d+)\]/g)].map((m) => Number(m[1]));
    expect(markers.length).toBeGreaterThanOrEqual(1);
    expect(markers).toEqual(markers.map((_, i) => i + 1));
    const list = lines(sources!);
    expect(list).toHaveLength(markers.length);
    list.forEach((line, i) => expect(line).toMatch(new RegExp(`^\\[${i + 1}\\] .+ — \\d{3}_[0-9a-f]{16}\\.txt$`)));
    expect(r.stdout).toContain('Putin Demands Enforceable Guarantee on NATO Missile Shield');
    // Not JSON.
    expect(r.stdout.trimStart().startsWith('{')).toBe(false);
  });

  it('a refusal says so, with the closest documents', async () => {
    const r = await ask(['What is the weather in Paris today?']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Not found in the sources\./);
    expect(r.stdout).not.toMatch(/\[\d+\]/);
  });

  it('--help prints the usage and exits 0', async () => {
    const r = await ask(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^npm run ask -- .*"question"\n[\s\S]*\nOptions:\n[\s\S]*--show VALUE/);
  });
});

describe('errors: one line on stderr, exit 2, no stack trace', () => {
  it('no question', async () => {
    expectOneLineError(await ask(['--json']), /Please ask a question/);
    expectOneLineError(await ask([]), /Usage/);
  });

  it('an unknown flag', async () => {
    expectOneLineError(await ask(['--json', '--bogus', 'What did Putin demand?']), /bogus/);
  });

  it('a flag without its value', async () => {
    const r = await runCli('ask', ['--json', 'What did Putin demand?', '--index'], { cwd: root });
    expectOneLineError(r, /index/);
  });

  it('a question both as an argument and with --stdin', async () => {
    expectOneLineError(await ask(['--json', '--stdin', 'What did Putin demand?'], 'Who is Peskov?\n'), /either/);
  });

  it('a corrupt index (truncated hnsw.bin)', async () => {
    const bad = path.join(root, 'corrupt-index');
    await cp(index, bad, { recursive: true });
    const hnsw = path.join(await gen(bad), FILES.hnsw);
    await truncate(hnsw, Math.floor((await stat(hnsw)).size / 3));
    const r = await runCli('ask', ['--json', 'What did Putin demand?', '--index', bad, '--corpus', corpus], {
      cwd: root,
    });
    expectOneLineError(r, /corrupt.*hnsw\.bin/);
  });

  it('an index with an unknown embedder', async () => {
    const bad = path.join(root, 'mismatched-index');
    await cp(index, bad, { recursive: true });
    const file = path.join(await gen(bad), FILES.manifest);
    await writeFile(file, (await readFile(file, 'utf8')).replace('"use-lite"', '"glove-840b"'));
    const r = await runCli('ask', ['--json', 'What did Putin demand?', '--index', bad, '--corpus', corpus], {
      cwd: root,
    });
    expectOneLineError(r, /unknown embedder/);
  });

  it('asking for another embedder than the index has', async () => {
    const r = await runCli(
      'ask',
      [
        '--json',
        'What did Putin demand?',
        '--index',
        index,
        '--corpus',
        corpus,
        '--embedder',
        'transformers:Xenova/bge-small-en-v1.5',
      ],
      {
        cwd: root,
      },
    );
    expectOneLineError(r, /built with use-lite/);
  });

  it('a missing collection folder with no index', async () => {
    const r = await runCli(
      'ask',
      [
        '--json',
        'What did Putin demand?',
        '--index',
        path.join(root, 'never-built'),
        '--corpus',
        path.join(root, 'no-such-folder'),
      ],
      {
        cwd: root,
      },
    );
    expect(lines(r.stderr).at(-1)).toMatch(/no-such-folder cannot be read/);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).not.toContain('    at ');
  });

  it('a bad setting in the environment', async () => {
    const r = await runCli('ask', ['--json', 'What did Putin demand?', '--index', index, '--corpus', corpus], {
      cwd: root,
      env: { EMBEDDER: 'word2vec' },
    });
    expectOneLineError(r, /EMBEDDER/);
  });
});

describe('npm run index (build-index CLI)', () => {
  it('updates an index in place: nothing to embed when nothing changed', async () => {
    const r = await runCli('build-index', ['--corpus', corpus, '--index', index], { cwd: root });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /^Indexed 5 documents: \d+ passages, (\d+) sentences \(0 embedded, \1 reused\) with use-lite in [\d.]+ s → /,
    );
    expect(r.stderr).toBe('');
  });

  it('an unknown --embedder is a usage error (ask and index alike)', async () => {
    expectOneLineError(
      await runCli('build-index', ['--corpus', corpus, '--index', path.join(root, 'x'), '--embedder', 'word2vec'], {
        cwd: root,
      }),
      /Unknown embedder "word2vec"/,
    );
    const r = await runCli(
      'ask',
      [
        '--json',
        'What did Putin demand?',
        '--index',
        path.join(root, 'x'),
        '--corpus',
        corpus,
        '--embedder',
        'word2vec',
      ],
      { cwd: root },
    );
    expectOneLineError(r, /Unknown embedder "word2vec"/);
    expect(existsSync(path.join(root, 'x'))).toBe(false);
  });

  it('a missing collection folder is one line, exit 2', async () => {
    expectOneLineError(
      await runCli('build-index', ['--corpus', path.join(root, 'nope'), '--index', path.join(root, 'y')], {
        cwd: root,
      }),
      /nope cannot be read/,
    );
  });
});
