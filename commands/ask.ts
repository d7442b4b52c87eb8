/** /ask question:<3–300 chars> [private:<bool>] — verbatim, cited quotes from the collection. */
import { SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import { QUESTION_MAX, QUESTION_MIN, cleanQuestion, composeAnswer } from '../src/message/compose.js';
import { renderNotice, renderRefusalNote, renderSlowDown } from '../src/message/render.js';
import { answerRecord, feedbackIdFor, recordAnswer } from '../src/discord/feedback.js';
import { Busy } from '../src/discord/queue.js';
import { deferFirst, send } from '../src/discord/respond.js';
import type { BotContext, HandlerResult } from '../src/discord/types.js';

export const data = new SlashCommandBuilder()
  .setName('ask')
  .setDescription('Ask a question; the answer is quoted word for word from the documents, with sources.')
  .addStringOption((o) =>
    o
      .setName('question')
      .setDescription('Your question')
      .setRequired(true)
      .setMinLength(QUESTION_MIN)
      .setMaxLength(QUESTION_MAX),
  )
  .addBooleanOption((o) =>
    o.setName('private').setDescription('Only you see the answer (default: everyone in the channel)'),
  );

/** The reply when the answer queue is full. */
const BUSY = 'I am answering a lot of questions right now and cannot take yours; please try again in a minute.';

export async function execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<HandlerResult> {
  const cleaned = cleanQuestion(interaction.options.getString('question', true));
  if (!cleaned.ok) {
    await send(interaction, renderNotice(cleaned.message));
    return { outcome: 'invalid_question', answered: false };
  }
  const limit = ctx.limiter.take(interaction.user.id);
  if (!limit.allowed) {
    await send(interaction, renderSlowDown(limit.retryAfterMs, ctx.limiter.count, ctx.limiter.windowMs / 1000));
    return { outcome: 'rate_limited', answered: false };
  }
  // Every server's questions wait in one bounded queue: when it is full, say so at once.
  if (ctx.answers.full) {
    await send(interaction, renderNotice(BUSY));
    return { outcome: 'busy', answered: false };
  }
  const isPrivate = interaction.options.getBoolean('private') ?? false;
  // Defer before any retrieval work: Discord's 3-second deadline only covers this first response.
  await deferFirst(interaction, isPrivate);
  let answer;
  try {
    answer = await ctx.answers.ask(cleaned.question);
  } catch (err) {
    if (!(err instanceof Busy)) throw err;
    await send(interaction, renderNotice(BUSY));
    return { outcome: 'busy', answered: false };
  }
  const feedbackId = feedbackIdFor(ctx, !isPrivate);
  const { rendered, shown } = composeAnswer(ctx.engine, answer, { private: isPrivate, feedbackId });
  await send(interaction, rendered, { publicNote: renderRefusalNote() });
  const answered = shown.length > 0;
  if (feedbackId && answered)
    await recordAnswer(ctx, answerRecord(feedbackId, cleaned.question, shown, interaction.guildId));
  return { outcome: answered ? 'answered' : 'refused', answered };
}
