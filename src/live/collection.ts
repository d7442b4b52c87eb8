/**
 * Adding and removing collection files while the bot runs (`/sources add`, `/sources remove`).
 * Everything is checked before anything is written: the name (a plain file name inside the
 * folder, with a collection extension), the size, the text (UTF-8 for text formats) and that
 * the file has something to quote. That last check reads, cleans and chunks the file in the
 * reading worker (src/ingest/isolate.ts), under its time and memory limits, never on the bot's
 * event loop. Files and `sources.json` are written to a temp name and
 * renamed into place, and edits run one at a time. Every refusal is one friendly line.
 * A file whose name is taken is refused unless the edit asks to replace it; a replacement is the
 * same temp-then-rename, so a reader sees the old file or the new one, never a mix.
 */
import { randomBytes } from 'node:crypto';
import { lstat, readFile, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { Unreadable } from '../ingest/extract/extracted.js';
import { readIsolated } from '../ingest/isolate.js';
import {
  SOURCE_EXTENSIONS,
  SourcesFileSchema,
  isSourceFile,
  listCollection,
  type SourcesFile,
} from '../ingest/load.js';
import { docMeta, type WebEntry } from '../ingest/web/sources-file.js';

/** A refused edit: the message is one line for the moderator. */
export class CollectionEditError extends Error {
  override name = 'CollectionEditError';
}

/** Longest file name kept: autocomplete values are limited to 100 characters. */
const MAX_NAME = 100;
/** Formats that must be UTF-8 text (the others are read by their own loaders). */
const TEXT_EXTENSIONS = ['.txt', '.md'];

const extensionList = () => SOURCE_EXTENSIONS.join(', ');

/** Formats a byte count for messages: 1.5 MB, 20 KB. */
export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${Math.round((n / (1024 * 1024)) * 10) / 10} MB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KB`;
  return `${n} bytes`;
}

/**
 * The name an uploaded file gets in the collection, or a refusal. A name with a folder in it
 * (`../../etc/passwd`, `a/b.txt`, `C:\x.txt`) is refused, not cleaned up: the sender meant a path.
 * Other odd characters become `_`.
 */
export function collectionName(raw: string): string {
  const name = raw.normalize('NFC').trim();
  if (!name) throw new CollectionEditError('The file has no name.');
  if (/[/\\]/.test(name) || name.includes('\0') || name === '..' || name === '.') {
    throw new CollectionEditError(
      `“${name.slice(0, 80)}” is a path, not a file name: upload a plain file such as report.txt.`,
    );
  }
  if (name.startsWith('.')) throw new CollectionEditError('File names cannot start with a dot.');
  const ext = extname(name).toLowerCase();
  if (!SOURCE_EXTENSIONS.includes(ext)) {
    throw new CollectionEditError(`Only ${extensionList()} files can be added (got “${name.slice(0, 80)}”).`);
  }
  let stem = name
    .slice(0, name.length - ext.length)
    .replace(/[^\p{L}\p{N}._ -]+/gu, '_')
    .replace(/\s+/g, ' ')
    .trim();
  stem = stem.slice(0, MAX_NAME - ext.length);
  if (!stem || /^[._ -]*$/.test(stem)) throw new CollectionEditError('That file name has no letters or digits in it.');
  return stem + name.slice(name.length - ext.length);
}

/** Refuses a file over the limit (checked on the declared size before downloading, and again on the bytes). */
export function checkSize(name: string, size: number, maxBytes: number): void {
  if (size > maxBytes)
    throw new CollectionEditError(
      `${name.slice(0, 100)} is ${formatBytes(size)}; the limit is ${formatBytes(maxBytes)}.`,
    );
}

/** The path of `name` inside `dir`, checked to be a direct child of it. */
function inside(dir: string, name: string): string {
  const root = resolve(dir);
  const path = resolve(root, name);
  if (dirname(path) !== root || basename(path) !== name)
    throw new CollectionEditError('That name would point outside the collection.');
  return path;
}

/** Write `data` to `path` through a temp file in the same folder (never a half-written file). */
async function writeAtomic(path: string, data: string | Uint8Array): Promise<void> {
  // The temp name has no collection extension, so neither the watcher nor a build picks it up.
  const tmp = join(dirname(path), `.upload-${process.pid}-${randomBytes(4).toString('hex')}.part`);
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

export async function readSources(dir: string): Promise<SourcesFile> {
  let raw: string;
  try {
    raw = await readFile(join(dir, 'sources.json'), 'utf8');
  } catch {
    return {};
  }
  try {
    return SourcesFileSchema.parse(JSON.parse(raw));
  } catch {
    throw new CollectionEditError('The collection’s sources.json is not valid; ask the operator to fix it first.');
  }
}

/** Checks the bytes of an upload: text formats must be UTF-8, and there must be something to quote. */
async function checkContent(name: string, bytes: Uint8Array): Promise<{ passages: number }> {
  if (bytes.length === 0) throw new CollectionEditError(`${name} is empty.`);
  if (TEXT_EXTENSIONS.includes(extname(name).toLowerCase())) {
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      throw new CollectionEditError(`${name} is not UTF-8 text; save it as UTF-8 and upload it again.`);
    }
    if (text.includes('\0')) throw new CollectionEditError(`${name} looks like a binary file, not text.`);
  }
  // Read, cleaned and chunked the way a build will, in the reading worker.
  let passages: number;
  try {
    passages = (await readIsolated(name, bytes, { check: true })).passages ?? 0;
  } catch (err) {
    const reason =
      err instanceof Unreadable ? err.message : `could not be read (${String((err as Error).message).slice(0, 120)})`;
    throw new CollectionEditError(`${name} cannot be added: it ${reason}.`);
  }
  if (passages === 0)
    throw new CollectionEditError(`${name} has no passages I could quote (no paragraphs of text found).`);
  return { passages };
}

/** A file-system failure while editing (a read-only folder, a full disk) as one line, without the path. */
function explainFsError(err: unknown): never {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (err instanceof CollectionEditError || typeof code !== 'string') throw err;
  const why: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    EROFS: 'read-only file system',
    ENOSPC: 'the disk is full',
    ENOENT: 'the folder is missing',
  };
  throw new CollectionEditError(
    `The collection folder cannot be changed (${why[code] ?? code}); ask the operator to check it.`,
  );
}

export interface AddInput {
  /** The file name as uploaded (checked by `collectionName`). */
  filename: string;
  bytes: Uint8Array;
  title?: string;
  url?: string;
  /** Replace a file of the same name (its sources.json entry is kept, with any new title/url). */
  replace?: boolean;
  /** A fetched page: when, its validators and the feed it came from (sources.json, see web/sources-file.ts). */
  web?: Pick<WebEntry, 'fetched' | 'etag' | 'lastModified' | 'from'>;
}

export interface CollectionEditor {
  readonly dir: string;
  readonly maxBytes: number;
  /** Adds (or, asked to, replaces) a file; resolves with its name in the collection. Throws CollectionEditError. */
  add(input: AddInput): Promise<{ doc: string; bytes: number; replaced: boolean }>;
  /** Removes a collection file (and its sources.json entry). Throws CollectionEditError. */
  remove(doc: string): Promise<void>;
  /** Changes sources.json in place (the follow list), in turn with the other edits. */
  editSources(change: (sources: SourcesFile) => SourcesFile): Promise<void>;
}

/** What a replacement keeps of the old entry: all of it, but a fresh fetch's web fields replace the old ones whole. */
const kept = (entry: WebEntry | undefined, input: AddInput): WebEntry | undefined =>
  entry && input.web ? docMeta(entry) : entry;

/** Limits of a server's collection (checked before anything is written). */
export interface CollectionQuota {
  maxDocs: number;
  /** Total bytes of the collection's files. */
  maxTotalBytes: number;
}

/** Refuses an addition that would take the collection past its quota (a file of the same name is replaced, not added). */
async function checkQuota(dir: string, name: string, size: number, quota: CollectionQuota): Promise<void> {
  const names = await listCollection(dir).catch(() => [] as string[]);
  const others = names.filter((n) => n !== name);
  if (others.length + 1 > quota.maxDocs)
    throw new CollectionEditError(
      `This server's collection already has ${others.length} documents, the most it can hold: remove one first.`,
    );
  let total = size;
  for (const n of others) total += (await lstat(join(dir, n)).catch(() => undefined))?.size ?? 0;
  if (total > quota.maxTotalBytes)
    throw new CollectionEditError(
      `This server's collection would take ${formatBytes(total)}, over its limit of ${formatBytes(quota.maxTotalBytes)}: remove documents first.`,
    );
}

export function collectionEditor(dir: string, maxBytes: number, quota?: CollectionQuota): CollectionEditor {
  let chain: Promise<unknown> = Promise.resolve();
  // One edit at a time: sources.json is read, changed and written back.
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const guarded = () => fn().catch(explainFsError);
    const run = chain.then(guarded, guarded);
    chain = run.catch(() => undefined);
    return run;
  };

  return {
    dir,
    maxBytes,
    add: (input) =>
      serial(async () => {
        const name = collectionName(input.filename);
        const path = inside(dir, name);
        checkSize(name, input.bytes.length, maxBytes);
        const meta: WebEntry = {};
        if (input.title?.trim()) meta.title = input.title.trim();
        if (input.url?.trim()) meta.url = input.url.trim();
        if (input.web) Object.assign(meta, JSON.parse(JSON.stringify(input.web)));
        const checked = SourcesFileSchema.safeParse({ [name]: meta });
        if (!checked.success || (meta.url && !/^https?:\/\//i.test(meta.url))) {
          const field = checked.success ? 'url' : String(checked.error.issues[0]?.path[1] ?? 'value');
          throw new CollectionEditError(
            field === 'url'
              ? 'The url must be a full web address such as https://example.org/page.'
              : `The ${field} is not valid (at most 300 characters).`,
          );
        }
        const sources = await readSources(dir);
        const present = await lstat(path).catch(() => undefined);
        if (present?.isDirectory())
          throw new CollectionEditError(
            `${name} is a folder in the collection, not a document; upload the file under another name.`,
          );
        if (present && !input.replace) {
          throw new CollectionEditError(
            `A document named ${name} is already in the collection: add it again with replace:true to replace it, or upload it under another name.`,
          );
        }
        if (quota) await checkQuota(dir, name, input.bytes.length, quota);
        await checkContent(name, input.bytes);
        await writeAtomic(path, input.bytes);
        // The file first, then its metadata: sources.json never names a file that is not there.
        // A replacement keeps what sources.json said of the old file unless told otherwise.
        if (Object.keys(meta).length)
          await writeAtomic(
            join(dir, 'sources.json'),
            JSON.stringify({ ...sources, [name]: { ...(present && kept(sources[name], input)), ...meta } }, null, 2) +
              '\n',
          );
        return { doc: name, bytes: input.bytes.length, replaced: !!present };
      }),
    remove: (doc) =>
      serial(async () => {
        // Only a name the collection lists: never a path built from what the user typed.
        const names = await listCollection(dir).catch(() => [] as string[]);
        if (!isSourceFile(doc) || !names.includes(doc))
          throw new CollectionEditError(`No file named ${doc.slice(0, 100)} in the collection.`);
        const sources = await readSources(dir);
        if (doc in sources) {
          const { [doc]: _gone, ...rest } = sources;
          await writeAtomic(join(dir, 'sources.json'), JSON.stringify(rest, null, 2) + '\n');
        }
        await unlink(inside(dir, doc));
      }),
    editSources: (change) =>
      serial(async () => {
        const next = SourcesFileSchema.parse(change(await readSources(dir)));
        await writeAtomic(join(dir, 'sources.json'), JSON.stringify(next, null, 2) + '\n');
      }),
  };
}
