/**
 * A rendered message, platform-neutral: content, embeds and buttons that already fit Discord's
 * limits, shared by the bot and the local console. The renderers (answer.ts, sources.ts, the small
 * messages here) build it; `src/discord/payload.ts` turns it into a discord.js payload and
 * `toPlainText` into console text.
 */
import type { Citation } from '../core/types.js';
import { ELLIPSIS, LIMITS, fitPrefix, truncate, type EmbedData } from './limits.js';
import { type Markup } from './markdown.js';

export const COLORS = { answer: 0x3b82f6, info: 0x64748b, sources: 0x10b981 } as const;

export interface ButtonSpec {
  customId: string;
  label: string;
  style: 'primary' | 'secondary';
}

export interface Rendered {
  content?: string;
  embeds: EmbedData[];
  buttons: ButtonSpec[];
  ephemeral: boolean;
}

/** A citation as shown: renumbered 1..k, possibly cut (then `quote`/`end` describe the shown prefix). */
export interface ShownCitation extends Citation {
  cut: boolean;
  /** The citation as the engine returned it. */
  original: Citation;
}

export interface DocCounts {
  /** Documents in the collection (the footer's "searched N documents"). */
  docsSearched: number;
}

export const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Escaped text cut so that the escaped result (plus "…") fits `max`. */
export function fitText(m: Markup, raw: string, max: number): string {
  const full = m.text(raw);
  if (full.length <= max) return full;
  const cut = fitPrefix(raw, max - 1, (p) => m.text(p).length);
  return m.text(raw.slice(0, cut)) + ELLIPSIS;
}

export const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();

// ---------------------------------------------------------------------------------------------
// Small messages

export function renderNotice(content: string, ephemeral = true): Rendered {
  return { content: truncate(content, LIMITS.content), embeds: [], buttons: [], ephemeral };
}

export function renderSlowDown(retryAfterMs: number, count: number, windowS: number): Rendered {
  const s = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return renderNotice(
    `Slow down a little: you can ask again in ${plural(s, 'second')} (limit: ${count} questions per ${windowS} s).`,
  );
}

export const APOLOGY = 'Sorry, something went wrong while handling that. Please try again in a moment.';

/** The console's text for a rendered message (buttons are not shown). */
export function toPlainText(r: Rendered): string {
  const parts: string[] = [];
  if (r.content) parts.push(r.content);
  for (const e of r.embeds) {
    const lines: string[] = [];
    if (e.title) lines.push(e.title, '-'.repeat(Math.min(60, Math.max(3, e.title.length))));
    if (e.url) lines.push(e.url);
    if (e.description) lines.push(e.description);
    for (const f of e.fields ?? []) lines.push(`${f.name}: ${f.value}`);
    if (e.footer) lines.push('', e.footer.text);
    parts.push(lines.join('\n'));
  }
  return parts.join('\n\n');
}
