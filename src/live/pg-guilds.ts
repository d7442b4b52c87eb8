/**
 * Servers' collections in the shared store (INDEX_URL), for processes on many machines: every
 * process reads a server's generation and settings from the database; an edit received by any
 * process is queued in `qb_edits` and applied by the one writer, whichever process holds the lease
 * in `qb_writer` (taken over when its holder stops renewing it). The writer keeps the server's
 * files in `qb_files` and a working copy in `GUILDS_DIR/<id>/docs/`, which it brings up to date
 * from the database before each edit, so a new writer on another machine starts from the same
 * files. A process whose database role may only read never takes the lease.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type pg from 'pg';
import {
  claimEdit,
  deleteFile,
  dropLease,
  editOutcome,
  finishEdit,
  probeCollection,
  putFile,
  queueEdit,
  readFiles,
  readFollowers,
  readWeb,
  writeWeb,
  takeLease,
  writeSettings,
} from '../db/guild-tables.js';
import { openPgStore } from '../index/pg-store.js';
import { isSourceFile, SourcesFileSchema } from '../ingest/load.js';
import { FOLLOW_KEY, FollowListSchema } from '../ingest/web/sources-file.js';
import { readState, STATE_FILE } from './web-state.js';
import type { GuildSource } from './guild-engines.js';
import { EditOutcomeSchema, GuildEditSchema, type EditOutcome, type GuildEdit } from './guild-edit.js';
import { guildWriter, type GuildWriter, type GuildWriterOptions, type WriterBackend } from './guild-writer.js';

/** Servers' generations and settings, and their indexes, from the shared store. */
export function pgGuildSource(url: string, pool: pg.Pool, scanMax: number): GuildSource {
  return {
    async probe(guild) {
      const { generation, base } = await probeCollection(pool, guild);
      return { version: generation, settings: { base } };
    },
    load: (guild) => openPgStore(url, { scanMax, collection: guild, pool, checked: true }).load(),
  };
}

/** Any process's `submit`: the edit is queued; its outcome is read back once the writer has applied it. */
export function pgSubmit(pool: pg.Pool, waitMs: number, checkMs = 150): (edit: GuildEdit) => Promise<EditOutcome> {
  return async (edit) => {
    const { data, ...rest } = edit.kind === 'add' ? edit : { ...edit, data: undefined };
    const id = await queueEdit(pool, edit.guild, rest, data === undefined ? null : Buffer.from(data, 'base64'));
    const deadline = Date.now() + waitMs;
    for (;;) {
      const outcome = await editOutcome(pool, id);
      if (outcome !== undefined) {
        const parsed = EditOutcomeSchema.safeParse(outcome);
        return parsed.success ? parsed.data : { ok: false, message: 'The edit could not be applied.' };
      }
      if (Date.now() >= deadline)
        return {
          ok: false,
          message: `The edit is queued but was not applied within ${Math.round(waitMs / 1000)} s (the process that applies edits is busy or not running); it will be applied when it can.`,
        };
      await new Promise((r) => setTimeout(r, checkMs));
    }
  };
}

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** The writer's side: the server's files and index in the shared store, its folder a working copy. */
export function pgBackend(url: string, pool: pg.Pool, scanMax: number): WriterBackend {
  return {
    async saveSettings(guild, base) {
      await writeSettings(pool, guild, base);
      return { base };
    },
    async prepare(guild, docs) {
      const stored = await readFiles(pool, guild);
      const names = new Set(stored.map((f) => f.name));
      for (const name of await readdir(docs))
        if ((isSourceFile(name) && !names.has(name)) || name === 'sources.json') await rm(join(docs, name));
      for (const f of stored) {
        const have = await readFile(join(docs, f.name)).catch(() => undefined);
        if (!have || sha(have) !== sha(f.bytes)) await writeFile(join(docs, f.name), f.bytes);
      }
      const meta: Record<string, unknown> = Object.fromEntries(
        stored.filter((f) => Object.keys(f.meta).length).map((f) => [f.name, f.meta]),
      );
      // The follow list and the sync's record come from the store too (written by savedWeb).
      const web = (await readWeb(pool, guild)) as { follow?: unknown; state?: unknown } | undefined;
      const follow = FollowListSchema.safeParse(web?.follow);
      if (follow.success && follow.data.length) meta[FOLLOW_KEY] = follow.data;
      if (Object.keys(meta).length) await writeFile(join(docs, 'sources.json'), JSON.stringify(meta, null, 2) + '\n');
      if (web?.state) await writeFile(join(docs, STATE_FILE), JSON.stringify(web.state, null, 2) + '\n');
      else await rm(join(docs, STATE_FILE), { force: true });
    },
    async savedWeb(guild, docs) {
      const sources = SourcesFileSchema.safeParse(
        JSON.parse(await readFile(join(docs, 'sources.json'), 'utf8').catch(() => '{}')),
      );
      const follow = (sources.success ? sources.data[FOLLOW_KEY] : undefined) ?? [];
      await writeWeb(pool, guild, { follow, state: await readState(docs) });
    },
    followers: () => readFollowers(pool),
    async saved(guild, docs, change) {
      if (change.removed) return deleteFile(pool, guild, change.removed);
      const name = change.added!;
      const sources = SourcesFileSchema.safeParse(
        JSON.parse(await readFile(join(docs, 'sources.json'), 'utf8').catch(() => '{}')),
      );
      const meta = (sources.success ? sources.data[name] : undefined) ?? {};
      await putFile(pool, guild, { name, bytes: await readFile(join(docs, name)), meta });
    },
    job: (guild, docs) => ({ corpusDir: docs, indexDir: docs, indexUrl: url, collection: guild, scanMax }),
    generation: async (guild) => (await probeCollection(pool, guild)).generation,
    async retire(guild) {
      // The pointer goes first; the generations (and their rows, by cascade) after it.
      await pool.query('DELETE FROM qb_pointers WHERE collection = $1', [guild]);
      const old = await pool.query<{ id: string }>('SELECT id FROM qb_generations WHERE collection = $1', [guild]);
      for (const { id } of old.rows) {
        await pool.query(`DROP INDEX IF EXISTS qb_sentences_hnsw_${Number(id)}`);
        await pool.query('DELETE FROM qb_generations WHERE id = $1', [id]);
      }
    },
  };
}

/**
 * Takes the writer's lease when it is free and, while holding it, applies queued edits one at a
 * time, in order (a server whose long listing is still being fetched has its later ones wait).
 * `isWriter()` says whether this process holds it now. A role without the rights to write
 * (permission denied) stops trying, with one log line.
 */
export function pgWriterLoop(
  opts: GuildWriterOptions & { url: string; pool: pg.Pool; scanMax: number; pollMs?: number; leaseS?: number },
): { isWriter(): boolean; syncNow(): Promise<void>; close(waitMs?: number): Promise<void> } {
  const holder = `${process.pid}-${randomBytes(6).toString('hex')}`;
  const leaseS = opts.leaseS ?? 15;
  let leased = false;
  let stopped = false;
  // Servers' web sources are synced by whichever process holds the lease.
  const writer: GuildWriter = guildWriter(
    { ...opts, syncWhen: () => leased && !stopped },
    pgBackend(opts.url, opts.pool, opts.scanMax),
  );
  let busy: Promise<void> | undefined;
  let renewedAt = 0;
  const renew = async () => {
    leased = await takeLease(opts.pool, holder, leaseS);
    renewedAt = Date.now();
  };
  const tick = async () => {
    if (Date.now() - renewedAt > (leaseS * 1000) / 3) {
      await renew();
      if (leased) opts.log.debug('guild_writer_lease', { holder });
    }
    // One edit at a time (the embedded PGlite server multiplexes connections onto one session, where
    // statements in flight at once were seen to trade parameters), each applied before the next is
    // claimed; a server whose turn a listing still being fetched holds is passed over, so its later
    // edits wait for it and nobody else's do.
    while (leased && !stopped) {
      const claimed = await claimEdit(opts.pool, holder, writer.busy());
      if (!claimed) break;
      const edit = GuildEditSchema.safeParse({
        ...(claimed.edit as object),
        ...(claimed.data && { data: claimed.data.toString('base64') }),
      });
      let outcome: EditOutcome;
      // A long edit (a build, a sync before it) keeps the lease while it runs.
      const keep = setInterval(() => void renew().catch(() => undefined), (leaseS * 1000) / 3);
      try {
        outcome = edit.success ? await writer.apply(edit.data) : { ok: false, message: 'That edit is not valid.' };
      } catch (err) {
        opts.log.error('guild_edit_failed', { error: String(err).slice(0, 300) });
        outcome = { ok: false, message: 'The edit could not be applied (see the bot’s log).' };
      } finally {
        clearInterval(keep);
      }
      await finishEdit(opts.pool, claimed.id, outcome);
      if (Date.now() - renewedAt > (leaseS * 1000) / 3) await renew();
    }
  };
  const timer = setInterval(() => {
    if (busy || stopped) return;
    busy = tick()
      .catch((err: unknown) => {
        if ((err as { code?: string }).code === '42501') {
          stopped = true;
          clearInterval(timer);
          opts.log.info('guild_writer_off', {
            note: 'this process’s database role may not write; another process applies edits',
          });
        } else opts.log.warn('guild_writer_failed', { error: String(err).slice(0, 300) });
      })
      .finally(() => (busy = undefined));
  }, opts.pollMs ?? 250);
  timer.unref();
  return {
    isWriter: () => leased && !stopped,
    syncNow: () => writer.syncNow(),
    async close(waitMs) {
      stopped = true;
      clearInterval(timer);
      await busy;
      await writer.close(waitMs);
      if (leased) await dropLease(opts.pool, holder).catch(() => undefined);
    },
  };
}
