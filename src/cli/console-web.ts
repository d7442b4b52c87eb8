/**
 * The console's sources from the web: `/sources add <http(s) URL>` (a page, or a feed or sitemap
 * to follow; on a terminal a progress bar shows pages/s and the ETA), `/sources feeds` (what is
 * followed), `/sources remove <followed URL>` (stop following it, its pages removed). The same
 * replies as the bot's, in plain text; edits are logged `by: "console"`.
 */
import { progressBar } from './args.js';
import type { Logger } from '../core/log.js';
import type { Engine } from '../core/types.js';
import { plainMarkup } from '../message/markdown.js';
import { addUrl, feedsText, unfollowUrl } from '../message/web.js';
import { type Rendered, renderNotice } from '../message/rendered.js';
import { type LiveCollection } from '../live/live-collection.js';

import { isWebAddress } from '../core/url.js';

const OFF = 'Sources from the web cannot be added here (the collection is not editable).';

export async function consoleAddUrl(
  engine: Engine,
  collection: LiveCollection | undefined,
  url: string,
  log?: Logger,
): Promise<Rendered> {
  const web = collection?.web;
  if (!web) return renderNotice(OFF);
  const bar = await progressBar('Fetching', { unit: 'pages' });
  const r = await addUrl(engine, web, url.trim(), { markup: plainMarkup, progress: bar.update }).finally(bar.stop);
  log?.info(r.outcome === 'url_refused' ? 'source_edit_refused' : 'source_url_added', {
    url: url.trim().slice(0, 300),
    outcome: r.outcome,
    docs: r.report?.docs.length,
    by: 'console',
  });
  return renderNotice(r.text, false);
}

export async function consoleFeeds(collection: LiveCollection | undefined): Promise<Rendered> {
  const web = collection?.web;
  if (!web) return renderNotice(OFF);
  return renderNotice(feedsText(await web.feeds(), { syncIntervalS: web.syncIntervalS, markup: plainMarkup }), false);
}

/** `/sources remove <url>` when the URL is followed; undefined otherwise (a document is removed as before). */
export async function consoleUnfollow(
  collection: LiveCollection | undefined,
  value: string,
  log?: Logger,
): Promise<Rendered | undefined> {
  const web = collection?.web;
  if (!web || !isWebAddress(value) || !(await web.followed(value))) return undefined;
  const r = await unfollowUrl(web, value, plainMarkup);
  log?.info('source_unfollowed', { url: value.slice(0, 300), outcome: r.outcome, by: 'console' });
  return renderNotice(r.text, false);
}
