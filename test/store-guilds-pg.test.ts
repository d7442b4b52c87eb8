/**
 * Servers' collections in the shared store, on PGlite and on a real PostgreSQL 15 server with
 * pgvector: every row carries its collection and a reader loads only its own; an edit queued by a
 * process that is not the writer is applied by the one holding the lease and answered by every
 * process; two edits of one server at once are both kept; settings and a retired collection are
 * seen by all; a writer that takes over starts from the files in the store; one server's long
 * listing does not hold up another server's queued edit. On the real server, a
 * reader connected as a SELECT-only role answers, loads servers' collections and records votes,
 * never writes, and a schema it cannot migrate is one clear line.
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { memoryLogger } from '../src/core/log.js';
import type { Engine } from '../src/core/types.js';
import { openEngine } from '../src/engine/open.js';
import type { SharedEngine } from '../src/engine/shared.js';
import { pgFeedbackStore } from '../src/feedback/pg.js';
import { openPgStore, pgPool } from '../src/index/pg-store.js';
import { toData } from '../src/live/guild-edit.js';
import { guildsOver, type GuildCollections } from '../src/live/guilds.js';
import { sharedCollection } from '../src/live/live.js';
import { pgGuildSource, pgSubmit, pgWriterLoop } from '../src/live/pg-guilds.js';
import { startPg } from './helpers/pg-server.js';
import { SCHEMA_VERSION } from '../src/db/schema.js';
import { parseAllowList } from '../src/ingest/web/guard.js';
import { NEWS, newsroom, type NewsItem } from './helpers/web-news.js';
import { slowSitemap, startSite } from './helpers/web-site.js';
import { startRealPg } from './helpers/real-pg.js';
import { TEST_LIMITS } from './helpers/guilds.js';
import { REPO, SEEDS, tempDir } from './helpers/tmp-collection.js';

const C = join(REPO, 'test', 'fixtures', 'collection-c');
const CHARIOT = 'Roughly how old is the chariot grave found in Yorkshire?';
const FIRE = 'How much damage did the Cedar Ridge fire cause?';
const NORO = 'By how much did the experimental norovirus vaccine cut illness?';
const LAVROV = 'what did Lavrov demand';
const A = '111111111111111111';
const B = '222222222222222222';
const log = memoryLogger('info');

/** One bot process's view of the store: its base engine, and servers' collections over its own pool. */
async function botOn(url: string): Promise<{ base: SharedEngine; guilds: GuildCollections; pool: pg.Pool }> {
  const base = (await openEngine({ indexDir: 'unused', indexUrl: url, embedder: 'use-lite' })) as SharedEngine;
  const pool = pgPool(url, 2);
  const guilds = guildsOver({
    base: sharedCollection(base, { indexDir: 'unused', indexUrl: url }, { log }).engine,
    source: pgGuildSource(url, pool, 1000),
    submit: pgSubmit(pool, 120_000),
    limits: TEST_LIMITS,
    cache: { engines: 10 },
    checkMs: 100,
    waitMs: 120_000,
    log,
  });
  return { base, guilds, pool };
}

const add = async (g: GuildCollections, guild: string, fixture: string, filename = fixture) =>
  g.edit({ kind: 'add', guild, by: 'test', filename, data: toData(await readFile(join(C, fixture))) });
const cites = async (engine: Engine, question: string, doc: string) =>
  (await engine.ask(question)).citations.some((c) => c.doc === doc);

function writerLoop(url: string, pool: pg.Pool, guildsDir: string, replyWithinMs?: number) {
  return pgWriterLoop({
    url,
    pool,
    scanMax: 1000,
    guildsDir,
    embedderId: 'use-lite',
    uploadMaxBytes: TEST_LIMITS.uploadMaxBytes,
    quota: { maxDocs: 500, maxTotalBytes: 100 * 1024 * 1024 },
    log,
    pollMs: 100,
    web: { fetch: { allow: parseAllowList('127.0.0.1'), delayMs: 0 }, syncIntervalMs: 3_600_000, replyWithinMs },
  });
}

const BACKENDS = [
  { name: 'PGlite', start: () => startPg() },
  { name: 'PostgreSQL 15', start: () => startRealPg() },
];

describe.each(BACKENDS)('servers’ collections in the store on $name', ({ start }) => {
  let server: { url: string; stop(): Promise<void> };
  let root: string;
  let writerPool: pg.Pool;
  let writer: ReturnType<typeof writerLoop>;
  let p1: Awaited<ReturnType<typeof botOn>>;
  let p2: Awaited<ReturnType<typeof botOn>>;

  beforeAll(async () => {
    root = await tempDir('quotebot-pg-guilds-');
    server = await start();
    const base = openPgStore(server.url, { scanMax: 1000 });
    const { loadUseLite } = await import('../src/embed/use-lite.js');
    await base.build({ corpusDir: SEEDS, embedder: await loadUseLite() });
    await base.close();
    writerPool = pgPool(server.url, 2);
    writer = writerLoop(server.url, writerPool, join(root, 'writer-1'));
    [p1, p2] = [await botOn(server.url), await botOn(server.url)];
  }, 300_000);

  afterAll(async () => {
    await writer?.close();
    for (const p of [p1, p2]) {
      await p?.base.close();
      await p?.pool.end();
    }
    await writerPool?.end();
    await server?.stop();
    await rm(root, { recursive: true, force: true });
  });

  test('an edit queued by a process that is not the writer is applied by the one that is, and answered in that server only', async () => {
    const t0 = Date.now();
    const outcome = await add(p1.guilds, A, 'c2_chariot_burial.txt');
    expect(outcome).toMatchObject({ ok: true, doc: 'c2_chariot_burial.txt', replaced: false });
    expect(outcome.generation).toMatch(/^\d+$/);
    process.stderr.write(`[pg guilds] queued edit → applied and answerable in ${Date.now() - t0} ms\n`);
    expect(writer.isWriter()).toBe(true);
    expect(await cites(await p1.guilds.engineFor(A), CHARIOT, 'c2_chariot_burial.txt')).toBe(true);
    // The other process: within its look interval.
    await new Promise((r) => setTimeout(r, 150));
    const inA = await p2.guilds.engineFor(A);
    expect((await inA.ask(CHARIOT)).citations[0]).toMatchObject({ doc: 'c2_chariot_burial.txt', collection: 'server' });
    for (const elsewhere of [await p2.guilds.engineFor(B), await p2.guilds.engineFor(null)])
      expect(JSON.stringify(await elsewhere.ask(CHARIOT))).not.toContain('c2_chariot');
    expect((await inA.ask(LAVROV)).citations[0]?.collection).toBe('base');
  }, 180_000);

  test('every row carries its collection; a reader of one server’s collection loads only its rows', async () => {
    await add(p2.guilds, B, 'c3_wildfire_budget.txt');
    const db = new pg.Client({ connectionString: server.url });
    await db.connect();
    try {
      for (const table of ['qb_generations', 'qb_documents', 'qb_chunks', 'qb_sentences']) {
        const { rows } = await db.query<{ collection: string }>(`SELECT DISTINCT collection FROM ${table} ORDER BY 1`);
        expect(
          rows.map((r) => r.collection),
          table,
        ).toEqual([A, B, 'base']);
      }
    } finally {
      await db.end();
    }
    const onlyA = await openPgStore(server.url, { scanMax: 1000, collection: A }).load();
    expect(onlyA.docs.map((d) => d.id)).toEqual(['c2_chariot_burial.txt']);
    expect(await cites(await p1.guilds.engineFor(B), FIRE, 'c3_wildfire_budget.txt')).toBe(true);
    expect(await cites(await p1.guilds.engineFor(A), FIRE, 'c3_wildfire_budget.txt')).toBe(false);
  }, 180_000);

  test('two edits of one server at once from two processes are both kept', async () => {
    const [x, y] = await Promise.all([
      add(p1.guilds, A, 'c5_norovirus_vaccine.txt', 'noro.txt'),
      add(p2.guilds, A, 'c4_chess_upset.txt', 'chess.txt'),
    ]);
    expect([x, y].map((o) => o.ok || o.message)).toEqual([true, true]);
    await new Promise((r) => setTimeout(r, 150));
    for (const p of [p1, p2]) {
      const docs = (await p.guilds.engineFor(A))
        .documents()
        .filter((d) => d.collection === 'server')
        .map((d) => d.doc)
        .sort();
      expect(docs).toEqual(['c2_chariot_burial.txt', 'chess.txt', 'noro.txt']);
    }
    expect(await cites(await p2.guilds.engineFor(A), NORO, 'noro.txt')).toBe(true);
  }, 180_000);

  test('a server hides the base in every process; removing its last document retires its collection', async () => {
    expect((await p1.guilds.edit({ kind: 'settings', guild: B, by: 'test', base: false })).settings).toEqual({
      base: false,
    });
    await new Promise((r) => setTimeout(r, 150));
    const hidden = await p2.guilds.engineFor(B);
    expect(hidden.documents().map((d) => d.doc)).toEqual(['c3_wildfire_budget.txt']);
    expect((await hidden.ask(LAVROV)).answered).toBe(false);
    const removed = await p2.guilds.edit({ kind: 'remove', guild: B, by: 'test', doc: 'c3_wildfire_budget.txt' });
    expect(removed).toMatchObject({ ok: true, doc: 'c3_wildfire_budget.txt' });
    const db = new pg.Client({ connectionString: server.url });
    await db.connect();
    const left = await db.query('SELECT count(*)::int AS n FROM qb_documents WHERE collection = $1', [B]);
    await db.end();
    expect(left.rows[0].n).toBe(0);
    await new Promise((r) => setTimeout(r, 150));
    expect((await p1.guilds.engineFor(B)).documents()).toEqual([]);
    await p1.guilds.edit({ kind: 'settings', guild: B, by: 'test', base: true });
  }, 180_000);

  test('a writer that takes over starts from the server’s files in the store, and embeds only what changed', async () => {
    await writer.close();
    expect(writer.isWriter()).toBe(false);
    writer = writerLoop(server.url, writerPool, join(root, 'writer-2'));
    const before = log.lines.length;
    const outcome = await add(p1.guilds, A, 'c1_airline_strike.txt');
    expect(outcome).toMatchObject({ ok: true, doc: 'c1_airline_strike.txt' });
    const built = log.lines
      .slice(before)
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((e) => e.event === 'guild_reindexed');
    expect(built).toMatchObject({ guild: A, docs: 4 });
    expect(Number(built!.reused)).toBeGreaterThan(Number(built!.embedded));
    expect(
      (await p1.guilds.engineFor(A))
        .documents()
        .filter((d) => d.collection === 'server')
        .map((d) => d.doc)
        .sort(),
    ).toEqual(['c1_airline_strike.txt', 'c2_chariot_burial.txt', 'chess.txt', 'noro.txt']);
  }, 180_000);

  test('a feed a server follows is kept in the store: a writer that takes over lists it and syncs it', async () => {
    const site = await startSite('127.0.0.1');
    try {
      const items: NewsItem[] = [NEWS.dam, NEWS.festival];
      const { gone, url, feedUrl: feed } = newsroom(site, items);
      const citesUrl = async (guild: string, i: NewsItem) =>
        (await (await p2.guilds.engineFor(guild)).ask(i.question)).citations.some((c) => c.url === url(i));

      const added = await p1.guilds.edit({ kind: 'add-url', guild: B, by: 'test', url: feed });
      expect(added.web?.added).toMatchObject({ kind: 'feed', title: 'Valley Courier', listed: 2 });
      expect(added.web?.added?.docs).toHaveLength(2);
      await new Promise((r) => setTimeout(r, 150));
      expect(await citesUrl(B, NEWS.dam)).toBe(true);
      expect(await citesUrl(A, NEWS.dam)).toBe(false);

      // Another machine's writer: only the store to go on.
      await writer.close();
      writer = writerLoop(server.url, writerPool, join(root, 'writer-3'));
      const listed = await p2.guilds.edit({ kind: 'feeds', guild: B, by: 'test' });
      expect(listed.web?.feeds?.feeds).toEqual([
        expect.objectContaining({ url: feed, kind: 'feed', title: 'Valley Courier', items: 2 }),
      ]);
      items.push(NEWS.ferry);
      gone.add(NEWS.dam.slug);
      await writer.syncNow();
      await new Promise((r) => setTimeout(r, 150));
      expect(await citesUrl(B, NEWS.ferry)).toBe(true);
      expect(await citesUrl(B, NEWS.dam)).toBe(false);
      expect(await citesUrl(B, NEWS.festival)).toBe(true);
    } finally {
      await site.close();
    }
  }, 240_000);

  test('a server’s long listing holds only its own turn: another server’s queued upload is applied meanwhile', async () => {
    const site = await startSite('127.0.0.1');
    const { url: listingUrl, served } = slowSitemap(site, 4, 3000);
    await writer.close();
    writer = writerLoop(server.url, writerPool, join(root, 'writer-4'), 1500);
    try {
      const D = '444444444444444444';
      const listing = await p1.guilds.edit({
        kind: 'add-url',
        guild: B,
        by: 'test',
        url: listingUrl,
      });
      expect(listing.web?.fetching).toMatchObject({ total: 4 });
      // B's next edit, queued first, waits for its listing (every page is in by its reply); D's, queued after it, does not.
      const listedLater = p2.guilds.edit({ kind: 'feeds', guild: B, by: 'test' });
      await new Promise((r) => setTimeout(r, 300));
      const added = await add(p2.guilds, D, 'c2_chariot_burial.txt');
      expect(added.ok).toBe(true);
      expect(served.length).toBeLessThan(4);
      await new Promise((r) => setTimeout(r, 150));
      expect(await cites(await p2.guilds.engineFor(D), CHARIOT, 'c2_chariot_burial.txt')).toBe(true);
      const listed = await listedLater;
      expect(served).toHaveLength(4);
      expect(listed.web?.feeds?.feeds).toContainEqual(expect.objectContaining({ kind: 'sitemap', items: 4 }));
    } finally {
      await site.close();
    }
  }, 240_000);
});

describe('a reader connected as a SELECT-only role (PostgreSQL 15)', () => {
  let server: { url: string; stop(): Promise<void> };
  let readerUrl: string;
  let root: string;
  let writerPool: pg.Pool;
  let writer: ReturnType<typeof writerLoop>;
  const owner = () => new pg.Client({ connectionString: server.url });

  beforeAll(async () => {
    root = await tempDir('quotebot-pg-reader-');
    server = await startRealPg();
    const base = openPgStore(server.url, { scanMax: 1000 });
    const { loadUseLite } = await import('../src/embed/use-lite.js');
    await base.build({ corpusDir: SEEDS, embedder: await loadUseLite() });
    await base.close();
    writerPool = pgPool(server.url, 2);
    writer = writerLoop(server.url, writerPool, join(root, 'writer'));
    // The README's grants for a reader (answers and votes), plus queueing edits.
    const db = owner();
    await db.connect();
    await db.query(`CREATE ROLE qb_reader LOGIN PASSWORD 'reader-secret'`);
    await db.query('GRANT SELECT ON ALL TABLES IN SCHEMA public TO qb_reader');
    await db.query('GRANT INSERT, UPDATE ON qb_feedback TO qb_reader');
    await db.query('GRANT USAGE ON SEQUENCE qb_feedback_seq_seq TO qb_reader');
    await db.query('GRANT INSERT ON qb_edits TO qb_reader');
    await db.query('GRANT USAGE ON SEQUENCE qb_edits_id_seq TO qb_reader');
    await db.end();
    readerUrl = server.url.replace('postgres://postgres@', 'postgres://qb_reader:reader-secret@');
  }, 300_000);

  afterAll(async () => {
    await writer?.close();
    await writerPool?.end();
    await server?.stop();
    await rm(root, { recursive: true, force: true });
  });

  test('answers from the base and a server’s collection, records votes, queues edits; never writes nor takes the lease', async () => {
    const reader = await botOn(readerUrl);
    try {
      expect((await reader.base.ask(LAVROV)).citations[0]?.quote).toContain('precise, hard guarantees');
      const outcome = await add(reader.guilds, A, 'c2_chariot_burial.txt');
      expect(outcome).toMatchObject({ ok: true, doc: 'c2_chariot_burial.txt' });
      expect(await cites(await reader.guilds.engineFor(A), CHARIOT, 'c2_chariot_burial.txt')).toBe(true);
      const feedback = pgFeedbackStore(readerUrl);
      await feedback.recordAnswer({ type: 'answer', id: 'abcdefghij', question: 'q?', cited: [], guild: A, at: 'now' });
      await feedback.recordVote({
        type: 'vote',
        answer: 'abcdefghij',
        member: '0123456789abcdef',
        vote: 'up',
        guild: A,
        at: 'now',
      });
      expect((await feedback.read()).votes).toHaveLength(1);
      await feedback.close();
      // Writing the index is refused by the server, in one line; the lease is never taken.
      const store = openPgStore(readerUrl, { scanMax: 1000 });
      const { loadUseLite } = await import('../src/embed/use-lite.js');
      await expect(store.build({ corpusDir: SEEDS, embedder: await loadUseLite() })).rejects.toThrow(
        /^Postgres at postgres:\/\/127\.0\.0\.1:\d+\/postgres: permission denied/,
      );
      await store.close();
      const lines = log.lines.length;
      const pool = pgPool(readerUrl, 1);
      const loop = writerLoop(readerUrl, pool, join(root, 'reader-writer'));
      await new Promise((r) => setTimeout(r, 500));
      expect(loop.isWriter()).toBe(false);
      expect(log.lines.slice(lines).join('\n')).toContain('guild_writer_off');
      await loop.close();
      await pool.end();
      expect(log.lines.join('\n')).not.toContain('reader-secret');
    } finally {
      await reader.base.close();
      await reader.pool.end();
    }
  }, 240_000);

  test('a schema the reader’s role cannot migrate is one clear line naming npm run db:migrate', async () => {
    const db = owner();
    await db.connect();
    await db.query('DELETE FROM qb_schema WHERE version = $1', [SCHEMA_VERSION]);
    try {
      await expect(openEngine({ indexDir: 'unused', indexUrl: readerUrl, embedder: 'use-lite' })).rejects.toThrow(
        new RegExp(
          `^The store at postgres://127\\.0\\.0\\.1:\\d+/postgres is at schema version ${SCHEMA_VERSION - 1}, and this quotebot needs ${SCHEMA_VERSION}: run npm run db:migrate as the database's owner\\.$`,
        ),
      );
    } finally {
      await db.query('INSERT INTO qb_schema (version) VALUES ($1)', [SCHEMA_VERSION]);
      await db.end();
    }
  }, 120_000);
});
