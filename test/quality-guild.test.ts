/**
 * Quality unchanged when the same documents sit in a server's collection: for every set of
 * eval/sets.json, its collection copied into a server's folder (its index built there, its
 * statistics stored as the writer stores them, the base hidden in that server) answers every
 * question exactly as the collection does on its own, through the engine the bot uses in a server.
 */
import { cp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Answer } from '../src/core/types.js';
import { createEngine } from '../src/engine/create.js';
import { openEngine, type OpenedEngine } from '../src/engine/open.js';
import { readEvalSet, runEval } from '../src/eval/eval.js';
import { readEvalManifest } from '../src/eval/sets.js';
import { buildIndex } from '../src/index/build.js';
import { storedStats } from '../src/retrieve/stats.js';
import { guildPaths, writeGuildSettings } from '../src/index/guild-folder.js';
import { guildEngines, localGuildSource } from '../src/live/guild-engines.js';
import { loadUseLiteOnce, REPO, SEEDS, tempDir } from './helpers/tmp-collection.js';

const root = await tempDir('quotebot-quality-guild-');
const guildsDir = join(root, 'guilds');
afterAll(() => rm(root, { recursive: true, force: true }));

const manifest = await readEvalManifest();
const collections = [...new Set(manifest.map((s) => s.collection))];
/** One server per collection. */
const guildOf = (c: string) => String(1_500_000_000_000_000_000n + BigInt(collections.indexOf(c)));

/** An answer without its timing and without the collection its citations are tagged with. */
const said = (a: Answer) => ({
  answered: a.answered,
  answer: a.answer,
  citations: a.citations.map(({ collection: _c, ...c }) => c),
  closest: a.closest.map(({ collection: _c, ...c }) => c),
});

let base: OpenedEngine;
beforeAll(async () => {
  base = await openEngine({ corpusDir: SEEDS, indexDir: join(root, 'base'), embedder: 'use-lite' });
});

describe.each(collections)('the collection %s as a server’s own', (collection) => {
  let plain: OpenedEngine;
  let engines: ReturnType<typeof guildEngines>;
  const guild = guildOf(collection);

  beforeAll(async () => {
    const dir = join(REPO, collection);
    plain = await openEngine({ corpusDir: dir, indexDir: join(root, 'plain', guild), embedder: 'use-lite' });
    const { docs, index } = guildPaths(guildsDir, guild);
    await cp(dir, docs, { recursive: true });
    await buildIndex({ corpusDir: docs, indexDir: index, embedder: await loadUseLiteOnce(), stats: storedStats });
    await writeGuildSettings(guildsDir, guild, { base: false });
    engines = guildEngines({
      source: localGuildSource(guildsDir),
      base: () => base,
      baseEngine: base,
      open: (i) => createEngine(i, base.embedder, base.policy),
      limit: { engines: 2 },
      checkMs: 60_000,
    });
  }, 300_000);

  test.each(manifest.filter((s) => s.collection === collection).map((s) => s.name))(
    'answers every question of %s exactly as the collection on its own',
    async (name) => {
      const items = await readEvalSet(manifest.find((s) => s.name === name)!.file);
      const server = await engines.engineFor(guild);
      expect(server).not.toBe(base);
      const questions = items.map((i) => i.q);
      const [a, b] = [await plain.askMany(questions), await server.askMany(questions)];
      expect(b.map(said)).toEqual(a.map(said));
      expect(b.flatMap((x) => x.citations).every((c) => c.collection === 'server')).toBe(true);
      const [ra, rb] = [await runEval(plain, items), await runEval(server, items)];
      expect(rb).toEqual(ra);
    },
    120_000,
  );
});
