/**
 * /collection add-url and feeds: a server's moderators add a web page to their server's own
 * collection, or follow a news feed or sitemap (its pages added now, later items as they appear,
 * every page kept in sync); `feeds` lists what the server follows, with each one's last sync,
 * pages and errors. `/collection remove` given a followed URL stops following it (REMOVE calls
 * `unfollow` here). The fetch and its checks (robots.txt, no private addresses, size, type) are
 * the writer's; the reply comes once this process answers from the generation with the pages.
 */
import type { DocInfo } from '../core/types.js';
import { isWebAddress } from '../core/url.js';
import { guildWebText } from '../message/web.js';
import { deferEdit, type CollectionSubcommand, type CollectionUse } from './collection.js';
import type { HandlerResult } from './types.js';

/** A document of the server's own collection, as answered in the server now. */
async function finder(use: CollectionUse): Promise<(doc: string) => DocInfo | undefined> {
  const engine = await use.guilds.engineFor(use.guild);
  return (doc) => engine.document(doc, 'server');
}

/** Sends a web edit to the writer, logs it with the server, the member and the URL, and replies. */
async function webEdit(
  use: CollectionUse,
  edit: { kind: 'add-url' | 'unfollow'; url: string },
  event: string,
): Promise<HandlerResult> {
  const { i, ctx, guild, guilds } = use;
  if (!(await use.takeEdit())) return { outcome: 'rate_limited' };
  await deferEdit(i);
  const outcome = await guilds.edit({ ...edit, guild, by: i.user.id });
  const reply = guildWebText(outcome, await finder(use));
  ctx.log.info(outcome.ok ? event : 'collection_edit_refused', {
    action: edit.kind,
    guild,
    url: edit.url.slice(0, 300),
    by: i.user.id,
    by_name: i.user.username,
    outcome: reply.outcome,
    docs: outcome.web?.added?.docs.length,
    removed: outcome.web?.unfollowed?.removed.length,
    ...(outcome.message && { reason: outcome.message.slice(0, 200) }),
  });
  return use.say(reply.text, reply.outcome);
}

export const ADD_URL: CollectionSubcommand = {
  name: 'add-url',
  build: (s) =>
    s
      .setDescription("Add a web page, or follow a news feed or sitemap, in this server's own collection.")
      .addStringOption((o) =>
        o
          .setName('url')
          .setDescription('The page, RSS/Atom feed or sitemap (https://…)')
          .setRequired(true)
          .setMaxLength(2000),
      ),
  async execute(use) {
    const url = use.i.options.getString('url', true).trim();
    if (!isWebAddress(url))
      return use.say('Give a full web address, such as https://example.org/news/feed.xml.', 'add_url_refused');
    return webEdit(use, { kind: 'add-url', url }, 'source_url_added');
  },
};

export const FEEDS: CollectionSubcommand = {
  name: 'feeds',
  build: (s) => s.setDescription('The feeds and sitemaps this server follows: last sync, pages, errors.'),
  async execute(use) {
    const { i, guild, guilds } = use;
    await deferEdit(i);
    const outcome = await guilds.edit({ kind: 'feeds', guild, by: i.user.id });
    const reply = guildWebText(outcome, await finder(use));
    return use.say(reply.text, reply.outcome);
  },
};

/** `/collection remove` of a web address: stop following it (its pages leave the collection). */
export async function unfollow(use: CollectionUse, url: string): Promise<HandlerResult> {
  return webEdit(use, { kind: 'unfollow', url: url.trim() }, 'source_unfollowed');
}
