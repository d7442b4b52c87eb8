/**
 * Sources from the web in a server's own collection (issue 21), through the fake Discord over the
 * REAL engine, against a news site on 127.0.0.1: `/collection add-url` follows a feed in server A
 * (its three pages answerable in A once the reply comes, cited with their URLs, never in B);
 * `/collection feeds` lists it in A and nothing in B; an address off the allow list is refused in
 * one line and never receives a request; the writer's sync adds a new item and drops a page that
 * went 410; `/collection remove` given the feed's URL stops following it and its pages are never
 * cited again; a long listing replies with its progress and carries on (another server's upload
 * meanwhile is applied and answers at once); the writer's timer syncs a server unasked once its
 * last sync is an interval old.
 */
import { cp, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PermissionFlagsBits } from 'discord.js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { memoryLogger } from '../src/core/log.js';
import { localGuildWriter, type GuildWriter } from '../src/live/guild-writer.js';
import { parseAllowList } from '../src/ingest/web/guard.js';
import { FakeDiscord, PERMS, type FakeAttachment, type FakeInteraction } from './harness/fake-discord.js';
import { guildBot, type GuildBot } from './helpers/guilds.js';
import { NEWS, newsroom, type NewsItem } from './helpers/web-news.js';
import { slowSitemap, startSite, type Site } from './helpers/web-site.js';
import { SEEDS, tempDir } from './helpers/tmp-collection.js';

const MANAGE = PERMS.basic | PermissionFlagsBits.ManageGuild;

let root: string;
let fake: FakeDiscord;
let writer: GuildWriter;
let harness: GuildBot;
let site: Site;
/** A loopback address that is not on the allow list. */
let trap: Site;
let A: string;
let B: string;
let guildsDir: string;
const log = memoryLogger('info');
let seq = 700000000000000000n;
const user = () => ({ id: String(++seq), username: `member${seq % 1000n}` });
const mod = { id: '700000000000000777', username: 'mod' };
const feedItems: NewsItem[] = [NEWS.dam, NEWS.festival, NEWS.ferry];
let gone: Set<string>;
/** The slow sitemap's pages served so far. */
let slowServed: number[];
const everything = (ix: FakeInteraction) => JSON.stringify([ix.original, ...ix.followUps]);
const reply = (ix: FakeInteraction) => String(ix.original?.content ?? '');
const url = (item: NewsItem) => `${site.origin}/news/${item.slug}`;
const feedUrl = () => `${site.origin}/feed.xml`;

async function ask(question: string, guildId: string): Promise<FakeInteraction> {
  return fake.waitForReply(fake.sendCommand('ask', { question }, { user: user(), guildId }), { timeoutMs: 60_000 });
}
async function collection(sub: string, guildId: string, options: Record<string, string | FakeAttachment> = {}) {
  const ix = fake.sendCommand('collection', options, {
    user: mod,
    guildId,
    subcommand: sub,
    memberPermissions: MANAGE,
  });
  return fake.waitForReply(ix, { timeoutMs: 120_000 });
}
/** Whether an answer in the server quotes `item` with a link to its page. */
const cites = async (item: NewsItem, guildId: string) => {
  const ix = await ask(item.question, guildId);
  return everything(ix).includes(url(item)) && item.answer.test(everything(ix));
};

beforeAll(async () => {
  root = await tempDir('quotebot-guild-web-');
  guildsDir = join(root, 'guilds');
  const corpus = join(root, 'corpus');
  await cp(SEEDS, corpus, { recursive: true });
  site = await startSite('127.0.0.1');
  trap = await startSite('127.0.0.2');
  ({ gone } = newsroom(site, feedItems));
  // A slow sitemap: each page takes 4 s (one request at a time per host), so the reply is due before the listing is done.
  slowServed = slowSitemap(site, 6, 4000).served;
  ({ fake, writer } = harness = await guildBot({
    root,
    corpus,
    log,
    checkMs: 200,
    web: {
      fetch: { allow: parseAllowList('127.0.0.1'), delayMs: 0 },
      syncIntervalMs: 60 * 60_000,
      replyWithinMs: 10_000,
    },
  }));
  guildsDir = join(root, 'guilds');
  A = fake.guildId;
  B = fake.snowflake();
}, 180_000);

afterAll(async () => {
  await harness?.close();
  await Promise.all([site?.close(), trap?.close()]);
  await rm(root, { recursive: true, force: true });
});

describe('/collection add-url', () => {
  test('a feed followed in server A: its pages answer in A with their links, never in B', async () => {
    const ix = await collection('add-url', A, { url: feedUrl() });
    expect(reply(ix)).toMatch(
      /Now following the feed “Valley Courier” \(.*127\.0\.0\.1:\d+\/feed\.xml.*\): 3 pages of 3 listed items added, answerable now\./,
    );
    for (const item of feedItems) expect(await cites(item, A), item.question).toBe(true);
    for (const item of feedItems) expect(everything(await ask(item.question, B))).not.toContain(site.origin);
    const sources = JSON.parse(await readFile(join(guildsDir, A, 'docs', 'sources.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(sources.follow).toEqual([feedUrl()]);
    expect(Object.values(sources).filter((e) => (e as { url?: string }).url?.startsWith(site.origin))).toHaveLength(3);
  }, 180_000);

  test('/collection feeds lists the feed in A with its pages and last sync, and nothing in B', async () => {
    const inA = reply(await collection('feeds', A));
    expect(inA).toContain('Followed: 1 feed or sitemap');
    expect(inA).toMatch(/“Valley Courier” .*feed\.xml.* \(feed\) — 3 pages — synced \d+ s ago/);
    expect(reply(await collection('feeds', B))).toMatch(/^No feeds, sitemaps or web pages are followed/);
  }, 60_000);

  test('an address off the allow list is refused in one line, and receives no request', async () => {
    const before = site.seen.length;
    const ix = await collection('add-url', A, { url: `${trap.origin}/news/${NEWS.bridge.slug}` });
    expect(reply(ix)).toMatch(/127\.0\.0\.2/);
    expect(reply(ix).split('\n')).toHaveLength(1);
    expect(trap.seen).toEqual([]);
    expect(site.seen.length).toBe(before);
    expect(reply(await collection('add-url', A, { url: 'not a url' }))).toMatch(/full web address/);
  }, 60_000);

  test('a listing still being fetched when the reply is due says how far it got, its pages arrive after, and other servers do not wait for it', async () => {
    const ix = await collection('add-url', B, { url: `${site.origin}/slow-sitemap.xml` });
    expect(reply(ix)).toMatch(
      /Now following .*slow-sitemap\.xml.*: \d of 6 pages fetched so far; the rest are fetched/,
    );
    // Another server's upload does not wait for B's listing: it is applied, and answers there, while B's pages still arrive.
    const C = fake.snowflake();
    const upload = await collection('add', C, {
      file: { filename: 'lighthouse.txt', content: 'The lighthouse keeper said the lamp was relit on 9 March.\n' },
    });
    expect(reply(upload)).toMatch(/lighthouse\.txt/);
    expect(slowServed.length).toBeLessThan(6);
    expect(everything(await ask('When was the lamp relit, according to the lighthouse keeper?', C))).toContain(
      '9 March',
    );
    expect(slowServed.length).toBeLessThan(6);
    // The next edit of the same server waits for its listing to finish (its turn is held).
    const feeds = reply(await collection('feeds', B));
    expect(feeds).toMatch(/slow-sitemap\.xml.* \(sitemap\) — 6 pages/);
    const tide = await ask('On which day were the tide tables printed, according to slow page number 4?', B);
    expect(everything(tide)).toContain(`${site.origin}/slow/4`);
  }, 120_000);
});

describe('sync and unfollow', () => {
  test('the sync adds a new item and drops a page that went 410; remove by URL stops following', async () => {
    feedItems.push(NEWS.bridge);
    gone.add(NEWS.festival.slug);
    // The writer keeps the sync's record beside the server's files; its timer syncs once that is an interval old.
    const state = join(guildsDir, A, 'docs', '.quotebot-web.json');
    const record = JSON.parse(await readFile(state, 'utf8')) as { synced?: string };
    expect(record.synced).toBeDefined();
    await writer.syncNow();
    expect(await cites(NEWS.bridge, A)).toBe(true);
    expect(everything(await ask(NEWS.festival.question, A))).not.toContain(url(NEWS.festival));
    expect(await cites(NEWS.dam, A)).toBe(true);

    const ix = await collection('remove', A, { doc: feedUrl() });
    expect(reply(ix)).toMatch(
      /^Stopped following .*feed\.xml.* and removed its 3 pages .*: they will not be cited any more\.$/,
    );
    for (const item of [NEWS.dam, NEWS.ferry, NEWS.bridge])
      expect(everything(await ask(item.question, A))).not.toContain(site.origin);
    expect(reply(await collection('feeds', A))).toMatch(/^No feeds/);
  }, 180_000);
});

/** A writer of its own over `root/<dir>`, fetching from loopback with these web settings. */
const writerOf = (dir: string, web: { delayMs: number; syncIntervalMs: number }) =>
  localGuildWriter({
    guildsDir: join(root, dir),
    embedderId: 'use-lite',
    uploadMaxBytes: 1024 * 1024,
    quota: { maxDocs: 50, maxTotalBytes: 10 * 1024 * 1024 },
    log,
    web: { fetch: { allow: parseAllowList('127.0.0.1'), delayMs: web.delayMs }, syncIntervalMs: web.syncIntervalMs },
  });

describe('the sync timer', () => {
  test('a server following a feed gets its new items an interval later, unasked', async () => {
    const timed = writerOf('timed', { delayMs: 0, syncIntervalMs: 1000 });
    try {
      feedItems.splice(0, feedItems.length, NEWS.dam);
      gone.clear();
      const added = await timed.apply({ kind: 'add-url', guild: A, by: 'test', url: feedUrl() });
      expect(added.web?.added?.docs).toHaveLength(1);
      feedItems.push(NEWS.library);
      const files = () => readdir(join(root, 'timed', A, 'docs'));
      const deadline = Date.now() + 30_000;
      while (!(await files()).some((f) => f.includes(NEWS.library.slug)) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 200));
      expect((await files()).filter((f) => !f.startsWith('.') && f !== 'sources.json')).toHaveLength(2);
    } finally {
      await timed.close();
    }
  }, 60_000);

  test('one client for every server: one robots.txt read and FETCH_DELAY_MS between two servers’ requests to a host', async () => {
    const polite = writerOf('polite', { delayMs: 600, syncIntervalMs: 3_600_000 });
    try {
      const robots = site.hits('/robots.txt').length;
      const page = (item: NewsItem) => `/news/${item.slug}`;
      const inA = await polite.apply({ kind: 'add-url', guild: A, by: 'test', url: url(NEWS.ferry) });
      const inB = await polite.apply({ kind: 'add-url', guild: B, by: 'test', url: url(NEWS.bridge) });
      expect([inA.ok, inB.ok]).toEqual([true, true]);
      expect(site.hits('/robots.txt').length - robots).toBeLessThanOrEqual(1);
      const first = site.hits(page(NEWS.ferry)).at(-1)!.at;
      const second = site.hits(page(NEWS.bridge)).at(-1)!.at;
      expect(second - first).toBeGreaterThanOrEqual(550);
    } finally {
      await polite.close();
    }
  }, 60_000);
});
