/**
 * Limits on everything a member can trigger: a bounded answer queue that turns questions away
 * politely when full, a per-server quota on collection edits (one server's edits never use up
 * another's; through Discord in discord-guilds.test.ts), and /sources browse and autocomplete through the rate limiters. Units, then the real
 * discord.js client against the fake Discord over the stub engine.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startBot, type Bot } from '../src/discord/client.js';
import { AnswerQueue, Busy, type AnswerSource } from '../src/discord/queue.js';
import { editQuota } from '../src/core/rate.js';
import { memoryLogger } from '../src/core/log.js';
import type { Answer } from '../src/core/types.js';
import { FakeDiscord, type FakeInteraction } from './harness/fake-discord.js';
import { createStubEngine, SAMPLE_DOCS } from './helpers/stub-engine.js';

const answer = (question: string): Answer => ({
  question,
  answered: false,
  answer: 'Not found in the sources.',
  citations: [],
  closest: [],
  timings_ms: { total: 0 },
});

describe('the answer queue', () => {
  test('past maxWaiting questions are turned away at once with Busy; those taken are all answered', async () => {
    const release: (() => void)[] = [];
    const engine = {
      ask: (q: string) => new Promise<Answer>((r) => release.push(() => r(answer(q)))),
      askMany: (qs: string[]) => new Promise<Answer[]>((r) => release.push(() => r(qs.map(answer)))),
    };
    const queue = new AnswerQueue(engine, { maxBatch: 1, maxWaitMs: 0, maxWaiting: 2 });
    const first = queue.ask('one');
    await new Promise((r) => setTimeout(r, 20)); // 'one' is being answered
    const taken = [queue.ask('two'), queue.ask('three')];
    expect(queue.full).toBe(true);
    await expect(queue.ask('four')).rejects.toBeInstanceOf(Busy);
    expect(queue.pending).toBe(3);
    for (let i = 0; i < 3; i++) {
      while (!release.length) await new Promise((r) => setTimeout(r, 5));
      release.shift()!();
    }
    expect((await Promise.all([first, ...taken])).map((a) => a.question)).toEqual(['one', 'two', 'three']);
    expect(queue.full).toBe(false);
  });
});

describe('the per-server edit quota', () => {
  test('counts each server apart, tells how long to wait, and frees up after an hour', () => {
    let now = 0;
    const quota = editQuota(2, () => now);
    expect(quota.take('server-a').allowed).toBe(true);
    now += 60_000;
    expect(quota.take('server-a').allowed).toBe(true);
    const refused = quota.take('server-a');
    expect(refused).toEqual({ allowed: false, retryAfterMs: 3_540_000 }); // when the first edit leaves the window
    expect(quota.take('server-b').allowed).toBe(true);
    now = 3_600_000;
    expect(quota.take('server-a').allowed).toBe(true); // the first edit left the window
    expect(quota.take('server-a').allowed).toBe(false);
  });
});

describe('through the fake Discord', () => {
  let fake: FakeDiscord;
  let bot: Bot;
  let full = false;
  const log = memoryLogger('debug');
  let seq = 700000000000000000n;
  const user = () => ({ id: String(++seq), username: `m${seq % 1000n}` });
  const outcome = (ix: FakeInteraction) =>
    log.lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.event === 'interaction' && l.id === ix.id)?.outcome;
  const settled = async (ix: FakeInteraction) => {
    await fake.waitForReply(ix);
    for (let i = 0; i < 100 && outcome(ix) === undefined; i++) await new Promise((r) => setTimeout(r, 20));
    return ix;
  };

  beforeAll(async () => {
    const engine = createStubEngine(SAMPLE_DOCS);
    const queue = new AnswerQueue(engine);
    // An answer source whose fullness the test sets.
    const answers: AnswerSource = {
      ask: (q, o) => queue.ask(q, o),
      get pending() {
        return queue.pending;
      },
      get full() {
        return full;
      },
    };
    fake = await FakeDiscord.start();
    bot = await startBot({
      token: fake.token,
      engine,
      restUrl: fake.restUrl,
      log,
      answers,
      rateLimit: { count: 2, windowS: 60 },
    });
  });
  afterAll(async () => {
    await bot?.stop(2000);
    await fake?.close();
  });

  test('a full queue: /ask says "busy, try again" at once, without a defer, and nothing is asked', async () => {
    full = true;
    try {
      const ix = await settled(
        fake.sendCommand('ask', { question: 'How much will the lighthouse cost?' }, { user: user() }),
      );
      expect(ix.callbackType).toBe(4);
      expect(ix.original!.content).toMatch(/answering a lot of questions right now.*try again/);
      expect(outcome(ix)).toBe('busy');
    } finally {
      full = false;
    }
    const ok = await settled(
      fake.sendCommand('ask', { question: 'How much will the lighthouse cost?' }, { user: user() }),
    );
    expect(outcome(ok)).not.toBe('busy');
  });

  test('/sources browse counts against the per-member limit', async () => {
    const member = user();
    for (let i = 0; i < 2; i++)
      expect(outcome(await settled(fake.sendCommand('sources', { query: 'lighthouse' }, { user: member })))).toBe(
        'query',
      );
    const third = await settled(fake.sendCommand('sources', { query: 'lighthouse' }, { user: member }));
    expect(outcome(third)).toBe('rate_limited');
    expect(third.original!.content).toMatch(/Slow down a little/);
  });

  test('autocomplete past 30 calls in 10 s gets no choices', async () => {
    const member = user();
    const results: (string | undefined)[] = [];
    for (let i = 0; i < 32; i++) {
      const ix = fake.sendAutocomplete('sources', { doc: 'harb' }, 'doc', { user: member });
      results.push((await settled(ix)) && (outcome(ix) as string));
    }
    expect(results.slice(0, 30).every((o) => o === 'autocomplete')).toBe(true);
    expect(results.slice(30)).toEqual(['autocomplete_rate_limited', 'autocomplete_rate_limited']);
  });
});
