/**
 * Postgres, shared by the index store and the feedback store: where a URL points (never its
 * password), the schema brought up to date, and a failure said in one line.
 */
import pg from 'pg';
import { IndexError } from '../core/errors.js';
import { migrate, schemaVersion, SCHEMA_VERSION } from './schema.js';

// Where a URL points, without its credentials however spelled (core/url.ts).
import { redactUrl } from '../core/url.js';
export { redactUrl };

/** Brings a database to this quotebot's schema (migrating if older), or says why it cannot. */
export async function ensureSchema(c: pg.ClientBase, where: string): Promise<void> {
  const version = await schemaVersion(c);
  if (version > SCHEMA_VERSION)
    throw new IndexError(
      `The store at ${where} has schema version ${version}, newer than this quotebot knows (${SCHEMA_VERSION}): upgrade quotebot.`,
    );
  if (version >= SCHEMA_VERSION) return;
  let migrated;
  try {
    migrated = await migrate(c);
  } catch (err) {
    // A role that may only read (as the bot's readers should be) cannot migrate: say who can.
    if ((err as { code?: string }).code === '42501')
      throw new IndexError(
        `The store at ${where} is at schema version ${version}, and this quotebot needs ${SCHEMA_VERSION}: run npm run db:migrate as the database's owner.`,
      );
    throw err;
  }
  if (migrated === 'no-vector') {
    throw new IndexError(
      `Postgres at ${where} has no pgvector extension: install pgvector (0.5 or newer) on the server.`,
    );
  }
}

/** One line for a failure to reach or use the server; never the URL's password. */
export function friendly(err: unknown, where: string): Error {
  if (err instanceof IndexError) return err;
  const e = err as NodeJS.ErrnoException & { code?: string };
  const first = (e?.message ?? String(err)).split('\n')[0];
  switch (e?.code) {
    case 'ECONNREFUSED':
      return new IndexError(
        `Cannot reach Postgres at ${where} (connection refused): is the server running? Check INDEX_URL.`,
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new IndexError(`Cannot reach Postgres at ${where}: unknown host. Check INDEX_URL.`);
    case '28P01':
    case '28000':
      return new IndexError(`Postgres at ${where} refused the login: check the user and password in INDEX_URL.`);
    case '3D000':
      return new IndexError(`Postgres at ${where}: the database does not exist. Create it, or check INDEX_URL.`);
    case '42501':
      return new IndexError(`Postgres at ${where}: permission denied (${first}).`);
  }
  if (/timeout/i.test(first ?? ''))
    return new IndexError(`Cannot reach Postgres at ${where}: the connection timed out. Check INDEX_URL.`);
  if (/Connection terminated/i.test(first ?? '')) return new IndexError(`Lost the connection to Postgres at ${where}.`);
  return new IndexError(`Postgres at ${where}: ${first}`);
}

/**
 * A small pool for a store beside the index (votes, the question log): the schema brought up to
 * date once, before the first query (tried again after a failure: the server may come back), every
 * failure one friendly line, and `close` safe to call twice.
 */
export function migratedPool(url: string): {
  where: string;
  query<R extends pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<pg.QueryResult<R>>;
  close(): Promise<void>;
} {
  const where = redactUrl(url);
  const pool = new pg.Pool({ connectionString: url, max: 2, allowExitOnIdle: true, connectionTimeoutMillis: 10_000 });
  // An idle connection that drops is reported by the next query, not as a crash.
  pool.on('error', () => {});
  let ended: Promise<void> | undefined;
  let schema: Promise<void> | undefined;
  const ready = () =>
    (schema ??= (async () => {
      const c = await pool.connect();
      try {
        await ensureSchema(c, where);
      } finally {
        c.release();
      }
    })().catch((err: unknown) => {
      schema = undefined;
      throw err;
    }));
  return {
    where,
    async query<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []) {
      try {
        await ready();
        return await pool.query<R>(sql, params);
      } catch (err) {
        throw friendly(err, where);
      }
    },
    close: () => (ended ??= pool.end()),
  };
}
