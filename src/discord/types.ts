import type {
  AutocompleteInteraction,
  ChatInputCommandInteraction,
  MessageContextMenuCommandInteraction,
  RESTPostAPIChatInputApplicationCommandsJSONBody,
  RESTPostAPIContextMenuApplicationCommandsJSONBody,
} from 'discord.js';
import type { ConversationStore } from './conversations.js';
import type { FeedbackStore } from '../feedback/store.js';
import type { QuestionLog } from '../feedback/questions.js';
import type { OpsMetrics } from '../ops/metrics.js';
import type { GuildCollections } from '../live/guilds.js';
import type { Engine } from '../core/types.js';
import type { Logger } from '../core/log.js';
import type { AnswerSource } from './queue.js';
import type { RateLimiter } from './ratelimit.js';
import { type LiveCollection } from '../live/live-collection.js';

/** Everything a handler may use. Handlers reach retrieval only through `engine`/`guilds` and `answers`. */
export interface BotContext {
  /** The base collection's engine: DMs, and every server when `guilds` is absent (see `engineFor`). */
  engine: Engine;
  /** Answers /ask questions (batched). */
  answers: AnswerSource;
  /** Per-user limiter for /ask and /sources browse. */
  limiter: RateLimiter;
  /** Per-user limiter for autocomplete (one call per keystroke: looser than `limiter`, and apart from it). */
  autocompleteLimiter?: RateLimiter;
  log: Logger;
  /** Votes on answers; absent → no 👍 / 👎 buttons. */
  feedback?: FeedbackStore;
  /** Per-member limit on vote clicks, so a member cannot grow the feedback log without end. */
  voteLimiter?: RateLimiter;
  /** Moderators' edits of the collection; absent → /sources add and remove are turned down. */
  collection?: LiveCollection;
  // ops (issue 24):
  /** Questions asked, per server (absent: not recorded, RECORD_QUESTIONS=off). */
  questions?: QuestionLog;
  /** The process's metrics (absent: none kept). */
  metrics?: OpsMetrics;
  /** Each answer's follow-up context and private payload; absent → no Follow up / Post to channel buttons. */
  conversations?: ConversationStore;
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

/** A message context-menu command module in `commands/` (Apps → name on a message). */
export interface MessageCommand {
  data: { name: string; readonly type: number; toJSON(): RESTPostAPIContextMenuApplicationCommandsJSONBody };
  execute(interaction: MessageContextMenuCommandInteraction, ctx: BotContext): Promise<HandlerResult>;
}

/** Any module in `commands/`. */
export type AnyCommand = Command | MessageCommand;

/** Message commands have the builder's type 3 (Message); slash commands have none. */
export const isMessageCommand = (c: AnyCommand): c is MessageCommand => (c.data as { type?: unknown }).type === 3;
