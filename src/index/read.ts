import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import hnswlib from 'hnswlib-node';
import type MiniSearch from 'minisearch';
import { z } from 'zod';
import { IndexError, type DenseSearch, type Knn, type LoadedIndex } from './types.js';
import { loadLexicalAsync, type LexicalDoc } from './lexical.js';
import type { Chunk } from '../core/types.js';
import { ChunksFileSchema, DocsFileSchema, FILES, ManifestSchema, sentenceRefs, type DocRecord, type Manifest } from './files.js';
import { filesDir, readPointer, STATS_FILE } from './generations.js';



/**
 * Exact dense search over the vectors in memory, for a small collection (a server's): about a
 * millisecond per 5,000 sentences, and no HNSW graph in memory (hnswlib holds a few megabytes per
 * index, whatever its size). Retrieval scores every neighbour from the vectors itself, so answers
 * do not depend on what found the neighbours.
 */
export function scanDense(vectors: Float32Array, dims: number): DenseSearch {
  const count = vectors.length / dims;
  const knnSync = (qvec: number[], k: number): Knn => {
    const scores = new Float64Array(count);
    for (let i = 0; i < count; i++) {
      let dot = 0;
      for (let d = 0, off = i * dims; d < dims; d++) dot += vectors[off + d]! * qvec[d]!;
      scores[i] = dot;
    }
    const neighbors = Array.from({ length: count }, (_, i) => i)
      .sort((a, b) => scores[b]! - scores[a]! || a - b)
      .slice(0, k);
    return { neighbors, distances: neighbors.map((i) => 1 - scores[i]!) };
  };
  return { count, knnSync, knn: async (qvec, k) => knnSync(qvec, k) };
}

/** Dense search over an hnswlib index in this process. */
export function hnswDense(hnsw: hnswlib.HierarchicalNSW): DenseSearch {
  const knnSync = (qvec: number[], k: number): Knn => hnsw.searchKnn(qvec, k);
  return { count: hnsw.getCurrentCount(), knnSync, knn: async (qvec, k) => knnSync(qvec, k) };
}


/** The manifest of the index in use in `dir` (its current generation). */
export async function readManifest(dir: string): Promise<Manifest> {
  return readManifestAt((await filesDir(dir)).path, dir);
}

async function readManifestAt(files: string, dir: string): Promise<Manifest> {
  const raw = await readFile(join(files, FILES.manifest), 'utf8').catch(() => {
    throw new IndexError(`No index in ${dir} (manifest.json missing): run npm run index.`);
  });
  return parseWith(ManifestSchema, raw, dir, FILES.manifest);
}

/**
 * HNSW search breadth. At 98,867 sentences (`bench --scale`), ef 128 gave recall@10 0.985 against
 * exact search; large collections search wider, small ones keep the faster 128.
 */
export function hnswEf(sentences: number): number {
  return sentences > 20_000 ? 256 : 128;
}

/**
 * Reads and checks every file of the index in `dir`, all from one generation. Should that
 * generation be removed while it is read (two builds finished meanwhile), the new current one
 * is read instead.
 */
export async function readIndex(dir: string, opts: ReadOptions = {}): Promise<LoadedIndex> {
  for (let attempt = 0; ; attempt++) {
    const at = await filesDir(dir);
    try {
      const index = await readFiles(at.path, dir, opts);
      // Statistics stored beside the generation, when its writer stored them (optional: computed otherwise).
      const stats = at.generation ? await readFile(join(at.path, STATS_FILE), 'utf8').catch(() => undefined) : undefined;
      return { ...index, ...(at.generation && { generation: at.generation }), ...(stats && { stats }) };
    } catch (err) {
      if (attempt < 3 && at.generation && (await readPointer(dir).catch(() => undefined))?.generation !== at.generation) continue;
      throw err;
    }
  }
}

/** The files in folder `files`; messages name `dir`, the index folder the user knows. */
export interface ReadOptions {
  ef?: number;
  /** An index of at most this many sentences is searched exactly in memory; its HNSW graph is not loaded. */
  scanMax?: number;
}

async function readFiles(files: string, dir: string, opts: ReadOptions): Promise<LoadedIndex> {
  const manifest = await readManifestAt(files, dir);
  for (const [name, bytes] of Object.entries(manifest.sizes)) {
    const actual = await stat(join(files, name)).then((s) => s.size, () => -1);
    if (actual === -1) throw new IndexError(`Index in ${dir} is incomplete: ${name} is missing. Rebuild with npm run index.`);
    if (actual !== bytes) throw new IndexError(`Index in ${dir} is corrupt: ${name} has ${actual} bytes, expected ${bytes}. Rebuild with npm run index.`);
  }
  // Every file must be listed with its size: a manifest that leaves one out is not trusted.
  for (const name of [FILES.docs, FILES.chunks, FILES.vectors, FILES.hnsw, FILES.lexical]) {
    if (!(name in manifest.sizes)) throw new IndexError(`Index in ${dir} is invalid: manifest.json does not list ${name}. Rebuild with npm run index.`);
  }
  const [docsRaw, chunksRaw, vecBuf, lexRaw] = await Promise.all([
    readFile(join(files, FILES.docs), 'utf8'),
    readFile(join(files, FILES.chunks), 'utf8'),
    readFile(join(files, FILES.vectors)),
    readFile(join(files, FILES.lexical), 'utf8'),
  ]).catch((err: NodeJS.ErrnoException) => {
    throw new IndexError(`Index in ${dir} cannot be read (${err.code ?? err.message}). Rebuild with npm run index.`);
  });
  // A turn for the event loop between the steps of a load: a running bot opens each new generation
  // while it answers, and one step at a time holds it far less than the whole load at once.
  const turn = () => new Promise((r) => setImmediate(r));
  await turn();
  const docs = await parseWith(DocsFileSchema, docsRaw, dir, FILES.docs);
  await turn();
  const chunks = await parseWith(ChunksFileSchema, chunksRaw, dir, FILES.chunks);
  await turn();
  checkConsistency(manifest, docs, chunks, dir);
  const sentences = sentenceRefs(chunks);
  const { dims } = manifest;
  if (sentences.length !== manifest.counts.sentences || vecBuf.byteLength !== sentences.length * dims * 4) {
    throw new IndexError(`Index in ${dir} is inconsistent: vectors do not match ${sentences.length} sentences of ${dims} dimensions. Rebuild with npm run index.`);
  }
  const vectors = new Float32Array(vecBuf.buffer, vecBuf.byteOffset, vecBuf.byteLength / 4);
  await turn();
  let lexical: MiniSearch<LexicalDoc>;
  try {
    lexical = await loadLexicalAsync(lexRaw);
  } catch {
    throw new IndexError(`Index in ${dir} is corrupt: ${FILES.lexical} cannot be read. Rebuild with npm run index.`);
  }
  const base = { dir, manifest, docs, byId: new Map(docs.map((d) => [d.id, d])), chunks, sentences, vectors, lexical };
  if (opts.scanMax !== undefined && sentences.length <= opts.scanMax) return { ...base, dense: scanDense(vectors, dims) };

  await turn();
  const hnsw = new hnswlib.HierarchicalNSW('cosine', dims);
  try {
    hnsw.readIndexSync(join(files, FILES.hnsw));
  } catch {
    throw new IndexError(`Index in ${dir} is corrupt: ${FILES.hnsw} cannot be read. Rebuild with npm run index.`);
  }
  if (hnsw.getCurrentCount() !== sentences.length || hnsw.getNumDimensions() !== dims) {
    throw new IndexError(`Index in ${dir} is inconsistent: ${FILES.hnsw} does not match the manifest. Rebuild with npm run index.`);
  }
  // ef is not stored in the file: set it after every load.
  hnsw.setEf(opts.ef ?? hnswEf(sentences.length));
  return { ...base, dense: hnswDense(hnsw) };
}

/** Files that parse but do not fit together (hand-edited, mixed from two builds) are caught here, not mid-answer. */
function checkConsistency(manifest: Manifest, docs: DocRecord[], chunks: Chunk[], dir: string): void {
  const fail = (what: string) => {
    throw new IndexError(`Index in ${dir} is inconsistent: ${what}. Rebuild with npm run index.`);
  };
  const ids = manifest.files.map((f) => f.id);
  if (docs.length !== ids.length || docs.some((d, i) => d.id !== ids[i] || d.hash !== manifest.files[i]!.hash)) fail(`${FILES.docs} does not match the manifest`);
  const textLength = new Map(docs.map((d) => [d.id, d.text.length]));
  chunks.forEach((c, i) => {
    const length = textLength.get(c.doc);
    if (c.id !== i) fail(`${FILES.chunks} record ${i} has id ${c.id}`);
    if (length === undefined) fail(`${FILES.chunks} record ${i} names ${c.doc}, which is not in ${FILES.docs}`);
    if (!(c.start < c.end && c.end <= length!)) fail(`${FILES.chunks} record ${i} has offsets outside its document`);
    for (const s of c.sentences) if (!(c.start <= s.start && s.start < s.end && s.end <= c.end)) fail(`${FILES.chunks} record ${i} has a sentence outside the chunk`);
  });
}

async function parseWith<T>(schema: z.ZodType<T>, raw: string, dir: string, name: string): Promise<T> {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new IndexError(`Index in ${dir} is corrupt: ${name} is not valid JSON. Rebuild with npm run index.`);
  }
  await new Promise((r) => setImmediate(r)); // (a turn for the event loop between parsing and checking)
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new IndexError(`Index in ${dir} is invalid: ${name} ${issue.path.join('.')}: ${issue.message}. Rebuild with npm run index.`);
  }
  return parsed.data;
}
