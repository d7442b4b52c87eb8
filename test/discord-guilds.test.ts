/**
 * One collection per server (issue 19), through the fake Discord with two servers and DMs, over
 * the REAL engine: what one server's moderators do is seen in that server only. A's upload is
 * never quoted, listed or offered in B; B cannot remove it; nobody removes or replaces the
 * operator's base documents from a server; a Sources button never shows another server's
 * documents; DMs answer from the base; a server may hide the base for itself; quotas and the
 * edits-per-hour limit are per server and refuse with one line, nothing written.
 */
import { cp, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PermissionFlagsBits } from 'discord.js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { memoryLogger } from '../src/core/log.js';
import { EPHEMERAL, FakeDiscord, PERMS, type FakeInteraction, type FakeMessage } from './harness/fake-discord.js';
import { guildBot, type GuildBot } from './helpers/guilds.js';
import { REPO, SEEDS, tempDir } from './helpers/tmp-collection.js';

const C = join(REPO, 'test', 'fixtures', 'collection-c');
const MANAGE = PERMS.basic | PermissionFlagsBits.ManageGuild;
const CHARIOT = 'Roughly how old is the chariot grave found in Yorkshire?';
const LAVROV = 'what did Lavrov demand';
const BASE_DOC = '003_119197242061bba3.txt';
const NOTE = (n: number) =>
  `Note ${n}\n\nThe harbour board met on day ${n} and agreed to repaint the lighthouse before winter.\n`;

let root: string;
let fake: FakeDiscord;
let harness: GuildBot;
let A: string;
let B: string;
let guildsDir: string;
const log = memoryLogger('info');
let seq = 600000000000000000n;
const user = () => ({ id: String(++seq), username: `member${seq % 1000n}` });
const mod = { id: '600000000000000777', username: 'mod' };
const events = (name: string) =>
  log.lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((e) => e.event === name);
const everything = (ix: FakeInteraction) => JSON.stringify([ix.original, ...ix.followUps]);
const description = (m: FakeMessage) =>
  String((m.embeds[0] as { description?: string } | undefined)?.description ?? '');
const sourcesId = (m: FakeMessage) =>
  (m.components as { components: { label: string; custom_id: string }[] }[])
    .flatMap((r) => r.components)
    .find((b) => b.label === 'Sources')?.custom_id;
const filesOf = async (guild: string) => (await readdir(join(guildsDir, guild, 'docs')).catch(() => [])).sort();

async function ask(question: string, guildId: string | null): Promise<FakeInteraction> {
  return fake.waitForReply(fake.sendCommand('ask', { question }, { user: user(), guildId }), { timeoutMs: 60_000 });
}
async function run(
  name: string,
  options: Record<string, string | boolean | { filename: string; content: string | Buffer } | undefined>,
  opts: { guildId: string | null; subcommand?: string; manage?: boolean },
): Promise<FakeInteraction> {
  const ix = fake.sendCommand(name, options, {
    user: opts.manage === false ? user() : mod,
    guildId: opts.guildId,
    subcommand: opts.subcommand,
    memberPermissions: opts.manage === false ? PERMS.basic : MANAGE,
  });
  return fake.waitForReply(ix, { timeoutMs: 60_000 });
}
const collection = (sub: string, guildId: string, options: Parameters<typeof run>[1] = {}) =>
  run('collection', options, { guildId, subcommand: sub });
const file = async (name: string) => ({ filename: name, content: await readFile(join(C, name)) });

beforeAll(async () => {
  root = await tempDir('quotebot-guilds-');
  const corpus = join(root, 'corpus');
  await cp(SEEDS, corpus, { recursive: true });
  ({ fake, guildsDir } = harness = await guildBot({
    root,
    corpus,
    log,
    limits: { maxDocs: 3, maxBytes: 10 * 1024, editsPerHour: 12 },
  }));
  A = fake.guildId;
  B = fake.snowflake();
}, 180_000);

afterAll(async () => {
  await harness?.close();
  await rm(root, { recursive: true, force: true });
});

describe('what one server adds is its own', () => {
  let answerInA: FakeMessage;

  test('server A’s upload is answered in A, marked as A’s own', async () => {
    const added = await collection('add', A, { file: await file('c2_chariot_burial.txt') });
    expect(added.original!.flags).toBe(EPHEMERAL);
    expect(added.original!.content).toMatch(/^Added `c2_chariot_burial\.txt` .* answerable in this server now/);
    expect(events('source_added').at(-1)).toMatchObject({ guild: A, by: mod.id, doc: 'c2_chariot_burial.txt' });
    const a = await ask(CHARIOT, A);
    answerInA = a.original!;
    expect(description(answerInA)).toContain('2,300 years old');
    expect(description(answerInA)).toContain("`c2_chariot_burial.txt` · this server's own");
    expect(sourcesId(answerInA)).toMatch(/^src2:/);
  });

  test('B never quotes, lists, finds or offers it', async () => {
    expect(everything(await ask(CHARIOT, B))).not.toContain('c2_chariot');
    const list = await run('sources', {}, { guildId: B, manage: false });
    expect(everything(list)).not.toContain('c2_chariot');
    expect((list.original!.embeds[0] as { title: string }).title).toBe('The collection: 5 documents');
    const card = await run('sources', { doc: 'c2_chariot_burial.txt' }, { guildId: B, manage: false });
    expect(card.original!.content).toMatch(/^No document matches/);
    const lookup = await run('sources', { query: 'chariot grave Yorkshire' }, { guildId: B, manage: false });
    expect(everything(lookup)).not.toContain('c2_chariot');
    for (const [name, sub] of [
      ['sources', undefined],
      ['collection', 'remove'],
    ] as const) {
      const auto = fake.sendAutocomplete(name, { doc: 'chariot' }, 'doc', {
        user: mod,
        guildId: B,
        subcommand: sub,
        memberPermissions: MANAGE,
      });
      await fake.waitForReply(auto);
      expect(auto.choices).toEqual([]);
    }
  });

  test('B’s moderator cannot remove it: B has no such document; A still answers from it', async () => {
    const removed = await collection('remove', B, { doc: 'c2_chariot_burial.txt' });
    expect(removed.original!.content).toBe("No document named “c2_chariot_burial.txt” in this server's collection.");
    expect(await filesOf(A)).toContain('c2_chariot_burial.txt');
    expect(description((await ask(CHARIOT, A)).original!)).toContain('2,300 years old');
  });

  test('A’s Sources button shows nothing in B, whether clicked there or forged for B', async () => {
    const id = sourcesId(answerInA)!;
    const there = fake.sendButton(id, answerInA, { user: user(), guildId: B });
    await fake.waitForReply(there);
    expect(there.original!.content).toBe('These sources belong to an answer in another server.');
    expect(everything(there)).not.toContain('2,300');
    const forged = id.replace(/^src2:[0-9a-z]+:/, `src2:${BigInt(B).toString(36)}:`);
    const f = fake.sendButton(forged, answerInA, { user: user(), guildId: B });
    await fake.waitForReply(f);
    expect(f.original!.content).toMatch(/^These sources could not be found any more/);
    expect(everything(f)).not.toContain('2,300');
    // In A itself the button works.
    const mine = fake.sendButton(id, answerInA, { user: user() });
    await fake.waitForReply(mine);
    expect(description(mine.original!)).toContain('2,300');
  });
});

describe('the base is the operator’s', () => {
  test('a server cannot remove or replace a base document; every server still quotes it verbatim', async () => {
    const base = await readFile(join(SEEDS, BASE_DOC), 'utf8');
    const removed = await collection('remove', A, { doc: BASE_DOC });
    expect(removed.original!.content).toMatch(/^`003_119197242061bba3\.txt` is in the bot's base collection/);
    const replaced = await collection('add', A, {
      file: { filename: BASE_DOC, content: 'Lavrov demanded nothing at all, the forged text says.\n\nNothing.' },
      replace: true,
    });
    expect(replaced.original!.content).toMatch(/^`003_119197242061bba3\.txt` is in the bot's base collection/);
    expect(events('collection_edit_refused').filter((e) => e.reason === 'base').length).toBeGreaterThanOrEqual(2);
    for (const g of [A, B, null]) {
      const a = await ask(LAVROV, g);
      expect(description(a.original!)).toContain('precise, hard guarantees');
      expect(description(a.original!)).toContain(BASE_DOC);
    }
    expect(await readFile(join(root, 'corpus', BASE_DOC), 'utf8')).toBe(base);
  });

  test('a server’s own document of a base document’s name is its own: B’s citations and Sources keep the base text', async () => {
    const own = await collection('add', A, {
      file: { filename: BASE_DOC, content: NOTE(1) },
      title: 'A harbour note',
    });
    expect(own.original!.content).toMatch(/^Added `003_119197242061bba3\.txt`/);
    const inB = await ask(LAVROV, B);
    const src = fake.sendButton(sourcesId(inB.original!)!, inB.original!, { user: user() });
    await fake.waitForReply(src);
    expect(everything(src)).toContain('precise, hard guarantees');
    expect(everything(src)).not.toContain('harbour');
    // In A both are there, each in its own collection.
    const cardA = await run('sources', {}, { guildId: A, manage: false });
    expect(everything(cardA)).toContain('A harbour note');
    const remove = await collection('remove', A, { doc: BASE_DOC });
    expect(remove.original!.content).toMatch(/^Removed `003_119197242061bba3\.txt` from this server's collection/);
    expect(await readFile(join(root, 'corpus', BASE_DOC), 'utf8')).toContain('precise, hard guarantees');
  });
});

describe('DMs and settings', () => {
  test('a DM answers from the base alone, lists it, and has no /collection', async () => {
    expect(everything(await ask(CHARIOT, null))).not.toContain('c2_chariot');
    const list = await run('sources', {}, { guildId: null, manage: false });
    expect((list.original!.embeds[0] as { title: string }).title).toBe('The collection: 5 documents');
    const dm = await run('collection', { base: false }, { guildId: null, subcommand: 'settings' });
    expect(dm.original!.content).toMatch(/works in a server/);
  });

  test('B hides the base: B answers from its own documents only; A and DMs are unchanged', async () => {
    const hidden = await collection('settings', B, { base: false });
    expect(hidden.original!.content).toMatch(/^Saved\. The bot's base collection is hidden in this server/);
    expect(events('collection_settings').at(-1)).toMatchObject({ guild: B, base: false, by: mod.id });
    const refused = await ask(LAVROV, B);
    expect(everything(refused)).not.toContain('precise, hard guarantees');
    const empty = await run('sources', {}, { guildId: B, manage: false });
    expect(empty.original!.content).toBe('The collection is empty.');
    expect(description((await ask(LAVROV, A)).original!)).toContain('precise, hard guarantees');
    expect(description((await ask(LAVROV, null)).original!)).toContain('precise, hard guarantees');
    const shown = await collection('settings', B, { base: true });
    expect(shown.original!.content).toMatch(/^Saved\. The bot's base collection \(5 documents\) is answered/);
    expect(description((await ask(LAVROV, B)).original!)).toContain('precise, hard guarantees');
  });

  test('a member without Manage Server is refused on every use, in any server', async () => {
    for (const g of [A, B]) {
      const ix = await run(
        'collection',
        { file: await file('c3_wildfire_budget.txt') },
        {
          guildId: g,
          subcommand: 'add',
          manage: false,
        },
      );
      expect(ix.original!.content).toMatch(/Manage Server/);
    }
    expect(await filesOf(B)).toEqual([]);
  });
});

describe('quotas per server', () => {
  test('past its documents or megabytes a server is refused with one line, nothing written; another server is not', async () => {
    // A holds c2 (3.8 KB); c1 fits, c3 would take it past 10 KB.
    expect((await collection('add', A, { file: await file('c1_airline_strike.txt') })).original!.content).toMatch(
      /^Added/,
    );
    const big = await collection('add', A, { file: await file('c3_wildfire_budget.txt') });
    expect(big.original!.content).toMatch(/^This server's collection would take 12 KB, over its limit of 10 KB/);
    expect(big.original!.content.split('\n')).toHaveLength(1);
    expect(await filesOf(A)).toEqual(['c1_airline_strike.txt', 'c2_chariot_burial.txt', 'sources.json']);
    for (const n of [1, 2, 3])
      expect(
        (await collection('add', B, { file: { filename: `note${n}.txt`, content: NOTE(n) } })).original!.content,
      ).toMatch(/^Added/);
    const fourth = await collection('add', B, { file: { filename: 'note4.txt', content: NOTE(4) } });
    expect(fourth.original!.content).toBe(
      "This server's collection already has 3 documents, the most it can hold: remove one first.",
    );
    expect(await filesOf(B)).toEqual(['note1.txt', 'note2.txt', 'note3.txt']);
  });

  test('edits per hour are counted per server', async () => {
    const C3 = fake.snowflake();
    const replies: string[] = [];
    for (let k = 0; k < 13; k++)
      replies.push((await collection('settings', C3, { base: k % 2 === 1 })).original!.content);
    expect(replies.slice(0, 12).every((r) => r.startsWith('Saved.'))).toBe(true);
    expect(replies[12]).toMatch(
      /^This server has made 12 changes to its collection in the last hour, the most allowed/,
    );
    // Another server is not held back by it.
    expect((await collection('settings', A, { base: false })).original!.content).toMatch(/^Saved\./);
    expect((await collection('settings', A, { base: true })).original!.content).toMatch(/^Saved\./);
  });

  test('nothing sent could ping or break a limit', () => {
    expect(fake.violations).toEqual([]);
  });
});
