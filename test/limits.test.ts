/**
 * Limits on everything a member can trigger: a bounded answer queue that turns questions away
 * politely when full, a per-server quota on collection edits (one server's edits never use up
 * another's), and /sources browse and autocomplete through the rate limiters. Units, then the real
 * discord.js client against the fake Discord over the stub engine.
 */
import { PermissionFlagsBits } from 'discord.js';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startBot, type Bot } from '../src/discord/client.js';
import { AnswerQueue, Busy, type AnswerSource } from '../src/discord/queue.js';
import { editQuota } from '../src/core/rate.js';
import { memoryLogger } from '../src/core/log.js';
import { collectionEditor } from '../src/live/collection.js';
import type { Answer } from '../src/core/types.js';
import { FakeDiscord, PERMS, type FakeInteraction } from './harness/fake-discord.js';
import { createStubEngine, SAMPLE_DOCS } from './helpers/stub-engine.js';
import { tempDir } from './helpers/tmp-collection.js';

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
  const MANAGE = PERMS.basic | PermissionFlagsBits.ManageGuild;
  const SERVER_B = '990000000000000002';
  let fake: FakeDiscord;
  let bot: Bot;
  let root: string;
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
    root = await tempDir('quotebot-limits-');
    await mkdir(join(root, 'corpus'));
    for (let i = 0; i < 4; i++)
      await writeFile(join(root, 'corpus', `note${i}.txt`), `Note ${i}.\n\nThe council met on day ${i} to vote.\n`);
    const engine = createStubEngine(SAMPLE_DOCS);
    const queue = new AnswerQueue(engine);
    // An answer source whose fullness the test sets.
    const answers: AnswerSource = {
      ask: (q) => queue.ask(q),
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
      guildEditsPerHour: 2,
      collection: {
        editor: collectionEditor(join(root, 'corpus'), 64 * 1024),
        refresh: async () => ({ ok: true, changed: false }),
      },
    });
  });
  afterAll(async () => {
    await bot?.stop(2000);
    await fake?.close();
    await rm(root, { recursive: true, force: true });
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

  test("a server's third edit in an hour is refused with a line naming the limit; another server's are not", async () => {
    const remove = (doc: string, guildId?: string) =>
      settled(
        fake.sendCommand(
          'sources',
          { doc },
          { subcommand: 'remove', user: user(), memberPermissions: MANAGE, ...(guildId && { guildId }) },
        ),
      );
    expect(outcome(await remove('note0.txt'))).toBe('removed');
    expect(outcome(await remove('note1.txt'))).toBe('removed');
    const third = await remove('note2.txt');
    expect(outcome(third)).toBe('remove_rate_limited');
    expect(third.original!.content).toMatch(
      /^This server has made 2 changes to the documents in the last hour, its limit; try again in \d+ minutes\.$/,
    );
    expect(await readdir(join(root, 'corpus'))).toContain('note2.txt'); // nothing done
    // Another server has its own quota.
    expect(outcome(await remove('note2.txt', SERVER_B))).toBe('removed');
    expect(await readdir(join(root, 'corpus'))).not.toContain('note2.txt');
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
      const ix = fake.sendAutocomplete('sources', { doc: 'harb' }, 'doc', { subcommand: 'remove', user: member });
      results.push((await settled(ix)) && (outcome(ix) as string));
    }
    expect(results.slice(0, 30).every((o) => o === 'autocomplete')).toBe(true);
    expect(results.slice(30)).toEqual(['autocomplete_rate_limited', 'autocomplete_rate_limited']);
  });
});
