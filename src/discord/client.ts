/**
 * The discord.js client and the running bot: client defaults (no mentions parsed, optional REST
 * base), the interaction router, login, and a graceful stop.
 */
import { once } from 'node:events';
import { Client, Events, GatewayIntentBits, type ClientOptions } from 'discord.js';
import type { Engine } from '../core/types.js';
import { createLogger, errorFields, redact, type Logger } from '../core/log.js';
import { AnswerQueue, type AnswerSource } from './queue.js';
import { ConversationStore } from './conversations.js';
import { editQuota, RateLimiter } from './ratelimit.js';
import { Router, loadCommands } from './router.js';
import type { BotContext } from './types.js';

export interface ClientSettings {
  /** REST base, e.g. `https://discord.com/api` or a proxy; discord.js appends `/v10`. */
  restUrl?: string;
}

export function createClient(settings: ClientSettings = {}, extra: Partial<ClientOptions> = {}): Client {
  return new Client({
    intents: [GatewayIntentBits.Guilds],
    allowedMentions: { parse: [] },
    ...extra,
    // Interaction callbacks and webhook edits are exempt from Discord's global limit, but
    // discord.js counts them against 50/s: a burst of answers would queue behind itself.
    // Real 429s are still honoured by discord.js.
    // Every interaction token is a REST route of its own, used once: let idle route handlers go
    // after 10 s instead of the default hour, or a busy bot holds an hour of them in memory.
    rest: {
      globalRequestsPerSecond: 250,
      handlerSweepInterval: 10_000,
      ...(settings.restUrl ? { api: settings.restUrl } : {}),
      ...extra.rest,
    },
  });
}

export interface BotOptions {
  token: string;
  engine: Engine;
  restUrl?: string;
  rateLimit?: { count: number; windowS: number };
  /** Questions waiting for an answer before new ones are turned away (default 256). */
  answerQueueMax?: number;
  log?: Logger;
  /** Replace the answer queue (e.g. a different batching policy). */
  answers?: AnswerSource;
  /** Votes on answers (👍 / 👎 buttons on public answers). */
  feedback?: BotContext['feedback'];
  /** Lets moderators add and remove documents (/sources add, /sources remove). */
  collection?: BotContext['collection'];
  /** The question log and the metrics (ops, issue 24). */
  questions?: BotContext['questions'];
  metrics?: BotContext['metrics'];
  /** Servers' own collections: per-server engines, and moderators' edits (/collection). */
  guilds?: BotContext['guilds'];
  clientOptions?: Partial<ClientOptions>;
  /** How long to wait for the gateway READY (ms). */
  readyTimeoutMs?: number;
}

export interface Bot {
  client: Client;
  router: Router;
  ctx: BotContext;
  /** Finish in-flight answers (bounded), then destroy the client. Resolves true when nothing was cut off. */
  stop(timeoutMs?: number): Promise<boolean>;
}

/** Vote clicks per member per minute (changing one's mind a few times is fine; a click loop is not). */
const VOTES_PER_MINUTE = 20;
/** Autocomplete calls per member per 10 s: typing a name is a burst of them, a script is many more. */
const AUTOCOMPLETES_PER_10S = 30;

export function createContext(
  opts: Pick<
    BotOptions,
    | 'engine'
    | 'rateLimit'
    | 'log'
    | 'answers'
    | 'feedback'
    | 'collection'
    | 'questions'
    | 'metrics'
    | 'guilds'
    | 'answerQueueMax'
  >,
): BotContext {
  const rate = opts.rateLimit ?? { count: 5, windowS: 30 };
  return {
    engine: opts.engine,
    answers: opts.answers ?? new AnswerQueue(opts.engine, { maxWaiting: opts.answerQueueMax }),
    limiter: new RateLimiter(rate.count, rate.windowS * 1000),
    autocompleteLimiter: new RateLimiter(AUTOCOMPLETES_PER_10S, 10_000),
    log: opts.log ?? createLogger(),
    feedback: opts.feedback,
    voteLimiter: opts.feedback ? new RateLimiter(VOTES_PER_MINUTE, 60_000) : undefined,
    collection: opts.collection,
    questions: opts.questions,
    metrics: opts.metrics,
    conversations: new ConversationStore(),
    guilds: opts.guilds,
    editLimiter: opts.guilds ? editQuota(opts.guilds.limits.editsPerHour) : undefined,
  };
}

/** Logs in and resolves once the client is ready to serve interactions. */
export async function startBot(opts: BotOptions): Promise<Bot> {
  const log = opts.log ?? createLogger({ secrets: [opts.token] });
  const ctx = createContext({ ...opts, log });
  const router = new Router(ctx, await loadCommands());
  const client = createClient({ restUrl: opts.restUrl }, opts.clientOptions);

  client.on(Events.InteractionCreate, (i) => void router.handle(i));
  client.on(Events.Error, (err) => log.error('client_error', errorFields(err)));
  client.on(Events.Warn, (msg) => log.warn('client_warning', { message: redact(msg, [opts.token]) }));
  client.on(Events.ShardDisconnect, (ev, shard) => log.warn('gateway_disconnect', { shard, code: ev.code }));
  client.on(Events.ShardReconnecting, (shard) => log.info('gateway_reconnecting', { shard }));
  client.on(Events.ShardResume, (shard, replayed) => log.info('gateway_resumed', { shard, replayed }));
  client.rest.on('rateLimited', (info) =>
    log.warn('rest_rate_limited', {
      route: info.route,
      method: info.method,
      retry_after_ms: info.retryAfter,
      global: info.global,
    }),
  );

  const ready = once(client, Events.ClientReady);
  try {
    await client.login(opts.token);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      ready,
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error('timed out waiting for the gateway to become ready')),
          opts.readyTimeoutMs ?? 30_000,
        );
      }),
    ]).finally(() => clearTimeout(timer));
  } catch (err) {
    await client.destroy().catch(() => undefined);
    // discord.js errors do not include the token, but never let one through (nor the raw error as a cause).
    // eslint-disable-next-line preserve-caught-error
    throw new Error(`Discord login failed: ${redact(err instanceof Error ? err.message : String(err), [opts.token])}`);
  }
  log.info('ready', { user: client.user?.tag, guilds: client.guilds.cache.size, commands: router.commands.size });

  let stopping: Promise<boolean> | undefined;
  return {
    client,
    router,
    ctx,
    stop(timeoutMs = 10_000) {
      stopping ??= (async () => {
        const clean = await router.drain(timeoutMs);
        if (!clean) log.warn('shutdown_timeout', { still_running: router.busy });
        await client.destroy();
        log.info('stopped', { clean });
        return clean;
      })();
      return stopping;
    },
  };
}
