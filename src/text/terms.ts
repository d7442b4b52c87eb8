/**
 * Terms: the words of a text as the lexical index and the question see them (lower case, stopwords
 * dropped, British and American spellings met, Porter-stemmed). One function for both sides.
 */
import { stemmer } from 'stemmer';
import { STOPWORDS } from './english.js';

/** Bumped whenever `terms` changes: the lexical index of an older version no longer matches questions. */
export const LEXICAL_VERSION = 2;

/** A word token: an acronym with full stops ("U.S."), or letters and digits with an apostrophe's ending. */
const TOKEN = /(?:\p{Lu}\.){2,}|[\p{L}\p{N}]+(?:['’]\p{L}+)?/gu;

/** Lower-case word tokens, stopwords dropped, spellings met, Porter-stemmed. Shared by indexing and querying. */
export function terms(text: string): string[] {
  const out: string[] = [];
  const normal = text.normalize('NFKC');
  // Token by token (not one array of every token: a megabyte of text is 300,000 of them), with
  // `exec` rather than a `matchAll` iterator: a question's few terms cost a fifth as much until
  // the code is optimised, which in a bot takes some dozens of questions.
  const token = new RegExp(TOKEN);
  for (let m = token.exec(normal); m; m = token.exec(normal)) {
    const raw = m[0];
    const word = raw
      .toLowerCase()
      .replace(/['’]s$/u, '')
      .replace(/['’.]/gu, '');
    if (word.length < 2 && !/\d/.test(word)) continue;
    // An all-capitals token is an acronym ("US", "U.S."), never a stopword.
    const acronym = raw.length >= 2 && raw === raw.toUpperCase() && /\p{Lu}/u.test(raw);
    if (!acronym && STOPWORDS.has(word)) continue;
    out.push(stem(word));
  }
  return out;
}

/** Stems by word, remembered: the spelling rules and the stemmer cost more than a query's whole vector search. */
const stems = new Map<string, string>();
function stem(word: string): string {
  let s = stems.get(word);
  if (s === undefined) {
    // A collection's vocabulary is bounded; a stream of junk words must not grow this without end.
    if (stems.size >= 200_000) stems.clear();
    stems.set(word, (s = stemmer(usSpelling(word))));
  }
  return s;
}

/**
 * British and American spellings of a word meet on one form ("defence"/"defense",
 * "organise"/"organize", "centre"/"center", "colour"/"color"), so two outlets' words match.
 * Applied to text and questions alike, a rewrite only has to be consistent, not correct.
 */
export function usSpelling(word: string): string {
  return word
    .replace(/(?<=\p{L}{3})is(e[ds]?|ing|ations?)$/u, 'iz$1')
    .replace(/(?<=\p{L}{2})ys(e[ds]?|ing)$/u, 'yz$1')
    .replace(/(?<=\p{L}{3})our(s|ed|ing|ite|ites|able)?$/u, 'or$1')
    .replace(/(?<=\p{L}{2})([tb])re(s)?$/u, '$1er$2')
    .replace(/(?<=\p{L}{3})ence(s)?$/u, 'ense$1')
    .replace(/(?<=\p{L}{3})ogue(s)?$/u, 'og$1');
}
