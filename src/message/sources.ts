/**
 * /sources as messages: each citation in its place (the Sources button), the document list, a
 * search, one document's card, and the autocomplete choices.
 */
import type { DocInfo, PassageHit, QuoteContext } from '../core/types.js';
import { ELLIPSIS, LIMITS, embedsLength, fitPrefix, fitSuffix, truncate, type EmbedData } from './limits.js';
import { discordMarkup, type Markup } from './markdown.js';
import { COLORS, fitText, oneLine, plural, type DocCounts, type Rendered } from './rendered.js';
import { OWN, fitQuotes } from './quotes.js';

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
        `${item.doc}${ctx.page ? `, p. ${ctx.page}` : ''} · paragraph ${ctx.paragraph} of ${ctx.paragraphs}${ctx.collection === 'server' ? ` · ${OWN}` : ''}`,
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

export function renderDocList(docs: readonly DocInfo[], opts: { markup?: Markup } = {}): Rendered {
  const m = opts.markup ?? discordMarkup;
  if (docs.length === 0) return { content: 'The collection is empty.', embeds: [], buttons: [], ephemeral: true };
  const lines = docs.map(
    (d) =>
      `${m.bold(fitText(m, oneLine(d.title), 150))} — ${m.code(truncate(d.doc, 120))} · ${plural(d.passages, 'passage')} · ${plural(d.words, 'word')}${d.collection === 'server' ? ` · ${OWN}` : ''}`,
  );
  const own = docs.filter((d) => d.collection === 'server').length;
  let count = lines.length;
  const build = (k: number) =>
    lines.slice(0, k).join('\n') +
    (k < lines.length ? `\n…and ${lines.length - k} more. Use /sources doc: to find one.` : '');
  let description = build(count);
  while (description.length > LIMITS.embedDescription && count > 0) description = build(--count);
  return {
    embeds: [
      {
        title: `The collection: ${plural(docs.length, 'document')}${own ? ` (${own} of them ${OWN})` : ''}`,
        description,
        color: COLORS.info,
      },
    ],
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
    ...(d.collection ? [field('Collection', d.collection === 'server' ? "This server's own" : 'The bot’s base')] : []),
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
    content: `No document matches “${fitText(m, oneLine(value), 200)}”. Use /sources without options to list them.`,
    embeds: [],
    buttons: [],
    ephemeral: true,
  };
}

/**
 * Autocomplete choices for `/sources doc` (and `/collection remove doc`): up to 25 documents whose
 * title or file name contains the text. A server's own documents are marked; where the base has a
 * document of the same name, the value names its collection (`server:report.pdf`).
 */
export function docChoices(docs: readonly DocInfo[], typed: string): { name: string; value: string }[] {
  const q = typed.trim().toLowerCase();
  const count = new Map<string, number>();
  for (const d of docs) count.set(d.doc, (count.get(d.doc) ?? 0) + 1);
  const scored: { d: DocInfo; s: number; value: string }[] = [];
  for (const d of docs) {
    const value = (count.get(d.doc) ?? 0) > 1 && d.collection ? `${d.collection}:${d.doc}` : d.doc;
    if (value.length > LIMITS.choiceValue) continue;
    const title = d.title.toLowerCase();
    const file = d.doc.toLowerCase();
    let s = -1;
    if (!q) s = 0;
    else if (title.startsWith(q) || file.startsWith(q)) s = 2;
    else if (title.includes(q) || file.includes(q)) s = 1;
    if (s >= 0) scored.push({ d, s, value });
  }
  scored.sort((a, b) => b.s - a.s);
  return scored.slice(0, LIMITS.autocompleteChoices).map(({ d, value }) => {
    const own = d.collection === 'server' ? ` · ${OWN}` : '';
    const full = `${oneLine(d.title)} (${d.doc})${own}`;
    return {
      name: truncate(full.length <= LIMITS.choiceName ? full : oneLine(d.title), LIMITS.choiceName) || d.doc,
      value,
    };
  });
}
