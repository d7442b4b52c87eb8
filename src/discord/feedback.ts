/**
 * Feedback on public answers: the record kept when an answer is sent (question and cited spans,
 * no other content), and the 👍 / 👎 buttons. A vote counts only on the bot's own public answer
 * it is attached to; the member is stored as a per-answer HMAC under the install's secret, and a second click replaces the
 * first vote (the last one wins when the log is read).
 */
import { MessageFlags, type ButtonInteraction } from 'discord.js';
import { newAnswerId, type AnswerRecord } from '../feedback/store.js';
import { send } from './respond.js';
import type { BotContext, HandlerResult } from './types.js';
import { renderNotice } from '../message/rendered.js';

/** A new answer id, or undefined when feedback is not collected. */
export function feedbackIdFor(ctx: Pick<BotContext, 'feedback'>, isPublic: boolean): string | undefined {
  return ctx.feedback && isPublic ? newAnswerId() : undefined;
}

/** Writes the answer's record; a failure is logged, never shown (the answer is already out). */
export async function recordAnswer(ctx: BotContext, record: AnswerRecord): Promise<void> {
  try {
    await ctx.feedback?.recordAnswer(record);
  } catch (err) {
    ctx.log.warn('feedback_write_failed', {
      answer: record.id,
      error: err instanceof Error ? err.message.slice(0, 200) : String(err),
    });
  }
}

export async function handleVote(
  i: ButtonInteraction,
  ctx: BotContext,
  answer: string,
  vote: 'up' | 'down',
): Promise<HandlerResult> {
  const say = async (text: string, outcome: string): Promise<HandlerResult> => {
    await send(i, renderNotice(text));
    return { outcome };
  };
  if (!ctx.feedback) return say('Feedback is not being collected here.', 'vote_off');
  if (i.message.author.id !== i.client.user.id || i.message.flags.has(MessageFlags.Ephemeral)) {
    return say('Votes count only on my public answers.', 'vote_foreign');
  }
  if (ctx.voteLimiter && !ctx.voteLimiter.take(i.user.id).allowed) {
    return say(
      'You have voted a lot in the last minute; please wait a moment before voting again.',
      'vote_rate_limited',
    );
  }
  await ctx.feedback.recordVote({
    type: 'vote',
    answer,
    member: await ctx.feedback.memberKey(answer, i.user.id),
    vote,
    guild: i.guildId ?? null,
    at: new Date().toISOString(),
  });
  const [mine, other] = vote === 'up' ? ['👍', '👎'] : ['👎', '👍'];
  return say(`Thanks: your ${mine} on this answer is recorded. Click ${other} to change it.`, `vote_${vote}`);
}
