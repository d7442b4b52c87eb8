/**
 * The small parts of per-server collections: server ids (never a path), Sources ids that name a
 * server, GUILD_CACHE and the other settings, autocomplete values where two collections share a
 * name, and the engines cache (loaded on first use, least recently used evicted, a server with no
 * documents answered by the base without loading anything).
 */
import { cp, mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ConfigSchema, loadConfig } from '../src/core/config.js';
import { guildFromToken, guildToken, isGuildId } from '../src/core/guild.js';
import type { DocInfo } from '../src/core/types.js';
import { createEngine } from '../src/engine/create.js';
import { openEngine, type OpenedEngine } from '../src/engine/open.js';
import { buildIndex } from '../src/index/build.js';
import { readPointer } from '../src/index/generations.js';
import { guildPaths, readGuildSettings, writeGuildSettings } from '../src/index/guild-folder.js';
import { guildEngines, localGuildSource } from '../src/live/guild-engines.js';
import { atLeast } from '../src/live/guilds.js';
import { docCheck, encodeSourcesId, parseCustomId } from '../src/message/ids.js';
import { docChoices } from '../src/message/sources.js';
import { REPO, SEEDS, loadUseLiteOnce, tempDir } from './helpers/tmp-collection.js';
import { runCli } from './helpers/run-cli.js';

const A = '1579360201687957506';
const B = '1579360201687957507';

describe('server ids', () => {
  test('only Discord snowflakes are server ids; anything else never becomes a folder', () => {
    expect(isGuildId(A)).toBe(true);
    for (const bad of ['', '123', '../../etc', `${A}/x`, '1e21', ' 1579360201687957506', 12345678901234567890n])
      expect(isGuildId(bad), String(bad)).toBe(false);
    expect(() => guildPaths('/tmp/g', '../../etc')).toThrow();
    expect(guildPaths('/tmp/g', A).docs).toBe(`/tmp/g/${A}/docs`);
  });

  test('a server id survives its short form in custom ids; a short form of nothing else is read', () => {
    expect(guildFromToken(guildToken(A))).toBe(A);
    for (const bad of ['', 'ABC', '-1', 'zzzzzzzzzzzzzzzzz', '1']) expect(guildFromToken(bad), bad).toBeUndefined();
  });
});

describe('Sources ids of a server’s own documents', () => {
  test('name the server and mark its documents; round-trip within 100 characters', () => {
    const items = [
      { docIndex: 3, start: 10, end: 400, check: docCheck('x') },
      { docIndex: 0, start: 1000, end: 1400, check: docCheck('y'), collection: 'server' as const },
      { docIndex: 12, start: 5000, end: 5600, check: docCheck('z'), collection: 'server' as const },
    ];
    const id = encodeSourcesId(items, A);
    expect(id).toMatch(/^src2:[0-9a-z]+:/);
    expect(id.length).toBeLessThanOrEqual(100);
    expect(parseCustomId(id)).toEqual({ kind: 'sources', items, guild: A });
    // Without a server (a DM), a server's documents cannot be named: they are left out.
    expect(parseCustomId(encodeSourcesId(items, null))).toEqual({ kind: 'sources', items: [items[0]] });
    // A base document counted past 1,000 (its index starts with a letter) is never taken for a server's.
    const far = { docIndex: 36 * 36 * 28, start: 1, end: 2, check: 'abc' };
    expect(parseCustomId(encodeSourcesId([far, items[1]!], A))).toEqual({
      kind: 'sources',
      items: [far, items[1]],
      guild: A,
    });
    // Only base documents: the older form, which older buttons used too.
    expect(encodeSourcesId([items[0]!], A)).toMatch(/^src1:/);
  });

  test('malformed server forms are refused', () => {
    for (const bad of [
      'src2:',
      'src2::1.2.3.abc',
      `src2:${guildToken(A)}:__1.2.3.abc`,
      'src2:ABC:1.2.3.abc',
      'src2:1:_1.2.3.abc',
    ])
      expect(parseCustomId(bad), bad).toBeNull();
  });
});

describe('settings', () => {
  test('GUILD_CACHE is a count or megabytes; the limits have defaults; a bad value is one line naming it', () => {
    const c = loadConfig({});
    expect(c.GUILDS_DIR).toBe('guilds');
    expect(c.GUILD_CACHE).toEqual({ engines: 200 });
    expect([c.GUILD_MAX_DOCS, c.GUILD_MAX_MB, c.GUILD_EDITS_PER_HOUR]).toEqual([500, 100, 60]);
    expect(loadConfig({ GUILD_CACHE: '300MB' }).GUILD_CACHE).toEqual({ bytes: 300 * 1024 * 1024 });
    expect(loadConfig({ GUILD_CACHE: '50' }).GUILD_CACHE).toEqual({ engines: 50 });
    expect(() => loadConfig({ GUILD_CACHE: 'lots' })).toThrow(/^Bad setting GUILD_CACHE: must be a count/);
    expect(ConfigSchema.safeParse({ GUILD_MAX_DOCS: '0' }).success).toBe(false);
  });

  test('a server’s settings are written whole and read back; a missing or broken file means the defaults', async () => {
    const dir = await tempDir('quotebot-settings-');
    try {
      expect(await readGuildSettings(dir, A)).toEqual({ base: true });
      await writeGuildSettings(dir, A, { base: false });
      expect(await readGuildSettings(dir, A)).toEqual({ base: false });
      expect(await readGuildSettings(dir, B)).toEqual({ base: true });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

test('autocomplete values name the collection only where two documents share a name; a server’s own are marked', () => {
  const doc = (d: string, collection?: 'base' | 'server'): DocInfo => ({
    doc: d,
    title: d.toUpperCase(),
    passages: 1,
    words: 10,
    collection,
  });
  const choices = docChoices([doc('a.txt', 'server'), doc('a.txt', 'base'), doc('b.txt', 'base')], '');
  expect(choices.map((c) => c.value)).toEqual(['server:a.txt', 'base:a.txt', 'b.txt']);
  expect(choices[0]!.name).toMatch(/this server's own$/);
  expect(choices[1]!.name).not.toMatch(/this server/);
});

test('generations compare by age, local names and the store’s numbers alike', () => {
  expect(atLeast('gen-mabc1234-00000000', 'gen-mabc1234-00000000')).toBe(true);
  expect(atLeast('gen-mabc1235-00000000', 'gen-mabc1234-ffffffff')).toBe(true);
  expect(atLeast('gen-mabc1233-00000000', 'gen-mabc1234-00000000')).toBe(false);
  expect(atLeast('10', '9')).toBe(true);
  expect(atLeast(undefined, '9')).toBe(false);
});

describe('the engines cache', () => {
  let root: string;
  let base: OpenedEngine;
  const guilds = ['1579360201687957510', '1579360201687957511', '1579360201687957512'];

  beforeAll(async () => {
    root = await tempDir('quotebot-cache-');
    base = await openEngine({ corpusDir: SEEDS, indexDir: join(root, 'base'), embedder: 'use-lite' });
    const C = join(REPO, 'test', 'fixtures', 'collection-c');
    for (const g of guilds) {
      const { docs, index } = guildPaths(join(root, 'guilds'), g);
      await mkdir(docs, { recursive: true });
      await cp(join(C, 'c2_chariot_burial.txt'), join(docs, 'c2.txt'));
      await buildIndex({ corpusDir: docs, indexDir: index, embedder: await loadUseLiteOnce() });
    }
  }, 120_000);
  afterAll(() => rm(root, { recursive: true, force: true }));

  test('servers load on first use; the least recently used is evicted and loads again when asked; one without documents loads nothing', async () => {
    const loads: string[] = [];
    const source = localGuildSource(join(root, 'guilds'));
    const engines = guildEngines({
      source: {
        probe: source.probe,
        load: (g) => {
          loads.push(g);
          return source.load(g);
        },
      },
      base: () => base,
      baseEngine: base,
      open: (index) => createEngine(index, base.embedder, base.policy),
      limit: { engines: 2 },
      checkMs: 60_000,
    });
    const q = 'Roughly how old is the chariot grave found in Yorkshire?';
    for (const g of guilds) expect((await (await engines.engineFor(g)).ask(q)).citations[0]?.doc).toBe('c2.txt');
    expect(loads).toEqual(guilds);
    expect(engines.stats().loaded).toBe(2);
    await engines.engineFor(guilds[2]); // still cached: no load
    expect(loads).toHaveLength(3);
    await engines.engineFor(guilds[0]); // evicted: loaded again
    expect(loads).toEqual([...guilds, guilds[0]]);
    expect(engines.stats().bytes).toBeGreaterThan(0);
    // A server with nothing of its own, or a DM: the base engine itself.
    expect(await engines.engineFor('1579360201687957599')).toBe(base);
    expect(await engines.engineFor(null)).toBe(base);
    expect(await engines.engineFor('../etc')).toBe(base);
    expect(loads).toHaveLength(4);
  }, 60_000);

  test('npm run index -- --guild ID builds a server’s collection from files moved into its folder, statistics stored', async () => {
    const g = '1579360201687957520';
    const { docs, index } = guildPaths(join(root, 'guilds'), g);
    await mkdir(docs, { recursive: true });
    await cp(join(REPO, 'test', 'fixtures', 'collection-c', 'c3_wildfire_budget.txt'), join(docs, 'fire.txt'));
    const env = { GUILDS_DIR: join(root, 'guilds'), INDEX_DIR: join(root, 'base'), CORPUS_DIR: SEEDS };
    const r = await runCli('build-index', ['--guild', g], { cwd: REPO, env, timeoutMs: 120_000 });
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(new RegExp(`^Indexed 1 documents of server ${g}: \\d+ passages`));
    const { generation } = (await readPointer(index))!;
    expect(await readFile(join(index, generation, 'stats.json'), 'utf8')).toMatch(/^\{"version":/);
    const bad = await runCli('build-index', ['--guild', '../../etc'], { cwd: REPO, env });
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe('--guild takes a server id (a Discord snowflake, digits only).');
  }, 180_000);
});
