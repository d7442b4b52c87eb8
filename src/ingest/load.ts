import { createHash } from 'node:crypto';
import type { Dirent } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { z } from 'zod';
import { EXTRACTORS } from './extract/extract.js';
import { extractCached, pruneExtractCache } from './extract-cache.js';
import { Unreadable } from './extract/extracted.js';
import type { Document, SourceMeta } from '../core/types.js';
import { docMeta, FOLLOW_KEY, FollowListSchema, WebFields } from './web/sources-file.js';

/** A problem with the collection itself: one clear line for the user. */
export class CorpusError extends Error {
  override name = 'CorpusError';
}

/** The file extensions the collection reads (lower case, with the dot); uploads are checked against these too. */
export const SOURCE_EXTENSIONS: readonly string[] = Object.keys(EXTRACTORS);

/** True for a file name the collection reads (by extension). */
export function isSourceFile(name: string): boolean {
  return SOURCE_EXTENSIONS.includes(extname(name).toLowerCase());
}

/** Larger files are skipped unread: no document worth quoting needs more, and reading one would stall a build. */
export const MAX_FILE_BYTES = 100 * 1024 * 1024;

/** A file of the collection that is not indexed, and why ("is password-protected"). */
export interface SkippedFile {
  id: string;
  /** The file's version as `readSource` names it: a changed file is tried again. */
  version: string;
  reason: string;
}

/** The one line a skipped file gets. */
export const skipNotice = (s: SkippedFile) => `Skipped ${s.id}: it ${s.reason}.`;

const SourceMetaSchema = z
  .object({
    title: z.string().trim().min(1).max(300).optional(),
    outlet: z.string().trim().min(1).max(200).optional(),
    url: z.string().url().optional(),
    published: z
      .string()
      .refine((s) => !Number.isNaN(Date.parse(s)), 'must be a date such as 2024-05-31')
      .optional(),
    ...WebFields,
  })
  .strict();

/** File name → metadata; `follow` (web sources, see web/sources-file.ts) is the one key that is not a file. */
export const SourcesFileSchema = z.object({ [FOLLOW_KEY]: FollowListSchema.optional() }).catchall(SourceMetaSchema);
export type SourcesFile = z.infer<typeof SourcesFileSchema>;

export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * Reads one collection file. Its version is the sha256 of its bytes: the index records it and
 * the staleness check compares it, both through this function. A file too big is not read
 * (its size and time stand for its version); one that cannot be read has a problem instead of bytes.
 */
export async function readSource(path: string): Promise<{ version: string; bytes?: Buffer; problem?: string }> {
  try {
    const st = await stat(path);
    if (st.size > MAX_FILE_BYTES) {
      const mb = (n: number) => Math.round(n / 2 ** 20);
      return {
        version: `size:${st.size}:${Math.round(st.mtimeMs)}`,
        problem: `is ${mb(st.size)} MB, over the ${mb(MAX_FILE_BYTES)} MB limit`,
      };
    }
    const bytes = await readFile(path);
    return { version: sha256(bytes), bytes };
  } catch {
    return { version: 'unreadable', problem: 'cannot be read' };
  }
}

/** The collection's file names (sorted), without reading them. */
export async function listCollection(dir: string): Promise<string[]> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    throw new CorpusError(`Collection folder ${dir} cannot be read: does it exist?`);
  }
  const names: string[] = [];
  for (const e of entries) {
    if (!isSourceFile(e.name) || e.isDirectory()) continue;
    // A link to a folder is skipped like a folder; a broken link stays listed (reading it is an error).
    if (
      e.isSymbolicLink() &&
      (await stat(join(dir, e.name)).then(
        (s) => s.isDirectory(),
        () => false,
      ))
    )
      continue;
    names.push(e.name);
  }
  // The same order everywhere (index, manifest, staleness check), whatever the file system returns.
  return names.sort();
}

/** Where read HTML pages and PDFs are kept between builds (see extract-cache.ts). */
export interface ReadOptions {
  cacheDir?: string;
}

/** The collection's documents (see `readCollection`); files that cannot be indexed are left out. */
export async function loadCollection(dir: string): Promise<Document[]> {
  return (await readCollection(dir)).docs;
}

/**
 * Reads every collection file (.txt, .md, .html, .htm, .pdf), extracting the text of pages and
 * PDFs, plus the optional `sources.json` metadata, which wins over what a page says of itself.
 * A file that cannot be indexed (unreadable, too big, damaged, binary, no text, past a limit of
 * extract/caps.ts) is skipped with its reason; a collection with nothing to index is a CorpusError.
 * Files are read in a worker (isolate.ts); with `cacheDir`, pages and PDFs read before are not read again.
 */
export async function readCollection(
  dir: string,
  opts: ReadOptions = {},
): Promise<{ docs: Document[]; skipped: SkippedFile[] }> {
  const names = await listCollection(dir);
  if (names.length === 0)
    throw new CorpusError(`Collection folder ${dir} has no ${SOURCE_EXTENSIONS.join(', ')} files.`);
  const meta = await loadSourcesFile(dir, names);
  const docs: Document[] = [];
  const skipped: SkippedFile[] = [];
  for (const id of names) {
    const path = join(dir, id);
    if (
      await stat(path).then(
        (s) => !s.isFile(),
        () => false,
      )
    )
      continue;
    const read = await readDocument(path, id, meta[id], opts);
    if ('reason' in read) skipped.push(read);
    else docs.push(read);
  }
  if (opts.cacheDir)
    await pruneExtractCache(opts.cacheDir, new Set([...docs.map((d) => d.hash), ...skipped.map((s) => s.version)]));
  if (docs.length === 0)
    throw new CorpusError(
      `Collection folder ${dir} has nothing to index: ${skipped.map(skipNotice).join(' ')}`.slice(0, 500),
    );
  return { docs, skipped };
}

/**
 * One collection file as a Document (text extracted, metadata from the file and then from
 * `sources.json`), or the reason it cannot be indexed.
 */
export async function readDocument(
  path: string,
  id: string,
  meta: SourceMeta = {},
  opts: ReadOptions = {},
): Promise<Document | SkippedFile> {
  const { version, bytes, problem } = await readSource(path);
  if (!bytes) return { id, version, reason: problem! };
  try {
    const { text, format, meta: own, pages, skip } = await extractCached(id, bytes, version, opts);
    // A byte-order mark stays: quotes are slices of the text exactly as any reader sees it
    // (cleaning treats it as white space, so it is never quoted).
    return {
      id,
      text,
      hash: version,
      meta: { ...own, ...meta },
      format,
      ...(pages && { pages }),
      ...(skip && { skip }),
    };
  } catch (err) {
    // A library's own failure on an odd file skips that file too: the rest of the collection is indexed.
    const reason =
      err instanceof Unreadable
        ? err.message
        : `could not be read (${String(err instanceof Error ? err.message : err)
            .split('\n')[0]!
            .slice(0, 120)})`;
    return { id, version, reason };
  }
}

async function loadSourcesFile(dir: string, names: string[]): Promise<Record<string, SourceMeta>> {
  let raw: string;
  try {
    raw = await readFile(join(dir, 'sources.json'), 'utf8');
  } catch {
    return {};
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new CorpusError('sources.json is not valid JSON.');
  }
  const parsed = SourcesFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new CorpusError(`sources.json: ${issue.path.join('.') || '(top level)'}: ${issue.message}.`);
  }
  const { [FOLLOW_KEY]: _follow, ...files } = parsed.data;
  for (const file of Object.keys(files)) {
    if (!names.includes(file)) throw new CorpusError(`sources.json names ${file}, which is not in the collection.`);
  }
  return Object.fromEntries(Object.entries(files).map(([file, entry]) => [file, docMeta(entry)]));
}
