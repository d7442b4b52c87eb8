/**
 * The steps of following the web, each one request through the polite client: `probe` fetches a
 * URL and says what it is (a page the extractors read, or a feed or sitemap, parsed); `expand`
 * reads a sitemap index's child sitemaps; `storePage` writes a fetched page into the collection
 * through the editor (checked like an upload: a page with nothing to quote is refused) with its
 * URL, fetch time and validators in sources.json. Nothing here re-indexes.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { CollectionEditor } from './collection.js';
import type { WebClient } from '../ingest/web/client.js';
import { FetchFailed, type Fetched } from '../ingest/web/fetch.js';
import { parseListing, type ListedItem, type Listing } from '../ingest/web/listing.js';
import { bodyKind, isReadableType, pageFileName, type BodyKind } from '../ingest/web/names.js';
import { sha256 } from '../ingest/load.js';

export type PageKind = Exclude<BodyKind, 'listing'>;
type Ok = Extract<Fetched, { status: 'ok' }>;

export type Probed =
  | { kind: 'page'; page: PageKind; fetched: Ok }
  | { kind: 'listing'; listing: Listing; fetched: Ok }
  | { kind: 'not-modified' }
  | { kind: 'gone'; code: number };

/** Deepest sitemap index read (an index of indexes of sitemaps). */
const MAX_SITEMAP_DEPTH = 2;

/** Fetches `url` (conditionally, given validators) and says what it is. Throws FetchRefused or FetchFailed. */
export async function probe(
  client: WebClient,
  url: string,
  maxBytes: number,
  validators: { etag?: string; lastModified?: string } = {},
): Promise<Probed> {
  const fetched = await client.get(url, { ...validators, accept: isReadableType });
  if (fetched.status === 'not-modified') return { kind: 'not-modified' };
  if (fetched.status === 'gone') return { kind: 'gone', code: fetched.code };
  const kind = bodyKind(fetched.contentType, fetched.bytes);
  if (!kind)
    throw new FetchFailed(
      `${url.slice(0, 100)} is ${fetched.contentType || 'of no known type'}, not a page, PDF, feed or sitemap.`,
    );
  if (kind !== 'listing') return { kind: 'page', page: kind, fetched };
  let text: string;
  try {
    const bytes =
      fetched.bytes[0] === 0x1f && fetched.bytes[1] === 0x8b
        ? gunzipSync(fetched.bytes, { maxOutputLength: maxBytes })
        : fetched.bytes;
    text = bytes.toString('utf8');
  } catch {
    throw new FetchFailed(
      `${url.slice(0, 100)} is a compressed file that could not be read (or is over the size limit).`,
    );
  }
  const listing = parseListing(text, fetched.url);
  if (!listing) throw new FetchFailed(`${url.slice(0, 100)} is XML, but neither an RSS/Atom feed nor a sitemap.`);
  return { kind: 'listing', listing, fetched };
}

/**
 * Every page a listing names: a feed's items, a sitemap's URLs, and the URLs of the sitemaps a
 * sitemap index names (read in turn, to a depth of 2). `failed` gets child sitemaps that could not be read.
 */
export async function expand(
  client: WebClient,
  listing: Listing,
  maxBytes: number,
  limit: number,
  failed: (url: string, reason: string) => void,
  depth = 0,
): Promise<ListedItem[]> {
  if (listing.kind === 'feed') return listing.items.slice(0, limit);
  const items = listing.items.slice(0, limit);
  for (const child of listing.sitemaps) {
    if (items.length >= limit) break;
    if (depth >= MAX_SITEMAP_DEPTH) {
      failed(child, 'a sitemap index nested too deep');
      continue;
    }
    try {
      const p = await probe(client, child, maxBytes);
      if (p.kind !== 'listing' || p.listing.kind !== 'sitemap') {
        failed(child, 'not a sitemap');
        continue;
      }
      const more = await expand(client, p.listing, maxBytes, limit - items.length, failed, depth + 1);
      const seen = new Set(items.map((i) => i.url));
      items.push(...more.filter((i) => !seen.has(i.url)));
    } catch (err) {
      failed(child, reason(err));
    }
  }
  return items.slice(0, limit);
}

/** An error as the one line a moderator sees. */
export const reason = (err: unknown): string =>
  (err instanceof Error ? err.message : String(err)).split('\n')[0]!.slice(0, 200);

/**
 * An HTML body as it is stored: when the response header declares a charset and the page does
 * not (in its first kilobyte, where the extractor looks), the header's charset is written in.
 */
export function storedBytes(fetched: Ok, kind: PageKind): Buffer {
  if (kind !== 'html' || !fetched.charset) return fetched.bytes;
  const head = fetched.bytes.subarray(0, 1024).toString('latin1');
  if (/<meta[^>]+charset\s*=/i.test(head)) return fetched.bytes;
  return Buffer.concat([Buffer.from(`<meta charset="${fetched.charset.replace(/[^\w.:-]/g, '')}">\n`), fetched.bytes]);
}

export interface StoredPage {
  doc: string;
  /** The same bytes were already stored: nothing was written. */
  unchanged: boolean;
  replaced: boolean;
}

/**
 * Writes the page fetched from `url` into the collection (the same URL always the same file),
 * unless the same bytes with the same validators are there already. `from`: the followed
 * feed or sitemap that listed it. Throws CollectionEditError when the page has nothing to quote.
 */
export async function storePage(
  editor: CollectionEditor,
  url: string,
  fetched: Ok,
  kind: PageKind,
  from: string | undefined,
  previous?: { etag?: string; lastModified?: string },
): Promise<StoredPage> {
  const doc = pageFileName(url, kind);
  const bytes = storedBytes(fetched, kind);
  const old = await readFile(join(editor.dir, doc)).catch(() => undefined);
  // Validators too long to be real are not kept (the page is then fetched whole each time).
  const etag = fetched.etag && fetched.etag.length <= 512 ? fetched.etag : undefined;
  const lastModified = fetched.lastModified && fetched.lastModified.length <= 100 ? fetched.lastModified : undefined;
  const sameValidators = previous && previous.etag === etag && previous.lastModified === lastModified;
  if (old && sha256(old) === sha256(bytes) && sameValidators) return { doc, unchanged: true, replaced: false };
  const r = await editor.add({
    filename: doc,
    bytes,
    url,
    replace: true,
    web: {
      fetched: new Date().toISOString(),
      ...(etag && { etag }),
      ...(lastModified && { lastModified }),
      ...(from && { from }),
    },
  });
  return { doc: r.doc, unchanged: false, replaced: r.replaced };
}
