/**
 * The answer to a question as a message: quotes with [n] markers, the source list, the footer
 * and the buttons (Sources, Pin, votes); a refusal names the closest documents instead.
 */
import type { Answer, NearDoc } from '../core/types.js';
import { LIMITS, truncate, type EmbedData } from './limits.js';
import { discordMarkup, type Markup } from './markdown.js';
import {
  COLORS,
  fitText,
  oneLine,
  plural,
  type ButtonSpec,
  type DocCounts,
  type Rendered,
  type ShownCitation,
} from './rendered.js';
import { OWN, fitQuotes } from './quotes.js';

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
  /** Custom ID of the Follow up button; undefined → none. */
  followUpId?: string;
  /** Custom ID of the Post to channel button (private answers only); undefined → none. */
  postId?: string;
  /** A document's web address (http/https): its source line links to it. */
  urlOf?: (doc: string) => string | undefined;
}

export function renderAnswer(answer: Answer, opts: AnswerRenderOptions): AnswerRender {
  const m = opts.markup ?? discordMarkup;
  if (!answer.answered || answer.citations.length === 0) {
    return { rendered: renderRefusal(answer, opts), shown: [] };
  }
  const ranked = [...answer.citations].sort((a, b) => b.score - a.score || a.n - b.n);
  const rankOf = new Map(ranked.map((c, i) => [c, i]));
  const items = [...answer.citations]
    .sort((a, b) => a.n - b.n)
    .map((c) => ({ ...c, rank: rankOf.get(c)!, source: c, url: c.url ?? opts.urlOf?.(c.doc) }));
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
    ...(c.collection && { collection: c.collection }),
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
  if (opts.private && opts.postId) buttons.push({ customId: opts.postId, label: 'Post to channel', style: 'primary' });
  if (opts.followUpId) buttons.push({ customId: opts.followUpId, label: 'Follow up', style: 'secondary' });
  return { rendered: { embeds: [embed], buttons, ephemeral: !!opts.private }, shown };
}

function nearList(m: Markup, closest: readonly NearDoc[]): string[] {
  return closest.map(
    (d) =>
      `• ${fitText(m, oneLine(d.title), 150)} (${m.code(truncate(d.doc, 100))}${d.collection === 'server' ? `, ${OWN}` : ''})`,
  );
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
    lines.push('Try rephrasing with words the documents would use, or browse them with /sources.');
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
