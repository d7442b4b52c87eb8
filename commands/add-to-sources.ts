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
import { CollectionEditError } from '../src/live/collection.js';
import { messageDocument } from '../src/message/conversation.js';
import { addSource } from '../src/message/edit.js';
import { renderNotice } from '../src/message/rendered.js';
import { messageWords } from '../src/text/message-question.js';
import { type LiveCollection } from '../src/live/live-collection.js';

export const data = new ContextMenuCommandBuilder()
  .setName('Add to sources')
  .setType(ApplicationCommandType.Message)
  .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
  .setContexts(InteractionContextType.Guild);

/**
 * The collection a server's additions go to. INTEGRATION POINT: with per-server collections this
 * resolves the server's own editor by `guild`; until then the bot's one collection.
 */
export function collectionFor(ctx: BotContext, _guild: string): LiveCollection | undefined {
  return ctx.collection;
}

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
  const collection = collectionFor(ctx, i.guildId);
  if (!collection) return say('Messages cannot be added on this bot (its collection is not editable).', 'add_off');
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
  try {
    const r = await addSource(ctx.engine, collection, input);
    ctx.log.info(r.outcome === 'replaced' ? 'source_replaced' : 'source_added', {
      doc: r.doc,
      bytes: input.bytes.length,
      by: i.user.id,
      by_name: i.user.username,
      guild: i.guildId,
      from_message: target.id,
      indexed: r.outcome === 'added' || r.outcome === 'replaced',
    });
    return say(r.text, r.outcome);
  } catch (err) {
    if (!(err instanceof CollectionEditError)) throw err;
    ctx.log.info('source_edit_refused', { action: 'add_message', by: i.user.id, reason: err.message.slice(0, 200) });
    const short = /no passages I could quote/.test(err.message);
    return say(
      short ? 'That message is too short to quote as a source (it needs a sentence or more of text).' : err.message,
      'add_refused',
    );
  }
}
