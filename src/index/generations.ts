import { randomBytes } from 'node:crypto';
import { existsSync, watch } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { FILES } from './files.js';
import { IndexError } from './types.js';

/**
 * The local index folder holds generations: every build writes a complete new folder
 * (`gen-…/`, the files of FILES) and then flips the small pointer file `current.json` (temp +
 * rename, atomic). A reader reads the pointer once and loads every file from that one
 * generation, so it never sees a mix of two builds, whatever a writer does meanwhile. The
 * generation before the current one is kept for readers that have not switched yet; older ones,
 * and those of builds that died, are removed by the next build.
 *
 * One build at a time: `write.lock` (created exclusively) names the writer's pid; a lock whose
 * process is gone, or that was not touched for a while, is taken over.
 *
 * An index folder of the older flat layout (the files directly in it) is still read; the next
 * build turns it into the new layout.
 */
export const POINTER = 'current.json';
const LOCK = 'write.lock';
const GEN = /^gen-[0-9a-z]+-[0-9a-f]{8}$/;

const PointerSchema = z.object({
  generation: z.string().regex(GEN),
  /** The generation before, kept for readers that loaded the pointer just before the flip. */
  previous: z.string().regex(GEN).optional(),
});
export type Pointer = z.infer<typeof PointerSchema>;

/** The pointer of an index folder; undefined when there is none (no index, or the flat layout). */
export async function readPointer(dir: string): Promise<Pointer | undefined> {
  let raw: string;
  try {
    raw = await readFile(join(dir, POINTER), 'utf8');
  } catch {
    return undefined;
  }
  try {
    return PointerSchema.parse(JSON.parse(raw));
  } catch {
    // Written by rename, so never half written: a bad one was edited by hand.
    throw new IndexError(`Index in ${dir} is invalid: ${POINTER} cannot be read. Rebuild with npm run index.`);
  }
}

/** Where the files of the index in use are: the current generation's folder, or `dir` itself (flat layout). */
export async function filesDir(dir: string): Promise<{ path: string; generation?: string }> {
  const p = await readPointer(dir);
  return p ? { path: join(dir, p.generation), generation: p.generation } : { path: dir };
}

/** A fresh, empty generation folder in `dir` (not in use until `publish`). */
export async function newGeneration(dir: string): Promise<{ name: string; path: string }> {
  await mkdir(dir, { recursive: true });
  // Time first, so names sort by age; base 36 keeps them short.
  const name = `gen-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
  const path = join(dir, name);
  await mkdir(path);
  return { name, path };
}

/** Makes `name` the current generation (readers that load from now on read it). */
export async function publish(dir: string, name: string): Promise<void> {
  const before = await readPointer(dir).catch(() => undefined);
  const pointer: Pointer = { generation: name, ...(before && before.generation !== name && { previous: before.generation }) };
  const tmp = join(dir, `.${POINTER}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(tmp, JSON.stringify(pointer) + '\n');
    await rename(tmp, join(dir, POINTER));
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/**
 * Removes what no reader needs any more: generations other than the current and the previous
 * one, pointer temp files, and the files of the flat layout. Only the lock holder calls it.
 */
export async function prune(dir: string, keep: string[] = []): Promise<void> {
  const p = await readPointer(dir);
  if (!p) return;
  const live = new Set([p.generation, p.previous, ...keep]);
  for (const name of await readdir(dir)) {
    if ((GEN.test(name) && !live.has(name)) || (name.startsWith(`.${POINTER}.`) && name.endsWith('.tmp'))) {
      await rm(join(dir, name), { recursive: true, force: true });
    }
  }
  // The flat layout's files: the manifest first, so a half-removed set is never taken for an index.
  for (const name of [FILES.manifest, FILES.docs, FILES.chunks, FILES.vectors, FILES.hnsw, FILES.lexical]) {
    await rm(join(dir, name), { force: true });
  }
}

/** A lock not touched for this long belongs to a writer that hung or died on another host. */
const STALE_MS = 120_000;
const BEAT_MS = 5_000;

/**
 * Takes the index folder's write lock, waiting while another live build holds it (`notice` says
 * so once). Resolves with the release function. The holder touches the lock every few seconds.
 */
export async function lockIndex(dir: string, notice?: (line: string) => void): Promise<() => Promise<void>> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, LOCK);
  const token = `${process.pid} ${randomBytes(4).toString('hex')}`;
  let told = false;
  for (;;) {
    try {
      const fh = await open(path, 'wx');
      await fh.writeFile(token);
      await fh.close();
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = await readFile(path, 'utf8').catch(() => '');
    const pid = Number(holder.split(' ')[0]);
    const age = await stat(path).then((s) => Date.now() - s.mtimeMs, () => 0);
    if ((holder && !isAlive(pid)) || age > STALE_MS) {
      // Taken over by rename; if what was renamed is no longer the lock judged stale (another
      // waiter took it over first and made its own), it is put back.
      const stale = `${path}.${randomBytes(4).toString('hex')}.stale`;
      if (await rename(path, stale).then(() => true, () => false)) {
        if ((await readFile(stale, 'utf8').catch(() => '')) !== holder) await rename(stale, path).catch(() => {});
        await rm(stale, { force: true });
      }
      continue;
    }
    if (!told) notice?.(`Waiting for another build of the index in ${dir} (pid ${pid || '?'}) to finish…`);
    told = true;
    await new Promise((r) => setTimeout(r, 250));
  }
  const beat = setInterval(() => void utimes(path, new Date(), new Date()).catch(() => {}), BEAT_MS);
  beat.unref();
  return async () => {
    clearInterval(beat);
    // Only our own lock: a takeover may have replaced it.
    if ((await readFile(path, 'utf8').catch(() => '')) === token) await unlink(path).catch(() => {});
  };
}

/** Calls `onChange` soon after the pointer of `dir` is replaced (fs.watch; the caller polls as well). */
export function watchPointer(dir: string, onChange: () => void): () => void {
  if (!existsSync(dir)) return () => {};
  try {
    const w = watch(dir, { persistent: false }, (_event, name) => {
      if (!name || String(name) === POINTER) onChange();
    });
    w.on('error', () => w.close());
    return () => w.close();
  } catch {
    return () => {};
  }
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The outcome of the writer's last build, for readers in other processes (a shard waiting for an
 * edit to be indexed learns at once that the build failed, and why, instead of timing out).
 */
const STATUS = 'last-build.json';
const BuildStatusSchema = z.object({ ok: z.boolean(), started: z.number(), error: z.string().max(300).optional() });
export type BuildStatus = z.infer<typeof BuildStatusSchema>;

export async function writeBuildStatus(dir: string, status: BuildStatus): Promise<void> {
  const tmp = join(dir, `.${STATUS}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(tmp, JSON.stringify(status) + '\n');
    await rename(tmp, join(dir, STATUS));
  } catch {
    await rm(tmp, { force: true });
  }
}

export async function readBuildStatus(dir: string): Promise<BuildStatus | undefined> {
  try {
    return BuildStatusSchema.parse(JSON.parse(await readFile(join(dir, STATUS), 'utf8')));
  } catch {
    return undefined;
  }
}

/** A generation's statistics, written with it by its build (retrieve/stats.ts `storedStats`). */
export const STATS_FILE = 'stats.json';
