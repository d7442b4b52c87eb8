/**
 * The shared Postgres store on real engines (PGlite with pgvector behind pglite-socket, and a real
 * PostgreSQL 15 server with pgvector, both reached with `pg` over the wire): same answers as the local files, generations that readers never see
 * half-written, a killed writer, two writers, and the failures a user can meet.
 */
import { spawn } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEvalSet, runEval } from '../src/eval/eval.js';
import { buildIndex } from '../src/index/build.js';
import { readIndex } from '../src/index/read.js';
import { openStore } from '../src/index/store.js';
import type { Answer, Engine } from '../src/core/types.js';
import { ARTICLE, makePdf, REPORT, REPORT_FOOTER, REPORT_HEADER, textAsHtml } from './helpers/make-documents.js';
import { startPg, withPassword } from './helpers/pg-server.js';
import { startRealPg } from './helpers/real-pg.js';
import { assertDistBuilt, runCli } from './helpers/run-cli.js';
import { copyCollection, loadUseLiteOnce, REPO, SEEDS, tempDir } from './helpers/tmp-collection.js';
import { IndexError, type IndexStore } from '../src/index/types.js';
import { type SharedEngine } from '../src/engine/shared.js';
import { openEngine } from '../src/engine/open.js';

const PASSWORD = 'hunter2-secret';
const Q = 'what did Lavrov demand';
/** The suite runs on PGlite (the embedded default) and on a real PostgreSQL 15 server with pgvector (tools/pgvector/). */
const BACKENDS = [
  { name: 'PGlite', start: () => startPg() },
  { name: 'PostgreSQL 15', start: () => startRealPg() },
];

describe.each(BACKENDS)('the Postgres store on $name', ({ start }) => {
  let server: { url: string; stop(): Promise<void> };
  let url: string;
  let root: string;
  let writer: IndexStore;
  let reader: SharedEngine;
  const opened: Engine[] = [];

  /** A reader that sends every dense search to Postgres (`scanMax: 0`), however small the collection. */
  const shared = async (): Promise<SharedEngine> => {
    const e = (await openEngine({
      indexDir: 'unused',
      indexUrl: url,
      embedder: 'use-lite',
      pollMs: 3_600_000,
      scanMax: 0,
    })) as SharedEngine;
    opened.push(e);
    return e;
  };
  /** What an answer says, without its timing. */
  const said = (a: Answer) => ({ answered: a.answered, answer: a.answer, citations: a.citations, closest: a.closest });

  beforeAll(async () => {
    assertDistBuilt(['ask', 'build-index']);
    root = await tempDir();
    server = await start();
    url = withPassword(server.url, PASSWORD);
    writer = await openStore({ indexDir: 'unused', indexUrl: url });
    await writer.build({ corpusDir: SEEDS, embedder: await loadUseLiteOnce() });
    await buildIndex({ corpusDir: SEEDS, indexDir: path.join(root, 'local'), embedder: await loadUseLiteOnce() });
    reader = await shared();
  }, 300_000);

  afterAll(async () => {
    for (const e of opened) await e.close?.();
    await writer?.close();
    await server?.stop();
    await rm(root, { recursive: true, force: true });
  });

  describe('answers through Postgres', () => {
    it('equal the answers from local files on the dev and seeds sets, and score the same', async () => {
      const local = await openEngine({ indexDir: path.join(root, 'local'), embedder: 'use-lite' });
      for (const set of ['dev', 'seeds']) {
        const items = await readEvalSet(path.join(REPO, 'eval', `${set}.jsonl`));
        const questions = items.map((i) => i.q);
        const [a, b] = [await local.askMany(questions), await reader.askMany(questions)];
        expect(b.map(said)).toEqual(a.map(said));
        const [ra, rb] = [await runEval(local, items), await runEval(reader, items)];
        expect(rb.hit_at_1).toBe(ra.hit_at_1);
      }
      // Every dense search went through Postgres's HNSW index, none found in memory instead.
      expect(reader.index.dense.fallbacks).toBe(0);
    }, 300_000);

    it('the store records its collection and schema; CLI asks through --index-url', async () => {
      expect((await writer.manifest())?.corpus).toBe(SEEDS);
      const r = await runCli('ask', ['--json', '--index-url', url, Q], { cwd: REPO });
      expect(r.code).toBe(0);
      expect(said(JSON.parse(r.stdout) as Answer).citations).toEqual((await reader.ask(Q)).citations);
      expect(r.stdout + r.stderr).not.toContain(PASSWORD);
    }, 120_000);
  });

  describe('generations', () => {
    let copy: Awaited<ReturnType<typeof copyCollection>>;
    const doc = () => path.join(copy.corpus, '003_119197242061bba3.txt');
    beforeAll(async () => {
      copy = await copyCollection(SEEDS);
    });
    afterAll(() => copy.cleanup());

    it('a rebuild during 200 concurrent questions: no error, each answer wholly old or wholly new, only the changed file embedded', async () => {
      const before = said(await reader.ask(Q));
      await writeFile(
        doc(),
        (await readFile(doc(), 'utf8')).replace('“precise, hard guarantees”', '“precise, hard and written guarantees”'),
      );
      let done = false;
      const build = writer
        .build({ corpusDir: copy.corpus, embedder: await loadUseLiteOnce() })
        .finally(() => (done = true));
      const answers: Answer[] = [];
      // Rounds of 20 questions at once, the reader looking for a new generation each round,
      // until 200 are answered and the build is over.
      while (answers.length < 200 || !done) {
        const round = Array.from({ length: 20 }, () => reader.ask(Q));
        void reader.refresh();
        answers.push(...(await Promise.all(round)));
      }
      const report = await build;
      expect(report.embedded).toBeGreaterThan(0);
      expect(report.embedded).toBeLessThan(report.sentences / 3);
      await reader.refresh();
      const after = said(await reader.ask(Q));
      expect(after.answer).toContain('hard and written guarantees');
      expect(after).toEqual(said(await (await shared()).ask(Q)));
      for (const a of answers) expect([before, after]).toContainEqual(said(a));
      expect(answers.length).toBeGreaterThanOrEqual(200);
    }, 300_000);

    it('a writer killed before the flip leaves the previous generation serving, and the next build goes through', async () => {
      const version = await writer.version();
      const expected = said(await reader.ask(Q));
      await writeFile(
        doc(),
        (await readFile(doc(), 'utf8')).replace('hard and written guarantees', 'hard and binding guarantees'),
      );
      const script = path.join(root, 'writer.mjs');
      await writeFile(
        script,
        `import { openStore } from ${JSON.stringify(path.join(REPO, 'dist/src/index/store.js'))};
  import { loadUseLite } from ${JSON.stringify(path.join(REPO, 'dist/src/embed/use-lite.js'))};
  const store = await openStore({ indexDir: 'unused', indexUrl: process.argv[2] });
  await store.build({ corpusDir: process.argv[3], embedder: await loadUseLite(), beforeSwap: async () => { process.stdout.write('written\\n'); await new Promise(() => {}); } });`,
      );
      const child = spawn(process.execPath, [script, url, copy.corpus], { stdio: ['ignore', 'pipe', 'pipe'] });
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => d.toString().includes('written') && resolve());
        child.on('exit', () => reject(new Error('the writer exited before writing')));
      });
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('close', resolve));

      expect(await writer.version()).toBe(version);
      await reader.refresh();
      expect(said(await reader.ask(Q))).toEqual(expected);
      expect(said(await (await shared()).ask(Q))).toEqual(expected);
      const report = await writer.build({ corpusDir: copy.corpus, embedder: await loadUseLiteOnce() });
      expect(report.embedded).toBeGreaterThan(0);
      expect(await writer.version()).not.toBe(version);
      await reader.refresh();
      expect((await reader.ask(Q)).answer).toContain('hard and binding guarantees');
      // Only the generation in use and the one before it are kept; the killed writer's is gone.
      const db = new pg.Client({ connectionString: url });
      await db.connect();
      const gens = (await db.query('SELECT count(*)::int AS n FROM qb_generations')).rows[0].n as number;
      const orphans = (
        await db.query(
          'SELECT count(*)::int AS n FROM qb_sentences WHERE generation NOT IN (SELECT id FROM qb_generations)',
        )
      ).rows[0].n as number;
      await db.end();
      expect(gens).toBe(2);
      expect(orphans).toBe(0);
    }, 300_000);

    it('two writers at once: one goes through, the other waits or fails with a clear line; nothing half-written', async () => {
      await writeFile(
        doc(),
        (await readFile(doc(), 'utf8')).replace('hard and binding guarantees', 'hard and lasting guarantees'),
      );
      const second = await openStore({ indexDir: 'unused', indexUrl: url });
      const embedder = await loadUseLiteOnce();
      const results = await Promise.allSettled([
        writer.build({ corpusDir: copy.corpus, embedder }),
        second.build({ corpusDir: copy.corpus, embedder }),
      ]);
      await second.close();
      expect(results.some((r) => r.status === 'fulfilled')).toBe(true);
      for (const r of results) {
        if (r.status === 'rejected') {
          expect(r.reason).toBeInstanceOf(IndexError);
          expect(String(r.reason.message)).toMatch(
            /^Another build (is writing to|updated) postgres:\/\/127\.0\.0\.1:\d+\/postgres/,
          );
          expect(String(r.reason.message)).not.toContain(PASSWORD);
        }
      }
      await reader.refresh();
      expect((await reader.ask(Q)).answer).toContain('hard and lasting guarantees');
    }, 300_000);
  });

  describe('document records', () => {
    it('round-trip whole, with the fields a reader adds (the pages and format of a PDF, the format of an HTML page)', async () => {
      const dir = path.join(root, 'formats');
      await mkdir(dir);
      await writeFile(
        path.join(dir, 'report.pdf'),
        await makePdf(REPORT, { header: REPORT_HEADER, footer: REPORT_FOOTER }),
      );
      await writeFile(path.join(dir, 'article.html'), textAsHtml(ARTICLE.join('\n\n'), 'The old bridge closes'));
      const embedder = await loadUseLiteOnce();
      await buildIndex({ corpusDir: dir, indexDir: path.join(root, 'formats-index'), embedder });
      await writer.build({ corpusDir: dir, embedder });
      const [local, stored] = [await readIndex(path.join(root, 'formats-index')), await writer.load()];
      expect(stored.docs.find((d) => d.id === 'report.pdf')?.pages?.length).toBe(3);
      expect(stored.docs).toEqual(local.docs);
      expect(stored.chunks).toEqual(local.chunks);
      expect(Array.from(stored.vectors)).toEqual(Array.from(local.vectors));
    }, 240_000);
  });

  describe('failures on this server are one clear line (exit 2), never the password', () => {
    const ask = (args: string[], env?: Record<string, string>) => runCli('ask', [...args, Q], { cwd: REPO, env });
    const oneLine = (r: { code: number | null; stdout: string; stderr: string }, pattern: RegExp) => {
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(pattern);
      expect(r.stderr).not.toContain(PASSWORD);
    };

    it('a store built with another embedder than the one asked for', async () => {
      oneLine(
        await ask(['--index-url', url, '--embedder', 'transformers:Xenova/bge-small-en-v1.5']),
        /^Index was built with use-lite, not transformers:Xenova\/bge-small-en-v1\.5/,
      );
    }, 60_000);

    it('a bot whose server goes away keeps answering the same from memory; looking for new generations only notes it', async () => {
      const notices: string[] = [];
      const engine = (await openEngine({
        indexDir: 'unused',
        indexUrl: url,
        embedder: 'use-lite',
        pollMs: 3_600_000,
        scanMax: 0,
        notice: (l) => notices.push(l),
      })) as SharedEngine;
      // By default a collection this small is searched in memory: it never needed the server for a question.
      const scanning = (await openEngine({
        indexDir: 'unused',
        indexUrl: url,
        embedder: 'use-lite',
        pollMs: 3_600_000,
      })) as SharedEngine;
      opened.push(engine, scanning);
      const before = said(await engine.ask(Q));
      expect(said(await scanning.ask(Q))).toEqual(before);
      await server.stop();
      expect(said(await engine.ask(Q))).toEqual(before);
      expect(engine.index.dense.fallbacks).toBe(1);
      expect(said(await scanning.ask(Q))).toEqual(before);
      expect(scanning.index.dense.fallbacks).toBe(0);
      await engine.refresh();
      expect(notices.at(-1)).toMatch(
        /^Could not check the index in postgres:\/\/127\.0\.0\.1:\d+\/postgres \(.*\); answering from the one loaded\.$/,
      );
      expect(notices.join('\n')).not.toContain(PASSWORD);
    }, 120_000);
  });
});

describe('failures are one clear line (exit 2), never the password', () => {
  const ask = (args: string[], env?: Record<string, string>) => runCli('ask', [...args, Q], { cwd: REPO, env });
  const oneLine = (r: { code: number | null; stdout: string; stderr: string }, pattern: RegExp) => {
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(pattern);
    expect(r.stderr).not.toContain(PASSWORD);
  };

  it('a malformed URL, by flag or by INDEX_URL', async () => {
    oneLine(await ask(['--index-url', `mysql://u:${PASSWORD}@host/db`]), /--index-url must be a postgres:\/\//);
    oneLine(
      await ask([], { INDEX_URL: `http://u:${PASSWORD}@host/db` }),
      /^Bad setting INDEX_URL: must be a postgres:\/\//,
    );
  }, 60_000);

  it('a refused connection', async () => {
    const port = await freePort();
    oneLine(
      await ask(['--index-url', `postgres://u:${PASSWORD}@127.0.0.1:${port}/db`]),
      new RegExp(`^Cannot reach Postgres at postgres://127\\.0\\.0\\.1:${port}/db \\(connection refused\\)`),
    );
  }, 60_000);

  it('a server without pgvector', async () => {
    const bare = await startPg({ withVector: false });
    try {
      oneLine(await ask(['--index-url', withPassword(bare.url, PASSWORD)]), /has no pgvector extension/);
    } finally {
      await bare.stop();
    }
  }, 120_000);
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}
