/**
 * The fetcher's address checks on literal addresses (nothing here connects anywhere): private,
 * loopback, link-local (cloud metadata), unique-local, shared and special ranges are refused,
 * IPv4-mapped IPv6 is read as the IPv4 address it carries, public addresses pass, and
 * FETCH_ALLOW_HOSTS lets hosts, addresses and CIDR ranges through. Also: what a body is, the
 * file name a page gets, feeds and sitemaps parsed, and the text fragment of a citation's link.
 */
import { describe, expect, test } from 'vitest';
import { addressRefusal, checkedAddress, parseAllowList, type Resolver } from '../src/ingest/web/guard.js';
import { webUrl } from '../src/ingest/web/fetch.js';
import { parseListing } from '../src/ingest/web/listing.js';
import { bodyKind, pageFileName } from '../src/ingest/web/names.js';
import { citationLink, textFragment } from '../src/message/text-fragment.js';

describe('address checks', () => {
  test.each([
    ['127.0.0.1', /loopback/],
    ['127.9.9.9', /loopback/],
    ['10.1.2.3', /private/],
    ['172.16.0.1', /private/],
    ['172.31.255.254', /private/],
    ['192.168.1.1', /private/],
    ['169.254.169.254', /link-local.*metadata/],
    ['100.100.100.200', /shared/],
    ['0.0.0.0', /unspecified/],
    ['255.255.255.255', /broadcast/],
    ['224.0.0.1', /multicast/],
    ['::1', /loopback/],
    ['::', /unspecified/],
    ['fc00::1', /unique-local/],
    ['fd00:ec2::254', /unique-local/],
    ['fe80::1', /link-local/],
    ['::ffff:10.0.0.1', /private/],
    ['::ffff:169.254.169.254', /link-local/],
    ['::ffff:127.0.0.1', /loopback/],
    ['64:ff9b::a00:1', /special-purpose/],
    ['2002:a00:1::', /special-purpose/],
    ['not-an-ip', /not an IP/],
  ])('%s is refused', (ip, why) => {
    expect(addressRefusal(ip)).toMatch(why);
  });

  test.each(['93.184.216.34', '8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])(
    'public address %s passes',
    (ip) => {
      expect(addressRefusal(ip)).toBeUndefined();
    },
  );

  test('FETCH_ALLOW_HOSTS lets addresses, CIDR ranges and host names through, and nothing else', () => {
    const allow = parseAllowList(' 10.0.0.0/8, 127.0.0.1 ,wiki.internal, [fd00::]/8 ,');
    expect(addressRefusal('10.20.30.40', allow)).toBeUndefined();
    expect(addressRefusal('::ffff:10.20.30.40', allow)).toBeUndefined();
    expect(addressRefusal('127.0.0.1', allow)).toBeUndefined();
    expect(addressRefusal('127.0.0.2', allow)).toMatch(/loopback/);
    expect(addressRefusal('192.168.0.1', allow)).toMatch(/private/);
    expect(addressRefusal('fd12::1', allow)).toBeUndefined();
    expect(addressRefusal('169.254.169.254', allow)).toMatch(/link-local/);
    expect([...allow.hosts]).toEqual(['wiki.internal']);
  });

  test.each(['10.0.0.0/33', 'http://x', 'a b', '-bad-.host'])(
    'a bad allow-list entry %s is one clear error',
    (entry) => {
      expect(() => parseAllowList(entry)).toThrow(/is not a (host name|CIDR range)/);
    },
  );

  test('a host name is checked on every address it resolves to, and pinned to the one checked', async () => {
    const resolver =
      (addresses: string[]): Resolver =>
      async () =>
        addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }) as const);
    const none = parseAllowList('');
    await expect(checkedAddress('news.example', none, resolver(['93.184.216.34']))).resolves.toEqual({
      address: '93.184.216.34',
      family: 4,
    });
    await expect(checkedAddress('news.example', none, resolver(['93.184.216.34', '10.0.0.5']))).rejects.toThrow(
      /news\.example resolves to a private network address; it is not fetched/,
    );
    await expect(checkedAddress('meta.example', none, resolver(['169.254.169.254']))).rejects.toThrow(/metadata/);
    await expect(checkedAddress('127.0.0.1', none)).rejects.toThrow(/loopback/);
    await expect(checkedAddress('[::1]', none)).rejects.toThrow(/loopback/);
    const byName = parseAllowList('wiki.internal');
    await expect(checkedAddress('WIKI.internal', byName, resolver(['10.9.8.7']))).resolves.toMatchObject({
      address: '10.9.8.7',
    });
    const failing: Resolver = async () => {
      throw new Error('ENOTFOUND');
    };
    await expect(checkedAddress('nowhere.example', none, failing)).rejects.toThrow(/could not be found/);
  });

  test('only http(s) addresses without credentials are fetched; the URL parser normalises odd IPv4 forms', () => {
    for (const bad of ['file:///etc/passwd', 'ftp://example.org/x', 'gopher://x', 'javascript:alert(1)', 'not a url'])
      expect(() => webUrl(bad)).toThrow(/only http and https|not a web address/);
    expect(() => webUrl('https://user:pw@example.org/')).toThrow(/user name or password/);
    expect(webUrl('http://0x7f.1/').hostname).toBe('127.0.0.1');
    expect(webUrl('http://2130706433/').hostname).toBe('127.0.0.1');
    expect(webUrl('https://example.org/a#frag').href).toBe('https://example.org/a');
  });
});

describe('bodies, names and listings', () => {
  test('a body is told by its type and, where the type lies, by its first bytes', () => {
    const b = (s: string) => Buffer.from(s);
    expect(bodyKind('text/html', b('<!doctype html><p>x'))).toBe('html');
    expect(bodyKind('application/octet-stream', b('%PDF-1.7\n'))).toBe('pdf');
    expect(bodyKind('text/plain', b('<?xml version="1.0"?><rss version="2.0">'))).toBe('listing');
    expect(bodyKind('application/xml', b('<?xml version="1.0"?><urlset>'))).toBe('listing');
    expect(bodyKind('', b('<html><body>x'))).toBe('html');
    expect(bodyKind('image/png', b('\x89PNG'))).toBeUndefined();
  });

  test('a page’s file name is readable, stable, unique per URL and a valid collection name', () => {
    const a = pageFileName('https://news.example.org/2025/05/storm-hits-coast.html', 'html');
    expect(a).toMatch(/^news\.example\.org_2025_05_storm-hits-coast-[0-9a-f]{6}\.html$/);
    expect(pageFileName('https://news.example.org/2025/05/storm-hits-coast.html', 'html')).toBe(a);
    expect(pageFileName('https://news.example.org/2025/05/storm-hits-coast.html?p=2', 'html')).not.toBe(a);
    const long = pageFileName(`https://example.org/${'very-long-slug-'.repeat(20)}`, 'pdf');
    expect(long.length).toBeLessThanOrEqual(100);
    expect(long).toMatch(/-[0-9a-f]{6}\.pdf$/);
    expect(pageFileName('https://example.org/', 'html')).toMatch(/^example\.org-[0-9a-f]{6}\.html$/);
  });

  test('RSS and Atom items and sitemap URLs are read, resolved against the listing and kept once each', () => {
    const rss = `<?xml version="1.0"?><rss version="2.0"><channel><title>Courier &amp; Co</title>
      <item><title>One</title><link>/news/one</link></item><item><title>Two</title><link>https://other.example/two#x</link></item>
      <item><title>Again</title><link>/news/one</link></item><item><title>Bad</title><link>javascript:alert(1)</link></item></channel></rss>`;
    expect(parseListing(rss, 'https://site.example/feed.xml')).toEqual({
      kind: 'feed',
      title: 'Courier & Co',
      items: [
        { url: 'https://site.example/news/one', title: 'One' },
        { url: 'https://other.example/two', title: 'Two' },
      ],
    });
    const atom = `<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Atom news</title>
      <entry><title>A</title><link href="https://site.example/a" rel="alternate"/><id>a</id></entry></feed>`;
    expect(parseListing(atom, 'https://site.example/atom')).toMatchObject({
      kind: 'feed',
      title: 'Atom news',
      items: [{ url: 'https://site.example/a', title: 'A' }],
    });
    const map = `<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
      <url><loc>https://site.example/p?a=1&amp;b=2</loc></url><url><loc> /p2 </loc></url></urlset>`;
    expect(parseListing(map, 'https://site.example/sitemap.xml')).toEqual({
      kind: 'sitemap',
      items: [{ url: 'https://site.example/p?a=1&b=2' }, { url: 'https://site.example/p2' }],
      sitemaps: [],
    });
    const index = `<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>/s1.xml</loc></sitemap></sitemapindex>`;
    expect(parseListing(index, 'https://site.example/index.xml')).toEqual({
      kind: 'sitemap',
      items: [],
      sitemaps: ['https://site.example/s1.xml'],
    });
    expect(parseListing('<html><body>no</body></html>', 'https://site.example/')).toBeUndefined();
    expect(parseListing('<?xml version="1.0"?><note>x</note>', 'https://site.example/')).toBeUndefined();
    expect(parseListing('not xml at all <<<', 'https://site.example/')).toBeUndefined();
  });
});

describe('links to the quote', () => {
  test('a short quote is named whole, a long one by its first and last words, encoded as the spec asks', () => {
    expect(textFragment('The dam is 40 metres tall.')).toBe('#:~:text=The%20dam%20is%2040%20metres%20tall.');
    const long =
      'The new dam, finished in May, holds back a lake of three square kilometres - the largest in the valley.';
    expect(textFragment(long)).toBe('#:~:text=The%20new%20dam%2C%20finished%20in,the%20largest%20in%20the%20valley.');
    expect(textFragment('a-b & c, (d)')).toBe('#:~:text=a%2Db%20%26%20c%2C%20%28d%29');
  });

  test('a citation links to its page at the quote, a PDF at its page; other URLs get no link', () => {
    expect(citationLink({ url: 'https://site.example/a_(b)#top', quote: 'Short quote here.' })).toBe(
      'https://site.example/a_%28b%29#:~:text=Short%20quote%20here.',
    );
    expect(citationLink({ url: 'https://site.example/r.pdf', quote: 'x', page: 4 })).toBe(
      'https://site.example/r.pdf#page=4',
    );
    expect(citationLink({ url: 'javascript:alert(1)', quote: 'x' })).toBeUndefined();
    expect(citationLink({ quote: 'x' })).toBeUndefined();
    const longUrl = `https://site.example/${'a'.repeat(560)}`;
    expect(citationLink({ url: longUrl, quote: 'Some words of the quote.' })).toBe(longUrl);
  });
});
