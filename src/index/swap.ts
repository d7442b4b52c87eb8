import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

/**
 * Index folders are replaced whole: a new one is written beside the old under a temp
 * name, then swapped in by rename. A crash at any point leaves either the old index or
 * the new one readable, never a mix.
 */

/** A fresh temp folder beside `dir`, named so that leftovers can be found and removed. */
export async function makeTempDir(dir: string): Promise<string> {
  const target = resolve(dir);
  await mkdir(dirname(target), { recursive: true });
  const tmp = join(dirname(target), `${basename(target)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  await mkdir(tmp);
  return tmp;
}

/** Moves `tmp` into place as `dir`; the previous `dir` is removed only after the swap. */
export async function swapInto(tmp: string, dir: string): Promise<void> {
  const target = resolve(dir);
  const old = `${target}.old-${process.pid}-${randomBytes(4).toString('hex')}`;
  const hadOld = existsSync(target);
  if (hadOld) await rename(target, old);
  try {
    await rename(tmp, target);
  } catch (err) {
    if (hadOld) await rename(old, target);
    throw err;
  }
  if (hadOld) await rm(old, { recursive: true, force: true });
}

/**
 * Removes temp folders left by builds that died, and restores a previous index when a
 * crash happened between the two renames of a swap.
 */
export async function recoverLeftovers(dir: string): Promise<void> {
  const target = resolve(dir);
  const parent = dirname(target);
  const base = basename(target);
  let names: string[];
  try {
    names = await readdir(parent);
  } catch {
    return;
  }
  for (const name of names) {
    const m = name.match(/^(.*)\.(tmp|old)-(\d+)-[0-9a-f]{8}$/);
    if (!m || m[1] !== base) continue;
    const pid = Number(m[3]);
    if (pid !== process.pid && isAlive(pid)) continue; // another live build owns it
    const path = join(parent, name);
    if (m[2] === 'old' && !existsSync(target)) await rename(path, target);
    else await rm(path, { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
