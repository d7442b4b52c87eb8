/**
 * Faults, through the REAL bot process (`node dist/scripts/start.js`, built by `npm run build`)
 * logged into the fake Discord on 127.0.0.1: gateway drops mid-burst, REST 429 on the answer edit,
 * SIGTERM with answers in flight, and the token never appearing in any output.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  ANSWERABLE,
  UNANSWERABLE,
  finalAt,
  indexDirFor,
  startBotProcess,
  type BotProcess,
} from './harness/bot-process.js';
import { FakeDiscord, type FakeInteraction } from './harness/fake-discord.js';

const TOKEN = 'FAKE.TOKEN.abc123-SECRET';
const INDEX = indexDirFor('reliability-faults');
let userSeq = 500000000000000000n;
const newUser = () => ({ id: String(++userSeq), username: `rel${userSeq % 100000n}` });

/** Resolves when the final message is visible and the bot logged the end of the handler. */
async function waitDone(fake: FakeDiscord, bot: BotProcess, ix: FakeInteraction, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (finalAt(ix) !== undefined && bot.logLines().some((l) => l.event === 'interaction' && l.id === ix.id)) return;
    if (bot.exitCode() !== undefined) throw new Error(`bot exited (${bot.exitCode()}) while waiting for ${ix.id}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(
    `interaction ${ix.id} not finished after ${timeoutMs} ms (callback ${ix.callbackType}, events ${ix.events.map((e) => e.kind).join(',')})`,
  );
}

const isAnswer = (ix: FakeInteraction) => (ix.original?.embeds.length ?? 0) > 0;

describe('faults against the real bot process', () => {
  let fake: FakeDiscord;
  let bot: BotProcess;

  beforeAll(async () => {
    fake = await FakeDiscord.start({ token: TOKEN, heartbeatIntervalMs: 2000 });
    bot = await startBotProcess({ fake, indexDir: INDEX });
    // Warm the embedder so the timing below measures the bot, not model loading.
    const warm = fake.sendCommand('ask', { question: ANSWERABLE[0]! }, { user: newUser() });
    await waitDone(fake, bot, warm, 60_000);
  });

  afterAll(async () => {
    await bot?.stop(5000);
    await fake?.close();
  });

  test('gateway closed with 4000 mid-burst: the burst is answered, the bot resumes, the next /ask is answered', async () => {
    const identifies = fake.identifies;
    const resumes = fake.resumes;
    const burst = Array.from({ length: 12 }, (_, k) =>
      fake.sendCommand('ask', { question: ANSWERABLE[k % ANSWERABLE.length]! }, { user: newUser() }),
    );
    // Drop the socket once the first defers are in, while answers are still being computed.
    await fake.waitFor(burst[0]!, (x) => x.callbackType !== undefined, 10_000);
    fake.closeGateway(4000, 'fake: mid-burst drop');
    expect(fake.connected).toBe(false);
    // Sent while no session is live: queued by the fake and delivered on RESUMED/READY.
    const during = fake.sendCommand('ask', { question: 'Which treaty did the US leave?' }, { user: newUser() });
    for (const ix of burst) await waitDone(fake, bot, ix);
    expect(burst.every((ix) => ix.callbackType === 5 && ix.original?.ready)).toBe(true);
    await fake.waitForReady(20_000);
    expect(fake.resumes).toBeGreaterThan(resumes);
    expect(fake.identifies).toBe(identifies);
    await waitDone(fake, bot, during);
    expect(isAnswer(during)).toBe(true);
    const next = fake.sendCommand('ask', { question: 'Who is Frank Rose?' }, { user: newUser() });
    await waitDone(fake, bot, next);
    expect(next.callbackType).toBe(5);
    expect(isAnswer(next)).toBe(true);
    const gatewayEvents = bot
      .logLines()
      .map((l) => String(l.event))
      .filter((e) => e.startsWith('gateway_'));
    expect(gatewayEvents).toContain('gateway_resumed');
  });

  test('REST 429 with Retry-After on the answer edit: discord.js waits and the answer still arrives', async () => {
    fake.inject429({
      method: 'PATCH',
      match: /\/webhooks\/\d+\/[^/]+\/messages\/%40original$/,
      count: 2,
      retryAfterS: 0.4,
    });
    const ix = fake.sendCommand(
      'ask',
      { question: 'What did Putin call the expansion of NATO after the Cold War?' },
      { user: newUser() },
    );
    await waitDone(fake, bot, ix);
    const patches = fake.requests.filter((r) => r.method === 'PATCH' && r.path.includes(ix.token));
    expect(patches.map((p) => p.status)).toEqual([429, 429, 200]);
    expect(patches[2]!.at - patches[0]!.at).toBeGreaterThanOrEqual(700);
    expect(isAnswer(ix)).toBe(true);
    expect(bot.logLines().some((l) => l.event === 'rest_rate_limited')).toBe(true);
  });

  test('REST 429 on a refusal (edit + ephemeral follow-up) and on the defer: nothing is lost', async () => {
    fake.inject429({ method: 'POST', match: /\/webhooks\/\d+\/[^/]+$/, count: 1, retryAfterS: 0.3 });
    const refused = fake.sendCommand('ask', { question: UNANSWERABLE[0]! }, { user: newUser() });
    await waitDone(fake, bot, refused);
    expect(refused.original?.content).toMatch(/\S/);
    expect(refused.followUps).toHaveLength(1);
    expect(refused.followUps[0]!.content).toMatch(/closest documents/);
  });

  test('an error path (the interaction is unknown to Discord) is logged without the token and the bot keeps serving', async () => {
    const ix = fake.sendCommand('ask', { question: 'Who is Frank Rose?' }, { user: newUser() });
    // Invalidate the interaction token: every callback/webhook call now fails with 10062/10015.
    ix.token = `${ix.token}-revoked`;
    const deadline = Date.now() + 20_000;
    while (!bot.logLines().some((l) => l.event === 'interaction' && l.id === ix.id) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 25));
    expect(bot.logLines().some((l) => l.event === 'handler_failed' && l.id === ix.id)).toBe(true);
    const next = fake.sendCommand(
      'ask',
      { question: 'Which think tank does Keir Giles work at?' },
      { user: newUser() },
    );
    await waitDone(fake, bot, next);
    expect(isAnswer(next)).toBe(true);
  });

  test('the token never appears in stdout or stderr, and no unhandled rejection was logged', () => {
    const all = bot.stdout + bot.stderr;
    expect(all.length).toBeGreaterThan(0);
    expect(all).not.toContain(TOKEN);
    expect(all).not.toContain('abc123-SECRET');
    expect(bot.unhandled()).toEqual([]);
    expect(bot.exitCode()).toBeUndefined();
  });
});

describe('process-level faults', () => {
  test('SIGTERM with answers in flight: they finish, the client is destroyed, exit code 0', async () => {
    const fake = await FakeDiscord.start({ token: TOKEN });
    const bot = await startBotProcess({ fake, indexDir: INDEX });
    try {
      const warm = fake.sendCommand('ask', { question: ANSWERABLE[1]! }, { user: newUser() });
      await waitDone(fake, bot, warm, 60_000);
      const burst = Array.from({ length: 30 }, (_, k) =>
        fake.sendCommand(
          'ask',
          { question: k % 3 === 2 ? UNANSWERABLE[k % UNANSWERABLE.length]! : ANSWERABLE[k % ANSWERABLE.length]! },
          { user: newUser() },
        ),
      );
      for (const ix of burst) await fake.waitFor(ix, (x) => x.callbackType !== undefined, 10_000);
      const unfinished = burst.filter((ix) => finalAt(ix) === undefined).length;
      bot.child.kill('SIGTERM');
      const code = await Promise.race([bot.exited, new Promise<string>((r) => setTimeout(() => r('timeout'), 30_000))]);
      expect(unfinished).toBeGreaterThan(0); // the signal really arrived with answers in flight
      expect(code).toBe(0);
      expect(burst.filter((ix) => finalAt(ix) === undefined)).toEqual([]);
      const stopped = bot.logLines().find((l) => l.event === 'stopped');
      expect(stopped).toMatchObject({ clean: true });
      expect(bot.logLines().some((l) => l.event === 'shutdown' && l.signal === 'SIGTERM')).toBe(true);
      expect(fake.connected).toBe(false);
      expect(bot.stdout + bot.stderr).not.toContain(TOKEN);
      expect(bot.unhandled()).toEqual([]);
    } finally {
      await bot.stop(3000);
      await fake.close();
    }
  });

  test('SIGINT on an idle bot: clean stop, exit code 0', async () => {
    const fake = await FakeDiscord.start({ token: TOKEN });
    const bot = await startBotProcess({ fake, indexDir: INDEX });
    try {
      bot.child.kill('SIGINT');
      const code = await Promise.race([bot.exited, new Promise<string>((r) => setTimeout(() => r('timeout'), 15_000))]);
      expect(code).toBe(0);
      expect(bot.logLines().find((l) => l.event === 'stopped')).toMatchObject({ clean: true });
      expect(bot.logLines().some((l) => l.event === 'shutdown' && l.signal === 'SIGINT')).toBe(true);
    } finally {
      await bot.stop(3000);
      await fake.close();
    }
  });

  test('a rejected token (login error path) exits 1 with one line that does not contain the token', async () => {
    const fake = await FakeDiscord.start({ token: 'the-fake-expects-another-token' });
    const err = await startBotProcess({
      fake,
      indexDir: INDEX,
      env: { DISCORD_TOKEN: TOKEN },
      readyTimeoutMs: 60_000,
    }).catch((e: Error) => e);
    await fake.close();
    expect(err).toBeInstanceOf(Error);
    const msg = (err as Error).message; // includes the bot's stderr
    expect(msg).toMatch(/bot exited \(1\) before READY/);
    expect(msg).toMatch(/Discord login failed/);
    expect(msg).not.toContain(TOKEN);
    expect(msg).not.toContain('abc123-SECRET');
  });

  test('a bad setting next to the token names the variable and not the token', async () => {
    const fake = await FakeDiscord.start({ token: TOKEN });
    const err = await startBotProcess({
      fake,
      indexDir: INDEX,
      env: { RATE_LIMIT_COUNT: `x${TOKEN}` },
      readyTimeoutMs: 30_000,
    }).catch((e: Error) => e);
    await fake.close();
    expect(err).toBeInstanceOf(Error);
    const msg = (err as Error).message;
    expect(msg).toMatch(/RATE_LIMIT_COUNT/);
    expect(msg).not.toContain(TOKEN);
    expect(msg).not.toContain('abc123-SECRET');
  });
});
