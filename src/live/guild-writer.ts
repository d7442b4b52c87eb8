/**
 * The one writer of servers' collections: it applies each edit to the server's folder
 * (`GUILDS_DIR/<id>/docs/`: checked, quota included, before anything is written; temp file, then
 * rename) and builds that server's index in the build worker (incremental: only the changed file
 * is embedded), then reports the new generation. A server's edits run one at a time, in arrival
 * order, so two edits of one server from two shards are both kept; another server's edits do not
 * wait for them (a long crawl of one server holds only that server's turn), only the build
 * worker is shared, one build at a time. Where the index and the files live is the
 * backend's: local files (here), or the shared store (pg-guilds.ts: the folder is the writer's
 * working copy of the server's files in the database). Sources from the web (guild-web.ts) are
 * edits too, and every server that follows a feed or sitemap is synced in its turn once its last
 * sync is `SYNC_INTERVAL_S` old.
 */
import { mkdir, readdir, rm } from 'node:fs/promises';
import type { Logger } from '../core/log.js';
import { workerBuilder, type BuildJob, type WorkerBuilder } from './build-worker.js';
import { readPointer } from '../index/generations.js';
import { guildPaths, readGuildSettings, writeGuildSettings, type GuildSettings } from '../index/guild-folder.js';
import { listCollection, skipNotice } from '../ingest/load.js';
import { CollectionEditError, collectionEditor, type CollectionQuota } from './collection.js';
import { fromData, type EditOutcome, type GuildEdit } from './guild-edit.js';
import { guildWeb, type GuildWebOptions } from './guild-web.js';
import { readState } from './web-state.js';
import { FOLLOW_KEY } from '../ingest/web/sources-file.js';
import { isGuildId } from '../core/guild.js';
import { readSources } from './collection.js';
import { webPages } from './web-sync.js';
import type { SourcesFile } from '../ingest/load.js';

export interface GuildWriter {
  apply(edit: GuildEdit): Promise<EditOutcome>;
  /** Servers whose turn work left running after its reply holds (a listing still being fetched). */
  busy(): string[];
  /** Syncs every server that follows a feed or sitemap now, however recent its last sync. */
  syncNow(): Promise<void>;
  /** Stops the build worker (a build under way is asked to stop and waited for). */
  close(waitMs?: number): Promise<void>;
}

export interface GuildWriterOptions {
  guildsDir: string;
  /** The base index's embedder: every server's index is built with it. */
  embedderId: string;
  modelDir?: string;
  /** Largest single file (UPLOAD_MAX_MB). */
  uploadMaxBytes: number;
  quota: CollectionQuota;
  log: Logger;
  /** Sources from the web (absent: `add-url` is refused and nothing is synced). */
  web?: GuildWebOptions;
  /** Whether this process syncs now (the shared store: while it holds the writer's lease). */
  syncWhen?: () => boolean;
}

/** Where a server's settings, files and index live, for the writer. */
export interface WriterBackend {
  saveSettings(guild: string, base: boolean): Promise<GuildSettings>;
  /** Brings the server's folder up to date before an edit (the shared store's files). */
  prepare(guild: string, docs: string): Promise<void>;
  /** Records a file added or removed in the folder (the shared store keeps the files). */
  saved(guild: string, docs: string, change: { added?: string; removed?: string }): Promise<void>;
  /** The build job of the server's index, from its folder. */
  job(guild: string, docs: string): Omit<BuildJob, 'embedder' | 'modelDir'>;
  /** The server's generation after a build. */
  generation(guild: string): Promise<string | undefined>;
  /** The server has no documents left: it has no index either. */
  retire(guild: string): Promise<void>;
  /** The follow list and the web sync's record in the folder changed (the shared store keeps them). */
  savedWeb(guild: string, docs: string): Promise<void>;
  /** Servers that follow a feed or sitemap or hold a fetched page, with their last full sync. */
  followers(): Promise<{ guild: string; synced?: string }[]>;
}

const firstLine = (err: unknown) => (err instanceof Error ? err.message : String(err)).split('\n')[0]!.slice(0, 300);

/** Servers' collections on local files: `GUILDS_DIR/<id>/`. */
export function localBackend(guildsDir: string): WriterBackend {
  return {
    async saveSettings(guild, base) {
      const settings = { ...(await readGuildSettings(guildsDir, guild)), base };
      await writeGuildSettings(guildsDir, guild, settings);
      return settings;
    },
    prepare: async () => {},
    saved: async () => {},
    job: (guild, docs) => ({ corpusDir: docs, indexDir: guildPaths(guildsDir, guild).index }),
    generation: async (guild) => (await readPointer(guildPaths(guildsDir, guild).index))?.generation,
    retire: (guild) => rm(guildPaths(guildsDir, guild).index, { recursive: true, force: true }),
    savedWeb: async () => {},
    async followers() {
      const found: { guild: string; synced?: string }[] = [];
      for (const guild of await readdir(guildsDir).catch(() => [] as string[])) {
        if (!isGuildId(guild)) continue;
        const docs = guildPaths(guildsDir, guild).docs;
        const sources = await readSources(docs).catch(() => ({}) as SourcesFile);
        if (sources[FOLLOW_KEY]?.length || webPages(sources).length)
          found.push({ guild, synced: (await readState(docs)).synced });
      }
      return found;
    },
  };
}

export function localGuildWriter(opts: GuildWriterOptions): GuildWriter {
  return guildWriter(opts, localBackend(opts.guildsDir));
}

export function guildWriter(
  opts: GuildWriterOptions,
  backend: WriterBackend,
  worker: WorkerBuilder = workerBuilder(),
): GuildWriter {
  // Each server's edits run one at a time, in arrival order; servers do not wait for each other
  // except for the build worker, which builds one index at a time (`building`).
  const chains = new Map<string, Promise<unknown>>();
  // Work an edit left running after its reply (a long listing still being fetched) holds its server's turn.
  const backgrounds = new Map<string, Promise<unknown>>();
  const serial = <T>(guild: string, fn: () => Promise<T>): Promise<T> => {
    const turn = () => (backgrounds.get(guild) ?? Promise.resolve()).then(fn);
    const prev = chains.get(guild) ?? Promise.resolve();
    const run = prev.then(turn, turn);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    chains.set(guild, tail);
    // A server with nothing queued holds no entry.
    void tail.then(() => chains.get(guild) === tail && chains.delete(guild));
    return run;
  };
  let building: Promise<unknown> = Promise.resolve();
  const oneBuild = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = building.then(fn, fn);
    building = run.catch(() => undefined);
    return run;
  };

  /** Builds the server's index from its folder; the generation, or why it failed. */
  const build = async (guild: string, docs: string): Promise<{ generation?: string; indexError?: string }> => {
    try {
      const report = await oneBuild(() =>
        worker.build({ ...backend.job(guild, docs), embedder: opts.embedderId, modelDir: opts.modelDir }),
      );
      opts.log.info('guild_reindexed', {
        guild,
        docs: report.docs,
        embedded: report.embedded,
        reused: report.reused,
        ms: Math.round(report.ms),
        ...(report.skipped.length && { skipped: report.skipped.map(skipNotice).join(' ') }),
      });
      return { generation: await backend.generation(guild) };
    } catch (err) {
      opts.log.warn('guild_reindex_failed', { guild, error: firstLine(err) });
      return { indexError: firstLine(err) };
    }
  };

  /** Builds the server's index, or retires it when its last document is gone (it then answers from the base, if shown). */
  const reindex = async (guild: string, docs: string): Promise<{ generation?: string; indexError?: string }> => {
    if ((await listCollection(docs)).length > 0) return build(guild, docs);
    await backend.retire(guild);
    opts.log.info('guild_reindexed', { guild, docs: 0 });
    return {};
  };

  const web =
    opts.web &&
    guildWeb(
      { ...opts.web, uploadMaxBytes: opts.uploadMaxBytes, quota: opts.quota, log: opts.log },
      { saved: backend.saved, savedWeb: backend.savedWeb, reindex },
    );

  /** The server's folder, brought up to date for an edit. */
  const folder = async (guild: string) => {
    const { docs } = guildPaths(opts.guildsDir, guild);
    await mkdir(docs, { recursive: true });
    await backend.prepare(guild, docs);
    return docs;
  };

  const apply = async (edit: GuildEdit): Promise<EditOutcome> => {
    if (edit.kind === 'settings') return { ok: true, settings: await backend.saveSettings(edit.guild, edit.base) };
    if (edit.kind === 'add-url' || edit.kind === 'unfollow' || edit.kind === 'feeds') {
      if (!web) return { ok: false, message: 'This bot does not fetch sources from the web.' };
      const { outcome, background: rest } = await web.apply(edit, await folder(edit.guild));
      if (rest) {
        const held = rest.finally(() => backgrounds.get(edit.guild) === held && backgrounds.delete(edit.guild));
        backgrounds.set(edit.guild, held);
      }
      return outcome;
    }
    const docs = await folder(edit.guild);
    const editor = collectionEditor(docs, opts.uploadMaxBytes, opts.quota);
    try {
      if (edit.kind === 'add') {
        const added = await editor.add({
          filename: edit.filename,
          bytes: fromData(edit.data),
          title: edit.title,
          url: edit.url,
          replace: edit.replace,
        });
        await backend.saved(edit.guild, docs, { added: added.doc });
        const built = await build(edit.guild, docs);
        return { ok: true, doc: added.doc, bytes: added.bytes, replaced: added.replaced, ...built };
      }
      await editor.remove(edit.doc);
      await backend.saved(edit.guild, docs, { removed: edit.doc });
      return { ok: true, doc: edit.doc, ...(await reindex(edit.guild, docs)) };
    } catch (err) {
      if (err instanceof CollectionEditError) return { ok: false, message: err.message };
      throw err;
    }
  };

  // Every server following something is synced in the writer's turn once its last sync is an interval old.
  let syncing: Promise<void> | undefined;
  const syncDue = async (all = false) => {
    if (!web || !opts.web || (opts.syncWhen && !opts.syncWhen())) return;
    const interval = opts.web.syncIntervalMs;
    for (const { guild, synced } of await backend.followers()) {
      if (!all && synced && Date.now() - Date.parse(synced) < interval) continue;
      await serial(guild, async () => web.sync(guild, await folder(guild))).catch((err: unknown) =>
        opts.log.warn('guild_web_sync_failed', { guild, error: firstLine(err) }),
      );
    }
  };
  const timer =
    opts.web &&
    setInterval(
      () => {
        syncing ??= syncDue()
          .catch((err: unknown) => opts.log.warn('guild_web_sync_failed', { error: firstLine(err) }))
          .finally(() => (syncing = undefined));
      },
      Math.min(opts.web.syncIntervalMs, 60_000),
    );
  timer?.unref();

  return {
    apply: (edit) => serial(edit.guild, () => apply(edit)),
    busy: () => [...backgrounds.keys()],
    syncNow: () => syncDue(true),
    async close(waitMs) {
      clearInterval(timer);
      await web?.close();
      await worker.close(waitMs);
    },
  };
}
