/**
 * The one writer of servers' collections on local files (the process that starts the bot, or the
 * shards): it applies each edit to `GUILDS_DIR/<id>/docs/` (checked, quota included, before
 * anything is written; temp file, then rename) and builds that server's index in the build worker
 * (incremental: only the changed file is embedded), then reports the new generation. Edits run one
 * at a time, in arrival order, so two edits of one server from two shards are both kept.
 */
import { mkdir, rm } from 'node:fs/promises';
import type { Logger } from '../core/log.js';
import { workerBuilder } from '../index/build-worker.js';
import { readPointer } from '../index/generations.js';
import { guildPaths, readGuildSettings, writeGuildSettings } from '../index/guild-folder.js';
import { listCollection, skipNotice } from '../ingest/load.js';
import { CollectionEditError, collectionEditor, type CollectionQuota } from './collection.js';
import { fromData, type EditOutcome, type GuildEdit } from './guild-edit.js';

export interface GuildWriter {
  apply(edit: GuildEdit): Promise<EditOutcome>;
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
}

const firstLine = (err: unknown) => (err instanceof Error ? err.message : String(err)).split('\n')[0]!.slice(0, 300);

export function localGuildWriter(opts: GuildWriterOptions): GuildWriter {
  const worker = workerBuilder();
  let chain: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = chain.then(fn, fn);
    chain = run.catch(() => undefined);
    return run;
  };

  /** Builds the server's index from its folder; the generation, or why it failed. */
  const build = async (guild: string): Promise<{ generation?: string; indexError?: string }> => {
    const paths = guildPaths(opts.guildsDir, guild);
    try {
      const report = await worker.build({
        corpusDir: paths.docs,
        indexDir: paths.index,
        embedder: opts.embedderId,
        modelDir: opts.modelDir,
      });
      opts.log.info('guild_reindexed', {
        guild,
        docs: report.docs,
        embedded: report.embedded,
        reused: report.reused,
        ms: Math.round(report.ms),
        ...(report.skipped.length && { skipped: report.skipped.map(skipNotice).join(' ') }),
      });
      return { generation: (await readPointer(paths.index))?.generation };
    } catch (err) {
      opts.log.warn('guild_reindex_failed', { guild, error: firstLine(err) });
      return { indexError: firstLine(err) };
    }
  };

  const apply = async (edit: GuildEdit): Promise<EditOutcome> => {
    const paths = guildPaths(opts.guildsDir, edit.guild);
    if (edit.kind === 'settings') {
      const settings = { ...(await readGuildSettings(opts.guildsDir, edit.guild)), base: edit.base };
      await writeGuildSettings(opts.guildsDir, edit.guild, settings);
      return { ok: true, settings };
    }
    await mkdir(paths.docs, { recursive: true });
    const editor = collectionEditor(paths.docs, opts.uploadMaxBytes, opts.quota);
    try {
      if (edit.kind === 'add') {
        const added = await editor.add({
          filename: edit.filename,
          bytes: fromData(edit.data),
          title: edit.title,
          url: edit.url,
          replace: edit.replace,
        });
        return { ok: true, doc: added.doc, bytes: added.bytes, replaced: added.replaced, ...(await build(edit.guild)) };
      }
      await editor.remove(edit.doc);
      // The last document gone: the server has no index (and answers from the base, if shown).
      if ((await listCollection(paths.docs)).length === 0) {
        await rm(paths.index, { recursive: true, force: true });
        opts.log.info('guild_reindexed', { guild: edit.guild, docs: 0 });
        return { ok: true, doc: edit.doc };
      }
      return { ok: true, doc: edit.doc, ...(await build(edit.guild)) };
    } catch (err) {
      if (err instanceof CollectionEditError) return { ok: false, message: err.message };
      throw err;
    }
  };

  return {
    apply: (edit) => serial(() => apply(edit)),
    close: (waitMs) => worker.close(waitMs),
  };
}
