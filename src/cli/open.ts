import { isPostgresUrl, loadConfig, requestedCorpus } from '../core/config.js';
import { progressBar, UsageError } from './args.js';
import type { Engine } from '../core/types.js';
import { type EngineOptions } from '../engine/options.js';
import { openEngine } from '../engine/open.js';

/**
 * Opens the engine the way every script does: directories from flags, else from the
 * environment (.env), notices on stderr, a progress bar when a build runs on a terminal.
 */
export async function openEngineFromCli(
  flags: { corpus?: string; index?: string; 'index-url'?: string; embedder?: string },
  extra: Partial<EngineOptions> = {},
): Promise<Engine> {
  const config = loadConfig();
  const bar = await progressBar('Embedding');
  try {
    return await openEngine({
      corpusDir: flags.corpus ?? requestedCorpus(config),
      indexDir: flags.index ?? config.INDEX_DIR,
      indexUrl: indexUrlOf(flags, config.INDEX_URL),
      pollMs: config.INDEX_POLL_S * 1000,
      scanMax: config.INDEX_SCAN_MAX,
      embedder: flags.embedder ?? config.EMBEDDER,
      modelDir: config.MODEL_DIR,
      notice: (line) => process.stderr.write(`${line}\n`),
      progress: bar.update,
      ...extra,
    });
  } finally {
    bar.stop();
  }
}

/**
 * The shared store a command uses: `--index-url`, else INDEX_URL unless `--index` names a
 * folder. A malformed URL is a usage error that never echoes it (it may hold a password).
 */
export function indexUrlOf(
  flags: { index?: string; 'index-url'?: string },
  envUrl: string | undefined,
): string | undefined {
  const url = flags['index-url'];
  if (url !== undefined) {
    if (flags.index !== undefined) throw new UsageError('Give either --index DIR or --index-url URL, not both.');
    if (!isPostgresUrl(url))
      throw new UsageError('--index-url must be a postgres://user:password@host:port/database URL.');
    return url;
  }
  return flags.index === undefined ? envUrl : undefined;
}
