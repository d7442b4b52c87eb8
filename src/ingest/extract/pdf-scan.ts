/**
 * A look at a PDF's compressed streams before pdf.js reads it: pdf.js inflates a stream in full
 * whenever a page draws it, with no limit (a 510 KB file whose one stream inflates to 512 MB took
 * 1.17 GB; 300 pages drawing one 1 MB stream decode 300 MB). Each FlateDecode stream that is not
 * a picture (pictures are never decoded for text) is inflated here with zlib's output limit, and
 * every page's drawing is counted once for each page that draws it. Object streams (PDF 1.5) are
 * looked into for the pages they hold. Throws `Unreadable` naming the limit a file is past.
 */
import { constants, inflateSync } from 'node:zlib';
import { CAPS, over } from './caps.js';

const MB = 2 ** 20;

interface Stream {
  dict: string;
  data: Uint8Array;
}

/** Every `N G obj << … >> stream … endstream` of the file, by object number (the last one wins, as with updates). */
function streams(bytes: Uint8Array, text: string): Map<number, Stream> {
  const out = new Map<number, Stream>();
  const header = /(\d+)\s+\d+\s+obj\b/g;
  for (let m = header.exec(text); m; m = header.exec(text)) {
    const from = header.lastIndex;
    const end = text.indexOf('endobj', from);
    const at = text.indexOf('stream', from);
    if (at < 0 || (end >= 0 && end < at)) continue;
    let start = at + 'stream'.length;
    if (text[start] === '\r') start++;
    if (text[start] === '\n') start++;
    const stop = text.indexOf('endstream', start);
    if (stop < 0) break;
    out.set(Number(m[1]), { dict: text.slice(from, at), data: bytes.subarray(start, stop) });
    header.lastIndex = stop; // never look for objects inside a stream's bytes
  }
  return out;
}

/** The decoded size of a Flate stream, up to the limit (then `Infinity`); undefined when it cannot be inflated. */
function inflatedSize(data: Uint8Array, keep: boolean): { size: number; decoded?: Buffer } | undefined {
  try {
    const decoded = inflateSync(data, {
      maxOutputLength: CAPS.pdfStreamMb * MB + 1,
      finishFlush: constants.Z_SYNC_FLUSH,
    });
    return { size: decoded.length, ...(keep && { decoded }) };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return { size: Infinity };
    return undefined; // damaged or not Flate after all: pdf.js decides
  }
}

/** Throws when a stream, or all of them with each page's drawing counted per page, decode past the limits. */
export function checkPdfStreams(bytes: Uint8Array): void {
  const latin1 = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
  const text = latin1(bytes);
  const all = streams(bytes, text);
  const size = new Map<number, number>();
  const where: string[] = [text];
  let total = 0;
  for (const [n, s] of all) {
    const filter = /\/Filter\s*\[?\s*\/(\w+)/.exec(s.dict)?.[1];
    if (filter !== 'FlateDecode' && filter !== 'Fl') {
      size.set(n, s.data.length);
      continue;
    }
    if (/\/Subtype\s*\/Image\b/.test(s.dict)) continue;
    const objectStream = /\/Type\s*\/ObjStm\b/.test(s.dict);
    const r = inflatedSize(s.data, objectStream);
    if (!r) continue;
    if (r.size > CAPS.pdfStreamMb * MB) throw over.stream();
    size.set(n, r.size);
    if (r.decoded) where.push(latin1(r.decoded));
    if ((total += r.size) > CAPS.pdfDecodedMb * MB) throw over.decoded();
  }
  // Each page's /Contents (one stream or an array of them), wherever the page object is written.
  let drawn = 0;
  for (const t of where)
    for (const m of t.matchAll(/\/Contents\s*(?:(\d+)\s+\d+\s+R|\[([^\]]{0,10000})\])/g)) {
      const refs = m[1] ? [m[1]] : [...(m[2] ?? '').matchAll(/(\d+)\s+\d+\s+R/g)].map((r) => r[1]!);
      for (const r of refs) drawn += size.get(Number(r)) ?? 0;
      if (drawn > CAPS.pdfDecodedMb * MB) throw over.decoded();
    }
}
