/**
 * Shards on local files (issues 11 and 12): the process that starts the shards is the one writer
 * of the index (it watches the collection); shard processes never write it, follow its new
 * generations without a restart, and `/sources add|remove` through one shard replies once that
 * shard answers from a generation with the change, and the other shard follows within seconds.
 * First the follower and the writer in one process, then the REAL bot (`node dist/scripts/start.js`,
 * SHARDS=2) against the fake Discord.
 */
import { copyFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PermissionFlagsBits } from 'discord.js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startBotProcess, type BotProcess } from './harness/bot-process.js';
import { collectionEditor } from '../src/live/collection.js';
import { memoryLogger } from '../src/core/log.js';
import { addSource } from '../src/message/edit.js';
import { workerBuilder } from '../src/live/build-worker.js';
import { followerCollection, indexWriter } from '../src/live/live.js';
import { FakeDiscord, PERMS, type FakeInteraction } from './harness/fake-discord.js';
import { assertDistBuilt } from './helpers/run-cli.js';
import { REPO, tempDir } from './helpers/tmp-collection.js';
import { type SharedEngine } from '../src/engine/shared.js';
import { openEngine } from '../src/engine/open.js';

const C = join(REPO, 'test', 'fixtures', 'collection-c');
const MANAGE = PERMS.basic | PermissionFlagsBits.ManageGuild;
const FIRE = 'How much damage did the Cedar Ridge fire cause?';
const CHARIOT = 'Roughly how old is the chariot grave found in Yorkshire?';
const NORO = 'By how much did the experimental norovirus vaccine cut illness?';
const CHESS = "What was the winner's prize money?";

async function seed(root: string, files: string[]): Promise<string> {
  const corpus = join(root, 'corpus');
  await mkdir(corpus, { recursive: true });
  for (const f of files) await copyFile(join(C, f), join(corpus, f));
  return corpus;
}

describe('a follower and the writer, in one process', () => {
  let root: string;
  beforeAll(async () => {
    root = await tempDir('quotebot-follow-');
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  test('a follower never writes; after an edit it waits for the writer’s generation, learns of a failed build at once, and times out with a clear line without a writer', async () => {
    const corpus = await seed(root, ['c1_airline_strike.txt', 'c4_chess_upset.txt']);
    const indexDir = join(root, 'index');
    const log = memoryLogger('info');
    // The writer's first build; then a read-only engine, as a shard opens it.
    const opts = { corpusDir: corpus, indexDir, embedder: 'use-lite', pollMs: 60_000 };
    const built = await openEngine(opts);
    const wait = { waitMs: 1500 };
    const follower = followerCollection(
      (await openEngine({ ...opts, readOnly: true })) as SharedEngine,
      { corpusDir: corpus, indexDir },
      wait,
    );
    const editor = collectionEditor(corpus, 1 << 20);
    try {
      // No writer running: the upload is written, the reply says it is not answerable yet.
      const r = await addSource(
        follower.engine,
        { editor, refresh: follower.engine.refresh },
        {
          filename: 'c3_wildfire_budget.txt',
          bytes: new Uint8Array(await readFile(join(C, 'c3_wildfire_budget.txt'))),
        },
      );
      expect(r.outcome).toBe('add_unindexed');
      expect(r.text).toMatch(/index was not updated within 2 s/);
      expect(r.text.split('\n')).toHaveLength(1);
      expect(follower.engine.document('c3_wildfire_budget.txt')).toBeUndefined();

      // The writer starts (it picks up what changed), and the follower's next wait succeeds.
      const writer = indexWriter({ corpusDir: corpus, indexDir, modelDir: undefined }, built.embedderId, {
        log,
        debounceMs: 100,
      });
      try {
        await writeFile(
          join(corpus, 'note.txt'),
          'Harbour news\n\nThe harbour board met on Friday and agreed to repaint the lighthouse before the winter storms arrive.\n',
        );
        const t0 = Date.now();
        wait.waitMs = 60_000;
        const waited = await follower.engine.refresh();
        expect(waited).toMatchObject({ ok: true });
        expect(follower.engine.document('c3_wildfire_budget.txt')).toBeDefined();
        expect(follower.engine.document('note.txt')).toBeDefined();
        process.stderr.write(`[shards] in-process: written → follower answers in ${Date.now() - t0} ms\n`);
        expect((await follower.engine.ask(FIRE)).citations.some((c) => c.doc === 'c3_wildfire_budget.txt')).toBe(true);
        expect(log.lines.some((l) => l.includes('"reindexed"'))).toBe(true);

        // A build that fails as a whole is told to the waiting follower at once, with its reason.
        await writeFile(join(corpus, 'sources.json'), '{ "note.txt": ');
        await writeFile(
          join(corpus, 'late.txt'),
          'Late news\n\nThe ferry timetable changes on Monday, the operator said, with two extra crossings every evening.\n',
        );
        const t1 = Date.now();
        const failed = await follower.engine.refresh();
        // The follower's moderator is told an error id; the writer's log line with that id has the reason.
        expect(failed).toMatchObject({
          ok: false,
          error: expect.stringMatching(/^error [0-9a-f]{8}: the details are in the bot's log$/),
        });
        const id = !failed.ok && failed.error.slice('error '.length, 'error '.length + 8);
        const logged = log.lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.error_id === id);
        expect(logged).toMatchObject({ event: 'reindex_failed', error: 'sources.json is not valid JSON.' });
        expect(Date.now() - t1).toBeLessThan(30_000);
        expect(follower.engine.document('late.txt')).toBeUndefined();
        await rm(join(corpus, 'sources.json'));
      } finally {
        await writer.close();
      }
    } finally {
      await follower.close();
    }
  }, 120_000);
});

test('closing the build worker during a build stops the build cleanly: the previous generation stays, no lock is left', async () => {
  const root = await tempDir('quotebot-cancel-');
  try {
    const corpus = await seed(root, ['c1_airline_strike.txt', 'c4_chess_upset.txt']);
    const indexDir = join(root, 'index');
    await openEngine({ corpusDir: corpus, indexDir, embedder: 'use-lite' });
    const before = await readFile(join(indexDir, 'current.json'), 'utf8');
    await copyFile(join(C, 'c5_norovirus_vaccine.txt'), join(corpus, 'c5_norovirus_vaccine.txt'));
    const worker = workerBuilder();
    const build = worker.build({ corpusDir: corpus, indexDir, embedder: 'use-lite' }).then(
      () => 'built',
      (err: Error) => err.message,
    );
    // Terminating a worker inside onnxruntime or hnswlib would abort this very process.
    await worker.close(30_000);
    expect(await build).toMatch(/the build was stopped/);
    expect(await readFile(join(indexDir, 'current.json'), 'utf8')).toBe(before);
    expect((await readdir(indexDir)).filter((n) => !n.startsWith('gen-'))).toEqual(['current.json']);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}, 120_000);

describe('SHARDS=2 on local files: real processes', () => {
  let root: string;
  let corpus: string;
  let fake: FakeDiscord;
  let bot: BotProcess;
  let seq = 500000000000000000n;
  const user = () => ({ id: String(++seq), username: `member${seq % 1000n}` });
  const description = (ix: FakeInteraction) =>
    String((ix.original?.embeds[0] as { description?: string } | undefined)?.description ?? '');

  async function ask(shard: number, question: string): Promise<FakeInteraction> {
    return fake.waitForReply(fake.sendCommand('ask', { question }, { user: user(), shard }), { timeoutMs: 30_000 });
  }
  /** Ms until `shard` cites `doc` (or stops citing it, `present` false) for `question`. */
  async function until(
    shard: number,
    question: string,
    doc: string,
    present: boolean,
    t0: number,
    limitMs = 30_000,
  ): Promise<number> {
    for (;;) {
      const cites = description(await ask(shard, question)).includes(doc);
      if (cites === present) return Date.now() - t0;
      if (Date.now() - t0 > limitMs)
        throw new Error(`shard ${shard}: ${doc} still ${present ? 'not cited' : 'cited'} after ${limitMs} ms`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  beforeAll(async () => {
    assertDistBuilt(['start']);
    root = await tempDir('quotebot-shards-');
    corpus = await seed(root, ['c1_airline_strike.txt', 'c4_chess_upset.txt']);
    fake = await FakeDiscord.start();
    bot = await startBotProcess({ fake, corpusDir: corpus, indexDir: join(root, 'index'), env: { SHARDS: '2' } });
    await fake.waitForShards(2, 120_000);
    while (bot.logLines().filter((l) => l.event === 'ready').length < 2 && bot.exitCode() === undefined)
      await new Promise((r) => setTimeout(r, 50));
  }, 240_000);
  afterAll(async () => {
    await bot?.stop(20_000);
    await fake?.close();
    await rm(root, { recursive: true, force: true });
  });

  test('a file copied into the collection becomes answerable in both shards within seconds', async () => {
    expect(description(await ask(0, FIRE))).not.toContain('c3_wildfire_budget.txt');
    const t0 = Date.now();
    await copyFile(join(C, 'c3_wildfire_budget.txt'), join(corpus, 'c3_wildfire_budget.txt'));
    const [a, b] = await Promise.all([
      until(0, FIRE, 'c3_wildfire_budget.txt', true, t0),
      until(1, FIRE, 'c3_wildfire_budget.txt', true, t0),
    ]);
    process.stderr.write(`[shards] copied file → answerable: shard 0 ${a} ms, shard 1 ${b} ms\n`);
    expect(Math.max(a, b)).toBeLessThan(20_000);
  }, 60_000);

  test('/collection add through shard 0 replies once shard 0 answers it; shard 1 follows', async () => {
    const t0 = Date.now();
    const ix = fake.sendCommand(
      'collection',
      { file: { filename: 'chariot.txt', content: await readFile(join(C, 'c2_chariot_burial.txt')) } },
      { subcommand: 'add', user: user(), memberPermissions: MANAGE, shard: 0 },
    );
    await fake.waitForReply(ix, { timeoutMs: 60_000 });
    expect(ix.original!.content).toMatch(
      /^Added `chariot\.txt` \(\d+ KB, \d+ passages\): it is indexed and answerable in this server now\./,
    );
    const replied = Date.now() - t0;
    // Shard 0 answers from it at once; shard 1 within seconds.
    expect(description(await ask(0, CHARIOT))).toContain('chariot.txt');
    const b = await until(1, CHARIOT, 'chariot.txt', true, t0);
    process.stderr.write(`[shards] /collection add on shard 0 → reply ${replied} ms; shard 1 answers at ${b} ms\n`);
    // The shards never built it themselves: the writer (the first process) did, from the server's folder.
    expect(bot.logLines().filter((l) => l.event === 'guild_reindexed' && l.guild === fake.guildId)).toHaveLength(1);
  }, 90_000);

  test('/collection remove through shard 1: never cited by shard 1 after the reply, nor by shard 0 soon after', async () => {
    const t0 = Date.now();
    const ix = fake.sendCommand(
      'collection',
      { doc: 'chariot.txt' },
      { subcommand: 'remove', user: user(), memberPermissions: MANAGE, shard: 1 },
    );
    await fake.waitForReply(ix, { timeoutMs: 60_000 });
    expect(ix.original!.content).toBe(
      "Removed `chariot.txt` from this server's collection: it will not be cited any more.",
    );
    expect(JSON.stringify((await ask(1, CHARIOT)).original)).not.toContain('chariot.txt');
    const replied = Date.now() - t0;
    const a = await until(0, CHARIOT, 'chariot.txt', false, t0);
    process.stderr.write(
      `[shards] /collection remove on shard 1 → reply ${replied} ms; shard 0 stops citing at ${a} ms\n`,
    );
    // A base document is not removed through any shard.
    const base = fake.sendCommand(
      'collection',
      { doc: 'c4_chess_upset.txt' },
      { subcommand: 'remove', user: user(), memberPermissions: MANAGE, shard: 0 },
    );
    await fake.waitForReply(base, { timeoutMs: 30_000 });
    expect(base.original!.content).toMatch(/is in the bot's base collection/);
    expect(description(await ask(1, CHESS))).toContain('c4_chess_upset.txt');
  }, 90_000);

  test('two edits of one server at once through both shards are both kept; only that server answers from them, on either shard', async () => {
    const G = fake.snowflake();
    const add = (shard: number, filename: string, fixture: string) =>
      readFile(join(C, fixture)).then((content) =>
        fake.waitForReply(
          fake.sendCommand(
            'collection',
            { file: { filename, content } },
            { subcommand: 'add', user: user(), memberPermissions: MANAGE, shard, guildId: G },
          ),
          { timeoutMs: 90_000 },
        ),
      );
    const t0 = Date.now();
    const [a, b] = await Promise.all([
      add(0, 'noro.txt', 'c5_norovirus_vaccine.txt'),
      add(1, 'grave.txt', 'c2_chariot_burial.txt'),
    ]);
    expect(a.original!.content).toMatch(/^Added `noro\.txt`/);
    expect(b.original!.content).toMatch(/^Added `grave\.txt`/);
    process.stderr.write(
      `[shards] two edits of one server through both shards: both replied in ${Date.now() - t0} ms\n`,
    );
    const inG = (shard: number, question: string) =>
      fake.waitForReply(fake.sendCommand('ask', { question }, { user: user(), shard, guildId: G }), {
        timeoutMs: 30_000,
      });
    for (const shard of [0, 1]) {
      expect(description(await inG(shard, NORO))).toContain('noro.txt');
      expect(description(await inG(shard, CHARIOT))).toContain('grave.txt');
    }
    // Nowhere else: the fake's own server (both shards) and a DM; it cannot list or remove them either.
    for (const shard of [0, 1]) {
      const list = await fake.waitForReply(fake.sendCommand('sources', {}, { user: user(), shard }), {
        timeoutMs: 30_000,
      });
      expect(JSON.stringify(list.original)).not.toMatch(/noro\.txt|grave\.txt/);
      const rm1 = await fake.waitForReply(
        fake.sendCommand(
          'collection',
          { doc: 'noro.txt' },
          { subcommand: 'remove', user: user(), memberPermissions: MANAGE, shard },
        ),
        { timeoutMs: 30_000 },
      );
      expect(rm1.original!.content).toBe("No document named “noro.txt” in this server's collection.");
      expect(JSON.stringify((await ask(shard, NORO)).original)).not.toContain('noro.txt');
      const dm = await fake.waitForReply(
        fake.sendCommand('ask', { question: CHARIOT }, { user: user(), shard, guildId: null }),
        { timeoutMs: 30_000 },
      );
      expect(JSON.stringify([dm.original, ...dm.followUps])).not.toContain('grave.txt');
    }
  }, 150_000);

  test('questions on both shards while the writer rebuilds twice: every one answered, none from a broken index', async () => {
    const reindexed = bot.logLines().filter((l) => l.event === 'reindexed').length;
    const switched = (bot.stderr.match(/Switched to the new index/g) ?? []).length;
    const asked: Promise<FakeInteraction>[] = [];
    let stop = false;
    const questions = [FIRE, CHESS, 'How many flights were scrapped when the Harbor Skies pilots walked off the job?'];
    const load = (async () => {
      for (let k = 0; !stop; k++) {
        asked.push(ask(k % 2, questions[k % questions.length]!));
        await new Promise((r) => setTimeout(r, 60));
      }
    })();
    await copyFile(join(C, 'c5_norovirus_vaccine.txt'), join(corpus, 'c5_norovirus_vaccine.txt'));
    await until(0, NORO, 'c5_norovirus_vaccine.txt', true, Date.now());
    await rm(join(corpus, 'c5_norovirus_vaccine.txt'));
    await until(1, NORO, 'c5_norovirus_vaccine.txt', false, Date.now());
    stop = true;
    await load;
    const all = await Promise.all(asked);
    expect(all.length).toBeGreaterThan(10);
    for (const ix of all) {
      // A real answer with its quotes (the three questions are answerable from the files kept).
      expect(description(ix), JSON.stringify(ix.original)).toMatch(/\[1\]/);
    }
    expect(bot.logLines().filter((l) => l.event === 'reindexed').length).toBeGreaterThanOrEqual(reindexed + 2);
    // Both shards switched to each new generation (a line each).
    expect((bot.stderr.match(/Switched to the new index/g) ?? []).length).toBeGreaterThanOrEqual(switched + 4);
    expect(bot.logLines().filter((l) => l.level === 'error' || l.event === 'reindex_failed')).toEqual([]);
    expect(bot.unhandled()).toEqual([]);
  }, 120_000);

  test('SIGTERM while the writer rebuilds: the build is stopped, the shards finish, exit code 0', async () => {
    await copyFile(join(C, 'c5_norovirus_vaccine.txt'), join(corpus, 'c5_norovirus_vaccine.txt'));
    await new Promise((r) => setTimeout(r, 800)); // past the debounce: the rebuild is under way
    expect(await bot.stop(30_000)).toBe(0);
    expect(bot.stderr).not.toMatch(/terminate called|what\(\)/);
    expect(bot.unhandled()).toEqual([]);
  }, 60_000);
});
