/**
 * What the bot and the console say about sources from the web: adding a URL (a page, or a feed or
 * sitemap followed), the list of followed feeds, stopping to follow one. Shared by `/sources
 * add-url|feeds|remove` and the console's `/sources add <url>|feeds|remove <url>`; refusals
 * (FetchRefused, FetchFailed, CollectionEditError) become their one line.
 */
import type { DocInfo, Engine } from '../core/types.js';
import type { EditOutcome } from '../live/guild-edit.js';
import { webRefusal, type AddReport, type FeedStatus, type Progress, type WebSources } from '../live/web-sources.js';
import { discordMarkup, type Markup } from './markdown.js';
import { type RefreshResult } from '../live/types.js';

const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en')} ${n === 1 ? one : many}`;

/** "every hour", "every 15 minutes", "every 30 seconds". */
export function everyInterval(seconds: number): string {
  if (seconds % 3600 === 0) return seconds === 3600 ? 'every hour' : `every ${seconds / 3600} hours`;
  if (seconds % 60 === 0) return seconds === 60 ? 'every minute' : `every ${seconds / 60} minutes`;
  return `every ${plural(seconds, 'second')}`;
}

/** "5 min ago", "2 h ago", "3 days ago". */
export function ago(iso: string | undefined, now = Date.now()): string {
  if (!iso) return 'never';
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 90) return `${s} s ago`;
  if (s < 90 * 60) return `${Math.round(s / 60)} min ago`;
  if (s < 36 * 3600) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} days ago`;
}

const failures = (m: Markup, failed: AddReport['failed'], shown = 3): string =>
  failed.length
    ? ` ${plural(failed.length, 'item')} could not be added: ${failed
        .slice(0, shown)
        .map((f) => `${m.url(f.url.slice(0, 200))} (${m.text(f.reason)})`)
        .join('; ')}${failed.length > shown ? '; …' : ''}.`
    : '';

const unindexed = (r: RefreshResult) =>
  `the index could not be updated (${r.ok ? 'the new pages are not in it yet' : r.error}); they become answerable once it is rebuilt`;

/** The reply to adding a URL (`find`: a document as the collection answers it now). */
export function addUrlText(
  find: (doc: string) => DocInfo | undefined,
  r: AddReport,
  opts: { syncIntervalS: number; markup?: Markup },
): { text: string; outcome: string } {
  const m = opts.markup ?? discordMarkup;
  const answerable = r.docs.filter((d) => find(d)).length;
  const indexed = r.refresh.ok && answerable === r.docs.length;
  if (r.kind === 'page') {
    const doc = r.docs[0];
    if (!doc) return { text: `${m.url(r.url)} is already in the collection, unchanged.`, outcome: 'url_unchanged' };
    const info = find(doc);
    const verb = r.already ? 'Updated' : 'Added';
    if (!indexed || !info)
      return {
        text: `${verb} ${m.code(doc)} from ${m.url(r.url)}, but ${unindexed(r.refresh)}.`,
        outcome: 'url_unindexed',
      };
    return {
      text: `${verb} ${m.code(doc)} from ${m.url(r.url)} (${plural(info.passages, 'passage')}): it is indexed and answerable now; it is checked for changes ${everyInterval(opts.syncIntervalS)}.`,
      outcome: r.already ? 'url_updated' : 'url_added',
    };
  }
  const what = `${r.kind === 'feed' ? 'the feed' : 'the sitemap'} ${r.title ? `“${m.text(r.title)}” ` : ''}(${m.url(r.url)})`;
  const added = r.already
    ? `Already following ${what}: synced now, ${plural(r.docs.length, 'new page')} added`
    : `Now following ${what}: ${plural(r.docs.length, 'page')} of ${plural(r.listed, 'listed item')} added`;
  const state = r.docs.length === 0 ? '' : indexed ? ', answerable now' : `, but ${unindexed(r.refresh)}`;
  const later = ` New items are added ${everyInterval(opts.syncIntervalS)}.`;
  return {
    text: `${added}${state}.${failures(m, r.failed)}${later}`,
    outcome: r.docs.length && !indexed ? 'follow_unindexed' : r.already ? 'follow_synced' : 'followed',
  };
}

/** The reply for a crawl still under way when the reply is due (Discord's token does not wait for ever). */
export function stillFetchingText(url: string, done: number, total: number, m: Markup = discordMarkup): string {
  if (total > 0 && done >= total)
    return `Now following ${m.url(url)}: all ${plural(total, 'page')} fetched; they are being indexed and become answerable in a moment (see the list of feeds).`;
  return `Now following ${m.url(url)}: ${done.toLocaleString('en')} of ${plural(total, 'page')} fetched so far; the rest are fetched in the background and become answerable as they arrive (see the list of feeds).`;
}

/** The list of followed feeds and sitemaps. */
export function feedsText(
  list: { feeds: FeedStatus[]; pages: number; synced?: string },
  opts: { syncIntervalS: number; markup?: Markup; now?: number; maxChars?: number },
): string {
  const m = opts.markup ?? discordMarkup;
  if (!list.feeds.length && !list.pages)
    return 'No feeds, sitemaps or web pages are followed. Add one by its URL (https://…).';
  const lines = list.feeds.map((f) => {
    const name = f.title ? `“${m.text(f.title)}” ` : '';
    const parts = [
      `• ${name}${m.url(f.url)}${f.kind && f.kind !== 'page' ? ` (${f.kind})` : ''}`,
      plural(f.items, 'page'),
      `synced ${ago(f.lastSync, opts.now)}`,
    ];
    if (f.error) parts.push(`error: ${m.text(f.error)}`);
    if (f.failedCount)
      parts.push(
        `${plural(f.failedCount, 'item')} not added (${m.text(f.failed[0]?.reason ?? 'see the log')}${f.failedCount > 1 ? ', …' : ''})`,
      );
    return parts.join(' — ');
  });
  const head = `${m.bold(`Followed: ${plural(list.feeds.length, 'feed or sitemap', 'feeds and sitemaps')}`)}`;
  const tail = `${plural(list.pages, 'web page')} in the collection, checked for changes ${everyInterval(opts.syncIntervalS)} (last full sync ${ago(list.synced, opts.now)}).`;
  // Whole lines within one message (Discord's 2,000 characters), the rest counted.
  let budget = (opts.maxChars ?? 1900) - head.length - tail.length - 40;
  const shown = lines.filter((l) => (budget -= l.length + 1) >= 0);
  const more = lines.length > shown.length ? [`… and ${plural(lines.length - shown.length, 'more')}`] : [];
  return [head, ...shown, ...more, tail].join('\n');
}

/** The reply to stopping to follow a feed or sitemap. */
export function unfollowText(
  r: { url: string; removed: string[]; refresh: RefreshResult },
  m: Markup = discordMarkup,
): { text: string; outcome: string } {
  const names = r.removed.slice(0, 5).map((d) => m.code(d));
  const list = r.removed.length
    ? ` and removed its ${plural(r.removed.length, 'page')} (${names.join(', ')}${r.removed.length > 5 ? ', …' : ''})`
    : '';
  const state = !r.removed.length
    ? ''
    : r.refresh.ok
      ? ': they will not be cited any more'
      : `, but the index could not be updated (${r.refresh.error}); they may be cited until it is`;
  return {
    text: `Stopped following ${m.url(r.url)}${list}${state}.`,
    outcome: r.refresh.ok ? 'unfollowed' : 'unfollow_unindexed',
  };
}

/** Adds a URL to the collection and says how it went (refusals included). */
export async function addUrl(
  engine: Engine,
  web: WebSources,
  url: string,
  opts: { markup?: Markup; progress?: Progress } = {},
): Promise<{ text: string; outcome: string; report?: AddReport }> {
  try {
    const report = await web.add(url, { progress: opts.progress });
    const find = (d: string) => engine.document(d);
    return { ...addUrlText(find, report, { syncIntervalS: web.syncIntervalS, markup: opts.markup }), report };
  } catch (err) {
    const refusal = webRefusal(err);
    if (refusal === undefined) throw err;
    return { text: refusal, outcome: 'url_refused' };
  }
}

/** Stops following a feed or sitemap (`value` must name a followed URL). */
export async function unfollowUrl(web: WebSources, value: string, m: Markup = discordMarkup) {
  try {
    return unfollowText(await web.unfollow(value), m);
  } catch (err) {
    const refusal = webRefusal(err);
    if (refusal === undefined) throw err;
    return { text: refusal, outcome: 'unfollow_refused' };
  }
}

/**
 * The reply to a web edit of a server's collection (`/collection add-url|feeds|remove <url>`),
 * from the writer's outcome; `find` looks a document up in the server's collection as answered now.
 */
export function guildWebText(
  o: EditOutcome,
  find: (doc: string) => DocInfo | undefined,
  m: Markup = discordMarkup,
): { text: string; outcome: string } {
  if (!o.ok || !o.web) return { text: o.message ?? 'That could not be done.', outcome: 'url_refused' };
  const { web } = o;
  const refresh: RefreshResult = o.indexError ? { ok: false, error: o.indexError } : { ok: true, changed: false };
  if (web.added) return addUrlText(find, { ...web.added, refresh }, { syncIntervalS: web.syncIntervalS, markup: m });
  if (web.fetching)
    return {
      text: stillFetchingText(web.fetching.url, web.fetching.done, web.fetching.total, m),
      outcome: 'following',
    };
  if (web.unfollowed) return unfollowText({ ...web.unfollowed, refresh }, m);
  if (web.feeds)
    return { text: feedsText(web.feeds, { syncIntervalS: web.syncIntervalS, markup: m }), outcome: 'feeds' };
  return { text: o.message ?? 'Done.', outcome: 'done' };
}
