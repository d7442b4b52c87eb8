/**
 * npm run -s db:migrate -- [--index-url postgres://…]
 * Brings the shared store's schema (the qb_* tables) up to this quotebot's version, as the
 * database's owner, so the bot's readers can run with a role that may only read (see the README's
 * Scaling out). Uses INDEX_URL unless --index-url is given; prints the version reached.
 */
import pg from 'pg';
import { isPostgresUrl, loadConfig } from '../src/core/config.js';
import { parseCli, runMain, UsageError } from '../src/cli/args.js';
import { ensureSchema, friendly, redactUrl } from '../src/db/pg.js';
import { schemaVersion } from '../src/db/schema.js';

runMain(async () => {
  const { values } = parseCli({ options: { 'index-url': { type: 'string' } } });
  const url = values['index-url'] ?? loadConfig().INDEX_URL;
  if (!url) throw new UsageError('Give the store with --index-url postgres://… or set INDEX_URL.');
  if (!isPostgresUrl(url))
    throw new UsageError('--index-url must be a postgres://user:password@host:port/database URL.');
  const where = redactUrl(url);
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
    const before = await schemaVersion(client);
    await ensureSchema(client, where);
    const after = await schemaVersion(client);
    process.stdout.write(
      before === after
        ? `The store at ${where} is at schema version ${after}: nothing to do.\n`
        : `Migrated the store at ${where} from schema version ${before} to ${after}.\n`,
    );
  } catch (err) {
    throw friendly(err, where);
  } finally {
    await client.end().catch(() => undefined);
  }
});
