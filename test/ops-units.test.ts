/**
 * Ops pieces on their own: settings, the file question log (per server, retention, a cut line),
 * grouping of similar questions, insights and their CSV and message, health from shard reports,
 * and the on-disk size `bench --scale` reports.
 */
import { appendFile, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ConfigError, loadConfig } from '../src/core/config.js';
import { indexBytes } from '../src/eval/scale-bench.js';
import { computeInsights, groupQuestions, insightsCsv } from '../src/feedback/insights.js';
import { fileQuestionLog } from '../src/feedback/questions-file.js';
import { keepPruned, questionRecord, retentionCutoff, type QuestionRecord } from '../src/feedback/questions.js';
import type { FeedbackLog } from '../src/feedback/store.js';
import { newGeneration, publish } from '../src/index/generations.js';
import { renderInsights } from '../src/message/insights.js';
import { limitViolations } from '../src/message/limits.js';
import { plainMarkup } from '../src/message/markdown.js';
import { healthOf } from '../src/ops/health.js';
import { tempDir } from './helpers/tmp-collection.js';

const A = '111111111111111111';
const B = '222222222222222222';
const DAY = 86_400_000;
const refused = { answered: false, citations: [], closest: [{ score: 0.31 }] };
const answered = (...docs: string[]) => ({
  answered: true,
  citations: docs.map((doc, i) => ({ doc, score: 1 - i / 10 })),
  closest: [],
});
const at = (daysAgo: number) => new Date(Date.now() - daysAgo * DAY);

let dir: string;
beforeAll(async () => {
  dir = await tempDir('quotebot-ops-units-');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('settings', () => {
  test('HTTP_PORT, HTTP_HOST, RECORD_QUESTIONS and QUESTION_RETENTION_DAYS: defaults, values, one clear line when bad', () => {
    const d = loadConfig({});
    expect(d).toMatchObject({ HTTP_HOST: '127.0.0.1', RECORD_QUESTIONS: true, QUESTION_RETENTION_DAYS: 90 });
    expect(d.HTTP_PORT).toBeUndefined();
    expect(loadConfig({ HTTP_PORT: '' }).HTTP_PORT).toBeUndefined();
    const c = loadConfig({
      HTTP_PORT: '9464',
      HTTP_HOST: '0.0.0.0',
      RECORD_QUESTIONS: 'off',
      QUESTION_RETENTION_DAYS: '30',
    });
    expect(c).toMatchObject({
      HTTP_PORT: 9464,
      HTTP_HOST: '0.0.0.0',
      RECORD_QUESTIONS: false,
      QUESTION_RETENTION_DAYS: 30,
    });
    for (const v of ['on', 'true', 'YES', '1']) expect(loadConfig({ RECORD_QUESTIONS: v }).RECORD_QUESTIONS).toBe(true);
    for (const [k, v] of [
      ['HTTP_PORT', '70000'],
      ['HTTP_HOST', 'a b'],
      ['RECORD_QUESTIONS', 'maybe'],
      ['QUESTION_RETENTION_DAYS', '0'],
    ]) {
      const err = (() => {
        try {
          loadConfig({ [k!]: v });
        } catch (e) {
          return e;
        }
      })();
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toMatch(new RegExp(`^Bad setting ${k}: `));
    }
  });
});

describe('the question log in files', () => {
  test('one folder per server: a server reads only its own records, from a time on', async () => {
    const log = fileQuestionLog(join(dir, 'q1'));
    await log.record(questionRecord('Where is the ferry?', refused, { guild: A, at: at(3) }));
    await log.record(questionRecord('Where is the ferry?', refused, { guild: A, at: at(10) }));
    await log.record(questionRecord('How tall is the lighthouse?', answered('harbour.txt'), { guild: B }));
    await log.record(questionRecord('Console question', refused, { guild: null }));
    expect((await readdir(join(dir, 'q1'))).sort()).toEqual([A, B, 'base'].sort());
    const a = await log.read(A, at(7));
    expect(a.map((q) => [q.question, q.outcome, q.top])).toEqual([['Where is the ferry?', 'refused', 0.31]]);
    expect((await log.read(A, at(30))).length).toBe(2);
    const b = await log.read(B, at(7));
    expect(b).toHaveLength(1);
    expect(b[0]).toMatchObject({ guild: B, outcome: 'answered', cited: ['harbour.txt'], top: 1 });
    expect((await log.read(null, at(7))).map((q) => q.question)).toEqual(['Console question']);
    await expect(log.read('../etc', at(7))).rejects.toThrow();
    await log.close();
  });

  test('retention deletes what is older than the cutoff, by whole days, and keeps the rest', async () => {
    const root = join(dir, 'q2');
    const log = fileQuestionLog(root);
    for (const d of [120, 95, 89, 1])
      await log.record(questionRecord(`asked ${d} days ago`, refused, { guild: A, at: at(d) }));
    await log.record(questionRecord('old in B', refused, { guild: B, at: at(200) }));
    expect(await log.prune(retentionCutoff(90))).toBe(3);
    expect((await log.read(A, at(365))).map((q) => q.question)).toEqual(['asked 89 days ago', 'asked 1 days ago']);
    expect(await log.read(B, at(365))).toEqual([]);
    expect(await log.prune(retentionCutoff(90))).toBe(0);
  });

  test('keepPruned prunes at once when started', async () => {
    const log = fileQuestionLog(join(dir, 'q3'));
    await log.record(questionRecord('ancient', refused, { guild: A, at: at(400) }));
    const pruned: number[] = [];
    const stop = keepPruned(log, 90, { onPruned: (n) => pruned.push(n) });
    for (let i = 0; i < 50 && !pruned.length; i++) await new Promise((r) => setTimeout(r, 20));
    stop();
    expect(pruned).toEqual([1]);
    expect(await log.read(A, at(1000))).toEqual([]);
  });

  test('a line cut short by a crash is skipped and the next record starts a line of its own', async () => {
    const root = join(dir, 'q4');
    const now = new Date();
    const file = join(root, A, `${now.toISOString().slice(0, 10)}.jsonl`);
    await mkdir(join(root, A), { recursive: true });
    await writeFile(file, JSON.stringify(questionRecord('whole', refused, { guild: A })) + '\n{"type":"quest');
    const log = fileQuestionLog(root);
    await log.record(questionRecord('after the crash', refused, { guild: A }));
    expect((await log.read(A, at(1))).map((q) => q.question)).toEqual(['whole', 'after the crash']);
    await appendFile(file, 'not json\n');
    expect((await log.read(A, at(1))).length).toBe(2);
  });
});

describe('insights', () => {
  const rows = (guild: string, list: [string, 'answered' | 'refused', number, string[]?][]): QuestionRecord[] =>
    list.map(([q, outcome, daysAgo, docs]) =>
      questionRecord(q, outcome === 'refused' ? refused : answered(...(docs ?? ['a.txt'])), { guild, at: at(daysAgo) }),
    );

  test('similar questions are grouped (stems, stop words, spelling), different ones kept apart, most asked first', () => {
    const groups = groupQuestions(
      [
        'How do I reset my password?',
        'how do i reset my password',
        'Password reset not working',
        'What is the refund policy?',
        'How can I reset the password?',
        'Who is the mayor of Paris?',
        'Who is the mayor of London?',
        'What colour are the buses?',
        'what color are the buses',
      ].map((question, i) => ({ question, at: at(9 - i).toISOString() })),
    );
    expect(groups.map((g) => [g.question, g.count, g.variants])).toEqual([
      ['How do I reset my password?', 4, 3],
      ['What colour are the buses?', 2, 2],
      ['Who is the mayor of London?', 1, 1],
      ['Who is the mayor of Paris?', 1, 1],
      ['What is the refund policy?', 1, 1],
    ]);
  });

  test('counts, the window, the most 👎 and the most cited, for the rows given', () => {
    const questions = rows(A, [
      ['Where is the ferry?', 'refused', 1],
      ['where is the ferry', 'refused', 2],
      ['When does the market open?', 'answered', 3, ['market.txt', 'town.txt']],
      ['Who won the race?', 'answered', 4, ['race.txt']],
      ['Where is the ferry?', 'refused', 20],
    ]);
    const feedback: FeedbackLog = {
      answers: [
        {
          type: 'answer',
          id: 'aaaaaaaaaa',
          question: 'Who won the race?',
          cited: [],
          guild: A,
          at: at(4).toISOString(),
        },
        { type: 'answer', id: 'bbbbbbbbbb', question: 'Old answer', cited: [], guild: A, at: at(40).toISOString() },
      ],
      votes: [
        {
          type: 'vote',
          answer: 'aaaaaaaaaa',
          member: '0123456789abcdef',
          vote: 'down',
          guild: A,
          at: at(3).toISOString(),
        },
        {
          type: 'vote',
          answer: 'aaaaaaaaaa',
          member: '1123456789abcdef',
          vote: 'down',
          guild: A,
          at: at(3).toISOString(),
        },
        {
          type: 'vote',
          answer: 'aaaaaaaaaa',
          member: '2123456789abcdef',
          vote: 'up',
          guild: A,
          at: at(3).toISOString(),
        },
        {
          type: 'vote',
          answer: 'bbbbbbbbbb',
          member: '2123456789abcdef',
          vote: 'down',
          guild: A,
          at: at(39).toISOString(),
        },
      ],
      skipped: 0,
    };
    const week = computeInsights(questions, feedback, { days: 7 });
    expect(week).toMatchObject({ days: 7, recording: true, asked: 4, answered: 2, refused: 2 });
    expect(week.unanswered).toMatchObject([{ question: 'Where is the ferry?', count: 2, variants: 1 }]);
    expect(week.downvoted).toEqual([{ question: 'Who won the race?', down: 2, up: 1 }]);
    expect(week.cited).toEqual([
      { doc: 'market.txt', count: 1 },
      { doc: 'race.txt', count: 1 },
      { doc: 'town.txt', count: 1 },
    ]);
    const month = computeInsights(questions, feedback, { days: 30 });
    expect(month.unanswered[0]!.count).toBe(3);
    expect(computeInsights(undefined, feedback, { days: 7 })).toMatchObject({ recording: false, asked: 0 });
  });

  test('the CSV lists everything, quoted, with formulas defused', () => {
    const i = computeInsights(
      rows(A, [
        ['=HYPERLINK("http://x")', 'refused', 1],
        ['Comma, "quoted"\nand a newline?', 'refused', 1],
      ]),
      { answers: [], votes: [], skipped: 0 },
      { days: 7 },
    );
    const csv = insightsCsv(i);
    expect(csv.startsWith('list,rank,text,count,down,up,last\r\n')).toBe(true);
    // Both asked once: their order is by the last time asked, which the rows' clocks may put either way.
    expect(csv).toMatch(/\r\nunanswered,[12],"'=HYPERLINK\(""http:\/\/x""\)",1,,,/);
    expect(csv).toMatch(/\r\nunanswered,[12],"Comma, ""quoted""\nand a newline\?",1,,,/);
  });

  test('the message fits Discord’s limits with many long, hostile questions; members’ markup is escaped', () => {
    const hostile = Array.from(
      { length: 40 },
      (_, k) => `@everyone **${k}** <@123456789012345678> ${`topic${k} subject${k} matter${k} `.repeat(20)}?`,
    );
    const i = computeInsights(
      rows(
        A,
        hostile.map((q) => [q, 'refused', 1]),
      ),
      { answers: [], votes: [], skipped: 0 },
      { days: 7 },
    );
    const { rendered, more } = renderInsights(i);
    expect(more).toBe(true);
    expect(limitViolations(rendered)).toEqual([]);
    const text = JSON.stringify(rendered.embeds);
    expect(text).not.toMatch(/(^|[^\\])@everyone/);
    expect(text).not.toMatch(/(^|[^\\])<@\d+>/);
    expect(rendered.ephemeral).toBe(true);
    // The console shows every list in full, in plain text.
    const plain = renderInsights(i, { markup: plainMarkup, limit: 1000 });
    expect(plain.more).toBe(false);
  });
});

describe('health', () => {
  const report = (shard: number, connected = true) => ({
    shards: [{ shard, connected }],
    index: { generation: 'g1', builtAt: new Date(Date.now() - 60_000).toISOString(), documents: 3 },
    queue: 1,
  });

  test('healthy only when every expected shard is connected and every process has an index', () => {
    const ok = healthOf([report(0), report(1)], { expectedShards: 2 });
    expect(ok).toMatchObject({ ok: true, problems: [], queue: 2, index: { generation: 'g1', documents: 3 } });
    expect(ok.index!.age_s).toBeGreaterThanOrEqual(59);
    expect(healthOf([report(0), report(1, false)], { expectedShards: 2 }).problems).toEqual([
      'gateway not connected: shard 1',
    ]);
    expect(healthOf([report(0), undefined], { expectedShards: 2 }).problems).toEqual([
      '1 shard process did not answer',
      'gateway not connected: shard 1',
    ]);
    expect(healthOf([{ shards: [{ shard: 0, connected: true }], queue: 0 }]).problems).toEqual(['no index loaded']);
    expect(healthOf([]).ok).toBe(false);
  });

  test('the last rebuild is the latest of the writer’s and the processes’', () => {
    const h = healthOf([{ ...report(0), lastRebuild: { outcome: 'built', at: at(1).toISOString(), seconds: 2 } }], {
      ownRebuild: { outcome: 'failed', at: new Date().toISOString(), seconds: 1, error: 'bad sources.json' },
    });
    expect(h.last_rebuild).toMatchObject({ outcome: 'failed', error: 'bad sources.json' });
    expect(h.ok).toBe(true);
  });
});

test('bench --scale: the index size is that of the current generation’s files, not 0', async () => {
  const indexDir = join(dir, 'index');
  const gen = await newGeneration(indexDir);
  await writeFile(join(gen.path, 'vectors.bin'), Buffer.alloc(3000));
  await writeFile(join(gen.path, 'manifest.json'), '{}');
  await publish(indexDir, gen.name);
  expect(await indexBytes(indexDir)).toBe(3002);
});
