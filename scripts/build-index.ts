/**
 * npm run index -- [--corpus DIR] [--index DIR | --index-url postgres://…] [--embedder auto|use-lite|transformers:<model>] [--quiet] [--offline]
 * Builds (or updates) the index; only changed files are embedded again. On a terminal a progress
 * bar shows sentences/s and the ETA; with --quiet (or not on a terminal) only the summary line.
 * First the collection's web sources are synced (sources.json's `follow` list and the pages fetched
 * before: new items added, changed pages fetched again, pages gone removed), unless --offline.
 * npm run index -- --guild SERVER_ID [--index-url postgres://…]
 * With --guild, a server's own collection instead: from GUILDS_DIR/<id>/docs/ (files moved there
 * by hand, say), with the base's embedder; on a shared store its files are stored there too.
 */
import { loadConfig } from '../src/core/config.js';
import { checkEmbedderFlag, progressBar, parseCli, runMain, UsageError } from '../src/cli/args.js';
import { isGuildId } from '../src/core/guild.js';
import { buildIndex } from '../src/index/build.js';
import { storedStats } from '../src/retrieve/stats.js';
import { guildPaths } from '../src/index/guild-folder.js';
import { openStore, SCAN_MAX } from '../src/index/store.js';
import { listCollection } from '../src/ingest/load.js';
import { openEmbedder } from '../src/embed/select.js';
import { indexUrlOf } from '../src/cli/open.js';
import { syncWeb } from '../src/cli/sync-web.js';

runMain(async () => {
  const { values } = parseCli({
    options: {
      corpus: { type: 'string' },
      index: { type: 'string' },
      'index-url': { type: 'string' },
      embedder: { type: 'string' },
      quiet: { type: 'boolean', default: false },
      offline: { type: 'boolean', default: false },
      guild: { type: 'string' },
    },
  });
  checkEmbedderFlag(values.embedder);
  const config = loadConfig();
  if (values.guild !== undefined) return buildGuild(values.guild, indexUrlOf(values, config.INDEX_URL));
  const corpusDir = values.corpus ?? config.CORPUS_DIR;
  if (!values.offline) await syncWeb(config, corpusDir, values.quiet);
  const store = await openStore({
    indexDir: values.index ?? config.INDEX_DIR,
    indexUrl: indexUrlOf(values, config.INDEX_URL),
  });
  try {
    // Keep the embedder of an existing index unless another one is asked for.
    let spec = values.embedder ?? config.EMBEDDER;
    if (spec === 'auto') spec = (await store.manifest().catch(() => undefined))?.embedder ?? 'auto';
    const embedder = await openEmbedder(spec, {
      modelDir: config.MODEL_DIR,
      notice: (l) => process.stderr.write(`${l}\n`),
    });
    const bar = await progressBar('Embedding', { quiet: values.quiet });
    const notice = (l: string) => process.stderr.write(`${l}\n`);
    const r = await store
      .build({ corpusDir, embedder, progress: bar.update, notice, stats: storedStats })
      .finally(() => bar.stop());
    process.stdout.write(
      `Indexed ${r.docs} documents${r.skipped.length ? ` (${r.skipped.length} skipped)` : ''}: ${r.chunks} passages, ${r.sentences} sentences (${r.embedded} embedded, ${r.reused} reused) with ${embedder.id} in ${(r.ms / 1000).toFixed(1)} s${rate(r)} → ${store.where}\n`,
    );
  } finally {
    await store.close();
  }
});

function rate(r: { embedded: number; embedMs: number }): string {
  return r.embedded > 0 && r.embedMs > 0 ? ` (${Math.round((r.embedded / r.embedMs) * 1000)} sentences/s)` : '';
}

/** A server's own collection, from its folder: built, its statistics stored (and its files, on a shared store). */
async function buildGuild(guild: string, indexUrl: string | undefined): Promise<void> {
  if (!isGuildId(guild)) throw new UsageError('--guild takes a server id (a Discord snowflake, digits only).');
  const config = loadConfig();
  const { docs, index } = guildPaths(config.GUILDS_DIR, guild);
  const base = await openStore({ indexDir: config.INDEX_DIR, indexUrl });
  const manifest = await base.manifest().finally(() => base.close());
  if (!manifest) throw new UsageError('Build the base collection first (npm run index): servers use its embedder.');
  const embedder = await openEmbedder(manifest.embedder, { modelDir: config.MODEL_DIR });
  const notice = (l: string) => process.stderr.write(`${l}\n`);
  let r;
  if (indexUrl) {
    const { pgPool, openPgStore } = await import('../src/index/pg-store.js');
    const { pgBackend } = await import('../src/live/pg-guilds.js');
    const pool = pgPool(indexUrl, 2);
    try {
      const backend = pgBackend(indexUrl, pool, config.INDEX_SCAN_MAX ?? SCAN_MAX);
      for (const name of await listCollection(docs)) await backend.saved(guild, docs, { added: name });
      const store = openPgStore(indexUrl, { scanMax: config.INDEX_SCAN_MAX ?? SCAN_MAX, collection: guild, pool });
      r = await store.build({ corpusDir: docs, embedder, notice, stats: storedStats });
    } finally {
      await pool.end();
    }
  } else {
    r = await buildIndex({ corpusDir: docs, indexDir: index, embedder, notice, stats: storedStats });
  }
  process.stdout.write(
    `Indexed ${r.docs} documents of server ${guild}: ${r.chunks} passages, ${r.sentences} sentences (${r.embedded} embedded, ${r.reused} reused) in ${(r.ms / 1000).toFixed(1)} s\n`,
  );
}
