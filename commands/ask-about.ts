/**
 * Apps → Ask about this, on any message: its text is the question (a long message: its question
 * sentence, or its first 300 characters), answered in public like /ask, opening with a link to
 * the message it answers. The interaction carries the message: no privileged intent is needed.
 */
import {
  ApplicationCommandType,
  ContextMenuCommandBuilder,
  type Message,
  type MessageContextMenuCommandInteraction,
} from 'discord.js';
import { answerQuestion } from '../src/discord/answering.js';
import { send } from '../src/discord/respond.js';
import type { BotContext, HandlerResult } from '../src/discord/types.js';
import { cleanQuestion } from '../src/message/compose.js';
import { ASK_ABOUT_MAX, askedAboutLine, messageLink } from '../src/message/conversation.js';
import { renderNotice } from '../src/message/rendered.js';
import { questionFromMessage } from '../src/text/message-question.js';

export const data = new ContextMenuCommandBuilder().setName('Ask about this').setType(ApplicationCommandType.Message);

/** The message's own text; a message that is only an embed (another bot's post) by the embed's text. */
function textOf(m: Message): string {
  if (m.content.trim()) return m.content;
  const e = m.embeds[0];
  return [e?.title, e?.description].filter(Boolean).join('. ');
}

export async function execute(
  interaction: MessageContextMenuCommandInteraction,
  ctx: BotContext,
): Promise<HandlerResult> {
  const target = interaction.targetMessage;
  const cleaned = cleanQuestion(questionFromMessage(textOf(target), ASK_ABOUT_MAX));
  if (!cleaned.ok) {
    await send(interaction, renderNotice('That message has no text I can ask about (a question needs a few words).'));
    return { outcome: 'invalid_question', answered: false };
  }
  const link = interaction.guildId ? messageLink(interaction.guildId, target.channelId, target.id) : target.url;
  return answerQuestion(interaction, ctx, { question: cleaned.question, private: false, intro: askedAboutLine(link) });
}
