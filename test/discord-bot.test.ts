/**
 * The bot end to end with a real discord.js client against the fake Discord, over the stub engine
 * (deterministic answers): commands, buttons, permissions, rate limit, failures, faults, shutdown.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startBot, type Bot } from '../src/discord/client.js';
import { memoryLogger } from '../src/core/log.js';
import { EPHEMERAL, FakeDiscord, PERMS, type FakeInteraction, type FakeMessage } from './harness/fake-discord.js';
import { createStubEngine, SAMPLE_DOCS, type StubEngine } from './helpers/stub-engine.js';

let fake: FakeDiscord;
let bot: Bot;
let engine: StubEngine;
const log = memoryLogger('debug');
let userSeq = 200000000000000000n;
/** A fresh user per test, so the rate limiter only matters where it is tested. */
const newUser = () => ({ id: String(++userSeq), username: `user${userSeq}` });

beforeAll(async () => {
  fake = await FakeDiscord.start();
  engine = createStubEngine(SAMPLE_DOCS);
  bot = await startBot({ token: fake.token, engine, restUrl: fake.restUrl, log, rateLimit: { count: 5, windowS: 30 } });
});

afterAll(async () => {
  await bot?.stop(2000);
  await fake?.close();
});

const button = (msg: FakeMessage, label: string): string => {
  for (const row of msg.components as { components: { label: string; custom_id: string }[] }[])
    for (const c of row.components) if (c.label === label) return c.custom_id;
  throw new Error(`no ${label} button`);
};
const labels = (msg: FakeMessage) =>
  (msg.components as { components: { label: string }[] }[]).flatMap((r) => r.components.map((c) => c.label));
const embed = (msg: FakeMessage) =>
  msg.embeds[0] as {
    title?: string;
    description?: string;
    footer?: { text: string };
    fields?: { name: string; value: string }[];
  };
const logFor = (ix: FakeInteraction) => log.lines.map((l) => JSON.parse(l)).filter((l) => l.id === ix.id);
const waitLog = async (ix: FakeInteraction, event: string) => {
  for (let i = 0; i < 100 && !logFor(ix).some((l) => l.event === event); i++)
    await new Promise((r) => setTimeout(r, 20));
  return logFor(ix).find((l) => l.event === event);
};

async function ask(question: string, opts: { private?: boolean; user?: { id: string; username: string } } = {}) {
  const ix = fake.sendCommand('ask', { question, private: opts.private }, { user: opts.user ?? newUser() });
  return ix;
}

describe('/ask', () => {
  test('answered: defer (type 5) at once, then one embed with quotes, sources, footer, buttons, no mentions', async () => {
    const ix = await ask('How much will the lighthouse cost?');
    await fake.waitForReply(ix);
    expect(ix.events.map((e) => e.kind)).toEqual(['callback', 'edit']);
    expect(ix.events[0]!.body).toEqual({ type: 5, data: { flags: 0 } });
    const edit = fake.requestsTo('PATCH', new RegExp(`/webhooks/${fake.appId}/${ix.token}/messages/%40original$`));
    expect(edit).toHaveLength(1);
    expect((edit[0]!.body as { allowed_mentions: unknown }).allowed_mentions).toEqual({ parse: [] });
    const msg = ix.original!;
    expect(msg.flags).toBe(0);
    const e = embed(msg);
    expect(e.title).toBe('How much will the lighthouse cost?');
    expect(e.description).toBe(
      '> Councillor Mira Okafor said the lighthouse would cost about four million euros. [1]\n\n**Sources**\n[1] [Harbour council approves new lighthouse](<https://example.org/harbour#:~:text=Councillor%20Mira%20Okafor%20said%20the,cost%20about%20four%20million%20euros.>) — `harbour.txt`',
    );
    expect(e.footer?.text).toBe('Searched 3 documents');
    expect(labels(msg)).toEqual(['Sources', 'Pin', 'Follow up']);
    const line = await waitLog(ix, 'interaction');
    expect(line).toMatchObject({ kind: 'command', command: 'ask', outcome: 'answered', answered: true });
    expect(typeof line.latency_ms).toBe('number');
  });

  test('private: the defer is ephemeral (flag 64) and there is no Pin button', async () => {
    const ix = await ask('How much will the lighthouse cost?', { private: true });
    await fake.waitForReply(ix);
    expect(ix.events[0]!.body).toEqual({ type: 5, data: { flags: EPHEMERAL } });
    expect(ix.original!.flags).toBe(EPHEMERAL);
    expect(labels(ix.original!)).toEqual(['Sources', 'Post to channel', 'Follow up']);
  });

  test('unanswerable, public: the placeholder becomes a short note, the asker gets the closest documents privately', async () => {
    const ix = await ask('Who painted the old bridge blue?');
    await fake.waitForReply(ix, { followUps: 1 });
    expect(ix.events.map((e) => e.kind)).toEqual(['callback', 'edit', 'followup']);
    expect(ix.original!.flags).toBe(0);
    expect(ix.original!.content).toMatch(/^No passage in the collection answers this question/);
    expect(ix.original!.embeds).toEqual([]);
    expect(ix.original!.components).toEqual([]);
    const follow = ix.followUps[0]!;
    expect(follow.flags).toBe(EPHEMERAL);
    expect(ix.events[2]!.replacedOriginal).toBe(false);
    expect(follow.content).toMatch(
      /^I couldn't find a passage that answers “Who painted the old bridge blue\?” in the 3 documents I searched\./,
    );
    expect(follow.content).toContain('The closest documents were:');
    expect(follow.content).toMatch(/• .+ \(`\w+\.txt`\)/);
    expect(await waitLog(ix, 'interaction')).toMatchObject({ outcome: 'refused', answered: false });
  });

  test('unanswerable, private: one ephemeral reply, no follow-up', async () => {
    const ix = await ask('Who painted the old bridge blue?', { private: true });
    await fake.waitForReply(ix);
    expect(ix.original!.flags).toBe(EPHEMERAL);
    expect(ix.original!.content).toContain('The closest documents were:');
    await waitLog(ix, 'interaction');
    expect(ix.followUps).toEqual([]);
  });

  test('rate limit: the sixth question in the window gets an ephemeral "slow down" without retrieval', async () => {
    const user = newUser();
    for (let i = 0; i < 5; i++) {
      const ix = await ask(`Library opening hours ${i}?`, { user });
      await fake.waitForReply(ix);
      expect(ix.callbackType).toBe(5);
    }
    const asked = engine.asked.length;
    const ix = await ask('Library opening hours again?', { user });
    await fake.waitForReply(ix);
    expect(ix.callbackType).toBe(4);
    expect(ix.events[0]!.body).toMatchObject({ type: 4, data: { flags: EPHEMERAL, allowed_mentions: { parse: [] } } });
    expect(ix.original!.content).toMatch(
      /^Slow down a little: you can ask again in \d+ seconds \(limit: 5 questions per 30 s\)\.$/,
    );
    expect(engine.asked.length).toBe(asked);
    expect(await waitLog(ix, 'interaction')).toMatchObject({ outcome: 'rate_limited', answered: false });
    // Another user is not affected.
    const other = await ask('Library opening hours?');
    await fake.waitForReply(other);
    expect(other.callbackType).toBe(5);
  });

  test('a failing handler: apology to the asker, a log line with the interaction id, and the bot keeps serving', async () => {
    engine.failNext();
    const ix = await ask('How much will the lighthouse cost?');
    await fake.waitForReply(ix, { followUps: 1 });
    expect(ix.original!.content).toBe('Sorry, I could not finish this answer.');
    expect(ix.followUps[0]!.flags).toBe(EPHEMERAL);
    expect(ix.followUps[0]!.content).toMatch(/^Sorry, something went wrong/);
    const failed = await waitLog(ix, 'handler_failed');
    expect(failed).toMatchObject({ level: 'error', command: 'ask', error: 'Error: stub engine failure' });
    const next = await ask('How much will the lighthouse cost?');
    await fake.waitForReply(next);
    expect(embed(next.original!).description).toContain('four million euros');
  });
});

describe('/sources', () => {
  test('no option: the document list, ephemeral', async () => {
    const ix = fake.sendCommand('sources', {}, { user: newUser() });
    await fake.waitForReply(ix);
    expect(ix.events[0]!.body).toEqual({ type: 5, data: { flags: EPHEMERAL } });
    const e = embed(ix.original!);
    expect(e.title).toBe('The collection: 3 documents');
    expect(e.description!.split('\n')).toEqual([
      '**Harbour council approves new lighthouse** — `harbour.txt` · 5 passages · 51 words',
      '**Orchard growers report record apple harvest** — `orchard.txt` · 4 passages · 37 words',
      '**City library extends opening hours** — `library.txt` · 3 passages · 28 words',
    ]);
  });

  test('query: the top passages with citations, no answer composition', async () => {
    const ix = fake.sendCommand('sources', { query: 'apple harvest' }, { user: newUser() });
    await fake.waitForReply(ix);
    const e = embed(ix.original!);
    expect(e.title).toBe('Passages matching “apple harvest”');
    expect(e.description).toMatch(
      /^> Orchard growers report record apple harvest \[1\]\n\n> Apple growers in the valley picked a record harvest this autumn\. \[2\]/,
    );
    expect(e.footer!.text).toMatch(/a lookup, not an answer$/);
    expect(ix.original!.components).toEqual([]);
  });

  test('doc: the document card; an unknown document says so', async () => {
    const ix = fake.sendCommand('sources', { doc: 'harbour.txt' }, { user: newUser() });
    await fake.waitForReply(ix);
    const e = embed(ix.original!) as { title: string; url?: string; fields: { name: string; value: string }[] };
    expect(e.title).toBe('Harbour council approves new lighthouse');
    expect(e.url).toBe('https://example.org/harbour');
    expect(e.fields.map((f) => f.name)).toEqual(['File', 'Passages', 'Words', 'Outlet', 'Published']);
    const unknown = fake.sendCommand('sources', { doc: 'nope.txt' }, { user: newUser() });
    await fake.waitForReply(unknown);
    expect(unknown.original!.content).toMatch(/^No document matches “nope\.txt”/);
  });

  test('autocomplete: choices matching title or file', async () => {
    const ix = fake.sendAutocomplete('sources', { doc: 'LIB' }, 'doc', { user: newUser() });
    await fake.waitForReply(ix);
    expect(ix.callbackType).toBe(8);
    expect(ix.choices).toEqual([{ name: 'City library extends opening hours (library.txt)', value: 'library.txt' }]);
    const all = fake.sendAutocomplete('sources', { doc: '' }, 'doc', { user: newUser() });
    await fake.waitForReply(all);
    expect(all.choices).toHaveLength(3);
  });
});

describe('buttons', () => {
  let answer: FakeMessage;
  let privateAnswer: FakeMessage;
  beforeAll(async () => {
    const ix = await ask('Where will the new lighthouse be built on the pier?');
    await fake.waitForReply(ix);
    answer = ix.original!;
    const p = await ask('How much will the lighthouse cost?', { private: true });
    await fake.waitForReply(p);
    privateAnswer = p.original!;
  });

  test('Sources: every citation with its surrounding sentences, title and position (ephemeral)', async () => {
    const ix = fake.sendButton(button(answer, 'Sources'), answer, { user: newUser() });
    await fake.waitForReply(ix);
    expect(ix.events[0]!.body).toEqual({ type: 5, data: { flags: EPHEMERAL } });
    const embeds = ix.original!.embeds as { title: string; description: string; footer: { text: string } }[];
    expect(embed(answer).description!.match(/\[\d\]$/gm)).toEqual(['[1]', '[2]']);
    expect(embeds.map((e) => [e.title, e.description, e.footer.text])).toEqual([
      [
        '[1] Harbour council approves new lighthouse',
        '**The harbour council voted on Tuesday to build a new lighthouse on the northern pier.** The old tower had been dark since the storm of 2019.',
        'harbour.txt · paragraph 2 of 3',
      ],
      [
        '[2] Harbour council approves new lighthouse',
        '**Harbour council approves new lighthouse**',
        'harbour.txt · paragraph 1 of 3',
      ],
    ]);
  });

  test('forged or malformed custom ids get a refusal', async () => {
    const forged = fake.sendButton('src1:0.0.zz.0', answer, { user: newUser() });
    await fake.waitForReply(forged);
    expect(forged.original!.content).toMatch(/could not be found any more/);
    const junk = fake.sendButton('admin:delete-everything', answer, { user: newUser() });
    await fake.waitForReply(junk);
    expect(junk.callbackType).toBe(4);
    expect(junk.original!.flags).toBe(EPHEMERAL);
    expect(junk.original!.content).toBe('This button is not valid any more.');
  });

  const pinPuts = () => fake.requestsTo('PUT', /\/channels\/\d+\/messages\/pins\/\d+$/);

  test('Pin: a member without PIN_MESSAGES is told so and nothing is pinned (MANAGE_MESSAGES is not enough)', async () => {
    const before = pinPuts().length;
    const ix = fake.sendButton(PIN_LABEL(answer), answer, { user: newUser(), memberPermissions: PERMS.manageNoPin });
    await fake.waitForReply(ix);
    expect(ix.original!.flags).toBe(EPHEMERAL);
    expect(ix.original!.content).toBe('You need the **Pin Messages** permission in this channel to pin answers.');
    expect(pinPuts().length).toBe(before);
  });

  test('Pin: the bot without PIN_MESSAGES is named, and nothing is pinned', async () => {
    const before = pinPuts().length;
    const ix = fake.sendButton(PIN_LABEL(answer), answer, {
      user: newUser(),
      memberPermissions: PERMS.withPin,
      appPermissions: PERMS.basic,
    });
    await fake.waitForReply(ix);
    expect(ix.original!.content).toMatch(/^I need the \*\*Pin Messages\*\* permission in this channel/);
    expect(pinPuts().length).toBe(before);
  });

  test('Pin: permissions lost since the interaction was built (Discord answers 50013) → the bot is named', async () => {
    fake.botPermissions = PERMS.basic;
    try {
      const ix = fake.sendButton(PIN_LABEL(answer), answer, {
        user: newUser(),
        memberPermissions: PERMS.withPin,
        appPermissions: PERMS.withPin,
      });
      await fake.waitForReply(ix);
      expect(ix.original!.content).toMatch(/^I need the \*\*Pin Messages\*\* permission/);
      expect(answer.pinned).toBe(false);
    } finally {
      fake.botPermissions = PERMS.withPin;
    }
  });

  test('Pin: with both permissions the answer is pinned (PUT /channels/{c}/messages/pins/{m}) and confirmed; a second click says already pinned', async () => {
    const before = pinPuts().length;
    const ix = fake.sendButton(PIN_LABEL(answer), answer, { user: newUser(), memberPermissions: PERMS.withPin });
    await fake.waitForReply(ix);
    expect(ix.original!.flags).toBe(EPHEMERAL);
    expect(ix.original!.content).toBe('Pinned this answer to the channel. 📌');
    const puts = pinPuts();
    expect(puts.length).toBe(before + 1);
    expect(puts.at(-1)!.path).toBe(`/api/v10/channels/${fake.channelId}/messages/pins/${answer.id}`);
    expect(answer.pinned).toBe(true);
    const again = fake.sendButton(PIN_LABEL(answer), answer, { user: newUser(), memberPermissions: PERMS.withPin });
    await fake.waitForReply(again);
    expect(again.original!.content).toBe('This answer is already pinned.');
    expect(pinPuts().length).toBe(before + 1);
  });

  test("Pin: the channel's pin limit (30003) gets a clear message", async () => {
    const ix0 = await ask('What will the library do?');
    await fake.waitForReply(ix0);
    const msg = ix0.original!;
    const limit = fake.pinLimit;
    fake.pinLimit = fake.pinnedIn().length;
    try {
      const ix = fake.sendButton(PIN_LABEL(msg), msg, { user: newUser(), memberPermissions: PERMS.withPin });
      await fake.waitForReply(ix);
      expect(ix.original!.content).toBe("This channel has reached Discord's pin limit; unpin an older message first.");
      expect(msg.pinned).toBe(false);
    } finally {
      fake.pinLimit = limit;
    }
  });

  test('Pin on a private answer (forged click) is refused', async () => {
    const ix = fake.sendButton('pin1', privateAnswer, { user: newUser(), memberPermissions: PERMS.withPin });
    await fake.waitForReply(ix);
    expect(ix.original!.content).toBe('Private answers cannot be pinned.');
    expect(privateAnswer.pinned).toBe(false);
  });
});

const PIN_LABEL = (msg: FakeMessage) => button(msg, 'Pin');

describe('faults', () => {
  test('a 429 with retry-after on the answer edit: discord.js waits and the answer still arrives', async () => {
    fake.inject429({ method: 'PATCH', match: /\/messages\/%40original$/, count: 1, retryAfterS: 0.3 });
    const ix = await ask('How much will the lighthouse cost?');
    await fake.waitForReply(ix);
    const patches = fake.requestsTo('PATCH', new RegExp(`/webhooks/\\d+/${ix.token}/messages/%40original$`));
    expect(patches.map((p) => p.status)).toEqual([429, 200]);
    expect(patches[1]!.at - patches[0]!.at).toBeGreaterThanOrEqual(250);
    expect(embed(ix.original!).description).toContain('four million euros');
  });

  test('the gateway drops (close 4000): the client resumes and the next /ask is answered', async () => {
    const resumes = fake.resumes;
    fake.closeGateway(4000);
    const ix = await ask('How much will the lighthouse cost?');
    await fake.waitForReply(ix, { timeoutMs: 30_000 });
    expect(fake.resumes).toBe(resumes + 1);
    expect(embed(ix.original!).description).toContain('four million euros');
  });

  test('every message this file produced stayed within limits and parsed no mentions', () => {
    expect(fake.violations).toEqual([]);
    const sends = fake.requests.filter(
      (r) =>
        (r.method === 'PATCH' && /\/webhooks\//.test(r.path)) ||
        (r.method === 'POST' && /\/webhooks\/\d+\/[^/]+$/.test(r.path)) ||
        (r.method === 'POST' && /\/callback$/.test(r.path) && (r.body as { type: number }).type === 4),
    );
    expect(sends.length).toBeGreaterThan(20);
    for (const r of sends) {
      const body = r.body as { allowed_mentions?: unknown; data?: { allowed_mentions?: unknown } };
      expect(body.allowed_mentions ?? body.data?.allowed_mentions, r.path).toEqual({ parse: [] });
    }
    expect(log.lines.join('\n')).not.toContain(fake.token);
  });
});

describe('shutdown', () => {
  test('stop() waits for in-flight answers, then destroys the client; late interactions are turned away', async () => {
    const slow = createStubEngine(SAMPLE_DOCS);
    slow.delayMs = 600;
    const f2 = await FakeDiscord.start();
    const b2 = await startBot({ token: f2.token, engine: slow, restUrl: f2.restUrl, log: memoryLogger() });
    try {
      const ix = f2.sendCommand('ask', { question: 'How much will the lighthouse cost?' }, { user: newUser() });
      await f2.waitFor(ix, (x) => x.callbackType === 5);
      const stopping = b2.stop(5000);
      const late = f2.sendCommand('ask', { question: 'How much will the lighthouse cost?' }, { user: newUser() });
      await f2.waitForReply(late);
      expect(late.callbackType).toBe(4);
      expect(late.original!.flags).toBe(EPHEMERAL);
      expect(late.original!.content).toBe('The bot is restarting; please try again in a moment.');
      expect(ix.original!.ready).toBe(false);
      const clean = await stopping;
      expect(clean).toBe(true);
      expect(ix.original!.ready).toBe(true);
      expect(embed(ix.original!).description).toContain('four million euros');
      expect(b2.client.isReady()).toBe(false);
    } finally {
      await b2.stop(100);
      await f2.close();
    }
  });

  test('a bounded wait: stop() gives up on a stuck answer', async () => {
    const stuck = createStubEngine(SAMPLE_DOCS);
    stuck.delayMs = 5000;
    const f3 = await FakeDiscord.start();
    const b3 = await startBot({ token: f3.token, engine: stuck, restUrl: f3.restUrl, log: memoryLogger() });
    try {
      const ix = f3.sendCommand('ask', { question: 'How much will the lighthouse cost?' }, { user: newUser() });
      await f3.waitFor(ix, (x) => x.callbackType === 5);
      const t0 = Date.now();
      expect(await b3.stop(300)).toBe(false);
      expect(Date.now() - t0).toBeLessThan(2000);
    } finally {
      await f3.close();
    }
  });
});
