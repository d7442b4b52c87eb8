/**
 * Servers' collections for an in-process bot, wired as `npm start` wires them for one process on
 * local files: the engines over `guildsDir`, and this process as their one writer.
 */
import type { Logger } from '../../src/core/log.js';
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
