import iconv from 'iconv-lite';
import { Unreadable, type Extracted } from './extracted.js';

/**
 * A file is binary when its first bytes hold a NUL (git's test): a picture or an archive
 * renamed `.txt` or `.html`. Text in UTF-16 (with its byte-order mark) is text, not binary.
 */
export function decodeText(bytes: Uint8Array, label = 'utf-8'): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes);
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes);
  if (bytes.subarray(0, 8000).includes(0)) throw new Unreadable('is not text (binary data)');
  // Other charsets through iconv-lite: Node 20's TextDecoder reads windows-1252 as ISO-8859-1, losing “curly quotes”.
  // An unknown label falls back to UTF-8, the web's default.
  if (!/^utf-?8$/i.test(label) && iconv.encodingExists(label))
    return iconv.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), label);
  // ignoreBOM: a byte-order mark stays in the text, so offsets match what any reader of the file sees.
  return new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
}

/** A .txt or .md file: its text exactly as read. */
export function extractText(bytes: Uint8Array): Extracted {
  return { format: 'text', text: decodeText(bytes), meta: {} };
}
