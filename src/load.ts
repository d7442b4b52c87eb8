import { createHash } from 'node:crypto';
import type { Dirent } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { z } from 'zod';
import type { Document, SourceMeta } from './types.js';

/** A problem with the collection itself: one clear line for the user. */
export class CorpusError extends Error {
  override name = 'CorpusError';
}

/** The file extensions the collection reads (lower case, with the dot); uploads are checked against these too. */
export const SOURCE_EXTENSIONS: readonly string[] = ['.txt', '.md'];

/** True for a file name the collection reads (by extension). */
export function isSourceFile(name: string): boolean {
  return SOURCE_EXTENSIONS.includes(extname(name).toLowerCase());
}

const SourceMetaSchema = z
  .object({
    title: z.string().trim().min(1).max(300).optional(),
    outlet: z.string().trim().min(1).max(200).optional(),
    url: z.string().url().optional(),
    published: z
      .string()
      .refine((s) => !Number.isNaN(Date.parse(s)), 'must be a date such as 2024-05-31')
      .optional(),
  })
  .strict();

export const SourcesFileSchema = z.record(z.string(), SourceMetaSchema);

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
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
    if (e.isSymbolicLink() && (await stat(join(dir, e.name)).then((s) => s.isDirectory(), () => false))) continue;
    names.push(e.name);
  }
  // The same order everywhere (index, manifest, staleness check), whatever the file system returns.
  return names.sort();
}

/** Reads every .txt/.md file of the collection, plus the optional `sources.json` metadata. */
export async function loadCollection(dir: string): Promise<Document[]> {
  const names = await listCollection(dir);
  if (names.length === 0) throw new CorpusError(`Collection folder ${dir} has no .txt or .md files.`);
  const meta = await loadSourcesFile(dir, names);
  const docs: Document[] = [];
  for (const id of names) {
    const path = join(dir, id);
    let text: string;
    try {
      if (!(await stat(path)).isFile()) continue;
      text = await readFile(path, 'utf8');
    } catch {
      throw new CorpusError(`Collection file ${id} cannot be read.`);
    }
    // A byte-order mark stays: quotes are slices of the file exactly as any reader sees it
    // (cleaning treats it as white space, so it is never quoted).
    docs.push({ id, text, hash: sha256(text), meta: meta[id] ?? {} });
  }
  return docs;
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
  for (const file of Object.keys(parsed.data)) {
    if (!names.includes(file)) throw new CorpusError(`sources.json names ${file}, which is not in the collection.`);
  }
  return parsed.data;
}
