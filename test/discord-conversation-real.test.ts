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
import { collectionEditor } from '../src/live/collection.js';
import { openLiveCollection, type LiveEngine } from '../src/live/live.js';
import { openEngine } from '../src/engine/open.js';
import { FakeDiscord, PERMS, type FakeInteraction, type FakeMessage } from './harness/fake-discord.js';
import { copyCollection } from './helpers/tmp-collection.js';

const MANAGE = PERMS.basic | PermissionFlagsBits.ManageGuild;

let fake: FakeDiscord;
let bot: Bot;
let live: { engine: LiveEngine; close(): void };
let cleanup: () => Promise<void>;
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
  bot = await startBot({
    token: fake.token,
    engine: live.engine,
    restUrl: fake.restUrl,
    log,
    collection: { editor: collectionEditor(copy.corpus, 64 * 1024), refresh: live.engine.refresh },
  });
});
afterAll(async () => {
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
    expect(add.original!.content).toMatch(/indexed and answerable now/);
    const ask = fake.sendCommand('ask', { question }, { user: user() });
    await fake.waitForReply(ask);
    const d = description(ask.original!);
    expect(d).toContain('under four minutes');
    const link = `https://discord.com/channels/${fake.guildId}/${fake.channelId}/${message.id}`;
    expect(d).toMatch(new RegExp(`\\[Message by dockwatch in #general, \\d{4}-\\d{2}-\\d{2}\\]\\(<${link}>\\)`));
  });

  test('nothing sent broke a limit', () => {
    expect(fake.violations).toEqual([]);
  });
});
