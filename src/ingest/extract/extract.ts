import { extname } from 'node:path';
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
 * Throws `Unreadable` when the file cannot be indexed. HTML and PDF libraries load only when needed.
 */
export async function extract(name: string, bytes: Uint8Array): Promise<Extracted> {
  const kind = EXTRACTORS[extname(name).toLowerCase() as keyof typeof EXTRACTORS];
  if (kind === 'html') return (await import('./html.js')).extractHtml(bytes);
  if (kind === 'pdf') return (await import('./pdf.js')).extractPdf(bytes);
  return extractText(bytes);
}
