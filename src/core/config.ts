import { existsSync } from 'node:fs';
import { z } from 'zod';

/** Thrown for a bad setting: its message is one line that names the variable and never echoes a secret. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

const optionalString = z
  .string()
  .transform((s) => s.trim())
  .pipe(z.string())
  .optional()
  .transform((s) => (s ? s : undefined));

const positiveInt = (fallback: number) =>
  z.coerce
    .number()
    .int()
    .positive()
    .optional()
    .transform((n) => n ?? fallback);

const snowflake = z
  .string()
  .trim()
  .regex(/^\d{15,22}$/, 'must be a Discord id (15–22 digits)')
  .optional()
  .or(z.literal('').transform(() => undefined));

export const ConfigSchema = z.object({
  DISCORD_TOKEN: optionalString,
  DISCORD_CLIENT_ID: snowflake,
  DISCORD_GUILD_ID: snowflake,
  DISCORD_REST_URL: z
    .string()
    .trim()
    .url('must be a URL such as https://discord.com/api')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  CORPUS_DIR: z
    .string()
    .trim()
    .min(1)
    .optional()
    .transform((s) => s ?? 'seeds'),
  INDEX_DIR: z
    .string()
    .trim()
    .min(1)
    .optional()
    .transform((s) => s ?? 'index'),
  /** A shared Postgres store (`postgres://user:pass@host:port/db`) instead of INDEX_DIR. */
  INDEX_URL: z
    .string()
    .trim()
    .optional()
    .refine((s) => !s || isPostgresUrl(s), 'must be a postgres://user:password@host:port/database URL')
    .transform((s) => (s ? s : undefined)),
  /** Seconds between a reader's looks for a new generation of a shared store. */
  INDEX_POLL_S: positiveInt(5),
  /** Shards on local files: how long `/sources add|remove` waits for the new generation before replying. */
  INDEX_WAIT_S: positiveInt(120),
  /**
   * A reader of a shared store finds the neighbours of a generation up to this many sentences by
   * scanning the vectors it holds (about 1 ms per 1,000 sentences), larger ones through Postgres's
   * HNSW index. 0 sends every search to Postgres. Unset: `SCAN_MAX` (index/store.ts).
   */
  INDEX_SCAN_MAX: z.coerce.number().int().min(0).optional(),
  /**
   * Gateway shards: `auto` (Discord's recommendation) or a count; unset runs one process. (In a
   * shard process discord.js sets it to the shard's id.)
   */
  SHARDS: z
    .string()
    .trim()
    .regex(/^(auto|\d{1,4})$/, 'must be auto or a number of shards')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  /** `auto` (transformers model, else use-lite), `use-lite`, or `transformers:<model>`. */
  EMBEDDER: z
    .string()
    .trim()
    .regex(/^(auto|use-lite|transformers(:.+)?)$/, 'must be auto, use-lite or transformers:<model>')
    .optional()
    .transform((s) => s ?? 'auto'),
  MODEL_DIR: optionalString,
  /** /ask calls allowed per user per window (browsing with /sources counts too). */
  RATE_LIMIT_COUNT: positiveInt(5),
  RATE_LIMIT_WINDOW_S: positiveInt(30),
  /** Questions waiting for an answer, all servers together; past it a question gets a polite "busy, try again". */
  ANSWER_QUEUE_MAX: positiveInt(256),
  /**
   * Seconds between `event_loop` log lines (the longest the event loop was held in that time);
   * 0 (default) logs only holds over 100 ms, as `event_loop_stall` warnings.
   */
  EVENT_LOOP_REPORT_S: z.coerce
    .number()
    .int()
    .min(0)
    .optional()
    .transform((n) => n ?? 0),
  /** On SIGINT/SIGTERM, how long the bot waits for answers in flight before it exits. */
  SHUTDOWN_WAIT_S: positiveInt(10),
  /** Votes on answers: the local append-only file. */
  FEEDBACK_FILE: z
    .string()
    .trim()
    .min(1)
    .optional()
    .transform((s) => s ?? 'feedback.jsonl'),
  /** Largest file `/sources add` accepts, in MB. */
  UPLOAD_MAX_MB: z.coerce
    .number()
    .positive()
    .max(1024)
    .optional()
    .transform((n) => n ?? 10),
  // --- ops (issue 24): health/metrics endpoints and the question log ---
  /** Serve GET /healthz and GET /metrics on this port (0: any free port, logged); unset: no HTTP server. */
  HTTP_PORT: z.preprocess((v) => (v === '' ? undefined : v), z.coerce.number().int().min(0).max(65535).optional()),
  /** The address the HTTP server binds to (loopback unless an operator opens it). */
  HTTP_HOST: z
    .string()
    .trim()
    .regex(/^[\w.:[\]-]+$/, 'must be a host name or an IP address')
    .optional()
    .or(z.literal('').transform(() => undefined))
    .transform((s) => s ?? '127.0.0.1'),
  /** Record each question asked (text, outcome, top score, cited documents, server, time). */
  RECORD_QUESTIONS: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^(true|false|on|off|yes|no|1|0)?$/, 'must be on or off')
    .optional()
    .transform((s) => !s || /^(true|on|yes|1)$/.test(s)),
  /** Recorded questions older than this many days are deleted. */
  QUESTION_RETENTION_DAYS: positiveInt(90),
  // --- end ops ---
  // Sources from the web (src/ingest/web, src/live/web-sources.ts).
  /** Seconds between two syncs of the pages, feeds and sitemaps added by URL. */
  SYNC_INTERVAL_S: positiveInt(3600),
  /** Least time between two requests to one host, in ms (0: none). */
  FETCH_DELAY_MS: z.coerce
    .number()
    .int()
    .min(0)
    .optional()
    .transform((n) => n ?? 1000),
  /** Hosts, IPs or CIDR ranges the fetcher may reach although private or local (checked by parseAllowList). */
  FETCH_ALLOW_HOSTS: optionalString,
  /** Each server's own collection: `GUILDS_DIR/<server id>/` (docs/, index/, settings.json). */
  GUILDS_DIR: z
    .string()
    .trim()
    .min(1)
    .optional()
    .transform((s) => s ?? 'guilds'),
  /** Servers' engines kept loaded (least recently used go first): a count, or a size such as `300mb`. */
  GUILD_CACHE: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^(\d{1,6}|\d{1,6}\s*mb)$/, 'must be a count of engines (200) or a size in MB (300mb)')
    .optional()
    .transform((s) => parseCacheLimit(s ?? '200')),
  /** Per server: most documents, most megabytes of files, most edits per hour. */
  GUILD_MAX_DOCS: positiveInt(500),
  GUILD_MAX_MB: z.coerce
    .number()
    .positive()
    .max(100_000)
    .optional()
    .transform((n) => n ?? 100),
  GUILD_EDITS_PER_HOUR: positiveInt(60),
  LOG_LEVEL: z
    .enum(['debug', 'info', 'warn', 'error', 'silent'])
    .optional()
    .transform((s) => s ?? 'info'),
});

export type Config = z.infer<typeof ConfigSchema>;

/** How many servers' engines stay loaded: a count, or their estimated size in bytes. */
export type CacheLimit = { engines: number } | { bytes: number };

export function parseCacheLimit(s: string): CacheLimit {
  const n = Number.parseInt(s, 10);
  return /mb$/.test(s) ? { bytes: Math.max(1, n) * 1024 * 1024 } : { engines: Math.max(1, n) };
}

/** True for a URL the Postgres store can open (checked before any connection is tried). */
export function isPostgresUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return (u.protocol === 'postgres:' || u.protocol === 'postgresql:') && u.hostname !== '';
  } catch {
    return false;
  }
}

/**
 * The collection named by the environment, or undefined when CORPUS_DIR is unset: an
 * existing index then answers from the collection it was built from.
 */
export function requestedCorpus(config: Config, env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.CORPUS_DIR?.trim() ? config.CORPUS_DIR : undefined;
}

/**
 * Reads the configuration from `env` (default: process.env, after loading `.env` when present).
 * Values already in the environment win over `.env`.
 */
export function loadConfig(env: NodeJS.ProcessEnv = readEnv()): Config {
  const parsed = ConfigSchema.safeParse(env);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const name = String(issue.path[0] ?? 'configuration');
  // Never include the received value: it may be the token.
  throw new ConfigError(`Bad setting ${name}: ${issue.message}.`);
}

function readEnv(): NodeJS.ProcessEnv {
  if (existsSync('.env')) {
    try {
      process.loadEnvFile('.env');
    } catch {
      throw new ConfigError('Could not read .env: check that every line is NAME=value.');
    }
  }
  return process.env;
}
