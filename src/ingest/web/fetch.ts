/**
 * One guarded HTTP(S) GET: only http and https, the host checked and pinned (guard.ts: the
 * connection goes to the very address that was checked, through the request's `lookup`, so DNS
 * rebinding cannot slip past), every redirect checked the same way (at most 5), a deadline for the
 * whole exchange (a slow body too), a size cap on the bytes received (after decompression), the
 * content type checked before the body is read, a User-Agent naming quotebot and its version.
 * Conditional requests (ETag / Last-Modified) answer `not-modified`; 404 and 410 answer `gone`.
 * A refused URL (FetchRefused) sends no request; other failures are FetchFailed, one line each.
 */
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { checkedAddress, FetchRefused, type AllowList, type Resolver } from './guard.js';
import { USER_AGENT } from './agent.js';

/** A request that was sent but did not give a usable answer (timeout, too big, HTTP 500…). */
export class FetchFailed extends Error {
  override name = 'FetchFailed';
  /** The HTTP status, when the server answered one. */
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface FetchOptions {
  allow: AllowList;
  resolver?: Resolver;
  /** The whole exchange, redirects and body included. */
  timeoutMs?: number;
  maxBytes?: number;
  maxRedirects?: number;
  /** Content types (lower case, no parameters) the caller can read; anything else fails before the body is read. */
  accept?: (contentType: string) => boolean;
  /** Validators of the copy the caller holds: a 304 answers `not-modified`. */
  etag?: string;
  lastModified?: string;
  /** Stops the request (a shutdown). */
  signal?: AbortSignal;
  /** Checks where a redirect leads before it is followed (robots.txt); throws to refuse it. */
  beforeRedirect?: (to: URL) => Promise<void>;
}

export type Fetched =
  | {
      status: 'ok';
      /** Where the body came from, after redirects. */
      url: string;
      contentType: string;
      /** The charset the Content-Type header declares, if any. */
      charset?: string;
      bytes: Buffer;
      etag?: string;
      lastModified?: string;
    }
  | { status: 'not-modified'; url: string }
  | { status: 'gone'; url: string; code: number };

export const FETCH_TIMEOUT_MS = 20_000;
export const MAX_REDIRECTS = 5;

/** The URL as a fetchable http(s) URL, or FetchRefused (another scheme, credentials, a malformed URL). */
export function webUrl(raw: string, base?: string): URL {
  let u: URL;
  try {
    u = new URL(raw.trim(), base);
  } catch {
    throw new FetchRefused(`“${raw.slice(0, 100)}” is not a web address such as https://example.org/page.`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new FetchRefused(`${u.protocol.replace(/:$/, '')} addresses are not fetched: only http and https.`);
  if (u.username || u.password) throw new FetchRefused('Web addresses with a user name or password are not fetched.');
  u.hash = '';
  return u;
}

/** GETs `raw`, following at most `maxRedirects` redirects, each one checked like the first. */
export async function guardedFetch(raw: string, opts: FetchOptions): Promise<Fetched> {
  const timeoutMs = opts.timeoutMs ?? FETCH_TIMEOUT_MS;
  const deadline = AbortSignal.timeout(timeoutMs);
  const signal = opts.signal ? AbortSignal.any([deadline, opts.signal]) : deadline;
  let url = webUrl(raw);
  for (let hop = 0; ; hop++) {
    const res = await request(url, opts, signal).catch((err: unknown) => {
      if (err instanceof FetchRefused || err instanceof FetchFailed) throw err;
      if (deadline.aborted) throw new FetchFailed(`${url.host} did not answer within ${timeoutMs / 1000} s.`);
      throw new FetchFailed(`${url.host} could not be reached (${oneLine(err)}).`);
    });
    const code = res.statusCode ?? 0;
    if ([301, 302, 303, 307, 308].includes(code)) {
      res.resume();
      const location = res.headers.location;
      if (!location) throw new FetchFailed(`${url.host} answered a redirect without a Location.`);
      if (hop >= (opts.maxRedirects ?? MAX_REDIRECTS))
        throw new FetchFailed(`${raw.slice(0, 100)} redirects more than ${opts.maxRedirects ?? MAX_REDIRECTS} times.`);
      url = webUrl(location, url.href);
      await opts.beforeRedirect?.(url);
      continue;
    }
    if (code === 304) {
      res.resume();
      return { status: 'not-modified', url: url.href };
    }
    if (code === 404 || code === 410) {
      res.resume();
      return { status: 'gone', url: url.href, code };
    }
    if (code < 200 || code >= 300) {
      res.resume();
      throw new FetchFailed(`${url.href.slice(0, 100)} answered HTTP ${code}.`, code);
    }
    const [type = '', ...params] = String(res.headers['content-type'] ?? '').split(';');
    const contentType = type.trim().toLowerCase();
    if (opts.accept && !opts.accept(contentType)) {
      res.destroy();
      throw new FetchFailed(
        `${url.href.slice(0, 100)} is ${contentType || 'of no declared type'}, not something I can read.`,
      );
    }
    const bytes = await readCapped(res, opts.maxBytes ?? Infinity, url, deadline, timeoutMs);
    const charset = params.map((p) => /^\s*charset\s*=\s*"?([\w.:-]+)"?/i.exec(p)?.[1]).find(Boolean);
    return {
      status: 'ok',
      url: url.href,
      contentType,
      ...(charset && { charset }),
      bytes,
      ...(typeof res.headers.etag === 'string' && { etag: res.headers.etag }),
      ...(typeof res.headers['last-modified'] === 'string' && { lastModified: res.headers['last-modified'] }),
    };
  }
}

const oneLine = (err: unknown) =>
  (err instanceof Error ? ((err as NodeJS.ErrnoException).code ?? err.message) : String(err))
    .split('\n')[0]!
    .slice(0, 120);

/** Sends one GET to the checked address of `url` (resolved once, here). */
async function request(url: URL, opts: FetchOptions, signal: AbortSignal): Promise<http.IncomingMessage> {
  const pinned = await checkedAddress(url.hostname, opts.allow, opts.resolver);
  // The socket connects to the checked address whatever name it is given; TLS still checks the name.
  const lookup: LookupFunction = (_host, options, callback) => {
    if ((options as { all?: boolean }).all) (callback as (e: null, a: (typeof pinned)[]) => void)(null, [pinned]);
    else callback(null, pinned.address, pinned.family);
  };
  const headers: Record<string, string> = {
    'user-agent': USER_AGENT,
    accept:
      'text/html,application/xhtml+xml,application/pdf,application/rss+xml,application/atom+xml,application/xml;q=0.9,text/plain;q=0.8,*/*;q=0.5',
    'accept-encoding': 'gzip, deflate, br',
  };
  if (opts.etag) headers['if-none-match'] = opts.etag;
  if (opts.lastModified) headers['if-modified-since'] = opts.lastModified;
  const get = url.protocol === 'https:' ? https.get : http.get;
  return new Promise((resolve, reject) => {
    const req = get(url, { headers, lookup, signal, agent: false }, resolve);
    req.on('error', reject);
  });
}

/** The body, decompressed, refused as soon as it passes `max` bytes (declared or received). */
async function readCapped(
  res: http.IncomingMessage,
  max: number,
  url: URL,
  deadline: AbortSignal,
  timeoutMs: number,
): Promise<Buffer> {
  const tooBig = () => new FetchFailed(`${url.href.slice(0, 100)} is larger than the limit of ${formatSize(max)}.`);
  const declared = Number(res.headers['content-length']);
  if (Number.isFinite(declared) && declared > max) {
    res.destroy();
    throw tooBig();
  }
  const encoding = String(res.headers['content-encoding'] ?? '')
    .toLowerCase()
    .trim();
  const inflate =
    encoding === 'gzip' || encoding === 'x-gzip'
      ? createGunzip()
      : encoding === 'deflate'
        ? createInflate()
        : encoding === 'br'
          ? createBrotliDecompress()
          : undefined;
  // The cap counts decompressed bytes: a small compressed body cannot expand past it.
  const body: Readable = inflate ? res.pipe(inflate) : res;
  if (inflate) res.on('error', (err) => inflate.destroy(err));
  const parts: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      size += (chunk as Buffer).length;
      if (size > max) throw tooBig();
      parts.push(chunk as Buffer);
    }
  } catch (err) {
    res.destroy();
    if (err instanceof FetchFailed) throw err;
    if (deadline.aborted) throw new FetchFailed(`${url.host} did not send the page within ${timeoutMs / 1000} s.`);
    throw new FetchFailed(`${url.href.slice(0, 100)} could not be read (${oneLine(err)}).`);
  }
  return Buffer.concat(parts);
}

function formatSize(n: number): string {
  return n >= 1024 * 1024 ? `${Math.round((n / 1024 / 1024) * 10) / 10} MB` : `${Math.round(n / 1024)} KB`;
}
