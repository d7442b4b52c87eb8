import pg from 'pg';
import { toSql } from 'pgvector';
import { loadLexical } from './lexical.js';
import type { Chunk, Span } from '../core/types.js';
import type { Embedder } from '../embed/embedder.js';
import { builtIndex, canReuse, embedSentences, lexicalJson, makeManifest, prepareCollection, reuseKey, type Prepared } from './build.js';
import { DocRecordSchema, ManifestSchema, type DocRecord, type Manifest } from './files.js';
import { ensureSchema, friendly, redactUrl } from '../db/pg.js';
import { hnswEf } from './read.js';
import { type BuildReport, type DenseSearch, IndexError, type IndexStore, type Knn, type LoadedIndex, type SentenceRef, type StoreBuildOptions } from './types.js';

/**
 * The index in Postgres with pgvector, shared by every process that names the same URL. One
 * database holds many collections (the base, and each server's): every row carries its
 * collection, and a store reads and writes one. Builds write a new generation and flip that
 * collection's row of `qb_pointers` in one transaction; readers keep the generation they loaded
 * in memory (texts, vectors for exact sentence scoring, the BM25 index) and ask Postgres only for
 * the dense neighbours, through the generation's HNSW index (made for the base, and for a
 * server's collection larger than `scanMax`, which is otherwise scanned in memory: a thousand
 * servers do not leave a thousand indexes on one table for the planner to weigh).
 */

/** Held by a build for its whole run, so a second writer fails at once with a clear line. */
const WRITE_LOCK = 0x71b0_0002;
/** HNSW search breadth until a generation sets its own (`hnswEf`, as for the local index; k is 64). */
const EF_SEARCH = 128;
const INSERT_BATCH = 500;
/** How long a question waits for Postgres's neighbours before finding them in memory. */
const KNN_WAIT_MS = 5000;


/** A connection pool for the store (one per process, shared by the stores of every collection). */
export function pgPool(url: string, max = 4): pg.Pool {
  // Every connection searches with the same breadth (a startup option: Postgres keeps it until pgvector loads).
  const pool = new pg.Pool({ connectionString: url, max, allowExitOnIdle: true, connectionTimeoutMillis: 10_000, options: `-c hnsw.ef_search=${EF_SEARCH}` });
  // An idle connection that drops is reported by the next query, not as a crash.
  pool.on('error', () => {});
  return pool;
}

/** The collection a store of this URL reads and writes: the base's, unless a server's id is given. */
export const BASE = 'base';

export function openPgStore(
  url: string,
  /** `pool`: shared (closed by its owner); `checked`: the schema is known to be current (no check per store). */
  opts: { scanMax: number; collection?: string; pool?: pg.Pool; checked?: boolean },
): IndexStore {
  const { scanMax } = opts;
  const collection = opts.collection ?? BASE;
  if (collection !== BASE && !/^\d{15,22}$/.test(collection)) throw new IndexError('not a collection name');
  const where = redactUrl(url) + (collection === BASE ? '' : ` (server ${collection})`);
  const pool = opts.pool ?? pgPool(url);

  /** Runs `fn` on one pooled connection; connection and server failures become one clear line. */
  const withClient = async <T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> => {
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (err) {
      throw friendly(err, where);
    }
    try {
      return await fn(client);
    } catch (err) {
      throw friendly(err, where);
    } finally {
      client.release();
    }
  };

  let schema: Promise<void> | undefined = opts.checked ? Promise.resolve() : undefined;
  const ready = () =>
    (schema ??= withClient(async (c) => {
      await ensureSchema(c, where);
      // PGlite serves every connection from one session, which ignores startup options.
      await c.query(`SET hnsw.ef_search = ${EF_SEARCH}`);
    }).catch((err: unknown) => {
      schema = undefined; // a later call tries again (the server may come back)
      throw err;
    }));

  const pointer = async (c: pg.ClientBase): Promise<string | undefined> => {
    const { rows } = await c.query<{ generation: string | null }>('SELECT generation FROM qb_pointers WHERE collection = $1', [collection]);
    return rows[0]?.generation ?? undefined;
  };

  return {
    where,
    shared: true,
    async manifest() {
      await ready();
      return withClient(async (c) => {
        const gen = await pointer(c);
        if (gen === undefined) return undefined;
        const { rows } = await c.query<{ manifest: unknown }>('SELECT manifest FROM qb_generations WHERE id = $1 AND collection = $2', [gen, collection]);
        return parseManifest(rows[0]?.manifest, where);
      });
    },
    async version() {
      await ready();
      return withClient(pointer);
    },
    async load() {
      await ready();
      return withClient((c) => loadGeneration(c, pool, where, scanMax, collection));
    },
    async build(opts) {
      await ready();
      return withClient((c) => buildGeneration(c, opts, where, pointer, collection, collection === BASE ? 0 : scanMax));
    },
    async bytes() {
      await ready();
      return withClient(async (c) => {
        const { rows } = await c.query<{ n: string | null }>(`SELECT sum(pg_total_relation_size(oid)) AS n FROM pg_class WHERE relkind = 'r' AND relname LIKE 'qb\\_%'`);
        return Number(rows[0]?.n ?? 0);
      });
    },
    close: async () => {
      if (!opts.pool) await pool.end();
    },
  };
}


function parseManifest(raw: unknown, where: string): Manifest {
  const parsed = ManifestSchema.safeParse(raw);
  if (!parsed.success) throw new IndexError(`The index in ${where} is invalid (manifest ${parsed.error.issues[0]!.path.join('.')}): rebuild it with npm run index.`);
  return parsed.data;
}

/**
 * Reads the generation the pointer names, in one read-only snapshot: a build that flips the
 * pointer or removes an old generation meanwhile cannot give this reader a mix.
 */
async function loadGeneration(c: pg.ClientBase, pool: pg.Pool, where: string, scanMax: number, collection: string): Promise<LoadedIndex> {
  await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    const gen = (await c.query<{ generation: string | null }>('SELECT generation FROM qb_pointers WHERE collection = $1', [collection])).rows[0]?.generation;
    if (!gen) throw new IndexError(`No index in ${where} yet: build it with npm run index -- --index-url URL.`);
    const g = (await c.query<{ manifest: unknown; lexical: string; stats: string | null }>('SELECT manifest, lexical, stats FROM qb_generations WHERE id = $1 AND collection = $2', [gen, collection])).rows[0]!;
    const manifest = parseManifest(g.manifest, where);
    const docRows = (
      await c.query<{ ord: number; name: string; hash: string; meta: unknown; record: Record<string, unknown>; text: string; vectors: Buffer }>(
        'SELECT ord, name, hash, meta, record, text, vectors FROM qb_documents WHERE generation = $1 AND collection = $2 ORDER BY ord',
        [gen, collection],
      )
    ).rows;
    const chunkRows = (await c.query<{ id: number; doc: number; paragraph: number; s: number; e: number }>('SELECT id, doc, paragraph, start_offset AS s, end_offset AS e FROM qb_chunks WHERE generation = $1 AND collection = $2 ORDER BY id', [gen, collection])).rows;
    const sentRows = (await c.query<{ id: number; chunk: number; s: number; e: number }>('SELECT id, chunk, start_offset AS s, end_offset AS e FROM qb_sentences WHERE generation = $1 AND collection = $2 ORDER BY id', [gen, collection])).rows;
    await c.query('COMMIT');

    const fail = (what: string): never => {
      throw new IndexError(`The index in ${where} is inconsistent (${what}): rebuild it with npm run index.`);
    };
    const docs: DocRecord[] = docRows.map((r) => {
      const parsed = DocRecordSchema.safeParse({ ...r.record, id: r.name, hash: r.hash, meta: r.meta, text: r.text });
      return parsed.success ? parsed.data : fail(`document ${r.name}`);
    });
    const chunks: Chunk[] = chunkRows.map((r, i) => (r.id === i && docs[r.doc] ? { id: r.id, doc: docs[r.doc]!.id, paragraph: r.paragraph, start: r.s, end: r.e, sentences: [] as Span[] } : fail(`chunk ${i}`)));
    const sentences: SentenceRef[] = sentRows.map((r, i) => {
      if (r.id !== i || !chunks[r.chunk]) fail(`sentence ${i}`);
      chunks[r.chunk]!.sentences.push({ start: r.s, end: r.e });
      return { chunk: r.chunk, start: r.s, end: r.e };
    });
    const { dims } = manifest;
    if (docs.length !== manifest.counts.docs || chunks.length !== manifest.counts.chunks || sentences.length !== manifest.counts.sentences) fail('counts differ from the manifest');
    const bytes = Buffer.concat(docRows.map((r) => r.vectors));
    if (bytes.byteLength !== sentences.length * dims * 4) fail('vectors do not match the sentences');
    // Copied into an aligned buffer: a Float32Array cannot view an odd byte offset.
    const vectors = new Float32Array(sentences.length * dims);
    new Uint8Array(vectors.buffer).set(bytes);
    let lexical;
    try {
      lexical = loadLexical(g.lexical);
    } catch {
      return fail('the lexical index cannot be read');
    }
    const dense = pgDense(pool, gen, dims, vectors, sentences.length, scanMax);
    const byId = new Map(docs.map((d) => [d.id, d]));
    const stats = g.stats ? { stats: g.stats } : {};
    return { dir: where, manifest, docs, byId, chunks, sentences, vectors, dense, lexical, generation: gen, ...stats };
  } catch (err) {
    await c.query('ROLLBACK').catch(() => {});
    throw err;
  }
}

/**
 * Dense search through the generation's HNSW index in Postgres, or, for a generation of at
 * most `scanMax` sentences, an exact scan of the vectors in memory (cheaper than the round
 * trip). Similarities are computed here from the vectors in memory (the same arithmetic as
 * every other sentence score).
 */
function pgDense(pool: pg.Pool, gen: string, dims: number, vectors: Float32Array, count: number, scanMax: number): DenseSearch {
  const g = Number(gen);
  // Literals, not parameters: the planner must see them to pick the generation's partial index;
  // and it is told not to sort instead (it misjudges a partial HNSW index's cost), for this query only.
  // One round trip: the statements go as one simple query (the vector literal is numbers only).
  const sql = (qvec: number[], k: number) =>
    `BEGIN; SET LOCAL enable_sort = off; SET LOCAL hnsw.ef_search = ${hnswEf(count)}; SELECT id FROM qb_sentences WHERE generation = ${g} ORDER BY embedding::vector(${dims}) <=> '${toSql(qvec.map(Number))}' LIMIT ${Math.trunc(k)}; COMMIT;`;
  const dot = (i: number, q: number[]) => {
    let v = 0;
    for (let d = 0; d < dims; d++) v += vectors[i * dims + d]! * q[d]!;
    return v;
  };
  /** The exact nearest `k`, from the vectors in memory. */
  const scan = (qvec: number[], k: number): Knn => {
    const ids = Array.from({ length: count }, (_, i) => [i, dot(i, qvec)] as const)
      .sort((a, b) => b[1] - a[1])
      .slice(0, k);
    return { neighbors: ids.map(([i]) => i), distances: ids.map(([, d]) => 1 - d) };
  };
  let fallbacks = 0;
  return {
    count,
    /** Searches answered in memory because Postgres did not answer (0 while the server is well). */
    get fallbacks() {
      return fallbacks;
    },
    async knn(qvec, k): Promise<Knn> {
      // The server down or the generation gone: the same neighbours, found exactly in memory,
      // so answers keep coming (slower on a large collection) until the server is back.
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<number[]>((resolve) => (timer = setTimeout(() => resolve([]), KNN_WAIT_MS)));
      const found = pool.query(sql(qvec, k)).then(
        (r) => ((r as unknown as pg.QueryResult<{ id: number }>[])[3]?.rows ?? []).map((x) => x.id),
        () => [],
      );
      const ids = await Promise.race([found, late]).finally(() => clearTimeout(timer));
      if (ids.length === 0 && count > 0) {
        fallbacks++;
        return scan(qvec, k);
      }
      return { neighbors: ids, distances: ids.map((i) => 1 - dot(i, qvec)) };
    },
    ...(count <= scanMax && { knnSync: scan }),
  };
}

/**
 * Writes a new generation and flips the pointer to it in one transaction. Only documents
 * whose hash is new are embedded; the rest keep their vectors from the generation in use.
 * The generation before it is kept for readers that have not switched yet; older ones go.
 */
async function buildGeneration(
  c: pg.ClientBase,
  opts: StoreBuildOptions,
  where: string,
  pointer: (c: pg.ClientBase) => Promise<string | undefined>,
  collection: string,
  /** A generation up to this many sentences gets no HNSW index (readers scan it in memory). */
  scanMax: number,
): Promise<BuildReport> {
  const t0 = performance.now();
  const locked = (await c.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, hashtext($2)) AS ok', [WRITE_LOCK, collection])).rows[0]!.ok;
  if (!locked) throw new IndexError(`Another build is writing to ${where}: wait for it to finish, then try again.`);
  try {
    const base = await pointer(c);
    const prepared = await prepareCollection(opts.corpusDir, opts.notice);
    const previous = base ? await reusable(c, base, opts.embedder, prepared) : { vectors: new Map<string, Float32Array>() };
    const embedding = embedSentences(prepared, opts.embedder, previous, opts.progress);
    // Worked out while the encoder runs its first batch (in its own threads).
    embedding.catch(() => undefined);
    const stats = opts.stats?.(builtIndex(prepared)) ?? null;
    const emb = await embedding;
    const manifest = makeManifest(prepared, opts.embedder, emb.scale, opts.corpusDir);

    await c.query('BEGIN');
    try {
      // Where sessions are shared (PGlite), the advisory lock cannot tell writers apart: the
      // pointer must still be the one this build started from.
      const now = (await c.query<{ generation: string | null }>('SELECT generation FROM qb_pointers WHERE collection = $1 FOR UPDATE', [collection])).rows[0]?.generation ?? undefined;
      if (now !== base) throw new IndexError(`Another build updated ${where} meanwhile: run npm run index again.`);
      const gen = (await c.query<{ id: string }>('INSERT INTO qb_generations (manifest, lexical, collection, stats) VALUES ($1, $2, $3, $4) RETURNING id', [manifest, lexicalJson(prepared), collection, stats])).rows[0]!.id;
      await writeRows(c, gen, prepared, emb.vectors, opts.embedder.dims, collection);
      const g = Number(gen);
      if (prepared.sentences.length > scanMax) {
        await c.query(`CREATE INDEX qb_sentences_hnsw_${g} ON qb_sentences USING hnsw ((embedding::vector(${opts.embedder.dims})) vector_cosine_ops) WITH (m = ${manifest.hnsw.M}, ef_construction = ${manifest.hnsw.efConstruction}) WHERE generation = ${g}`);
        await c.query('ANALYZE qb_sentences');
      }
      await opts.beforeSwap?.();
      await c.query('INSERT INTO qb_pointers (collection, generation) VALUES ($1, $2) ON CONFLICT (collection) DO UPDATE SET generation = EXCLUDED.generation', [collection, gen]);
      const old = (await c.query<{ id: string }>('SELECT id FROM qb_generations WHERE collection = $1 AND id <> $2 AND id IS DISTINCT FROM $3', [collection, gen, base ?? null])).rows;
      for (const { id } of old) {
        await c.query(`DROP INDEX IF EXISTS qb_sentences_hnsw_${Number(id)}`);
        await c.query('DELETE FROM qb_generations WHERE id = $1', [id]);
      }
      await c.query('COMMIT');
    } catch (err) {
      await c.query('ROLLBACK').catch(() => {});
      throw err;
    }
    const { records, chunks, sentences } = prepared;
    return {
      docs: records.length,
      chunks: chunks.length,
      sentences: sentences.length,
      embedded: emb.embedded,
      reused: sentences.length - emb.embedded,
      probes: emb.probes,
      ms: performance.now() - t0,
      embedMs: emb.embedMs,
      skipped: prepared.skipped,
    };
  } finally {
    await c.query('SELECT pg_advisory_unlock($1, hashtext($2))', [WRITE_LOCK, collection]).catch(() => {});
  }
}

async function writeRows(
  c: pg.ClientBase,
  gen: string,
  { records, chunks, sentences }: Prepared,
  vectors: Float32Array,
  dims: number,
  collection: string,
): Promise<void> {
  const ordOf = new Map(records.map((r, i) => [r.id, i]));
  // Sentences are stored document by document: each document's vectors are one slice.
  let first = 0;
  for (const [ord, r] of records.entries()) {
    let n = 0;
    while (first + n < sentences.length && sentences[first + n]!.doc === r.id) n++;
    const { id, hash, meta, text, ...record } = r;
    const bytes = Buffer.from(vectors.buffer, vectors.byteOffset + first * dims * 4, n * dims * 4);
    await c.query('INSERT INTO qb_documents (generation, ord, name, hash, meta, record, text, vectors, collection) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)', [gen, ord, id, hash, meta, record, text, bytes, collection]);
    first += n;
  }
  for (let i = 0; i < chunks.length; i += INSERT_BATCH) {
    const part = chunks.slice(i, i + INSERT_BATCH);
    await c.query('INSERT INTO qb_chunks (collection, generation, id, doc, paragraph, start_offset, end_offset) SELECT $7, $1, * FROM unnest($2::int[], $3::int[], $4::int[], $5::int[], $6::int[])', [
      gen,
      part.map((x) => x.id),
      part.map((x) => ordOf.get(x.doc)!),
      part.map((x) => x.paragraph),
      part.map((x) => x.start),
      part.map((x) => x.end),
      collection,
    ]);
  }
  const chunkOf: number[] = chunks.flatMap((ch) => ch.sentences.map(() => ch.id));
  for (let i = 0; i < sentences.length; i += INSERT_BATCH) {
    const rows = sentences.slice(i, i + INSERT_BATCH);
    await c.query('INSERT INTO qb_sentences (collection, generation, id, chunk, start_offset, end_offset, embedding) SELECT $7, $1, * FROM unnest($2::int[], $3::int[], $4::int[], $5::int[], $6::vector[])', [
      gen,
      rows.map((_, k) => i + k),
      rows.map((_, k) => chunkOf[i + k]!),
      rows.map((x) => x.start),
      rows.map((x) => x.end),
      rows.map((_, k) => toSql(Array.from(vectors.subarray((i + k) * dims, (i + k + 1) * dims)))),
      collection,
    ]);
  }
}

/** Vectors of the generation in use, for documents whose text is unchanged, keyed by `reuseKey`. */
async function reusable(c: pg.ClientBase, gen: string, embedder: Embedder, p: Prepared): Promise<{ vectors: Map<string, Float32Array>; scale?: Manifest['scale'] }> {
  const out = new Map<string, Float32Array>();
  const m = ManifestSchema.safeParse((await c.query<{ manifest: unknown }>('SELECT manifest FROM qb_generations WHERE id = $1', [gen])).rows[0]?.manifest);
  if (!m.success || !canReuse(m.data, embedder)) return { vectors: out };
  const { dims } = m.data;
  const { rows } = await c.query<{ hash: string; vectors: Buffer; starts: number[]; ends: number[] }>(
    `SELECT d.hash, d.vectors, array_agg(s.start_offset ORDER BY s.id) AS starts, array_agg(s.end_offset ORDER BY s.id) AS ends
       FROM qb_documents d
       JOIN qb_chunks ch ON ch.generation = d.generation AND ch.doc = d.ord
       JOIN qb_sentences s ON s.generation = ch.generation AND s.chunk = ch.id
      WHERE d.generation = $1 AND d.hash = ANY($2)
      GROUP BY d.ord, d.hash, d.vectors`,
    [gen, [...new Set(p.records.map((r) => r.hash))]],
  );
  for (const r of rows) {
    const v = new Float32Array(r.vectors.byteLength / 4);
    new Uint8Array(v.buffer).set(r.vectors);
    r.starts.forEach((s, k) => out.set(reuseKey(r.hash, s, r.ends[k]!), v.slice(k * dims, (k + 1) * dims)));
  }
  return { vectors: out, scale: m.data.scale };
}
