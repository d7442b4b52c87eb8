/**
 * Button handlers. Custom IDs carry no trust (see ids.ts): Sources re-validates every span
 * through the engine of the server where it is clicked (one naming another server is refused);
 * Pin acts only on the message the button is attached to and checks the
 * clicking member's and the bot's PIN_MESSAGES permission in that channel on every click.
 */
import { DiscordAPIError, MessageFlags, PermissionFlagsBits, Routes, type ButtonInteraction } from 'discord.js';
import { composeSourcesView } from '../message/compose.js';
import { handleVote } from './feedback.js';
import { parseCustomId } from '../message/ids.js';
import { isConversationId } from '../message/conversation-ids.js';
import { handleConversationButton } from './conversation.js';
import { deferFirst, send } from './respond.js';
import { engineFor } from './guild.js';
import type { BotContext, HandlerResult } from './types.js';
import { renderNotice } from '../message/rendered.js';

/** Discord JSON error codes the Pin button explains. */
export const DISCORD_ERRORS = {
  unknownMessage: 10008,
  maxPins: 30003,
  missingAccess: 50001,
  missingPermissions: 50013,
} as const;

export async function handleButton(i: ButtonInteraction, ctx: BotContext): Promise<HandlerResult> {
  if (isConversationId(i.customId)) return handleConversationButton(i, ctx);
  const parsed = parseCustomId(i.customId);
  if (!parsed) {
    await send(i, renderNotice('This button is not valid any more.'));
    return { outcome: 'invalid_button' };
  }
  if (parsed.kind === 'sources') {
    // A server's own documents are shown only in that server.
    if (parsed.guild && parsed.guild !== i.guildId) {
      await send(i, renderNotice('These sources belong to an answer in another server.'));
      return { outcome: 'sources_foreign' };
    }
    await deferFirst(i, true);
    const view = composeSourcesView(await engineFor(ctx, i.guildId), parsed.items, undefined, i.guildId);
    await send(i, view);
    return { outcome: view.embeds.length ? 'sources' : 'sources_invalid' };
  }
  if (parsed.kind === 'vote') return handleVote(i, ctx, parsed.answer, parsed.vote);
  return pin(i, ctx);
}

async function pin(i: ButtonInteraction, ctx: BotContext): Promise<HandlerResult> {
  await deferFirst(i, true);
  const say = async (text: string, outcome: string): Promise<HandlerResult> => {
    await send(i, renderNotice(text));
    return { outcome };
  };
  const message = i.message;
  if (!i.inGuild()) return say('Answers can only be pinned in a server channel.', 'pin_not_guild');
  if (message.author.id !== i.client.user.id) return say('I can only pin my own answers.', 'pin_foreign');
  if (message.flags.has(MessageFlags.Ephemeral)) return say('Private answers cannot be pinned.', 'pin_ephemeral');
  // memberPermissions / appPermissions are Discord's own computation for this channel, overwrites included.
  if (!i.memberPermissions?.has(PermissionFlagsBits.PinMessages)) {
    return say('You need the **Pin Messages** permission in this channel to pin answers.', 'pin_member_denied');
  }
  if (!i.appPermissions.has(PermissionFlagsBits.PinMessages)) {
    return say(
      'I need the **Pin Messages** permission in this channel to pin answers; ask a moderator to grant it to me.',
      'pin_bot_denied',
    );
  }
  if (message.pinned) return say('This answer is already pinned.', 'pin_already');
  try {
    const reason = `Pinned by ${i.user.username} with the Pin button`;
    if (message.channel) await message.pin(reason);
    else await i.client.rest.put(Routes.channelMessagesPin(message.channelId, message.id), { reason });
  } catch (err) {
    if (err instanceof DiscordAPIError) {
      if (err.code === DISCORD_ERRORS.maxPins) {
        return say("This channel has reached Discord's pin limit; unpin an older message first.", 'pin_limit');
      }
      if (err.code === DISCORD_ERRORS.missingPermissions || err.code === DISCORD_ERRORS.missingAccess) {
        return say(
          'I need the **Pin Messages** permission in this channel to pin answers; ask a moderator to grant it to me.',
          'pin_bot_denied',
        );
      }
      if (err.code === DISCORD_ERRORS.unknownMessage) return say('That answer no longer exists.', 'pin_gone');
    }
    throw err;
  }
  ctx.log.debug('pinned', { message: message.id, channel: message.channelId });
  return say('Pinned this answer to the channel. 📌', 'pinned');
}
