/**
 * /ask question:<3–300 chars> [private:<bool>] — verbatim, cited quotes from the collection.
 * In a server from its own documents and the base collection (unless the server hides it), in a DM
 * from the base. Inside a thread started from an answer, the question follows up that answer's question.
 */
import { SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import { QUESTION_MAX, QUESTION_MIN, cleanQuestion } from '../src/message/compose.js';
import { answerQuestion } from '../src/discord/answering.js';
import { send } from '../src/discord/respond.js';
import { countQuestion } from '../src/discord/questions.js';
import type { BotContext, HandlerResult } from '../src/discord/types.js';
import { renderNotice } from '../src/message/rendered.js';

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
    countQuestion(ctx, 'invalid');
    return { outcome: 'invalid_question', answered: false };
  }
  const isPrivate = interaction.options.getBoolean('private') ?? false;
  // In a thread started from an answer (its id is the answer message's): a follow-up of that answer.
  const started = ctx.conversations?.startedFrom(interaction.channelId);
  const earlier = started && started.guild === interaction.guildId ? started.question : undefined;
  return answerQuestion(interaction, ctx, { question: cleaned.question, private: isPrivate, earlier });
}
