/**
 * A real PostgreSQL 15 server with pgvector for the store tests, from the kit in tools/pgvector/
 * (installed on first use: apt-get postgresql-15, pgvector built from the vendored source): a
 * throwaway server on 127.0.0.1 with its data in a temp folder, stopped and removed by `stop`.
 * When it cannot be started the test fails with the reason (it is never skipped).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO } from './tmp-collection.js';

const run = promisify(execFile);
const KIT = join(REPO, 'tools', 'pgvector');

export interface RealPg {
  url: string;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export async function startRealPg(): Promise<RealPg> {
  const dir = await mkdtemp(join(tmpdir(), 'quotebot-pg15-'));
  let url: string;
  try {
    const { stdout } = await run('bash', [join(KIT, 'start-server.sh'), dir, String(await freePort())], {
      timeout: 900_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    url = stdout.trim().split('\n').at(-1)!;
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    const e = err as { stderr?: string; message: string };
    throw new Error(
      `Could not start PostgreSQL 15 with pgvector (tools/pgvector/start-server.sh; it needs apt-get the first time): ${(e.stderr || e.message).slice(-800)}`,
      { cause: err },
    );
  }
  if (!/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/.test(url))
    throw new Error(`tools/pgvector/start-server.sh printed no server URL: ${url}`);
  return {
    url,
    async stop() {
      await run('bash', [join(KIT, 'stop-server.sh'), dir]).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
