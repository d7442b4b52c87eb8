/**
 * Feeds and sitemaps: what a followed URL lists. RSS and Atom are read by
 * `@rowanmanning/feed-parser` (resilient to the feeds found in the wild), sitemaps (`<urlset>`,
 * `<sitemapindex>`) by `fast-xml-parser`; no regular expressions over XML. Links are resolved
 * against the listing's own URL, and only http(s) links are kept, each once, in listed order.
 */
import { parseFeed } from '@rowanmanning/feed-parser';
import { XMLParser } from 'fast-xml-parser';

export interface ListedItem {
  url: string;
  title?: string;
}

export type Listing =
  | { kind: 'feed'; title?: string; items: ListedItem[] }
  /** `sitemaps`: the child sitemaps of a sitemap index, to be read in turn. */
  | { kind: 'sitemap'; items: ListedItem[]; sitemaps: string[] };

/** Most links read from one listing: the sitemap protocol's own limit per file. */
export const MAX_LISTED = 50_000;

/** Content types a feed or sitemap may be served as (plus text/plain, which some servers use for XML). */
export function isListingType(contentType: string): boolean {
  return /^(application|text)\/((rss|atom|rdf)\+)?xml$/.test(contentType) || /\/(x-)?gzip$/.test(contentType);
}

const xml = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  isArray: (name) => name === 'url' || name === 'sitemap',
});

/** The name of the document element, or undefined when the text is not XML. */
function rootOf(text: string): { name: string; doc: Record<string, unknown> } | undefined {
  let doc: Record<string, unknown>;
  try {
    doc = xml.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const name = Object.keys(doc).find((k) => !k.startsWith('?') && !k.startsWith('#'));
  return name ? { name, doc } : undefined;
}

function absolute(link: unknown, base: string): string | undefined {
  if (typeof link !== 'string' || !link.trim()) return undefined;
  try {
    const u = new URL(link.trim(), base);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
    u.hash = '';
    return u.href;
  } catch {
    return undefined;
  }
}

function unique<T extends { url: string }>(items: (T | undefined)[]): T[] {
  const seen = new Set<string>();
  const out: T[] = [];
  for (const it of items) {
    if (!it || seen.has(it.url) || out.length >= MAX_LISTED) continue;
    seen.add(it.url);
    out.push(it);
  }
  return out;
}

/** What `text` (fetched from `base`) lists, or undefined when it is neither a feed nor a sitemap. */
export function parseListing(text: string, base: string): Listing | undefined {
  const root = rootOf(text);
  if (!root) return undefined;
  const name = root.name.toLowerCase();
  if (name === 'urlset' || name === 'sitemapindex') {
    const body = root.doc[root.name] as Record<string, unknown> | '' | undefined;
    const entries = (key: string) =>
      (body && Array.isArray(body[key]) ? (body[key] as unknown[]) : []).map((e) =>
        absolute((e as { loc?: unknown } | null)?.loc, base),
      );
    if (name === 'urlset')
      return { kind: 'sitemap', items: unique(entries('url').map((url) => (url ? { url } : undefined))), sitemaps: [] };
    return {
      kind: 'sitemap',
      items: [],
      sitemaps: unique(entries('sitemap').map((url) => (url ? { url } : undefined))).map((s) => s.url),
    };
  }
  if (name !== 'rss' && name !== 'feed' && name !== 'rdf') return undefined;
  let feed;
  try {
    feed = parseFeed(text);
  } catch {
    return undefined;
  }
  const items = unique(
    feed.items.map((item) => {
      const url = absolute(item.url, base);
      const title = item.title?.trim();
      return url ? { url, ...(title && { title: title.slice(0, 300) }) } : undefined;
    }),
  );
  const title = feed.title?.trim().slice(0, 300);
  return { kind: 'feed', ...(title && { title }), items };
}
