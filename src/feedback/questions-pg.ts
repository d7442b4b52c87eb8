/**
 * The question log in Postgres (`qb_questions`, made by the index store's migrations), used when
 * INDEX_URL names a database: the same database as the votes. Every read names its server in the
 * WHERE clause (the base is guild ''), so one server's insights never read another's rows.
 */
import { migratedPool } from '../db/pg.js';
import { QuestionRecordSchema, type QuestionLog, type QuestionRecord } from './questions.js';

export function pgQuestionLog(url: string): QuestionLog {
  const { where, query, close } = migratedPool(url);

  return {
    where,
    async record(q: QuestionRecord) {
      const r = QuestionRecordSchema.parse(q);
      await query('INSERT INTO qb_questions (guild, at, record) VALUES ($1, $2, $3)', [
        r.guild ?? '',
        r.at,
        JSON.stringify(r),
      ]);
    },
    async read(guild, since) {
      const { rows } = await query<{ record: unknown }>(
        'SELECT record FROM qb_questions WHERE guild = $1 AND at >= $2 ORDER BY at, seq',
        [guild ?? '', since.toISOString()],
      );
      const out: QuestionRecord[] = [];
      for (const row of rows) {
        const r = QuestionRecordSchema.safeParse(row.record);
        if (r.success && r.data.guild === guild) out.push(r.data);
      }
      return out;
    },
    async prune(before) {
      const res = await query('DELETE FROM qb_questions WHERE at < $1', [before.toISOString()]);
      return res.rowCount ?? 0;
    },
    close,
  };
}
