/**
 * A small web site on loopback for the web-source tests: routes are plain functions of the
 * request, every request is recorded (path, headers, time), and the server listens on the
 * 127.0.0.x address it is given (never anything outside 127.0.0.0/8). Pages come with the
 * furniture news sites wrap articles in (menu, cookie banner, share bar, related list, footer).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  path: string;
  headers: http.IncomingHttpHeaders;
  at: number;
}

export type Route = (req: http.IncomingMessage, res: http.ServerResponse) => void | Promise<void>;

export interface Site {
  /** `http://127.0.0.x:port` */
  origin: string;
  host: string;
  port: number;
  routes: Map<string, Route>;
  seen: SeenRequest[];
  /** Requests for `path` so far. */
  hits(path: string): SeenRequest[];
  close(): Promise<void>;
}

export async function startSite(host = '127.0.0.1'): Promise<Site> {
  if (!host.startsWith('127.')) throw new Error('test sites stay on loopback');
  const routes = new Map<string, Route>();
  const seen: SeenRequest[] = [];
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    seen.push({ path: req.url ?? '/', headers: req.headers, at: Date.now() });
    const route = routes.get(path);
    if (!route) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    void Promise.resolve(route(req, res)).catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    origin: `http://${host}:${port}`,
    host,
    port,
    routes,
    seen,
    hits: (p) => seen.filter((s) => s.path === p),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A route answering `body` with a content type, an ETag (its hash) and 304 to a matching If-None-Match. */
export function serve(body: () => string | Buffer, type = 'text/html; charset=utf-8'): Route {
  return (req, res) => {
    const b = body();
    const etag = `"${Buffer.from(b).toString('base64url').slice(-12)}-${Buffer.byteLength(b)}"`;
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, { etag }).end();
      return;
    }
    res.writeHead(200, { 'content-type': type, etag }).end(b);
  };
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Junk every page carries: none of it may ever be quoted. */
export const FURNITURE = [
  'We use cookies to improve your experience on our site. Accept all cookies',
  'Share this story on Facebook Share on X Copy link',
  'Sign up for our morning newsletter and never miss a story',
  'Most read: Ten recipes for a rainy weekend',
];

/** A news article page: the paragraphs inside the furniture of a news site. */
export function articlePage(title: string, paragraphs: string[]): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${esc(title)} | The Valley Courier</title></head><body>
<header><nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a> <a href="/weather">Weather</a></nav></header>
<div class="cookie-banner"><p>${FURNITURE[0]}</p><button>Accept</button></div>
<main><article><h1>${esc(title)}</h1><p class="byline">By Staff Reporter</p>
<div class="share"><p>${FURNITURE[1]}</p></div>
${paragraphs.map((p) => `<p>${esc(p)}</p>`).join('\n')}
<aside class="promo"><p>${FURNITURE[2]}</p></aside>
</article></main>
<aside class="related"><h2>Related</h2><ul><li><a href="/x">${FURNITURE[3]}</a></li><li><a href="/y">Five walks near the river</a></li></ul></aside>
<footer><p>© The Valley Courier. All rights reserved. Privacy policy. Terms of use.</p></footer>
</body></html>`;
}

/** An RSS 2.0 feed of `items` (links relative to the site are fine). */
export function rssFeed(title: string, items: { title: string; link: string }[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>${esc(title)}</title><link>/</link><description>News</description>
${items.map((i) => `<item><title>${esc(i.title)}</title><link>${esc(i.link)}</link><guid>${esc(i.link)}</guid></item>`).join('\n')}
</channel></rss>`;
}

export function sitemap(urls: string[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
${urls.map((u) => `<url><loc>${esc(u)}</loc></url>`).join('\n')}
</urlset>`;
}

/**
 * A slow sitemap on `site` (`/slow-sitemap.xml`): `pages` pages, each served `delayMs` after it is
 * asked for (one request at a time per host: the listing takes pages × delayMs). `served` lists the
 * pages served so far; page N says the tide tables were printed on day N.
 */
export function slowSitemap(site: Site, pages: number, delayMs: number): { url: string; served: number[] } {
  const served: number[] = [];
  for (let n = 0; n < pages; n++)
    site.routes.set(`/slow/${n}`, async (req, res) => {
      await new Promise((r) => setTimeout(r, delayMs));
      served.push(n);
      serve(() =>
        articlePage(`Slow page ${n}`, [`The slow page number ${n} says the tide tables were printed on day ${n}.`]),
      )(req, res);
    });
  site.routes.set(
    '/slow-sitemap.xml',
    serve(() => sitemap(Array.from({ length: pages }, (_, n) => `${site.origin}/slow/${n}`)), 'application/xml'),
  );
  return { url: `${site.origin}/slow-sitemap.xml`, served };
}
