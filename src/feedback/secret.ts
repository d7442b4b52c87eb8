/**
 * The per-install secret that keys votes (an HMAC of answer and member, store.ts `memberKey`):
 * without it, a bare hash of two public ids could be recomputed by anyone to find who voted.
 * Generated on first use and kept next to the feedback file (`<file>.key`, mode 0600). Two
 * processes starting at once (shards) agree: the file is created by linking a complete temp
 * file into place, which fails if another got there first, and whoever loses reads the winner's.
 */
import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

const SECRET = /^[0-9a-f]{64}$/;

export const newSecret = (): string => randomBytes(32).toString('hex');

async function read(path: string): Promise<string | undefined> {
  let raw: string;
  try {
    raw = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const secret = raw.trim();
  if (!SECRET.test(secret))
    throw new Error(`The feedback key file ${path} is damaged: remove it (votes cast so far will not match new ones).`);
  return secret;
}

/** The secret in `path`, created there (0600) when there is none. */
export async function fileSecret(path: string): Promise<string> {
  const found = await read(path);
  if (found) return found;
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, `${newSecret()}\n`, { mode: 0o600 });
    await link(tmp, path).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
    });
  } finally {
    await rm(tmp, { force: true });
  }
  return (await read(path))!;
}
