/**
 * What `sources.json` says about the web: per fetched page, when it was fetched, its validators
 * (ETag / Last-Modified, for conditional requests) and the feed or sitemap it came from; and, under
 * the reserved key `follow` (never a file name: it has no extension), the feeds, sitemaps and pages
 * the collection follows. These fields are the sync's own: they never reach a Document's metadata.
 *
 *   { "follow": ["https://example.org/feed.xml"],
 *     "example.org_news_storm-3fa2c1.html": { "url": "https://example.org/news/storm",
 *       "fetched": "2025-05-31T10:00:00.000Z", "etag": "\"abc\"", "from": "https://example.org/feed.xml" } }
 */
import { z } from 'zod';
import type { SourceMeta } from '../../core/types.js';

/** The reserved key of the follow list. */
export const FOLLOW_KEY = 'follow';

const httpUrl = z
  .string()
  .url()
  .refine((s) => /^https?:\/\//i.test(s), 'must be an http(s) URL');

/** Fields a fetched page's entry carries besides its metadata. */
export const WebFields = {
  /** When the stored copy was fetched (ISO 8601). */
  fetched: z
    .string()
    .refine((s) => !Number.isNaN(Date.parse(s)), 'must be a date and time')
    .optional(),
  etag: z.string().max(512).optional(),
  lastModified: z.string().max(100).optional(),
  /** The followed feed or sitemap that listed the page. */
  from: httpUrl.optional(),
};

export const FollowListSchema = z.array(httpUrl).max(1000);

export interface WebEntry extends SourceMeta {
  fetched?: string;
  etag?: string;
  lastModified?: string;
  from?: string;
}

/** A page entry's metadata for its Document: the web fields left out (they are not the page's metadata). */
export function docMeta(entry: WebEntry): SourceMeta {
  const { fetched: _f, etag: _e, lastModified: _l, from: _from, ...meta } = entry;
  return meta;
}

/** `sources` with its follow list replaced (the list is the one key that is not a file's entry). */
export function withFollow<T extends { [FOLLOW_KEY]?: string[] }>(sources: T, follow: string[]): T {
  return { ...sources, [FOLLOW_KEY]: follow } as T;
}
