/**
 * Servers' collections as the bot uses them: the engine that answers in a server (guild-engines.ts)
 * and edits, each handed to the one writer (`submit`: in this process, over the shard channel, or
 * through the shared store's queue) and then waited for until this process answers from the
 * generation that has it (at most `waitMs`), so the reply can say it is answerable.
 */
import { randomBytes } from 'node:crypto';
import type { Engine } from '../core/types.js';
import { isGuildId } from '../core/guild.js';
import type { GuildSettings } from '../index/guild-folder.js';
import { EditOutcomeSchema, GuildEditSchema, type EditOutcome, type GuildEdit } from './guild-edit.js';
import { guildEngines, type GuildEngines, type GuildSource } from './guild-engines.js';
import type { CacheLimit } from '../core/config.js';
import type { Logger } from '../core/log.js';
import { createEngine, type FullEngine } from '../engine/create.js';
import { settled } from '../engine/shared.js';

export interface GuildLimits {
  maxDocs: number;
  maxBytes: number;
  /** Largest single upload. */
  uploadMaxBytes: number;
  editsPerHour: number;
}

export interface GuildCollections {
  engineFor(guild: string | null | undefined): Promise<Engine>;
  settings(guild: string): Promise<GuildSettings>;
  /** Applies an edit through the one writer; resolves once this process answers from its generation (or says why not). */
  edit(edit: GuildEdit): Promise<EditOutcome>;
  readonly limits: GuildLimits;
  stats(): { loaded: number; bytes: number };
  /** Looks at a server's collection again now (another process changed it). */
  refresh(guild: string): Promise<unknown>;
}

/** Generation names compare by age: local ones start with their time in base 36, the store's are numbers. */
export function atLeast(seen: string | undefined, wanted: string): boolean {
  if (seen === undefined) return false;
  if (/^\d+$/.test(seen) && /^\d+$/.test(wanted)) return BigInt(seen) >= BigInt(wanted);
  return seen >= wanted;
}

export function guildCollections(opts: {
  engines: GuildEngines;
  source: GuildSource;
  submit: (edit: GuildEdit) => Promise<EditOutcome>;
  limits: GuildLimits;
  waitMs: number;
  checkMs?: number;
}): GuildCollections {
  const checkMs = opts.checkMs ?? 100;
  return {
    engineFor: (guild) => opts.engines.engineFor(guild),
    settings: async (guild) => (await opts.source.probe(guild)).settings,
    limits: opts.limits,
    stats: () => opts.engines.stats(),
    refresh: (guild) => opts.engines.refresh(guild),
    async edit(edit) {
      const outcome = await opts.submit(edit);
      if (!outcome.ok || outcome.indexError) return outcome;
      if (!outcome.generation) {
        await opts.engines.refresh(edit.guild);
        return outcome;
      }
      const deadline = Date.now() + opts.waitMs;
      for (;;) {
        if (atLeast(await opts.engines.refresh(edit.guild), outcome.generation)) return outcome;
        if (Date.now() >= deadline)
          return {
            ...outcome,
            indexError: `this bot process did not see the new index within ${Math.round(opts.waitMs / 1000)} s`,
          };
        await new Promise((r) => setTimeout(r, checkMs));
      }
    },
  };
}

/** Messages of the shard channel (a shard hands an edit to the process that started it; all are told of it). */
const REQUEST = 'qb-guild-edit';
const REPLY = 'qb-guild-edit-done';
const UPDATED = 'qb-guild-updated';

/** Every shard looks at a server's collection again as soon as the writer has changed it. */
export function tellUpdated(channels: readonly Channel[], guild: string): void {
  for (const c of channels) c.send({ type: UPDATED, guild });
}

/** A shard's side of `tellUpdated`. */
export function followUpdates(channel: Channel, guilds: Pick<GuildCollections, 'refresh'>): void {
  channel.onMessage((m) => {
    const msg = m as { type?: unknown; guild?: unknown };
    if (msg?.type === UPDATED && isGuildId(msg.guild)) void guilds.refresh(msg.guild).catch(() => undefined);
  });
}

export interface Channel {
  send(message: unknown): void;
  onMessage(handler: (message: unknown) => void): void;
}

/** A shard's `submit`: the edit goes to the writer over the IPC channel; its outcome comes back. */
export function channelSubmit(channel: Channel, timeoutMs: number): (edit: GuildEdit) => Promise<EditOutcome> {
  const waiting = new Map<string, (o: EditOutcome) => void>();
  channel.onMessage((m) => {
    const msg = m as { type?: unknown; id?: unknown; outcome?: unknown };
    if (msg?.type !== REPLY || typeof msg.id !== 'string') return;
    const parsed = EditOutcomeSchema.safeParse(msg.outcome);
    waiting.get(msg.id)?.(parsed.success ? parsed.data : { ok: false, message: 'The edit could not be applied.' });
  });
  return (edit) =>
    new Promise<EditOutcome>((resolve) => {
      const id = randomBytes(8).toString('hex');
      const timer = setTimeout(() => {
        waiting.delete(id);
        resolve({
          ok: false,
          message: `The process that writes the collections did not answer within ${Math.round(timeoutMs / 1000)} s; try again in a moment.`,
        });
      }, timeoutMs);
      waiting.set(id, (o) => {
        clearTimeout(timer);
        waiting.delete(id);
        resolve(o);
      });
      channel.send({ type: REQUEST, id, edit });
    });
}

/** The writer's side of the channel: applies each edit a shard sends and replies to that shard. */
export function serveChannel(
  channel: Channel,
  apply: (edit: GuildEdit) => Promise<EditOutcome>,
  onError: (err: unknown) => void,
): void {
  channel.onMessage((m) => {
    const msg = m as { type?: unknown; id?: unknown; edit?: unknown };
    if (msg?.type !== REQUEST || typeof msg.id !== 'string') return;
    const id = msg.id;
    const parsed = GuildEditSchema.safeParse(msg.edit);
    const done = (outcome: EditOutcome) => channel.send({ type: REPLY, id, outcome });
    if (!parsed.success) return done({ ok: false, message: 'That edit is not valid.' });
    apply(parsed.data).then(done, (err: unknown) => {
      onError(err);
      done({ ok: false, message: 'The edit could not be applied (see the bot’s log).' });
    });
  });
}

/** A server's collections over a base engine that changes while the bot runs (live.ts). */
export function guildsOver(opts: {
  /** The base engine as DMs use it; `current` is the engine answering now. */
  base: Engine & { readonly current: FullEngine };
  source: GuildSource;
  submit: (edit: GuildEdit) => Promise<EditOutcome>;
  limits: GuildLimits;
  cache: CacheLimit;
  checkMs: number;
  waitMs: number;
  log: Logger;
}): GuildCollections {
  const now = () => settled(opts.base.current);
  const engines = guildEngines({
    source: opts.source,
    base: now,
    baseEngine: opts.base,
    open: (index) => {
      const b = now();
      return createEngine(index, b.embedder, b.policy);
    },
    limit: opts.cache,
    checkMs: opts.checkMs,
    log: opts.log,
  });
  return guildCollections({
    engines,
    source: opts.source,
    submit: opts.submit,
    limits: opts.limits,
    waitMs: opts.waitMs,
  });
}
