/**
 * Downloading an uploaded attachment with a hard cap: the declared size is checked before any
 * byte is fetched, and the bytes actually read are counted, so a file that lies about its size
 * is cut off at the limit instead of filling memory.
 */
import { CollectionEditError, formatBytes } from '../live/collection.js';

export async function downloadCapped(url: string, maxBytes: number, timeoutMs = 30_000): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  } catch {
    throw new CollectionEditError('I could not download the file from Discord; please try again.');
  }
  if (!res.ok || !res.body)
    throw new CollectionEditError(`I could not download the file from Discord (HTTP ${res.status}); please try again.`);
  const parts: Uint8Array[] = [];
  let total = 0;
  const reader = res.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw new CollectionEditError(`The file is larger than the limit of ${formatBytes(maxBytes)}.`);
      }
      parts.push(value);
    }
  } catch (err) {
    if (err instanceof CollectionEditError) throw err;
    throw new CollectionEditError('The download from Discord was interrupted; please try again.');
  }
  return Buffer.concat(parts);
}
