/**
 * Sources from the web in servers' own collections, for the one writer: `/collection add-url`
 * (a page stored, or a feed or sitemap followed), `feeds` and unfollowing, and the periodic sync
 * of every server that follows something. Each server gets the same web sources as the operator's
 * base (web-sources.ts) over its own folder, through an editor that holds the server's quota and
 * tells the backend of every file it writes (the shared store keeps the files), and a refresh that
 * re-indexes only that server. Called inside the server's turn in the writer, so a server's web
 * edits never interleave with its other edits; other servers' turns run meanwhile.
 *
 * A long listing is still being fetched when the reply is due (`replyWithinMs`): the reply then
 * says how far it got and the rest continues in the server's turn (`background`), answerable as
 * pages arrive. Refusals (a refused address, a failed fetch, the quota) are one line, nothing written.
 */
import { withFields, type Logger } from '../core/log.js';
import { webClient, type WebClientOptions } from '../ingest/web/client.js';
import { collectionEditor, type CollectionEditor, type CollectionQuota } from './collection.js';
import type { EditOutcome, GuildEdit } from './guild-edit.js';
import type { RefreshResult } from './types.js';
import { openWebSources, webRefusal, type AddReport, type WebSources } from './web-sources.js';
import { stateStore } from './web-state.js';

export type WebEdit = Extract<GuildEdit, { kind: 'add-url' | 'unfollow' | 'feeds' }>;

export interface GuildWebOptions {
  fetch: Omit<WebClientOptions, 'signal' | 'maxBytes'>;
  syncIntervalMs: number;
  /** How long an add-url may take before the reply says how far it got (default 60 s). */
  replyWithinMs?: number;
}

/** What the writer gives the web sources of a server. */
export interface GuildWebHooks {
  /** A file was written or removed in the server's folder. */
  saved(guild: string, docs: string, change: { added?: string; removed?: string }): Promise<void>;
  /** The follow list or the sync's record changed (the shared store keeps them). */
  savedWeb(guild: string, docs: string): Promise<void>;
  /** Re-indexes the server from its folder. */
  reindex(guild: string, docs: string): Promise<{ generation?: string; indexError?: string }>;
}

export interface GuildWeb {
  /** Applies one web edit of a server whose folder is `docs` (brought up to date by the writer). */
  apply(edit: WebEdit, docs: string): Promise<{ outcome: EditOutcome; background?: Promise<unknown> }>;
  /** Syncs a server's followed feeds and fetched pages now. */
  sync(guild: string, docs: string): Promise<void>;
  close(): Promise<void>;
}

const FAILED_SHOWN = 20;
/** Servers' idle web sources kept open at once (each only a small record in memory; one at work is never closed). */
const MAX_OPEN = 64;

export function guildWeb(
  opts: GuildWebOptions & { uploadMaxBytes: number; quota: CollectionQuota; log: Logger },
  hooks: GuildWebHooks,
): GuildWeb {
  const syncIntervalS = Math.max(1, Math.round(opts.syncIntervalMs / 1000));
  // One client for every server: one request at a time per host, and one robots.txt, across them all.
  const stop = new AbortController();
  const client = webClient({ ...opts.fetch, maxBytes: opts.uploadMaxBytes, signal: stop.signal });
  type Entry = { web: WebSources; last: { generation?: string; indexError?: string }; busy: number };
  const open = new Map<string, Entry>();

  /**
   * The server's web sources, opened on first use; the least recently used idle ones are closed past
   * MAX_OPEN (their record is on disk). Servers' turns run side by side: one at work stays open.
   */
  function sourcesFor(guild: string, docs: string): Entry {
    const have = open.get(guild);
    if (have) {
      open.delete(guild);
      open.set(guild, have);
      return have;
    }
    for (const [old, entry] of open) {
      if (open.size < MAX_OPEN) break;
      if (entry.busy) continue;
      open.delete(old);
      void entry.web.close();
    }
    const files = collectionEditor(docs, opts.uploadMaxBytes, opts.quota);
    const editor: CollectionEditor = {
      dir: docs,
      maxBytes: files.maxBytes,
      async add(input) {
        const added = await files.add(input);
        await hooks.saved(guild, docs, { added: added.doc });
        return added;
      },
      async remove(doc) {
        await files.remove(doc);
        await hooks.saved(guild, docs, { removed: doc });
      },
      async editSources(change) {
        await files.editSources(change);
        await hooks.savedWeb(guild, docs);
      },
    };
    const entry: Entry = {
      busy: 0,
      last: {},
      web: openWebSources({
        editor,
        client,
        fetch: opts.fetch,
        log: withFields(opts.log, { guild }),
        syncIntervalMs: opts.syncIntervalMs,
        maxPages: opts.quota.maxDocs,
        refresh: async (): Promise<RefreshResult> => {
          entry.last = await hooks.reindex(guild, docs);
          return entry.last.indexError ? { ok: false, error: entry.last.indexError } : { ok: true, changed: false };
        },
      }),
    };
    open.set(guild, entry);
    return entry;
  }

  /** Runs `work` on the server's web sources, kept open while it runs. */
  const using = <T>(entry: Entry, work: (web: WebSources) => Promise<T>): Promise<T> => {
    entry.busy++;
    return work(entry.web).finally(() => entry.busy--);
  };

  /** After a web edit: what was just fetched counts as synced (the timer syncs it an interval later); the store keeps the record. */
  const done = async (guild: string, docs: string) => {
    await stateStore(docs).update((s) => void (s.synced ??= new Date().toISOString()));
    await hooks.savedWeb(guild, docs);
  };

  async function addUrl(edit: Extract<WebEdit, { kind: 'add-url' }>, docs: string) {
    const entry = sourcesFor(edit.guild, docs);
    const progress = { done: 0, total: 0 };
    const adding = using(entry, (web) =>
      web.add(edit.url, { progress: (d, t) => Object.assign(progress, { done: d, total: t }) }),
    ).finally(() => done(edit.guild, docs));
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), opts.replyWithinMs ?? 60_000)));
    const first = await Promise.race([adding, late]).finally(() => clearTimeout(timer));
    if (first === 'late') {
      opts.log.info('guild_web_background', { guild: edit.guild, url: edit.url.slice(0, 300), ...progress });
      const outcome: EditOutcome = {
        ok: true,
        web: { fetching: { url: edit.url.slice(0, 2000), ...progress }, syncIntervalS },
      };
      return { outcome, background: adding.catch(() => undefined) };
    }
    const report: AddReport = first;
    // The index the add's own last refresh built.
    const current = entry.last;
    return {
      outcome: {
        ok: true,
        ...(current.generation && { generation: current.generation }),
        ...(current.indexError && { indexError: current.indexError }),
        web: {
          added: {
            url: report.url,
            kind: report.kind,
            ...(report.title && { title: report.title.slice(0, 300) }),
            already: report.already,
            docs: report.docs,
            listed: report.listed,
            failed: report.failed.slice(0, FAILED_SHOWN),
          },
          syncIntervalS,
        },
      } satisfies EditOutcome,
    };
  }

  return {
    async apply(edit, docs) {
      try {
        if (edit.kind === 'add-url') return await addUrl(edit, docs);
        const entry = sourcesFor(edit.guild, docs);
        if (edit.kind === 'feeds') {
          const list = await using(entry, (web) => web.feeds());
          const feeds = list.feeds.map((f) => ({ ...f, failed: f.failed.slice(0, FAILED_SHOWN) }));
          return { outcome: { ok: true, web: { feeds: { ...list, feeds }, syncIntervalS } } };
        }
        const r = await using(entry, (web) => web.unfollow(edit.url)).finally(() => done(edit.guild, docs));
        const last = entry.last;
        return {
          outcome: {
            ok: true,
            ...(last.generation && { generation: last.generation }),
            ...(!r.refresh.ok && { indexError: r.refresh.error }),
            web: { unfollowed: { url: r.url, removed: r.removed }, syncIntervalS },
          },
        };
      } catch (err) {
        const line = webRefusal(err);
        if (line === undefined) throw err;
        return { outcome: { ok: false, message: line } };
      }
    },
    async sync(guild, docs) {
      await using(sourcesFor(guild, docs), (web) => web.sync()).finally(() => done(guild, docs));
    },
    async close() {
      stop.abort();
      await Promise.all([...open.values()].map((e) => e.web.close()));
      open.clear();
    },
  };
}
