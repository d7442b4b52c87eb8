/**
 * The conversation features over the REAL engine and a living copy of the seed collection, through
 * the fake Discord: a follow-up through the form resolves "he" to whom the earlier question asked
 * about; a message added with "Add to sources" is answered with a link back to it, and refused to a
 * member without Manage Server.
 */
import { mkdir } from 'node:fs/promises';
import { PermissionFlagsBits } from 'discord.js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startBot, type Bot } from '../src/discord/client.js';
import { memoryLogger } from '../src/core/log.js';
import { join } from 'node:path';
import type { GuildWriter } from '../src/live/guild-writer.js';
import { testGuilds } from './helpers/guilds.js';
import { openLiveCollection, type LiveEngine } from '../src/live/live.js';
import { openEngine } from '../src/engine/open.js';
import type { FullEngine } from '../src/engine/create.js';
import { FakeDiscord, PERMS, type FakeInteraction, type FakeMessage } from './harness/fake-discord.js';
import { copyCollection } from './helpers/tmp-collection.js';

const MANAGE = PERMS.basic | PermissionFlagsBits.ManageGuild;

let fake: FakeDiscord;
let bot: Bot;
let live: { engine: LiveEngine<FullEngine>; close(): void };
let cleanup: () => Promise<void>;
let writer: GuildWriter | undefined;
const log = memoryLogger('info');
let seq = 700000000000000000n;
const user = () => ({ id: String(++seq), username: `member${seq % 1000n}` });

const description = (m: FakeMessage) => String((m.embeds[0] as { description?: string }).description ?? '');
const button = (m: FakeMessage, label: string) =>
  (m.components as { components: { label: string; custom_id: string }[] }[])
    .flatMap((r) => r.components)
    .find((c) => c.label === label)!.custom_id;

beforeAll(async () => {
  const copy = await copyCollection();
  cleanup = copy.cleanup;
  await mkdir(copy.index, { recursive: true });
  const opts = { corpusDir: copy.corpus, indexDir: copy.index, embedder: 'use-lite' };
  live = openLiveCollection(await openEngine(opts), opts, { log, watch: false });
  fake = await FakeDiscord.start();
  const opened = testGuilds(live.engine, { guildsDir: join(copy.index, '..', 'guilds'), log });
  writer = opened.writer;
  bot = await startBot({ token: fake.token, engine: live.engine, restUrl: fake.restUrl, log, guilds: opened.guilds });
});
afterAll(async () => {
  await writer?.close(5000);
  live?.close();
  await bot?.stop(2000);
  await fake?.close();
  await cleanup?.();
});

async function followUp(answer: FakeMessage, question: string): Promise<FakeInteraction> {
  const click = fake.sendButton(button(answer, 'Follow up'), answer, { user: user() });
  await fake.waitFor(click, (x) => x.callbackType !== undefined);
  expect(click.callbackType).toBe(9);
  const formId = (click.modal as { custom_id: string }).custom_id;
  return fake.waitForReply(fake.sendModalSubmit(formId, { question }, { user: user(), message: answer }));
}

describe('follow-ups', () => {
  test('"what did he say about verification?" after "what did Lavrov demand" quotes Lavrov\'s "trust but verify"', async () => {
    const first = fake.sendCommand('ask', { question: 'what did Lavrov demand' }, { user: user() });
    await fake.waitForReply(first);
    const ix = await followUp(first.original!, 'what did he say about verification?');
    expect(ix.original!.flags).toBe(0);
    const title = (ix.original!.embeds[0] as { title: string }).title;
    expect(title).toBe('what did Lavrov say about verification?');
    expect(description(ix.original!)).toMatch(/Lavrov, however, .*“trust but verify\.?”/s);
    // Asked alone, the same words find nothing: the context made the difference.
    const alone = await live.engine.ask('what did he say about verification?');
    expect(alone.citations.some((c) => c.quote.includes('trust but verify'))).toBe(false);
  });
});

describe('Add to sources', () => {
  const message = {
    id: '700000000000001234',
    content:
      'The volunteer lifeboat crew at Port Ellery completed its new slipway in March. ' +
      'Coxswain Dara Whelan said the slipway lets the crew launch in under four minutes at any tide.',
    author: { id: '100000000000000077', username: 'dockwatch' },
  };
  const question = 'How fast can the Port Ellery lifeboat crew launch?';

  test('refused to a member without Manage Server: nothing is added, the question stays unanswered', async () => {
    const ix = fake.sendMessageCommand('Add to sources', message, { user: user(), memberPermissions: PERMS.basic });
    await fake.waitForReply(ix);
    expect(ix.original!.content).toMatch(/Manage Server/);
    const answer = await live.engine.ask(question);
    expect(answer.citations.some((c) => c.quote.includes('under four minutes'))).toBe(false);
  });

  test('added by a moderator, the message is answerable at once and its citation links back to the message', async () => {
    const add = fake.sendMessageCommand('Add to sources', message, { user: user(), memberPermissions: MANAGE });
    await fake.waitForReply(add);
    expect(add.original!.content).toMatch(/indexed and answerable in this server now/);
    const ask = fake.sendCommand('ask', { question }, { user: user() });
    await fake.waitForReply(ask);
    const d = description(ask.original!);
    expect(d).toContain('under four minutes');
    const link = `https://discord.com/channels/${fake.guildId}/${fake.channelId}/${message.id}`;
    expect(d).toMatch(new RegExp(`\\[Message by dockwatch in #general, \\d{4}-\\d{2}-\\d{2}\\]\\(<${link}>\\)`));
    // Another server never sees it, and the base collection is unchanged.
    const elsewhere = fake.sendCommand('ask', { question }, { user: user(), guildId: fake.snowflake() });
    await fake.waitForReply(elsewhere);
    expect(JSON.stringify(elsewhere.original)).not.toContain('under four minutes');
    const base = await live.engine.ask(question);
    expect(base.citations.some((c) => c.quote.includes('under four minutes'))).toBe(false);
  });

  test('nothing sent broke a limit', () => {
    expect(fake.violations).toEqual([]);
  });
});
