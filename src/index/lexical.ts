/**
 * The lexical index: BM25 over chunks (MiniSearch's BM25+), built from and queried with the same
 * `terms`. Stored as MiniSearch JSON in either store, so every reader ranks exactly alike.
 */
import MiniSearch, { type SearchResult } from 'minisearch';
import { terms } from '../text/terms.js';

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

/**
 * BM25 search for terms already made by `terms` (a question's, which retrieval has anyway): the
 * same results as searching their text, without tokenising it a second time.
 */
export function searchTerms(ms: MiniSearch<LexicalDoc>, ts: readonly string[]): SearchResult[] {
  return ms.search(ts.join(' '), { tokenize: () => [...ts], processTerm: (t) => t });
}
