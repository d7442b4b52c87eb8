/**
 * Apps → Add to sources, on any message, for members with Manage Server (the command's default
 * permission, and checked again on every use): the message's text becomes a document of the
 * server's collection, titled "Message by X in #channel, date", its url the message's link, so
 * answers that cite it link back to it. Adding the same message again replaces it (edited since).
 * Replies are ephemeral; each addition is logged with who made it, as /sources add.
 */
import {
  ApplicationCommandType,
  ContextMenuCommandBuilder,
  InteractionContextType,
  PermissionFlagsBits,
  type Message,
  type MessageContextMenuCommandInteraction,
} from 'discord.js';
import { deferFirst, send } from '../src/discord/respond.js';
import type { BotContext, HandlerResult } from '../src/discord/types.js';
import { messageDocument } from '../src/message/conversation.js';
import { addReply, editOutcome } from '../src/message/guild-edit.js';
import { toData } from '../src/live/guild-edit.js';
import { renderNotice } from '../src/message/rendered.js';
import { messageWords } from '../src/text/message-question.js';

export const data = new ContextMenuCommandBuilder()
  .setName('Add to sources')
  .setType(ApplicationCommandType.Message)
  .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
  .setContexts(InteractionContextType.Guild);

/** The text with member and channel mentions written as names (they would otherwise be ids). */
function readable(i: MessageContextMenuCommandInteraction, m: Message): string {
  return m.content
    .replace(/<@!?(\d+)>/g, (all, id: string) => {
      const u = m.mentions.users.get(id);
      return u ? `@${u.displayName}` : all;
    })
    .replace(/<#(\d+)>/g, (all, id: string) => {
      const c = i.client.channels.cache.get(id);
      return c && 'name' in c && c.name ? `#${c.name}` : all;
    });
}

export async function execute(
  interaction: MessageContextMenuCommandInteraction,
  ctx: BotContext,
): Promise<HandlerResult> {
  const i = interaction;
  const say = async (text: string, outcome: string): Promise<HandlerResult> => {
    await send(i, renderNotice(text));
    return { outcome };
  };
  // Discord's own computation for this member in this channel, on every use.
  if (!i.inGuild() || !i.memberPermissions?.has(PermissionFlagsBits.ManageGuild)) {
    ctx.log.info('source_edit_refused', { action: 'add_message', by: i.user.id, guild: i.guildId });
    return say('Only members with the **Manage Server** permission can add messages to the sources.', 'add_denied');
  }
  // The message goes to this server's own collection, never the base (nor another server's).
  const guilds = ctx.guilds;
  if (!guilds)
    return say('Messages cannot be added on this bot (servers have no collections of their own).', 'add_off');
  const target = i.targetMessage;
  const text = readable(i, target);
  if (!messageWords(text)) return say('That message has no text to add.', 'add_empty');
  await deferFirst(i, true);
  const channel = i.channel && 'name' in i.channel ? (i.channel.name ?? undefined) : undefined;
  const input = messageDocument({
    guild: i.guildId,
    channel: target.channelId,
    channelName: channel,
    id: target.id,
    author: target.member?.displayName ?? target.author.displayName,
    createdAt: target.createdAt,
    text,
  });
  if (ctx.editLimiter && !ctx.editLimiter.take(i.guildId).allowed)
    return say('This server has made too many edits in the last hour; try again later.', 'rate_limited');
  const outcome = await guilds.edit({
    kind: 'add',
    guild: i.guildId,
    by: i.user.id,
    filename: input.filename,
    data: toData(input.bytes),
    title: input.title,
    url: input.url,
    replace: true,
  });
  const info = outcome.doc ? (await guilds.engineFor(i.guildId)).document(outcome.doc, 'server') : undefined;
  const result = editOutcome('add', outcome);
  ctx.log.info(outcome.ok ? (outcome.replaced ? 'source_replaced' : 'source_added') : 'collection_edit_refused', {
    action: 'add_message',
    guild: i.guildId,
    doc: outcome.doc ?? input.filename,
    bytes: input.bytes.length,
    by: i.user.id,
    by_name: i.user.username,
    from_message: target.id,
    outcome: result,
    ...(outcome.message && { reason: outcome.message.slice(0, 200) }),
  });
  if (!outcome.ok && outcome.message && /no passages I could quote/.test(outcome.message))
    return say('That message is too short to quote as a source (it needs a sentence or more of text).', 'add_refused');
  return say(addReply(outcome, info), result);
}
