/**
 * `npm run feedback -- --insights [--guild ID|base] [--days 7|30] [--csv FILE] [--json]`: the
 * insights a moderator sees with /insights, for one server (or the base: the console's questions),
 * read from the stores the bot writes. Text by default (every list up to 20 items), the insights
 * object with --json; --csv writes every list in full (temp file, then renamed).
 */
import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import { UsageError } from './args.js';
import { INSIGHT_DAYS, insightsCsv, readInsights } from '../feedback/insights.js';
import type { QuestionLog } from '../feedback/questions.js';
import type { FeedbackStore } from '../feedback/store.js';
import { renderInsights } from '../message/insights.js';
import { plainMarkup } from '../message/markdown.js';
import { toPlainText } from '../message/rendered.js';

export async function insightsReport(opts: {
  questions: QuestionLog;
  feedback: FeedbackStore;
  guild?: string;
  days?: string;
  csv?: string;
  json: boolean;
  write: (text: string) => void;
}): Promise<void> {
  const guildArg = opts.guild ?? 'base';
  if (guildArg !== 'base' && !/^\d{15,22}$/.test(guildArg))
    throw new UsageError('--guild must be a server id (15–22 digits) or base.');
  const days = INSIGHT_DAYS.find((d) => String(d) === (opts.days ?? '7'));
  if (!days) throw new UsageError(`--days must be ${INSIGHT_DAYS.join(' or ')}.`);
  const guild = guildArg === 'base' ? null : guildArg;
  const insights = await readInsights({ questions: opts.questions, feedback: opts.feedback }, guild, days);
  if (opts.csv) {
    const tmp = `${opts.csv}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
    try {
      await writeFile(tmp, insightsCsv(insights));
      await rename(tmp, opts.csv);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }
  if (opts.json) return opts.write(`${JSON.stringify({ guild, ...insights })}\n`);
  const scope = guild ? `Server ${guild}` : 'The base (questions asked in the console)';
  const moreNote = opts.csv ? '' : ' Longer lists: --csv FILE.';
  const { rendered } = renderInsights(insights, { markup: plainMarkup, limit: 20, scope, moreNote });
  opts.write(`${toPlainText(rendered)}\n${opts.csv ? `Wrote every list to ${opts.csv}.\n` : ''}`);
}
