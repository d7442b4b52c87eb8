/**
 * Feedback in Postgres (`qb_feedback`, made by the index store's migrations), used when
 * INDEX_URL names a database. One row per answer and one per member per answer: a vote is an
 * upsert on that key, so a changed vote replaces the earlier one and concurrent votes from
 * different members never collide. A vote is committed before it resolves, as with the file.
 * Votes are keyed with a per-install secret kept in the database (`qb_feedback_secret`, one row,
 * made on first use), so every process on one store keys a member's vote alike.
 */
import { migratedPool } from '../db/pg.js';
import { newSecret } from './secret.js';
import {
  FeedbackEventSchema,
  memberKey,
  type AnswerRecord,
  type FeedbackLog,
  type FeedbackStore,
  type Vote,
} from './store.js';

export function pgFeedbackStore(url: string): FeedbackStore {
  const { where, query, close } = migratedPool(url);

  const upsert = async (
    kind: 'answer' | 'vote',
    answer: string,
    member: string,
    record: AnswerRecord | Vote,
  ): Promise<void> => {
    // EXCLUDED.seq is a fresh sequence value: a replaced vote moves to the end, as in the file.
    await query(
      `INSERT INTO qb_feedback (kind, answer, member, record) VALUES ($1, $2, $3, $4)
       ON CONFLICT (kind, answer, member) DO UPDATE SET record = EXCLUDED.record, seq = EXCLUDED.seq`,
      [kind, answer, member, JSON.stringify(record)],
    );
  };

  let secret: Promise<string> | undefined;
  const installSecret = async (): Promise<string> => {
    await query(
      'CREATE TABLE IF NOT EXISTS qb_feedback_secret (id int PRIMARY KEY CHECK (id = 1), secret text NOT NULL)',
    );
    // The first process to get here sets it; every one reads the same row.
    await query('INSERT INTO qb_feedback_secret (id, secret) VALUES (1, $1) ON CONFLICT (id) DO NOTHING', [
      newSecret(),
    ]);
    const { rows } = await query<{ secret: string }>('SELECT secret FROM qb_feedback_secret WHERE id = 1');
    return rows[0]!.secret;
  };

  return {
    where,
    async memberKey(answer, member) {
      secret ??= installSecret().catch((err: unknown) => {
        secret = undefined;
        throw err;
      });
      return memberKey(await secret, answer, member);
    },
    recordAnswer: (record) => upsert('answer', record.id, '', record),
    recordVote: (vote) => upsert('vote', vote.answer, vote.member, vote),
    async read(opts = {}): Promise<FeedbackLog> {
      // One server's rows only, when asked (the base, null, as '').
      const { rows } =
        opts.guild === undefined
          ? await query<{ record: unknown }>('SELECT record FROM qb_feedback ORDER BY seq')
          : await query<{ record: unknown }>(
              `SELECT record FROM qb_feedback WHERE coalesce(record->>'guild', '') = $1 ORDER BY seq`,
              [opts.guild ?? ''],
            );
      const answers: AnswerRecord[] = [];
      const votes: Vote[] = [];
      let skipped = 0;
      for (const row of rows) {
        const ev = FeedbackEventSchema.safeParse(row.record);
        if (!ev.success) skipped++;
        else if (opts.guild !== undefined && ev.data.guild !== opts.guild) continue;
        else if (ev.data.type === 'answer') answers.push(ev.data);
        else votes.push(ev.data);
      }
      return { answers, votes, skipped };
    },
    close,
  };
}
