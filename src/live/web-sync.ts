/**
 * The sync of one followed URL and of one stored page (used by web-sources.ts, for `add` and for
 * the periodic sync). A followed listing is fetched (conditionally when all its items made it in)
 * and the items not yet in the collection are fetched and stored; a stored page is asked for with
 * its validators: 304 keeps it, a new body replaces it, 404/410 removes it (and remembers the URL
 * as gone, so its feed cannot bring it back). Failures are one line each, recorded per followed URL.
 */
import { CollectionEditError, readSources, type CollectionEditor } from './collection.js';
import { expand, probe, reason, storePage } from './web-crawl.js';
import { MAX_FAILED_KEPT, type Followed, type stateStore } from './web-state.js';
import type { Logger } from '../core/log.js';
import type { WebClient } from '../ingest/web/client.js';
import type { ListedItem } from '../ingest/web/listing.js';
import { FOLLOW_KEY, type WebEntry } from '../ingest/web/sources-file.js';
import type { SourcesFile } from '../ingest/load.js';

export type Progress = (done: number, total: number) => void;
export type Failure = { url: string; reason: string };

/** Pages fetched at once (each host still gets one request at a time). */
export const WORKERS = 4;

export interface SyncContext {
  editor: CollectionEditor;
  client: WebClient;
  state: ReturnType<typeof stateStore>;
  maxBytes: number;
  maxPages: number;
  /** A page was stored: start a rebuild unless one is under way. */
  kick: () => void;
  signal: AbortSignal;
  log: Logger;
}

export const now = () => new Date().toISOString();

/** The collection's fetched pages (entries with a fetch time), by file name. */
export const webPages = (sources: SourcesFile): [string, WebEntry][] =>
  Object.entries(sources).filter(
    (e): e is [string, WebEntry] => e[0] !== FOLLOW_KEY && !Array.isArray(e[1]) && !!(e[1] as WebEntry).fetched,
  );

/** Every document with a URL (fetched or uploaded with one), by URL. */
export const docsByUrl = (sources: SourcesFile): Map<string, string> =>
  new Map(
    Object.entries(sources)
      .filter(([k, v]) => k !== FOLLOW_KEY && !Array.isArray(v) && (v as WebEntry).url)
      .map(([k, v]) => [(v as WebEntry).url!, k]),
  );

/** Runs `job` over `items` with WORKERS at once, in order of the list. */
export async function eachAtOnce<T>(items: readonly T[], signal: AbortSignal, job: (item: T) => Promise<void>) {
  const queue = [...items];
  const work = async () => {
    for (let next = queue.shift(); next !== undefined && !signal.aborted; next = queue.shift()) await job(next);
  };
  await Promise.all(Array.from({ length: WORKERS }, work));
}

/** Fetches and stores the listed pages not yet in the collection (nor gone); failures are collected. */
export async function takeItems(
  ctx: SyncContext,
  from: string,
  items: ListedItem[],
  progress?: Progress,
): Promise<{ docs: string[]; failed: Failure[] }> {
  const known = docsByUrl(await readSources(ctx.editor.dir));
  const { gone, taken } = await ctx.state.read();
  // A page taken before and no longer in the collection was removed on purpose: it stays out.
  const todo = items.filter((i) => !known.has(i.url) && !gone[i.url] && !taken[i.url]);
  const docs: string[] = [];
  const failed: Failure[] = [];
  let done = 0;
  progress?.(0, todo.length);
  await eachAtOnce(todo, ctx.signal, async (item) => {
    try {
      const p = await probe(ctx.client, item.url, ctx.maxBytes);
      if (p.kind === 'gone') {
        await ctx.state.update((s) => void (s.gone[item.url] = now()));
        failed.push({ url: item.url, reason: `answered ${p.code}` });
      } else if (p.kind !== 'page') failed.push({ url: item.url, reason: 'not a page (a feed or sitemap)' });
      else {
        docs.push((await storePage(ctx.editor, item.url, p.fetched, p.page, from)).doc);
        await ctx.state.update((s) => void (s.taken[item.url] = from));
        ctx.kick();
      }
    } catch (err) {
      failed.push({ url: item.url, reason: reason(err) });
    }
    progress?.(++done, todo.length);
  });
  return { docs, failed };
}

/** Records how the sync of a followed URL went (an absent `error` clears the last one). */
export const noteFollowed = (ctx: SyncContext, url: string, change: Partial<Followed>, failed?: Failure[]) =>
  ctx.state.update((s) => {
    const f: Followed = (s.followed[url] ??= { failed: {}, failedCount: 0 });
    Object.assign(f, JSON.parse(JSON.stringify(change)));
    if (!('error' in change)) delete f.error;
    if (failed) {
      f.failed = Object.fromEntries(failed.slice(0, MAX_FAILED_KEPT).map((x) => [x.url, x.reason]));
      f.failedCount = failed.length;
    }
  });

/** Syncs one followed URL: its listing again, and the listed pages not yet stored. */
export async function syncFollowed(
  ctx: SyncContext,
  url: string,
  progress?: Progress,
): Promise<{ docs: string[]; listed: number; error?: string }> {
  const prior = (await ctx.state.read()).followed[url];
  try {
    // A followed page already stored is synced with the other pages (conditionally), not fetched twice.
    if (prior?.kind === 'page' && docsByUrl(await readSources(ctx.editor.dir)).has(url)) {
      await noteFollowed(ctx, url, { lastSync: now() });
      return { docs: [], listed: 1 };
    }
    // Asked for conditionally when all its items made it in; in full otherwise, to retry them.
    const validators = prior?.failedCount ? {} : { etag: prior?.etag, lastModified: prior?.lastModified };
    const p = await probe(ctx.client, url, ctx.maxBytes, validators);
    if (p.kind === 'not-modified') {
      await noteFollowed(ctx, url, { lastSync: now() });
      return { docs: [], listed: 0 };
    }
    if (p.kind === 'gone') {
      const error = `answered ${p.code}; its pages stay, and it is asked for again at the next sync`;
      await noteFollowed(ctx, url, { lastSync: now(), error });
      return { docs: [], listed: 0, error };
    }
    if (p.kind === 'page') {
      const known = docsByUrl(await readSources(ctx.editor.dir));
      const docs = known.has(url) ? [] : [(await storePage(ctx.editor, url, p.fetched, p.page, url)).doc];
      await noteFollowed(ctx, url, { kind: 'page', lastSync: now() }, []);
      return { docs, listed: 1 };
    }
    const failed: Failure[] = [];
    const items = await expand(ctx.client, p.listing, ctx.maxBytes, ctx.maxPages, (u, r) =>
      failed.push({ url: u, reason: r }),
    );
    const taken = await takeItems(ctx, url, items, progress);
    const title = p.listing.kind === 'feed' ? p.listing.title : undefined;
    const { etag, lastModified } = p.fetched;
    await noteFollowed(
      ctx,
      url,
      { kind: p.listing.kind, ...(title && { title }), lastSync: now(), etag, lastModified },
      [...failed, ...taken.failed],
    );
    return { docs: taken.docs, listed: items.length };
  } catch (err) {
    const error = reason(err);
    await noteFollowed(ctx, url, { lastSync: now(), error });
    return { docs: [], listed: 0, error };
  }
}

/** Asks for a stored page again with its validators. */
export async function syncPage(
  ctx: SyncContext,
  doc: string,
  entry: WebEntry,
): Promise<'same' | 'changed' | 'removed' | 'error'> {
  const url = entry.url!;
  try {
    const p = await probe(ctx.client, url, ctx.maxBytes, { etag: entry.etag, lastModified: entry.lastModified });
    if (p.kind === 'not-modified') return 'same';
    if (p.kind === 'gone') {
      await ctx.editor.remove(doc);
      await ctx.state.update((s) => void (s.gone[url] = now()));
      ctx.log.info('source_gone', { doc, url, status: p.code });
      return 'removed';
    }
    if (p.kind !== 'page') throw new Error(`${url.slice(0, 100)} is no longer a page`);
    const stored = await storePage(ctx.editor, url, p.fetched, p.page, entry.from, entry);
    return stored.unchanged ? 'same' : 'changed';
  } catch (err) {
    // A page that now has nothing to quote (or cannot be read) keeps its stored copy.
    const kept = err instanceof CollectionEditError;
    ctx.log.warn('web_page_failed', { doc, url, error: reason(err), ...(kept && { note: 'the stored copy stays' }) });
    return 'error';
  }
}
