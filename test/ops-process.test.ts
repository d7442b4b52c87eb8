/**
 * Ops in the single-process bot as started by `npm start` (`node dist/scripts/start.js`) against
 * the fake Discord: HTTP_PORT serves /healthz and /metrics, questions past QUESTION_RETENTION_DAYS
 * are deleted at start, and with RECORD_QUESTIONS=off nothing is stored.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startBotProcess, type BotProcess } from './harness/bot-process.js';
import { FakeDiscord } from './harness/fake-discord.js';
import { questionRecord } from '../src/feedback/questions.js';
import { assertDistBuilt } from './helpers/run-cli.js';
import { REPO, tempDir } from './helpers/tmp-collection.js';

const C = join(REPO, 'test', 'fixtures', 'collection-c');
const STRIKE = 'How many flights were scrapped when the Harbor Skies pilots walked off the job?';
const GAP = 'What is the recipe for lemon meringue pie?';

let root: string;
let fake: FakeDiscord;
let userSeq = 600000000000000000n;
const user = () => ({ id: String(++userSeq), username: 'a' });

beforeAll(async () => {
  assertDistBuilt(['start']);
  root = await tempDir('quotebot-ops-process-');
  fake = await FakeDiscord.start();
});
afterAll(async () => {
  await fake?.close();
  await rm(root, { recursive: true, force: true });
});

async function start(name: string, env: Record<string, string>): Promise<BotProcess> {
  return startBotProcess({
    fake,
    corpusDir: C,
    indexDir: join(root, 'index'),
    env: { FEEDBACK_FILE: join(root, name, 'feedback.jsonl'), ...env },
  });
}

describe('recording on, HTTP_PORT set', () => {
  let bot: BotProcess;
  let port: number;
  const oldDay = new Date(Date.now() - 100 * 86_400_000);
  beforeAll(async () => {
    // A question recorded 100 days ago: past the 90-day retention.
    const folder = join(root, 'on', 'questions', fake.guildId);
    await mkdir(folder, { recursive: true });
    const old = questionRecord(
      'An old question',
      { answered: false, citations: [], closest: [] },
      {
        guild: fake.guildId,
        at: oldDay,
      },
    );
    await writeFile(join(folder, `${oldDay.toISOString().slice(0, 10)}.jsonl`), JSON.stringify(old) + '\n');
    bot = await start('on', { HTTP_PORT: '0' });
    port = Number(bot.logLines().find((l) => l.event === 'ops_listening')?.port);
  }, 240_000);
  afterAll(() => bot?.stop(20_000));

  test('/healthz 200 with the index it answers from; /metrics counts the answer; old questions deleted at start', async () => {
    const h = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(h.status).toBe(200);
    const body = (await h.json()) as { gateway: unknown; index: { generation: string; documents: number } };
    expect(body.gateway).toEqual([{ shard: 0, connected: true }]);
    expect(body.index.generation).toMatch(/^gen-/);
    expect(body.index.documents).toBeGreaterThan(1);

    await fake.waitForReply(fake.sendCommand('ask', { question: STRIKE }, { user: user() }), { timeoutMs: 60_000 });
    await fake.waitForReply(fake.sendCommand('ask', { question: GAP }, { user: user() }), { timeoutMs: 60_000 });
    let text = '';
    for (let i = 0; i < 100 && !/quotebot_questions_total\{outcome="refused"\} 1/.test(text); i++) {
      text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(text).toMatch(/^quotebot_questions_total\{outcome="answered"\} 1$/m);
    expect(text).toMatch(/^quotebot_questions_total\{outcome="refused"\} 1$/m);
    expect(text).toMatch(/^quotebot_answer_seconds_count\{outcome="refused"\} 1$/m);

    expect(bot.logLines().find((l) => l.event === 'questions_pruned')).toMatchObject({
      removed: 1,
      retention_days: 90,
    });
    const files = await readdir(join(root, 'on', 'questions', fake.guildId));
    expect(files).toEqual([`${new Date().toISOString().slice(0, 10)}.jsonl`]);
  }, 120_000);
});

describe('RECORD_QUESTIONS=off', () => {
  test('questions answered and refused, nothing stored', async () => {
    const bot = await start('off', { RECORD_QUESTIONS: 'off' });
    try {
      await fake.waitForReply(fake.sendCommand('ask', { question: GAP }, { user: user() }), { timeoutMs: 60_000 });
      await fake.waitForReply(fake.sendCommand('ask', { question: STRIKE }, { user: user() }), { timeoutMs: 60_000 });
      await new Promise((r) => setTimeout(r, 300));
      expect(existsSync(join(root, 'off', 'questions'))).toBe(false);
    } finally {
      expect(await bot.stop(20_000)).toBe(0);
    }
  }, 240_000);
});
