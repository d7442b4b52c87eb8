/**
 * The question log in Postgres (PGlite behind pglite-socket, reached with `pg`): rows per server, a
 * server reads only its own, retention deletes old rows; votes read for one server only; and
 * `npm run feedback -- --insights` reads the same database without printing its password.
 */
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { openFeedbackStore } from '../src/feedback/open.js';
import { openQuestionLog } from '../src/feedback/questions-open.js';
import { questionRecord, retentionCutoff } from '../src/feedback/questions.js';
import { memberKey } from '../src/feedback/store.js';
import { passwordPgPerFile } from './helpers/pg-server.js';
import { assertDistBuilt, runCli } from './helpers/run-cli.js';

const PASSWORD = 'hunter2-secret';
const A = '111111111111111111';
const B = '222222222222222222';
const DAY = 86_400_000;
const refused = { answered: false, citations: [], closest: [{ score: 0.2 }] };
const at = (daysAgo: number) => new Date(Date.now() - daysAgo * DAY);

const pg = passwordPgPerFile('quotebot-questions-pg-', PASSWORD);

test('INDEX_URL keeps questions in its database; each server reads only its rows; retention deletes old rows; votes read per server', async () => {
  const config = { FEEDBACK_FILE: join(pg.dir, 'unused.jsonl'), INDEX_URL: pg.url, RECORD_QUESTIONS: true };
  expect(openQuestionLog({ ...config, RECORD_QUESTIONS: false })).toBeUndefined();
  const log = openQuestionLog(config)!;
  expect(log.where).not.toContain(PASSWORD);
  await log.record(questionRecord('Where is the ferry?', refused, { guild: A, at: at(1) }));
  await log.record(questionRecord('Where is the ferry?', refused, { guild: A, at: at(2) }));
  await log.record(questionRecord('Ancient question', refused, { guild: A, at: at(120) }));
  await log.record(questionRecord('How deep is the tunnel?', refused, { guild: B, at: at(1) }));
  await log.record(questionRecord('From the console', refused, { guild: null }));

  expect((await log.read(A, at(7))).map((q) => q.question)).toEqual(['Where is the ferry?', 'Where is the ferry?']);
  expect((await log.read(B, at(7))).map((q) => q.question)).toEqual(['How deep is the tunnel?']);
  expect((await log.read(null, at(7))).map((q) => q.question)).toEqual(['From the console']);
  expect((await log.read(A, at(365))).length).toBe(3);

  expect(await log.prune(retentionCutoff(90))).toBe(1);
  expect((await log.read(A, at(365))).map((q) => q.question)).not.toContain('Ancient question');
  expect(await log.prune(retentionCutoff(90))).toBe(0);

  const feedback = openFeedbackStore(config);
  for (const [guild, id] of [
    [A, 'aaaaaaaaaa'],
    [B, 'bbbbbbbbbb'],
  ] as const) {
    await feedback.recordAnswer({
      type: 'answer',
      id,
      question: `q ${guild}`,
      cited: [],
      guild,
      at: at(1).toISOString(),
    });
    await feedback.recordVote({
      type: 'vote',
      answer: id,
      member: memberKey('a'.repeat(64), id, 'm'),
      vote: 'down',
      guild,
      at: at(1).toISOString(),
    });
  }
  const onlyA = await feedback.read({ guild: A });
  expect(onlyA.answers.map((a) => a.guild)).toEqual([A]);
  expect(onlyA.votes.map((v) => v.guild)).toEqual([A]);
  expect((await feedback.read()).answers).toHaveLength(2);
  await feedback.close();
  await log.close();
}, 60_000);

test('npm run feedback -- --insights --guild reads that server from the database, password never printed', async () => {
  assertDistBuilt(['feedback']);
  const run = await runCli('feedback', ['--insights', '--guild', A, '--days', '30'], {
    cwd: pg.dir,
    env: { INDEX_URL: pg.url },
  });
  expect(run.code, run.stderr).toBe(0);
  expect(run.stdout).toContain('Insights: the last 30 days');
  expect(run.stdout).toMatch(/2× Where is the ferry\?/);
  expect(run.stdout).not.toContain('tunnel');
  expect(run.stdout + run.stderr).not.toContain(PASSWORD);
}, 60_000);
