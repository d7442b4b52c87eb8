import { existsSync } from 'node:fs';
import { readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

/**
 * Index folders of the older layout were replaced whole: written beside the old one under a temp
 * name, then swapped in by rename (today builds write generations inside the folder, see
 * generations.ts). What a crash of such a build left is still tidied up.
 */

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
