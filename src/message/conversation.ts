/**
 * The words of the conversation features, shared by the bot and the console: the link to a chat
 * message, the line that opens an answer to one ("Ask about this"), the note on an answer posted
 * from a private one, and a chat message as a collection document ("Add to sources").
 */
import type { AddInput } from '../live/collection.js';
import { messageWords } from '../text/message-question.js';
import { LIMITS, truncate } from './limits.js';
import { discordMarkup, type Markup } from './markdown.js';
import { oneLine } from './rendered.js';

/** Longest question "Ask about this" takes from a message (as /ask's option). */
export const ASK_ABOUT_MAX = 300;

/** Discord's link to a message. */
export const messageLink = (guild: string, channel: string, message: string) =>
  `https://discord.com/channels/${guild}/${channel}/${message}`;

/** The line above an answer to a message: a link back to it. */
export function askedAboutLine(link: string, m: Markup = discordMarkup): string {
  return m.kind === 'discord' ? `Answering [this message](<${link}>):` : `Answering ${link}:`;
}

/** The line above an answer posted to the channel from a private one. */
export function sharedLine(by: string, m: Markup = discordMarkup): string {
  return truncate(`Shared by ${m.bold(m.text(oneLine(by).slice(0, 64)))} from a private answer.`, LIMITS.content);
}

/** What "Add to sources" knows of a message. */
export interface ChatMessage {
  guild: string;
  channel: string;
  /** The channel's name, when known. */
  channelName?: string;
  id: string;
  /** The author's display name. */
  author: string;
  createdAt: Date;
  text: string;
}

/** The document title of a chat message: "Message by X in #channel, 2025-01-31". */
export function messageTitle(msg: ChatMessage): string {
  const where = msg.channelName ? `#${oneLine(msg.channelName).slice(0, 100)}` : 'a channel';
  return `Message by ${oneLine(msg.author).slice(0, 80)} in ${where}, ${msg.createdAt.toISOString().slice(0, 10)}`;
}

/**
 * A chat message as a collection document: a text file named after the message (adding it again
 * replaces it), titled by who wrote it where and when, its url the message's link. The text is the
 * message's words with chat syntax removed, one paragraph per paragraph of the message.
 */
export function messageDocument(msg: ChatMessage): AddInput {
  const paragraphs = msg.text
    .replace(/\r\n?/g, '\n')
    .split(/\n\s*\n/)
    .map(messageWords)
    .filter(Boolean);
  return {
    filename: `discord-message-${msg.channel}-${msg.id}.txt`,
    bytes: new TextEncoder().encode(paragraphs.join('\n\n') + '\n'),
    title: messageTitle(msg).slice(0, 300),
    url: messageLink(msg.guild, msg.channel, msg.id),
    replace: true,
  };
}
