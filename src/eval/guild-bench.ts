/**
 * The many-servers benchmark: N servers with M generated documents each (about 10 sentences, made
 * as `--scale` makes them: fixture sentences recombined), each server's own index built beside
 * the base (seeds), in local folders or in the shared store. Then a fresh process answers as the
 * bot does (guild-engines.ts: engines loaded on first use, kept in the LRU): the first question of
 * a server not yet loaded (cold: its index read and opened) and questions of loaded servers
 * (warm), and its resident memory. Sentences are drawn from a shared pool, and the build's
 * embedder remembers the vectors of texts it has seen, so the build costs embedding the pool
 * once: what is measured is building and answering, not the encoder.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CacheLimit } from '../core/config.js';
import type { Embedder } from '../embed/embedder.js';
import { buildIndex } from '../index/build.js';
import { guildPaths } from '../index/guild-folder.js';
import type { IndexStore } from '../index/types.js';
import { storedStats } from '../retrieve/stats.js';
import { pct, random, recombine, sourceSentences } from './scale-bench.js';

export interface GuildFigures {
  guilds: number;
  documents: number;
  sentences: number;
  build_ms: number;
  rss_mb: number;
  ask_ms: { cold_p50: number; cold_p95: number; warm_p50: number; warm_p95: number };
  store: 'local' | 'postgres';
}

/** What the build leaves for the process that answers: the servers and a question for each. */
export interface GuildPlan {
  guilds: string[];
  questions: Record<string, string>;
  documents: number;
  sentences: number;
  build_ms: number;
}

const SENTENCES_PER_DOC = 10;
const PER_PARAGRAPH = 3;
/** Distinct sentences the documents are drawn from (their vectors are computed once). */
const POOL = 20_000;

/** An embedder that remembers every text's vector (documents only; questions are always embedded). */
export function rememberingEmbedder(inner: Embedder): Embedder {
  const seen = new Map<string, number[]>();
  return {
    id: inner.id,
    dims: inner.dims,
    runtime: inner.runtime,
    async embed(texts, opts) {
      if (opts?.query) return inner.embed(texts, opts);
      const missing = [...new Set(texts.filter((t) => !seen.has(t)))];
      if (missing.length) (await inner.embed(missing)).forEach((v, i) => seen.set(missing[i]!, v));
      return texts.map((t) => seen.get(t)!);
    },
  };
}

/** Server ids for the benchmark (snowflakes, as Discord's). */
export const benchGuild = (i: number) => String(100_000_000_000_000_000n + BigInt(i));

/**
 * Writes every server's documents into `guildsDir/<id>/docs/` and builds its index: in its folder
 * (`store` undefined), or in the shared store (`store(id)`).
 */
export async function buildGuilds(opts: {
  guilds: number;
  docsPerGuild: number;
  embedder: Embedder;
  sources: string[];
  guildsDir: string;
  store?: (guild: string) => IndexStore;
  progress?: (done: number, total: number) => void;
}): Promise<GuildPlan> {
  const source = await sourceSentences(opts.sources);
  const pool = recombine(source, Math.min(POOL, opts.guilds * opts.docsPerGuild * SENTENCES_PER_DOC), 3);
  const embedder = rememberingEmbedder(opts.embedder);
  const plan: GuildPlan = { guilds: [], questions: {}, documents: 0, sentences: 0, build_ms: 0 };
  const t0 = performance.now();
  for (let g = 0; g < opts.guilds; g++) {
    const guild = benchGuild(g);
    const rnd = random(1000 + g);
    const { docs, index } = guildPaths(opts.guildsDir, guild);
    await mkdir(docs, { recursive: true });
    for (let d = 0; d < opts.docsPerGuild; d++) {
      const sentences = Array.from({ length: SENTENCES_PER_DOC }, () => pool[Math.floor(rnd() * pool.length)]!);
      const paragraphs: string[] = [];
      for (let p = 0; p < sentences.length; p += PER_PARAGRAPH)
        paragraphs.push(sentences.slice(p, p + PER_PARAGRAPH).join(' '));
      await writeFile(join(docs, `doc-${d}.txt`), `Server ${g} note ${d + 1}\n\n${paragraphs.join('\n\n')}\n`);
      // The server's question: the start of one of its own sentences.
      if (d === 0) plan.questions[guild] = sentences[1]!.split(' ').slice(0, 9).join(' ') + '?';
    }
    const store = opts.store?.(guild);
    // As the writer's build worker does: the statistics stored with the new generation.
    const report = store
      ? await store.build({ corpusDir: docs, embedder, stats: storedStats }).finally(() => store.close())
      : await buildIndex({ corpusDir: docs, indexDir: index, embedder, stats: storedStats });
    plan.guilds.push(guild);
    plan.documents += report.docs;
    plan.sentences += report.sentences;
    opts.progress?.(g + 1, opts.guilds);
  }
  plan.build_ms = Math.round(performance.now() - t0);
  return plan;
}

export async function writePlan(path: string, plan: GuildPlan): Promise<void> {
  await writeFile(path, JSON.stringify(plan));
}
export async function readPlan(path: string): Promise<GuildPlan> {
  return JSON.parse(await readFile(path, 'utf8')) as GuildPlan;
}

/** Cold: the first question of servers not yet loaded; warm: questions of servers loaded. */
const COLD = 200;
const WARM = 1000;
/** Servers answered first and not counted: a running bot's code is compiled and warm. */
const WARM_UP = 20;

/**
 * Answers as the bot does and times it: `engineFor(guild)` then `ask`. Run in a process of its own
 * (nothing of the build in memory), so `rss_mb` is what a bot serving these servers holds.
 */
export async function serveGuilds(opts: {
  plan: GuildPlan;
  engineFor: (guild: string) => Promise<{ ask(q: string): Promise<unknown> }>;
  limit: CacheLimit;
}): Promise<GuildFigures['ask_ms'] & { rss_mb: number }> {
  const rnd = random(7);
  const order = [...opts.plan.guilds].sort(() => rnd() - 0.5);
  const cold: number[] = [];
  const warm: number[] = [];
  const warmUp = order.length > WARM_UP * 2 ? order.splice(0, WARM_UP) : [];
  for (const guild of warmUp) await (await opts.engineFor(guild)).ask(opts.plan.questions[guild]!);
  const loaded = order.slice(0, Math.min(COLD, order.length));
  for (const guild of loaded) {
    const t = performance.now();
    await (await opts.engineFor(guild)).ask(opts.plan.questions[guild]!);
    cold.push(performance.now() - t);
  }
  // Warm: servers whose engines the cache still holds (the most recently used ones).
  const cached = 'engines' in opts.limit ? loaded.slice(-opts.limit.engines) : loaded.slice(-50);
  for (let i = 0; i < WARM; i++) {
    const guild = cached[Math.floor(rnd() * cached.length)]!;
    const t = performance.now();
    await (await opts.engineFor(guild)).ask(opts.plan.questions[guild]!);
    warm.push(performance.now() - t);
  }
  const r = (x: number) => Math.round(x * 10) / 10;
  return {
    cold_p50: r(pct(cold, 0.5)),
    cold_p95: r(pct(cold, 0.95)),
    warm_p50: r(pct(warm, 0.5)),
    warm_p95: r(pct(warm, 0.95)),
    rss_mb: Math.round(process.memoryUsage().rss / 2 ** 20),
  };
}
