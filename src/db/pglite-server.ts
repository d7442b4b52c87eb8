import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

/**
 * A real Postgres (PGlite: Postgres compiled to WASM) with pgvector, served over the wire
 * protocol on loopback, for tests and local use. Every client talks to it with `pg` exactly as to
 * a Postgres server. PGlite runs one session: the socket server queues statements, and a
 * transaction holds the queue until it ends.
 */
export interface PgliteServer {
  url: string;
  stop(): Promise<void>;
}

export async function servePglite(
  opts: { port?: number; host?: string; dataDir?: string; withVector?: boolean } = {},
): Promise<PgliteServer> {
  const db = await PGlite.create({ dataDir: opts.dataDir, extensions: opts.withVector === false ? {} : { vector } });
  const server = new PGLiteSocketServer({
    db,
    port: opts.port ?? 0,
    host: opts.host ?? '127.0.0.1',
    maxConnections: 256,
  });
  try {
    await server.start();
  } catch (err) {
    await db.close();
    throw err;
  }
  const [host, port] = server.getServerConn().split(':');
  return {
    url: `postgres://postgres@${host}:${port}/postgres`,
    async stop() {
      if (db.closed) return;
      await server.stop();
      await db.close();
    },
  };
}
