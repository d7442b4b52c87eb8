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
import { openFeedbackStore } from '../src/feedback/open.js';
import { followerCollection, indexWriter, openLiveCollection, sharedCollection } from '../src/live/live.js';
import { fetchFromConfig, webSourcesFromConfig } from '../src/live/web-sources.js';
import { isShardProcess, parentChannel, startShards, type ShardChannel } from '../src/discord/shards.js';
import type { GuildEdit } from '../src/live/guild-edit.js';
import { SCAN_MAX } from '../src/index/store.js';
import { localGuildWriter } from '../src/live/guild-writer.js';
import { localGuildSource } from '../src/live/guild-engines.js';
import { channelSubmit, followUpdates, guildsOver, serveChannel, tellUpdated } from '../src/live/guilds.js';
import { fileURLToPath } from 'node:url';
import { type SharedEngine } from '../src/engine/shared.js';
import { openEngine } from '../src/engine/open.js';
// ops (issue 24): health and metrics endpoints, the question log.
import { createProcessOps } from '../src/ops/state.js';
import type { OpsServer } from '../src/ops/http.js';
import { serveOwn, serveShards, watchBot } from '../src/discord/ops.js';
import { openQuestionLog } from '../src/feedback/questions-open.js';
import { keepPruned } from '../src/feedback/questions.js';
import type { RunningShards } from '../src/discord/shards.js';

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
  // ops: this process's metrics and health; served on HTTP_PORT by the process Discord does not start.
  const ops = createProcessOps();
  const onRefresh = (r: Parameters<typeof ops.rebuilt>[0], seconds: number) => ops.rebuilt(r, seconds);
  const httpAt = config.HTTP_PORT === undefined ? undefined : { host: config.HTTP_HOST, port: config.HTTP_PORT };
  const serve = (start: () => Promise<OpsServer>) =>
    start().catch((err: unknown) =>
      fail(
        `Could not serve HTTP on ${httpAt?.host}:${httpAt?.port}: ${err instanceof Error ? err.message : String(err)}`,
      ),
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
      : indexWriter({ ...engineOpts, corpusDir: opened.corpusDir }, opened.embedderId, { log, onRefresh });
    // The one writer keeps the web sources in sync too (the shards only add by URL).
    const parentWeb =
      writer && webSources(config, { editor: editorFor(config, opened.corpusDir), refresh: writer.refresh, log });
    parentWeb?.start();
    // Servers' collections on local files: this process applies every shard's edits, one at a time.
    const guildWriter = config.INDEX_URL
      ? undefined
      : localGuildWriter(guildWriterOptions(config, opened.embedderId, log));
    // On a shared store this process is one of the candidates for the writer's lease.
    const pgWriter = config.INDEX_URL ? await sharedGuildWriter(config, opened.embedderId, log) : undefined;
    const channels: ShardChannel[] = [];
    const apply = async (edit: GuildEdit) => {
      const outcome = await guildWriter!.apply(edit);
      if (outcome.ok) tellUpdated(channels, edit.guild);
      return outcome;
    };
    await opened.close?.();
    if (config.SHARDS === '0') fail('Bad setting SHARDS: must be auto or at least 1.');
    const started: { shards?: RunningShards } = {};
    const server = httpAt && (await serve(() => serveShards(ops, () => started.shards?.manager, httpAt, log)));
    const shards = await startShards({
      script: fileURLToPath(import.meta.url),
      token: config.DISCORD_TOKEN,
      shards: config.SHARDS === 'auto' ? 'auto' : Number(config.SHARDS),
      log,
      onShard: (channel) => {
        channels.push(channel);
        if (guildWriter)
          serveChannel(channel, apply, (err) =>
            log.error('guild_edit_failed', { error: redact(String(err), secrets).slice(0, 300) }),
          );
      },
    }).catch((err: unknown) =>
      fail(`Could not start the shards: ${err instanceof Error ? err.message : String(err)}`, secrets),
    );
    started.shards = shards;
    stopping = (signal: string) => {
      log.info('shutdown', { signal, shards: true });
      void server?.close();
      // A build under way is stopped and waited for: exiting inside it would abort the process.
      void Promise.all([
        parentWeb?.close(),
        writer?.close(config.SHUTDOWN_WAIT_S * 1000),
        guildWriter?.close(config.SHUTDOWN_WAIT_S * 1000),
        pgWriter?.close(config.SHUTDOWN_WAIT_S * 1000),
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
    ? sharedCollection(opened as SharedEngine, collectionOpts, { log, onRefresh })
    : follower
      ? followerCollection(
          opened as SharedEngine,
          { corpusDir: opened.corpusDir, indexDir: config.INDEX_DIR },
          { waitMs: config.INDEX_WAIT_S * 1000, log },
        )
      : openLiveCollection(opened, collectionOpts, { log, onRefresh });
  const engine = live.engine;
  const feedback = openFeedbackStore(config);
  const questions = openQuestionLog(config);
  const stopPruning = questions
    ? keepPruned(questions, config.QUESTION_RETENTION_DAYS, {
        onPruned: (removed) =>
          log.info('questions_pruned', { removed, retention_days: config.QUESTION_RETENTION_DAYS }),
        onError: (err) => log.warn('questions_prune_failed', { error: redact(String(err), secrets).slice(0, 200) }),
      })
    : () => {};
  const editor = editorFor(config, opened.corpusDir);
  const web = webSources(config, { editor, refresh: engine.refresh, log });
  // A shard on local files adds by URL; its parent process syncs.
  if (!follower) web.start();
  const collection = { editor, refresh: engine.refresh, web };

  if (!config.DISCORD_TOKEN) {
    // The console is the operator's tool on the base collection (files and web sources).
    await runConsole({
      engine,
      input: process.stdin,
      output: (text) => process.stdout.write(text + '\n'),
      prompt: process.stdin.isTTY ? '> ' : undefined,
      feedback,
      collection,
      log,
      questions,
    });
    stopPruning();
    await web.close();
    await live.close();
    await feedback.close();
    await questions?.close();
    process.exit(0);
  }

  const server = httpAt && !isShardProcess() ? await serve(() => serveOwn(ops, httpAt, log)) : undefined;
  // Servers' own collections: edits go to the one writer (this process, or the one that started
  // the shards); engines load on first use.
  const channel = parentChannel();
  const waitMs = config.INDEX_WAIT_S * 1000;
  const shared = config.INDEX_URL ? await sharedGuilds(config, waitMs) : undefined;
  const guildWriter =
    follower || shared ? undefined : localGuildWriter(guildWriterOptions(config, opened.embedderId, log));
  // On a shared store a process started on its own competes for the writer's lease (shards leave it to their parent).
  const pgWriter = shared && !isShardProcess() ? await sharedGuildWriter(config, opened.embedderId, log) : undefined;
  const guilds = guildsOver({
    base: engine,
    source: shared?.source ?? localGuildSource(config.GUILDS_DIR),
    submit: shared?.submit ?? (guildWriter ? guildWriter.apply : channelSubmit(channel!, waitMs)),
    limits: guildLimits(config),
    cache: config.GUILD_CACHE,
    checkMs: config.INDEX_POLL_S * 1000,
    waitMs,
    log,
  });
  if (channel) followUpdates(channel, guilds);
  const running = await startBot({
    token: config.DISCORD_TOKEN,
    engine,
    restUrl: config.DISCORD_REST_URL,
    rateLimit: { count: config.RATE_LIMIT_COUNT, windowS: config.RATE_LIMIT_WINDOW_S },
    answerQueueMax: config.ANSWER_QUEUE_MAX,
    log,
    feedback,
    collection,
    questions,
    metrics: ops.metrics,
    guilds,
  }).catch((err: unknown) => fail(err instanceof Error ? err.message : String(err), secrets));
  watchBot(ops, running, engine, { shard: isShardProcess() });
  const stopWatchingLoop = watchEventLoop(log, { reportS: config.EVENT_LOOP_REPORT_S });

  stopping = (signal: string) => {
    log.info('shutdown', { signal, in_flight: running.router.busy });
    stopWatchingLoop();
    // A rebuild under way is stopped and waited for (see build-worker.ts).
    const closing = Promise.all([
      web.close().then(() => live.close()),
      guildWriter?.close(config.SHUTDOWN_WAIT_S * 1000),
      pgWriter?.close(config.SHUTDOWN_WAIT_S * 1000).then(() => shared?.pool.end()),
    ]);
    stopPruning();
    void server?.close();
    void running
      .stop(config.SHUTDOWN_WAIT_S * 1000)
      .then(() => Promise.all([closing, feedback.close(), questions?.close()]))
      .catch((err: unknown) => log.error('shutdown_failed', { error: redact(String(err), secrets) }))
      .finally(() => process.exit(0));
  };
}

function editorFor(config: Config, corpusDir: string) {
  return collectionEditor(corpusDir, Math.floor(config.UPLOAD_MAX_MB * 1024 * 1024));
}

/** The web sources of the collection (a bad FETCH_ALLOW_HOSTS stops the start with one line). */
function webSources(config: Config, collection: Parameters<typeof webSourcesFromConfig>[1]) {
  try {
    return webSourcesFromConfig(config, collection);
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message);
    throw err;
  }
}

function guildLimits(config: Config) {
  return {
    maxDocs: config.GUILD_MAX_DOCS,
    maxBytes: Math.floor(config.GUILD_MAX_MB * 1024 * 1024),
    uploadMaxBytes: Math.floor(config.UPLOAD_MAX_MB * 1024 * 1024),
    editsPerHour: config.GUILD_EDITS_PER_HOUR,
  };
}

function guildWriterOptions(config: Config, embedderId: string, log: ReturnType<typeof createLogger>) {
  const limits = guildLimits(config);
  let fetch;
  try {
    fetch = fetchFromConfig(config);
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message);
    throw err;
  }
  return {
    // Servers' sources from the web: a long listing replies with its progress well before the edit's wait ends.
    web: {
      fetch,
      syncIntervalMs: config.SYNC_INTERVAL_S * 1000,
      replyWithinMs: Math.min(60_000, (config.INDEX_WAIT_S * 1000) / 2),
    },
    guildsDir: config.GUILDS_DIR,
    embedderId,
    modelDir: config.MODEL_DIR,
    uploadMaxBytes: limits.uploadMaxBytes,
    quota: { maxDocs: limits.maxDocs, maxTotalBytes: limits.maxBytes },
    log,
  };
}

/** Servers' collections in the shared store: read, and edits queued, through one small pool. */
async function sharedGuilds(config: Config, waitMs: number) {
  const { pgPool } = await import('../src/index/pg-store.js');
  const { pgGuildSource, pgSubmit } = await import('../src/live/pg-guilds.js');
  const pool = pgPool(config.INDEX_URL!, 4);
  const scanMax = config.INDEX_SCAN_MAX ?? SCAN_MAX;
  return { pool, source: pgGuildSource(config.INDEX_URL!, pool, scanMax), submit: pgSubmit(pool, waitMs) };
}

async function sharedGuildWriter(config: Config, embedderId: string, log: ReturnType<typeof createLogger>) {
  const { pgPool } = await import('../src/index/pg-store.js');
  const { pgWriterLoop } = await import('../src/live/pg-guilds.js');
  const pool = pgPool(config.INDEX_URL!, 2);
  const loop = pgWriterLoop({
    ...guildWriterOptions(config, embedderId, log),
    url: config.INDEX_URL!,
    pool,
    scanMax: config.INDEX_SCAN_MAX ?? SCAN_MAX,
  });
  return { close: (waitMs: number) => loop.close(waitMs).finally(() => pool.end()) };
}

main().catch((err: unknown) => {
  fail(`Fatal: ${err instanceof Error ? err.message : String(err)}`, [process.env.DISCORD_TOKEN]);
});
