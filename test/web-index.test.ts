/**
 * `npm run index` follows the collection's sources.json: a sitemap named in `follow` is read and
 * its pages fetched before the build (one summary line off a terminal), `ask --json` cites them
 * with their `url`, the next run asks again with validators and drops a page that went 410; a
 * bad FETCH_ALLOW_HOSTS is one line and exit 2. `npm start`'s console adds a page by URL and
 * lists what is followed. Loopback only; the built scripts in dist/.
 */
import { copyFile, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { assertDistBuilt, runCli } from './helpers/run-cli.js';
import { NEWS } from './helpers/web-news.js';
import { articlePage, serve, sitemap, startSite, type Site } from './helpers/web-site.js';
import { REPO, tempDir } from './helpers/tmp-collection.js';

let root: string;
let corpus: string;
let site: Site;
let env: Record<string, string>;
const items = [NEWS.ferry, NEWS.library, NEWS.festival];
const gone = new Set<string>();

beforeAll(async () => {
  assertDistBuilt(['build-index', 'ask', 'start']);
  root = await tempDir('quotebot-web-index-');
  corpus = join(root, 'corpus');
  await mkdir(corpus);
  await copyFile(join(REPO, 'test', 'fixtures', 'collection-c', 'c1_airline_strike.txt'), join(corpus, 'c1.txt'));
  site = await startSite('127.0.0.1');
  for (const it of items)
    site.routes.set(`/p/${it.slug}`, (req, res) =>
      gone.has(it.slug) ? void res.writeHead(410).end() : serve(() => articlePage(it.title, it.paragraphs))(req, res),
    );
  site.routes.set(
    '/sitemap.xml',
    serve(() => sitemap(items.map((i) => `${site.origin}/p/${i.slug}`)), 'application/xml'),
  );
  await writeFile(join(corpus, 'sources.json'), JSON.stringify({ follow: [`${site.origin}/sitemap.xml`] }));
  env = { CORPUS_DIR: corpus, INDEX_DIR: join(root, 'index'), FETCH_ALLOW_HOSTS: '127.0.0.1', FETCH_DELAY_MS: '0' };
});
afterAll(async () => {
  await site?.close();
  await rm(root, { recursive: true, force: true });
});

test('the sitemap’s pages are fetched and indexed, cited with their url; the next run drops a page gone 410', async () => {
  const first = await runCli('build-index', [], { cwd: root, env, timeoutMs: 120_000 });
  expect(first.code, first.stderr).toBe(0);
  expect(first.stdout).toMatch(/^Synced 1 followed URLs and 0 pages in \d+\.\d s: 3 added, 0 changed, 0 removed\n/);
  expect(first.stdout).toMatch(/Indexed 4 documents/);
  const ask = await runCli('ask', ['--json', NEWS.library.question], { cwd: root, env, timeoutMs: 120_000 });
  expect(ask.code, ask.stderr).toBe(0);
  const answer = JSON.parse(ask.stdout) as { citations: { quote: string; url?: string }[] };
  expect(answer.citations[0]).toMatchObject({ url: `${site.origin}/p/${NEWS.library.slug}` });
  expect(answer.citations[0]!.quote).toMatch(NEWS.library.answer);

  gone.add(NEWS.ferry.slug);
  const second = await runCli('build-index', [], { cwd: root, env, timeoutMs: 120_000 });
  expect(second.code, second.stderr).toBe(0);
  expect(second.stdout).toMatch(/^Synced 1 followed URLs and 3 pages in \d+\.\d s: 0 added, 0 changed, 1 removed\n/);
  expect(second.stdout).toMatch(/Indexed 3 documents/);
  expect((await readdir(corpus)).some((f) => f.includes('corran-ferry'))).toBe(false);
  const conditional = site.seen.filter((s) => s.path === `/p/${NEWS.library.slug}`).at(-1)!;
  expect(conditional.headers['if-none-match']).toBeTruthy();

  const offline = await runCli('build-index', ['--offline'], { cwd: root, env, timeoutMs: 120_000 });
  expect(offline.stdout).not.toMatch(/Synced/);
});

test('a bad FETCH_ALLOW_HOSTS is one line and exit 2', async () => {
  const r = await runCli('build-index', [], {
    cwd: root,
    env: { ...env, FETCH_ALLOW_HOSTS: '10.0.0.0/99' },
    timeoutMs: 60_000,
  });
  expect(r.code).toBe(2);
  expect(r.stderr.trim()).toMatch(
    /^Bad setting FETCH_ALLOW_HOSTS: “10\.0\.0\.0\/99” is not a CIDR range such as 10\.0\.0\.0\/8\.$/,
  );
});

test('npm start’s console adds a page by its URL, answers from it with its link, and lists the followed sitemap', async () => {
  const page = `${site.origin}/p/${NEWS.festival.slug}`;
  const input = [`/sources add ${page}`, `/ask ${NEWS.festival.question}`, '/sources feeds'].join('\n');
  const run = await runCli('start', [], { cwd: root, env, stdin: `${input}\n`, timeoutMs: 120_000 });
  expect(run.code, run.stderr).toBe(0);
  expect(run.stdout).toMatch(/is already in the collection, unchanged\.|Updated /);
  expect(run.stdout).toContain('12,000 people');
  expect(run.stdout).toMatch(
    new RegExp(`Record crowd at Wexcombe lantern festival <${page.replace(/\./g, '\\.')}#:~:text=`),
  );
  expect(run.stdout).toMatch(/sitemap\.xml \(sitemap\) — 2 pages — synced/);
  const bad = await runCli('start', [], {
    cwd: root,
    env: { ...env, FETCH_ALLOW_HOSTS: 'a b' },
    stdin: '',
    timeoutMs: 60_000,
  });
  expect(bad.code).toBe(1);
  expect(bad.stderr.trim()).toMatch(
    /^Bad setting FETCH_ALLOW_HOSTS: “a b” is not a host name, IP address or CIDR range\.$/,
  );
});
