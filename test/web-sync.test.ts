/**
 * Sources from the web end to end on the REAL engine, through the console's commands, against a
 * news site on 127.0.0.1: a feed of three items is followed and each page is answerable at
 * once, cited with its URL, its page furniture never quoted; after a sync a new item is
 * answerable, a page that went 410 is never cited again, an item that dropped out of the feed
 * stays, unchanged pages cost a 304 and a changed page is the only one embedded again; the sync
 * timer does the same unasked; a page a moderator removed is not brought back by its feed; the
 * feeds list tells all; stopping to follow removes the pages;
 * a rebuild from the folder keeps every page's URL.
 */
import { copyFile, mkdir, readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { consoleReply, type ConsoleSession } from '../src/cli/console.js';
import { AnswerJsonSchema } from '../src/cli/args.js';
import { memoryLogger } from '../src/core/log.js';
import type { Answer, Engine } from '../src/core/types.js';
import { parseAllowList } from '../src/ingest/web/guard.js';
import { collectionEditor } from '../src/live/collection.js';
import { openLiveCollection, type LiveEngine } from '../src/live/live.js';
import { openWebSources, type WebSources } from '../src/live/web-sources.js';
import { makePdf, REPORT, REPORT_FOOTER, REPORT_HEADER } from './helpers/make-documents.js';
import { NEWS, newsroom, type Newsroom, type NewsItem } from './helpers/web-news.js';
import { articlePage, FURNITURE, rssFeed, serve, startSite, type Site } from './helpers/web-site.js';
import { REPO, tempDir } from './helpers/tmp-collection.js';
import { toPlainText } from '../src/message/rendered.js';
import { type EngineOptions } from '../src/engine/options.js';
import { openEngine } from '../src/engine/open.js';

let root: string;
let corpus: string;
let site: Site;
let trap: Site;
let live: { engine: LiveEngine; close(): Promise<void> };
let web: WebSources;
let session: ConsoleSession;
const log = memoryLogger('info');
const feedItems: NewsItem[] = [NEWS.dam, NEWS.festival, NEWS.ferry];
let news: Newsroom;

const url = (item: NewsItem) => `${site.origin}/news/${item.slug}`;
const feedUrl = () => `${site.origin}/feed.xml`;
const say = async (line: string) => toPlainText((await consoleReply(live.engine, line, session))!);

function openWeb(syncIntervalMs?: number): WebSources {
  const editor = collectionEditor(corpus, 1024 * 1024);
  web = openWebSources({
    editor,
    refresh: live.engine.refresh,
    fetch: { allow: parseAllowList('127.0.0.1'), delayMs: 0 },
    log,
    syncIntervalMs,
  });
  session = { collection: { editor, refresh: live.engine.refresh, web }, log };
  return web;
}

async function cited(engine: Engine, item: NewsItem): Promise<Answer['citations'][number] | undefined> {
  const a = await engine.ask(item.question);
  return a.citations.find((c) => c.url === url(item) && item.answer.test(c.quote));
}

beforeAll(async () => {
  root = await tempDir('quotebot-web-');
  corpus = join(root, 'corpus');
  await mkdir(corpus);
  await copyFile(
    join(REPO, 'test', 'fixtures', 'collection-c', 'c1_airline_strike.txt'),
    join(corpus, 'c1_airline_strike.txt'),
  );
  site = await startSite('127.0.0.1');
  trap = await startSite('127.0.0.2');
  trap.routes.set(
    '/feed.xml',
    serve(() => rssFeed('Trap', []), 'application/rss+xml'),
  );
  news = newsroom(site, feedItems);
  site.routes.set(
    '/robots.txt',
    serve(() => 'User-agent: *\nDisallow: /members/\n', 'text/plain'),
  );
  site.routes.set(
    '/members/diary',
    serve(() => articlePage('Members only', ['A diary for members.'])),
  );
  site.routes.set(
    '/logo.png',
    (_q, res) => void res.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.alloc(8)),
  );
  const engineOpts: EngineOptions = { corpusDir: corpus, indexDir: join(root, 'index'), embedder: 'use-lite' };
  live = openLiveCollection(await openEngine(engineOpts), engineOpts, { log, debounceMs: 150 });
  openWeb();
});
afterAll(async () => {
  await web?.close();
  await live?.close();
  await Promise.all([site?.close(), trap?.close()]);
  await rm(root, { recursive: true, force: true });
});

describe('a followed feed', () => {
  test('three items are answerable once /sources add returns, cited with their URLs; furniture is never quoted; a disallowed item is not fetched', async () => {
    feedItems.push({ ...NEWS.library, slug: '../members/diary' });
    const t0 = performance.now();
    const reply = await say(`/sources add ${feedUrl()}`);
    feedItems.pop();
    const seconds = (performance.now() - t0) / 1000;
    expect(reply).toMatch(
      /Now following the feed “Valley Courier” \(http:\/\/127\.0\.0\.1:\d+\/feed\.xml\): 3 pages of 4 listed items added, answerable now\./,
    );
    expect(reply).toMatch(
      /1 item could not be added: .*\/members\/diary \(127\.0\.0\.1:\d+’s robots\.txt does not allow quotebot/,
    );
    expect(site.hits('/members/diary')).toEqual([]);
    console.log(`feed of 3 items answerable ${seconds.toFixed(1)} s after /sources add`);
    for (const item of feedItems) {
      const c = await cited(live.engine, item);
      expect(c, item.question).toBeDefined();
      expect(AnswerJsonSchema.shape.citations.parse([c])[0]!.url).toBe(url(item));
    }
    const quotes = (
      await Promise.all(
        ['cookies', 'share this story', 'newsletter', 'most read recipes'].map((q) => live.engine.search(q, 20)),
      )
    ).flat();
    for (const q of quotes) for (const junk of FURNITURE) expect(q.quote).not.toContain(junk.slice(0, 30));
    const sources = JSON.parse(await readFile(join(corpus, 'sources.json'), 'utf8')) as Record<string, unknown>;
    expect(sources.follow).toEqual([feedUrl()]);
    const entries = Object.values(sources).filter((e) => !Array.isArray(e)) as Record<string, string>[];
    expect(entries.map((e) => e.url).sort()).toEqual(feedItems.map(url).sort());
    for (const e of entries) {
      expect(e).toMatchObject({ from: feedUrl(), etag: expect.any(String) });
      expect(Date.parse(e.fetched!)).toBeGreaterThan(Date.now() - 120_000);
    }
  });

  test('the feeds list names the feed, its pages, its last sync and what could not be added', async () => {
    const text = await say('/sources feeds');
    expect(text).toMatch(/Followed: 1 feed or sitemap/);
    expect(text).toMatch(
      /“Valley Courier” http:\/\/127\.0\.0\.1:\d+\/feed\.xml \(feed\) — 3 pages — synced \d+ s ago — 1 item not added \(.*robots\.txt/,
    );
    expect(text).toMatch(/3 web pages in the collection, checked for changes every hour/);
  });

  test('after a sync: a new item is answerable, a 410 page is never cited again, a dropped item stays, unchanged pages cost a 304', async () => {
    feedItems.splice(1, 1); // the festival drops out of the feed
    feedItems.push(NEWS.bridge);
    news.gone.add(NEWS.ferry.slug);
    const before = site.seen.length;
    const r = await web.sync();
    expect(r.added).toHaveLength(1);
    expect(r.removed).toEqual([expect.stringMatching(/corran-ferry-timetable-[0-9a-f]{6}\.html$/)]);
    expect(r.changed).toEqual([]);
    expect(await cited(live.engine, NEWS.bridge)).toBeDefined();
    expect(await cited(live.engine, NEWS.festival)).toBeDefined();
    const ferry = await live.engine.ask(NEWS.ferry.question);
    expect(ferry.citations.filter((c) => c.url === url(NEWS.ferry))).toEqual([]);
    expect(live.engine.documents().some((d) => d.url === url(NEWS.ferry))).toBe(false);
    const damAsks = site.seen.slice(before).filter((s) => s.path === `/news/${NEWS.dam.slug}`);
    expect(damAsks).toHaveLength(1);
    expect(damAsks[0]!.headers['if-none-match']).toBeTruthy();
    // The feed still lists nothing gone, but a gone page is not asked for again.
    const again = await web.sync();
    expect(again.added).toEqual([]);
    expect(site.seen.filter((s) => s.path === `/news/${NEWS.ferry.slug}`)).toHaveLength(2);
  });

  test('a changed page is fetched again and only it is embedded again', async () => {
    const extra =
      'Anglers will be allowed on the reservoir from the first of August, with permits sold at the visitor centre.';
    news.text.set(NEWS.dam.slug, [...NEWS.dam.paragraphs, extra]);
    const r = await web.sync();
    expect(r.changed).toEqual([expect.stringMatching(/harrowby-dam-opens-[0-9a-f]{6}\.html$/)]);
    expect(r.refresh).toMatchObject({ ok: true, changed: true });
    const refresh = r.refresh as { embedded: number; reused: number };
    expect(refresh.embedded).toBeGreaterThan(0);
    expect(refresh.embedded).toBeLessThanOrEqual(NEWS.dam.paragraphs.length + 3);
    expect(refresh.reused).toBeGreaterThan(refresh.embedded);
    const a = await live.engine.ask('When will anglers be allowed on the reservoir?');
    expect(a.citations[0]?.quote).toContain('first of August');
  });

  test('the sync timer adds a new item within one interval, unasked', async () => {
    await web.close();
    openWeb(1000).start();
    feedItems.push(NEWS.library);
    const deadline = Date.now() + 30_000;
    while (!(await cited(live.engine, NEWS.library)) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 300));
    expect(await cited(live.engine, NEWS.library)).toBeDefined();
  });

  test('a page a moderator removes is not brought back by its feed', async () => {
    const doc = live.engine.documents().find((d) => d.url === url(NEWS.library))!.doc;
    expect(await say(`/sources remove ${doc}`)).toMatch(/^Removed .*: it will not be cited any more\.$/);
    const r = await web.sync();
    expect(r.added).toEqual([]);
    expect(await cited(live.engine, NEWS.library)).toBeUndefined();
  });

  test('a rebuild from the folder alone keeps every page and its URL', async () => {
    const fresh = await openEngine({ corpusDir: corpus, indexDir: join(root, 'index-2'), embedder: 'use-lite' });
    const urls = fresh
      .documents()
      .map((d) => d.url)
      .filter(Boolean)
      .sort();
    expect(urls).toEqual([NEWS.dam, NEWS.festival, NEWS.bridge].map(url).sort());
    expect(await cited(fresh, NEWS.bridge)).toBeDefined();
    await fresh.close?.();
  });

  test('stopping to follow the feed removes its pages and says which', async () => {
    const text = await say(`/sources remove ${feedUrl()}`);
    expect(text).toMatch(
      /^Stopped following http:\/\/127\.0\.0\.1:\d+\/feed\.xml and removed its 3 pages \(.*\): they will not be cited any more\.$/,
    );
    expect((await readdir(corpus)).filter((f) => f.endsWith('.html'))).toEqual([]);
    expect(await cited(live.engine, NEWS.bridge)).toBeUndefined();
    expect(await say('/sources feeds')).toMatch(/No feeds, sitemaps or web pages are followed/);
    expect(await say(`/sources remove ${feedUrl()}`)).toMatch(/No file named http/);
  });
});

describe('adding one page, and refusals', () => {
  test('a single page is added by its URL and answerable; adding it again says it is unchanged', async () => {
    const reply = await say(`/sources add ${url(NEWS.festival)}`);
    expect(reply).toMatch(
      /^Added 127\.0\.0\.1_news_lantern-festival-record-[0-9a-f]{6}\.html from http:\/\/127\.0\.0\.1:\d+\/news\/lantern-festival-record \(\d+ passages\): it is indexed and answerable now; it is checked for changes every [^.]+\.$/,
    );
    expect(await cited(live.engine, NEWS.festival)).toBeDefined();
    expect(await say(`/sources add ${url(NEWS.festival)}`)).toMatch(/is already in the collection, unchanged\./);
  });

  test('a PDF served as octet-stream is added by its URL; its citation names the page and links to it', async () => {
    const pdf = Buffer.from(await makePdf(REPORT, { header: REPORT_HEADER, footer: REPORT_FOOTER }));
    site.routes.set(
      '/reports/annual',
      serve(() => pdf, 'application/octet-stream'),
    );
    expect(await say(`/sources add ${site.origin}/reports/annual`)).toMatch(
      /^Added 127\.0\.0\.1_reports_annual-[0-9a-f]{6}\.pdf from .*: it is indexed and answerable now/,
    );
    const a = await live.engine.ask('By how much will water prices rise in April?');
    expect(a.citations[0]).toMatchObject({ url: `${site.origin}/reports/annual`, page: 3 });
    const shown = await say('/ask By how much will water prices rise in April?');
    expect(shown).toContain(`<${site.origin}/reports/annual#page=3>`);
  });

  test('a not-allowed address, a 410, an image and a path-like URL each get one line and nothing is written', async () => {
    const before = (await readdir(corpus)).sort();
    expect(await say(`/sources add ${trap.origin}/feed.xml`)).toMatch(
      /^127\.0\.0\.2 is a loopback address \(this machine\); it is not fetched/,
    );
    expect(await say(`/sources add ${url(NEWS.ferry)}`)).toMatch(/answered 410: there is no page there to add/);
    expect(await say(`/sources add ${site.origin}/logo.png`)).toMatch(/is image\/png, not something I can read/);
    expect(await say('/sources add https://user:secret@example.invalid/')).toMatch(/user name or password/);
    expect(trap.seen).toEqual([]);
    expect((await readdir(corpus)).sort()).toEqual(before);
  });
});
