import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnswerJsonSchema, type AnswerJson } from '../src/cli/args.js';
import { buildIndex } from '../src/index/build.js';
import { MAX_QUESTION_CHARS, normalizeQuestion } from '../src/text/question.js';
import { assertDistBuilt, lines, runCli, type CliResult } from './helpers/run-cli.js';
import { copyCollection, loadUseLiteOnce } from './helpers/tmp-collection.js';

/**
 * Issue 4, hostile and odd input through the `ask` CLI: every question gets a sensible reply
 * (an answer, a refusal, or one clear line with exit 2 when there is no question at all),
 * as valid JSON, and never a crash.
 */
let root: string;
let corpus: string;
let index: string;
let cleanup: () => Promise<void>;

const ask = (args: string[], stdin?: string | Buffer) =>
  runCli('ask', ['--json', ...args, '--index', index, '--corpus', corpus], { cwd: root, stdin });

/** Exit 0, exactly one JSON line per question, each valid and with verbatim quotes. */
async function answers(r: CliResult, count: number): Promise<AnswerJson[]> {
  expect(r.signal).toBeNull();
  expect(r.code, r.stderr).toBe(0);
  expect(r.stderr).not.toContain('    at ');
  const out = lines(r.stdout);
  expect(out).toHaveLength(count);
  const parsed: AnswerJson[] = [];
  for (const line of out) {
    const a = AnswerJsonSchema.strict().parse(JSON.parse(line));
    for (const c of a.citations)
      expect(c.quote).toBe((await readFile(path.join(corpus, c.doc), 'utf8')).slice(c.start, c.end));
    if (!a.answered) expect(a.citations).toEqual([]);
    // The echoed question is tidied: no control or invisible characters, bounded length.
    expect(a.question).not.toMatch(/[\p{Cc}\p{Cf}]/u);
    expect(a.question.length).toBeLessThanOrEqual(MAX_QUESTION_CHARS);
    parsed.push(a);
  }
  return parsed;
}

async function one(question: string): Promise<AnswerJson> {
  return (await answers(await ask([question]), 1))[0]!;
}

/** No question at all: exit 2 and one clear line, never a stack trace. */
function noQuestion(r: CliResult): void {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  expect(lines(r.stderr)).toHaveLength(1);
  expect(r.stderr).toMatch(/Please ask a question/);
  expect(r.stderr).not.toContain('    at ');
}

beforeAll(async () => {
  assertDistBuilt(['ask']);
  ({ root, corpus, index, cleanup } = await copyCollection());
  await buildIndex({ corpusDir: corpus, indexDir: index, embedder: await loadUseLiteOnce() });
}, 120_000);

afterAll(async () => {
  await cleanup?.();
});

describe('hostile questions as an argument', () => {
  it('empty or whitespace only: exit 2 with one clear line', async () => {
    noQuestion(await ask(['']));
    noQuestion(await ask(['   \t \n  ']));
  });

  it('only punctuation, only emoji, only invisible characters: exit 2 with one clear line', async () => {
    noQuestion(await ask(['?!?... --- ;;']));
    noQuestion(await ask(['🚀🔥💥 🤔']));
    noQuestion(await ask(['\u200b\u200d\u2060\ufeff']));
  });

  it('10,000 characters: answered from a capped question', async () => {
    const long = 'What did Putin demand about the missile shield? '.repeat(210).slice(0, 10_000);
    expect(long).toHaveLength(10_000);
    const a = await one(long);
    expect(a.question.length).toBeLessThanOrEqual(MAX_QUESTION_CHARS);
    expect(a.question.startsWith('What did Putin demand about the missile shield?')).toBe(true);
    expect(a.answered).toBe(true);
  });

  it('markdown, code fences, CR and control characters over several lines: one tidy question, valid reply', async () => {
    const a = await one(
      '```js\r\nconsole.log("hi")\u0001\n```\n# Heading\n**What** did _Putin_ demand about the `missile shield`?\n> quoted\u001f',
    );
    expect(a.question).not.toMatch(/[\r\n]/);
    expect(a.question).toContain('**What** did _Putin_ demand');
  });
});

/**
 * The single-line cases go through one --stdin run (one model load): each case is a line,
 * followed by 50 copies of the same question, blank lines, and a line of invalid UTF-8.
 */
const CASES = {
  long10k: 'x'.repeat(10_000),
  emoji10k: `a${'🚀'.repeat(4_999)}`,
  stopwords: 'what is the of and to which it was they',
  punctuation: '?!?... --- ;;',
  emoji: '🚀🔥💥 🤔',
  emojiAround: '🚀 What did Putin demand about the missile shield? 🔥',
  rtl: 'ما هو موقف حلف الناتو من روسيا؟',
  rtlOverride: '\u202eWhat did Putin demand about the missile shield?\u202c',
  invisible: 'What\u200b did Pu\u200btin\u0007 de\u00admand \u001b[31mabout\u001b[0m the missile\tshield?',
  nul: 'What did Putin\u0000 demand about the missile shield?',
  markdown: '```js console.log("hi") ``` **What** did _Putin_ demand about the `missile shield`?',
  mentions: '@everyone <@123> <@&456> what did Putin demand about the missile shield?',
  russian: 'Что потребовал Путин от НАТО?',
  onlyInvisible: '\u200b\u200b\u2060',
} as const;
type Case = keyof typeof CASES;
const REPEATED = 'What did Putin demand about the missile shield?';

describe('hostile questions through --stdin', () => {
  let out: AnswerJson[];
  const names = Object.keys(CASES) as Case[];
  const get = (name: Case) => out[names.indexOf(name)]!;

  beforeAll(async () => {
    const text = `${names.map((n) => CASES[n]).join('\n')}\n   \n\t\n${Array.from({ length: 50 }, () => REPEATED).join('\r\n')}\n`;
    const invalidUtf8 = Buffer.from([
      0x57, 0x68, 0x6f, 0x20, 0xff, 0xfe, 0xc3, 0x28, 0x20, 0x69, 0x73, 0x20, 0x50, 0x65, 0x73, 0x6b, 0x6f, 0x76, 0x3f,
      0x0a,
    ]);
    const r = await ask(['--stdin'], Buffer.concat([Buffer.from(text, 'utf8'), invalidUtf8]));
    out = await answers(r, names.length + 50 + 1);
  }, 120_000);

  it('one valid JSON line per non-blank line, in order, with the tidied question', () => {
    expect(out.slice(0, names.length).map((a) => a.question)).toEqual(names.map((n) => normalizeQuestion(CASES[n])));
  });

  it('questions without a letter or digit are refused with a clear message, not looked up', () => {
    for (const n of ['punctuation', 'emoji', 'onlyInvisible'] as const) {
      expect(get(n).answered, n).toBe(false);
      expect(get(n).answer).toMatch(/question in words/i);
    }
  });

  it('10,000 characters: capped, no half surrogate pair', () => {
    expect(get('long10k').question).toHaveLength(MAX_QUESTION_CHARS);
    expect(get('emoji10k').question.length).toBeLessThanOrEqual(MAX_QUESTION_CHARS);
    expect(get('emoji10k').question).not.toMatch(
      /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/,
    );
    expect(get('long10k').answered).toBe(false);
    expect(get('emoji10k').answered).toBe(false);
  });

  it('only stopwords: refused', () => {
    expect(get('stopwords').answered).toBe(false);
  });

  it('emoji around a real question: answered', () => {
    expect(get('emojiAround').answered).toBe(true);
  });

  it('right-to-left text: a valid reply; direction overrides are dropped', () => {
    expect(get('rtl').question).toBe(CASES.rtl);
    expect(get('rtlOverride').question).toBe('What did Putin demand about the missile shield?');
    expect(get('rtlOverride').answered).toBe(true);
  });

  it('zero-width, soft hyphen, escape and NUL characters: removed, words inside stay whole', () => {
    expect(get('invisible').question).toBe('What did Putin demand about the missile shield?');
    expect(get('invisible').answered).toBe(true);
    expect(get('nul').question).toBe('What did Putin demand about the missile shield?');
    expect(get('nul').answered).toBe(true);
  });

  it('markdown and code fences: a valid reply', () => {
    expect(get('markdown').question).toBe(CASES.markdown);
  });

  it('@everyone and <@123> mentions: echoed in the question only, never in the answer', () => {
    expect(get('mentions').answered).toBe(true);
    expect(get('mentions').answer).not.toMatch(/@everyone|<@&?\d+>/);
  });

  it('a question in another language: a valid reply', () => {
    expect(typeof get('russian').answered).toBe('boolean');
  });

  it('the same question 50 times in a row (CRLF lines): 50 identical answers', () => {
    const repeated = out.slice(names.length, names.length + 50);
    expect(repeated).toHaveLength(50);
    const strip = (a: AnswerJson) => JSON.stringify({ ...a, timings_ms: undefined });
    expect(new Set(repeated.map(strip)).size).toBe(1);
    expect(repeated[0]!.question).toBe(REPEATED);
    expect(repeated[0]!.answered).toBe(true);
  });

  it('invalid UTF-8 bytes become replacement characters, not a crash', () => {
    expect(out.at(-1)!.question).toMatch(/^Who \uFFFD+.* is Peskov\?$/);
  });
});
