/**
 * Conversations: what each answer's Follow up and Post to channel buttons need, kept in this
 * process under a short random key (custom IDs hold 100 characters, not a question and an
 * answer): the question as it was answered (a follow-up of it follows that), the server, and
 * for a private answer the answer itself until it is posted, once. A public answer's message id
 * also finds its conversation, so `/ask` in a thread started from that message follows it up.
 *
 * Bounded and expiring (lru-cache: by approximate bytes and by age): an old or evicted key is
 * "expired", never an error. Per process: a shard keeps the conversations of its own servers'
 * answers (a server's interactions always reach the same shard); a restart forgets them.
 */
import { randomBytes } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { Answer } from '../core/types.js';

export interface Conversation {
  /** The question as it was answered (a follow-up: as resolved): what a follow-up of this answer follows. */
  question: string;
  guild: string | null;
  private: boolean;
  /** A private answer, kept until it is posted to the channel. */
  answer?: Answer;
  /** Posted to the channel already (Post to channel works once). */
  posted?: boolean;
}

export interface ConversationLimits {
  /** Approximate bytes kept at most (default 16 MB). */
  maxBytes?: number;
  /** How long a conversation is kept after its answer (default 24 hours). */
  ttlMs?: number;
}

/** The Post to channel outcome: the answer to post, or why not. */
export type PostClaim =
  { ok: true; answer: Answer; conversation: Conversation } | { ok: false; reason: 'expired' | 'posted' };

/** UTF-16 text, roughly: what an entry holds. */
const sizeOf = (c: Conversation) =>
  256 +
  2 * c.question.length +
  (c.answer
    ? 2 * (c.answer.question.length + c.answer.answer.length) +
      c.answer.citations.reduce((n, x) => n + 128 + 2 * (x.quote.length + x.title.length + x.doc.length), 0)
    : 0);

export function newConversationKey(): string {
  // 51 random bits in 10 base-36 characters, as feedback ids.
  return (randomBytes(8).readBigUInt64BE(0) >> 13n).toString(36).padStart(10, '0');
}

export class ConversationStore {
  private readonly byKey: LRUCache<string, Conversation>;
  private readonly byMessage: LRUCache<string, string>;

  constructor(limits: ConversationLimits = {}) {
    const ttl = limits.ttlMs ?? 24 * 60 * 60 * 1000;
    const maxSize = limits.maxBytes ?? 16 * 1024 * 1024;
    this.byKey = new LRUCache<string, Conversation>({ maxSize, sizeCalculation: sizeOf, ttl });
    // A message id and a key: small, bounded by count.
    this.byMessage = new LRUCache<string, string>({ max: Math.max(100, Math.floor(maxSize / 512)), ttl });
  }

  /** Conversations kept (for tests and memory checks). */
  get size(): number {
    return this.byKey.size;
  }

  /** Keeps a conversation under `key` (from `newConversationKey`). One too big to keep is not kept: its buttons say expired. */
  keep(key: string, c: Conversation): void {
    this.byKey.set(key, c);
  }

  get(key: string): Conversation | undefined {
    return this.byKey.get(key);
  }

  /** The answer of `key` was posted as message `messageId` (a thread started from it has that id). */
  attach(key: string, messageId: string): void {
    if (this.byKey.has(key)) this.byMessage.set(messageId, key);
  }

  /** The conversation of the answer a thread was started from, by the thread's channel id. */
  startedFrom(channelId: string): Conversation | undefined {
    const key = this.byMessage.get(channelId);
    return key === undefined ? undefined : this.byKey.get(key);
  }

  /** Takes a private answer to post it: succeeds once per conversation. */
  claimPost(key: string): PostClaim {
    const c = this.byKey.get(key);
    if (!c || (!c.answer && !c.posted)) return { ok: false, reason: 'expired' };
    if (c.posted || !c.answer) return { ok: false, reason: 'posted' };
    const answer = c.answer;
    // The payload is not needed any more: keep the question (a Follow up still works), free the rest.
    const kept: Conversation = { question: c.question, guild: c.guild, private: c.private, posted: true };
    this.byKey.set(key, kept);
    return { ok: true, answer, conversation: kept };
  }
}
