/**
 * What a fetched body is (a page the extractors read, a listing to follow, or neither) and the
 * file name a page gets in the collection: the host and path made readable, plus a short hash
 * of the whole URL so two pages never share a name (`example.org_news_storm-hits-coast-3fa2c1.html`).
 */
import { createHash } from 'node:crypto';
import { isListingType } from './listing.js';

export type BodyKind = 'html' | 'pdf' | 'text' | 'listing';

/** Content types read as pages, by the extension their file gets. */
const PAGE_TYPES: Record<string, Exclude<BodyKind, 'listing'>> = {
  'text/html': 'html',
  'application/xhtml+xml': 'html',
  'application/pdf': 'pdf',
  'text/plain': 'text',
  'text/markdown': 'text',
};

/** Anything the client may read: a page type or a listing type. */
export function isReadableType(contentType: string): boolean {
  // Servers often send PDFs as a generic binary type: such a body is read, then told by its first bytes.
  return (
    contentType in PAGE_TYPES ||
    isListingType(contentType) ||
    contentType === '' ||
    contentType === 'application/octet-stream'
  );
}

/**
 * The kind of a body, from its declared type and, where types lie (XML served as text/plain or
 * with no type, a PDF as octet-stream), from its first bytes.
 */
export function bodyKind(contentType: string, bytes: Uint8Array): BodyKind | undefined {
  const head = Buffer.from(bytes.subarray(0, 512))
    .toString('latin1')
    .replace(/^\uFEFF|^\xEF\xBB\xBF/, '')
    .trimStart();
  if (head.startsWith('%PDF-')) return 'pdf';
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) return 'listing'; // a gzipped sitemap
  const xmlRoot = /^(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*<(rss|feed|rdf:RDF|urlset|sitemapindex)\b/i.test(head);
  if (isListingType(contentType) || xmlRoot)
    return xmlRoot || !/^<!doctype html|^<html/i.test(head) ? 'listing' : 'html';
  if (contentType === '') return /^<!doctype html|^<html|<head|<body/i.test(head) ? 'html' : undefined;
  if (contentType === 'application/octet-stream') return undefined; // and not a PDF (above)
  return PAGE_TYPES[contentType];
}

const EXTENSION: Record<Exclude<BodyKind, 'listing'>, string> = { html: '.html', pdf: '.pdf', text: '.txt' };

/** Longest file name (the collection's own limit, for autocomplete values). */
const MAX_NAME = 100;

/** The collection file name of the page at `url` (the same URL always gets the same name). */
export function pageFileName(url: string, kind: Exclude<BodyKind, 'listing'>): string {
  const u = new URL(url);
  const hash = createHash('sha256').update(u.href).digest('hex').slice(0, 6);
  const ext = EXTENSION[kind];
  const readable = `${u.hostname}${u.pathname}`
    .replace(/\.(html?|php|aspx?|pdf|txt)$/i, '')
    .replace(/[^\p{L}\p{N}.-]+/gu, '_')
    .replace(/_+/g, '_')
    .replace(/^[._-]+|[._-]+$/g, '');
  const room = MAX_NAME - ext.length - hash.length - 1;
  return `${readable.slice(0, room).replace(/[._-]+$/, '') || 'page'}-${hash}${ext}`;
}
