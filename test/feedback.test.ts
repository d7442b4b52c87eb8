/**
 * The feedback store and report: votes from many members at once, last vote wins, survival
 * across a restart (a new store on the same file), a line cut short by a crash, the summary and
 * the eval-set export (checked against what the engine says the cited spans are now).
 */
import { createHash } from 'node:crypto';
import { readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { voteIds, parseCustomId } from '../src/message/ids.js';
import { jsonlFeedbackStore } from '../src/feedback/jsonl.js';
import {
  AnswerIdSchema,
  memberKey,
  newAnswerId,
  spanHash,
  type AnswerRecord,
  type Vote,
} from '../src/feedback/store.js';
import { exportEvalSet, phraseOf, summarize } from '../src/eval/feedback-summary.js';
import { readEvalSet } from '../src/eval/eval.js';
import { writeFile } from 'node:fs/promises';
import { tempDir } from './helpers/tmp-collection.js';

let dir: string;
beforeAll(async () => {
  dir = await tempDir('quotebot-feedback-');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const answer = (id: string, question: string, cited: AnswerRecord['cited'] = []): AnswerRecord => ({
  type: 'answer',
  id,
  question,
  cited,
  guild: '123456789012345678',
  at: new Date().toISOString(),
});
const SECRET = 'a'.repeat(64);
const vote = (answerId: string, member: string, v: 'up' | 'down'): Vote => ({
  type: 'vote',
  answer: answerId,
  member: memberKey(SECRET, answerId, member),
  vote: v,
  guild: '123456789012345678',
  at: new Date().toISOString(),
});

test('answer ids fit the vote buttons, and the buttons parse back', () => {
  const ids = new Set(Array.from({ length: 1000 }, newAnswerId));
  expect(ids.size).toBe(1000);
  for (const id of ids) expect(AnswerIdSchema.safeParse(id).success).toBe(true);
  const id = [...ids][0]!;
  const { up, down } = voteIds(id);
  expect(up.length).toBeLessThanOrEqual(100);
  expect(parseCustomId(up)).toEqual({ kind: 'vote', answer: id, vote: 'up' });
  expect(parseCustomId(down)).toEqual({ kind: 'vote', answer: id, vote: 'down' });
  for (const bad of ['fb1:short:u', `fb1:${id}:x`, `fb1:${id.toUpperCase()}:u`, `fb1:${id}:u:extra`])
    expect(parseCustomId(bad)).toBeNull();
});

test('member keys differ per answer, per member and per install secret, and reveal neither', () => {
  const a = memberKey(SECRET, 'aaaaaaaaaa', '100000000000000001');
  expect(a).toMatch(/^[0-9a-f]{16}$/);
  expect(a).not.toContain('100000000000000001');
  expect(memberKey(SECRET, 'aaaaaaaaaa', '100000000000000002')).not.toBe(a);
  expect(memberKey(SECRET, 'bbbbbbbbbb', '100000000000000001')).not.toBe(a);
  expect(memberKey('b'.repeat(64), 'aaaaaaaaaa', '100000000000000001')).not.toBe(a);
  // Not the bare hash of the ids that anyone could recompute.
  expect(a).not.toBe(createHash('sha256').update('aaaaaaaaaa:100000000000000001').digest('hex').slice(0, 16));
});

test('the file store makes its secret on first use (0600, beside the log), keeps it across restarts, and agrees with a second process starting at once', async () => {
  const file = join(dir, 'keyed.jsonl');
  const [one, two] = [jsonlFeedbackStore(file), jsonlFeedbackStore(file)];
  const [k1, k2] = await Promise.all([one.memberKey('aaaaaaaaaa', '1'), two.memberKey('aaaaaaaaaa', '1')]);
  expect(k1).toBe(k2);
  const key = await readFile(`${file}.key`, 'utf8');
  expect(key.trim()).toMatch(/^[0-9a-f]{64}$/);
  expect((await stat(`${file}.key`)).mode & 0o777).toBe(0o600);
  expect(k1).toBe(memberKey(key.trim(), 'aaaaaaaaaa', '1'));
  const again = jsonlFeedbackStore(file);
  expect(await again.memberKey('aaaaaaaaaa', '1')).toBe(k1);
  // Another install (another file) keys the same vote differently.
  expect(await jsonlFeedbackStore(join(dir, 'other.jsonl')).memberKey('aaaaaaaaaa', '1')).not.toBe(k1);
  for (const s of [one, two, again]) await s.close();
});

describe('the JSONL store', () => {
  test('200 concurrent votes lose none; they survive a restart; the last vote per member wins', async () => {
    const file = join(dir, 'votes.jsonl');
    const store = jsonlFeedbackStore(file);
    const id = newAnswerId();
    await store.recordAnswer(answer(id, 'what happened?'));
    await Promise.all(
      Array.from({ length: 200 }, (_, k) => store.recordVote(vote(id, `member-${k}`, k % 4 === 0 ? 'down' : 'up'))),
    );
    await store.close();

    const lines = (await readFile(file, 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(201);
    for (const l of lines) expect(() => JSON.parse(l)).not.toThrow();

    // A new process: a fresh store on the same file.
    const again = jsonlFeedbackStore(file);
    let log = await again.read();
    expect(log.answers.map((a) => a.id)).toEqual([id]);
    expect(log.votes).toHaveLength(200);
    expect(log.votes.filter((v) => v.vote === 'down')).toHaveLength(50);
    // Members change their minds: one vote each still, the last one counts.
    await again.recordVote(vote(id, 'member-0', 'up'));
    await again.recordVote(vote(id, 'member-1', 'down'));
    await again.recordVote(vote(id, 'member-1', 'down'));
    log = await again.read();
    expect(log.votes).toHaveLength(200);
    expect(log.votes.filter((v) => v.vote === 'down')).toHaveLength(50);
    expect(summarize(log)).toMatchObject({ answers: 1, votedAnswers: 1, up: 150, down: 50 });
    await again.close();
  });

  test('a line cut short by a crash is skipped, and the next event still gets a line of its own', async () => {
    const file = join(dir, 'torn.jsonl');
    const id = newAnswerId();
    await writeFile(file, JSON.stringify(answer(id, 'q one')) + '\n' + '{"type":"vote","answer":"' + id);
    const store = jsonlFeedbackStore(file);
    await store.recordVote(vote(id, 'm', 'up'));
    const log = await store.read();
    expect(log.skipped).toBe(1);
    expect(log.votes).toHaveLength(1);
    await store.close();
  });

  test('no file yet: an empty log, nothing created by reading', async () => {
    const store = jsonlFeedbackStore(join(dir, 'sub', 'none.jsonl'));
    expect(await store.read()).toEqual({ answers: [], votes: [], skipped: 0 });
    await store.close();
    await expect(readFile(join(dir, 'sub', 'none.jsonl'))).rejects.toThrow();
  });

  test('an unwritable path rejects the vote (the caller reports it), and the store keeps working afterwards', async () => {
    const blocker = join(dir, 'blocker');
    await writeFile(blocker, 'a file, not a folder');
    const store = jsonlFeedbackStore(join(blocker, 'votes.jsonl'));
    await expect(store.recordVote(vote(newAnswerId(), 'm', 'up'))).rejects.toThrow();
    await store.close();
  });
});

describe('summary and export', () => {
  const text =
    'Harbour works.\n\nThe new quay opened on Monday after three years of building work. It cost 12 million euros.\n\nFishermen welcomed it.';
  const textOf = (doc: string) => (doc === 'quay.txt' ? text : undefined);
  const start = text.indexOf('The new quay');
  const end = text.indexOf(' It cost');
  const good = { doc: 'quay.txt', start, end, hash: spanHash(text.slice(start, end)) };

  test('worst-rated questions first; unvoted answers are counted but not rated', () => {
    const [a, b, c, d] = [newAnswerId(), newAnswerId(), newAnswerId(), newAnswerId()];
    const log = {
      answers: [
        answer(a, 'when did the quay open?'),
        answer(b, 'who paid?'),
        answer(c, 'Who paid?'),
        answer(d, 'unvoted'),
      ],
      votes: [vote(a, 'x', 'up'), vote(b, 'x', 'down'), vote(b, 'y', 'down'), vote(c, 'z', 'down'), vote(c, 'w', 'up')],
      skipped: 0,
    };
    const s = summarize(log);
    expect(s).toMatchObject({ answers: 4, votedAnswers: 3, up: 2, down: 3 });
    // The same question asked twice is rated as one.
    expect(s.worst).toEqual([{ question: 'who paid?', up: 1, down: 3 }]);
  });

  test('👍 answers become eval items whose phrase the collection still holds; changed or removed spans are left out', async () => {
    const [a, b, c, d] = [newAnswerId(), newAnswerId(), newAnswerId(), newAnswerId()];
    const log = {
      answers: [
        answer(a, 'When did the quay open?', [good]),
        answer(b, 'how much did it cost', [{ ...good, hash: spanHash('older text') }]),
        answer(c, 'was it liked', [good]),
        answer(d, 'gone', [{ ...good, doc: 'removed.txt' }]),
      ],
      votes: [vote(a, 'x', 'up'), vote(b, 'x', 'up'), vote(c, 'x', 'down'), vote(d, 'x', 'up')],
      skipped: 0,
    };
    const { items, stale } = exportEvalSet(log, textOf);
    expect(stale).toBe(2);
    expect(items).toEqual([{ q: 'When did the quay open?', any: [text.slice(start, end)] }]);
    // The project's own format: readable by npm run eval.
    const file = join(dir, 'exported.jsonl');
    await writeFile(file, items.map((i) => JSON.stringify(i)).join('\n') + '\n');
    expect(await readEvalSet(file)).toEqual(items);
  });

  test('long quotes give a phrase of their first words', () => {
    const long = 'word '.repeat(60).trim();
    const p = phraseOf(long);
    expect(p.length).toBeLessThanOrEqual(100);
    expect(long.startsWith(p)).toBe(true);
    expect(p.endsWith('word')).toBe(true);
  });
});
