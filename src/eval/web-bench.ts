/**
 * `npm run bench -- --web N`: a sitemap of N generated news pages (fixture sentences recombined,
 * inside a news site's furniture) served on 127.0.0.1, added with `/sources add` as the bot
 * does it (FETCH_DELAY_MS=0, rebuilds in the worker while pages arrive), timed until every page
 * is answerable. Set against embedding the same sentences alone on the main thread: when fetching
 * overlaps embedding, the whole takes about the embedding time, not fetch time plus embedding time.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { memoryLogger } from '../core/log.js';
import type { Embedder } from '../embed/embedder.js';
import { embeddingText, EMBED_BATCH } from '../index/build.js';
import { parseAllowList } from '../ingest/web/guard.js';
import { collectionEditor } from '../live/collection.js';
import { openLiveCollection } from '../live/live.js';
import { openWebSources } from '../live/web-sources.js';
import { recombine, sourceSentences } from './scale-bench.js';
import { chunkDocument } from '../ingest/chunk.js';
import { cleanDocument } from '../ingest/clean/clean.js';
import { loadCollection } from '../ingest/load.js';
import { openEngine } from '../engine/open.js';

export interface WebBenchFigures {
  pages: number;
  pages_added: number;
  sentences: number;
  /** From `/sources add` to every page answerable. */
  total_ms: number;
  /** From `/sources add` to the last page stored in the folder. */
  fetched_ms: number;
  fetch_pages_per_s: number;
  /** The same sentences embedded alone, in the build's batches, on the main thread (mean of before and after). */
  embed_only_ms: number;
  embed_only_before_after_ms: string;
  /** total_ms / embed_only_ms: about 1 when fetching overlaps embedding. */
  total_vs_embed: number;
  /** total_ms / (fetched_ms + embed_only_ms): below 1 when the two overlap. */
  total_vs_sum: number;
  rebuilds: number;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

function page(n: number, sentences: string[]): string {
  const paragraphs: string[] = [];
  for (let i = 0; i < sentences.length; i += 3) paragraphs.push(`<p>${esc(sentences.slice(i, i + 3).join(' '))}</p>`);
  return `<!doctype html><html><head><meta charset="utf-8"><title>Story ${n} | The Bench Gazette</title></head><body>
<nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a></nav>
<div class="cookie-banner"><p>We use cookies to improve your experience. Accept all</p></div>
<article><h1>Story ${n}</h1>${paragraphs.join('\n')}</article>
<aside><h2>Most read</h2><ul><li><a href="/a">Other story</a></li></ul></aside><footer>© The Bench Gazette</footer></body></html>`;
}

/** Serves the generated site on 127.0.0.1 until `close`. */
async function serveSite(pages: string[]): Promise<{ origin: string; close(): Promise<void> }> {
  let origin = '';
  const server = http.createServer((req, res) => {
    const path = req.url ?? '/';
    const m = /^\/p\/(\d+)$/.exec(path);
    if (path === '/sitemap.xml') {
      const urls = pages.map((_, i) => `<url><loc>${origin}/p/${i}</loc></url>`).join('');
      res.writeHead(200, { 'content-type': 'application/xml' }).end(`<?xml version="1.0"?><urlset>${urls}</urlset>`);
    } else if (m && pages[Number(m[1])]) res.writeHead(200, { 'content-type': 'text/html' }).end(pages[Number(m[1])]);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { origin, close: () => new Promise((r) => server.close(() => r())) };
}

export async function benchWeb(opts: {
  n: number;
  embedder: Embedder;
  sources: string[];
  dir: string;
  progress?: (done: number, total: number) => void;
}): Promise<WebBenchFigures> {
  const perPage = 15;
  const sentences = recombine(await sourceSentences(opts.sources), opts.n * perPage, 7);
  const pages = Array.from({ length: opts.n }, (_, i) => page(i + 1, sentences.slice(i * perPage, (i + 1) * perPage)));
  const corpus = join(opts.dir, 'corpus');
  await mkdir(corpus, { recursive: true });
  await writeFile(join(corpus, 'about.txt'), 'About this collection\n\nIt gathers the stories of a generated site.\n');
  const site = await serveSite(pages);
  const log = memoryLogger('info');
  const engineOpts = { corpusDir: corpus, indexDir: join(opts.dir, 'index'), embedder: opts.embedder.id };
  const live = openLiveCollection(await openEngine(engineOpts), engineOpts, { log, watch: false });
  const editor = collectionEditor(corpus, 10 * 1024 * 1024);
  const web = openWebSources({
    editor,
    refresh: live.engine.refresh,
    fetch: { allow: parseAllowList('127.0.0.1'), delayMs: 0 },
    log,
  });
  try {
    // The pages' sentences as a build embeds them (read, cleaned and chunked the same way).
    const scratch = join(opts.dir, 'scratch');
    await mkdir(scratch, { recursive: true });
    await Promise.all(pages.map((p, i) => writeFile(join(scratch, `p${i}.html`), p)));
    const texts = (await loadCollection(scratch)).flatMap((doc) =>
      chunkDocument(cleanDocument(doc), 0).flatMap((c) =>
        c.sentences.map((x) => embeddingText(doc.text.slice(x.start, x.end))),
      ),
    );
    await rm(scratch, { recursive: true, force: true });
    // Embedding alone, before and after (the machine's load moves; the mean brackets it).
    const embedAlone = async () => {
      const te = performance.now();
      for (let i = 0; i < texts.length; i += EMBED_BATCH) await opts.embedder.embed(texts.slice(i, i + EMBED_BATCH));
      return performance.now() - te;
    };
    const before = await embedAlone();
    await live.engine.refresh({ force: true }); // the worker's embedder loaded before the clock starts
    let fetchedAt = 0;
    const t0 = performance.now();
    const r = await web.add(`${site.origin}/sitemap.xml`, {
      progress: (done, total) => {
        if (done === total) fetchedAt = performance.now();
        opts.progress?.(done, total);
      },
    });
    const total = performance.now() - t0;
    const fetched = fetchedAt - t0;
    const answerable = r.docs.filter((d) => live.engine.document(d)).length;
    if (!r.refresh.ok || answerable !== r.docs.length)
      throw new Error(`web bench: ${r.docs.length - answerable} pages not answerable after the add`);
    const after = await embedAlone();
    const embedOnly = (before + after) / 2;
    const round = (x: number) => Math.round(x);
    return {
      pages: opts.n,
      pages_added: r.docs.length,
      sentences: texts.length,
      total_ms: round(total),
      fetched_ms: round(fetched),
      fetch_pages_per_s: Math.round((r.docs.length / fetched) * 1000),
      embed_only_ms: round(embedOnly),
      embed_only_before_after_ms: `${round(before)} / ${round(after)}`,
      total_vs_embed: Math.round((total / embedOnly) * 100) / 100,
      total_vs_sum: Math.round((total / (fetched + embedOnly)) * 100) / 100,
      rebuilds: log.lines.filter((l) => l.includes('"reindexed"')).length - 1,
    };
  } finally {
    await web.close();
    await live.close();
    await site.close();
    await rm(join(opts.dir, 'corpus'), { recursive: true, force: true });
  }
}

