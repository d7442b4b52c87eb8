import type {
  AutocompleteInteraction,
  ChatInputCommandInteraction,
  RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import type { FeedbackStore } from '../feedback/store.js';
import type { GuildCollections } from '../live/guilds.js';
import type { Engine } from '../core/types.js';
import type { Logger } from '../core/log.js';
import type { AnswerSource } from './queue.js';
import type { RateLimiter } from './ratelimit.js';

/** Everything a handler may use. Handlers reach retrieval only through `engine`/`guilds` and `answers`. */
export interface BotContext {
  /** The base collection's engine: DMs, and every server when `guilds` is absent (see `engineFor`). */
  engine: Engine;
  /** Answers /ask questions (batched). */
  answers: AnswerSource;
  /** Per-user limiter for /ask. */
  limiter: RateLimiter;
  log: Logger;
  /** Votes on answers; absent → no 👍 / 👎 buttons. */
  feedback?: FeedbackStore;
  /** Per-member limit on vote clicks, so a member cannot grow the feedback log without end. */
  voteLimiter?: RateLimiter;
  /** Servers' own collections (engines per server, edits); absent → every server answers from the base alone. */
  guilds?: GuildCollections;
  /** Per-server limit on edits of its collection (GUILD_EDITS_PER_HOUR). */
  editLimiter?: RateLimiter;
}

/** What a handler reports for the interaction's log line. */
export interface HandlerResult {
  outcome: string;
  answered?: boolean;
}

/** A slash command module in `commands/` (as in the discord.js guide, plus the context). */
export interface Command {
  data: { name: string; toJSON(): RESTPostAPIChatInputApplicationCommandsJSONBody };
  execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<HandlerResult>;
  autocomplete?(interaction: AutocompleteInteraction, ctx: BotContext): Promise<HandlerResult>;
}
