/**
 * The headline: the nearest title-shaped line above the body, told from kickers, section labels,
 * bylines, captions and live-blog stamps; a browser tab title "Headline | Site" names it.
 */
import type { Document, Span } from '../../core/types.js';
import {
  CREDIT,
  ENDS_SENTENCE,
  TEASER,
  BYLINE,
  ROLE_LINE,
  NUMERIC_DATE,
  CAPTION_LABEL,
  LIVE_HEADLINE,
  CLOCK,
  BYLINE_ROLE,
  DATELINE,
  STAMP,
  LABEL,
  FIELD,
  MENU,
  LABELLED,
  LABEL_ALONE,
  MD_HEADING,
} from './patterns.js';
import { Unit, uiScore, normalize } from './units.js';
import { wordsIn } from './units.js';

export const TAB_TITLE = /^(.+?)(?<!\s)\s+[|–—-]\s+[^|–—]{2,40}$/u;

/** A headline in capitals still has a sentence's small words: "FESTIVAL CANCELLED TWO WEEKS BEFORE GATES OPEN". */
export const CAPS_HEADLINE =
  /^[^\p{Ll}]*\s(?:A|AN|THE|TO|OF|IN|ON|AT|FOR|AND|AS|BY|WITH|AFTER|BEFORE|OVER|FROM|INTO)\s[^\p{Ll}]*$/u;

/** The headline: the nearest short, title-shaped line before the body, with the exceptions below. */
export function findTitle(units: Unit[], bodyStart: number, bodyEnd: number): Unit | undefined {
  const counts = new Map<string, number>();
  for (const u of units) counts.set(normalize(u.text), (counts.get(normalize(u.text)) ?? 0) + 1);
  // An "On this page" list names the subheadings that come again inside the body.
  const inBody = new Set(units.slice(bodyStart, bodyEnd + 1).map((u) => normalize(u.text)));
  // A live blog stamps each entry with a clock time; the line after a stamp heads an entry, not the page.
  const clocks = units.filter((u) => CLOCK.test(u.text)).length;
  const titleShaped = (u: Unit, i: number) => {
    const previous = units[i - 1]?.text ?? '';
    if (CAPTION_LABEL.test(previous) || (clocks >= 3 && CLOCK.test(previous))) return false;
    // The value under a label line ("Source:" / "Hollins Institute") is a field, not a headline.
    if (LABEL_ALONE.test(previous)) return false;
    // One of a run of "Label: value" lines is a field of a fact box ("Court: …", "Outcome: …").
    if (LABELLED.test(u.text) && (LABELLED.test(previous) || LABELLED.test(units[i + 1]?.text ?? ''))) return false;
    const heading = MD_HEADING.test(u.text);
    // A time stamp, short or led by its date ("February 27, 2024 2:14 PM EST Updated 3 hours ago").
    const dateline =
      DATELINE.test(u.text) && (u.words <= 10 || DATELINE.test(u.text.split(/\s+/).slice(0, 3).join(' ')));
    // A headline in two parts ("Court cuts sentence: judge gave too little credit") runs longer.
    const shaped =
      heading ||
      (!MENU.test(u.text) &&
        u.words >= 4 &&
        u.words <= (/\S:\s/u.test(u.text) ? 20 : 16) &&
        !/\.["'”’)]*$/u.test(u.text) &&
        !BYLINE.test(u.text) &&
        !BYLINE_ROLE.test(u.text) &&
        !dateline &&
        !STAMP.test(u.text) &&
        !LABEL.test(u.text) &&
        !FIELD.test(u.text) &&
        !ROLE_LINE.test(u.text) &&
        !NUMERIC_DATE.test(u.text));
    // "Live: …" marks a link to a live page, or the headline of the live page itself, which
    // heads a block of furniture (editors, update time).
    const live = LIVE_HEADLINE.test(u.text) && uiScore(u.text.replace(LIVE_HEADLINE, '')) === 0;
    // A headline may appear twice (breadcrumb, share box); a line seen more often is furniture.
    return (
      shaped &&
      (live || (!u.ui && !u.boxed)) &&
      !CREDIT.test(u.text) &&
      !TEASER.test(u.text) &&
      counts.get(normalize(u.text))! <= 2 &&
      !inBody.has(normalize(u.text)) &&
      /^[#\s]*[\p{Lu}\p{N}"“‘']/u.test(u.text)
    );
  };
  // A page copied from a browser starts with its tab title, "Headline | Site": the line that
  // repeats that headline is the headline.
  const top = units[0];
  const tab = top?.text.slice(0, top.lines[0]!.end - top.start).match(TAB_TITLE)?.[1];
  if (tab && wordsIn(tab) >= 4) {
    const found = units.slice(1, bodyStart).find((u) => normalize(u.text) === normalize(tab) && !u.ui);
    if (found) return found;
  }
  // A long line of prose that is not furniture, as a standfirst is.
  const long = (v?: Unit) => !!v && v.words > 16 && v.words <= 60 && !v.ui && !v.boxed;
  let at = -1;
  for (let i = Math.min(bodyStart, units.length) - 1; i >= 0 && at < 0; i--) {
    const u = units[i]!;
    if (!titleShaped(u, i)) continue;
    // A standfirst follows its headline and runs longer: the headline is the line before it
    // (unless that is a menu, every word capitalised), and that is evidence enough. A line with
    // a long standfirst of its own below it is the headline, and the line above it a kicker.
    const before = units[i - 1];
    const ownStandfirst = i + 1 < bodyStart && long(units[i + 1]);
    if (
      !ownStandfirst &&
      before &&
      titleShaped(before, i - 1) &&
      before.words <= u.words &&
      before.words >= 0.5 * u.words &&
      (/\s\p{Ll}{3,}/u.test(before.text) || CAPS_HEADLINE.test(before.text))
    )
      return before;
    at = i;
  }
  if (at < 0) return undefined;
  // A headline sits right above its byline or time stamp. When the nearest candidate does not,
  // one a few lines up that does is the headline, and the nearer line a section label.
  const metadata = (v?: Unit) => !!v && (BYLINE.test(v.text) || BYLINE_ROLE.test(v.text) || STAMP.test(v.text));
  // (A standfirst often has no full stop; a news brief under its own heading always does.)
  const standfirst = (v?: Unit) => long(v) && !ENDS_SENTENCE.test(v!.text);
  if (!metadata(units[at + 1]) && !standfirst(units[at + 1])) {
    for (let j = at - 1; j >= Math.max(0, at - 12); j--)
      if (titleShaped(units[j]!, j) && (metadata(units[j + 1]) || standfirst(units[j + 1]))) return units[j];
  }
  return units[at];
}

export function titleText(unit: Unit | undefined, doc: Document, paragraphs: Span[]): string {
  if (unit) return unit.text.replace(/^#+\s*/, '');
  const first = paragraphs[0];
  if (!first) return doc.id;
  const text = doc.text.slice(first.start, first.end);
  const sentence = text.match(/^.*?[.!?](?=\s|$)/su)?.[0] ?? text;
  return sentence.length <= 120 ? sentence : `${sentence.slice(0, 119).trimEnd()}…`;
}
