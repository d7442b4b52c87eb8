/**
 * A real Postgres for the store tests: PGlite (Postgres compiled to WASM) with pgvector, served on
 * 127.0.0.1 by pglite-socket. The code under test talks to it with `pg` over the wire, as to any server.
 */
import { servePglite, type PgliteServer } from '../../src/db/pglite-server.js';

export type { PgliteServer };

export function startPg(opts: { withVector?: boolean; dataDir?: string } = {}): Promise<PgliteServer> {
  return servePglite(opts);
}

/** The same URL with a password in it: it must never appear in any output. */
export function withPassword(url: string, password = 'hunter2-secret'): string {
  const u = new URL(url);
  u.password = password;
  return u.toString();
}
