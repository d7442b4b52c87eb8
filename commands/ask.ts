/**
 * /ask question:<3–300 chars> [private:<bool>] — verbatim, cited quotes: in a server from its own
 * documents and the base collection (unless the server hides it), in a DM from the base.
 */
import { SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import { QUESTION_MAX, QUESTION_MIN, cleanQuestion, composeAnswer } from '../src/message/compose.js';
import { feedbackIdFor, recordAnswer } from '../src/discord/feedback.js';
import { deferFirst, send } from '../src/discord/respond.js';
import { engineFor } from '../src/discord/guild.js';
import type { BotContext, HandlerResult } from '../src/discord/types.js';
import { renderRefusalNote } from '../src/message/answer.js';
import { renderNotice, renderSlowDown } from '../src/message/rendered.js';
import { answerRecord } from '../src/message/record.js';

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
  const isPrivate = interaction.options.getBoolean('private') ?? false;
  // Defer before any retrieval work: Discord's 3-second deadline only covers this first response.
  await deferFirst(interaction, isPrivate);
  // This server's documents and the base (a DM: the base alone).
  const engine = await engineFor(ctx, interaction.guildId);
  const answer = await ctx.answers.ask(cleaned.question, engine);
  const feedbackId = feedbackIdFor(ctx, !isPrivate);
  const { rendered, shown } = composeAnswer(engine, answer, {
    private: isPrivate,
    feedbackId,
    guild: interaction.guildId,
  });
  await send(interaction, rendered, { publicNote: renderRefusalNote() });
  const answered = shown.length > 0;
  if (feedbackId && answered)
    await recordAnswer(ctx, answerRecord(feedbackId, cleaned.question, shown, interaction.guildId));
  return { outcome: answered ? 'answered' : 'refused', answered };
}
