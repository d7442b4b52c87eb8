/**
 * npm start: load the configuration, open the engine (building the index when it is missing or
 * stale; notices on stderr), then log in as the bot when DISCORD_TOKEN is set, else run the local
 * console on stdin. SIGINT/SIGTERM: finish in-flight answers (bounded wait), destroy the client, exit 0.
 */
import { ConfigError, loadConfig, requestedCorpus, type Config } from '../src/core/config.js';
import { runConsole } from '../src/cli/console.js';
import { startBot } from '../src/discord/client.js';
import { createLogger, redact } from '../src/core/log.js';
import { urlCredentials } from '../src/core/url.js';
import { watchEventLoop } from '../src/core/loop.js';
import { collectionEditor } from '../src/live/collection.js';
import { openEngine, type SharedEngine } from '../src/engine/engine.js';
import { openFeedbackStore } from '../src/feedback/open.js';
import { followerCollection, indexWriter, openLiveCollection, sharedCollection } from '../src/live/live.js';
import { isShardProcess, startShards } from '../src/discord/shards.js';
import { fileURLToPath } from 'node:url';

function fail(message: string, secrets: (string | undefined)[] = []): never {
  process.stderr.write(`${redact(message, secrets).split('\n')[0]}\n`);
  process.exit(1);
}

/** Set once the bot is logged in; a signal before that (building, logging in) simply exits. */
let stopping: ((signal: string) => void) | undefined;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => (stopping ? stopping(signal) : process.exit(0)));
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message);
    throw err;
  }
  // The token, and the database's credentials however spelled: never in a log line.
  const secrets = [config.DISCORD_TOKEN, ...urlCredentials(config.INDEX_URL)];
  const log = createLogger({ level: config.LOG_LEVEL, secrets });
  process.on('unhandledRejection', (err) =>
    log.error('unhandled_rejection', { error: redact(String(err), secrets).slice(0, 500) }),
  );
  const engineOpts = {
    corpusDir: requestedCorpus(config),
    indexDir: config.INDEX_DIR,
    indexUrl: config.INDEX_URL,
    pollMs: config.INDEX_POLL_S * 1000,
    scanMax: config.INDEX_SCAN_MAX,
    embedder: config.EMBEDDER,
    modelDir: config.MODEL_DIR,
    notice: (line: string) => process.stderr.write(`${redact(line, secrets)}\n`),
  };
  // A shard process on local files never writes the index: the process that started it does.
  const follower = isShardProcess() && !config.INDEX_URL;
  let opened;
  try {
    opened = await openEngine({ ...engineOpts, readOnly: follower });
  } catch (err) {
    fail(`Could not open the collection: ${err instanceof Error ? err.message : String(err)}`, secrets);
  }
  if (config.SHARDS && config.DISCORD_TOKEN && !isShardProcess()) {
    // The index is built or updated above, once. On local files this process stays its one
    // writer: it watches the collection and writes new generations, which the shards follow.
    // On a shared store the writer is npm run index (or a shard's /sources add).
    const writer = config.INDEX_URL
      ? undefined
      : indexWriter({ ...engineOpts, corpusDir: opened.corpusDir }, opened.embedderId, { log });
    await opened.close?.();
    if (config.SHARDS === '0') fail('Bad setting SHARDS: must be auto or at least 1.');
    const shards = await startShards({
      script: fileURLToPath(import.meta.url),
      token: config.DISCORD_TOKEN,
      shards: config.SHARDS === 'auto' ? 'auto' : Number(config.SHARDS),
      log,
    }).catch((err: unknown) =>
      fail(`Could not start the shards: ${err instanceof Error ? err.message : String(err)}`, secrets),
    );
    stopping = (signal: string) => {
      log.info('shutdown', { signal, shards: true });
      // A build under way is stopped and waited for: exiting inside it would abort the process.
      void Promise.all([
        writer?.close(config.SHUTDOWN_WAIT_S * 1000),
        shards.stop(config.SHUTDOWN_WAIT_S * 1000 + 5000),
      ]).finally(() => process.exit(0));
    };
    return;
  }
  // Files added, changed or removed while running are re-indexed in the background. On a shared
  // store the writer (npm run index) re-indexes and every process picks up its generations; a
  // shard on local files follows the generations its parent process writes.
  const collectionOpts = { ...engineOpts, corpusDir: opened.corpusDir };
  const live = config.INDEX_URL
    ? sharedCollection(opened as SharedEngine, collectionOpts, { log })
    : follower
      ? followerCollection(
          opened as SharedEngine,
          { corpusDir: opened.corpusDir, indexDir: config.INDEX_DIR },
          { waitMs: config.INDEX_WAIT_S * 1000, log },
        )
      : openLiveCollection(opened, collectionOpts, { log });
  const engine = live.engine;
  const feedback = openFeedbackStore(config);
  const collection = {
    editor: collectionEditor(opened.corpusDir, Math.floor(config.UPLOAD_MAX_MB * 1024 * 1024)),
    refresh: engine.refresh,
  };

  if (!config.DISCORD_TOKEN) {
    await runConsole({
      engine,
      input: process.stdin,
      output: (text) => process.stdout.write(text + '\n'),
      prompt: process.stdin.isTTY ? '> ' : undefined,
      feedback,
      collection,
      log,
    });
    await live.close();
    await feedback.close();
    process.exit(0);
  }

  const running = await startBot({
    token: config.DISCORD_TOKEN,
    engine,
    restUrl: config.DISCORD_REST_URL,
    rateLimit: { count: config.RATE_LIMIT_COUNT, windowS: config.RATE_LIMIT_WINDOW_S },
    guildEditsPerHour: config.GUILD_EDITS_PER_HOUR,
    answerQueueMax: config.ANSWER_QUEUE_MAX,
    log,
    feedback,
    collection,
  }).catch((err: unknown) => fail(err instanceof Error ? err.message : String(err), secrets));
  const stopWatchingLoop = watchEventLoop(log, { reportS: config.EVENT_LOOP_REPORT_S });

  stopping = (signal: string) => {
    log.info('shutdown', { signal, in_flight: running.router.busy });
    stopWatchingLoop();
    const closing = live.close(); // a rebuild under way is stopped and waited for (see build-worker.ts)
    void running
      .stop(config.SHUTDOWN_WAIT_S * 1000)
      .then(() => Promise.all([closing, feedback.close()]))
      .catch((err: unknown) => log.error('shutdown_failed', { error: redact(String(err), secrets) }))
      .finally(() => process.exit(0));
  };
}

main().catch((err: unknown) => {
  fail(`Fatal: ${err instanceof Error ? err.message : String(err)}`, [process.env.DISCORD_TOKEN]);
});
