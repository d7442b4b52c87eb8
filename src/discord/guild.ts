/**
 * The engine an interaction is answered from: in a server, that server's (its own documents and
 * the base, see live/guild-engines.ts); in a DM, or on a bot without servers' collections, the base.
 */
import type { Engine } from '../core/types.js';
import type { BotContext } from './types.js';

export function engineFor(ctx: Pick<BotContext, 'engine' | 'guilds'>, guildId: string | null): Promise<Engine> {
  return ctx.guilds ? ctx.guilds.engineFor(guildId) : Promise.resolve(ctx.engine);
}
