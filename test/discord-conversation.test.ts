/**
 * The conversation features end to end with a real discord.js client against the fake Discord,
 * over the stub engine: "Ask about this" and "Add to sources" as Discord sends message commands,
 * the Follow up form round trip (callback type 9, then MODAL_SUBMIT), Post to channel (once),
 * /ask in a thread started from an answer, expiry, and every message within Discord's limits.
 */
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PermissionFlagsBits } from 'discord.js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startBot, type Bot } from '../src/discord/client.js';
import { memoryLogger } from '../src/core/log.js';
import { collectionEditor } from '../src/live/collection.js';
import { jsonlFeedbackStore } from '../src/feedback/jsonl.js';
import type { FeedbackStore } from '../src/feedback/store.js';
import { EPHEMERAL, FakeDiscord, PERMS, type FakeInteraction, type FakeMessage } from './harness/fake-discord.js';
import { createStubEngine, SAMPLE_DOCS, type StubEngine } from './helpers/stub-engine.js';
import { tempDir } from './helpers/tmp-collection.js';

const MANAGE = PERMS.basic | PermissionFlagsBits.ManageGuild;

let fake: FakeDiscord;
let bot: Bot;
let engine: StubEngine;
let root: string;
let feedback: FeedbackStore;
const log = memoryLogger('debug');
let userSeq = 500000000000000000n;
const newUser = () => ({ id: String(++userSeq), username: `user${userSeq % 1000n}` });

beforeAll(async () => {
  root = await tempDir('quotebot-conversation-');
  fake = await FakeDiscord.start();
  engine = createStubEngine(SAMPLE_DOCS);
  feedback = jsonlFeedbackStore(join(root, 'feedback.jsonl'));
  bot = await startBot({
    token: fake.token,
    engine,
    restUrl: fake.restUrl,
    log,
    feedback,
    rateLimit: { count: 50, windowS: 30 },
    collection: { editor: collectionEditor(root, 64 * 1024), refresh: async () => ({ ok: true, changed: false }) },
  });
});

afterAll(async () => {
  await bot?.stop(2000);
  await feedback?.close();
  await fake?.close();
  await rm(root, { recursive: true, force: true });
});

const buttons = (msg: FakeMessage) =>
  (msg.components as { components: { label: string; custom_id: string; style: number }[] }[]).flatMap(
    (r) => r.components,
  );
const labels = (msg: FakeMessage) => buttons(msg).map((b) => b.label);
const button = (msg: FakeMessage, label: string): string => {
  const b = buttons(msg).find((c) => c.label === label);
  if (!b) throw new Error(`no ${label} button`);
  return b.custom_id;
};
const embed = (msg: FakeMessage) => msg.embeds[0] as { title?: string; description?: string };
const logFor = (ix: FakeInteraction) => log.lines.map((l) => JSON.parse(l)).filter((l) => l.id === ix.id);
const outcomeOf = async (ix: FakeInteraction) => {
  for (let i = 0; i < 100 && !logFor(ix).some((l) => l.event === 'interaction'); i++)
    await new Promise((r) => setTimeout(r, 20));
  return logFor(ix).find((l) => l.event === 'interaction')?.outcome as string | undefined;
};

async function askPublic(question: string): Promise<FakeMessage> {
  const ix = fake.sendCommand('ask', { question }, { user: newUser() });
  await fake.waitForReply(ix);
  return ix.original!;
}

/** Click Follow up, check the form, submit `question`: the answer interaction. */
async function followUp(answer: FakeMessage, question: string, user = newUser()): Promise<FakeInteraction> {
  const click = fake.sendButton(button(answer, 'Follow up'), answer, { user });
  await fake.waitFor(click, (x) => x.callbackType !== undefined);
  expect(click.callbackType).toBe(9);
  const modal = click.modal as { custom_id: string; title: string; components: { component: { custom_id: string } }[] };
  const submit = fake.sendModalSubmit(
    modal.custom_id,
    { [modal.components[0]!.component.custom_id]: question },
    {
      user,
      message: answer,
    },
  );
  return fake.waitForReply(submit, { followUps: 0 });
}

describe('Ask about this', () => {
  test('a message command (data.type 3, target_id, resolved.messages) is answered publicly, opening with a link to the message', async () => {
    const ix = fake.sendMessageCommand(
      'Ask about this',
      { id: '600000000000000001', content: 'How much will the lighthouse cost?' },
      { user: newUser() },
    );
    await fake.waitForReply(ix);
    expect(ix.events[0]!.body).toEqual({ type: 5, data: { flags: 0 } });
    const msg = ix.original!;
    expect(msg.flags).toBe(0);
    expect(msg.content).toBe(
      `Answering [this message](<https://discord.com/channels/${fake.guildId}/${fake.channelId}/600000000000000001>):`,
    );
    expect(embed(msg).title).toBe('How much will the lighthouse cost?');
    expect(embed(msg).description).toContain('four million euros');
    expect(labels(msg)).toEqual(['Sources', 'Pin', '👍', '👎', 'Follow up']);
    expect(msg.allowed_mentions).toEqual({ parse: [] });
    expect(await outcomeOf(ix)).toBe('answered');
  });

  test('a long message is asked by its question sentence; mentions, links and markdown are not part of it', async () => {
    const before = engine.asked.length;
    const chatter = 'We talked about the harbour at the meeting last night and nobody had the figures at hand. '.repeat(
      4,
    );
    const ix = fake.sendMessageCommand(
      'Ask about this',
      { content: `<@100000000000000009> ${chatter}**How much** will the lighthouse cost? See https://example.org/x` },
      { user: newUser() },
    );
    await fake.waitForReply(ix);
    expect(engine.asked.slice(before)).toEqual(['How much will the lighthouse cost?']);
  });

  test('a message without words gets one ephemeral line and no retrieval', async () => {
    const before = engine.asked.length;
    const ix = fake.sendMessageCommand(
      'Ask about this',
      { content: '<:wave:123456789012345678> 👍' },
      { user: newUser() },
    );
    await fake.waitForReply(ix);
    expect(ix.callbackType).toBe(4);
    expect(ix.original!.flags).toBe(EPHEMERAL);
    expect(ix.original!.content).toMatch(/no text I can ask about/);
    expect(engine.asked.length).toBe(before);
  });

  test('an unanswerable message: the public note keeps the link, the closest documents go to the asker privately', async () => {
    const ix = fake.sendMessageCommand(
      'Ask about this',
      { id: '600000000000000002', content: 'Who painted the old bridge blue?' },
      { user: newUser() },
    );
    await fake.waitForReply(ix, { followUps: 1 });
    expect(ix.original!.content).toMatch(
      /^Answering \[this message\]\(<https:\/\/discord\.com\/channels\/\d+\/\d+\/600000000000000002>\):\nNo passage/,
    );
    expect(ix.followUps[0]!.flags).toBe(EPHEMERAL);
  });
});

describe('Add to sources', () => {
  const message = {
    id: '600000000000000010',
    content: 'The ferry to the island resumes on Monday.\n\nTickets cost twelve euros, thanks <@100000000000000003>!',
    author: { id: '100000000000000002', username: 'harbourfan' },
    mentions: [{ id: '100000000000000003', username: 'skipper' }],
  };

  test('a member without Manage Server is refused with one ephemeral line; nothing is written', async () => {
    const before = await readdir(root);
    const ix = fake.sendMessageCommand('Add to sources', message, {
      user: newUser(),
      memberPermissions: PERMS.withPin,
    });
    await fake.waitForReply(ix);
    expect(ix.callbackType).toBe(4);
    expect(ix.original!.flags).toBe(EPHEMERAL);
    expect(ix.original!.content).toBe(
      'Only members with the **Manage Server** permission can add messages to the sources.',
    );
    expect(await readdir(root)).toEqual(before);
    expect(await outcomeOf(ix)).toBe('add_denied');
  });

  test('with Manage Server on a bot without per-server collections: one line, nothing written (the base is never changed from Discord)', async () => {
    const before = await readdir(root);
    const ix = fake.sendMessageCommand('Add to sources', message, { user: newUser(), memberPermissions: MANAGE });
    await fake.waitForReply(ix);
    expect(ix.original!.flags).toBe(EPHEMERAL);
    expect(ix.original!.content).toMatch(/servers have no collections of their own/);
    expect(await readdir(root)).toEqual(before);
    expect(await outcomeOf(ix)).toBe('add_off');
  });

  test('registered with Manage Server as its default permission, in servers only', async () => {
    const { data } = await import('../commands/add-to-sources.js');
    const json = data.toJSON();
    expect(json).toMatchObject({ name: 'Add to sources', type: 3, contexts: [0] });
    expect(json.default_member_permissions).toBe(String(PermissionFlagsBits.ManageGuild));
  });
});

describe('Follow up', () => {
  test('the button opens a form (callback 9) within limits; the submitted follow-up is answered with the earlier question as context', async () => {
    const answer = await askPublic('How much will the lighthouse cost?');
    const click = fake.sendButton(button(answer, 'Follow up'), answer, { user: newUser() });
    await fake.waitFor(click, (x) => x.callbackType !== undefined);
    expect(click.callbackType).toBe(9);
    const modal = click.modal as { title: string; custom_id: string; components: Record<string, unknown>[] };
    expect(modal.title).toBe('Follow up');
    expect(modal.components).toHaveLength(1);
    expect(modal.components[0]).toMatchObject({
      type: 18,
      label: 'Your follow-up question',
      description: 'After: How much will the lighthouse cost?',
      component: { type: 4, min_length: 3, max_length: 300, required: true },
    });
    const ix = await followUp(answer, 'When does construction start?');
    expect(ix.original!.flags).toBe(0);
    expect(embed(ix.original!).description).toContain('Construction is expected to start in the spring.');
    expect(engine.followUps.at(-1)).toEqual({
      question: 'When does construction start?',
      earlier: 'How much will the lighthouse cost?',
    });
    // The follow-up's answer can be followed up in turn.
    expect(labels(ix.original!)).toContain('Follow up');
    expect(await outcomeOf(ix)).toBe('answered');
  });

  test('a follow-up of a private answer is private too', async () => {
    const ask = fake.sendCommand(
      'ask',
      { question: 'How much will the lighthouse cost?', private: true },
      { user: newUser() },
    );
    await fake.waitForReply(ask);
    const ix = await followUp(ask.original!, 'When does construction start?');
    expect(ix.original!.flags).toBe(EPHEMERAL);
  });

  test('an empty or one-letter follow-up is refused with a line; an unknown or forged form key says the context is gone', async () => {
    const answer = await askPublic('How much will the lighthouse cost?');
    const click = fake.sendButton(button(answer, 'Follow up'), answer, { user: newUser() });
    await fake.waitFor(click, (x) => x.callbackType !== undefined);
    const formId = (click.modal as { custom_id: string }).custom_id;
    const short = fake.sendModalSubmit(formId, { question: ' x ' }, { user: newUser(), message: answer });
    await fake.waitForReply(short);
    expect(short.original!.content).toMatch(/at least 3 characters/);
    const gone = fake.sendModalSubmit('fum1:0000000000', { question: 'and then?' }, { user: newUser() });
    await fake.waitForReply(gone);
    expect(gone.original!.flags).toBe(EPHEMERAL);
    expect(gone.original!.content).toMatch(/no longer have the context/);
    const forged = fake.sendModalSubmit('fum1:../../x', { question: 'and then?' }, { user: newUser() });
    await fake.waitForReply(forged);
    expect(forged.original!.content).toBe('This form is not valid any more.');
    const oldButton = fake.sendButton('fu1:zzzzzzzzzz', answer, { user: newUser() });
    await fake.waitForReply(oldButton);
    expect(oldButton.callbackType).toBe(4);
    expect(oldButton.original!.content).toMatch(/no longer have the context/);
  });

  test('/ask in a thread started from an answer follows that answer up; elsewhere it stands alone', async () => {
    const answer = await askPublic('How much will the lighthouse cost?');
    // A thread created from a message has the message's id as its channel id.
    const inThread = fake.sendCommand(
      'ask',
      { question: 'When does construction start?' },
      { user: newUser(), channelId: answer.id, thread: { parentId: fake.channelId } },
    );
    await fake.waitForReply(inThread);
    expect(engine.followUps.at(-1)).toEqual({
      question: 'When does construction start?',
      earlier: 'How much will the lighthouse cost?',
    });
    expect(inThread.original!.channel_id).toBe(answer.id);
    const count = engine.followUps.length;
    const plain = fake.sendCommand('ask', { question: 'When does construction start?' }, { user: newUser() });
    await fake.waitForReply(plain);
    expect(engine.followUps.length).toBe(count);
  });
});

describe('Post to channel', () => {
  test('a private answer is posted publicly once, with Sources, Pin, votes and Follow up; the private one loses the button', async () => {
    const asker = newUser();
    const ask = fake.sendCommand(
      'ask',
      { question: 'How much will the lighthouse cost?', private: true },
      { user: asker },
    );
    await fake.waitForReply(ask);
    const priv = ask.original!;
    expect(labels(priv)).toEqual(['Sources', 'Post to channel', 'Follow up']);
    const postId = button(priv, 'Post to channel');
    const click = fake.sendButton(postId, priv, { user: asker });
    await fake.waitForReply(click, { followUps: 1 });
    expect(click.callbackType).toBe(7);
    expect(labels(priv)).toEqual(['Sources', 'Follow up']);
    const posted = click.followUps[0]!;
    expect(posted.flags).toBe(0);
    expect(posted.content).toBe(`Shared by **${asker.username}** from a private answer.`);
    expect(embed(posted)).toEqual(embed(priv));
    expect(labels(posted)).toEqual(['Sources', 'Pin', '👍', '👎', 'Follow up']);
    expect(await outcomeOf(click)).toBe('posted');
    // The posted answer has its own conversation: it can be followed up.
    const ix = await followUp(posted, 'When does construction start?');
    expect(engine.followUps.at(-1)!.earlier).toBe('How much will the lighthouse cost?');
    expect(ix.original!.flags).toBe(0);
    // Once: a second click (a stale copy of the message) is told so and posts nothing.
    const again = fake.sendButton(postId, priv, { user: asker });
    await fake.waitForReply(again);
    expect(again.callbackType).toBe(4);
    expect(again.original!.flags).toBe(EPHEMERAL);
    expect(again.original!.content).toBe('This answer is already in the channel.');
    expect(again.followUps).toEqual([]);
  });
});

describe('servers are tenants', () => {
  test("another server's clicks, forms and threads never reach an answer's conversation", async () => {
    const other = '999999999999999999';
    const asker = newUser();
    const ask = fake.sendCommand(
      'ask',
      { question: 'How much will the lighthouse cost?', private: true },
      { user: asker },
    );
    await fake.waitForReply(ask);
    const priv = ask.original!;
    for (const label of ['Follow up', 'Post to channel']) {
      const click = fake.sendButton(button(priv, label), priv, { user: asker, guildId: other });
      await fake.waitForReply(click);
      expect(click.callbackType).toBe(4);
      expect(click.original!.content).toMatch(/no longer have the context/);
      expect(click.followUps).toEqual([]);
    }
    const form = fake.sendModalSubmit(
      button(priv, 'Follow up').replace('fu1:', 'fum1:'),
      { question: 'and then?' },
      {
        user: asker,
        guildId: other,
      },
    );
    await fake.waitForReply(form);
    expect(form.original!.content).toMatch(/no longer have the context/);
    const answer = await askPublic('How much will the lighthouse cost?');
    const count = engine.followUps.length;
    const thread = fake.sendCommand(
      'ask',
      { question: 'When does construction start?' },
      { user: newUser(), channelId: answer.id, thread: { parentId: fake.channelId }, guildId: other },
    );
    await fake.waitForReply(thread);
    expect(engine.followUps.length).toBe(count);
    // Still there for its own server: Post to channel works once.
    const post = fake.sendButton(button(priv, 'Post to channel'), priv, { user: asker });
    await fake.waitForReply(post, { followUps: 1 });
    expect(post.followUps[0]!.flags).toBe(0);
  });
});

describe('limits', () => {
  test('every first response came within 3 s (a defer before any retrieval, the form at once)', () => {
    const ixs = [...fake.interactions.values()];
    expect(ixs.length).toBeGreaterThan(20);
    for (const ix of ixs) expect(ix.callbackAt! - ix.sentAt).toBeLessThan(3000);
  });

  test('every message and form this file produced stayed within limits and parsed no mentions', () => {
    expect(fake.violations).toEqual([]);
    for (const r of fake.requests) {
      const body = r.body as
        | { content?: string; embeds?: unknown; components?: unknown; allowed_mentions?: unknown; data?: any }
        | undefined;
      if (!body || typeof body !== 'object') continue;
      const hasMessage = body.content !== undefined || body.embeds !== undefined || body.data?.embeds !== undefined;
      if (hasMessage && r.path.includes('/webhooks/')) expect(body.allowed_mentions, r.path).toEqual({ parse: [] });
      if (body.data?.embeds !== undefined || body.data?.content !== undefined)
        expect(body.data.allowed_mentions, r.path).toEqual({ parse: [] });
      for (const row of (body.data?.components ?? body.components ?? []) as { components?: { custom_id?: string }[] }[])
        for (const c of row.components ?? []) expect((c.custom_id ?? '').length).toBeLessThanOrEqual(100);
    }
  });
});
