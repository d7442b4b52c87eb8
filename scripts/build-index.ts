/**
 * npm run index -- [--corpus DIR] [--index DIR | --index-url postgres://…] [--embedder auto|use-lite|transformers:<model>] [--quiet] [--offline]
 * Builds (or updates) the index; only changed files are embedded again. On a terminal a progress
 * bar shows sentences/s and the ETA; with --quiet (or not on a terminal) only the summary line.
 * First the collection's web sources are synced (sources.json's `follow` list and the pages fetched
 * before: new items added, changed pages fetched again, pages gone removed), unless --offline.
 */
import { loadConfig } from '../src/core/config.js';
import { checkEmbedderFlag, progressBar, parseCli, runMain } from '../src/cli/args.js';
import { openEmbedder } from '../src/embed/select.js';
import { openStore } from '../src/index/store.js';
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
    },
  });
  checkEmbedderFlag(values.embedder);
  const config = loadConfig();
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
    const r = await store.build({ corpusDir, embedder, progress: bar.update, notice }).finally(() => bar.stop());
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
