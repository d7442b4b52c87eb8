/**
 * What reading an HTML page or a PDF gave, kept by the file's content hash: a rebuild (every
 * upload is one) reads only new and changed files again, not every PDF of the collection. A
 * refusal is kept too (a file past a limit is not tried again until it changes), an unexpected
 * failure is not. Kept in memory for the process, and on disk in `cacheDir` (the index folder's
 * `extracted/`) when given: JSON files named `<sha256>.<kind>.<version>.json`, written to a temp name
 * then renamed. The version covers the extractors and their limits, so a change reads files again.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { z } from 'zod';
import { CAPS_KEY } from './extract/caps.js';
import { EXTRACTOR_VERSION } from './extract/extract.js';
import { Unreadable, type Extracted } from './extract/extracted.js';
import { readIsolated } from './isolate.js';

/** Extensions worth keeping (a text file is read faster than its cache entry). */
const CACHED = new Set(['.html', '.htm', '.pdf']);
const VERSION = createHash('sha256').update(`${EXTRACTOR_VERSION}:${CAPS_KEY}`).digest('hex').slice(0, 12);
/** Characters of text kept in memory, all entries together. */
const MEMORY_CHARS = 32_000_000;

const SpanSchema = z.object({ start: z.number().int(), end: z.number().int() });
const EntrySchema = z.discriminatedUnion('ok', [
  z.object({
    ok: z.literal(true),
    extracted: z.object({
      format: z.enum(['text', 'html', 'pdf']),
      text: z.string(),
      meta: z.object({
        title: z.string().optional(),
        outlet: z.string().optional(),
        url: z.string().optional(),
        published: z.string().optional(),
      }),
      pages: z.array(SpanSchema).optional(),
      skip: z.array(SpanSchema).optional(),
    }),
  }),
  z.object({ ok: z.literal(false), reason: z.string().max(300) }),
]);
type Entry = z.infer<typeof EntrySchema>;

const memory = new Map<string, Entry>();
let memoryChars = 0;
const size = (e: Entry) => (e.ok ? e.extracted.text.length : 0) + 100;

function remember(key: string, e: Entry): void {
  if (memory.has(key)) memoryChars -= size(memory.get(key)!);
  memory.delete(key);
  memory.set(key, e);
  memoryChars += size(e);
  for (const [k, old] of memory) {
    if (memoryChars <= MEMORY_CHARS) break;
    memory.delete(k);
    memoryChars -= size(old);
  }
}

/** Entries are keyed by hash and extension: the same bytes named .pdf and .html read differently. */
const keyOf = (name: string, hash: string) => `${hash}.${extname(name).toLowerCase().slice(1)}`;
const fileOf = (dir: string, key: string) => join(dir, `${key}.${VERSION}.json`);

async function fromDisk(dir: string, key: string): Promise<Entry | undefined> {
  try {
    const parsed = EntrySchema.safeParse(JSON.parse(await readFile(fileOf(dir, key), 'utf8')));
    return parsed.success ? parsed.data : undefined; // a damaged entry is read again from the file
  } catch {
    return undefined;
  }
}

async function toDisk(dir: string, key: string, e: Entry): Promise<void> {
  const tmp = join(dir, `.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(tmp, JSON.stringify(e));
    await rename(tmp, fileOf(dir, key));
  } catch {
    await rm(tmp, { force: true }); // a cache that cannot be written only costs time
  }
}

/**
 * The text of collection file `name` (bytes `bytes`, sha256 `hash`), read in the worker or taken
 * from the cache. Throws `Unreadable` when the file cannot be indexed.
 */
export async function extractCached(
  name: string,
  bytes: Uint8Array,
  hash: string,
  opts: { cacheDir?: string } = {},
): Promise<Extracted> {
  if (!CACHED.has(extname(name).toLowerCase())) return (await readIsolated(name, bytes)).extracted!;
  const key = keyOf(name, hash);
  let entry: Entry | undefined = memory.get(key) ?? (opts.cacheDir ? await fromDisk(opts.cacheDir, key) : undefined);
  if (!entry) {
    try {
      entry = { ok: true, extracted: (await readIsolated(name, bytes)).extracted! };
    } catch (err) {
      if (!(err instanceof Unreadable)) throw err;
      entry = { ok: false, reason: err.message };
    }
    if (opts.cacheDir) await toDisk(opts.cacheDir, key, entry);
  }
  remember(key, entry);
  if (!entry.ok) throw new Unreadable(entry.reason);
  return entry.extracted as Extracted;
}

/** Forgets what is kept in memory (as a new process would): tests of the disk cache. */
export function forgetExtracted(): void {
  memory.clear();
  memoryChars = 0;
}

/** Removes the entries of files no longer in the collection (`keep`: their hashes) and of other versions. */
export async function pruneExtractCache(dir: string, keep: ReadonlySet<string>): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const [hash, , version, json] = name.split('.');
    const current = version === VERSION && json === 'json' && keep.has(hash!);
    // (Temp files of a writer that died; a live writer's are renamed within milliseconds.)
    if (!current) await rm(join(dir, name), { force: true });
  }
}
