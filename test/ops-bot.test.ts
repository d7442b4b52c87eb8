/**
 * Ops through the fake Discord, in one process (a real discord.js client, the stub engine): /healthz
 * follows the gateway (200 when ready, 503 while it is down, 200 after it resumes), /metrics counts
 * answers and exposes the latency histogram, questions are recorded per server and /insights shows
 * a server only its own, and with recording off nothing is stored.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PermissionFlagsBits } from 'discord.js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startBot, type Bot } from '../src/discord/client.js';
import { serveOwn, watchBot } from '../src/discord/ops.js';
import { memoryLogger } from '../src/core/log.js';
import { jsonlFeedbackStore } from '../src/feedback/jsonl.js';
import { openQuestionLog, questionsDir } from '../src/feedback/questions-open.js';
import type { OpsServer } from '../src/ops/http.js';
import { createProcessOps, type ProcessOps } from '../src/ops/state.js';
import { EPHEMERAL, FakeDiscord, PERMS, type FakeInteraction } from './harness/fake-discord.js';
import { createStubEngine, SAMPLE_DOCS } from './helpers/stub-engine.js';
import { tempDir } from './helpers/tmp-collection.js';

const MANAGE = PERMS.basic | PermissionFlagsBits.ManageGuild;
const GUILD_B = '222222222222222222';
const CHANNEL_B = '222222222222222223';
const ANSWERABLE = ['How much will the lighthouse cost?', 'Why did the library extend its opening hours?'];
const GAP_A = 'What colour is the submarine fleet?';
const GAP_B = 'How deep is the harbour tunnel?';

interface Embed {
  title?: string;
  description?: string;
  fields?: { name: string; value: string }[];
  footer?: { text: string };
}

let dir: string;
let fake: FakeDiscord;
let bot: Bot;
let ops: ProcessOps;
let server: OpsServer;
const log = memoryLogger('info');
let userSeq = 400000000000000000n;
const user = () => ({ id: String(++userSeq), username: 'asker' });

const get = async (path: string) => {
  const res = await fetch(`http://127.0.0.1:${server.port}${path}`);
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
};
async function until<T>(what: string, f: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await f();
    if (ok(v)) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
const ask = async (question: string, opts: { guildId?: string; channelId?: string } = {}) =>
  fake.waitForReply(fake.sendCommand('ask', { question }, { user: user(), ...opts }));
const insights = async (opts: { guildId?: string; channelId?: string; days?: number; perms?: bigint } = {}) =>
  fake.waitForReply(
    fake.sendCommand(
      'collection',
      { days: opts.days },
      { user: user(), memberPermissions: opts.perms ?? MANAGE, subcommand: 'insights', ...opts },
    ),
  );
const embedOf = (ix: FakeInteraction) => ix.original!.embeds[0] as Embed;
const field = (ix: FakeInteraction, name: string) => embedOf(ix).fields!.find((f) => f.name === name)!.value;

beforeAll(async () => {
  dir = await tempDir('quotebot-ops-');
  fake = await FakeDiscord.start();
  // The stub holds no real index: give it what /healthz reads of one.
  const engine = Object.assign(createStubEngine(SAMPLE_DOCS), {
    index: { generation: 'gen-test', manifest: { created: new Date().toISOString() }, docs: SAMPLE_DOCS },
  });
  ops = createProcessOps();
  const config = { FEEDBACK_FILE: join(dir, 'feedback.jsonl'), RECORD_QUESTIONS: true };
  server = await serveOwn(ops, { host: '127.0.0.1', port: 0 }, log);
  bot = await startBot({
    token: fake.token,
    engine,
    restUrl: fake.restUrl,
    log,
    rateLimit: { count: 1000, windowS: 1 },
    feedback: jsonlFeedbackStore(config.FEEDBACK_FILE),
    questions: openQuestionLog(config),
    metrics: ops.metrics,
  });
  watchBot(ops, bot, engine, { shard: false });
});
afterAll(async () => {
  await bot?.stop(2000);
  await server?.close();
  await fake?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('/healthz', () => {
  test('200 with the gateway, index and queue while connected; 503 while the gateway is down; 200 again after it resumes', async () => {
    const ready = await get('/healthz');
    expect(ready.status).toBe(200);
    expect(ready.type).toMatch(/^application\/json/);
    const h = JSON.parse(ready.text);
    expect(h).toMatchObject({ ok: true, problems: [], gateway: [{ shard: 0, connected: true }], queue: 0 });
    expect(h.index).toMatchObject({ generation: 'gen-test', documents: SAMPLE_DOCS.length });
    expect(h.index.age_s).toBeGreaterThanOrEqual(0);

    const resumes = fake.resumes;
    fake.holdGateway();
    const down = await until(
      '503',
      () => get('/healthz'),
      (r) => r.status === 503,
    );
    expect(JSON.parse(down.text)).toMatchObject({
      ok: false,
      problems: ['gateway not connected: shard 0'],
      gateway: [{ shard: 0, connected: false }],
    });
    // Still down a moment later: the gateway is held, not merely slow.
    await new Promise((r) => setTimeout(r, 500));
    expect((await get('/healthz')).status).toBe(503);
    expect(await get('/metrics').then((m) => m.text)).toMatch(/^quotebot_gateway_connected\{shard="0"\} 0$/m);

    fake.releaseGateway();
    await until(
      '200',
      () => get('/healthz'),
      (r) => r.status === 200,
    );
    expect(fake.resumes).toBe(resumes + 1);
    expect(await get('/metrics').then((m) => m.text)).toMatch(/^quotebot_gateway_connected\{shard="0"\} 1$/m);
  }, 60_000);

  test('other paths are 404 and other methods 405', async () => {
    expect((await get('/')).status).toBe(404);
    const post = await fetch(`http://127.0.0.1:${server.port}/metrics`, { method: 'POST' });
    expect(post.status).toBe(405);
  });
});

describe('/metrics', () => {
  test('counts two answers and exposes the latency histogram, the default process metrics and no question text', async () => {
    const count = async (outcome: string) =>
      Number(
        new RegExp(`^quotebot_questions_total\\{outcome="${outcome}"\\} (\\d+)$`, 'm').exec(
          (await get('/metrics')).text,
        )?.[1],
      );
    const before = await count('answered');
    for (const q of ANSWERABLE) expect(embedOf(await ask(q)).description).toMatch(/\[1\]/);
    // Counted once the reply is sent, which the fake sees a moment before the bot does.
    const m = await until(
      'two answers counted',
      () => get('/metrics'),
      (r) => r.text.includes(`quotebot_answer_seconds_count{outcome="answered"} ${before + 2}`),
    );
    expect(m.status).toBe(200);
    expect(m.type).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(await count('answered')).toBe(before + 2);
    expect(m.text).toMatch(/^# TYPE quotebot_answer_seconds histogram$/m);
    expect(m.text).toMatch(new RegExp(`^quotebot_answer_seconds_count\\{outcome="answered"\\} ${before + 2}$`, 'm'));
    expect(m.text).toMatch(/^quotebot_answer_seconds_bucket\{le="\+Inf",outcome="answered"\} \d+$/m);
    expect(m.text).toMatch(/^quotebot_queue_depth 0$/m);
    expect(m.text).toMatch(/^quotebot_index_documents 3$/m);
    expect(m.text).toMatch(/^nodejs_eventloop_lag_seconds /m);
    expect(m.text).toMatch(/^process_cpu_user_seconds_total /m);
    for (const q of ANSWERABLE) expect(m.text).not.toContain(q.slice(0, 20));
    expect(m.text).not.toContain(fake.guildId);
  });
});

describe('questions and /insights', () => {
  test('an unanswered question asked twice in server A shows in A’s insights and not in B’s', async () => {
    await ask(GAP_A);
    await ask(GAP_A.toLowerCase().replace('colour', 'color').replace('?', ''));
    await ask(GAP_B, { guildId: GUILD_B, channelId: CHANNEL_B });

    // Stored per server (once the reply is out): A's folder never holds B's question.
    const root = questionsDir(join(dir, 'feedback.jsonl'));
    const folders = await until(
      'both servers recorded',
      async () => (existsSync(root) ? (await readdir(root)).sort() : []),
      (f) => f.length === 2,
    );
    expect(folders).toEqual([fake.guildId, GUILD_B].sort());
    const aText = (
      await Promise.all(
        (await readdir(join(root, fake.guildId))).map((f) => readFile(join(root, fake.guildId, f), 'utf8')),
      )
    ).join('');
    expect(aText).toContain(GAP_A);
    expect(aText).not.toContain(GAP_B);

    const a = await insights();
    expect(a.original!.flags).toBe(EPHEMERAL);
    expect(embedOf(a).title).toBe('Insights: the last 7 days');
    expect(field(a, 'Unanswered, most asked')).toBe(`2× ${GAP_A.replace('?', '?')} (2 wordings)`);
    expect(field(a, 'Unanswered, most asked')).not.toContain('tunnel');
    expect(embedOf(a).description).toMatch(/\*\*\d+\*\* questions: \*\*\d+\*\* answered, \*\*2\*\* refused/);
    expect(field(a, 'Most cited documents')).toMatch(/`harbour\.txt`/);

    const b = await insights({ guildId: GUILD_B, channelId: CHANNEL_B, days: 30 });
    expect(embedOf(b).title).toBe('Insights: the last 30 days');
    expect(embedOf(b).description).toBe('**1** question: **0** answered, **1** refused (100 %).');
    expect(field(b, 'Unanswered, most asked')).toBe(`1× ${GAP_B}`);
    expect(JSON.stringify(embedOf(b))).not.toContain('submarine');
    expect(field(b, 'Most cited documents')).toBe('None yet.');
  });

  test('a long list comes with the full CSV attached; the message stays within limits', async () => {
    const gaps = [
      'Who designed the railway bridge?',
      'When does the ferry timetable change?',
      'Which bakery won the bread contest?',
      'Where is the new swimming pool planned?',
      'How many tourists visited the castle?',
      'Why was the football match cancelled?',
    ];
    for (const q of gaps) await ask(q);
    await new Promise((r) => setTimeout(r, 200)); // the last record is written just after its reply
    const ix = await insights();
    expect(embedOf(ix).footer!.text).toMatch(/Full lists in the attached CSV\.$/);
    const patch = fake.requestsTo('PATCH', new RegExp(`/webhooks/\\d+/${ix.token}/messages/%40original$`))[0]!;
    expect(patch.files?.map((f) => f.name)).toEqual(['insights-7d.csv']);
    const csv = patch.files![0]!.content.split('\r\n');
    expect(csv[0]).toBe('list,rank,text,count,down,up,last');
    // Every unanswered group, not only the five shown.
    const unanswered = csv.filter((l) => l.startsWith('unanswered,'));
    expect(unanswered).toHaveLength(7);
    expect(unanswered[0]).toMatch(/^unanswered,1,What colour is the submarine fleet\?,2,,,\d{4}-/);
    expect(csv.filter((l) => l.startsWith('cited,'))).toHaveLength(2);
    expect(fake.violations).toEqual([]);
  });

  test('members without Manage Server are turned away', async () => {
    const ix = await insights({ perms: PERMS.basic });
    expect(ix.original!.flags).toBe(EPHEMERAL);
    expect(ix.original!.content).toMatch(/Manage Server/);
    expect(ix.original!.embeds).toEqual([]);
  });
});

describe('RECORD_QUESTIONS=off', () => {
  test('nothing is stored, and insights say so', async () => {
    const off = await tempDir('quotebot-ops-off-');
    const f2 = await FakeDiscord.start();
    const config = { FEEDBACK_FILE: join(off, 'feedback.jsonl'), RECORD_QUESTIONS: false };
    const b2 = await startBot({
      token: f2.token,
      engine: createStubEngine(SAMPLE_DOCS),
      restUrl: f2.restUrl,
      log: memoryLogger(),
      questions: openQuestionLog(config),
      feedback: jsonlFeedbackStore(config.FEEDBACK_FILE),
    });
    try {
      await f2.waitForReply(f2.sendCommand('ask', { question: GAP_A }, { user: user() }));
      await f2.waitForReply(f2.sendCommand('ask', { question: ANSWERABLE[0] }, { user: user() }));
      const ix = await f2.waitForReply(
        f2.sendCommand('collection', {}, { user: user(), memberPermissions: MANAGE, subcommand: 'insights' }),
      );
      expect((ix.original!.embeds[0] as Embed).description).toMatch(/not recorded/);
      await new Promise((r) => setTimeout(r, 200)); // a record would be written just after the reply
      expect(existsSync(questionsDir(config.FEEDBACK_FILE))).toBe(false);
      // Only the vote record of the public answer (the 👍 / 👎 feature), no trace of the refused question.
      expect(await readdir(off)).toEqual(['feedback.jsonl']);
      expect(await readFile(config.FEEDBACK_FILE, 'utf8')).not.toContain('submarine');
    } finally {
      await b2.stop(2000);
      await f2.close();
      await rm(off, { recursive: true, force: true });
    }
  });
});
