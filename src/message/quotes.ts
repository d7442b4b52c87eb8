/**
 * Quotes with [n] markers and a numbered source list, fitted to a message: used by answers and
 * by /sources searches. Fitting rules: whole lower-ranked citations are dropped first; a quote is
 * cut only when it alone cannot fit, and then the cut is marked with "…" and its `end` offset moves with it.
 */
import type { PassageHit } from '../core/types.js';
import { ELLIPSIS, LIMITS, fitPrefix, truncate } from './limits.js';
import { type Markup } from './markdown.js';
import { citationLink } from './text-fragment.js';
import { fitText, oneLine } from './rendered.js';

export interface QuoteItem extends PassageHit {
  /** Rank position in the engine's result (0 = best). */
  rank: number;
}

export function quoteBlock(m: Markup, quote: string, cut: boolean, n: number): string {
  return `${m.blockQuote(m.text(quote) + (cut ? ELLIPSIS : ''))} [${n}]`;
}

/** How a server's own document is marked where it is cited or listed (the base's go unmarked). */
export const OWN = "this server's own";

/** A citation's place: the file, and the page of a PDF ("report.pdf, p. 4"). */
export function location(m: Markup, doc: string, page: number | undefined, max = 200): string {
  return m.code(truncate(doc, max)) + (page ? `, p. ${page}` : '');
}

/** A web address safe inside a Discord masked link `[title](<url>)`; undefined for anything else. */
export function linkable(url: string | undefined): string | undefined {
  return url && url.length <= 512 && /^https?:\/\/[^\s<>()\\]+$/i.test(url) ? url : undefined;
}

export function sourceList(
  m: Markup,
  shown: readonly {
    n: number;
    doc: string;
    title: string;
    page?: number;
    url?: string;
    quote: string;
    source?: { quote: string };
    collection?: string;
  }[],
): string {
  // One line per document, or per page of a document with pages; a title with a web address links to
  // its first quote there (a text fragment browsers highlight), or to the PDF's page. The server's
  // own documents are marked.
  const byPlace = new Map<
    string,
    { doc: string; page?: number; title: string; link?: string; own: boolean; ns: number[] }
  >();
  for (const c of shown) {
    const own = c.collection === 'server';
    const key = `${own ? 's' : 'b'}:${c.page ?? 0}:${c.doc}`;
    const link = linkable(c.url) && citationLink({ url: c.url, page: c.page, quote: c.source?.quote ?? c.quote });
    const entry = byPlace.get(key) ?? { doc: c.doc, page: c.page, title: c.title, link, own, ns: [] };
    entry.ns.push(c.n);
    byPlace.set(key, entry);
  }
  const lines = [...byPlace.values()].map(({ doc, page, title, link, own, ns }) => {
    const text = fitText(m, oneLine(title), 200);
    const titled = link ? m.link(text, link) : text;
    return `${ns.map((n) => `[${n}]`).join('')} ${titled} — ${location(m, doc, page)}${own ? ` · ${OWN}` : ''}`;
  });
  return `${m.bold('Sources')}\n${lines.join('\n')}`;
}

export function quotesDescription(m: Markup, shown: readonly (QuoteItem & { n: number; cut: boolean })[]): string {
  const quotes = shown.map((c) => quoteBlock(m, c.quote, c.cut, c.n)).join('\n\n');
  return `${quotes}\n\n${sourceList(m, shown)}`;
}

export interface FittedQuotes<T extends QuoteItem> {
  shown: (T & { n: number; cut: boolean; original: T })[];
  dropped: number;
  description: string;
}

/**
 * Keep the best-ranked items whose rendering fits `budget`; renumber them 1..k in reading order.
 * Only a lone item that cannot fit by itself is cut.
 */
export function fitQuotes<T extends QuoteItem>(
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
