/**
 * Markup for the two outputs that share one renderer: Discord (markdown, escaped) and the
 * local console (plain text, nothing escaped). Source text is shown literally in both.
 */

export interface Markup {
  readonly kind: 'discord' | 'plain';
  /** Verbatim text that must show literally (quotes, titles, questions). */
  text(s: string): string;
  /** Emphasis around text that is already escaped. */
  bold(escaped: string): string;
  /** A file name or other identifier. */
  code(s: string): string;
  /** Prefix every line with the block-quote marker. */
  blockQuote(escaped: string): string;
  /** Text that is already escaped, leading to `url` (an http(s) URL with no spaces or parentheses). */
  link(escaped: string, url: string): string;
  /** A bare URL (in Discord: without a preview card). */
  url(url: string): string;
}

/** Characters Discord markdown gives a meaning anywhere in a line. */
const INLINE = /[\\*_~`|<>[\]()]/g;

/**
 * Escape Discord markdown so `s` renders literally: emphasis, spoilers, code, links, mentions
 * (`<@id>`, `<#id>`, `<t:…>`), `@everyone`/`@here`, and line-start syntax (headings, lists, quotes).
 */
export function escapeMarkdown(s: string): string {
  return s
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) =>
      line
        .replace(INLINE, '\\$&')
        .replace(/@(?=everyone|here)/gi, '\\@')
        .replace(/^(\s*)(#{1,3}\s|-#\s|[-+]\s|\d+\.\s)/, (_m, ws: string, mark: string) => {
          // Headings, subtext, bullet and numbered lists only start a line: escape their first character.
          if (/^\d/.test(mark)) return ws + mark.replace('.', '\\.');
          return ws + '\\' + mark;
        }),
    )
    .join('\n');
}

/** Both outputs quote the same way: every line behind "> ". */
const blockQuote = (s: string): string =>
  s
    .split('\n')
    .map((l) => `> ${l}`)
    .join('\n');

export const discordMarkup: Markup = {
  kind: 'discord',
  text: escapeMarkdown,
  bold: (s) => (s ? `**${s}**` : s),
  code: (s) => (s.includes('`') || s.includes('\n') || s.length === 0 ? escapeMarkdown(s) : `\`${s}\``),
  blockQuote,
  link: (s, url) => `[${s}](<${url}>)`,
  url: (url) => `<${url}>`,
};

export const plainMarkup: Markup = {
  kind: 'plain',
  text: (s) => s.replace(/\r\n?/g, '\n'),
  bold: (s) => s,
  code: (s) => s,
  blockQuote,
  link: (s, url) => `${s} <${url}>`,
  url: (url) => url,
};
