/**
 * The Postgres feedback store on a real engine (PGlite behind pglite-socket, reached with `pg`):
 * round trip, last vote wins, 200 concurrent votes, a restart, the same summary as the file
 * store for the same votes, and `npm run feedback --index-url` reading it without leaking the password.
 */
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { jsonlFeedbackStore } from '../src/feedback/jsonl.js';
import { openFeedbackStore } from '../src/feedback/open.js';
import {
  memberKey,
  newAnswerId,
  spanHash,
  type AnswerRecord,
  type FeedbackStore,
  type Vote,
} from '../src/feedback/store.js';
import { summarize } from '../src/eval/feedback-summary.js';
import { passwordPgPerFile, withPassword } from './helpers/pg-server.js';
import { assertDistBuilt, runCli } from './helpers/run-cli.js';
import { REPO } from './helpers/tmp-collection.js';

const PASSWORD = 'hunter2-secret';
const pg = passwordPgPerFile('quotebot-feedback-pg-', PASSWORD);

const answer = (id: string, question: string): AnswerRecord => ({
  type: 'answer',
  id,
  question,
  cited: [{ doc: 'quay.txt', start: 3, end: 40, hash: spanHash('some quoted text') }],
  guild: '123456789012345678',
  at: new Date().toISOString(),
});
const vote = (answerId: string, member: string, v: 'up' | 'down'): Vote => ({
  type: 'vote',
  answer: answerId,
  member: memberKey('a'.repeat(64), answerId, member),
  vote: v,
  guild: null,
  at: new Date().toISOString(),
});

test("INDEX_URL selects the database; votes round-trip; a changed vote replaces the earlier one; 200 concurrent votes lose none and survive a restart; the summary equals the file store's", async () => {
  const store = openFeedbackStore({ FEEDBACK_FILE: join(pg.dir, 'unused.jsonl'), INDEX_URL: pg.url });
  const file = jsonlFeedbackStore(join(pg.dir, 'same.jsonl'));
  expect(store.where).not.toContain(PASSWORD);
  const both = async (f: (s: FeedbackStore) => Promise<void>) => Promise.all([f(store), f(file)]);

  const [a, b] = [newAnswerId(), newAnswerId()];
  const first = answer(a, 'when did the quay open?');
  await both((s) => s.recordAnswer(first));
  await both((s) => s.recordAnswer(answer(b, 'who paid?')));
  const v = vote(a, 'member-x', 'up');
  await both((s) => s.recordVote(v));
  let log = await store.read();
  expect(log).toEqual({ answers: [first, expect.objectContaining({ id: b })], votes: [v], skipped: 0 });

  const changed = vote(a, 'member-x', 'down');
  await both((s) => s.recordVote(changed));
  expect((await store.read()).votes).toEqual([changed]);

  const many = Array.from({ length: 200 }, (_, k) => vote(b, `member-${k}`, k % 4 === 0 ? 'down' : 'up'));
  await Promise.all(many.map((m) => store.recordVote(m)));
  for (const m of many) await file.recordVote(m);
  await store.close();
  await store.close(); // closing twice is harmless

  // A new process: a second store object on the same database.
  const again = openFeedbackStore({ FEEDBACK_FILE: join(pg.dir, 'unused.jsonl'), INDEX_URL: pg.url });
  // Votes are keyed with the install's secret, kept in the database: every process keys a member alike,
  // and not as the file store (another install) does.
  const key = await again.memberKey(a, 'member-x');
  expect(key).toMatch(/^[0-9a-f]{16}$/);
  expect(
    await openFeedbackStore({ FEEDBACK_FILE: join(pg.dir, 'unused.jsonl'), INDEX_URL: pg.url }).memberKey(
      a,
      'member-x',
    ),
  ).toBe(key);
  expect(await file.memberKey(a, 'member-x')).not.toBe(key);
  log = await again.read();
  expect(log.answers.map((x) => x.id)).toEqual([a, b]);
  expect(log.votes).toHaveLength(201);
  expect(new Set(log.votes.map((x) => x.member)).size).toBe(201);
  expect(log.votes.filter((x) => x.answer === b && x.vote === 'down')).toHaveLength(50);
  const s = summarize(log);
  expect(s).toMatchObject({ answers: 2, votedAnswers: 2, up: 150, down: 51 });
  expect(s).toEqual(summarize(await file.read()));
  // The same votes (concurrent ones commit in their own order).
  const byMember = (vs: Vote[]) => [...vs].sort((x, y) => x.member.localeCompare(y.member));
  expect(byMember(log.votes)).toEqual(byMember((await file.read()).votes));
  await again.close();
  await file.close();

  // The report reads the same store, and never prints the password.
  assertDistBuilt(['feedback']);
  const r = await runCli('feedback', ['--json', '--index-url', pg.url], { cwd: REPO });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(JSON.parse(r.stdout)).toEqual(s);
  const text = await runCli('feedback', ['--index-url', pg.url], { cwd: REPO });
  expect(text.stdout).toContain('Feedback in postgres://');
  expect(text.stdout + text.stderr).not.toContain(PASSWORD);
}, 120_000);

test('an unreachable database rejects the vote with one line that hides the password', async () => {
  const dead = withPassword('postgres://quotebot@127.0.0.1:1/quotebot', PASSWORD);
  const store = openFeedbackStore({ FEEDBACK_FILE: join(pg.dir, 'unused.jsonl'), INDEX_URL: dead });
  const err = await store.recordVote(vote(newAnswerId(), 'm', 'up')).then(
    () => new Error('resolved'),
    (e: unknown) => e as Error,
  );
  expect(err.message).toMatch(/^Cannot reach Postgres at postgres:\/\/127\.0\.0\.1:1\/quotebot/);
  expect(err.message).not.toContain(PASSWORD);
  await store.close();
});
