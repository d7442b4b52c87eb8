/**
 * A real Postgres for the store tests: PGlite (Postgres compiled to WASM) with pgvector, served on
 * 127.0.0.1 by pglite-socket. The code under test talks to it with `pg` over the wire, as to any server.
 */
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll } from 'vitest';
import { servePglite, type PgliteServer } from '../../src/db/pglite-server.js';
import { tempDir } from './tmp-collection.js';

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

/**
 * For one test file: a PGlite server reached with a password, and a temp folder, started before
 * its tests and removed after them. Read `url` and `dir` inside the tests.
 */
export function passwordPgPerFile(prefix: string, password: string): { readonly url: string; readonly dir: string } {
  let server: PgliteServer | undefined;
  const state = { url: '', dir: '' };
  beforeAll(async () => {
    state.dir = await tempDir(prefix);
    server = await startPg();
    state.url = withPassword(server.url, password);
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    if (state.dir) await rm(state.dir, { recursive: true, force: true });
  });
  return state;
}
