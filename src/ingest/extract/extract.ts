import { extname } from 'node:path';
import { CAPS, over } from './caps.js';
import type { Extracted } from './extracted.js';
import { extractText } from './text.js';

/** Extensions the collection reads (lower case), and the reader of each. */
export const EXTRACTORS = {
  '.txt': 'text',
  '.md': 'text',
  '.html': 'html',
  '.htm': 'html',
  '.pdf': 'pdf',
} as const;

/** Bump when an extractor changes what it reads from a file: the index is then updated. */
export const EXTRACTOR_VERSION = 2; // 2: PDF columns, table rows

/**
 * The text (and metadata, pages, spans to skip) of one collection file, by its extension.
 * Throws `Unreadable` when the file cannot be indexed, or is past a limit of caps.ts (the time
 * and memory limits are the worker's, src/ingest/isolate.ts). HTML and PDF libraries load only
 * when needed.
 */
export async function extract(name: string, bytes: Uint8Array): Promise<Extracted> {
  const kind = EXTRACTORS[extname(name).toLowerCase() as keyof typeof EXTRACTORS];
  // UTF-8 takes at most 4 bytes a character: a text file this big has too many, unread.
  if (kind !== 'pdf' && kind !== 'html' && bytes.length > 4 * CAPS.textChars) throw over.text();
  const out =
    kind === 'html'
      ? (await import('./html.js')).extractHtml(bytes)
      : kind === 'pdf'
        ? await (await import('./pdf.js')).extractPdf(bytes)
        : extractText(bytes);
  if (out.text.length > CAPS.textChars) throw over.text();
  return out;
}
