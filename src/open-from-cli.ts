import { loadConfig } from './config.js';
import { openEngine, type EngineOptions } from './engine.js';
import { progressBar } from './cli.js';
import type { Engine } from './types.js';

/**
 * Opens the engine the way every script does: directories from flags, else from the
 * environment (.env), notices on stderr, a progress bar when a build runs on a terminal.
 */
export async function openEngineFromCli(flags: { corpus?: string; index?: string; embedder?: string }, extra: Partial<EngineOptions> = {}): Promise<Engine> {
  const config = loadConfig();
  const bar = await progressBar('Embedding');
  try {
    return await openEngine({
      corpusDir: flags.corpus ?? config.CORPUS_DIR,
      indexDir: flags.index ?? config.INDEX_DIR,
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
