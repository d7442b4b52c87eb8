/**
 * Two shard processes of the REAL bot (`node dist/scripts/start.js`, SHARDS=2) on one shared store
 * (INDEX_URL: PGlite over the wire), against the fake Discord: a server's edits made through either
 * shard are queued in the store and applied by the one writer (the process that started the shards
 * holds the lease), two at once are both kept, every shard answers from them within seconds, and
 * no other server or DM ever does.
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PermissionFlagsBits } from 'discord.js';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { openPgStore } from '../src/index/pg-store.js';
import { startBotProcess, type BotProcess } from './harness/bot-process.js';
import { FakeDiscord, PERMS, type FakeInteraction } from './harness/fake-discord.js';
import { startPg, type PgliteServer } from './helpers/pg-server.js';
import { assertDistBuilt } from './helpers/run-cli.js';
import { REPO, SEEDS, loadUseLiteOnce, tempDir } from './helpers/tmp-collection.js';

const C = join(REPO, 'test', 'fixtures', 'collection-c');
const MANAGE = PERMS.basic | PermissionFlagsBits.ManageGuild;
const CHARIOT = 'Roughly how old is the chariot grave found in Yorkshire?';
const NORO = 'By how much did the experimental norovirus vaccine cut illness?';

let root: string;
let db: PgliteServer;
let fake: FakeDiscord;
let bot: BotProcess;
let seq = 700000000000000000n;
const user = () => ({ id: String(++seq), username: `member${seq % 1000n}` });
const everything = (ix: FakeInteraction) => JSON.stringify([ix.original, ...ix.followUps]);

async function ask(shard: number, guildId: string | null, question: string): Promise<FakeInteraction> {
  return fake.waitForReply(fake.sendCommand('ask', { question }, { user: user(), shard, guildId }), {
    timeoutMs: 30_000,
  });
}

beforeAll(async () => {
  assertDistBuilt(['start']);
  root = await tempDir('quotebot-shards-pg-');
  db = await startPg();
  const base = openPgStore(db.url, { scanMax: 1000 });
  await base.build({ corpusDir: SEEDS, embedder: await loadUseLiteOnce() });
  await base.close();
  fake = await FakeDiscord.start();
  bot = await startBotProcess({
    fake,
    corpusDir: SEEDS,
    indexDir: join(root, 'index'),
    guildsDir: join(root, 'guilds'),
    env: { SHARDS: '2', INDEX_URL: db.url, INDEX_POLL_S: '1' },
  });
  await fake.waitForShards(2, 120_000);
  while (bot.logLines().filter((l) => l.event === 'ready').length < 2 && bot.exitCode() === undefined)
    await new Promise((r) => setTimeout(r, 50));
}, 300_000);

afterAll(async () => {
  await bot?.stop(20_000);
  await fake?.close();
  await db?.stop();
  await rm(root, { recursive: true, force: true });
});

test('two edits of one server through both shards are both kept; every shard answers from them there, and only there', async () => {
  const A = fake.guildId;
  const B = fake.snowflake();
  const add = async (shard: number, filename: string, fixture: string) =>
    fake.waitForReply(
      fake.sendCommand(
        'collection',
        { file: { filename, content: await readFile(join(C, fixture)) } },
        { subcommand: 'add', user: user(), memberPermissions: MANAGE, shard },
      ),
      { timeoutMs: 120_000 },
    );
  const t0 = Date.now();
  const [x, y] = await Promise.all([
    add(0, 'grave.txt', 'c2_chariot_burial.txt'),
    add(1, 'noro.txt', 'c5_norovirus_vaccine.txt'),
  ]);
  expect(x.original!.content).toMatch(/^Added `grave\.txt` .* answerable in this server now/);
  expect(y.original!.content).toMatch(/^Added `noro\.txt` .* answerable in this server now/);
  process.stderr.write(`[shards pg] two edits through both shards: both replied in ${Date.now() - t0} ms\n`);
  for (const shard of [0, 1]) {
    const t = Date.now();
    for (const [q, doc] of [
      [CHARIOT, 'grave.txt'],
      [NORO, 'noro.txt'],
    ] as const) {
      while (!everything(await ask(shard, A, q)).includes(doc)) {
        if (Date.now() - t > 20_000) throw new Error(`shard ${shard}: ${doc} not answered in the server after 20 s`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    expect(everything(await ask(shard, B, CHARIOT))).not.toContain('grave.txt');
    expect(everything(await ask(shard, null, NORO))).not.toContain('noro.txt');
  }
  // The edits were applied by the one writer, not by the shards: one build each, in the starting process.
  expect(bot.logLines().filter((l) => l.event === 'guild_reindexed' && l.guild === A)).toHaveLength(2);
  expect(bot.logLines().filter((l) => l.level === 'error')).toEqual([]);
  expect(bot.unhandled()).toEqual([]);
}, 240_000);
