/**
 * Rendering shared by the bot and the local console. Every function returns a `Rendered`
 * message (content, embeds, buttons) that already fits Discord's limits; `toDiscordPayload`
 * turns it into a discord.js payload and `toPlainText` into console text.
 *
 * Fitting rules: whole lower-ranked citations are dropped first; a quote is cut only when it
 * alone cannot fit, and then the cut is marked with "…" and its `end` offset moves with it.
 */
import { ActionRowBuilder, ButtonBuilder, ButtonStyle, type APIEmbed } from 'discord.js';
import type { Answer, Citation, DocInfo, NearDoc, PassageHit, QuoteContext } from '../core/types.js';
import {
  ELLIPSIS,
  LIMITS,
  embedLength,
  embedsLength,
  fitPrefix,
  fitSuffix,
  truncate,
  type EmbedData,
} from './limits.js';
import { discordMarkup, type Markup } from './markdown.js';
import { citationLink } from './text-fragment.js';

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

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Escaped text cut so that the escaped result (plus "…") fits `max`. */
export function fitText(m: Markup, raw: string, max: number): string {
  const full = m.text(raw);
  if (full.length <= max) return full;
  const cut = fitPrefix(raw, max - 1, (p) => m.text(p).length);
  return m.text(raw.slice(0, cut)) + ELLIPSIS;
}

const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();

// ---------------------------------------------------------------------------------------------
// Quotes with [n] markers and a numbered source list (answers and /sources query)

interface QuoteItem extends PassageHit {
  /** Rank position in the engine's result (0 = best). */
  rank: number;
}

function quoteBlock(m: Markup, quote: string, cut: boolean, n: number): string {
  return `${m.blockQuote(m.text(quote) + (cut ? ELLIPSIS : ''))} [${n}]`;
}

/** A citation's place: the file, and the page of a PDF ("report.pdf, p. 4"). */
function location(m: Markup, doc: string, page: number | undefined, max = 200): string {
  return m.code(truncate(doc, max)) + (page ? `, p. ${page}` : '');
}

type Listed = { n: number; doc: string; title: string; page?: number; url?: string; quote: string };

function sourceList(m: Markup, shown: readonly (Listed & { original?: { quote: string } })[]): string {
  // One line per document, or per page of a document with pages; a title with a URL links to its first quote.
  const byPlace = new Map<string, { doc: string; page?: number; title: string; ns: number[]; link?: string }>();
  for (const c of shown) {
    const key = `${c.page ?? 0}:${c.doc}`;
    const link = citationLink({ ...c, quote: c.original?.quote ?? c.quote });
    const entry = byPlace.get(key) ?? { doc: c.doc, page: c.page, title: c.title, ns: [], link };
    entry.ns.push(c.n);
    byPlace.set(key, entry);
  }
  const lines = [...byPlace.values()].map(({ doc, page, title, ns, link }) => {
    const shownTitle = fitText(m, oneLine(title), 200);
    return `${ns.map((n) => `[${n}]`).join('')} ${link ? m.link(shownTitle, link) : shownTitle} — ${location(m, doc, page)}`;
  });
  return `${m.bold('Sources')}\n${lines.join('\n')}`;
}

function quotesDescription(m: Markup, shown: readonly (QuoteItem & { n: number; cut: boolean })[]): string {
  const quotes = shown.map((c) => quoteBlock(m, c.quote, c.cut, c.n)).join('\n\n');
  return `${quotes}\n\n${sourceList(m, shown)}`;
}

interface FittedQuotes<T extends QuoteItem> {
  shown: (T & { n: number; cut: boolean; original: T })[];
  dropped: number;
  description: string;
}

/**
 * Keep the best-ranked items whose rendering fits `budget`; renumber them 1..k in reading order.
 * Only a lone item that cannot fit by itself is cut.
 */
function fitQuotes<T extends QuoteItem>(
  m: Markup,
  items: readonly T[],
  budget: number,
  others: (desc: string) => number,
): FittedQuotes<T> {
  const inOrder = [...items];
  let kept = inOrder;
  const build = (list: readonly T[], cutQuote?: string) => {
    const shown = list.map((c, i) => {
      const cut = cutQuote !== undefined && i === 0;
      const quote = cut ? cutQuote : c.quote;
      return { ...c, n: i + 1, cut, quote, end: c.start + quote.length, original: c };
    });
    return { shown, description: quotesDescription(m, shown) };
  };
  const fits = (desc: string) => desc.length <= LIMITS.embedDescription && desc.length + others(desc) <= budget;
  let result = build(kept);
  while (!fits(result.description) && kept.length > 1) {
    // Drop the worst-ranked item still shown.
    const worst = kept.reduce((a, b) => (b.rank > a.rank ? b : a));
    kept = kept.filter((c) => c !== worst);
    result = build(kept);
  }
  if (!fits(result.description) && kept.length === 1) {
    const only = kept[0]!;
    // The longest prefix of the quote (at a word boundary) whose rendering fits.
    const cutLen = fitPrefix(only.quote, 0, (p) => (fits(build(kept, p).description) ? 0 : 1));
    result = build(kept, only.quote.slice(0, Math.max(1, cutLen)));
  }
  return { ...result, dropped: items.length - kept.length };
}

// ---------------------------------------------------------------------------------------------
// /ask

export interface AnswerRender {
  rendered: Rendered;
  /** The citations shown (renumbered, possibly cut); empty for a refusal. */
  shown: ShownCitation[];
}

export interface AnswerRenderOptions extends DocCounts {
  markup?: Markup;
  /** Private answers get no Pin button. */
  private?: boolean;
  /** Custom ID for the Sources button, from the citations actually shown; undefined → no button. */
  sourcesId?: (shown: readonly ShownCitation[]) => string | undefined;
  pinId?: string;
  /** Custom IDs of the 👍 / 👎 buttons (public answers only); undefined → no feedback buttons. */
  voteIds?: { up: string; down: string };
}

export function renderAnswer(answer: Answer, opts: AnswerRenderOptions): AnswerRender {
  const m = opts.markup ?? discordMarkup;
  if (!answer.answered || answer.citations.length === 0) {
    return { rendered: renderRefusal(answer, opts), shown: [] };
  }
  const ranked = [...answer.citations].sort((a, b) => b.score - a.score || a.n - b.n);
  const rankOf = new Map(ranked.map((c, i) => [c, i]));
  const items = [...answer.citations].sort((a, b) => a.n - b.n).map((c) => ({ ...c, rank: rankOf.get(c)!, source: c }));
  const title = fitText(m, oneLine(answer.question), LIMITS.embedTitle);
  const footerFor = (dropped: number, cut: boolean) =>
    [
      `Searched ${plural(opts.docsSearched, 'document')}`,
      dropped > 0 ? `${plural(dropped, 'lower-ranked passage')} left out to fit` : '',
      cut ? 'a long quote was shortened (…)' : '',
    ]
      .filter(Boolean)
      .join(' · ');
  const reserve = title.length + footerFor(items.length, true).length;
  const fitted = fitQuotes(m, items, LIMITS.embedTotal, () => reserve);
  const shown: ShownCitation[] = fitted.shown.map((c) => ({
    n: c.n,
    doc: c.doc,
    title: c.title,
    quote: c.quote,
    start: c.start,
    end: c.end,
    score: c.score,
    ...(c.page !== undefined && { page: c.page }),
    ...(c.url !== undefined && { url: c.url }),
    cut: c.cut,
    original: c.source,
  }));
  const embed: EmbedData = {
    title,
    description: fitted.description,
    footer: {
      text: footerFor(
        fitted.dropped,
        shown.some((c) => c.cut),
      ),
    },
    color: COLORS.answer,
  };
  const buttons: ButtonSpec[] = [];
  const sourcesId = opts.sourcesId?.(shown);
  if (sourcesId) buttons.push({ customId: sourcesId, label: 'Sources', style: 'secondary' });
  if (!opts.private && opts.pinId) buttons.push({ customId: opts.pinId, label: 'Pin', style: 'secondary' });
  if (!opts.private && opts.voteIds) {
    buttons.push(
      { customId: opts.voteIds.up, label: '👍', style: 'secondary' },
      { customId: opts.voteIds.down, label: '👎', style: 'secondary' },
    );
  }
  return { rendered: { embeds: [embed], buttons, ephemeral: !!opts.private }, shown };
}

function nearList(m: Markup, closest: readonly NearDoc[]): string[] {
  return closest.map((d) => `• ${fitText(m, oneLine(d.title), 150)} (${m.code(truncate(d.doc, 100))})`);
}

/** The friendly ephemeral reply for a question the collection does not answer. */
export function renderRefusal(
  answer: Pick<Answer, 'question' | 'closest'>,
  opts: DocCounts & { markup?: Markup },
): Rendered {
  const m = opts.markup ?? discordMarkup;
  let closest = answer.closest.slice(0, 5);
  let qMax = 300;
  const build = () => {
    const q = fitText(m, oneLine(answer.question), qMax);
    const lines = [
      `I couldn't find a passage that answers “${q}” in the ${plural(opts.docsSearched, 'document')} I searched.`,
    ];
    if (closest.length > 0) lines.push('The closest documents were:', ...nearList(m, closest));
    lines.push('Try rephrasing with words the documents would use, or browse them with /sources browse.');
    return lines.join('\n');
  };
  let content = build();
  while (content.length > LIMITS.content && closest.length > 0) {
    closest = closest.slice(0, -1);
    content = build();
  }
  while (content.length > LIMITS.content && qMax > 20) {
    qMax = Math.floor(qMax / 2);
    content = build();
  }
  return { content: truncate(content, LIMITS.content), embeds: [], buttons: [], ephemeral: true };
}

/** What replaces the public "thinking…" message when the asker gets a private refusal. */
export function renderRefusalNote(): Rendered {
  return {
    content: 'No passage in the collection answers this question; I sent the asker the closest documents privately.',
    embeds: [],
    buttons: [],
    ephemeral: false,
  };
}

// ---------------------------------------------------------------------------------------------
// Sources button: each citation in its place

export interface ContextItem {
  n: number;
  doc: string;
  ctx: QuoteContext;
}

function splitEdges(s: string): [string, string, string] {
  const lead = /^\s*/.exec(s)![0];
  const trail = /\s*$/.exec(s.slice(lead.length))![0];
  return [lead, s.slice(lead.length, s.length - trail.length), trail];
}

function contextEmbed(m: Markup, item: ContextItem, win: number, quoteLen?: number): EmbedData {
  const { ctx } = item;
  const before =
    ctx.before.length > win
      ? ELLIPSIS + ctx.before.slice(win === 0 ? ctx.before.length : fitSuffix(ctx.before, win, (s) => s.length))
      : ctx.before;
  const after =
    ctx.after.length > win
      ? ctx.after.slice(0, win === 0 ? 0 : fitPrefix(ctx.after, win, (s) => s.length)) + ELLIPSIS
      : ctx.after;
  const quote = quoteLen === undefined ? ctx.quote : ctx.quote.slice(0, quoteLen);
  const [lead, core, trail] = splitEdges(quote);
  const shownQuote = m.text(lead) + m.bold(m.text(core) + (quoteLen !== undefined ? ELLIPSIS : '')) + m.text(trail);
  return {
    title: `[${item.n}] ` + fitText(m, oneLine(ctx.title), LIMITS.embedTitle - `[${item.n}] `.length),
    description: m.text(before) + shownQuote + m.text(after),
    footer: {
      text: truncate(
        `${item.doc}${ctx.page ? `, p. ${ctx.page}` : ''} · paragraph ${ctx.paragraph} of ${ctx.paragraphs}`,
        300,
      ),
    },
    color: COLORS.sources,
  };
}

/** The ephemeral Sources view: every citation with the sentences around it. */
export function renderSourcesView(
  items: readonly ContextItem[],
  opts: { markup?: Markup; invalid?: number } = {},
): Rendered {
  const m = opts.markup ?? discordMarkup;
  if (items.length === 0) {
    return {
      content:
        'These sources could not be found any more (the collection may have changed). Ask again to get fresh citations.',
      embeds: [],
      buttons: [],
      ephemeral: true,
    };
  }
  const content = opts.invalid
    ? `${plural(opts.invalid, 'citation')} could not be verified and ${opts.invalid === 1 ? 'was' : 'were'} left out.`
    : undefined;
  let list = items.slice(0, LIMITS.embedsPerMessage);
  const fits = (embeds: EmbedData[]) =>
    embeds.every((e) => (e.description?.length ?? 0) <= LIMITS.embedDescription) &&
    embedsLength(embeds) <= LIMITS.embedTotal;
  for (;;) {
    for (const win of [600, 300, 150, 60, 0]) {
      const embeds = list.map((it) => contextEmbed(m, it, win));
      if (fits(embeds)) return { content, embeds, buttons: [], ephemeral: true };
    }
    if (list.length === 1) break;
    list = list.slice(0, -1);
  }
  // One quote alone is too long: cut it.
  const only = list[0]!;
  const cut = fitPrefix(only.ctx.quote, 0, (p) => (fits([contextEmbed(m, only, 0, p.length)]) ? 0 : 1));
  return { content, embeds: [contextEmbed(m, only, 0, Math.max(1, cut))], buttons: [], ephemeral: true };
}

// ---------------------------------------------------------------------------------------------
// /sources

export function renderDocList(docs: readonly DocInfo[], opts: { markup?: Markup } = {}): Rendered {
  const m = opts.markup ?? discordMarkup;
  if (docs.length === 0) return { content: 'The collection is empty.', embeds: [], buttons: [], ephemeral: true };
  const lines = docs.map(
    (d) =>
      `${m.bold(fitText(m, oneLine(d.title), 150))} — ${m.code(truncate(d.doc, 120))} · ${plural(d.passages, 'passage')} · ${plural(d.words, 'word')}`,
  );
  let count = lines.length;
  const build = (k: number) =>
    lines.slice(0, k).join('\n') +
    (k < lines.length ? `\n…and ${lines.length - k} more. Use /sources browse doc: to find one.` : '');
  let description = build(count);
  while (description.length > LIMITS.embedDescription && count > 0) description = build(--count);
  return {
    embeds: [{ title: `The collection: ${plural(docs.length, 'document')}`, description, color: COLORS.info }],
    buttons: [],
    ephemeral: true,
  };
}

export function renderSearch(
  query: string,
  hits: readonly PassageHit[],
  opts: DocCounts & { markup?: Markup },
): Rendered {
  const m = opts.markup ?? discordMarkup;
  if (hits.length === 0) {
    return {
      content: `No passages match “${fitText(m, oneLine(query), 300)}”.`,
      embeds: [],
      buttons: [],
      ephemeral: true,
    };
  }
  const title = fitText(m, `Passages matching “${oneLine(query)}”`, LIMITS.embedTitle);
  const items = hits.map((h, i) => ({ ...h, rank: i }));
  const footerFor = (k: number) =>
    `Top ${plural(k, 'passage')} from ${plural(opts.docsSearched, 'document')} · a lookup, not an answer`;
  const fitted = fitQuotes(m, items, LIMITS.embedTotal, () => title.length + footerFor(items.length).length);
  return {
    embeds: [
      { title, description: fitted.description, footer: { text: footerFor(fitted.shown.length) }, color: COLORS.info },
    ],
    buttons: [],
    ephemeral: true,
  };
}

function httpUrl(url: string | undefined): string | undefined {
  if (!url || url.length > 2048) return undefined;
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.toString() : undefined;
  } catch {
    return undefined;
  }
}

export function renderDocCard(d: DocInfo, opts: { markup?: Markup } = {}): Rendered {
  const m = opts.markup ?? discordMarkup;
  const field = (name: string, value: string, inline = true) => ({
    name,
    value: truncate(value, LIMITS.embedFieldValue),
    inline,
  });
  const fields = [
    field('File', m.code(truncate(d.doc, 500))),
    field('Passages', String(d.passages)),
    field('Words', String(d.words)),
  ];
  if (d.outlet) fields.push(field('Outlet', fitText(m, oneLine(d.outlet), 500)));
  if (d.published) fields.push(field('Published', fitText(m, oneLine(d.published), 200)));
  const url = httpUrl(d.url);
  if (m.kind === 'plain' && url) fields.push(field('URL', url, false));
  const embed: EmbedData = { title: fitText(m, oneLine(d.title), LIMITS.embedTitle), fields, color: COLORS.info };
  if (url && m.kind === 'discord') embed.url = url;
  return { embeds: [embed], buttons: [], ephemeral: true };
}

export function renderUnknownDoc(value: string, opts: { markup?: Markup } = {}): Rendered {
  const m = opts.markup ?? discordMarkup;
  return {
    content: `No document matches “${fitText(m, oneLine(value), 200)}”. Use /sources browse without options to list them.`,
    embeds: [],
    buttons: [],
    ephemeral: true,
  };
}

/** Autocomplete choices for `/sources doc`: up to 25 documents whose title or file name contains the text. */
export function docChoices(docs: readonly DocInfo[], typed: string): { name: string; value: string }[] {
  const q = typed.trim().toLowerCase();
  const scored: { d: DocInfo; s: number }[] = [];
  for (const d of docs) {
    if (d.doc.length > LIMITS.choiceValue) continue;
    const title = d.title.toLowerCase();
    const file = d.doc.toLowerCase();
    let s = -1;
    if (!q) s = 0;
    else if (title.startsWith(q) || file.startsWith(q)) s = 2;
    else if (title.includes(q) || file.includes(q)) s = 1;
    if (s >= 0) scored.push({ d, s });
  }
  scored.sort((a, b) => b.s - a.s);
  return scored.slice(0, LIMITS.autocompleteChoices).map(({ d }) => ({
    name:
      truncate(
        `${oneLine(d.title)} (${d.doc})`.length <= LIMITS.choiceName
          ? `${oneLine(d.title)} (${d.doc})`
          : oneLine(d.title),
        LIMITS.choiceName,
      ) || d.doc,
    value: d.doc,
  }));
}

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

// ---------------------------------------------------------------------------------------------
// Output adapters

export interface DiscordPayload {
  content?: string;
  embeds: APIEmbed[];
  components: ActionRowBuilder<ButtonBuilder>[];
  allowedMentions: { parse: [] };
}

/** Clamp anything that slipped past a renderer (it should not happen; this is the last guard). */
function clampEmbeds(embeds: readonly EmbedData[]): EmbedData[] {
  const out = embeds.slice(0, LIMITS.embedsPerMessage).map((e) => {
    const c: EmbedData = { ...e };
    if (c.title !== undefined) c.title = truncate(c.title, LIMITS.embedTitle);
    if (c.description !== undefined) c.description = truncate(c.description, LIMITS.embedDescription);
    if (c.footer) c.footer = { text: truncate(c.footer.text, LIMITS.embedFooter) };
    if (c.fields)
      c.fields = c.fields.slice(0, LIMITS.embedFields).map((f) => ({
        name: truncate(f.name || '\u200b', LIMITS.embedFieldName),
        value: truncate(f.value || '\u200b', LIMITS.embedFieldValue),
        inline: f.inline,
      }));
    return c;
  });
  while (out.length > 1 && embedsLength(out) > LIMITS.embedTotal) out.pop();
  const first = out[0];
  if (first && embedLength(first) > LIMITS.embedTotal && first.description) {
    first.description = truncate(
      first.description,
      Math.max(1, first.description.length - (embedLength(first) - LIMITS.embedTotal)),
    );
  }
  return out;
}

export function toDiscordPayload(r: Rendered): DiscordPayload {
  const rows: ActionRowBuilder<ButtonBuilder>[] = [];
  const buttons = r.buttons.slice(0, LIMITS.buttonsPerRow * LIMITS.rowsPerMessage);
  for (let i = 0; i < buttons.length; i += LIMITS.buttonsPerRow) {
    rows.push(
      new ActionRowBuilder<ButtonBuilder>().addComponents(
        buttons.slice(i, i + LIMITS.buttonsPerRow).map((b) =>
          new ButtonBuilder()
            .setCustomId(b.customId)
            .setLabel(truncate(b.label, LIMITS.buttonLabel))
            .setStyle(b.style === 'primary' ? ButtonStyle.Primary : ButtonStyle.Secondary),
        ),
      ),
    );
  }
  const payload: DiscordPayload = {
    embeds: clampEmbeds(r.embeds) as APIEmbed[],
    components: rows,
    allowedMentions: { parse: [] },
  };
  if (r.content !== undefined) payload.content = truncate(r.content, LIMITS.content);
  return payload;
}

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
