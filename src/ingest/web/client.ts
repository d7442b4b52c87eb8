/**
 * The polite, guarded web client every fetch goes through: robots.txt is read (with
 * `robots-parser`, a spec-compliant parser) and honoured per site, requests to one host are
 * queued one at a time with a delay (hosts.ts), and each request is guarded (fetch.ts, guard.ts).
 * robots.txt as Google reads it: missing (4xx) allows everything; unreachable (5xx, timeout)
 * allows nothing until it is tried again; kept for an hour.
 */
import robotsParserModule from 'robots-parser';
import { ROBOTS_AGENT } from './agent.js';
import { FetchFailed, guardedFetch, webUrl, type Fetched, type FetchOptions } from './fetch.js';
import { FetchRefused, type AllowList, type Resolver } from './guard.js';
import { hostQueue, type HostQueue } from './hosts.js';

export interface WebClientOptions {
  allow: AllowList;
  /** Minimum gap between two requests to one host (FETCH_DELAY_MS). */
  delayMs: number;
  /** Largest body accepted (pages, feeds, sitemaps). */
  maxBytes: number;
  timeoutMs?: number;
  resolver?: Resolver;
  /** Stops every request under way (a shutdown). */
  signal?: AbortSignal;
}

export type GetOptions = Pick<FetchOptions, 'etag' | 'lastModified' | 'accept'>;

export interface WebClient {
  /** GETs `url` once robots.txt allows it and the host's turn comes. Throws FetchRefused or FetchFailed. */
  get(url: string, opts?: GetOptions): Promise<Fetched>;
}

/** How long a site's robots.txt is trusted, read or not. */
const ROBOTS_TTL_MS = 60 * 60 * 1000;
const ROBOTS_RETRY_MS = 10 * 60 * 1000;
const ROBOTS_MAX_BYTES = 512 * 1024;

type Robots = {
  isAllowed(url: string, ua?: string): boolean | undefined;
  getCrawlDelay(ua?: string): number | undefined;
};
// A CommonJS module whose export is the function itself (its typings declare it as `default`).
const robotsParser = robotsParserModule as unknown as (url: string, text: string) => Robots;

export function webClient(opts: WebClientOptions): WebClient {
  const queue: HostQueue = hostQueue(opts.delayMs);
  const robots = new Map<string, { rules: Promise<Robots | 'all' | 'none'>; until: number }>();
  const base = { allow: opts.allow, resolver: opts.resolver, timeoutMs: opts.timeoutMs, signal: opts.signal };

  /** `inSlot`: the host whose turn is being used (a redirect): its robots.txt is asked for within that turn. */
  const readRobots = async (origin: URL, inSlot?: string): Promise<Robots | 'all' | 'none'> => {
    const at = new URL('/robots.txt', origin).href;
    const fetchIt = () => guardedFetch(at, { ...base, maxBytes: ROBOTS_MAX_BYTES });
    try {
      const r = await (origin.host === inSlot ? fetchIt() : queue.run(origin.host, fetchIt));
      if (r.status !== 'ok') return 'all';
      const rules = robotsParser(r.url, r.bytes.toString('utf8'));
      const delay = rules.getCrawlDelay(ROBOTS_AGENT);
      if (delay) queue.setHostDelay(origin.host, delay * 1000);
      return rules;
    } catch (err) {
      if (err instanceof FetchRefused) throw err;
      if (err instanceof FetchFailed && err.status !== undefined && err.status >= 400 && err.status < 500) return 'all';
      return 'none';
    }
  };

  /** Why robots.txt keeps quotebot from `url`, or undefined when it may be fetched. */
  const robotsRefusal = async (url: URL, inSlot?: string): Promise<string | undefined> => {
    const key = url.origin;
    let entry = robots.get(key);
    if (!entry || entry.until < Date.now()) {
      const rules = readRobots(url, inSlot);
      entry = { rules, until: Date.now() + ROBOTS_TTL_MS };
      robots.set(key, entry);
      // An unreadable robots.txt is asked for again sooner; a refused host is not remembered.
      rules.then(
        (r) => r === 'none' && (entry!.until = Date.now() + ROBOTS_RETRY_MS),
        () => robots.delete(key),
      );
    }
    const rules = await entry.rules;
    if (rules === 'all') return undefined;
    if (rules === 'none')
      return `${url.host}’s robots.txt could not be read; nothing there is fetched until it can be.`;
    if (rules.isAllowed(url.href, ROBOTS_AGENT) !== false) return undefined;
    return `${url.host}’s robots.txt does not allow quotebot to fetch ${url.pathname.slice(0, 100)}.`;
  };

  return {
    async get(raw, getOpts = {}) {
      const url = webUrl(raw);
      const refusal = await robotsRefusal(url);
      if (refusal) throw new FetchRefused(refusal);
      // Where a redirect leads is asked of that site's robots.txt too.
      const beforeRedirect = async (to: URL) => {
        const why = await robotsRefusal(to, url.host);
        if (why) throw new FetchRefused(why);
      };
      return queue.run(url.host, () =>
        guardedFetch(url.href, { ...base, ...getOpts, maxBytes: opts.maxBytes, beforeRedirect }),
      );
    },
  };
}
