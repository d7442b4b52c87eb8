/**
 * Words as the focus reads them: tokens (a possessive belongs to its name), capitals and acronyms,
 * and the key a capitalised word goes by in the collection.
 */

/** A word, or an acronym written with full stops ("U.S."). */
export const WORD = /(?:\p{Lu}\.){2,}|\p{L}[\p{L}\p{M}'’\-]*\p{L}|\p{L}/gu;
/** Joins a title to its holder: "the club's chairman, Malcolm Redfern" / "Sanne Vermeulen, the director of…". */
export const DETERMINER = /^(?:the|a|an|its|his|her|their|our|\p{L}+['’]s?)$/iu;

export interface Token {
  word: string;
  start: number;
  end: number;
}

export function tokens(text: string): Token[] {
  const out: Token[] = [];
  // `exec`, not a `matchAll` iterator: several times cheaper until the code is optimised (see text/terms.ts).
  const word = new RegExp(WORD);
  for (let m = word.exec(text); m; m = word.exec(text)) {
    // A possessive belongs to the name: "Solberg's" is Solberg.
    const written = m[0].replace(/['’]s?$/u, '');
    if (written) out.push({ word: written.replace(/\./g, ''), start: m.index, end: m.index + written.length });
  }
  return out;
}

export const isCapital = (w: string) => /^\p{Lu}/u.test(w);
export const isAcronym = (w: string) => w.length >= 2 && w === w.toUpperCase() && /\p{Lu}/u.test(w);

/**
 * The key a capitalised word goes by: its lower-case form, or for an acronym that is also
 * an everyday word ("US", "IT") the acronym as written. Undefined for a word the collection
 * also writes in lower case (a title, a common noun at a sentence start).
 */
export function keyOf(word: string, lower: Set<string>): string | undefined {
  const l = word.toLowerCase();
  if (!lower.has(l)) return isCapital(word) ? l : undefined;
  return isAcronym(word) ? word : undefined;
}
