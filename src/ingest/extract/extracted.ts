import type { SourceMeta, Span } from '../../core/types.js';

/** What reading a collection file gives: the text quotes are sliced from, and what the file says about itself. */
export interface Extracted {
  format: 'text' | 'html' | 'pdf';
  /** The text as extracted: stored with the index, every offset points into it. */
  text: string;
  /** Metadata the file carries (an HTML page's title, canonical URL and date; a PDF's title). */
  meta: SourceMeta;
  /** PDF: page n's text is `text.slice(pages[n-1].start, pages[n-1].end)`. */
  pages?: Span[];
  /** Spans the extractor knows are not content (a PDF's running headers and footers): never quoted. */
  skip?: Span[];
}

/** A file that cannot be indexed; the message says why, in a few words ("is password-protected"). */
export class Unreadable extends Error {
  override name = 'Unreadable';
}

/** Drops empty, too long or blank metadata values, so that a page's odd markup never fails a build. */
export function cleanMeta(meta: Record<string, string | null | undefined>): SourceMeta {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(meta)) {
    const s = v?.replace(/\s+/g, ' ').trim();
    if (s && s.length <= 300) out[k] = s;
  }
  return out as SourceMeta;
}
