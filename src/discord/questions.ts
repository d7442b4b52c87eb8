/**
 * What /ask reports once it has replied: the question's outcome and latency to the metrics, and
 * its record to the question log (per server). Neither may fail the answer already sent: a write
 * that fails is logged, never shown.
 */
import type { Answer } from '../core/types.js';
import { questionRecord } from '../feedback/questions.js';
import type { QuestionOutcome } from '../ops/metrics.js';
import type { BotContext } from './types.js';

/** A question turned away before it reached the engine (invalid, rate limited). */
export function countQuestion(ctx: BotContext, outcome: QuestionOutcome): void {
  ctx.metrics?.question(outcome);
}

export async function noteQuestion(
  ctx: BotContext,
  q: {
    question: string;
    answer: Answer;
    /** The documents of the citations shown (an answer cut to fit shows fewer). */
    shownDocs: readonly string[];
    guild: string | null;
    /** The answer's feedback id, when its 👍 / 👎 are recorded. */
    answerId?: string;
    /** `performance.now()` when the question arrived. */
    started: number;
  },
): Promise<void> {
  const answered = q.shownDocs.length > 0;
  ctx.metrics?.question(answered ? 'answered' : 'refused', (performance.now() - q.started) / 1000);
  if (!ctx.questions) return;
  try {
    await ctx.questions.record(
      questionRecord(
        q.question,
        { ...q.answer, answered },
        {
          guild: q.guild,
          answerId: q.answerId,
          shownDocs: q.shownDocs,
        },
      ),
    );
  } catch (err) {
    ctx.log.warn('question_write_failed', { error: err instanceof Error ? err.message.slice(0, 200) : String(err) });
  }
}
