/**
 * npm run -s bench -- [--json] [--corpus DIR] [--set FILE] [--index-url postgres://…]
 * Speed and memory figures (targets in the README): index build vs embedding alone,
 * cold start of the ask CLI, warm query latency vs bare query embedding, resident memory.
 *
 * npm run -s bench -- --scale N [--json]
 * A generated collection of N sentences (fixture sentences recombined): build time, embedding
 * rate, HNSW recall@10 against exact search on 200 queries, vector-search latency, peak RSS and
 * index size. See src/scale-bench.ts.
 *
 * npm run -s bench -- --web N [--json]
 * A sitemap of N generated pages on 127.0.0.1 added as `/sources add` does it (FETCH_DELAY_MS=0):
 * time until all are answerable, against fetching alone and embedding alone. See src/eval/web-bench.ts.
 *
 * npm run -s bench -- --guilds N --docs-per-guild M [--json]
 * N servers with M generated documents each (about 10 sentences), each server's own index beside
 * the base (seeds); then a fresh process answers as the bot does (engines loaded on first use,
 * GUILD_CACHE of them kept): guilds, documents, sentences, build_ms, rss_mb of the answering
 * process, ask_ms (cold: a server's first question, its index loaded; warm: a loaded server's).
 * See src/eval/guild-bench.ts.
 *
 * With --index-url each measures the Postgres store (it gets new generations: use a scratch database).
 *
 * npm run -s bench -- --hostile [--json] [--size BYTES]
 * For each hostile input (a run of "A. ", a PDF that inflates to 512 MB, deeply nested HTML, a
 * 150,000-line file…; 1 MB by default): the time and peak memory of each text stage, and how the
 * time grows from a quarter of the size (≈4 linear, ≈16 quadratic). See src/eval/hostile-bench.ts.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chunkDocument } from '../src/ingest/chunk.js';
import { cleanDocument } from '../src/ingest/clean/clean.js';
import { parseCli, progressBar, runMain, UsageError } from '../src/cli/args.js';
import { openEmbedder } from '../src/embed/select.js';
import { readEvalSet } from '../src/eval/eval.js';
import { embeddingText } from '../src/index/build.js';
import { loadCollection } from '../src/ingest/load.js';
import { benchScale, fileStore, indexStoreScale, pct } from '../src/eval/scale-bench.js';
import { isPostgresUrl, loadConfig } from '../src/core/config.js';
import { benchWeb } from '../src/eval/web-bench.js';
import { hostileBench } from '../src/eval/hostile-bench.js';
import { openStore } from '../src/index/store.js';
import { z } from 'zod';
import { openEngine } from '../src/engine/open.js';
import { createEngine } from '../src/engine/create.js';
import { settled } from '../src/engine/shared.js';
import { buildGuilds, readPlan, serveGuilds, writePlan } from '../src/eval/guild-bench.js';
import { openPgStore, pgPool } from '../src/index/pg-store.js';
import { SCAN_MAX } from '../src/index/store.js';
import { guildEngines, localGuildSource } from '../src/live/guild-engines.js';
import { pgGuildSource } from '../src/live/pg-guilds.js';
import { storedStats } from '../src/retrieve/stats.js';

runMain(async () => {
  const { values } = parseCli({
    options: {
      json: { type: 'boolean', default: false },
      corpus: { type: 'string', default: 'seeds' },
      set: { type: 'string', default: 'eval/seeds.jsonl' },
      scale: { type: 'string' },
      web: { type: 'string' },
      guilds: { type: 'string' },
      'docs-per-guild': { type: 'string', default: '20' },
      /** Internal: the answering half of --guilds, in a process of its own. */
      'guild-serve': { type: 'string' },
      'index-url': { type: 'string' },
      hostile: { type: 'boolean', default: false },
      size: { type: 'string', default: String(2 ** 20) },
    },
  });
  if (values.hostile) {
    const size = z.coerce
      .number()
      .int()
      .min(1024)
      .max(64 * 2 ** 20)
      .safeParse(values.size);
    if (!size.success) throw new UsageError('--size takes a number of bytes, from 1024 to 67108864.');
    const say = (line: string) => (values.json ? undefined : process.stdout.write(`${line}\n`));
    const inputs = await hostileBench(size.data, say);
    if (values.json) process.stdout.write(`${JSON.stringify({ size: size.data, inputs })}\n`);
    return;
  }
  const indexUrl = values['index-url'];
  if (indexUrl !== undefined && !isPostgresUrl(indexUrl))
    throw new UsageError('--index-url must be a postgres://user:password@host:port/database URL.');
  if (values['guild-serve'] !== undefined) {
    process.stdout.write(`${JSON.stringify(await guildServe(values['guild-serve'], indexUrl))}\n`);
    return;
  }
  const dir = await mkdtemp(join(tmpdir(), 'quotebot-bench-'));
  try {
    if (values.web !== undefined) {
      const n = z.coerce.number().int().min(1).max(10_000).safeParse(values.web);
      if (!n.success) throw new UsageError('--web takes a number of pages, from 1 to 10000.');
      const embedder = await openEmbedder('use-lite', { notice: (l) => process.stderr.write(`${l}\n`) });
      const bar = await progressBar('Fetching', { unit: 'pages' });
      const figures = await benchWeb({ n: n.data, embedder, sources: ['seeds'], dir, progress: bar.update }).finally(
        bar.stop,
      );
      printFigures(figures, values.json, 28);
      return;
    }
    if (values.guilds !== undefined) {
      const n = z.coerce.number().int().min(1).max(100_000).safeParse(values.guilds);
      const m = z.coerce.number().int().min(1).max(1000).safeParse(values['docs-per-guild']);
      if (!n.success || !m.success)
        throw new UsageError('--guilds takes 1 to 100000 servers, --docs-per-guild 1 to 1000 documents.');
      const figures = await guildBench(n.data, m.data, dir, indexUrl);
      printFigures(figures, values.json, 24);
      return;
    }
    if (values.scale !== undefined) {
      const n = z.coerce.number().int().min(100).max(2_000_000).safeParse(values.scale);
      if (!n.success) throw new UsageError('--scale takes a number of sentences, from 100 to 2000000.');
      const figures = await scale(n.data, dir, indexUrl);
      printFigures(figures, values.json, 24);
      return;
    }
    const indexDir = join(dir, 'index');
    const embedder = await openEmbedder('use-lite');
    await embedder.embed(['warm up']);

    // Embedding the same sentences alone, in the same batches, is the floor for a build.
    const texts = (await loadCollection(values.corpus)).flatMap((doc) =>
      chunkDocument(cleanDocument(doc), 0).flatMap((c) =>
        c.sentences.map((s) => embeddingText(doc.text.slice(s.start, s.end))),
      ),
    );
    let t = performance.now();
    for (let i = 0; i < texts.length; i += 32) await embedder.embed(texts.slice(i, i + 32));
    const embedOnly = performance.now() - t;

    const store = await openStore({ indexDir, indexUrl });
    t = performance.now();
    await store.build({ corpusDir: values.corpus, embedder, stats: storedStats }).finally(() => store.close());
    const build = performance.now() - t;
    const where = indexUrl ? ['--index-url', indexUrl] : ['--index', indexDir];

    // Cold start: a fresh process, from spawn to its first answer on stdout.
    const colds: number[] = [];
    for (let i = 0; i < 3; i++) {
      t = performance.now();
      const r = spawnSync(
        process.execPath,
        ['dist/scripts/ask.js', '--json', ...where, '--corpus', values.corpus, 'what was demanded'],
        { encoding: 'utf8' },
      );
      if (r.status !== 0) throw new Error(`ask failed: ${r.stderr.split('\n')[0]}`);
      colds.push(performance.now() - t);
    }

    const engine = await openEngine({ corpusDir: values.corpus, indexDir, indexUrl });
    const questions = (await readEvalSet(values.set)).map((x) => x.q);
    // Warm: one unmeasured round first, as a running bot is after its first questions (the JIT
    // has compiled the answer path; one question alone left it interpreted for the whole count).
    for (const q of questions) await engine.ask(q);
    const query: number[] = [];
    const embedQ: number[] = [];
    for (let round = 0; round < 3; round++)
      for (const q of questions) {
        // The engine's own embedder: the same session that answers, so only retrieval and composing differ.
        t = performance.now();
        await engine.embedder.embed([q], { query: true });
        embedQ.push(performance.now() - t);
        t = performance.now();
        await engine.ask(q);
        query.push(performance.now() - t);
      }
    const figures = {
      sentences: texts.length,
      index_build_ms: round(build),
      embed_only_ms: round(embedOnly),
      cold_start_ms: round(median(colds)),
      query_ms: { p50: round(pct(query, 0.5)), p95: round(pct(query, 0.95)) },
      query_embed_ms: { p50: round(pct(embedQ, 0.5)) },
      rss_mb: round(process.memoryUsage().rss / 2 ** 20),
      runtime: embedder.runtime,
      store: indexUrl ? 'postgres' : 'local',
    };
    await engine.close?.();
    if (values.json) {
      process.stdout.write(`${JSON.stringify(figures)}\n`);
      return;
    }
    const ratio = (a: number, b: number) => (a / b).toFixed(2);
    process.stdout.write(
      [
        `sentences embedded      ${figures.sentences}`,
        `index build             ${figures.index_build_ms} ms  (${ratio(build, embedOnly)} × embed-only ${figures.embed_only_ms} ms; target ≤ 1.2)`,
        `cold start (ask CLI)    ${figures.cold_start_ms} ms  (target ≤ 1500)`,
        `query p50 / p95         ${figures.query_ms.p50} / ${figures.query_ms.p95} ms  (${ratio(figures.query_ms.p50, figures.query_embed_ms.p50)} × bare embed p50 ${figures.query_embed_ms.p50} ms; target ≤ 1.3)`,
        `rss                     ${figures.rss_mb} MB`,
        `use-lite runtime        ${figures.runtime}`,
      ].join('\n') + '\n',
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

async function scale(n: number, dir: string, indexUrl?: string) {
  const embedder = await openEmbedder('use-lite', { notice: (l) => process.stderr.write(`${l}\n`) });
  const fixtures = join('test', 'fixtures');
  const sources = [
    'seeds',
    ...(await readdir(fixtures, { withFileTypes: true }))
      .filter((d) => d.isDirectory() && d.name !== 'hostile')
      .map((d) => join(fixtures, d.name)),
  ];
  const questions = [];
  for (const f of (await readdir('eval')).filter((f) => f.endsWith('.jsonl')).sort())
    questions.push(...(await readEvalSet(join('eval', f))).map((x) => x.q));
  const bar = await progressBar('Embedding');
  const indexDir = join(dir, 'index');
  // Every search through Postgres's HNSW index, however small N: its recall and latency are what this measures.
  const pg = indexUrl ? await openStore({ indexDir, indexUrl, scanMax: 0 }) : undefined;
  const store = pg ? indexStoreScale(pg) : fileStore(indexDir);
  const figures = await benchScale({
    n,
    embedder,
    sources,
    corpusDir: join(dir, 'corpus'),
    store,
    questions: [...new Set(questions)],
    progress: bar.update,
  }).finally(async () => {
    bar.stop();
    await pg?.close();
  });
  return { ...figures, store: pg ? 'postgres' : 'local' };
}
/** The sources the generated documents are made of (as --scale): the seeds and the test collections. */
async function generationSources(): Promise<string[]> {
  const fixtures = join('test', 'fixtures');
  return [
    'seeds',
    ...(await readdir(fixtures, { withFileTypes: true }))
      .filter((d) => d.isDirectory() && d.name !== 'hostile')
      .map((d) => join(fixtures, d.name)),
  ];
}

async function guildBench(guilds: number, docsPerGuild: number, dir: string, indexUrl?: string) {
  const embedder = await openEmbedder('use-lite', { notice: (l) => process.stderr.write(`${l}\n`) });
  const pool = indexUrl ? pgPool(indexUrl, 2) : undefined;
  try {
    // The base every server shows: the seeds, in the same store.
    const base = await openStore({ indexDir: join(dir, 'base-index'), indexUrl });
    await base.build({ corpusDir: 'seeds', embedder, stats: storedStats }).finally(() => base.close());
    const bar = await progressBar('Servers');
    const plan = await buildGuilds({
      guilds,
      docsPerGuild,
      embedder,
      sources: await generationSources(),
      guildsDir: join(dir, 'guilds'),
      store: pool && ((g) => openPgStore(indexUrl!, { scanMax: SCAN_MAX, collection: g, pool, checked: true })),
      progress: bar.update,
    }).finally(() => bar.stop());
    await writePlan(join(dir, 'plan.json'), plan);
    const child = spawnSync(
      process.execPath,
      ['dist/scripts/bench.js', '--guild-serve', dir, ...(indexUrl ? ['--index-url', indexUrl] : [])],
      { encoding: 'utf8', maxBuffer: 1 << 20 },
    );
    if (child.status !== 0) throw new Error(`the answering process failed: ${child.stderr.trim().split('\n').at(-1)}`);
    const served = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as Awaited<ReturnType<typeof guildServe>>;
    const { rss_mb, ...ask_ms } = served;
    return {
      guilds,
      documents: plan.documents,
      sentences: plan.sentences,
      build_ms: plan.build_ms,
      rss_mb,
      ask_ms,
      store: indexUrl ? 'postgres' : 'local',
    };
  } finally {
    await pool?.end();
  }
}

/** The answering half of --guilds: the bot's engines over what guildBench built in `dir`. */
async function guildServe(dir: string, indexUrl?: string) {
  const plan = await readPlan(join(dir, 'plan.json'));
  const base = await openEngine({
    corpusDir: 'seeds',
    indexDir: join(dir, 'base-index'),
    indexUrl,
    embedder: 'use-lite',
  });
  await base.ask('what was demanded'); // the embedder warm, as in a running bot
  const pool = indexUrl ? pgPool(indexUrl, 4) : undefined;
  const limit = loadConfig().GUILD_CACHE;
  const engines = guildEngines({
    source: pool ? pgGuildSource(indexUrl!, pool, SCAN_MAX) : localGuildSource(join(dir, 'guilds')),
    base: () => settled(base),
    baseEngine: base,
    open: (index) => createEngine(index, settled(base).embedder, settled(base).policy),
    limit,
    checkMs: 5000,
  });
  try {
    return await serveGuilds({ plan, engineFor: (g) => engines.engineFor(g), limit });
  } finally {
    await pool?.end();
    await base.close?.();
  }
}

function median(xs: number[]): number {
  return pct(xs, 0.5);
}
function round(x: number): number {
  return Math.round(x * 10) / 10;
}

/** Figures as one JSON object, or one `name  value` line each (an object value as JSON). */
function printFigures(figures: object, json: boolean | undefined, pad: number): void {
  process.stdout.write(
    json
      ? `${JSON.stringify(figures)}\n`
      : `${Object.entries(figures)
          .map(([k, v]) => `${k.padEnd(pad)} ${typeof v === 'object' ? JSON.stringify(v) : v}`)
          .join('\n')}\n`,
  );
}
