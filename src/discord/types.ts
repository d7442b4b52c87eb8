import type {
  AutocompleteInteraction,
  ChatInputCommandInteraction,
  RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import type { CollectionEditor } from '../live/collection.js';
import type { FeedbackStore } from '../feedback/store.js';
import type { RefreshResult } from '../live/live.js';
import type { Engine } from '../core/types.js';
import type { Logger } from '../core/log.js';
import type { AnswerSource } from './queue.js';
import type { RateLimiter } from './ratelimit.js';

/** Everything a handler may use. Handlers reach retrieval only through `engine` and `answers`. */
export interface BotContext {
  engine: Engine;
  /** Answers /ask questions (batched). */
  answers: AnswerSource;
  /** Per-user limiter for /ask and /sources browse. */
  limiter: RateLimiter;
  /** Per-user limiter for autocomplete (one call per keystroke: looser than `limiter`, and apart from it). */
  autocompleteLimiter?: RateLimiter;
  /** Per-server quota on collection edits (GUILD_EDITS_PER_HOUR): taken by /sources add and remove. */
  editQuota?: RateLimiter;
  log: Logger;
  /** Votes on answers; absent → no 👍 / 👎 buttons. */
  feedback?: FeedbackStore;
  /** Per-member limit on vote clicks, so a member cannot grow the feedback log without end. */
  voteLimiter?: RateLimiter;
  /** Moderators' edits of the collection; absent → /sources add and remove are turned down. */
  collection?: LiveCollection;
}

/** The collection folder the bot may edit, and the re-index that makes an edit answerable. */
export interface LiveCollection {
  editor: CollectionEditor;
  refresh(opts?: { force?: boolean }): Promise<RefreshResult>;
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
