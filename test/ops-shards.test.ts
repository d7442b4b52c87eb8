/**
 * Ops with shards: the REAL bot (`node dist/scripts/start.js`, SHARDS=2, HTTP_PORT=0) against the
 * fake Discord. The process that runs the shards serves /healthz and /metrics for all of them: its
 * shards' gateway state and answers (each shard's metrics, summed), its own rebuilds as the index
 * writer; and /healthz turns 503 while a shard's gateway is down, 200 again once it resumes.
 */
import { copyFile, mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startBotProcess, type BotProcess } from './harness/bot-process.js';
import { FakeDiscord } from './harness/fake-discord.js';
import { assertDistBuilt } from './helpers/run-cli.js';
import { REPO, tempDir } from './helpers/tmp-collection.js';

const C = join(REPO, 'test', 'fixtures', 'collection-c');
const STRIKE = 'How many flights were scrapped when the Harbor Skies pilots walked off the job?';
const CHESS = "What was the winner's prize money?";

let root: string;
let corpus: string;
let fake: FakeDiscord;
let bot: BotProcess;
let port: number;
let userSeq = 500000000000000000n;

const get = async (path: string) => {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, text: await res.text() };
};
async function until<T>(what: string, f: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await f();
    if (ok(v)) return v;
    if (Date.now() - t0 > timeoutMs)
      throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v).slice(0, 2000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
const metric = (text: string, line: string) => Number(new RegExp(`^${line} (\\S+)$`, 'm').exec(text)?.[1]);

beforeAll(async () => {
  assertDistBuilt(['start']);
  root = await tempDir('quotebot-ops-shards-');
  corpus = join(root, 'corpus');
  await mkdir(corpus, { recursive: true });
  for (const f of ['c1_airline_strike.txt', 'c4_chess_upset.txt']) await copyFile(join(C, f), join(corpus, f));
  fake = await FakeDiscord.start();
  bot = await startBotProcess({
    fake,
    corpusDir: corpus,
    indexDir: join(root, 'index'),
    env: { SHARDS: '2', HTTP_PORT: '0', FEEDBACK_FILE: join(root, 'feedback.jsonl') },
  });
  await fake.waitForShards(2, 120_000);
  while (bot.logLines().filter((l) => l.event === 'ready').length < 2 && bot.exitCode() === undefined)
    await new Promise((r) => setTimeout(r, 50));
  port = Number(bot.logLines().find((l) => l.event === 'ops_listening')?.port);
}, 240_000);
afterAll(async () => {
  await bot?.stop(20_000);
  await fake?.close();
  await rm(root, { recursive: true, force: true });
});

test('/healthz: 200 with both shards connected and the index loaded', async () => {
  expect(port).toBeGreaterThan(0);
  expect(bot.logLines().find((l) => l.event === 'ops_listening')).toMatchObject({ host: '127.0.0.1', shards: true });
  const h = await until(
    'healthy',
    () => get('/healthz'),
    (r) => r.status === 200,
  );
  const body = JSON.parse(h.text);
  expect(body.gateway).toEqual([
    { shard: 0, connected: true },
    { shard: 1, connected: true },
  ]);
  expect(body.index).toMatchObject({ documents: 2 });
  expect(body.index.generation).toMatch(/^gen-/);
  expect(body.queue).toBe(0);
}, 60_000);

test('/metrics sums the shards: one answer on each shows as two, with the latency histogram', async () => {
  for (const [shard, question] of [
    [0, STRIKE],
    [1, CHESS],
  ] as const) {
    const ix = fake.sendCommand('ask', { question }, { user: { id: String(++userSeq), username: 'a' }, shard });
    await fake.waitForReply(ix, { timeoutMs: 60_000 });
    expect(JSON.stringify(ix.original?.embeds)).toMatch(/\[1\]/);
  }
  const m = await until(
    'two answers',
    () => get('/metrics'),
    (r) => metric(r.text, 'quotebot_answer_seconds_count\\{outcome="answered"\\}') === 2,
  );
  expect(metric(m.text, 'quotebot_questions_total\\{outcome="answered"\\}')).toBe(2);
  expect(metric(m.text, 'quotebot_gateway_connected\\{shard="0"\\}')).toBe(1);
  expect(metric(m.text, 'quotebot_gateway_connected\\{shard="1"\\}')).toBe(1);
  expect(metric(m.text, 'quotebot_index_documents')).toBe(2);
  // Three processes' resident memory, summed.
  expect(metric(m.text, 'process_resident_memory_bytes')).toBeGreaterThan(100 * 2 ** 20);
  // Questions are recorded per server, by the shard that answered them.
  const recorded = await until(
    'questions recorded',
    () => readdir(join(root, 'questions')).catch(() => [] as string[]),
    (d) => d.length > 0,
  );
  expect(recorded).toEqual([fake.guildId]);
}, 120_000);

test('the writer’s rebuild shows in /metrics and as /healthz’s last rebuild', async () => {
  await copyFile(join(C, 'c3_wildfire_budget.txt'), join(corpus, 'c3_wildfire_budget.txt'));
  const m = await until(
    'a rebuild',
    () => get('/metrics'),
    (r) => metric(r.text, 'quotebot_rebuilds_total\\{outcome="built"\\}') >= 1,
    60_000,
  );
  expect(metric(m.text, 'quotebot_rebuild_seconds_count\\{outcome="built"\\}')).toBeGreaterThanOrEqual(1);
  expect(metric(m.text, 'quotebot_embedded_sentences_total')).toBeGreaterThan(0);
  const h = await until(
    'shards on the new index',
    () => get('/healthz').then((r) => JSON.parse(r.text)),
    (b) => b.index?.documents === 3,
  );
  expect(h.last_rebuild).toMatchObject({ outcome: 'built' });
}, 90_000);

test('/healthz is 503 while shard 0’s gateway is down and 200 again once it resumes', async () => {
  fake.holdGateway();
  const down = await until(
    '503',
    () => get('/healthz'),
    (r) => r.status === 503,
  );
  expect(JSON.parse(down.text).problems).toEqual(['gateway not connected: shard 0']);
  fake.releaseGateway();
  await until(
    '200',
    () => get('/healthz'),
    (r) => r.status === 200,
    60_000,
  );
  expect(bot.unhandled()).toEqual([]);
}, 120_000);
