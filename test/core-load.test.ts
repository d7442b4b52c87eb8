import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CorpusError, listCollection, loadCollection, readCollection, sha256, skipNotice } from '../src/ingest/load.js';
import { COLLECTION_B, tempDir } from './helpers/tmp-collection.js';

let dir: string;

beforeEach(async () => {
  dir = await tempDir('quotebot-load-');
  await writeFile(path.join(dir, 'a.txt'), 'Alpha article text. It has two sentences.\n');
  await writeFile(path.join(dir, 'b.md'), '# Beta\n\nBeta body text here.\n');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The CorpusError a promise rejects with (fails the test when it resolves or throws something else). */
async function corpusError(p: Promise<unknown>): Promise<CorpusError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CorpusError);
  const message = (err as Error).message;
  expect(message.length).toBeGreaterThan(10);
  expect(message).not.toContain('\n');
  return err as CorpusError;
}

describe('loadCollection', () => {
  it('loads .txt and .md files (sorted), ignores other files and folders', async () => {
    await writeFile(path.join(dir, 'notes.json'), '{}');
    await writeFile(path.join(dir, 'image.png'), 'not text');
    await writeFile(path.join(dir, 'README'), 'no extension');
    await writeFile(path.join(dir, 'C.TXT'), 'Upper-case extension counts too.');
    await mkdir(path.join(dir, 'sub'));
    await writeFile(path.join(dir, 'sub', 'nested.txt'), 'Nested files are not part of the collection.');
    const docs = await loadCollection(dir);
    expect(docs.map((d) => d.id)).toEqual(['C.TXT', 'a.txt', 'b.md']);
    const a = docs.find((d) => d.id === 'a.txt')!;
    expect(a.text).toBe('Alpha article text. It has two sentences.\n');
    expect(a.hash).toBe(sha256(a.text));
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(a.meta).toEqual({});
  });

  it('keeps a byte-order mark, so offsets match the raw file, and never quotes it', async () => {
    await writeFile(path.join(dir, 'a.txt'), '\uFEFFAlpha article text. It has two sentences.\n');
    const [a] = await loadCollection(dir);
    expect(a!.text.charCodeAt(0)).toBe(0xfeff);
    const { cleanDocument } = await import('../src/ingest/clean/clean.js');
    const para = cleanDocument(a!).paragraphs[0]!;
    expect(a!.text.slice(para.start, para.end)).toBe('Alpha article text. It has two sentences.');
  });

  it('a folder without collection files, or a missing folder, is a CorpusError', async () => {
    const empty = path.join(dir, 'empty');
    await mkdir(empty);
    await writeFile(path.join(empty, 'x.json'), '{}');
    expect((await corpusError(loadCollection(empty))).message).toMatch(/has no \.txt, \.md, .*\.pdf files/);
    expect((await corpusError(loadCollection(path.join(dir, 'missing')))).message).toMatch(/cannot be read/);
    await expect(listCollection(path.join(dir, 'missing'))).rejects.toBeInstanceOf(CorpusError);
  });

  it('a directory named like a text file is skipped by listing and loading alike', async () => {
    await mkdir(path.join(dir, 'folder.txt'));
    await symlink(path.join(dir, 'folder.txt'), path.join(dir, 'link-to-folder.md'));
    const docs = await loadCollection(dir);
    expect(docs.map((d) => d.id)).toEqual(['a.txt', 'b.md']);
    // The staleness check lists the collection: it must see the same files the index holds.
    expect(await listCollection(dir)).toEqual(['a.txt', 'b.md']);
  });

  it('a listed file that cannot be read (deleted, broken link) is skipped with its reason; the rest loads', async () => {
    await symlink(path.join(dir, 'gone.txt'), path.join(dir, 'c.txt'));
    expect(await listCollection(dir)).toEqual(['a.txt', 'b.md', 'c.txt']);
    const { docs, skipped } = await readCollection(dir);
    expect(docs.map((d) => d.id)).toEqual(['a.txt', 'b.md']);
    expect(skipped.map(skipNotice)).toEqual(['Skipped c.txt: it cannot be read.']);
  });
});

describe('sources.json', () => {
  it('attaches title, outlet, url and published to the named files', async () => {
    await writeFile(
      path.join(dir, 'sources.json'),
      JSON.stringify({
        'a.txt': { title: 'Alpha', outlet: 'The Daily', url: 'https://example.com/a', published: '2024-05-31' },
      }),
    );
    const docs = await loadCollection(dir);
    expect(docs.find((d) => d.id === 'a.txt')!.meta).toEqual({
      title: 'Alpha',
      outlet: 'The Daily',
      url: 'https://example.com/a',
      published: '2024-05-31',
    });
    expect(docs.find((d) => d.id === 'b.md')!.meta).toEqual({});
  });

  it('collection-b fixture loads with its metadata', async () => {
    const docs = await loadCollection(COLLECTION_B);
    expect(docs).toHaveLength(5);
    expect(docs.find((d) => d.id === 'b1_water.txt')!.meta.outlet).toBe('Port Alder Courier');
    expect(docs.find((d) => d.id === 'b3_battery.txt')!.meta).toEqual({});
  });

  it('an unknown file is a clear one-line error naming it', async () => {
    await writeFile(path.join(dir, 'sources.json'), JSON.stringify({ 'ghost.txt': { title: 'Ghost' } }));
    const err = await corpusError(loadCollection(dir));
    expect(err.message).toContain('ghost.txt');
    expect(err.message).toMatch(/not in the collection/);
  });

  it('a bad url is a clear one-line error naming the file and field', async () => {
    await writeFile(path.join(dir, 'sources.json'), JSON.stringify({ 'a.txt': { url: 'not a url' } }));
    const err = await corpusError(loadCollection(dir));
    expect(err.message).toContain('sources.json');
    expect(err.message).toContain('a.txt');
    expect(err.message).toContain('url');
  });

  it('a bad date, an empty title and an unknown field are errors too', async () => {
    await writeFile(path.join(dir, 'sources.json'), JSON.stringify({ 'a.txt': { published: 'last Tuesday' } }));
    expect((await corpusError(loadCollection(dir))).message).toContain('published');
    await writeFile(path.join(dir, 'sources.json'), JSON.stringify({ 'a.txt': { title: '   ' } }));
    expect((await corpusError(loadCollection(dir))).message).toContain('title');
    await writeFile(path.join(dir, 'sources.json'), JSON.stringify({ 'a.txt': { author: 'Someone' } }));
    expect((await corpusError(loadCollection(dir))).message).toMatch(/author|unrecognized|unknown/i);
  });

  it('a top-level array or a non-object entry is an error', async () => {
    await writeFile(path.join(dir, 'sources.json'), JSON.stringify([{ title: 'x' }]));
    await corpusError(loadCollection(dir));
    await writeFile(path.join(dir, 'sources.json'), JSON.stringify({ 'a.txt': 'Alpha' }));
    expect((await corpusError(loadCollection(dir))).message).toContain('a.txt');
  });

  it('invalid JSON is a clear one-line error', async () => {
    await writeFile(path.join(dir, 'sources.json'), '{ "a.txt": { "title": "Alpha", }\n');
    const err = await corpusError(loadCollection(dir));
    expect(err.message).toBe('sources.json is not valid JSON.');
  });

  it('sources.json itself is not a collection file', async () => {
    await writeFile(path.join(dir, 'sources.json'), '{}');
    expect((await loadCollection(dir)).map((d) => d.id)).toEqual(['a.txt', 'b.md']);
  });
});
