import type { CleanDocument, Document, Span } from '../../core/types.js';
import { terms } from '../../text/terms.js';
import { endsSentence, maxOf, outsideSpans, repeatsOnPage, takeStretches, withoutQuotations } from './linear.js';

/**
 * Cleaning finds the article inside a scraped page without rewriting a character:
 * it returns the spans of the article paragraphs and picks the headline.
 *
 * Every signal is general: sentence shape, length, position, repetition, list shape and
 * the vocabulary of web page furniture (sign-in, cookies, newsletters, sharing). The main
 * body is the stretch of lines with the most prose after charging a cost for each
 * non-prose line (a maximum-sum segment, as in classic body-text extraction), so menus,
 * login prompts and "more stories" lists at either end fall away even when one of their
 * lines happens to be a sentence. Prose past an interruption too long to bridge joins the
 * body when it is about the same thing and does not address the reader.
 */

/** Bump when cleaning changes: the manifest records it and a mismatch forces re-embedding. */
export const CLEANER_VERSION = 22;

/** Page furniture: phrases that are about using the page, not about the news. */
const UI_PATTERNS: RegExp[] = [
  // "Sign in", "Sign up for our newsletter", "By signing up", not "1,200 students sign up".
  /^sign(?:ing)? (?:me )?(?:in|up|out)\b|\bsign(?:ing)? (?:me )?(?:in|up|out) (?:for (?:our|the|a|free)|to (?:our|get|receive|read|continue|comment)|here|now|today)\b|\bby signing (?:up|in)\b/i,
  // A button: "[ Sign me up ]", "[Submit]".
  /^\[[^\]]{1,40}\]$/,
  /\blog(?:ging)? ?(?:in|out)\b/i,
  /\bregist(?:er|ering|ration)\b/i,
  /\b(?:create|manage) (?:an |your )?account\b/i,
  /\bpassword\b/i,
  /\bnewsletters?\b/i,
  /\b(?:un)?subscri(?:be|ption|ber)s?\b/i,
  /\bcookies?\b/i,
  /\bprivacy (?:policy|settings|notice)\b/i,
  /\bterms (?:of|and) (?:service|use|conditions)\b/i,
  /©/,
  /\b(?:click|tap) (?:here|to)\b/i,
  // "Share on Facebook", not "his share on a trip".
  /\bshare (?:this|via)\b|\bshare on (?:facebook|twitter|x|whatsapp|linkedin|e-?mail|social)\b/i,
  /\bfollow us\b/i,
  // A share bar, in any order, perhaps with a comment count or a second language ("Imprimir / Print").
  /^(?:(?:\p{L}+\s*\/\s*)?(?:share|tweet|post|facebook|twitter|x|linkedin|whatsapp|reddit|pinterest|telegram|flipboard|messenger|sms|e-?mail|print|text|copy|link|save|bookmark|comments?|[\d.,]+k?\s+comments?|a[+−-]?)(?![\p{L}\p{N}])[\s|·•,:/]*){3,}$/iu,
  /^(?:save|add) (?:this )?(?:to|for) (?:(?:your|my) )?(?:reading list|later|favou?rites|list)$/i,
  /^(?:tags?|topics|related topics|categories|filed under|keywords|source)\s*:/i,
  /^(?:next|previous|prev|up next)(?: (?:article|story|post))?\s*[›»>:]/i,
  // An image's alternative text: "Jane Doe's profile picture".
  /\b(?:profile (?:picture|photo|image)|headshot|avatar|badge)$/i,
  // A digest's section label: other stories follow.
  /^(?:in other news|other news|more news|news in brief|in brief|elsewhere|also today|what['’]s on)\s*:?$/i,
  /\bdownload (?:the|our) app\b/i,
  /\badvertis(?:ement|ing)\b/i,
  /\b(?:skip|jump) to\b/i,
  /\b(?:main|footer) (?:content|navigation|menu)\b/i,
  /\b(?:read|load|show|view) (?:more|all)\b/i,
  /\b(?:show|view|hide|post|leave a) comments?\b/i,
  /\bcomments? \(\d+\)/i,
  /\bcomments? (?:are|is) (?:now )?(?:closed|disabled|open)\b/i,
  /\bpremium (?:access|content|member)/i,
  /\benter your e-?mail\b/i,
  /\b(?:most|more) (?:read|popular|viewed|shared)\b/i,
  /\brelated (?:content|stories|articles|coverage|news)\b/i,
  /\bmore (?:stories|from|on this)\b/i,
  /\baccessibility\b/i,
  /\bbreaking news\b/i,
  /\b(?:gift|save|print|email|share|listen to) (?:this )?(?:article|story)\b/i,
  /\bfollow (?:us|me|him|her|them)\b/i,
  /(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+/,
  /\b(?:additional )?reporting by\b|\breported from\b|\bcontributed (?:to )?(?:this )?report/i,
  /\bunlimited (?:digital )?access\b/i,
  /\bnever miss a (?:story|thing)\b/i,
  /\bour (?:reporters|journalists|journalism|newsroom|standards|editorial (?:standards|guidelines|policy|code))\b/i,
  /\b(?:you (?:might|may) (?:also )?like|recommended for you|explore more|what to read next|key events)\b/i,
  /\b(?:terms apply|free delivery|book (?:now|early)|switch today|first month free|limited offer|free trial|try (?:\p{Lu}[\p{L}-]* )?(?:it )?(?:for )?free)\b/iu,
];

/**
 * Furniture that is a whole sentence, often a long one: a copyright notice, a paywall meter,
 * a correction note about "this article", an author's bio, a "Listen:" promo. Each counts as two
 * signals, enough to mark even a long line.
 */
const STRONG_UI_PATTERNS: RegExp[] = [
  /\bcopyright\b|\ball rights reserved\b|\bmay not be (?:re)?(?:published|produced|broadcast|distributed|redistributed)\b/i,
  /\bfree (?:articles?|stories)\b|\byou(?:'|’)ve (?:read|reached)\b.*\b(?:articles?|stories|limit)\b/i,
  /\b(?:an earlier|a previous) version of this (?:article|story|report)\b|\bthis (?:article|story|report) (?:has been|was) (?:updated|corrected|amended)\b/i,
  /^\p{Lu}[\p{L}'’\-]+(?:\s+\p{Lu}[\p{L}'’\-]+)+\s+(?:is|was)\s+(?:an?|the|(?:\p{Lu}[\p{L}-]*\s+)+?\p{Lu}[\p{L}-]*['’]s)\s+(?:[\p{L}-]+\s+){0,3}(?:reporter|correspondent|writer|editor|columnist|journalist|contributor|producer)\b/u,
  /^\p{Lu}[\p{L}'’\-]+(?:\s+\p{Lu}[\p{L}'’\-]+)+\s+(?:covers|writes about|reports on)\b.*\bfor\s+(?:the\s+)?\p{Lu}/u,
  /^(?:live|listen|watch|podcast|video|related|read more|also read|recommended|sponsored|now playing|up next)\s*[:|]/i,
  /\bsupport (?:us|our (?:journalism|reporting|work))\b|\b(?:monthly|one-off|regular) contribution\b|\bbecom(?:e|ing) an? (?:supporter|subscriber)\b|\bif you value (?:what we do|our (?:work|journalism|reporting))\b/i,
  // "Have your say below", not the headline "Have your say on the new speed limits".
  /\bhave your say\b(?:\s*(?:[:.!]|below|in the comments|on this (?:story|article))|\s*$)|\bvote now\b|\bthis poll\b/i,
  /\bforward-looking statements?\b|\bactual results (?:may|could) differ\b/i,
  /\b(?:in|to) your inbox\b|\bwe will never share your\b/i,
  /\b(?:download|get) (?:the|our) (?:[\p{L}&'’-]+ ){0,4}app\b/iu,
  /\bstrict (?:sourcing|editorial) (?:guidelines|standards)\b/i,
  /\bthis (?:article|story) was (?:originally |first )?(?:translated|amended|corrected|updated|published)\b/i,
  // Only as a label: news often reports a bill "sponsored by" or "co-sponsored" by someone.
  /^(?:sponsored|in partnership with|paid (?:post|content)|advertisement feature)\b|\bsponsored content\b/i,
  /^[—–-]\s*\p{Lu}.*\(@\w+\)/u,
];

/** Image captions and credits: "Photograph: Name/Agency", "Photo - Name". */
const CREDIT =
  /\b(?:photo(?:graph)?s?|image|picture|illustration|credit|video)\s*[:\-–—|/]\s*\S|\((?:photo|photograph|image)s?\s+by\b|\b(?:getty images|shutterstock|alamy|ap photo|afp via)\b|^(?:photo(?:graph)?|image|video|footage)s?\s+(?:courtesy|credit|by)\b/i;

/** A caption that describes a picture: "A map showing …", "The new fish, photographed in …". */
const CAPTION =
  /^(?:an?|the)\s+(?:\S+\s+){0,2}(?:map|photo(?:graph)?|image|picture|graphic|chart|screenshot|illustration|rendering|render|artist['’]s impression)\s+(?:showing|depicting|of)\b|^(?:an?|the)\s+(?:\S+\s+){0,4}?\S+,\s+(?:photographed|pictured|seen|shown)\b/i;

/** A sentence ends with . ! or ? possibly followed by closing quotes or brackets. */
const ENDS_SENTENCE = /[.!?]["'”’»)\]]*$/u;
/** A teaser cut short: "…" or "..." right after a word or comma. */
const TEASER = /[\p{L}\p{N},;]\s?(?:…|\.\.\.)["'”’]*$/u;
/** Not a headline: a byline ("By Name") or a short dateline ("April 2, 2025 at 6:05 PM EDT"). */
const BYLINE =
  /^(?:\p{Lu}\p{Ll}+\s*\/\s*)?(?:[Bb][Yy]|(?:[Tt]ranslated|[Ww]ords|[Tt]ext|[Rr]eporting|[Ss]tory|[Ee]dited|[Ww]ritten|[Cc]ompiled|[Pp]osted|[Pp]roduced|[Ii]nterview(?:ed)?|[Pp]hotograph(?:s|y)?|[Pp]hotos|[Pp]ictures|[Ii]llustrations?) by):?\s+\p{Lu}/u;
/** A newsroom role on its own line: "Highlands and Islands reporter", "Political editor". */
const ROLE_LINE =
  /^(?:\S+\s+){0,4}(?:[Rr]eporter|[Cc]orrespondent|[Ee]ditor|[Cc]olumnist|[Jj]ournalist|[Cc]ontributor)$/u;
/** A numeric date ("05/03/2026") marks a print or time stamp, not a headline. */
const NUMERIC_DATE = /\b\d{1,2}[/.]\d{1,2}[/.]\d{2,4}\b/;
/** A caption label on its own line ("Image caption,", "Media caption:"): the next line is the caption. */
const CAPTION_LABEL = /^(?:(?:image|media|photo|video|picture)\s+)?caption\s*[,:]?$/i;
/** "Live: …" before a headline. */
const LIVE_HEADLINE = /^live\s*:\s*(?=\p{Lu})/iu;
/** A bare clock time ("17:48 GMT", "9.05am"): a live blog's entry stamp. */
const CLOCK = /^\d{1,2}[:.]\d{2}(?:\s*(?:[ap]\.?m\.?|gmt|bst|utc|cet|[ecmp][sd]t))?$/i;
/** Names with a newsroom role or outlet: "Jane Doe Consumer affairs correspondent", "Jane Doe · City News", "Jane Doe and John Roe in Leeds". */
// (Names of at most 60 letters: a longer run would be read again from every hyphen in it.)
const BYLINE_ROLE =
  /^\p{Lu}[\p{L}'’-]{1,60}(?:\s+\p{Lu}[\p{L}'’-]{1,60}){1,2}(?:[\s,|–—-]+(?:\S+\s+){0,4}(?:[Rr]eporter|[Cc]orrespondent|[Ee]ditor|[Ww]riter|[Cc]olumnist|[Jj]ournalist|[Cc]ontributor|[Pp]roducer)$|\s*[·|•/]\s*\p{Lu}|,?\s+and\s+\p{Lu}[\p{L}'’-]{1,60}(?:\s+\p{Lu}[\p{L}'’-]{1,60}){1,2}(?:\s+in\s+\p{Lu}[\p{L}\s'’-]*)?$)/u;
const MONTH = '(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\\.?';
const DATELINE = new RegExp(
  `\\b${MONTH}\\s+\\d{1,2}\\b|\\b\\d{1,2}\\s+${MONTH}(?:\\s|$)|\\b\\d{1,2}[:.]\\d{2}\\s*(?:[ap]\\.?m\\b|gmt|bst|utc|[ecmp][sd]t)|\\b\\d+\\s*(?:min(?:ute)?s?|hours?|hrs?|days?|weeks?)\\s+(?:ago|read|to read)\\b`,
  'i',
);
/** A time stamp line, however long: "Updated: Apr 3, 2025 …", "Last updated 2 hours ago". */
const STAMP = /^(?:last )?(?:updated|published|posted|modified)\b/i;
/** A label in capitals before a colon: "BREAKING:", "LIVE:", "WATCH:". */
const LABEL = /^\p{Lu}{3,}(?:\s\p{Lu}{2,})*\s*:/u;
/** A page field, "Reading time: 5 min", "Source: Reuters": a label and a short value. */
const FIELD = /^\p{Lu}[\p{L} ]{0,24}:\s*(?:\S+\s*){1,3}$/u;
/** A menu: three or more items of one or two capitalised words between bars or dots. */
const MENU =
  /^(?:\p{Lu}[\p{L}&'’-]*(?:\s+[\p{Lu}&][\p{L}'’-]*)?\s*[|·•/]\s*){2,}\p{Lu}[\p{L}&'’-]*(?:\s+[\p{Lu}&][\p{L}'’-]*)?$/u;
/** A line led by a label ("Court: …"), and a label alone on its line ("Source:"). */
const LABELLED = /^\p{Lu}[\p{L} ]{0,24}:\s/u;
const LABEL_ALONE = /^\p{Lu}[\p{L} ]{0,24}:$/u;
const LIST_ITEM = /^[-•*·▪►]\s/u;
const MD_HEADING = /^#{1,6}\s+\S/;

const JUNK_LINE_COST = 20;
/** Section headings and list items are structure inside an article, not page furniture: they cost little. */
const STRUCTURE_COST = 2;
const UI_LINE_COST = 25;
/** A junk line right after another is part of the same interruption: it costs less. */
const RUN_COST = 15;

interface Unit extends Span {
  /** Lines separated by blank lines belong to different blocks. */
  block: number;
  /** The lines the unit is made of. */
  lines: Span[];
  text: string;
  words: number;
  prose: boolean;
  ui: number;
  junk: boolean;
  /** Part of a module, story list or poll, or a photo credit: furniture whatever its shape. */
  boxed?: boolean;
}

/** Finds the article paragraphs and the headline of a scraped page. */
export function cleanDocument(doc: Document): CleanDocument {
  if (doc.format === 'pdf') return cleanLaidOut(doc);
  const units = toUnits(doc.text);
  markDuplicates(units);
  markCaptions(units, doc.text);
  markModules(units);
  markStoryLists(units, doc.text);

  const best = maxSegment(units, 0, units.length);
  // Inside the article, a list of full statements ("Key facts") is content, sentence or not.
  for (let i = best.from + 1; i < best.to; i++) {
    const u = units[i]!;
    if (
      u.junk &&
      !u.boxed &&
      !u.ui &&
      LIST_ITEM.test(u.text) &&
      u.words >= 6 &&
      !TEASER.test(u.text) &&
      !CREDIT.test(u.text)
    )
      u.junk = false;
  }
  let body = best.to >= best.from ? withContinuations(units, best) : [];
  // A page with no prose at all (notes, lists): keep whatever is not furniture.
  if (body.length === 0) body = units.filter((u) => u.words >= 3 && !u.ui && !MD_HEADING.test(u.text));

  const bodyStart = body[0] ? units.indexOf(body[0]) : units.length;
  const bodyEnd = body.length ? units.indexOf(body[body.length - 1]!) : -1;
  const titleUnit = findTitle(units, bodyStart, bodyEnd);
  const paragraphs = body.filter((u) => u !== titleUnit).map(({ start, end }) => ({ start, end }));
  return {
    doc,
    title: doc.meta.title ?? titleText(titleUnit, doc, paragraphs),
    titleSpan: titleUnit ? { start: titleUnit.start, end: titleUnit.end } : null,
    paragraphs,
  };
}

/** A table of contents line: a title, dot leaders, a page number. */
const CONTENTS_LINE = /(?<!\.\s?)(?:\.\s?){4,}\s*\d+$|(?<!…)…{2,}\s*\d+$/u;

/**
 * A PDF is a document, not a scraped page: its furniture (running headers and footers, page
 * numbers) was found from the layout by the extractor and is skipped here. Every other
 * paragraph is kept except headings and labels (lines under a dozen words that end no
 * sentence) and table-of-contents lines. The title: the file's own, else a heading that opens the first page.
 */
function cleanLaidOut(doc: Document): CleanDocument {
  const skip = doc.skip ?? [];
  const units = outsideSpans(toUnits(doc.text), skip);
  const first = units[0];
  const titleUnit =
    first &&
    !doc.meta.title &&
    first.words <= 20 &&
    !ENDS_SENTENCE.test(first.text) &&
    (!doc.pages?.[0] || first.end <= doc.pages[0].end)
      ? first
      : undefined;
  const paragraphs = units
    .filter(
      (u) =>
        u !== titleUnit &&
        /\p{L}/u.test(u.text) &&
        !CONTENTS_LINE.test(u.text) &&
        (ENDS_SENTENCE.test(u.text) || /[:;,]$/.test(u.text) || u.words >= 12),
    )
    .map(({ start, end }) => ({ start, end }));
  return {
    doc,
    title: doc.meta.title ?? titleText(titleUnit, doc, paragraphs),
    titleSpan: titleUnit ? { start: titleUnit.start, end: titleUnit.end } : null,
    paragraphs,
  };
}

/** A stretch of units. */
interface Segment {
  sum: number;
  from: number;
  /** Inclusive; `to < from` is empty. */
  to: number;
}

/** Maximum-sum segment of units[lo, hi): prose lines earn their words, other lines cost a fixed amount. */
function maxSegment(units: Unit[], lo: number, hi: number, values = unitValues(units)): Segment {
  let best = { sum: 0, from: lo, to: lo - 1 };
  let sum = 0;
  let from = lo;
  for (let i = lo; i < hi; i++) {
    const value = values[i]!;
    if (sum <= 0) {
      sum = 0;
      from = i;
    }
    sum += value;
    if (sum > best.sum) best = { sum, from, to: i };
  }
  return best;
}

/** What each unit earns or costs in `maxSegment` (worked out once: continuations search many stretches). */
function unitValues(units: Unit[]): number[] {
  return units.map((u, i) => {
    const structure = !u.ui && (MD_HEADING.test(u.text) || LIST_ITEM.test(u.text));
    const full = u.ui ? UI_LINE_COST : structure ? STRUCTURE_COST : JUNK_LINE_COST;
    return u.junk ? -(i > 0 && units[i - 1]!.junk ? Math.min(full, RUN_COST) : full) : u.words;
  });
}

/**
 * A continuation has at least this many words, and this share of its words are the body's
 * (measured: article continuations 0.33–0.44, publisher blurbs and promos 0.20–0.29).
 */
const CONTINUATION_WORDS = 40;
const CONTINUATION_SHARE = 0.3;
/** Words that address the reader or speak for the writer: comments, promos and "about us" blurbs use them, reported news (outside quotations) does not. */
// Case matters: "US" is a country, "i" is not a word.
const PERSONAL = /\b(?:I|[Mm]y|[Mm]e|[Ww]e|[Oo]ur|us|[Yy]ou|[Yy]our)\b/;
/** The text speaks to the reader or for the writer outside its quotations. */
const personal = (text: string) => PERSONAL.test(withoutQuotations(text));

/**
 * The article may go on after an interruption too long to bridge (a poll, a "you might also
 * like" box): a later stretch of prose joins the body when it is about what the body is about.
 */
function withContinuations(units: Unit[], main: Segment): Unit[] {
  const keep = (seg: Segment) => units.slice(seg.from, seg.to + 1).filter((u) => !u.junk);
  const vocab = new Set(keep(main).flatMap((u) => terms(u.text)));
  // The best stretch of prose in a stretch not taken yet, cut at its first junk line:
  // a continuation does not bridge a further interruption of its own.
  const values = unitValues(units);
  const candidate = (gap: Segment): Segment | undefined => {
    const seg = maxSegment(units, gap.from, gap.to + 1, values);
    let to = seg.to;
    for (let i = seg.from + 1; i <= seg.to; i++)
      if (units[i]!.junk) {
        to = i - 1;
        break;
      }
    const found = { from: seg.from, to, sum: units.slice(seg.from, to + 1).reduce((n, u) => n + u.words, 0) };
    return found.sum >= CONTINUATION_WORDS &&
      !underHeadlines(units, found) &&
      continues(units.slice(found.from, found.to + 1), vocab)
      ? found
      : undefined;
  };
  return takeStretches(units.length, main, candidate).flatMap(keep);
}

/**
 * A list of other stories: each blurb sits under its own headline (a capitalised line of a
 * few words with no sentence end), as the line right before it or joined to it.
 */
function underHeadlines(units: Unit[], seg: Segment): boolean {
  for (let i = seg.from; i <= seg.to; i++) {
    const u = units[i]!;
    const before = units[i - 1];
    if (before?.junk && before.block === u.block && teaserHeadline(before.text)) return true;
    if (u.lines.length === 2 && teaserHeadline(u.text.slice(0, u.lines[0]!.end - u.start))) return true;
  }
  return false;
}

/** A story's headline in a list of teasers: a capitalised (or numbered) line of a few words with no closing punctuation. */
function teaserHeadline(line: string): boolean {
  const n = wordsIn(line);
  return /^(?:\d+\.\s+)?[\p{Lu}\p{N}]/u.test(line) && !/\p{P}$/u.test(line) && n >= 4 && n <= 20;
}
const wordsIn = (line: string) => line.split(/\s+/).length;

/** Reported prose about the body's subject: enough of its words are the body's, and it does not address the reader. */
function continues(stretch: Unit[], vocab: Set<string>): boolean {
  const text = stretch.map((u) => u.text).join(' ');
  if (personal(text)) return false;
  const words = [...new Set(terms(text).filter((t) => !/^\d/.test(t)))];
  return words.filter((t) => vocab.has(t)).length >= CONTINUATION_SHARE * words.length;
}

/**
 * Splits the text into paragraph units: one per line, except that hard-wrapped lines
 * (a line without a sentence end followed by one starting in lower case) are joined.
 */
function toUnits(text: string): Unit[] {
  const units: Unit[] = [];
  let prev: Unit | null = null;
  let block = 0;
  let offset = 0;
  for (const raw of text.split('\n')) {
    const span = trimSpan(text, offset, offset + raw.length);
    offset += raw.length + 1;
    if (span.start === span.end) {
      // A blank line ends a paragraph, and a block of lines.
      if (prev) block++;
      prev = null;
      continue;
    }
    const line = text.slice(span.start, span.end);
    // (A byline in lower case, "by: Name", starts a line of its own.)
    if (prev && !endsSentence(text, prev.start, prev.end) && /^\p{Ll}/u.test(line) && !BYLINE.test(line)) {
      prev.end = span.end;
      prev.lines.push(span);
      continue;
    }
    const unit = { ...span, block, lines: [span] } as Unit;
    units.push(unit);
    prev = unit;
  }
  const joined = joinWrapped(units, text);
  for (const u of joined) describe(u, text);
  return joined;
}

/**
 * A block of lines that all run to about the same width, most of them stopping mid-sentence,
 * is one paragraph hard-wrapped at that width, even where a line starts with a capital or a digit.
 */
function joinWrapped(units: Unit[], text: string): Unit[] {
  const out: Unit[] = [];
  for (const group of blocks(units)) {
    const lines = group.flatMap((u) => u.lines);
    const widths = lines.map((l) => l.end - l.start);
    const max = maxOf(widths);
    const inner = lines.slice(0, -1);
    const wrapped =
      lines.length > 2 &&
      max >= 50 &&
      max <= 100 &&
      inner.every((l) => l.end - l.start >= 0.6 * max) &&
      // Wrapping breaks a line only where the next word would not have fitted.
      inner.every((l, k) => l.end - l.start + 1 + firstWord(text, lines[k + 1]!) > max) &&
      inner.filter((l) => ENDS_SENTENCE.test(text.slice(l.start, l.end))).length <= inner.length / 2;
    if (wrapped) out.push({ ...group[0]!, end: group[group.length - 1]!.end, lines });
    else out.push(...group);
  }
  return out;
}

function firstWord(text: string, line: Span): number {
  return text.slice(line.start, line.end).split(/\s/)[0]!.length;
}

/** Units grouped by block (runs of lines between blank lines). */
function blocks(units: Unit[]): Unit[][] {
  const out: Unit[][] = [];
  for (const u of units) {
    const last = out[out.length - 1];
    if (last && last[0]!.block === u.block) last.push(u);
    else out.push([u]);
  }
  return out;
}

/** How much a line reads like page furniture: one point per UI pattern it matches, two per strong one. */
function uiScore(text: string): number {
  return (
    UI_PATTERNS.reduce((n, re) => n + (re.test(text) ? 1 : 0), 0) +
    STRONG_UI_PATTERNS.reduce((n, re) => n + (re.test(text) ? 2 : 0), 0)
  );
}

function describe(u: Unit, text: string): void {
  u.text = text.slice(u.start, u.end);
  u.words = (u.text.match(/[\p{L}\p{N}][\p{L}\p{N}'’.\-]*/gu) ?? []).length;
  u.ui = uiScore(u.text);
  const firstLetter = u.text.match(/[\p{L}\p{N}]/u)?.[0] ?? '';
  const teaser = TEASER.test(u.text);
  // A paragraph starts with a capital or a digit: "…and then" is a fragment.
  const startsLower = firstLetter !== firstLetter.toUpperCase();
  // A sentence that leads into a list ("… the following advice:") is prose too.
  const leadIn = u.words >= 6 && /:$/.test(u.text);
  u.prose =
    u.words >= 4 && (ENDS_SENTENCE.test(u.text) || leadIn) && !teaser && !startsLower && !MD_HEADING.test(u.text);
  // A furniture phrase in the writer's or the reader's voice ("consider becoming a subscriber to support my work").
  const furniture = u.ui >= 2 || (u.ui >= 1 && (u.words < 15 || personal(u.text)));
  const shortListItem = LIST_ITEM.test(u.text) && u.words < 12;
  u.junk = !u.prose || teaser || furniture || CREDIT.test(u.text) || CAPTION.test(u.text) || shortListItem;
}

/** A caption sits on the line right above its credit ("…on Tuesday.\nPhotograph: Name/Agency"). */
function markCaptions(units: Unit[], text: string): void {
  units.forEach((u, i) => {
    const next = units[i + 1];
    if (!next || /\n\s*\n/.test(text.slice(u.end, next.start)) || u.words >= 40) return;
    // "Name Surname for Publication" is a credit only right under a caption.
    if (CREDIT.test(next.text) || (u.prose && CREDIT_FOR.test(next.text))) u.junk = next.junk = next.boxed = true;
  });
}
const CREDIT_FOR = /^\p{Lu}[\p{L}'’-]+(?:\s+\p{Lu}[\p{L}'’-]+){1,3}\s+(?:for|\/)\s+(?:the\s+)?\p{Lu}[\p{L}&'’ -]*$/u;

/**
 * A short furniture label heads a module ("Sign up to …", "You might also like", "Sponsored
 * content"): the rest of its block of lines (up to a blank line) is the module, prose or not.
 * A poll's question is furniture too.
 */
function markModules(units: Unit[]): void {
  for (const group of blocks(units)) {
    const head = group[0]!;
    if (group.length > 1 && group.length <= 8 && head.junk && head.ui >= 1 && head.words <= 8)
      for (const u of group) u.junk = u.boxed = true;
    // A sign-up box: most of its lines are furniture and the rest are short.
    const furniture = group.filter((u) => u.ui >= 1).length;
    if (
      group.length >= 3 &&
      group.length <= 8 &&
      furniture * 2 > group.length &&
      group.every((u) => u.ui >= 1 || u.words <= 25)
    )
      for (const u of group) u.junk = u.boxed = true;
  }
  // A poll: a question, then two or more short answer options that are not sentences.
  units.forEach((u, i) => {
    const options = units.slice(i + 1, i + 3);
    if (
      /\?["'”’]*$/u.test(u.text) &&
      options.length === 2 &&
      options.every((o) => o.block === u.block && !o.prose && o.words <= 10)
    ) {
      for (const x of [u, ...options]) x.junk = x.boxed = true;
    }
  });
}

/**
 * Other stories listed as teasers: blocks made of a headline (a capitalised line without a
 * sentence end) and a short blurb starting a new sentence. Two such blocks in a row, or one
 * under a furniture label ("MOST READ"), are a list of other stories, not the article.
 */
function markStoryLists(units: Unit[], text: string): void {
  const groups = blocks(units);
  const teaser = groups.map((group) => {
    const lines = group.flatMap((u) => u.lines).map((l) => text.slice(l.start, l.end));
    if (lines.length < 2 || lines.length > 5) return false;
    const width = Math.max(...lines.map((l) => l.length));
    for (let k = 1; k < lines.length; k++) {
      // A headline's line ends early; a line broken only because the next word did not fit was wrapped.
      if (lines[k - 1]!.length + 1 + lines[k]!.split(/\s/)[0]!.length > width) continue;
      const blurb = lines.slice(k).join(' ');
      if (
        teaserHeadline(lines.slice(0, k).join(' ')) &&
        /^[\p{Lu}"“‘]/u.test(blurb) &&
        ENDS_SENTENCE.test(blurb) &&
        wordsIn(blurb) <= 40
      )
        return true;
    }
    return false;
  });
  groups.forEach((group, g) => {
    const label = g > 0 && groups[g - 1]!.length === 1 && groups[g - 1]![0]!.junk && groups[g - 1]![0]!.ui >= 1;
    // Under such a label, a bullet list is a list of other stories too.
    const bullets = group.length >= 2 && group.every((u) => LIST_ITEM.test(u.text));
    if ((teaser[g] && (teaser[g - 1] || teaser[g + 1] || label)) || (bullets && label))
      for (const u of group) u.junk = u.boxed = true;
  });
}

/** Repeated lines are page furniture or captions (a caption often repeats with its credit appended). */
function markDuplicates(units: Unit[]): void {
  // A pull quote repeats the article's words: a line that is all quotation, each of whose
  // sentences appears elsewhere on the page (its attribution line, "- Name, Role", goes with it).
  const page = ` ${units.map((u) => words(u.text)).join(' ')} `;
  const repeats = repeatsOnPage(page);
  units.forEach((u, i) => {
    if (!QUOTATION.test(u.text)) return;
    const parts = u.text
      .split(/(?<=[.!?])["'”’]*\s+/u)
      .map(words)
      .filter((w) => w.length > 0);
    if (parts.length === 0 || !parts.every((w) => repeats(` ${w} `))) return;
    u.junk = u.boxed = true;
    const next = units[i + 1];
    if (next && /^[-–—]\s*\p{Lu}/u.test(next.text) && next.words <= 12) next.junk = next.boxed = true;
  });
  const seen = new Map<string, Unit>();
  units.forEach((u, i) => {
    const key = normalize(u.text);
    const earlier = seen.get(key);
    if (earlier) {
      u.junk = true;
      if (!earlier.prose || earlier.words < 30) earlier.junk = true;
    } else seen.set(key, u);
    const next = units[i + 1];
    if (next && key.length >= 20 && normalize(next.text).startsWith(key)) {
      u.junk = true;
      next.junk = true;
    }
  });
}

/** A browser tab's title: the headline, then the site after a bar or dash. */
const TAB_TITLE = /^(.+?)(?<!\s)\s+[|–—-]\s+[^|–—]{2,40}$/u;

/** A headline in capitals still has a sentence's small words: "FESTIVAL CANCELLED TWO WEEKS BEFORE GATES OPEN". */
const CAPS_HEADLINE =
  /^[^\p{Ll}]*\s(?:A|AN|THE|TO|OF|IN|ON|AT|FOR|AND|AS|BY|WITH|AFTER|BEFORE|OVER|FROM|INTO)\s[^\p{Ll}]*$/u;

/** The headline: the nearest short, title-shaped line before the body, with the exceptions below. */
function findTitle(units: Unit[], bodyStart: number, bodyEnd: number): Unit | undefined {
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

function titleText(unit: Unit | undefined, doc: Document, paragraphs: Span[]): string {
  if (unit) return unit.text.replace(/^#+\s*/, '');
  const first = paragraphs[0];
  if (!first) return doc.id;
  const text = doc.text.slice(first.start, first.end);
  const sentence = text.match(/^.*?[.!?](?=\s|$)/su)?.[0] ?? text;
  return sentence.length <= 120 ? sentence : `${sentence.slice(0, 119).trimEnd()}…`;
}

function trimSpan(text: string, start: number, end: number): Span {
  while (start < end && /\s/u.test(text[start]!)) start++;
  while (end > start && /\s/u.test(text[end - 1]!)) end--;
  return { start, end };
}

/** Lower-case words only, single-spaced: text compared whatever its quotes and punctuation. */
function words(s: string): string {
  return (s.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).join(' ');
}
/** A line that is one quotation from its first character to its last. */
const QUOTATION = /^["“‘][^"“”]+["”’]$/u;

function normalize(s: string): string {
  return s.toLowerCase().replace(/\s+/g, ' ').trim();
}
