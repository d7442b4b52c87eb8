/**
 * The console's part of ops (issue 24): its questions go to the question log as the base's (no
 * server), and `/insights [7|30]` shows the base's insights, the same renderer as the bot's
 * (plain markup; the console prints every list in full, so no CSV).
 */
import type { Answer } from '../core/types.js';
import { INSIGHT_DAYS, readInsights } from '../feedback/insights.js';
import { questionRecord, type QuestionLog } from '../feedback/questions.js';
import type { FeedbackStore } from '../feedback/store.js';
import { renderInsights } from '../message/insights.js';
import { plainMarkup } from '../message/markdown.js';
import { type Rendered, renderNotice } from '../message/rendered.js';

export async function consoleInsights(
  stores: { questions?: QuestionLog; feedback?: FeedbackStore },
  arg: string,
): Promise<Rendered> {
  const days = INSIGHT_DAYS.find((d) => String(d) === arg.replace(/^days:/, '').trim() || (!arg && d === 7));
  if (!days) return renderNotice('Usage: /insights [7|30] (days; default 7).');
  const insights = await readInsights(stores, null, days);
  return renderInsights(insights, { markup: plainMarkup, limit: 1000, scope: 'Questions asked in the console' })
    .rendered;
}

/** Records a console question as the base's; a failure to write does not stop the console. */
export async function noteConsoleQuestion(
  questions: QuestionLog | undefined,
  question: string,
  answer: Answer,
  shownDocs: readonly string[],
): Promise<void> {
  if (!questions) return;
  const record = questionRecord(question, { ...answer, answered: shownDocs.length > 0 }, { guild: null, shownDocs });
  await questions.record(record).catch(() => undefined);
}
