/**
 * Pages and PDFs already read, by file kind and content hash: a rebuild while a feed or sitemap
 * is being fetched reads every file of the collection again, and Readability or pdf.js on each of
 * hundreds of pages would cost more than embedding the few new ones. The same bytes under the
 * same extension always extract to the same result (the extractor is pure), so it is kept,
 * least recently used first out, up to a bound on the text held. Plain text is not kept: decoding
 * it costs less than remembering it. A failure is not kept either (the file is tried again).
 */
import { extname } from 'node:path';
import { extract } from './extract.js';
import type { Extracted } from './extracted.js';

/** Characters of extracted text kept (about twice that in bytes). */
const MAX_CHARS = 16 * 1024 * 1024;

const kept = new Map<string, Extracted>();
let chars = 0;

/** `extract(name, bytes)`, remembered by the extension and `hash` (the sha256 of `bytes`). */
export async function extractCached(name: string, hash: string, bytes: Uint8Array): Promise<Extracted> {
  const key = `${extname(name).toLowerCase()}:${hash}`;
  const hit = kept.get(key);
  if (hit) {
    kept.delete(key);
    kept.set(key, hit); // most recently used last
    return hit;
  }
  const out = await extract(name, bytes);
  if (out.format === 'text' || out.text.length > MAX_CHARS / 4) return out;
  kept.set(key, out);
  chars += out.text.length;
  for (const [k, v] of kept) {
    if (chars <= MAX_CHARS) break;
    kept.delete(k);
    chars -= v.text.length;
  }
  return out;
}
