/**
 * A server's engine answers from two collections, each its own index: the base (shared) and the
 * server's own. One ranking over both; results say which collection they come from; names are
 * per collection; with the base left out, the server's own documents answer exactly as the same
 * documents do as a collection of their own.
 */
import { copyFile, cp, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { compositeEngine } from '../src/engine/composite.js';
import { createEngine } from '../src/engine/create.js';
import { parseStatsData, statsData, statsJson } from '../src/retrieve/stats.js';
import { openEngine, type OpenedEngine } from '../src/engine/open.js';
import type { Answer } from '../src/core/types.js';
import { readEvalSet } from '../src/eval/eval.js';
import { REPO, SEEDS, copyCollection, tempDir } from './helpers/tmp-collection.js';

const C = join(REPO, 'test', 'fixtures', 'collection-c');
let root: string;
let base: OpenedEngine;
let server: OpenedEngine;
let seeds: OpenedEngine;
let seedsAsServer: OpenedEngine;

/** An answer without its timing and without the collection its citations are tagged with. */
const said = (a: Answer) => ({
  answered: a.answered,
  answer: a.answer,
  citations: a.citations.map(({ collection: _c, ...c }) => c),
  closest: a.closest.map(({ collection: _c, ...c }) => c),
});

beforeAll(async () => {
  root = await tempDir('quotebot-composite-');
  const serverDocs = join(root, 'server-docs');
  await mkdir(serverDocs);
  for (const f of ['c3_wildfire_budget.txt', 'c4_chess_upset.txt']) await copyFile(join(C, f), join(serverDocs, f));
  // A document of the same name as one of the base's: a different document.
  await writeFile(
    join(serverDocs, 'shared-name.txt'),
    'Harbour notes\n\nThe harbour board agreed on Friday to repaint the old lighthouse before the first winter storm.\n',
  );
  const baseDocs = await copyCollection(SEEDS);
  await writeFile(
    join(baseDocs.corpus, 'shared-name.txt'),
    'Orchard notes\n\nThe orchard cooperative said its apple harvest was the largest since the valley was first planted.\n',
  );
  const opts = { embedder: 'use-lite' };
  base = await openEngine({ ...opts, corpusDir: baseDocs.corpus, indexDir: join(root, 'base-index') });
  server = await openEngine({ ...opts, corpusDir: serverDocs, indexDir: join(root, 'server-index') });
  const seedsCopy = join(root, 'seeds-copy');
  await cp(SEEDS, seedsCopy, { recursive: true });
  seeds = await openEngine({ ...opts, corpusDir: SEEDS, indexDir: join(root, 'seeds-index') });
  seedsAsServer = await openEngine({ ...opts, corpusDir: seedsCopy, indexDir: join(root, 'seeds-server-index') });
}, 300_000);

afterAll(() => rm(root, { recursive: true, force: true }));

describe('a server engine over the base and the server’s own documents', () => {
  test('ranks both collections together and tags every citation with its collection', async () => {
    const engine = compositeEngine([
      { engine: server, collection: 'server' },
      { engine: base, collection: 'base' },
    ]);
    const fire = await engine.ask('How much damage did the Cedar Ridge fire cause?');
    expect(fire.answered).toBe(true);
    expect(fire.citations[0]).toMatchObject({ doc: 'c3_wildfire_budget.txt', collection: 'server' });
    const lavrov = await engine.ask('what did Lavrov demand');
    expect(lavrov.citations[0]?.collection).toBe('base');
    expect(lavrov.citations[0]?.quote).toContain('precise, hard guarantees');
    // Every quote is a slice of the text of its own collection's document.
    for (const c of [...fire.citations, ...lavrov.citations])
      expect(engine.documentText(c.doc, c.collection)!.text.slice(c.start, c.end)).toBe(c.quote);
  });

  test('names are per collection: the base’s and the server’s document of one name are two documents', async () => {
    const engine = compositeEngine([
      { engine: server, collection: 'server' },
      { engine: base, collection: 'base' },
    ]);
    const named = engine.documents().filter((d) => d.doc === 'shared-name.txt');
    expect(named.map((d) => d.collection).sort()).toEqual(['base', 'server']);
    expect(engine.documentText('shared-name.txt', 'server')!.text).toContain('lighthouse');
    expect(engine.documentText('shared-name.txt', 'base')!.text).toContain('orchard');
    expect(engine.documentText('base:shared-name.txt')!.text).toContain('orchard');
    // Unqualified, the server's own is found first.
    expect(engine.document('shared-name.txt')?.collection).toBe('server');
    const orchard = await engine.ask('What did the orchard cooperative say about its apple harvest?');
    expect(orchard.citations[0]).toMatchObject({ doc: 'shared-name.txt', collection: 'base' });
    const lighthouse = await engine.ask('What will the harbour board repaint?');
    expect(lighthouse.citations[0]).toMatchObject({ doc: 'shared-name.txt', collection: 'server' });
    // A span of one is no quote of the other.
    const c = lighthouse.citations[0]!;
    expect(engine.context(c.doc, c.start, c.end, 'server')?.quote).toBe(c.quote);
    expect(engine.context(c.doc, c.start, c.end, 'base')?.quote).not.toBe(c.quote);
  });

  test('statistics stored beside a generation are exactly those computed from it, and answer the same', async () => {
    const index = seeds.index;
    const computed = statsData(index);
    const stored = parseStatsData(statsJson(computed), index);
    expect(stored).toEqual(computed);
    // Of another version, or of another index: not used.
    expect(parseStatsData(statsJson(computed).replace('"version":', '"version":9'), index)).toBeUndefined();
    expect(parseStatsData(statsJson(computed), server.index)).toBeUndefined();
    const fromStored = createEngine({ ...index, stats: statsJson(computed) }, seeds.embedder, seeds.policy);
    const questions = (await readEvalSet(join(REPO, 'eval', 'dev.jsonl'))).map((i) => i.q);
    expect((await fromStored.askMany(questions)).map(said)).toEqual((await seeds.askMany(questions)).map(said));
  });

  test('a plain engine is the base: a lookup that names the server’s collection finds nothing', () => {
    expect(base.document('shared-name.txt')).toBeDefined();
    expect(base.document('shared-name.txt', 'server')).toBeUndefined();
    expect(base.documentText('shared-name.txt', 'server')).toBeUndefined();
  });

  test('a server that hides the base and has no documents refuses without searching', async () => {
    const empty = compositeEngine([]);
    expect(empty.documents()).toEqual([]);
    const a = await empty.ask('what did Lavrov demand');
    expect(a.answered).toBe(false);
    expect(await empty.search('Lavrov')).toEqual([]);
  });

  test('the seeds as a server’s own documents (base hidden) answer every seeds set exactly as the seeds do', async () => {
    const engine = compositeEngine([{ engine: seedsAsServer, collection: 'server' }]);
    for (const set of ['dev', 'seeds', 'proxy-seeds', 'seeds-fresh', 'focus-seeds']) {
      const questions = (await readEvalSet(join(REPO, 'eval', `${set}.jsonl`))).map((i) => i.q);
      const [a, b] = [await seeds.askMany(questions), await engine.askMany(questions)];
      expect(b.map(said)).toEqual(a.map(said));
      expect(b.some((x) => x.answered)).toBe(true);
      expect(b.flatMap((x) => x.citations).every((c) => c.collection === 'server')).toBe(true);
    }
    const [s1, s2] = [await seeds.search('missile defense', 5), await engine.search('missile defense', 5)];
    expect(s2.map(({ collection: _c, ...h }) => h)).toEqual(s1);
  }, 120_000);
});
