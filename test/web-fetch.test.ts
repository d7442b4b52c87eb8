/**
 * The guarded, polite fetcher against test sites on loopback only: 127.0.0.1 is allowed through
 * FETCH_ALLOW_HOSTS, 127.0.0.2 and 127.0.0.3 are not, and their servers must never see a request
 * (reached by a redirect, by a host name that resolves there, or by a DNS answer that changes).
 * Also: validators and 304, 404/410, a redirect chain, a slow response, oversize bodies (declared,
 * streamed, compressed), content types, robots.txt and the delay between requests to one host.
 */
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { webClient } from '../src/ingest/web/client.js';
import { FetchFailed, guardedFetch, type FetchOptions } from '../src/ingest/web/fetch.js';
import { FetchRefused, parseAllowList, type Resolver } from '../src/ingest/web/guard.js';
import { articlePage, serve, startSite, type Site } from './helpers/web-site.js';

let a: Site; // allowed
let b: Site; // loopback, not allowed
let c: Site; // loopback, not allowed: where a host name resolves
const allow = parseAllowList('127.0.0.1');
const opts = (more: Partial<FetchOptions> = {}): FetchOptions => ({
  allow,
  maxBytes: 64 * 1024,
  timeoutMs: 3000,
  ...more,
});

beforeAll(async () => {
  a = await startSite('127.0.0.1');
  b = await startSite('127.0.0.2');
  c = await startSite('127.0.0.3');
  for (const s of [b, c])
    s.routes.set(
      '/',
      serve(() => articlePage('Trap', ['Nothing should read this.'])),
    );
  a.routes.set(
    '/page',
    serve(() => articlePage('A page', ['A paragraph of the page.'])),
  );
  a.routes.set('/gone', (_q, res) => void res.writeHead(410).end());
  a.routes.set('/to-b', (_q, res) => void res.writeHead(302, { location: `${b.origin}/` }).end());
  for (let i = 0; i < 7; i++)
    a.routes.set(`/hop${i}`, (_q, res) => void res.writeHead(301, { location: `/hop${i + 1}` }).end());
  a.routes.set(
    '/hop7',
    serve(() => 'arrived', 'text/plain'),
  );
  a.routes.set('/slow-body', (_q, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.write('<p>start');
    setTimeout(() => res.end('</p>'), 5000).unref();
  });
  a.routes.set('/no-answer', () => {});
  a.routes.set(
    '/declared-big',
    (_q, res) => void res.writeHead(200, { 'content-type': 'text/html', 'content-length': 10 ** 7 }).end(),
  );
  a.routes.set('/streamed-big', (_q, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    for (let i = 0; i < 100; i++) res.write('x'.repeat(1024));
    res.end();
  });
  const bomb = gzipSync(Buffer.alloc(5 * 1024 * 1024, 0x20));
  a.routes.set(
    '/bomb',
    (_q, res) => void res.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'gzip' }).end(bomb),
  );
  a.routes.set(
    '/gz',
    (_q, res) =>
      void res
        .writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'gzip' })
        .end(gzipSync('<p>small</p>')),
  );
  a.routes.set('/image', (_q, res) => void res.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.alloc(10)));
  a.routes.set(
    '/robots.txt',
    serve(() => 'User-agent: *\nDisallow: /private\n', 'text/plain'),
  );
  a.routes.set('/to-private', (_q, res) => void res.writeHead(302, { location: '/private/doc' }).end());
  a.routes.set(
    '/private/doc',
    serve(() => articlePage('Private', ['Not for robots.'])),
  );
});
afterAll(async () => {
  await Promise.all([a, b, c].map((s) => s?.close()));
});

describe('guardedFetch', () => {
  test('a page is fetched with quotebot’s User-Agent and its validators; asked again with them, it answers not-modified', async () => {
    const r = await guardedFetch(`${a.origin}/page`, opts());
    expect(r).toMatchObject({ status: 'ok', contentType: 'text/html', charset: 'utf-8', url: `${a.origin}/page` });
    if (r.status !== 'ok') throw new Error('not ok');
    expect(r.bytes.toString()).toContain('A paragraph of the page.');
    expect(a.hits('/page')[0]!.headers['user-agent']).toMatch(/^quotebot\/\d+\.\d+\.\d+ /);
    const again = await guardedFetch(`${a.origin}/page`, opts({ etag: r.etag }));
    expect(again.status).toBe('not-modified');
    expect(a.hits('/page')[1]!.headers['if-none-match']).toBe(r.etag);
  });

  test('404 and 410 answer gone; a compressed body is read', async () => {
    expect(await guardedFetch(`${a.origin}/gone`, opts())).toMatchObject({ status: 'gone', code: 410 });
    expect(await guardedFetch(`${a.origin}/missing`, opts())).toMatchObject({ status: 'gone', code: 404 });
    const gz = await guardedFetch(`${a.origin}/gz`, opts());
    expect(gz.status === 'ok' && gz.bytes.toString()).toBe('<p>small</p>');
  });

  test('five redirects are followed, a sixth is refused', async () => {
    const five = await guardedFetch(`${a.origin}/hop2`, opts());
    expect(five).toMatchObject({ status: 'ok', url: `${a.origin}/hop7` });
    await expect(guardedFetch(`${a.origin}/hop1`, opts())).rejects.toThrow(/redirects more than 5 times/);
  });

  test('a redirect from the allowed host to a loopback address not on the list is refused, and that address gets no request', async () => {
    const err = await guardedFetch(`${a.origin}/to-b`, opts()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FetchRefused);
    expect(String(err)).toMatch(/127\.0\.0\.2 is a loopback address .*; it is not fetched/);
    expect(b.seen).toEqual([]);
  });

  test('a host name that resolves to a loopback address not on the list is refused before any request', async () => {
    const toC: Resolver = async () => [{ address: '127.0.0.3', family: 4 }];
    await expect(guardedFetch(`http://news.test:${c.port}/`, opts({ resolver: toC }))).rejects.toThrow(
      /news\.test resolves to a loopback address/,
    );
    await expect(guardedFetch(`http://127.0.0.3:${c.port}/`, opts())).rejects.toBeInstanceOf(FetchRefused);
    expect(c.seen).toEqual([]);
  });

  test('the connection goes to the address that was checked, whatever DNS answers next (no rebinding)', async () => {
    let calls = 0;
    const rebinding: Resolver = async () => [{ address: calls++ === 0 ? '127.0.0.1' : '127.0.0.3', family: 4 }];
    const r = await guardedFetch(`http://rebind.test:${a.port}/page`, opts({ resolver: rebinding }));
    expect(r.status).toBe('ok');
    expect(calls).toBe(1);
    expect(a.seen.at(-1)!.headers.host).toBe(`rebind.test:${a.port}`);
    expect(c.seen).toEqual([]);
  });

  test('a slow body and a server that never answers fail within the timeout', async () => {
    const t0 = Date.now();
    await expect(guardedFetch(`${a.origin}/slow-body`, opts({ timeoutMs: 400 }))).rejects.toThrow(
      /did not send the page within 0\.4 s/,
    );
    await expect(guardedFetch(`${a.origin}/no-answer`, opts({ timeoutMs: 400 }))).rejects.toThrow(
      /did not answer within 0\.4 s/,
    );
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  test('bodies over the cap are refused: declared, streamed, or expanding when decompressed', async () => {
    for (const path of ['/declared-big', '/streamed-big', '/bomb'])
      await expect(guardedFetch(`${a.origin}${path}`, opts())).rejects.toThrow(/larger than the limit of 64 KB/);
  });

  test('a content type the caller cannot read is refused before the body is read', async () => {
    const err = await guardedFetch(`${a.origin}/image`, opts({ accept: (t) => t === 'text/html' })).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(FetchFailed);
    expect(String(err)).toMatch(/is image\/png, not something I can read/);
  });
});

describe('webClient', () => {
  test('robots.txt is honoured: a disallowed path, or a redirect to one, is refused and never requested', async () => {
    const client = webClient({ allow, delayMs: 0, maxBytes: 64 * 1024 });
    await expect(client.get(`${a.origin}/private/doc`)).rejects.toThrow(
      /robots\.txt does not allow quotebot to fetch \/private\/doc/,
    );
    await expect(client.get(`${a.origin}/to-private`)).rejects.toThrow(
      /does not allow quotebot to fetch \/private\/doc/,
    );
    expect(a.hits('/private/doc')).toEqual([]);
    expect((await client.get(`${a.origin}/page`)).status).toBe('ok');
    expect(a.hits('/robots.txt').length).toBeGreaterThanOrEqual(1);
  });

  test('requests to one host come one at a time, at least FETCH_DELAY_MS apart', async () => {
    const client = webClient({ allow, delayMs: 250, maxBytes: 64 * 1024 });
    const from = a.seen.length;
    await Promise.all([1, 2, 3].map(() => client.get(`${a.origin}/page`)));
    const times = a.seen.slice(from).map((s) => s.at);
    expect(times).toHaveLength(4); // robots.txt, then the three pages
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(240);
  });

  test('a robots.txt Crawl-delay longer than FETCH_DELAY_MS is honoured', async () => {
    const d = await startSite('127.0.0.1');
    try {
      d.routes.set(
        '/robots.txt',
        serve(() => 'User-agent: quotebot\nCrawl-delay: 0.4\nAllow: /\n', 'text/plain'),
      );
      d.routes.set(
        '/page',
        serve(() => articlePage('D', ['A page on a slow site.'])),
      );
      const client = webClient({ allow, delayMs: 0, maxBytes: 64 * 1024 });
      await Promise.all([1, 2].map(() => client.get(`${d.origin}/page`)));
      const [first, second] = d.hits('/page').map((h) => h.at);
      expect(second! - first!).toBeGreaterThanOrEqual(380);
    } finally {
      await d.close();
    }
  });

  test('a URL on a refused address gets one line and no request, not even for robots.txt', async () => {
    const client = webClient({ allow, delayMs: 0, maxBytes: 64 * 1024 });
    await expect(client.get(`${b.origin}/`)).rejects.toThrow(/127\.0\.0\.2 is a loopback address/);
    expect(b.seen).toEqual([]);
  });
});
