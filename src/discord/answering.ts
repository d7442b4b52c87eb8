/**
 * Answering a question in Discord, whichever way it was asked (/ask, "Ask about this", the
 * follow-up form, /ask in a thread started from an answer): the rate limit, the defer before any
 * retrieval (Discord's 3 s), the answer with its buttons, the feedback record, and the answer's
 * conversation (what its Follow up and Post to channel buttons need).
 */
import type { RepliableInteraction } from 'discord.js';
import { composeAnswer } from '../message/compose.js';
import { followUpId, postId } from '../message/conversation-ids.js';
import { LIMITS, truncate } from '../message/limits.js';
import { answerRecord } from '../message/record.js';
import { renderRefusalNote } from '../message/answer.js';
import { renderNotice, renderSlowDown, type Rendered } from '../message/rendered.js';
import { newConversationKey } from './conversations.js';
import { feedbackIdFor, recordAnswer } from './feedback.js';
import { countQuestion, noteQuestion } from './questions.js';
import { Busy } from './queue.js';
import { deferFirst, send } from './respond.js';
import { engineFor } from './guild.js';
import type { BotContext, HandlerResult } from './types.js';

export interface AnswerRequest {
  /** Already cleaned (`cleanQuestion`). */
  question: string;
  private: boolean;
  /** The question this one follows up (as that one was answered). */
  earlier?: string;
  /** A line above the answer ("Ask about this": the link to the message it answers). */
  intro?: string;
}

/** With a line above it (content; the answer itself is in the embed). */
function withIntro(r: Rendered, intro: string | undefined): Rendered {
  if (!intro) return r;
  return { ...r, content: truncate(r.content ? `${intro}\n${r.content}` : intro, LIMITS.content) };
}

/** The reply when the answer queue is full. */
const BUSY = 'I am answering a lot of questions right now and cannot take yours; please try again in a minute.';

async function busy(i: RepliableInteraction, ctx: BotContext): Promise<HandlerResult> {
  await send(i, renderNotice(BUSY));
  countQuestion(ctx, 'busy');
  return { outcome: 'busy', answered: false };
}

export async function answerQuestion(
  i: RepliableInteraction,
  ctx: BotContext,
  req: AnswerRequest,
): Promise<HandlerResult> {
  const started = performance.now();
  const limit = ctx.limiter.take(i.user.id);
  if (!limit.allowed) {
    await send(i, renderSlowDown(limit.retryAfterMs, ctx.limiter.count, ctx.limiter.windowMs / 1000));
    countQuestion(ctx, 'rate_limited');
    return { outcome: 'rate_limited', answered: false };
  }
  // Every server's questions wait in one bounded queue: when it is full, say so at once.
  if (ctx.answers.full) return busy(i, ctx);
  // Defer before any retrieval work: Discord's 3-second deadline only covers this first response.
  await deferFirst(i, req.private);
  // This server's documents and the base (a DM: the base alone).
  const engine = await engineFor(ctx, i.guildId);
  let answer;
  try {
    answer = await ctx.answers.ask(req.question, {
      engine,
      ...(req.earlier && { context: { earlier: req.earlier } }),
    });
  } catch (err) {
    if (!(err instanceof Busy)) throw err;
    return busy(i, ctx);
  }
  const feedbackId = feedbackIdFor(ctx, !req.private);
  const store = ctx.conversations;
  const key = store && answer.answered ? newConversationKey() : undefined;
  const { rendered, shown } = composeAnswer(engine, answer, {
    private: req.private,
    guild: i.guildId,
    feedbackId,
    followUpId: key && followUpId(key),
    postId: key && req.private ? postId(key) : undefined,
  });
  const answered = shown.length > 0;
  const message = await send(i, answered ? withIntro(rendered, req.intro) : rendered, {
    publicNote: withIntro(renderRefusalNote(), req.intro),
  });
  if (store && key && answered) {
    store.keep(key, {
      question: answer.question,
      guild: i.guildId,
      private: req.private,
      // Only what was shown is posted later: the citations that fitted, whole.
      ...(req.private && { answer: { ...answer, citations: shown.map((c) => ({ ...c.original, n: c.n })) } }),
    });
    if (message && !req.private) store.attach(key, message.id);
  }
  // The question as answered: a follow-up is recorded as resolved, so an exported 👍 stands on its own.
  if (feedbackId && answered) await recordAnswer(ctx, answerRecord(feedbackId, answer.question, shown, i.guildId));
  // Metrics and the server's question log (what was asked, answered or not).
  await noteQuestion(ctx, {
    question: answer.question,
    answer,
    shownDocs: shown.map((c) => c.doc),
    guild: i.guildId,
    answerId: feedbackId && answered ? feedbackId : undefined,
    started,
  });
  return { outcome: answered ? 'answered' : 'refused', answered };
}
