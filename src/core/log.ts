/**
 * Structured one-line logs (JSON) on stderr. Every line passes through `redact`, so neither the
 * bot token nor interaction tokens (in webhook/callback URLs) can appear, whatever is logged.
 */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export type LogFields = Record<string, string | number | boolean | null | undefined>;

export interface Logger {
  debug(event: string, fields?: LogFields): void;
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
}

export interface LoggerOptions {
  level?: LogLevel;
  /** Receives one finished line (no newline). Default: stderr. */
  write?: (line: string) => void;
  /** Exact strings that must never be printed (the bot token). */
  secrets?: readonly (string | undefined)[];
}

/** Bot-token shape: base64 id . timestamp . hmac */
const TOKEN_LIKE = /[A-Za-z0-9_-]{23,28}\.[A-Za-z0-9_-]{6,7}\.[A-Za-z0-9_-]{27,}/g;
/** Interaction tokens inside REST paths. */
const URL_TOKEN = /(\/(?:interactions\/\d+|webhooks\/\d+)\/)[^/?\s"']+/g;

export function redact(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 8) out = out.split(s).join('[redacted]');
  return out
    .replace(TOKEN_LIKE, '[redacted]')
    .replace(URL_TOKEN, '$1[redacted]')
    .replace(/(Bot|Bearer)\s+[A-Za-z0-9._-]{20,}/g, '$1 [redacted]');
}

/** An error as log fields: one line, no stack, no secrets (redaction happens when written). */
export function errorFields(err: unknown): LogFields {
  if (err instanceof Error) {
    const e = err as Error & { code?: unknown; status?: unknown };
    return {
      error: `${e.name}: ${e.message}`.replace(/\s+/g, ' ').slice(0, 500),
      code: typeof e.code === 'string' || typeof e.code === 'number' ? e.code : undefined,
      status: typeof e.status === 'number' ? e.status : undefined,
    };
  }
  return { error: String(err).replace(/\s+/g, ' ').slice(0, 500) };
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const min = ORDER[opts.level ?? 'info'];
  const write = opts.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const secrets = opts.secrets ?? [];
  const emit = (level: LogLevel, event: string, fields: LogFields = {}) => {
    if (ORDER[level] < min) return;
    const record: Record<string, unknown> = { t: new Date().toISOString(), level, event };
    for (const [k, v] of Object.entries(fields)) if (v !== undefined) record[k] = v;
    write(redact(JSON.stringify(record), secrets));
  };
  return {
    debug: (e, f) => emit('debug', e, f),
    info: (e, f) => emit('info', e, f),
    warn: (e, f) => emit('warn', e, f),
    error: (e, f) => emit('error', e, f),
  };
}

/** A logger that keeps lines in memory (tests). */
export function memoryLogger(level: LogLevel = 'debug', secrets: readonly string[] = []): Logger & { lines: string[] } {
  const lines: string[] = [];
  return Object.assign(createLogger({ level, secrets, write: (l) => lines.push(l) }), { lines });
}

/** The same logger, with `fields` on every line (a server's id on its web sources' lines). */
export function withFields(log: Logger, fields: LogFields): Logger {
  return {
    debug: (e, f) => log.debug(e, { ...fields, ...f }),
    info: (e, f) => log.info(e, { ...fields, ...f }),
    warn: (e, f) => log.warn(e, { ...fields, ...f }),
    error: (e, f) => log.error(e, { ...fields, ...f }),
  };
}
