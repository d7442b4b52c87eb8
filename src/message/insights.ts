/**
 * Insights as a message (the moderators' command and the console): the counts, then the top few of
 * each list (unanswered questions, most 👎, most-cited documents), each list within one embed
 * field. `more` is true when some list is longer than shown: the bot then attaches the CSV.
 * Questions are members' words: escaped for the markup, each cut to one short line.
 */
import type { Insights } from '../feedback/insights.js';
import { LIMITS, truncate } from './limits.js';
import { discordMarkup, type Markup } from './markdown.js';
import { type Rendered } from './rendered.js';

const COLOR = 0x8b5cf6;
const LINE_CHARS = 120;

/** Lines joined while they fit a field value; the rest are left to the CSV. */
function fieldValue(lines: string[], empty: string, max: number): string {
  if (lines.length === 0) return empty;
  const out: string[] = [];
  let length = 0;
  for (const l of lines) {
    if (length + l.length + 1 > max) break;
    out.push(l);
    length += l.length + 1;
  }
  return out.join('\n');
}

const oneLine = (s: string) => truncate(s.replace(/\s+/g, ' ').trim(), LINE_CHARS);
const pct = (n: number, of: number) => (of ? Math.round((n / of) * 100) : 0);

export function renderInsights(
  i: Insights,
  opts: { markup?: Markup; limit?: number; scope?: string; moreNote?: string } = {},
): { rendered: Rendered; more: boolean } {
  const m = opts.markup ?? discordMarkup;
  const limit = opts.limit ?? 5;
  const b = (n: number) => m.bold(String(n));
  const description = i.recording
    ? i.asked === 0
      ? `No questions in the last ${i.days} days.`
      : `${b(i.asked)} question${i.asked === 1 ? '' : 's'}: ${b(i.answered)} answered, ${b(i.refused)} refused (${pct(i.refused, i.asked)} %).`
    : 'Questions are not recorded on this bot (RECORD_QUESTIONS is off): only votes are counted below.';
  const unanswered = i.unanswered
    .slice(0, limit)
    .map((g) => `${g.count}× ${m.text(oneLine(g.question))}${g.variants > 1 ? ` (${g.variants} wordings)` : ''}`);
  const downvoted = i.downvoted.slice(0, limit).map((r) => `👎 ${r.down} 👍 ${r.up} — ${m.text(oneLine(r.question))}`);
  const cited = i.cited.slice(0, limit).map((c) => `${c.count}× ${m.code(oneLine(c.doc))}`);
  const more = i.unanswered.length > limit || i.downvoted.length > limit || i.cited.length > limit;
  // The console prints a field as "name: value": a list reads better under its name, indented.
  // A Discord field holds 1024 characters; the console has no such limit.
  const plain = m.kind === 'plain';
  const list = (lines: string[], empty: string) => {
    const value = fieldValue(lines, empty, plain ? Infinity : LIMITS.embedFieldValue);
    return plain && lines.length ? `\n  ${value.replace(/\n/g, '\n  ')}` : value;
  };
  const fields = [
    {
      name: 'Unanswered, most asked',
      value: list(unanswered, i.recording ? 'None: every question found an answer.' : 'Not recorded.'),
    },
    { name: 'Most 👎', value: list(downvoted, 'No answer has a 👎.') },
    { name: 'Most cited documents', value: list(cited, i.recording ? 'None yet.' : 'Not recorded.') },
  ];
  const scope = opts.scope ?? "This server's questions only";
  const footer = `${scope}, since ${i.since.slice(0, 10)}.${more ? (opts.moreNote ?? ' Full lists in the attached CSV.') : ''}`;
  return {
    rendered: {
      embeds: [
        {
          title: `Insights: the last ${i.days} days`,
          description,
          color: COLOR,
          fields,
          footer: { text: footer },
        },
      ],
      buttons: [],
      ephemeral: true,
    },
    more,
  };
}
