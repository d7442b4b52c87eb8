/**
 * The engines of servers' own collections, loaded on first use and kept in a least-recently-used
 * cache (`GUILD_CACHE`: a count of engines, or their estimated size), so one process can serve
 * thousands of servers with bounded memory. A server's engine is composite.ts over its own index
 * and the base (unless the server hides it); a server with no documents of its own that shows
 * the base gets the base engine itself, without loading anything. A cached server's generation
 * and settings are looked at again when used after `checkMs`, so an edit made through any process
 * is answered from within that time; `refresh` looks at once (after an edit).
 */
import { LRUCache } from 'lru-cache';
import type { CacheLimit } from '../core/config.js';
import { isGuildId } from '../core/guild.js';
import type { Logger } from '../core/log.js';
import type { Engine } from '../core/types.js';
import { compositeEngine, type CollectionPart } from '../engine/composite.js';
import { type FullEngine } from '../engine/create.js';
import { DEFAULT_SETTINGS, guildPaths, readGuildSettings, type GuildSettings } from '../index/guild-folder.js';
import { readPointer } from '../index/generations.js';
import { readIndex } from '../index/read.js';
import type { LoadedIndex } from '../index/types.js';

/** Where servers' collections are read from (local folders or the shared store). */
export interface GuildSource {
  /** The server's current generation (undefined: no index) and settings; cheap, called often. */
  probe(guild: string): Promise<{ version?: string; settings: GuildSettings }>;
  load(guild: string): Promise<LoadedIndex>;
}

export interface GuildEnginesOptions {
  source: GuildSource;
  /** The base engine answering now, fixed (for a server's composite engine). */
  base: () => FullEngine;
  /** The base engine as DMs and servers without documents use it. */
  baseEngine: Engine;
  /** An engine over a server's index (the base's embedder and policy). */
  open: (index: LoadedIndex) => FullEngine;
  limit: CacheLimit;
  /** A cached server is looked at again when used this long after the last look (ms). */
  checkMs: number;
  log?: Logger;
}

export interface GuildEngines {
  /** The engine that answers in a server (null: a DM, the base alone). */
  engineFor(guild: string | null | undefined): Promise<Engine>;
  /** Looks at a server's generation and settings now; resolves with the generation answered from. */
  refresh(guild: string): Promise<string | undefined>;
  /** Servers whose engines are loaded, and their estimated bytes. */
  stats(): { loaded: number; bytes: number };
}

interface Entry {
  version?: string;
  settings: GuildSettings;
  /** The server's own documents (absent: it has none). */
  engine?: FullEngine;
  checkedAt: number;
  bytes: number;
  /** The server's composite engine, kept while the base engine it was made with answers. */
  composite?: { base?: FullEngine; engine: Engine };
}

/**
 * Estimated memory of a server's engine, for GUILD_CACHE given in MB: its vectors, and per sentence
 * what its statistics and lexical index hold (measured: about 2 MB for 200 sentences of 512 dims).
 */
export function estimateBytes(index: LoadedIndex): number {
  const text = index.docs.reduce((n, d) => n + d.text.length, 0);
  return index.vectors.byteLength + index.sentences.length * 7000 + text * 4 + 65_536;
}

export function guildEngines(opts: GuildEnginesOptions): GuildEngines {
  const cache = new LRUCache<string, Entry>(
    'engines' in opts.limit
      ? { max: opts.limit.engines }
      : { maxSize: opts.limit.bytes, sizeCalculation: (e) => Math.max(1, e.bytes) },
  );
  const pending = new Map<string, Promise<Entry>>();

  /**
   * Probes the server and loads its index when the generation changed; a failed load keeps what
   * was there. Looks at one server run one at a time; `fresh` waits for one under way and looks again
   * (it may have read the store before an edit that must be seen).
   */
  const look = (guild: string, fresh = false): Promise<Entry> => {
    let p = pending.get(guild);
    if (!p || fresh) {
      const after = p?.catch(() => undefined) ?? Promise.resolve();
      p = after.then(async () => {
        const before = cache.get(guild);
        const { version, settings } = await opts.source.probe(guild);
        const same = !!before && before.version === version;
        let engine = same ? before.engine : undefined;
        let bytes = same ? before.bytes : 0;
        if (version !== undefined && !same) {
          try {
            const index = await opts.source.load(guild);
            engine = index.docs.length ? opts.open(index) : undefined;
            bytes = estimateBytes(index);
          } catch (err) {
            opts.log?.warn('guild_load_failed', {
              guild,
              error: (err instanceof Error ? err.message : String(err)).slice(0, 300),
            });
            // Tried again at the next look: the previous engine (if any) answers meanwhile.
            const kept: Entry = before
              ? { ...before, settings, checkedAt: Date.now() }
              : { settings, checkedAt: Date.now(), bytes: 0 };
            cache.set(guild, kept);
            return kept;
          }
        }
        const entry: Entry = { version, settings, engine, bytes, checkedAt: Date.now() };
        cache.set(guild, entry);
        return entry;
      });
      const mine = p;
      pending.set(guild, mine);
      void mine.finally(() => pending.get(guild) === mine && pending.delete(guild)).catch(() => undefined);
    }
    return p;
  };

  const entryOf = async (guild: string): Promise<Entry> => {
    const cached = cache.get(guild);
    if (cached && Date.now() - cached.checkedAt < opts.checkMs) return cached;
    try {
      return await look(guild);
    } catch (err) {
      // The store cannot be read right now: answer as before, or from the base.
      opts.log?.warn('guild_probe_failed', {
        guild,
        error: (err instanceof Error ? err.message : String(err)).slice(0, 300),
      });
      return cached ?? { settings: { ...DEFAULT_SETTINGS }, checkedAt: 0, bytes: 0 };
    }
  };

  return {
    async engineFor(guild) {
      if (!isGuildId(guild)) return opts.baseEngine;
      const entry = await entryOf(guild);
      if (!entry.engine && entry.settings.base) return opts.baseEngine;
      const base = entry.settings.base ? opts.base() : undefined;
      if (entry.composite && entry.composite.base === base) return entry.composite.engine;
      const parts: CollectionPart[] = [];
      if (entry.engine) parts.push({ engine: entry.engine, collection: 'server' });
      if (base) parts.push({ engine: base, collection: 'base' });
      entry.composite = { base, engine: compositeEngine(parts) };
      return entry.composite.engine;
    },
    async refresh(guild) {
      if (!isGuildId(guild)) return undefined;
      return (await look(guild, true)).version;
    },
    stats: () => ({ loaded: cache.size, bytes: [...cache.values()].reduce((n, e) => n + e.bytes, 0) }),
  };
}

/**
 * Servers' collections in `GUILDS_DIR` (see index/guild-folder.ts). One of at most `scanMax`
 * sentences is searched exactly in memory, without its HNSW graph (as on the shared store).
 */
export function localGuildSource(guildsDir: string, scanMax = 1000): GuildSource {
  return {
    async probe(guild) {
      const paths = guildPaths(guildsDir, guild);
      const [pointer, settings] = await Promise.all([readPointer(paths.index), readGuildSettings(guildsDir, guild)]);
      return { version: pointer?.generation, settings };
    },
    load: (guild) => readIndex(guildPaths(guildsDir, guild).index, { scanMax }),
  };
}
