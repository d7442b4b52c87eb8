/**
 * Sources from the web for one collection folder: add a page, feed or sitemap by its URL, keep
 * everything in sync, list and stop following feeds.
 *
 * - `add(url)`: a page is fetched and stored; a feed or sitemap is added to sources.json's
 *   `follow` list and each item's page fetched and stored. While a long listing is read the index
 *   is refreshed as pages arrive (one rebuild at a time, each embedding only the new pages), so
 *   fetching overlaps embedding; the final refresh makes everything answerable before it resolves.
 * - `sync()` (every `syncIntervalMs` once started): each followed URL is fetched again
 *   (conditionally) and its new items added; every fetched page is asked for again with its
 *   ETag / Last-Modified: unchanged costs a 304, a changed page is re-stored (only it is embedded
 *   again), a page answering 404/410 is removed from the collection and never fetched again. An
 *   item that merely drops out of its feed stays (a news archive).
 * - `unfollow(url)`: the URL leaves the follow list and its pages leave the collection.
 * Every failure is one line, kept per followed URL for `feeds()`.
 */
import { CollectionEditError, readSources, type CollectionEditor } from './collection.js';
import { expand, probe, reason, storePage } from './web-crawl.js';
import { stateStore, type Followed, type WebState } from './web-state.js';
import {
  docsByUrl,
  eachAtOnce,
  noteFollowed,
  now,
  syncFollowed,
  syncPage,
  takeItems,
  webPages,
  type Failure,
  type Progress,
  type SyncContext,
} from './web-sync.js';
import type { Logger } from '../core/log.js';
import { webClient, type WebClient, type WebClientOptions } from '../ingest/web/client.js';
import { FetchFailed, webUrl } from '../ingest/web/fetch.js';
import { FetchRefused, parseAllowList } from '../ingest/web/guard.js';
import { ConfigError, type Config } from '../core/config.js';
import { FOLLOW_KEY, withFollow, type WebEntry } from '../ingest/web/sources-file.js';
import { type RefreshResult } from './types.js';

export type { Progress } from './web-sync.js';

/** Most pages taken from one feed or sitemap. */
export const MAX_PAGES_PER_SOURCE = 10_000;

export interface AddReport {
  url: string;
  kind: 'page' | 'feed' | 'sitemap';
  title?: string;
  /** It was already in the collection (a page) or followed (a listing): it was synced instead. */
  already: boolean;
  /** Pages stored now (new or changed). */
  docs: string[];
  /** Items the listing names (pages: 1). */
  listed: number;
  failed: { url: string; reason: string }[];
  refresh: RefreshResult;
}

export interface SyncReport {
  followed: number;
  pages: number;
  added: string[];
  changed: string[];
  removed: string[];
  errors: number;
  ms: number;
  refresh?: RefreshResult;
}

export interface FeedStatus {
  url: string;
  kind?: Followed['kind'];
  title?: string;
  lastSync?: string;
  /** Pages of the collection that came from it. */
  items: number;
  error?: string;
  failedCount: number;
  failed: { url: string; reason: string }[];
}

export interface WebSources {
  readonly dir: string;
  /** Seconds between syncs (for what the replies say). */
  readonly syncIntervalS: number;
  add(url: string, opts?: { progress?: Progress }): Promise<AddReport>;
  sync(opts?: { progress?: Progress }): Promise<SyncReport>;
  feeds(): Promise<{ feeds: FeedStatus[]; pages: number; synced?: string }>;
  /** The followed URL that `value` names, if any (for `remove`). */
  followed(value: string): Promise<string | undefined>;
  unfollow(url: string): Promise<{ url: string; removed: string[]; refresh: RefreshResult }>;
  /** Starts the sync timer (`syncIntervalMs`); a sync is due when the last one is that old. */
  start(): void;
  /** Stops the timer and every request under way, and waits for the work in hand to stop. */
  close(): Promise<void>;
}

export interface WebSourcesOptions {
  editor: CollectionEditor;
  /** A client shared with other collections, so its one-request-per-host and robots.txt span them (default: its own). */
  client?: WebClient;
  refresh: (opts?: { force?: boolean }) => Promise<RefreshResult>;
  fetch: Omit<WebClientOptions, 'signal' | 'maxBytes'>;
  log: Logger;
  syncIntervalMs?: number;
  maxPages?: number;
}

export function openWebSources(opts: WebSourcesOptions): WebSources {
  const { editor, log } = opts;
  const dir = editor.dir;
  const maxBytes = editor.maxBytes;
  const maxPages = opts.maxPages ?? MAX_PAGES_PER_SOURCE;
  const stop = new AbortController();
  const client = opts.client ?? webClient({ ...opts.fetch, maxBytes, signal: stop.signal });
  const state = stateStore(dir);
  const busy = new Set<Promise<unknown>>();
  const track = <T>(p: Promise<T>): Promise<T> => {
    busy.add(p);
    void p.finally(() => busy.delete(p)).catch(() => undefined);
    return p;
  };

  // One rebuild at a time while pages arrive: each picks up what was stored during the last.
  let rebuilding: Promise<unknown> | undefined;
  const kick = () => {
    rebuilding ??= opts.refresh().finally(() => (rebuilding = undefined));
  };
  const ctx: SyncContext = { editor, client, state, maxBytes, maxPages, kick, signal: stop.signal, log };

  let syncing: Promise<SyncReport> | undefined;
  const sync = (syncOpts: { progress?: Progress } = {}): Promise<SyncReport> => {
    syncing ??= track(
      (async () => {
        const t0 = performance.now();
        const sources = await readSources(dir);
        const follow = sources[FOLLOW_KEY] ?? [];
        const report: SyncReport = {
          followed: follow.length,
          pages: 0,
          added: [],
          changed: [],
          removed: [],
          errors: 0,
          ms: 0,
        };
        for (const url of follow) {
          if (stop.signal.aborted) break;
          const r = await syncFollowed(ctx, url, syncOpts.progress);
          report.added.push(...r.docs);
          if (r.error) report.errors++;
        }
        const pages = webPages(await readSources(dir)).filter(([doc]) => !report.added.includes(doc));
        report.pages = pages.length;
        let done = 0;
        syncOpts.progress?.(0, pages.length);
        await eachAtOnce(pages, stop.signal, async ([doc, entry]) => {
          const outcome = await syncPage(ctx, doc, entry);
          if (outcome === 'changed') report.changed.push(doc);
          if (outcome === 'removed') report.removed.push(doc);
          if (outcome === 'error') report.errors++;
          syncOpts.progress?.(++done, pages.length);
        });
        await state.update((s) => void (s.synced = now()));
        if (report.added.length || report.changed.length || report.removed.length) {
          await rebuilding;
          report.refresh = await opts.refresh({ force: true });
        }
        report.ms = Math.round(performance.now() - t0);
        log.info('web_synced', {
          followed: report.followed,
          pages: report.pages,
          added: report.added.length,
          changed: report.changed.length,
          removed: report.removed.length,
          errors: report.errors,
          ms: report.ms,
        });
        return report;
      })().finally(() => (syncing = undefined)),
    );
    return syncing;
  };

  const finish = async (report: Omit<AddReport, 'refresh'>): Promise<AddReport> => {
    await rebuilding;
    return { ...report, refresh: await opts.refresh({ force: true }) };
  };

  async function add(raw: string, addOpts: { progress?: Progress } = {}): Promise<AddReport> {
    const url = webUrl(raw).href;
    const sources = await readSources(dir);
    if ((sources[FOLLOW_KEY] ?? []).includes(url)) {
      const prior = (await state.read()).followed[url];
      const r = await syncFollowed(ctx, url, addOpts.progress);
      const f = (await state.read()).followed[url];
      return finish({
        url,
        kind: f?.kind === 'sitemap' ? 'sitemap' : 'feed',
        title: f?.title ?? prior?.title,
        already: true,
        docs: r.docs,
        listed: r.listed,
        failed: Object.entries(f?.failed ?? {}).map(([u, why]) => ({ url: u, reason: why })),
      });
    }
    const existing = docsByUrl(sources).get(url);
    const entry = existing ? (sources[existing] as WebEntry) : undefined;
    const p = await probe(client, url, maxBytes);
    if (p.kind === 'gone')
      throw new CollectionEditError(`${url.slice(0, 200)} answered ${p.code}: there is no page there to add.`);
    if (p.kind === 'not-modified')
      throw new CollectionEditError(`${url.slice(0, 200)} answered 304 to a plain request.`);
    if (p.kind === 'page') {
      const stored = await storePage(editor, url, p.fetched, p.page, entry?.from, entry);
      return finish({
        url,
        kind: 'page',
        already: !!existing,
        docs: stored.unchanged ? [] : [stored.doc],
        listed: 1,
        failed: [],
      });
    }
    await editor.editSources((s) => withFollow(s, [...(s[FOLLOW_KEY] ?? []).filter((u) => u !== url), url]));
    await noteFollowed(ctx, url, { kind: p.listing.kind, added: now() });
    log.info('web_followed', { url, kind: p.listing.kind });
    const failed: Failure[] = [];
    const items = await expand(client, p.listing, maxBytes, maxPages, (u, r) => failed.push({ url: u, reason: r }));
    const taken = await takeItems(ctx, url, items, addOpts.progress);
    failed.push(...taken.failed);
    const title = p.listing.kind === 'feed' ? p.listing.title : undefined;
    await noteFollowed(
      ctx,
      url,
      { ...(title && { title }), lastSync: now(), etag: p.fetched.etag, lastModified: p.fetched.lastModified },
      failed,
    );
    return finish({ url, kind: p.listing.kind, title, already: false, docs: taken.docs, listed: items.length, failed });
  }

  async function followed(value: string): Promise<string | undefined> {
    let url: string;
    try {
      url = webUrl(value).href;
    } catch {
      return undefined;
    }
    return ((await readSources(dir))[FOLLOW_KEY] ?? []).includes(url) ? url : undefined;
  }

  let timer: NodeJS.Timeout | undefined;
  return {
    dir,
    syncIntervalS: Math.round((opts.syncIntervalMs ?? 3_600_000) / 1000),
    add: (url, o) => track(add(url, o)),
    sync,
    async feeds() {
      const sources = await readSources(dir);
      const s: WebState = await state.read();
      const pages = webPages(sources);
      const feeds = (sources[FOLLOW_KEY] ?? []).map((url): FeedStatus => {
        const f = s.followed[url];
        return {
          url,
          kind: f?.kind,
          title: f?.title,
          lastSync: f?.lastSync,
          items: pages.filter(([, e]) => e.from === url).length,
          error: f?.error,
          failedCount: f?.failedCount ?? 0,
          failed: Object.entries(f?.failed ?? {}).map(([u, why]) => ({ url: u, reason: why })),
        };
      });
      return { feeds, pages: pages.length, synced: s.synced };
    },
    followed,
    unfollow: (raw) =>
      track(
        (async () => {
          const url = await followed(raw);
          if (!url) throw new CollectionEditError(`${raw.slice(0, 200)} is not followed (see the list of feeds).`);
          await editor.editSources((s) =>
            withFollow(
              s,
              (s[FOLLOW_KEY] ?? []).filter((u) => u !== url),
            ),
          );
          const removed: string[] = [];
          for (const [doc, entry] of webPages(await readSources(dir))) {
            if (entry.from !== url) continue;
            await editor.remove(doc);
            removed.push(doc);
          }
          await state.update((s) => {
            delete s.followed[url];
            // Followed again later, its pages are taken again.
            for (const [page, from] of Object.entries(s.taken)) if (from === url) delete s.taken[page];
          });
          log.info('web_unfollowed', { url, removed: removed.length });
          return { url, removed, refresh: await opts.refresh({ force: true }) };
        })(),
      ),
    start() {
      const interval = opts.syncIntervalMs;
      if (!interval || timer) return;
      const due = async () => {
        const last = (await state.read()).synced;
        if (!syncing && (!last || Date.now() - Date.parse(last) >= interval)) await sync();
      };
      timer = setInterval(
        () => void due().catch((err) => log.warn('web_sync_failed', { error: reason(err) })),
        Math.min(interval, 60_000),
      );
      timer.unref();
    },
    async close() {
      clearInterval(timer);
      stop.abort();
      await Promise.allSettled([...busy]);
      await rebuilding;
    },
  };
}

/** A refusal from adding, syncing or unfollowing (a refused or failed fetch, a refused edit) as its one line; undefined for an unexpected error. */
export function webRefusal(err: unknown): string | undefined {
  const known = [FetchRefused, FetchFailed, CollectionEditError, ConfigError].some((c) => err instanceof c);
  return known ? (err as Error).message.split('\n')[0]!.slice(0, 500) : undefined;
}

/** The fetch settings of the configuration (a bad FETCH_ALLOW_HOSTS is a ConfigError). */
export function fetchFromConfig(
  config: Pick<Config, 'FETCH_ALLOW_HOSTS' | 'FETCH_DELAY_MS'>,
): WebSourcesOptions['fetch'] {
  try {
    return { allow: parseAllowList(config.FETCH_ALLOW_HOSTS), delayMs: config.FETCH_DELAY_MS };
  } catch (err) {
    throw new ConfigError(`Bad setting FETCH_ALLOW_HOSTS: ${reason(err)}.`);
  }
}

/** Web sources for a collection editor, with the fetch settings of the configuration (a bad FETCH_ALLOW_HOSTS is a ConfigError). */
export function webSourcesFromConfig(
  config: Pick<Config, 'FETCH_ALLOW_HOSTS' | 'FETCH_DELAY_MS' | 'SYNC_INTERVAL_S'>,
  collection: Pick<WebSourcesOptions, 'editor' | 'refresh' | 'log'>,
): WebSources {
  return openWebSources({
    ...collection,
    fetch: fetchFromConfig(config),
    syncIntervalMs: config.SYNC_INTERVAL_S * 1000,
  });
}
