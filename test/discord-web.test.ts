/**
 * Sources from the web through the fake Discord and the REAL engine (provisionally `/sources
 * add-url`, `/sources feeds`, `/sources remove doc:<followed URL>`): only moderators, ephemeral
 * one-line replies, URLs without preview cards; an answer's source title links to the page at
 * the quote (a text fragment); a not-allowed loopback address never sees a request.
 */
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PermissionFlagsBits } from 'discord.js';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startBot, type Bot } from '../src/discord/client.js';
import { memoryLogger } from '../src/core/log.js';
import { parseAllowList } from '../src/ingest/web/guard.js';
import { collectionEditor } from '../src/live/collection.js';
import { openLiveCollection, type LiveEngine } from '../src/live/live.js';
import { openWebSources, type WebSources } from '../src/live/web-sources.js';
import { EPHEMERAL, FakeDiscord, PERMS, type FakeInteraction } from './harness/fake-discord.js';
import { NEWS } from './helpers/web-news.js';
import { articlePage, rssFeed, serve, startSite, type Site } from './helpers/web-site.js';
import { REPO, tempDir } from './helpers/tmp-collection.js';
import { type EngineOptions } from '../src/engine/options.js';
import { openEngine } from '../src/engine/open.js';

const MANAGE = PERMS.basic | PermissionFlagsBits.ManageGuild;
const items = [NEWS.dam, NEWS.bridge];
let root: string;
let site: Site;
let trap: Site;
let fake: FakeDiscord;
let bot: Bot;
let live: { engine: LiveEngine; close(): Promise<void> };
let web: WebSources;
const log = memoryLogger('info');
let seq = 410000000000000000n;
const user = () => ({ id: String(++seq), username: `member${seq % 1000n}` });
const feed = () => `${site.origin}/feed.xml`;

async function command(sub: string, options: Record<string, string>, perms = MANAGE): Promise<FakeInteraction> {
  const ix = fake.sendCommand('sources', options, { subcommand: sub, user: user(), memberPermissions: perms });
  return fake.waitForReply(ix, { timeoutMs: 60_000 });
}

beforeAll(async () => {
  root = await tempDir('quotebot-discord-web-');
  const corpus = join(root, 'corpus');
  await mkdir(corpus);
  await copyFile(join(REPO, 'test', 'fixtures', 'collection-c', 'c1_airline_strike.txt'), join(corpus, 'c1.txt'));
  site = await startSite('127.0.0.1');
  trap = await startSite('127.0.0.2');
  for (const it of items)
    site.routes.set(
      `/news/${it.slug}`,
      serve(() => articlePage(it.title, it.paragraphs)),
    );
  site.routes.set(
    '/feed.xml',
    serve(
      () =>
        rssFeed(
          'Valley Courier',
          items.map((i) => ({ title: i.title, link: `/news/${i.slug}` })),
        ),
      'application/rss+xml',
    ),
  );
  const engineOpts: EngineOptions = { corpusDir: corpus, indexDir: join(root, 'index'), embedder: 'use-lite' };
  live = openLiveCollection(await openEngine(engineOpts), engineOpts, { log, debounceMs: 150 });
  const editor = collectionEditor(corpus, 1024 * 1024);
  web = openWebSources({
    editor,
    refresh: live.engine.refresh,
    fetch: { allow: parseAllowList('127.0.0.1'), delayMs: 0 },
    log,
  });
  fake = await FakeDiscord.start();
  bot = await startBot({
    token: fake.token,
    engine: live.engine,
    restUrl: fake.restUrl,
    log,
    collection: { editor, refresh: live.engine.refresh, web },
  });
});
afterAll(async () => {
  await web?.close();
  await bot?.stop(2000);
  await live?.close();
  await fake?.close();
  await Promise.all([site?.close(), trap?.close()]);
  await rm(root, { recursive: true, force: true });
});

test('a member without Manage Server cannot add by URL or list feeds, and the site sees no request', async () => {
  const add = await command('add-url', { url: feed() }, PERMS.withPin);
  expect(add.original!.flags).toBe(EPHEMERAL);
  expect(add.original!.content).toMatch(/Manage Server/);
  expect((await command('feeds', {}, PERMS.withPin)).original!.content).toMatch(/Manage Server/);
  expect(site.seen).toEqual([]);
});

test('a moderator follows a feed: one ephemeral line, URLs without previews; the answer links its source to the quote', async () => {
  const ix = await command('add-url', { url: feed() });
  const reply = ix.original!;
  expect(reply.flags).toBe(EPHEMERAL);
  expect(reply.content).toMatch(
    /^Now following the feed “Valley Courier” \(<http:\/\/127\.0\.0\.1:\d+\/feed\.xml>\): 2 pages of 2 listed items added, answerable now\. New items are added every hour\.$/,
  );
  expect(reply.allowed_mentions).toEqual({ parse: [] });
  const ask = fake.sendCommand('ask', { question: NEWS.dam.question }, { user: user() });
  await fake.waitForReply(ask, { followUps: 0 });
  const description = String((ask.original!.embeds[0] as { description?: string }).description);
  expect(description).toContain('48 metres tall');
  const link = new RegExp(
    `\\[Harrowby Dam opens after four years of work\\]\\(<${site.origin.replace(/\./g, '\\.')}/news/harrowby-dam-opens#:~:text=The%20new%20Harrowby%20Dam%20stands[^)\\s]*>\\)`,
  );
  expect(description).toMatch(link);
  expect(events('source_url_added')).toEqual([expect.objectContaining({ outcome: 'followed', docs: 2 })]);
});

test('the feeds list, then removing the feed by its URL (offered by autocomplete)', async () => {
  const list = (await command('feeds', {})).original!.content;
  expect(list).toMatch(/“Valley Courier” <http:\/\/127\.0\.0\.1:\d+\/feed\.xml> \(feed\) — 2 pages — synced \d+ s ago/);
  const auto = fake.sendAutocomplete('sources', { doc: 'http://127' }, 'doc', { subcommand: 'remove', user: user() });
  await fake.waitFor(auto, (x) => x.choices !== undefined);
  expect(auto.choices).toEqual([{ name: feed(), value: feed() }]);
  const removed = (await command('remove', { doc: feed() })).original!.content;
  expect(removed).toMatch(
    /^Stopped following <http:\/\/127\.0\.0\.1:\d+\/feed\.xml> and removed its 2 pages \(`.*`, `.*`\): they will not be cited any more\.$/,
  );
  expect(live.engine.documents().map((d) => d.doc)).toEqual(['c1.txt']);
});

test('a URL on a loopback address not on the allow list is refused in one line and never requested', async () => {
  const reply = (await command('add-url', { url: `${trap.origin}/feed.xml` })).original!.content;
  expect(reply).toMatch(
    /^127\.0\.0\.2 is a loopback address \(this machine\); it is not fetched \(FETCH_ALLOW_HOSTS can allow it\)\.$/,
  );
  expect(trap.seen).toEqual([]);
});

function events(name: string): Record<string, unknown>[] {
  return log.lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((e) => e.event === name);
}
