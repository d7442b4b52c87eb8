/**
 * The conversation buttons and form: Follow up (opens a one-field form; its answer follows the
 * earlier question, with the same visibility) and Post to channel (a private answer posted
 * publicly, with Sources, Pin and votes, once). Custom IDs carry only a key (conversation-ids.ts);
 * the conversation must exist in this process and belong to the server the click comes from.
 */
import {
  LabelBuilder,
  ModalBuilder,
  TextInputBuilder,
  TextInputStyle,
  type ButtonInteraction,
  type ModalSubmitInteraction,
} from 'discord.js';
import { cleanQuestion, composeAnswer, QUESTION_MAX, QUESTION_MIN } from '../message/compose.js';
import { followUpFormId, followUpId, parseConversationId } from '../message/conversation-ids.js';
import { sharedLine } from '../message/conversation.js';
import { truncate } from '../message/limits.js';
import { answerRecord } from '../message/record.js';
import { oneLine, renderNotice } from '../message/rendered.js';
import { answerQuestion } from './answering.js';
import { newConversationKey, type Conversation } from './conversations.js';
import { feedbackIdFor, recordAnswer } from './feedback.js';
import { toDiscordPayload } from './payload.js';
import { send } from './respond.js';
import type { BotContext, HandlerResult } from './types.js';
import { engineFor } from './guild.js';

/** The form's one field. */
export const FOLLOW_UP_FIELD = 'question';

const EXPIRED =
  'I no longer have the context of this answer (answers are kept for a day, and not across restarts); please ask again with /ask.';

/** The conversation of `key`, if it exists and belongs to the server the interaction comes from. */
function conversationFor(ctx: BotContext, key: string, guild: string | null): Conversation | undefined {
  const c = ctx.conversations?.get(key);
  return c && c.guild === guild ? c : undefined;
}

export async function handleConversationButton(i: ButtonInteraction, ctx: BotContext): Promise<HandlerResult> {
  const id = parseConversationId(i.customId);
  if (!id || id.kind === 'form') {
    await send(i, renderNotice('This button is not valid any more.'));
    return { outcome: 'invalid_button' };
  }
  const c = conversationFor(ctx, id.key, i.guildId);
  if (!c) {
    await send(i, renderNotice(EXPIRED));
    return { outcome: `${id.kind}_expired` };
  }
  return id.kind === 'followup' ? openForm(i, id.key, c) : post(i, ctx, id.key);
}

/** The form, at once (a modal must be the first response; it cannot follow a defer). */
async function openForm(i: ButtonInteraction, key: string, c: Conversation): Promise<HandlerResult> {
  const input = new TextInputBuilder()
    .setCustomId(FOLLOW_UP_FIELD)
    .setStyle(TextInputStyle.Short)
    .setMinLength(QUESTION_MIN)
    .setMaxLength(QUESTION_MAX)
    .setRequired(true)
    .setPlaceholder('e.g. what did they say about …');
  const label = new LabelBuilder()
    .setLabel('Your follow-up question')
    .setDescription(truncate(`After: ${oneLine(c.question)}`, 100))
    .setTextInputComponent(input);
  await i.showModal(
    new ModalBuilder().setCustomId(followUpFormId(key)).setTitle('Follow up').addLabelComponents(label),
  );
  return { outcome: 'followup_form' };
}

/** The follow-up form submitted: answered with the earlier question as context. */
export async function handleFollowUpForm(i: ModalSubmitInteraction, ctx: BotContext): Promise<HandlerResult> {
  const id = parseConversationId(i.customId);
  if (!id || id.kind !== 'form') {
    await send(i, renderNotice('This form is not valid any more.'));
    return { outcome: 'invalid_form' };
  }
  const c = conversationFor(ctx, id.key, i.guildId);
  if (!c) {
    await send(i, renderNotice(EXPIRED));
    return { outcome: 'form_expired' };
  }
  let raw = '';
  try {
    raw = i.fields.getTextInputValue(FOLLOW_UP_FIELD);
  } catch {
    // A form without the field (a forged or outdated one) is an empty question.
  }
  const cleaned = cleanQuestion(raw);
  if (!cleaned.ok) {
    await send(i, renderNotice(cleaned.message));
    return { outcome: 'invalid_question', answered: false };
  }
  return answerQuestion(i, ctx, { question: cleaned.question, private: c.private, earlier: c.question });
}

/** Post to channel: the private message loses the button (type 7, at once), then the answer goes out publicly. */
async function post(i: ButtonInteraction, ctx: BotContext, key: string): Promise<HandlerResult> {
  const store = ctx.conversations!;
  const claim = store.claimPost(key);
  if (!claim.ok) {
    await send(i, renderNotice(claim.reason === 'posted' ? 'This answer is already in the channel.' : EXPIRED));
    return { outcome: `post_${claim.reason}` };
  }
  const { answer, conversation } = claim;
  const engine = await engineFor(ctx, i.guildId);
  const privately = composeAnswer(engine, answer, { private: true, followUpId: followUpId(key), guild: i.guildId });
  await i.update(toDiscordPayload(privately.rendered));
  const publicKey = newConversationKey();
  const feedbackId = feedbackIdFor(ctx, true);
  const { rendered, shown } = composeAnswer(engine, answer, {
    feedbackId,
    followUpId: followUpId(publicKey),
    guild: i.guildId,
  });
  const by = i.inCachedGuild() ? i.member.displayName : i.user.displayName;
  const message = await i.followUp({ ...toDiscordPayload(rendered), content: sharedLine(by) });
  store.keep(publicKey, { question: conversation.question, guild: i.guildId, private: false });
  store.attach(publicKey, message.id);
  if (feedbackId) await recordAnswer(ctx, answerRecord(feedbackId, answer.question, shown, i.guildId));
  ctx.log.debug('posted', { message: message.id, channel: i.channelId });
  return { outcome: 'posted', answered: true };
}
