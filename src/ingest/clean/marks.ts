/**
 * Furniture found by its shape around the article: captions and photo credits, modules (a
 * heading and its short lines), story lists, and lines repeated from elsewhere on the page.
 */
import { WHOLE_QUOTATION } from '../../text/quotation.js';
import { CREDIT, ENDS_SENTENCE, LIST_ITEM } from './patterns.js';
import { Unit, blocks, words, normalize } from './units.js';
import { teaserHeadline, wordsIn } from './units.js';
import { repeatsOnPage } from './linear.js';

export function markCaptions(units: Unit[], text: string): void {
  units.forEach((u, i) => {
    const next = units[i + 1];
    if (!next || /\n\s*\n/.test(text.slice(u.end, next.start)) || u.words >= 40) return;
    // "Name Surname for Publication" is a credit only right under a caption.
    if (CREDIT.test(next.text) || (u.prose && CREDIT_FOR.test(next.text))) u.junk = next.junk = next.boxed = true;
  });
}
export const CREDIT_FOR =
  /^\p{Lu}[\p{L}'’-]+(?:\s+\p{Lu}[\p{L}'’-]+){1,3}\s+(?:for|\/)\s+(?:the\s+)?\p{Lu}[\p{L}&'’ -]*$/u;

/**
 * A short furniture label heads a module ("Sign up to …", "You might also like", "Sponsored
 * content"): the rest of its block of lines (up to a blank line) is the module, prose or not.
 * A poll's question is furniture too.
 */
export function markModules(units: Unit[]): void {
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
export function markStoryLists(units: Unit[], text: string): void {
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
export function markDuplicates(units: Unit[]): void {
  // A pull quote repeats the article's words: a line that is all quotation, each of whose
  // sentences appears elsewhere on the page (its attribution line, "- Name, Role", goes with it).
  const page = ` ${units.map((u) => words(u.text)).join(' ')} `;
  const repeats = repeatsOnPage(page);
  units.forEach((u, i) => {
    if (!WHOLE_QUOTATION.test(u.text)) return;
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
