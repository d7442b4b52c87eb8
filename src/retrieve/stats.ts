/**
 * Collection statistics the scorer needs, computed once when an index is opened: term rarity in
 * the collection and in each document, spelled-out acronyms, name prefixes, and the focus table.
 */
import { LEXICAL_VERSION, terms } from '../text/terms.js';
import { focusTable, type FocusTable } from './focus/table.js';
import { type BuiltIndex, type LoadedIndex } from '../index/types.js';
import { type SentenceKinds, sentenceKinds } from './answer-type.js';

/** Collection statistics the scorer needs, computed once when the index is opened. */
export interface LexStats {
  /** Length of the sum of each chunk's sentence vectors (on the calibrated scale): see `context`. */
  chunkNorms: Float32Array;
  /** Original text of each sentence. */
  sentenceText: string[];
  /**
   * What each sentence can answer (answer-type.ts), read from its text as questions first ask it:
   * made for a sentence the first time it is scored (see `kindsAt`), so only those take memory.
   */
  sentenceKinds: (SentenceKinds | undefined)[];
  /** Stemmed terms of each sentence. */
  sentenceTerms: Set<string>[];
  /** Adjacent stemmed term pairs of each sentence ("hard guarante"). */
  sentencePairs: Set<string>[];
  /** Acronyms the collection spells out: "wsb" → "Water Safety Board". */
  acronyms: Map<string, string>;
  /** First four letters (lower case) of every capitalised word in the collection: "Norway" → "norw". */
  namePrefixes: Set<string>;
  /**
   * Per document, how rare each of its terms is among its own sentences, in (0, 1]: a word
   * most of an article's sentences use (its subject's name) says little about which sentence answers.
   */
  localRarity: Map<string, Map<string, number>>;
  /** Inverse document frequency of a term over sentences; unseen terms get `maxIdf`. */
  idf: Map<string, number>;
  maxIdf: number;
  /** Who and what each sentence is about, for the question's focus (src/focus.ts). */
  focus: FocusTable;
  /** Maps the index embedder's cosine onto the scale the weights were calibrated on. */
  similarity: (cosine: number) => number;
}

/** Initials of runs of capitalised words ("Open Water Safety Board" → ow, ows, owsb, ws, wsb, sb). */
export function spelledOutAcronyms(sentences: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const text of sentences) {
    for (const run of text.match(/\p{Lu}\p{Ll}+(?:[\s-]+\p{Lu}\p{Ll}+)+/gu) ?? []) {
      const words = run.split(/[\s-]+/);
      for (let i = 0; i < words.length; i++)
        for (let j = i + 2; j <= Math.min(words.length, i + 6); j++) {
          const part = words.slice(i, j);
          const acronym = part.map((w) => w[0]!.toLowerCase()).join('');
          if (!out.has(acronym)) out.set(acronym, part.join(' '));
        }
    }
  }
  return out;
}

/**
 * The part of the statistics that depends on the index alone (not on the embedder's scale) and
 * costs most to compute (terms and the focus table: ~100 ms for a few hundred sentences). A writer
 * computes it once per generation and stores it beside the index (`statsJson`), so a reader that
 * opens a small collection cold (a server's) only parses it. Bump STATS_VERSION when what it holds
 * changes (terms, focus rules): stored data of another version is ignored and computed again.
 */
export const STATS_VERSION = 2;

export interface StatsData {
  /** Stemmed terms of each sentence, in order. */
  terms: string[][];
  acronyms: Map<string, string>;
  namePrefixes: Set<string>;
  focus: FocusTable;
}

export function statsData(index: BuiltIndex): StatsData {
  const text = sentenceTexts(index);
  return {
    terms: text.map((t) => terms(t)),
    acronyms: spelledOutAcronyms(text),
    namePrefixes: namePrefixes(text),
    focus: focusTable(
      index.sentences.map((s, i) => ({
        text: text[i]!,
        doc: index.chunks[s.chunk]!.doc,
        paragraph: index.chunks[s.chunk]!.paragraph,
      })),
    ),
  };
}

const sentenceTexts = (index: BuiltIndex) =>
  index.sentences.map((s) => index.byId.get(index.chunks[s.chunk]!.doc)!.text.slice(s.start, s.end));

const sets = (xs: Set<string>[]) => xs.map((x) => [...x]);
const setMap = (m: Map<string, Set<string>>) => [...m].map(([k, v]) => [k, [...v]] as const);

/** A new generation's statistics as its build stores them beside it (`StoreBuildOptions.stats`). */
export const storedStats = (built: BuiltIndex): string => statsJson(statsData(built));

/** `data` as stored beside its generation (JSON, with the versions it was made by). */
export function statsJson(data: StatsData): string {
  const f = data.focus;
  return JSON.stringify({
    version: STATS_VERSION,
    lexical: LEXICAL_VERSION,
    terms: data.terms,
    acronyms: [...data.acronyms],
    namePrefixes: [...data.namePrefixes],
    focus: {
      about: sets(f.about),
      people: sets(f.people),
      says: sets(f.says),
      persons: [...f.persons],
      agents: [...f.agents],
      docAbout: setMap(f.docAbout),
      names: [...f.names],
      initialOnly: [...f.initialOnly],
      titles: setMap(f.titles),
      idf: [...f.idf],
    },
  });
}

/** Stored statistics for `index`, or undefined when they are missing, of another version, or do not fit it. */
export function parseStatsData(raw: string | undefined, index: LoadedIndex): StatsData | undefined {
  if (!raw) return undefined;
  try {
    const j = JSON.parse(raw) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    const n = index.sentences.length;
    const f = j.focus;
    if (j.version !== STATS_VERSION || j.lexical !== LEXICAL_VERSION || j.terms?.length !== n) return undefined;
    if (f?.about?.length !== n || f.people?.length !== n || f.says?.length !== n) return undefined;
    const toSets = (xs: string[][]) => xs.map((x) => new Set(x));
    const toSetMap = (xs: [string, string[]][]) => new Map(xs.map(([k, v]) => [k, new Set(v)]));
    return {
      terms: j.terms as string[][],
      acronyms: new Map(j.acronyms as [string, string][]),
      namePrefixes: new Set(j.namePrefixes as string[]),
      focus: {
        about: toSets(f.about),
        people: toSets(f.people),
        says: toSets(f.says),
        persons: new Set(f.persons),
        agents: new Set(f.agents),
        docAbout: toSetMap(f.docAbout),
        names: new Set(f.names),
        initialOnly: new Set(f.initialOnly),
        titles: toSetMap(f.titles),
        idf: new Map(f.idf),
      },
    };
  } catch {
    return undefined;
  }
}

/** `data`: the index's stored statistics (statsData), when it has them; computed otherwise. */
export function lexStats(
  index: LoadedIndex,
  similarity: (cosine: number) => number = (x) => x,
  data: StatsData = statsData(index),
): LexStats {
  const words = sentenceWords(index, data);
  return statsOf(index, similarity, data, words, chunkNorms(index, similarity), termRarity(index, words.sentenceTerms));
}

/**
 * The same, a step at a time with a turn for the event loop between the steps (a process that
 * answers while it opens a new generation: ~0.3 s of work at 20,000 sentences, ~0.1 s at a time).
 */
export async function lexStatsAsync(
  index: LoadedIndex,
  similarity: (cosine: number) => number = (x) => x,
): Promise<LexStats> {
  const turn = () => new Promise((r) => setImmediate(r));
  await turn();
  const data = parseStatsData(index.stats, index) ?? statsData(index);
  await turn();
  const words = sentenceWords(index, data);
  await turn();
  const norms = chunkNorms(index, similarity);
  await turn();
  return statsOf(index, similarity, data, words, norms, termRarity(index, words.sentenceTerms));
}

type SentenceWords = Pick<LexStats, 'sentenceText' | 'sentenceTerms' | 'sentencePairs'>;

function sentenceWords(index: LoadedIndex, data: StatsData): SentenceWords {
  const sentenceTermLists = data.terms;
  return {
    sentenceText: sentenceTexts(index),
    sentenceTerms: sentenceTermLists.map((l) => new Set(l)),
    sentencePairs: sentenceTermLists.map((l) => new Set(l.slice(1).map((t, k) => `${l[k]} ${t}`))),
  };
}

/**
 * |Σ sentence vectors| of each chunk, from the sentences' similarities to each other on the
 * calibrated scale: the question's similarity to the chunk is then Σ its similarities / this.
 */
function chunkNorms(index: LoadedIndex, similarity: (cosine: number) => number): Float32Array {
  const dims = index.manifest.dims;
  const norms = new Float32Array(index.chunks.length);
  let first = 0;
  index.chunks.forEach((c, k) => {
    let sum = 0;
    for (let i = first; i < first + c.sentences.length; i++)
      for (let j = first; j < first + c.sentences.length; j++) {
        let dot = 0;
        for (let d = 0; d < dims; d++) dot += index.vectors[i * dims + d]! * index.vectors[j * dims + d]!;
        sum += similarity(dot);
      }
    norms[k] = Math.sqrt(Math.max(1, sum));
    first += c.sentences.length;
  });
  return norms;
}

/** Each term's rarity over the collection's sentences (idf), and in each document. */
function termRarity(index: LoadedIndex, sentenceTerms: Set<string>[]) {
  const df = new Map<string, number>();
  for (const set of sentenceTerms) for (const t of set) df.set(t, (df.get(t) ?? 0) + 1);
  const n = Math.max(1, sentenceTerms.length);
  const idf = new Map<string, number>();
  for (const [t, f] of df) idf.set(t, Math.log(1 + n / f));
  return { idf, maxIdf: Math.log(1 + n), localRarity: localRarity(index, sentenceTerms) };
}

function statsOf(
  index: LoadedIndex,
  similarity: (cosine: number) => number,
  data: StatsData,
  words: SentenceWords,
  chunkNorms: Float32Array,
  rarity: ReturnType<typeof termRarity>,
): LexStats {
  return {
    focus: data.focus,
    localRarity: rarity.localRarity,
    chunkNorms,
    sentenceText: words.sentenceText,
    sentenceKinds: new Array<SentenceKinds | undefined>(words.sentenceText.length),
    sentenceTerms: words.sentenceTerms,
    sentencePairs: words.sentencePairs,
    acronyms: data.acronyms,
    namePrefixes: data.namePrefixes,
    idf: rarity.idf,
    maxIdf: rarity.maxIdf,
    similarity,
  };
}

function namePrefixes(sentences: string[]): Set<string> {
  const out = new Set<string>();
  for (const s of sentences) for (const [w] of s.matchAll(/\p{Lu}\p{L}{3,}/gu)) out.add(w.slice(0, 4).toLowerCase());
  return out;
}

function localRarity(index: LoadedIndex, sentenceTerms: Set<string>[]): Map<string, Map<string, number>> {
  const df = new Map<string, Map<string, number>>();
  const count = new Map<string, number>();
  index.sentences.forEach((s, i) => {
    const doc = index.chunks[s.chunk]!.doc;
    count.set(doc, (count.get(doc) ?? 0) + 1);
    if (!df.has(doc)) df.set(doc, new Map());
    const m = df.get(doc)!;
    for (const t of sentenceTerms[i]!) m.set(t, (m.get(t) ?? 0) + 1);
  });
  for (const [doc, m] of df) {
    const n = count.get(doc)!;
    for (const [t, f] of m) m.set(t, Math.log(1 + n / f) / Math.log(1 + n));
  }
  return df;
}

/** Sentence `i`'s kinds (answer-type.ts), made when first asked for. */
export function kindsAt(stats: LexStats, i: number): SentenceKinds {
  return (stats.sentenceKinds[i] ??= sentenceKinds(stats.sentenceText[i]!));
}
