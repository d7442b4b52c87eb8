/**
 * Servers' collections for an in-process bot, wired as `npm start` wires them for one process on
 * local files: the engines over `guildsDir`, and this process as their one writer.
 */
import { join } from 'node:path';
import type { Logger } from '../../src/core/log.js';
import { startBot, type Bot } from '../../src/discord/client.js';
import { openEngine } from '../../src/engine/open.js';
import { openLiveCollection, type LiveEngine } from '../../src/live/live.js';
import { FakeDiscord } from '../harness/fake-discord.js';
import type { Engine } from '../../src/core/types.js';
import type { FullEngine } from '../../src/engine/create.js';
import { localGuildSource } from '../../src/live/guild-engines.js';
import { localGuildWriter, type GuildWriter } from '../../src/live/guild-writer.js';
import type { GuildWebOptions } from '../../src/live/guild-web.js';
import { guildsOver, type GuildCollections, type GuildLimits } from '../../src/live/guilds.js';

export const TEST_LIMITS: GuildLimits = {
  maxDocs: 500,
  maxBytes: 100 * 1024 * 1024,
  uploadMaxBytes: 64 * 1024,
  editsPerHour: 1000,
};

export function testGuilds(
  base: Engine & { readonly current: FullEngine },
  opts: { guildsDir: string; log: Logger; limits?: Partial<GuildLimits>; checkMs?: number; web?: GuildWebOptions },
): { guilds: GuildCollections; writer: GuildWriter } {
  const limits = { ...TEST_LIMITS, ...opts.limits };
  const writer = localGuildWriter({
    guildsDir: opts.guildsDir,
    embedderId: base.current.embedder.id,
    uploadMaxBytes: limits.uploadMaxBytes,
    quota: { maxDocs: limits.maxDocs, maxTotalBytes: limits.maxBytes },
    log: opts.log,
    web: opts.web,
  });
  const guilds = guildsOver({
    base,
    source: localGuildSource(opts.guildsDir),
    submit: writer.apply,
    limits,
    cache: { engines: 50 },
    checkMs: opts.checkMs ?? 60_000,
    waitMs: 60_000,
    log: opts.log,
  });
  return { guilds, writer };
}

/** A bot on the fake Discord over the REAL engine, with servers' collections (see `guildBot`). */
export interface GuildBot {
  live: { engine: LiveEngine<FullEngine>; close(): void };
  fake: FakeDiscord;
  bot: Bot;
  guilds: GuildCollections;
  writer: GuildWriter;
  /** `root/guilds`: every server's folder. */
  guildsDir: string;
  /** Stops the bot, the writer and the fake Discord (the caller removes `root`). */
  close(): Promise<void>;
}

/**
 * The real bot on the fake Discord over the base collection in `corpus` (indexed in `root/index`,
 * no watcher: each edit's own re-index is the one that counts), its servers' collections in
 * `root/guilds` with this process their one writer.
 */
export async function guildBot(opts: {
  root: string;
  corpus: string;
  log: Logger;
  limits?: Partial<GuildLimits>;
  checkMs?: number;
  web?: GuildWebOptions;
}): Promise<GuildBot> {
  const engineOpts = { corpusDir: opts.corpus, indexDir: join(opts.root, 'index'), embedder: 'use-lite' };
  const live = openLiveCollection(await openEngine(engineOpts), engineOpts, { log: opts.log, watch: false });
  const fake = await FakeDiscord.start();
  const guildsDir = join(opts.root, 'guilds');
  const { guilds, writer } = testGuilds(live.engine, { ...opts, guildsDir });
  const bot = await startBot({ token: fake.token, engine: live.engine, restUrl: fake.restUrl, log: opts.log, guilds });
  return {
    live,
    fake,
    bot,
    guilds,
    writer,
    guildsDir,
    async close() {
      live.close();
      await bot.stop(2000);
      await writer.close();
      await fake.close();
    },
  };
}
