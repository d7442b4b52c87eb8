import { CHUNKER_VERSION } from '../ingest/chunk.js';
import { CLEANER_VERSION } from '../ingest/clean/clean.js';
import { join, resolve } from 'node:path';
import { compose, type AnswerPolicy } from '../answer/compose.js';
import { policyFor } from '../answer/calibration.js';
import type { Embedder } from '../embed/embedder.js';
import { rescale } from '../embed/scale.js';
import { openEmbedder } from '../embed/select.js';
import { extractorOf, type BuildReport } from '../index/build.js';
import { EXTRACTOR_VERSION } from '../ingest/extract/extract.js';
import type { Manifest } from '../index/files.js';
import { IndexError, readIndex, type LoadedIndex } from '../index/read.js';
import { localStore, openStore, type IndexStore } from '../index/store.js';
import { LEXICAL_VERSION } from '../text/terms.js';
import { listCollection, readSource } from '../ingest/load.js';
import { lexStats, nearest, retrieve, type LexStats, type TextStats } from '../retrieve/score.js';
import { hasWords, normalizeQuestion } from '../text/question.js';
import type { Answer, DocInfo, Engine, PassageHit, QuoteContext, Span } from '../core/types.js';

export interface EngineOptions {
  /**
   * The collection. Leave it out to answer from the one the index was built from (`seeds` when
   * there is no index yet); naming another one than an existing index's is an error.
   */
  corpusDir?: string;
  indexDir: string;
  /** A Postgres URL: the shared store instead of the local index folder. */
  indexUrl?: string;
  /** Embedder for a build (`auto`, `use-lite`, `transformers:<model>`); queries always use the index's own. */
  embedder?: string;
  modelDir?: string;
  /** One-line notices for the user (building, fallbacks), e.g. to stderr. */
  notice?: (line: string) => void;
  /** Progress of an embedding build. */
  progress?: (done: number, total: number) => void;
  /** Override the calibrated answer policy (calibration and tests). */
  policy?: Partial<AnswerPolicy>;
  /** How often a reader of a shared store looks for a new generation (default 5 s). */
  pollMs?: number;
  /** A shared store's generations up to this many sentences are searched in memory (`SCAN_MAX`). */
  scanMax?: number;
  /**
   * Never write the index (a shard process: another process is the one writer). The index must
   * exist; the engine follows its new generations as a reader of a shared store does.
   */
  readOnly?: boolean;
}

export const DEFAULT_CORPUS = 'seeds';

/**
 * Opens the collection's index, building it first when it is missing or stale (a file
 * added, changed or removed). A corrupt index is an error, not silently rebuilt. When a
 * stale index cannot be rebuilt (a file unreadable), the old one stays in use. A shared
 * store is built here only when empty: readers never re-index it (`npm run index` does),
 * they pick up each new generation as it appears.
 */
export async function openEngine(opts: EngineOptions): Promise<OpenedEngine> {
  const store = await openStore(opts);
  try {
    return await openOn(store, opts);
  } catch (err) {
    await store.close();
    throw err;
  }
}

/** An opened engine knows its embedder and the collection it answers from. */
export type OpenedEngine = ReturnType<typeof createEngine> & {
  readonly corpusDir: string;
  refresh?(): Promise<void>;
  close?(): Promise<void>;
};

async function openOn(store: IndexStore, opts: EngineOptions): Promise<OpenedEngine> {
  const notice = opts.notice ?? (() => {});
  const where = store.where;
  const manifest = await store.manifest();
  const corpusDir = await collectionOf(manifest, opts.corpusDir, where);
  let embedder: Embedder | undefined;
  if (!manifest && opts.readOnly) {
    throw new IndexError(`No index in ${where}: the process that writes it has not built it.`);
  } else if (!manifest) {
    notice(`No index in ${where}: building it from ${corpusDir}…`);
    embedder = await openEmbedder(opts.embedder ?? 'auto', { modelDir: opts.modelDir, notice });
    await store.build({ corpusDir, embedder, progress: opts.progress, notice });
  } else {
    checkEmbedderChoice(manifest.embedder, opts.embedder);
    // A newer cleaner or chunker changes what is quotable: rebuild as if the files had changed.
    // Newer term rules or an index from before similarity scales were recorded: rebuilt too, reusing every vector.
    const outdated =
      manifest.cleaner !== CLEANER_VERSION ||
      manifest.chunker !== CHUNKER_VERSION ||
      manifest.lexical !== LEXICAL_VERSION ||
      extractorOf(manifest) !== EXTRACTOR_VERSION ||
      !manifest.scale;
    const stale = await isStale(corpusDir, manifest);
    if ((outdated || stale) && opts.readOnly) {
      // The writer is updating it: this reader switches when the new generation appears.
    } else if ((outdated || stale) && store.shared) {
      notice(
        `The index in ${where} ${stale ? `differs from ${corpusDir}` : 'was made by an older version'}: answering from it; update it with npm run index.`,
      );
    } else if (outdated || stale) {
      notice(
        stale
          ? `The collection in ${corpusDir} changed: updating the index…`
          : `The index in ${where} was made by an older version: updating it…`,
      );
      embedder = await loadIndexEmbedder(manifest.embedder, opts);
      try {
        await store.build({ corpusDir, embedder, progress: opts.progress, notice });
      } catch (err) {
        notice(
          `Could not update the index (${err instanceof Error ? err.message : String(err)}); answering from the previous one.`,
        );
      }
    }
  }
  const policy = (e: Embedder) => ({ ...policyFor(e.id), ...opts.policy });
  const open = async (index: LoadedIndex) => {
    if (!embedder) embedder = await loadIndexEmbedder(index.manifest.embedder, opts);
    if (embedder.id !== index.manifest.embedder || embedder.dims !== index.manifest.dims) {
      throw new IndexError(
        `Index in ${where} was built with ${index.manifest.embedder} (${index.manifest.dims} dims) but the embedder is ${embedder.id} (${embedder.dims}).`,
      );
    }
    return createEngine(index, embedder, policy(embedder));
  };
  const version = await store.version();
  const engine = await open(await store.load());
  if (!store.shared && !opts.readOnly) return Object.assign(engine, { corpusDir });
  return Object.assign(sharedEngine(store, engine, version, open, opts.pollMs ?? 5000, notice), { corpusDir });
}

/**
 * The collection to answer from: the one the index was built from, unless another is named.
 * Another folder holding the same files (the collection moved) is the same collection.
 */
async function collectionOf(
  manifest: Manifest | undefined,
  requested: string | undefined,
  where: string,
): Promise<string> {
  if (!manifest?.corpus) return requested ?? DEFAULT_CORPUS;
  if (requested === undefined || resolve(requested) === manifest.corpus) return manifest.corpus;
  if (!(await isStale(requested, manifest))) return requested;
  throw new IndexError(
    `Index in ${where} was built from ${manifest.corpus}, not ${requested}: leave the collection out to answer from it, or rebuild it with npm run index -- --corpus ${requested}.`,
  );
}

type FullEngine = ReturnType<typeof createEngine>;
/** A shared store's engine: `refresh` looks for a new generation now (tests), `close` stops polling. */
export type SharedEngine = FullEngine & { refresh(): Promise<void>; close(): Promise<void> };

/**
 * An engine over a shared store that switches to each new generation without a restart. It
 * polls the store's version; a new one is loaded beside the old and swapped in whole, so a
 * question is answered from one generation. A failed poll or load keeps the current one.
 */
function sharedEngine(
  store: IndexStore,
  first: FullEngine,
  version: string | undefined,
  open: (index: LoadedIndex) => Promise<FullEngine>,
  pollMs: number,
  notice: (line: string) => void,
): SharedEngine {
  let current = first;
  let seen = version;
  let failing = false;
  let busy = false;
  const poll = async () => {
    if (busy) return;
    busy = true;
    try {
      const now = await store.version();
      if (now !== undefined && now !== seen) {
        const index = await store.load();
        current = await open(index);
        // The generation loaded, which may already be newer than the one polled.
        seen = index.generation ?? now;
        notice(`Switched to the new index in ${store.where}.`);
      }
      failing = false;
    } catch (err) {
      if (!failing)
        notice(
          `Could not check the index in ${store.where} (${err instanceof Error ? err.message.split('\n')[0] : String(err)}); answering from the one loaded.`,
        );
      failing = true;
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void poll(), pollMs);
  timer.unref();
  // Where the store can tell at once (local files: the pointer file replaced), no wait for the next poll.
  const unwatch = store.watch?.(() => void poll()) ?? (() => {});
  const engine = answeringFrom(() => current, {
    get index() {
      return current.index;
    },
    get stats() {
      return current.stats;
    },
    get embedder() {
      return current.embedder;
    },
    refresh: poll,
    async close() {
      clearInterval(timer);
      unwatch();
      await store.close();
    },
  });
  return engine as SharedEngine;
}

/**
 * For a running bot (src/live.ts): true when the index was built by `embedderId` from exactly
 * the collection's files as they are now (`sources.json` is not part of that check).
 */
export async function indexIsCurrent(
  opts: Pick<EngineOptions, 'corpusDir' | 'indexDir'>,
  embedderId: string,
): Promise<boolean> {
  const manifest = await localStore(opts.indexDir).manifest();
  return !!manifest && manifest.embedder === embedderId && !(await isStale(opts.corpusDir ?? DEFAULT_CORPUS, manifest));
}

/** True when `manifest` was built from exactly the collection's files as they are now. */
export async function matchesCollection(corpusDir: string, manifest: Manifest): Promise<boolean> {
  return !(await isStale(corpusDir, manifest));
}

/**
 * An engine over the index in `opts.indexDir`, with an embedder already loaded (after a rebuild).
 * `pre`: the text statistics of that generation, worked out off the event loop (live/stats-worker.ts);
 * used only if the generation read is the one they were worked out for.
 */
export async function engineFromIndex(
  opts: EngineOptions,
  embedder: Embedder,
  pre?: { generation?: string; text: TextStats },
): Promise<Engine> {
  const index = await readIndex(opts.indexDir);
  const text = pre && pre.generation === index.generation ? pre.text : undefined;
  return createEngine(index, embedder, { ...policyFor(embedder.id), ...opts.policy }, text);
}

/**
 * The same for a bot on a shared store: writes a new generation from the collection and has
 * `engine` switch to it (the other processes switch when they next poll).
 */
export async function rebuildShared(
  opts: EngineOptions,
  engine: SharedEngine,
  force = false,
): Promise<{ engine: Engine; report: BuildReport } | undefined> {
  const store = await openStore(opts);
  try {
    const manifest = await store.manifest();
    const corpusDir = opts.corpusDir ?? manifest?.corpus ?? DEFAULT_CORPUS;
    if (!force && manifest && manifest.embedder === engine.embedder.id && !(await isStale(corpusDir, manifest)))
      return undefined;
    const report = await store.build({
      corpusDir,
      embedder: engine.embedder,
      progress: opts.progress,
      notice: opts.notice,
    });
    await engine.refresh();
    return { engine, report };
  } finally {
    await store.close();
  }
}

/**
 * `rest`, given the questions of an `Engine`, each put to the engine `now()` returns at the time
 * of the call: a swap never changes an answer under way. (Defined on `rest`, not spread into
 * it: a spread would read `embedderId` once.)
 */
export function answeringFrom<T extends object>(now: () => Engine, rest: T): T & Omit<Engine, 'close'> {
  const questions: Omit<Engine, 'close'> = {
    get embedderId() {
      return now().embedderId;
    },
    ask: (question) => now().ask(question),
    askMany: (questions) => now().askMany(questions),
    search: (query, k) => now().search(query, k),
    documents: () => now().documents(),
    document: (doc) => now().document(doc),
    documentText: (doc) => now().documentText(doc),
    context: (doc, start, end) => now().context(doc, start, end),
  };
  return Object.defineProperties(rest, Object.getOwnPropertyDescriptors(questions)) as T & Omit<Engine, 'close'>;
}

/** An engine over an index already in memory. */
export function createEngine(
  index: LoadedIndex,
  embedder: Embedder,
  policy: AnswerPolicy,
  text?: TextStats,
): Engine & { index: LoadedIndex; stats: LexStats; embedder: Embedder } {
  const scale = index.manifest.scale ? rescale(index.manifest.scale, policy.scale) : undefined;
  const stats = text ? lexStats(index, scale, text) : lexStats(index, scale);
  const docById = index.byId;
  const chunkCount = new Map<string, number>();
  for (const c of index.chunks) chunkCount.set(c.doc, (chunkCount.get(c.doc) ?? 0) + 1);

  const answerOne = async (question: string, qvec: number[], t0: number): Promise<Answer> => {
    const composed = compose(
      index,
      retrieve(index, stats, question, qvec, policy.weights, await nearest(index, qvec)),
      policy,
    );
    return {
      question,
      answered: composed.answered,
      answer: composed.answered
        ? composed.citations.map((c) => `${c.quote.replace(/\s+/g, ' ')} [${c.n}]`).join('\n\n')
        : 'Not found in the sources.',
      citations: composed.citations.map((c) => withPage(c, docById.get(c.doc)?.pages)),
      closest: composed.closest,
      timings_ms: { total: Math.round((performance.now() - t0) * 10) / 10 },
    };
  };
  const info = (id: string): DocInfo | undefined => {
    const d = docById.get(id);
    if (!d) return undefined;
    const { outlet, url, published } = d.meta;
    return {
      doc: d.id,
      title: d.title,
      outlet,
      url,
      published,
      passages: chunkCount.get(d.id) ?? 0,
      words: d.words,
      version: d.hash,
    };
  };

  const askMany = async (raw: string[]): Promise<Answer[]> => {
    const t0 = performance.now();
    const questions = raw.map(normalizeQuestion);
    // Only questions with words are embedded; the others are refused without a lookup.
    const real = questions.filter(hasWords);
    const qvecs = real.length ? await embedder.embed(real, { query: true }) : [];
    let k = 0;
    return Promise.all(questions.map((q) => (hasWords(q) ? answerOne(q, qvecs[k++]!, t0) : emptyAnswer(q, t0))));
  };

  return {
    index,
    stats,
    embedder,
    embedderId: embedder.id,
    ask: async (question) => (await askMany([question]))[0]!,
    askMany,
    async search(query, k = 5) {
      const [qvec] = await embedder.embed([query], { query: true });
      const r = retrieve(index, stats, query, qvec!, policy.weights, await nearest(index, qvec!));
      return r.chunks.slice(0, k).map(({ chunk, fused }): PassageHit => {
        const c = index.chunks[chunk]!;
        const d = docById.get(c.doc)!;
        return withPage(
          {
            doc: d.id,
            title: d.title,
            quote: d.text.slice(c.start, c.end),
            start: c.start,
            end: c.end,
            score: Math.round(fused * 1e4) / 1e4,
          },
          d.pages,
        );
      });
    },
    documents: () => index.docs.map((d) => info(d.id)!),
    document: info,
    documentText(doc) {
      const d = docById.get(doc);
      return d && { doc: d.id, text: d.text, ...(d.pages && { pages: d.pages }) };
    },
    context(doc, start, end): QuoteContext | undefined {
      const d = docById.get(doc);
      if (!d || !Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > d.text.length || start >= end)
        return undefined;
      // A passage may run on into the next paragraph (a lead-in and its quotation) when only
      // white space lies between them; a span that takes in anything skipped is not a quote.
      const p = d.paragraphs.findIndex((s) => s.start <= start && start < s.end);
      const q = d.paragraphs.findIndex((s) => s.start < end && end <= s.end);
      if (p < 0 || q < p) return undefined;
      for (let i = p; i < q; i++)
        if (/\S/.test(d.text.slice(d.paragraphs[i]!.end, d.paragraphs[i + 1]!.start))) return undefined;
      const sentencesOf = (k: number) =>
        index.chunks.filter((c) => c.doc === doc && c.paragraph === k).flatMap((c) => c.sentences);
      const before = sentencesOf(p)
        .filter((s) => s.end <= start)
        .slice(-1)[0];
      const after = sentencesOf(q).find((s) => s.start >= end);
      return {
        doc,
        title: d.title,
        before: before ? d.text.slice(before.start, start).trimEnd() : '',
        quote: d.text.slice(start, end),
        after: after ? d.text.slice(end, after.end).trimStart() : '',
        paragraph: p + 1,
        paragraphs: d.paragraphs.length,
        ...(d.pages && { page: pageAt(d.pages, start) }),
      };
    },
  };
}

/** The 1-based page an offset falls on (the page whose span starts at or before it). */
export function pageAt(pages: readonly Span[], offset: number): number {
  let n = 0;
  while (n + 1 < pages.length && pages[n + 1]!.start <= offset) n++;
  return n + 1;
}

/** A quote of a paged document (a PDF) names the page it starts on. */
function withPage<T extends PassageHit>(hit: T, pages: readonly Span[] | undefined): T {
  return pages?.length ? { ...hit, page: pageAt(pages, hit.start) } : hit;
}

function emptyAnswer(question: string, t0: number): Answer {
  return {
    question,
    answered: false,
    answer: 'Please ask a question in words.',
    citations: [],
    closest: [],
    timings_ms: { total: Math.round((performance.now() - t0) * 10) / 10 },
  };
}

function checkEmbedderChoice(indexEmbedder: string, requested: string | undefined): void {
  if (!requested || requested === 'auto' || requested === indexEmbedder) return;
  if (requested === 'transformers' && indexEmbedder.startsWith('transformers:')) return;
  throw new IndexError(
    `Index was built with ${indexEmbedder}, not ${requested}: rebuild it with npm run index -- --embedder ${requested}.`,
  );
}

async function loadIndexEmbedder(id: string, opts: EngineOptions): Promise<Embedder> {
  try {
    return await openEmbedder(id, { modelDir: opts.modelDir });
  } catch (err) {
    throw new IndexError(
      `Index was built with ${id}, which cannot be loaded here (${err instanceof Error ? err.message.split('\n')[0] : String(err)}).`,
    );
  }
}

/**
 * True when the collection's files differ from those the index was built from or skipped.
 * A file's version is the hash of its bytes (`readSource`, the same function a build uses).
 */
async function isStale(corpusDir: string, manifest: Manifest): Promise<boolean> {
  const files = [...manifest.files.map((f) => ({ id: f.id, version: f.hash })), ...(manifest.skipped ?? [])].sort(
    (a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
  let names: string[];
  try {
    names = await listCollection(corpusDir);
  } catch {
    return false; // no collection here: answer from the index as it is
  }
  if (names.length !== files.length || names.some((n, i) => n !== files[i]!.id)) return true;
  for (const f of files) {
    if ((await readSource(join(corpusDir, f.id))).version !== f.version) return true;
  }
  return false;
}
