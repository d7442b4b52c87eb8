/**
 * `npm run index`'s first step: the collection's web sources synced into its folder (see
 * live/web-sources.ts), with a progress bar on a terminal (pages/s, ETA) and one summary line.
 * A collection with nothing from the web costs one read of sources.json and sends no request.
 */
import { progressBar } from './args.js';
import type { Config } from '../core/config.js';
import { createLogger } from '../core/log.js';
import { collectionEditor, readSources } from '../live/collection.js';
import { webPages } from '../live/web-sync.js';
import { webSourcesFromConfig } from '../live/web-sources.js';
import { FOLLOW_KEY } from '../ingest/web/sources-file.js';

export async function syncWeb(config: Config, corpusDir: string, quiet: boolean): Promise<void> {
  const sources = await readSources(corpusDir).catch(() => undefined);
  if (!sources || (!(sources[FOLLOW_KEY] ?? []).length && !webPages(sources).length)) return;
  const web = webSourcesFromConfig(config, {
    editor: collectionEditor(corpusDir, Math.floor(config.UPLOAD_MAX_MB * 1024 * 1024)),
    // The build that follows indexes everything at once.
    refresh: async () => ({ ok: true, changed: false }),
    log: createLogger({ level: config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL }),
  });
  const bar = await progressBar('Fetching', { quiet, unit: 'pages' });
  try {
    const r = await web.sync({ progress: bar.update }).finally(bar.stop);
    process.stdout.write(
      `Synced ${r.followed} followed URLs and ${r.pages} pages in ${(r.ms / 1000).toFixed(1)} s: ${r.added.length} added, ${r.changed.length} changed, ${r.removed.length} removed${r.errors ? `, ${r.errors} errors (see npm start's /sources feeds)` : ''}\n`,
    );
  } finally {
    await web.close();
  }
}
