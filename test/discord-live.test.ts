/**
 * A living collection through the fake Discord and the REAL engine: files added while the bot
 * runs (by a moderator's upload into the server's own collection, or copied into the base folder)
 * are answered within seconds without a restart; a removed one is never cited again; members
 * without Manage Server, paths and oversized files are refused with nothing written; a base
 * document cannot be removed from a server; 👍 / 👎 votes (one per member, the last one counts)
 * survive a restart, and 200 at once lose none.
 */
import { copyFile, mkdir, readdir, readFile, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PermissionFlagsBits } from 'discord.js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startBot, type Bot } from '../src/discord/client.js';
import { memoryLogger } from '../src/core/log.js';
import { jsonlFeedbackStore } from '../src/feedback/jsonl.js';
import type { FeedbackStore } from '../src/feedback/store.js';
import { openLiveCollection, type LiveEngine } from '../src/live/live.js';
import { EPHEMERAL, FakeDiscord, PERMS, type FakeInteraction, type FakeMessage } from './harness/fake-discord.js';
import { REPO, tempDir } from './helpers/tmp-collection.js';
import { testGuilds } from './helpers/guilds.js';
import type { FullEngine } from '../src/engine/create.js';
import type { GuildWriter } from '../src/live/guild-writer.js';
import { type EngineOptions } from '../src/engine/options.js';
import { openEngine } from '../src/engine/open.js';

const C = join(REPO, 'test', 'fixtures', 'collection-c');
const MANAGE = PERMS.basic | PermissionFlagsBits.ManageGuild;
const MAX = 64 * 1024;

let root: string;
let corpus: string;
let fake: FakeDiscord;
let bot: Bot;
let live: { engine: LiveEngine<FullEngine>; close(): void };
let guildsDir: string;
let writer: GuildWriter | undefined;
let feedback: FeedbackStore;
let engineOpts: EngineOptions;
const log = memoryLogger('info');
let seq = 400000000000000000n;
const user = () => ({ id: String(++seq), username: `member${seq % 1000n}` });

const events = (name: string) =>
  log.lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((e) => e.event === name);
/** The server's own files (none before its first upload). */
const listing = async () => (await readdir(join(guildsDir, fake.guildId, 'docs')).catch(() => [] as string[])).sort();
const description = (m: FakeMessage) =>
  String((m.embeds[0] as { description?: string } | undefined)?.description ?? '');
const labels = (m: FakeMessage) =>
  (m.components as { components: { label: string; custom_id: string }[] }[]).flatMap((r) => r.components);

async function ask(question: string): Promise<FakeInteraction> {
  const ix = fake.sendCommand('ask', { question }, { user: user() });
  return fake.waitForReply(ix, { followUps: 0 });
}

async function startTheBot(): Promise<void> {
  feedback = jsonlFeedbackStore(join(root, 'feedback.jsonl'));
  const opened = testGuilds(live.engine, { guildsDir, log, limits: { uploadMaxBytes: MAX } });
  await writer?.close();
  writer = opened.writer;
  bot = await startBot({
    token: fake.token,
    engine: live.engine,
    restUrl: fake.restUrl,
    log,
    feedback,
    guilds: opened.guilds,
  });
}

beforeAll(async () => {
  root = await tempDir('quotebot-live-');
  corpus = join(root, 'corpus');
  guildsDir = join(root, 'guilds');
  await mkdir(corpus);
  for (const f of ['c1_airline_strike.txt', 'c4_chess_upset.txt']) await copyFile(join(C, f), join(corpus, f));
  engineOpts = { corpusDir: corpus, indexDir: join(root, 'index'), embedder: 'use-lite' };
  live = openLiveCollection(await openEngine(engineOpts), engineOpts, { log, debounceMs: 150 });
  fake = await FakeDiscord.start();
  await startTheBot();
});
afterAll(async () => {
  live?.close();
  await bot?.stop(2000);
  await writer?.close();
  await feedback?.close();
  await fake?.close();
  await rm(root, { recursive: true, force: true });
});

describe('/collection add and remove', () => {
  const chariot = () => readFile(join(C, 'c2_chariot_burial.txt'));

  test('a member without Manage Server is refused, ephemerally, and nothing is downloaded or written', async () => {
    const before = await listing();
    const ix = fake.sendCommand(
      'collection',
      { file: { filename: 'c2.txt', content: await chariot() } },
      { subcommand: 'add', user: user(), memberPermissions: PERMS.withPin },
    );
    await fake.waitForReply(ix);
    expect(ix.original!.flags).toBe(EPHEMERAL);
    expect(ix.original!.content).toMatch(/Manage Server/);
    expect([...fake.attachments.values()].every((a) => a.downloads === 0)).toBe(true);
    const rm1 = fake.sendCommand(
      'collection',
      { doc: 'c1_airline_strike.txt' },
      { subcommand: 'remove', user: user() },
    );
    await fake.waitForReply(rm1);
    expect(rm1.original!.content).toMatch(/Manage Server/);
    expect(await listing()).toEqual(before);
  });

  test('a path, a declared 50 MB file and a file bigger than it says are refused with a clear line; nothing written', async () => {
    const before = await listing();
    const cases = [
      {
        file: { filename: '../../etc/passwd', content: 'root:x:0:0' },
        why: /is a path, not a file name/,
        downloads: 0,
      },
      {
        file: { filename: 'big.txt', content: 'tiny', size: 50 * 1024 * 1024 },
        why: /big\.txt is 50 MB; the limit is 64 KB/,
        downloads: 0,
      },
      {
        file: { filename: 'liar.txt', content: 'word '.repeat(40_000), size: 1000 },
        why: /larger than the limit of 64 KB/,
        downloads: 1,
      },
      {
        file: { filename: 'notes.exe', content: 'MZ' },
        why: /Only \.txt, \.md, \.html, \.htm, \.pdf files/,
        downloads: 0,
      },
    ];
    for (const c of cases) {
      const ix = fake.sendCommand(
        'collection',
        { file: c.file },
        { subcommand: 'add', user: user(), memberPermissions: MANAGE },
      );
      await fake.waitForReply(ix);
      const reply = ix.original!.content;
      expect(ix.original!.flags).toBe(EPHEMERAL);
      expect(reply, c.file.filename).toMatch(c.why);
      expect(reply.split('\n')).toHaveLength(1);
      const id = [...fake.attachments.entries()].find(([, a]) => a.filename === c.file.filename)![0];
      expect(fake.attachments.get(id)!.downloads, c.file.filename).toBe(c.downloads);
    }
    expect(await listing()).toEqual(before);
    expect(await readdir('/etc')).toContain('passwd'); // untouched, of course
  });

  test('an uploaded file is indexed before the reply, which says so; the next /ask quotes it as the server’s own', async () => {
    const t0 = Date.now();
    const ix = fake.sendCommand(
      'collection',
      {
        file: { filename: 'chariot burial.txt', content: await chariot() },
        title: 'Iron Age chariot found',
        url: 'https://example.org/chariot',
      },
      { subcommand: 'add', user: { id: '400000000000000777', username: 'mod' }, memberPermissions: MANAGE },
    );
    await fake.waitForReply(ix, { timeoutMs: 60_000 });
    expect(ix.original!.flags).toBe(EPHEMERAL);
    expect(ix.original!.content).toMatch(
      /^Added `chariot burial\.txt` \(\d+ KB, \d+ passages\): it is indexed and answerable in this server now\. Try \/ask\.$/,
    );
    const added = events('source_added');
    expect(added.at(-1)).toMatchObject({
      doc: 'chariot burial.txt',
      guild: fake.guildId,
      by: '400000000000000777',
      by_name: 'mod',
      outcome: 'added',
    });
    expect(await listing()).toEqual(['chariot burial.txt', 'sources.json']);
    const a = await ask('Roughly how old is the chariot grave found in Yorkshire?');
    expect(description(a.original!)).toContain('2,300 years old');
    expect(description(a.original!)).toContain("`chariot burial.txt` · this server's own");
    process.stderr.write(`[live] upload → cited answer in ${Date.now() - t0} ms\n`);
    // The server's index was built from its own folder (the base was not rebuilt).
    expect(events('guild_reindexed').at(-1)).toMatchObject({ guild: fake.guildId, docs: 1 });
    expect(await readdir(corpus)).not.toContain('chariot burial.txt');
  });

  test('a file copied into the folder while running is answered within seconds, without a restart', async () => {
    const t0 = Date.now();
    await copyFile(join(C, 'c3_wildfire_budget.txt'), join(corpus, 'c3_wildfire_budget.txt'));
    let cited = false;
    while (!cited && Date.now() - t0 < 30_000) {
      await new Promise((r) => setTimeout(r, 250));
      cited = (await live.engine.ask('How much damage did the Cedar Ridge fire cause?')).citations.some(
        (c) => c.doc === 'c3_wildfire_budget.txt',
      );
    }
    expect(cited).toBe(true);
    process.stderr.write(`[live] copied file → cited in ${Date.now() - t0} ms\n`);
    const a = await ask('How much damage did the Cedar Ridge fire cause?');
    expect(description(a.original!)).toContain('destroyed 340 homes');
  });

  test('a removed document (picked by autocomplete) is never cited again; a base document cannot be removed', async () => {
    const auto = fake.sendAutocomplete('collection', { doc: 'chariot' }, 'doc', {
      subcommand: 'remove',
      user: user(),
      memberPermissions: MANAGE,
    });
    await fake.waitForReply(auto);
    const choice = auto.choices!.find((c) => c.value === 'chariot burial.txt');
    expect(choice).toBeDefined();
    // Only the server's own documents are offered.
    const all = fake.sendAutocomplete('collection', { doc: '' }, 'doc', {
      subcommand: 'remove',
      user: user(),
      memberPermissions: MANAGE,
    });
    await fake.waitForReply(all);
    expect(all.choices!.map((c) => c.value)).toEqual(['chariot burial.txt']);
    const before = await ask('Roughly how old is the chariot grave found in Yorkshire?');
    expect(description(before.original!)).toContain('chariot burial.txt');

    const base = fake.sendCommand(
      'collection',
      { doc: 'c4_chess_upset.txt' },
      { subcommand: 'remove', user: user(), memberPermissions: MANAGE },
    );
    await fake.waitForReply(base);
    expect(base.original!.content).toMatch(/^`c4_chess_upset\.txt` is in the bot's base collection, which only/);
    expect(base.original!.content.split('\n')).toHaveLength(1);
    expect(await readdir(corpus)).toContain('c4_chess_upset.txt');

    const ix = fake.sendCommand(
      'collection',
      { doc: String(choice!.value) },
      { subcommand: 'remove', user: { id: '400000000000000778', username: 'mod2' }, memberPermissions: MANAGE },
    );
    await fake.waitForReply(ix, { timeoutMs: 60_000 });
    expect(ix.original!.flags).toBe(EPHEMERAL);
    expect(ix.original!.content).toBe(
      "Removed `chariot burial.txt` from this server's collection: it will not be cited any more.",
    );
    expect(events('source_removed').at(-1)).toMatchObject({
      doc: 'chariot burial.txt',
      guild: fake.guildId,
      by: '400000000000000778',
    });
    expect(await listing()).not.toContain('chariot burial.txt');
    for (const q of ['Roughly how old is the chariot grave found in Yorkshire?', 'Where was the chariot found?']) {
      const a = await ask(q);
      const all = JSON.stringify([a.original, ...a.followUps]);
      expect(all).not.toContain('chariot burial');
    }
    // /sources lists what is left.
    const list = fake.sendCommand('sources', {}, { user: user() });
    await fake.waitForReply(list);
    expect((list.original!.embeds[0] as { title: string }).title).toBe('The collection: 3 documents');
    expect(JSON.stringify(list.original!.embeds)).not.toContain('chariot burial');
    // The Sources button of the answer given before the removal no longer shows it.
    const src = fake.sendButton(
      labels(before.original!).find((b) => b.label === 'Sources')!.custom_id,
      before.original!,
      { user: user() },
    );
    await fake.waitForReply(src);
    expect(JSON.stringify(src.original)).not.toContain('chariot burial');
  });

  test('a title changed in sources.json is picked up without a restart (metadata alone forces a rebuild)', async () => {
    const file = join(corpus, 'sources.json');
    const sources = JSON.parse(await readFile(file, 'utf8').catch(() => '{}')) as Record<string, { title?: string }>;
    await writeFile(
      file,
      JSON.stringify({ ...sources, 'c1_airline_strike.txt': { title: 'Pilots strike at Harbor Skies' } }),
    );
    const t0 = Date.now();
    while (
      live.engine.document('c1_airline_strike.txt')?.title !== 'Pilots strike at Harbor Skies' &&
      Date.now() - t0 < 20_000
    ) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const card = fake.sendCommand('sources', { doc: 'c1_airline_strike.txt' }, { user: user() });
    await fake.waitForReply(card);
    expect((card.original!.embeds[0] as { title: string }).title).toBe('Pilots strike at Harbor Skies');
  });

  test('a broken file never stops the bot: it is skipped with one logged line naming it, the rest answers', async () => {
    const before = events('reindexed').length;
    await symlink(join(root, 'nowhere.txt'), join(corpus, 'broken.txt'));
    const t0 = Date.now();
    while (events('reindexed').length === before && Date.now() - t0 < 20_000)
      await new Promise((r) => setTimeout(r, 100));
    expect(events('reindexed').at(-1)!.skipped).toBe('Skipped broken.txt: it cannot be read.');
    const a = await ask('How much damage did the Cedar Ridge fire cause?');
    expect(description(a.original!)).toContain('destroyed 340 homes');
    await unlink(join(corpus, 'broken.txt'));
  });
});

describe('👍 / 👎', () => {
  let answer: FakeMessage;
  let answerId: string;

  test('every public answer has Sources, Pin, 👍 and 👎; a private one has no votes', async () => {
    const ix = await ask('How many flights were scrapped when the Harbor Skies pilots walked off the job?');
    answer = ix.original!;
    const buttons = labels(answer);
    expect(buttons.map((b) => b.label)).toEqual(['Sources', 'Pin', '👍', '👎', 'Follow up']);
    answerId = /^fb1:([0-9a-z]{10}):u$/.exec(buttons[2]!.custom_id)![1]!;
    const priv = fake.sendCommand(
      'ask',
      { question: 'What pay increase does the pilots union want?', private: true },
      { user: user() },
    );
    await fake.waitForReply(priv, { followUps: 0 });
    expect(labels(priv.original!).map((b) => b.label)).toEqual(['Sources', 'Post to channel', 'Follow up']);
    // The answer's record: the question and the cited spans, no other content.
    const log = await feedback.read();
    const rec = log.answers.find((a) => a.id === answerId)!;
    expect(rec.question).toBe('How many flights were scrapped when the Harbor Skies pilots walked off the job?');
    expect(rec.cited.length).toBeGreaterThanOrEqual(1);
    expect(rec.guild).toBe(fake.guildId);
    expect(JSON.stringify(rec)).not.toContain('143 flights');
  });

  test('one vote per member: a second click changes it; 200 members at once lose none', async () => {
    const id = (v: 'u' | 'd') => `fb1:${answerId}:${v}`;
    const voter = user();
    const first = fake.sendButton(id('u'), answer, { user: voter });
    await fake.waitForReply(first);
    expect(first.original!.flags).toBe(EPHEMERAL);
    expect(first.original!.content).toMatch(/your 👍 on this answer is recorded/);
    const second = fake.sendButton(id('d'), answer, { user: voter });
    await fake.waitForReply(second);
    expect(second.original!.content).toMatch(/your 👎 on this answer is recorded/);

    const clicks = Array.from({ length: 200 }, (_, k) =>
      fake.sendButton(id(k % 5 === 0 ? 'd' : 'u'), answer, { user: user() }),
    );
    await Promise.all(clicks.map((c) => fake.waitForReply(c, { timeoutMs: 60_000 })));
    expect(clicks.every((c) => /is recorded/.test(c.original!.content))).toBe(true);
    const votes = (await feedback.read()).votes.filter((v) => v.answer === answerId);
    expect(votes).toHaveLength(201);
    expect(votes.filter((v) => v.vote === 'down')).toHaveLength(41);
    expect(JSON.stringify(votes)).not.toContain(voter.id);
  });

  test('votes survive a restart, and the buttons of an old answer still work', async () => {
    await bot.stop(2000);
    await feedback.close();
    await startTheBot();
    const votes = (await feedback.read()).votes.filter((v) => v.answer === answerId);
    expect(votes).toHaveLength(201);
    const after = fake.sendButton(`fb1:${answerId}:u`, answer, { user: user() });
    await fake.waitForReply(after);
    expect(after.original!.content).toMatch(/is recorded/);
    expect((await feedback.read()).votes.filter((v) => v.answer === answerId)).toHaveLength(202);
  });

  test('a member clicking in a loop is slowed down after 20 votes a minute, without writing more', async () => {
    const clicker = user();
    const lines = async () => (await readFile(join(root, 'feedback.jsonl'), 'utf8')).split('\n').length;
    const before = await lines();
    const replies: string[] = [];
    for (let k = 0; k < 21; k++) {
      const ix = fake.sendButton(`fb1:${answerId}:${k % 2 ? 'd' : 'u'}`, answer, { user: clicker });
      await fake.waitForReply(ix);
      replies.push(ix.original!.content);
    }
    expect(replies.slice(0, 20).every((r) => /is recorded/.test(r))).toBe(true);
    expect(replies[20]).toMatch(/please wait a moment/);
    expect((await lines()) - before).toBe(20);
  });

  test('nothing sent could ping or break a limit', () => {
    expect(fake.violations).toEqual([]);
    for (const r of fake.requests) {
      const body = r.body as
        | {
            content?: string;
            embeds?: unknown;
            allowed_mentions?: unknown;
            data?: { allowed_mentions?: unknown; content?: string; embeds?: unknown };
          }
        | undefined;
      const hasMessage =
        body &&
        (body.content !== undefined ||
          body.embeds !== undefined ||
          body.data?.content !== undefined ||
          body.data?.embeds !== undefined);
      if (hasMessage) expect(body.allowed_mentions ?? body.data?.allowed_mentions, r.path).toEqual({ parse: [] });
    }
  });
});
