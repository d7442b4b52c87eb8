import MiniSearch from 'minisearch';
import { stemmer } from 'stemmer';

/** Common English function words, plus question words: they carry no topic. */
const STOPWORDS = new Set(
  `a about above after again against all am an and any are as at be because been before being below between both but by
can could did do does doing down during each few for from further had has have having he her here hers herself him himself
his how i if in into is it its itself just me more most my myself no nor not now of off on once only or other our ours
ourselves out over own same she should so some such than that the their theirs them themselves then there these they this
those through to too under until up very was we were what when where which while who whom whose why will with would you
your yours yourself yourselves s t don doesn didn isn wasn aren weren won wouldn shouldn couldn also said says say tell
told get got give gave given make made many much may might must shall one ones us let lets like well even ever yet still
whether according according upon via per within without among across`.split(/\s+/),
);

/** Bumped whenever `terms` changes: the lexical index of an older version no longer matches questions. */
export const LEXICAL_VERSION = 2;

/** Lower-case word tokens, stopwords dropped, spellings met, Porter-stemmed. Shared by indexing and querying. */
export function terms(text: string): string[] {
  const out: string[] = [];
  // Token by token (an iterator, not one array of every token: a megabyte of text is 300,000 of them).
  for (const [raw] of text.normalize('NFKC').matchAll(/(?:\p{Lu}\.){2,}|[\p{L}\p{N}]+(?:['’]\p{L}+)?/gu)) {
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

export interface LexicalDoc {
  id: number;
  text: string;
}

const OPTIONS = {
  fields: ['text'],
  storeFields: [] as string[],
  // MiniSearch tokenizes, then processTerm may return several terms: we do both in one place.
  tokenize: (text: string) => [text],
  processTerm: (text: string) => terms(text),
  searchOptions: { combineWith: 'OR' as const },
};

/** BM25 index over chunks (MiniSearch's BM25+). */
export function buildLexical(docs: LexicalDoc[]): MiniSearch<LexicalDoc> {
  const ms = new MiniSearch<LexicalDoc>(OPTIONS);
  ms.addAll(docs);
  return ms;
}

export function loadLexical(json: string): MiniSearch<LexicalDoc> {
  return MiniSearch.loadJSON<LexicalDoc>(json, OPTIONS);
}

/** The same, in batches with pauses between (MiniSearch's own): a running bot keeps answering while a new index loads. */
export function loadLexicalAsync(json: string): Promise<MiniSearch<LexicalDoc>> {
  return MiniSearch.loadJSONAsync<LexicalDoc>(json, OPTIONS);
}
