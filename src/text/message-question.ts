/**
 * The question in a chat message (for "Ask about this"): the message's words without chat syntax
 * (mentions, custom emoji, timestamps, links, markdown marks), all of them when they fit; else
 * its first question sentence that fits; else its first `max` characters, cut at a word.
 */

/** Chat syntax that is not words: `<@id>`, `<#id>`, `<@&id>`, `<:name:id>`, `<t:…>`, and web addresses. */
const NOT_WORDS = [/<(?:@[!&]?|#)\d+>/g, /<a?:[\w~-]+:\d+>/g, /<t:-?\d+(?::[a-zA-Z])?>/g, /<?https?:\/\/[^\s>]+>?/g];

/** The message's words as plain text: syntax removed, a masked link kept as its text, white space folded. */
export function messageWords(raw: string): string {
  let text = raw.replace(/\[([^\]\n]{1,200})\]\(<?https?:\/\/[^\s)>]+>?\)/g, '$1');
  for (const re of NOT_WORDS) text = text.replace(re, ' ');
  return (
    text
      // Quote, heading and subtext marks open a line; emphasis, spoiler, strike and code marks wrap words.
      .replace(/^[ \t]*(?:>>>|>|#{1,3}|-#)[ \t]+/gm, '')
      .replace(/```[\w+-]*\n?/g, ' ')
      .replace(/(\*\*?|__|~~|\|\||`)/g, '')
      .replace(/\s+/g, ' ')
      .trim()
  );
}

/** The question a message asks (see the file comment); '' when it has no words. */
export function questionFromMessage(raw: string, max: number): string {
  const text = messageWords(raw);
  if (text.length <= max) return text;
  const sentences = text.match(/[^.!?]+(?:[.!?]+["”’)]*|$)/g) ?? [];
  const question = sentences.map((s) => s.trim()).find((s) => s.endsWith('?') && s.length >= 3 && s.length <= max);
  if (question) return question;
  const head = text.slice(0, max + 1);
  const space = head.lastIndexOf(' ');
  return (space > max / 2 ? head.slice(0, space) : text.slice(0, max)).trim();
}
