/**
 * Feedback on answers: the records and the small interface every store implements (a local
 * append-only file now, a database table later). What is kept: the question, the cited spans
 * (document, offsets and a hash of the quoted text, so a later export can tell whether the
 * document changed), the guild, a time, and per vote a member key: an HMAC of the member and
 * the answer under a per-install secret (secret.ts) — enough for one vote per member per answer,
 * not to follow a member around, and not recomputable from the public ids by anyone without the
 * secret. No other message content is stored.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { z } from 'zod';

export const CitedSpanSchema = z.object({
  doc: z.string().min(1),
  start: z.number().int().nonnegative(),
  end: z.number().int().nonnegative(),
  /** First 16 hex digits of sha256 of the quoted text. */
  hash: z.string().regex(/^[0-9a-f]{16}$/),
  /** A document of the answering server's own collection (absent: the base's). */
  collection: z.literal('server').optional(),
});
export type CitedSpan = z.infer<typeof CitedSpanSchema>;

/** Short ids that fit a button's custom ID: 10 base-36 characters. */
export const AnswerIdSchema = z.string().regex(/^[0-9a-z]{10}$/);

export const AnswerRecordSchema = z.object({
  type: z.literal('answer'),
  id: AnswerIdSchema,
  question: z.string().min(1).max(1000),
  cited: z.array(CitedSpanSchema).max(10),
  guild: z.string().max(30).nullable(),
  at: z.string(),
});
export type AnswerRecord = z.infer<typeof AnswerRecordSchema>;

export const VoteSchema = z.object({
  type: z.literal('vote'),
  answer: AnswerIdSchema,
  /** `memberKey(secret, answer, member)`. */
  member: z.string().regex(/^[0-9a-f]{16}$/),
  vote: z.enum(['up', 'down']),
  guild: z.string().max(30).nullable(),
  at: z.string(),
});
export type Vote = z.infer<typeof VoteSchema>;

export const FeedbackEventSchema = z.discriminatedUnion('type', [AnswerRecordSchema, VoteSchema]);
export type FeedbackEvent = z.infer<typeof FeedbackEventSchema>;

export interface FeedbackLog {
  answers: AnswerRecord[];
  /** The last vote of each member on each answer (earlier ones replaced). */
  votes: Vote[];
  /** Lines that could not be read (e.g. a line cut short by a crash), skipped. */
  skipped: number;
}

export interface FeedbackStore {
  /** Where it writes, for messages (a path, or a database without its password). */
  readonly where: string;
  recordAnswer(record: AnswerRecord): Promise<void>;
  recordVote(vote: Vote): Promise<void>;
  /** The key a member's vote on an answer is stored under (`memberKey` with this store's secret). */
  memberKey(answer: string, member: string): Promise<string>;
  /** Everything, or with `guild` only that server's records (null: those outside any server). */
  read(opts?: { guild?: string | null }): Promise<FeedbackLog>;
  /** Waits for pending writes. */
  close(): Promise<void>;
}

export function newAnswerId(): string {
  // 51 random bits always fit 10 base-36 characters (36^10 > 2^51): collisions are negligible.
  const n = randomBytes(8).readBigUInt64BE(0) >> 13n;
  return n.toString(36).padStart(10, '0');
}

export function memberKey(secret: string, answer: string, member: string): string {
  return createHmac('sha256', secret).update(`${answer}:${member}`).digest('hex').slice(0, 16);
}

export function spanHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** The last vote per member per answer, in the order the votes were cast. */
export function lastVotes(votes: readonly Vote[]): Vote[] {
  const last = new Map<string, Vote>();
  for (const v of votes) {
    const key = `${v.answer}:${v.member}`;
    last.delete(key);
    last.set(key, v);
  }
  return [...last.values()];
}
