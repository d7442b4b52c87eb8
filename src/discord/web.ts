/**
 * The moderators' commands for sources from the web, as functions (wired today as `/sources
 * add-url url:` and `/sources feeds`, and `/sources remove doc:<followed URL>`; they move under
 * `/collection` as they are). The permission check is the caller's. Replies are ephemeral; an
 * addition whose pages are still being fetched when the reply is due (Discord's token lasts 15
 * minutes) says how far it got and goes on in the background. Every edit is logged with who made it.
 */
import type { ChatInputCommandInteraction } from 'discord.js';
import { deferFirst, send } from './respond.js';
import type { BotContext, HandlerResult } from './types.js';
import { addUrl, feedsText, stillFetchingText, unfollowUrl } from '../message/web.js';
import { renderNotice } from '../message/rendered.js';
import { type LiveCollection } from '../live/live-collection.js';

/** How long an addition may run before the reply is sent anyway (within the token's 15 minutes). */
export const ADD_URL_REPLY_MS = 10 * 60 * 1000;

const OFF = 'Web pages and feeds cannot be added on this bot (its collection is not editable).';

const who = (i: ChatInputCommandInteraction) => ({ by: i.user.id, by_name: i.user.username, guild: i.guildId });

/** `url`: a page, feed or sitemap to add. */
export async function addUrlCommand(
  i: ChatInputCommandInteraction,
  ctx: BotContext,
  collection: LiveCollection,
  url: string,
  replyAfterMs = ADD_URL_REPLY_MS,
): Promise<HandlerResult> {
  const web = collection.web;
  if (!web) {
    await send(i, renderNotice(OFF));
    return { outcome: 'url_off' };
  }
  await deferFirst(i, true);
  let progress = { done: 0, total: 0 };
  const adding = addUrl(ctx.engine, web, url, { progress: (done, total) => (progress = { done, total }) });
  void adding.then(
    (r) =>
      ctx.log.info('source_url_added', {
        url: url.slice(0, 300),
        outcome: r.outcome,
        docs: r.report?.docs.length,
        ...who(i),
      }),
    (err: unknown) =>
      ctx.log.warn('source_url_failed', { url: url.slice(0, 300), error: String(err).slice(0, 200), ...who(i) }),
  );
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), replyAfterMs)));
  const r = await Promise.race([adding, late]).finally(() => clearTimeout(timer));
  if (!r) {
    await send(i, renderNotice(stillFetchingText(url, progress.done, progress.total)));
    return { outcome: 'url_in_background' };
  }
  await send(i, renderNotice(r.text));
  return { outcome: r.outcome };
}

/** The feeds and sitemaps followed, with their last sync, pages and errors. */
export async function feedsCommand(i: ChatInputCommandInteraction, collection: LiveCollection): Promise<HandlerResult> {
  const web = collection.web;
  if (!web) {
    await send(i, renderNotice(OFF));
    return { outcome: 'feeds_off' };
  }
  await deferFirst(i, true);
  await send(i, renderNotice(feedsText(await web.feeds(), { syncIntervalS: web.syncIntervalS })));
  return { outcome: 'feeds' };
}

/** `/sources remove` given a followed URL: stop following it; undefined when `value` is not one. */
export async function unfollowCommand(
  i: ChatInputCommandInteraction,
  ctx: BotContext,
  collection: LiveCollection,
  value: string,
): Promise<HandlerResult | undefined> {
  const web = collection.web;
  if (!web || !/^https?:\/\//i.test(value.trim()) || !(await web.followed(value))) return undefined;
  await deferFirst(i, true);
  const r = await unfollowUrl(web, value);
  ctx.log.info('source_unfollowed', { url: value.slice(0, 300), outcome: r.outcome, ...who(i) });
  await send(i, renderNotice(r.text));
  return { outcome: r.outcome };
}

/** Autocomplete choices for `remove`: the followed URLs containing the text typed. */
export async function followedChoices(collection: LiveCollection | undefined, typed: string) {
  const web = collection?.web;
  if (!web) return [];
  const q = typed.trim().toLowerCase();
  const { feeds } = await web.feeds();
  return feeds
    .filter((f) => f.url.length <= 100 && f.url.toLowerCase().includes(q))
    .slice(0, 25)
    .map((f) => ({ name: f.url, value: f.url }));
}
