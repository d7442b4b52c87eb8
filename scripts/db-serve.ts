/**
 * npm run -s db:serve -- [--port P] [--data DIR]
 * A local Postgres with pgvector (PGlite over the wire protocol) on 127.0.0.1, for INDEX_URL.
 * Without --data the database lives in memory and is gone when the server stops.
 */
import { parseCli, runMain, UsageError } from '../src/cli/args.js';
import { servePglite } from '../src/db/pglite-server.js';

runMain(async () => {
  const { values } = parseCli({ options: { port: { type: 'string', default: '5432' }, data: { type: 'string' } } });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError('--port must be a port number (0–65535).');
  const server = await servePglite({ port, dataDir: values.data }).catch((err: NodeJS.ErrnoException) => {
    throw new UsageError(
      err.code === 'EADDRINUSE'
        ? `Port ${port} is in use: pick another with --port.`
        : `Could not start the database: ${err.message.split('\n')[0]}`,
    );
  });
  process.stdout.write(`INDEX_URL=${server.url}\n`);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void server.stop().finally(() => process.exit(0)));
  }
});
