/**
 * The question log: what members asked and what came of it, kept per server so a moderator can
 * see what the documents do not answer (insights.ts). One record per question asked with /ask (or
 * in the console): the question as asked (cleaned), answered or refused, the top score, the cited
 * documents (file names, no quotes), the answer's feedback id when it has 👍 / 👎 buttons, the
 * server (guild id; null for the console, "the base") and a time. Nothing about who asked.
 *
 * Stored beside the votes (a folder of daily files next to FEEDBACK_FILE, or the `qb_questions`
 * table of INDEX_URL's database), read one server at a time, and deleted after the retention.
 * RECORD_QUESTIONS=off: no log at all (`undefined` where a log is expected).
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';

/** A Discord server id; null is the base (the console, and anything outside a server). */
export const GuildSchema = z
  .string()
  .regex(/^\d{15,22}$/)
  .nullable();

export const QuestionRecordSchema = z.object({
  type: z.literal('question'),
  /** Random, to tell records apart (10 base-36 characters). */
  id: z.string().regex(/^[0-9a-z]{10}$/),
  guild: GuildSchema,
  question: z.string().min(1).max(1000),
  outcome: z.enum(['answered', 'refused']),
  /** The first citation's score (answered) or the closest document's (refused); null when none. */
  top: z.number().finite().nullable(),
  /** Documents cited, in citation order, each once. */
  cited: z.array(z.string().min(1).max(300)).max(10),
  /** The feedback record of the answer (its 👍 / 👎), when it has one. */
  answer: z
    .string()
    .regex(/^[0-9a-z]{10}$/)
    .optional(),
  at: z.string().datetime(),
});
export type QuestionRecord = z.infer<typeof QuestionRecordSchema>;

export interface QuestionLog {
  /** Where it writes, for messages (a folder, or a database without its password). */
  readonly where: string;
  record(q: QuestionRecord): Promise<void>;
  /** The records of one server (null: the base) at or after `since`, oldest first. Never another server's. */
  read(guild: string | null, since: Date): Promise<QuestionRecord[]>;
  /** Deletes what is older than `before` (a file store: whole days before it). Returns rows or files removed. */
  prune(before: Date): Promise<number>;
  /** Waits for pending writes. */
  close(): Promise<void>;
}

/** What an answer gives the log; the engine's `Answer` fits. */
export interface AnswerLike {
  answered: boolean;
  citations: readonly { doc: string; score: number }[];
  closest: readonly { score: number }[];
}

export function questionRecord(
  question: string,
  answer: AnswerLike,
  opts: { guild: string | null; answerId?: string; at?: Date; shownDocs?: readonly string[] },
): QuestionRecord {
  const answered = answer.answered && answer.citations.length > 0;
  const docs = opts.shownDocs ?? answer.citations.map((c) => c.doc);
  const top = answered ? answer.citations[0]?.score : answer.closest[0]?.score;
  return {
    type: 'question',
    id: randomId(),
    guild: opts.guild,
    question: question.slice(0, 1000),
    outcome: answered ? 'answered' : 'refused',
    top: top === undefined || !Number.isFinite(top) ? null : Math.round(top * 1000) / 1000,
    cited: answered ? [...new Set(docs)].slice(0, 10) : [],
    ...(opts.answerId && { answer: opts.answerId }),
    at: (opts.at ?? new Date()).toISOString(),
  };
}

function randomId(): string {
  const n = randomBytes(8).readBigUInt64BE(0) >> 13n;
  return n.toString(36).padStart(10, '0');
}

/** The start of the retention window: records before it are deleted. */
export function retentionCutoff(days: number, now = Date.now()): Date {
  return new Date(now - days * 86_400_000);
}

/**
 * Deletes what is past the retention now and then every `everyMs` (default 6 h) while the process
 * runs; a failure is reported and tried again next time. Returns a stop function.
 */
export function keepPruned(
  log: QuestionLog,
  days: number,
  opts: { everyMs?: number; onError?: (err: unknown) => void; onPruned?: (n: number) => void } = {},
): () => void {
  const run = () =>
    void log.prune(retentionCutoff(days)).then(
      (n) => n && opts.onPruned?.(n),
      (err: unknown) => opts.onError?.(err),
    );
  run();
  const timer = setInterval(run, opts.everyMs ?? 6 * 3_600_000);
  timer.unref();
  return () => clearInterval(timer);
}
