import { terms } from '../text/terms.js';
import type { Knn, LoadedIndex } from '../index/read.js';
import { aboutness, focusTable, questionFocus, type FocusTable } from './focus.js';

/**
 * Hybrid retrieval: dense (HNSW over sentence vectors) and lexical (BM25 over chunks) are
 * fused per chunk with reciprocal rank fusion, then the sentences of the best chunks are
 * scored for quoting. Scores are plain numbers in roughly [0, 1.5]; `confidence` is the
 * calibrated evidence that the collection answers the question at all.
 */

/** Collection statistics the scorer needs, computed once when the index is opened. */
export interface LexStats {
  /** Length of the sum of each chunk's sentence vectors (on the calibrated scale): see `context`. */
  chunkNorms: Float32Array;
  /** Original text of each sentence. */
  sentenceText: string[];
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

export interface Weights {
  /** Weight of IDF-weighted query-term coverage of a sentence. */
  coverage: number;
  /** Weight of the question's similarity to the sentence's whole chunk (its context). */
  context: number;
  /** Penalty when the question asks for a number or a time and the sentence has none. */
  typeMismatch: number;
  /** Penalty for the share of the question's names found nowhere in the collection. */
  unknown: number;
  /** Penalty for the share of all the question's terms that the collection never uses. */
  unseen: number;
  /** Weight of the share of the question's adjacent word pairs that the sentence has adjacent too. */
  phrase: number;
  /** Penalty for being less about the question's focus (the names it asks about) than the best candidate. */
  focus: number;
  /** How far a sentence is about a person its document names elsewhere (src/focus.ts). */
  focusElsewhere: number;
  /** Asked what a person said: how far a sentence about them in which they say nothing counts (src/focus.ts). */
  focusSilent: number;
  /** How far a sentence covers a question's verb of asking for, warning, proposing… by another of its kind ("demand" / "needs"). */
  act: number;
  /** RRF constant. */
  rrfK: number;
}

export const DEFAULT_WEIGHTS: Weights = {
  coverage: 0.7,
  context: 0.6,
  typeMismatch: 0.15,
  unknown: 0,
  unseen: 0,
  phrase: 0,
  focus: 0,
  focusElsewhere: 0.5,
  focusSilent: 1,
  act: 0,
  rrfK: 10,
};

/** What kind of answer a question asks for, from its wording (English question words). */
export type AnswerType = 'money' | 'number' | 'time' | 'place' | 'person' | 'any';

export function answerType(question: string): AnswerType {
  if (asksMoney(question)) return 'money';
  if (
    /\bwhere\b|\b(?:which|what)(?:\s+\w+)?\s+(?:countries|country|nations?|cities|city|states?|regions?|towns?|capitals?|places?)\b|^\s*(?:in|at|from|into|near)\s+(?:which|what)\b(?!\s+(?:year|date|day|month|time|decade|century|way|sense|case|form|manner)\b)/i.test(
      question,
    )
  )
    return 'place';
  if (
    /\bhow (?:many|much|far|long|big|large|old|high|deep|tall|heavy|wide|close|soon|often|fast|quickly)\b|\bwhat (?:percentage|share|proportion|number|amount|price|sum)\b/i.test(
      question,
    )
  )
    return 'number';
  if (/\bwhen\b|\bwhat (?:year|date|day|month|time)\b|\bwhich (?:year|date|day|month)\b/i.test(question)) return 'time';
  // "Who is Mira Okafor?" asks what a named person is, not for a name.
  if (
    /\b(?:who|whom)\b/i.test(question) &&
    !/^\s*[Ww]ho\s+(?:is|was|are|were)\s+(?:\p{Lu}|the\s+\p{Lu})/u.test(question)
  )
    return 'person';
  return 'any';
}

/**
 * Kinds of act a question asks someone did, each a few verbs (and nouns) of general English
 * that say it: asked what someone demanded, a sentence in which they need or insist on
 * something answers it. Stemmed like every term.
 */
const ACT_KINDS = [
  'demand demands need needs require insist want seek urge',
  'warn warning caution threaten threat risk danger fear',
  'propose proposal suggest suggestion offer recommend recommendation plan',
  'promise pledge vow commit',
  'predict prediction expect forecast anticipate',
  'deny denial reject dismiss refuse',
  'accuse blame criticise criticize condemn',
  'admit acknowledge concede',
].map((kind) => new Set(terms(kind)));
/** The other words of a term's kinds of act (none for a term that says no act). */
function actKin(term: string): string[] {
  return [...new Set(ACT_KINDS.filter((k) => k.has(term)).flatMap((k) => [...k]))].filter((t) => t !== term);
}

const MONEY_WORD =
  '(?:cost|costs|costing|price|priced|paid|pay|pays|spend|spent|worth|fee|fees|budget|fine[ds]?|salary|salaries|wage|wages|charge[ds]?)';
/**
 * Money is the answer when the question asks "how much" about it, names it as its object
 * ("what is the fine", "what was Smith's weekly wage") or ends on it ("what does it cost?"),
 * not when a money word is only part of the topic ("the vote on ending library fines").
 */
function asksMoney(question: string): boolean {
  return (
    (/\bhow much\b/i.test(question) && MONEY.test(question)) ||
    MONEY_OBJECT.test(question) ||
    MONEY_VERB_LAST.test(question)
  );
}
const MONEY = new RegExp(`\\b${MONEY_WORD}\\b`, 'i');
const MONEY_OBJECT = new RegExp(`^\\s*(?:what|which)(?:['’]s)?\\s+(?:\\S+\\s+){0,4}?${MONEY_WORD}\\b`, 'i');
const MONEY_VERB_LAST = /\b(?:cost|costs|pay|paid|spend|spent|charge[ds]?|earn(?:s|ed)?|worth)\W*$/i;

const MONTHS =
  'january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec';
const DAYS = 'monday|tuesday|wednesday|thursday|friday|saturday|sunday|today|yesterday|tomorrow';
const NUMBER_WORDS =
  'one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozen|dozens|hundred|hundreds|thousand|thousands|million|millions|billion|billions|half|double|twice';
const NUMBER = new RegExp(`\\d+(?:[.,]\\d+)*|\\b(?:${NUMBER_WORDS})\\b`, 'gi');
const HAS_MONEY =
  /[$€£¥₹]\s?\d|\d[\d,.]*\s?(?:million|billion|thousand|bn|m|k)?\s?(?:dollars?|euros?|pounds?|yen|yuan|rupees?|francs?|kron[ae]r?|crowns?|pesos?|rubles?|roubles?|won)\b|\b(?:USD|EUR|GBP)\s?\d/i;
const HAS_TIME = new RegExp(
  `\\b(?:1[5-9]\\d\\d|20\\d\\d|${MONTHS}|${DAYS}|(?:last|next|this|previous) (?:week|month|year|decade|century)|ago|since|century|decade)\\b`,
  'i',
);

/** Initials of runs of capitalised words ("Open Water Safety Board" → ow, ows, owsb, ws, wsb, sb). */
function spelledOutAcronyms(sentences: string[]): Map<string, string> {
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

/** The question's names: capitalised words after its first word, and acronyms. */
export function questionNames(question: string): string {
  const words = question.match(/[\p{L}\p{N}][\p{L}\p{N}'’.\-]*/gu) ?? [];
  return words
    .filter((w, i) => (i > 0 && /^\p{Lu}/u.test(w)) || (w.length > 1 && w === w.toUpperCase() && /\p{Lu}/u.test(w)))
    .join(' ');
}

/**
 * 1 when the sentence cannot hold the kind of answer asked for (or is itself a question), 0
 * when it can, 0.5 when it only might. `known` holds the question's own terms: a number,
 * place or person the question already names is not its answer.
 */
export function mismatch(type: AnswerType, sentence: string, known: Set<string>): number {
  // A question ("Why did the pipe fail?", a subheading or a rhetorical one) answers nothing.
  if (QUESTION.test(sentence)) return 1;
  // Stopword-only words ("one", "The") are neither known nor new.
  const isNew = (words: string) => terms(words).some((t) => !known.has(t));
  const isKnown = (words: string) => terms(words).length > 0 && !isNew(words);
  if (type === 'money') return HAS_MONEY.test(sentence) ? 0 : 1;
  if (type === 'number') return [...sentence.matchAll(NUMBER)].some((m) => !isKnown(m[0])) ? 0 : 1;
  if (type === 'time') return HAS_TIME.test(sentence) ? 0 : 1;
  // A place is named with a capital after a preposition: "in Paris", "at City Hall".
  if (type === 'place') return [...sentence.matchAll(PLACE)].some((m) => isNew(m[1]!)) ? 0 : 0.5;
  // A person (or body) is a capitalised name that is not the sentence's first word.
  if (type === 'person')
    return [...sentence.matchAll(NAME)].some((m) => isNew(m[1]!) && !CALENDAR.test(m[1]!)) ? 0 : 0.5;
  return 0;
}
const QUESTION = /\?["'”’)]*$/u;
const PLACE = /\b(?:in|at|on|near|from|to|into|between|across|outside|inside)\s+(?:the\s+)?(\p{Lu}[\p{L}\-]*)/gu;
const CALENDAR = new RegExp(`^(?:${MONTHS}|${DAYS})$`, 'i');
const NAME = /(?<=[\p{L},;:]\s+)(\p{Lu}[\p{L}\-]*)/gu;

export interface SentenceHit {
  sentence: number;
  chunk: number;
  doc: string;
  dense: number;
  coverage: number;
  /** How far the sentence is from the kind of answer asked for (0 fits, 1 cannot). */
  mismatch: number;
  score: number;
}

export interface ChunkHit {
  chunk: number;
  fused: number;
}

export interface Retrieval {
  sentences: SentenceHit[];
  chunks: ChunkHit[];
  /** Sentences near the candidates in which a person the question asks the words of speaks ("What did X say?"). */
  voiced?: Set<number>;
}

/** What `lexStats` reads from the text alone (not the vectors or the embedder's scale): worked out off the bot's event loop and handed in. */
export type TextStats = Omit<LexStats, 'chunkNorms' | 'similarity'>;

export function lexStats(
  index: LoadedIndex,
  similarity: (cosine: number) => number = (x) => x,
  text: TextStats = textStats(index),
): LexStats {
  return { ...text, chunkNorms: chunkNormsOf(index, similarity), similarity };
}

/**
 * |Σ sentence vectors| of each chunk, from the sentences' similarities to each other on the
 * calibrated scale: the question's similarity to the chunk is then Σ its similarities / this.
 */
function chunkNormsOf(index: LoadedIndex, similarity: (cosine: number) => number): Float32Array {
  const dims = index.manifest.dims;
  const chunkNorms = new Float32Array(index.chunks.length);
  let first = 0;
  index.chunks.forEach((c, k) => {
    let sum = 0;
    for (let i = first; i < first + c.sentences.length; i++)
      for (let j = first; j < first + c.sentences.length; j++) {
        let dot = 0;
        for (let d = 0; d < dims; d++) dot += index.vectors[i * dims + d]! * index.vectors[j * dims + d]!;
        sum += similarity(dot);
      }
    chunkNorms[k] = Math.sqrt(Math.max(1, sum));
    first += c.sentences.length;
  });
  return chunkNorms;
}

export function textStats(index: LoadedIndex): TextStats {
  const sentenceText = index.sentences.map((s) =>
    index.byId.get(index.chunks[s.chunk]!.doc)!.text.slice(s.start, s.end),
  );
  const sentenceTermLists = sentenceText.map((t) => terms(t));
  const sentenceTerms = sentenceTermLists.map((l) => new Set(l));
  const sentencePairs = sentenceTermLists.map((l) => new Set(l.slice(1).map((t, k) => `${l[k]} ${t}`)));
  const df = new Map<string, number>();
  for (const set of sentenceTerms) for (const t of set) df.set(t, (df.get(t) ?? 0) + 1);
  const n = Math.max(1, sentenceTerms.length);
  const idf = new Map<string, number>();
  for (const [t, f] of df) idf.set(t, Math.log(1 + n / f));
  const focus = focusTable(
    index.sentences.map((s, i) => ({
      text: sentenceText[i]!,
      doc: index.chunks[s.chunk]!.doc,
      paragraph: index.chunks[s.chunk]!.paragraph,
    })),
  );
  return {
    focus,
    localRarity: localRarity(index, sentenceTerms),
    sentenceText,
    sentenceTerms,
    sentencePairs,
    acronyms: spelledOutAcronyms(sentenceText),
    namePrefixes: namePrefixes(sentenceText),
    idf,
    maxIdf: Math.log(1 + n),
  };
}

function namePrefixes(sentences: string[]): Set<string> {
  const out = new Set<string>();
  for (const s of sentences) for (const [w] of s.matchAll(/\p{Lu}\p{L}{3,}/gu)) out.add(w.slice(0, 4).toLowerCase());
  return out;
}

/** A people's or language's adjective: "Norwegian", "Nigerian", "Chinese", "British", "Icelandic". */
const DEMONYM = /^\p{L}{4,}(?:ian|ean|an|ese|ish|ic|i)$/u;

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

export const DENSE_K = 64;
const LEXICAL_K = 32;
const TOP_CHUNKS = 10;

/** `near`: the dense neighbours, already fetched where the store searches asynchronously (see `nearest`). */
export function retrieve(
  index: LoadedIndex,
  stats: LexStats,
  query: string,
  qvec: number[],
  w: Weights = DEFAULT_WEIGHTS,
  near?: Knn,
): Retrieval {
  const n = index.sentences.length;
  const qList = terms(query);
  // A question made only of function words ("what is it they were") asks about nothing.
  if (n === 0 || qList.length === 0) return { sentences: [], chunks: [] };
  const dims = index.manifest.dims;
  const dense = new Map<number, number>();
  const denseOf = (i: number): number => {
    let v = dense.get(i);
    if (v === undefined) {
      v = 0;
      const off = i * dims;
      for (let d = 0; d < dims; d++) v += index.vectors[off + d]! * qvec[d]!;
      v = stats.similarity(v);
      dense.set(i, v);
    }
    return v;
  };

  // Dense: nearest sentences; a chunk ranks by its best sentence.
  const knn = near ?? index.dense.knnSync!(qvec, Math.min(DENSE_K, n));
  const chunkDense = new Map<number, number>();
  knn.neighbors.forEach((label, k) => {
    const sim = stats.similarity(1 - knn.distances[k]!);
    dense.set(label, sim);
    const c = index.sentences[label]!.chunk;
    chunkDense.set(c, Math.max(chunkDense.get(c) ?? -1, sim));
  });
  // An acronym the text only spells out ("WSB") is searched by its words.
  const spelled = [...new Set(qList)].filter((t) => !stats.idf.has(t) && stats.acronyms.has(t));
  const expanded = [query, ...spelled.map((t) => stats.acronyms.get(t)!)].join(' ');
  // Lexical: BM25 over chunks.
  const lexical = index.lexical.search(expanded).slice(0, LEXICAL_K);

  const fused = new Map<number, number>();
  [...chunkDense.entries()]
    .sort((a, b) => b[1] - a[1])
    .forEach(([c], rank) => fused.set(c, (fused.get(c) ?? 0) + 1 / (w.rrfK + rank + 1)));
  lexical.forEach((r, rank) => fused.set(r.id as number, (fused.get(r.id as number) ?? 0) + 1 / (w.rrfK + rank + 1)));
  const chunks = [...fused.entries()].map(([chunk, f]) => ({ chunk, fused: f })).sort((a, b) => b.fused - a.fused);

  // "How long", "how many": the degree word is part of the question, not its topic.
  const qTerms = [
    ...new Set(terms(expanded.replace(/\bhow (?:many|much|long|far|old|big|large|often|soon)\b/gi, ' '))),
  ].filter((t) => !spelled.includes(t));
  // A question word weighs its rarity in the collection times its rarity in the sentence's document.
  const termWeights = new Map<string, { weights: number[]; total: number }>();
  const weightsIn = (doc: string) => {
    let found = termWeights.get(doc);
    if (!found) {
      const rarity = stats.localRarity.get(doc)!;
      const weights = qTerms.map((t) => (stats.idf.get(t) ?? stats.maxIdf) * (rarity.get(t) ?? 1));
      termWeights.set(doc, (found = { weights, total: weights.reduce((a, b) => a + b, 0) }));
    }
    return found;
  };
  const focus = w.focus || w.act ? questionFocus(stats.focus, query) : [];
  // Asked what someone demanded (the verb after their name): another's demand is no answer, so
  // kin counts only where nobody else is the one who speaks.
  const verbs = new Set(focus.flatMap((f) => terms(f.verb)));
  const kin = qTerms.map((t) => (w.act && verbs.has(t) ? actKin(t) : []));
  const actors = focus.flatMap((f) => f.keys);
  const acts = (i: number) =>
    !actors.length || !stats.focus.says[i]!.size || actors.some((k) => stats.focus.says[i]!.has(k));
  const qPairs = [...new Set(qList.slice(1).map((t, k) => `${qList[k]} ${t}`))];
  const type = answerType(query);
  const known = new Set([...qTerms, ...qList]);
  // Words the collection never uses, among the question's names and among all its words.
  const neverUsed = (ts: string[]) =>
    ts.length ? ts.filter((t) => !stats.idf.has(t) && !stats.acronyms.has(t)).length / ts.length : 0;
  // "Norwegian" is not unknown to a text that says "of Norway": a demonym shares its country's stem.
  const names = (questionNames(query).match(/[\p{L}\p{N}'’.\-]+/gu) ?? []).filter(
    (w) => !(DEMONYM.test(w) && stats.namePrefixes.has(w.slice(0, 4).toLowerCase())),
  );
  const unknown = neverUsed([...new Set(terms(names.join(' ')))]);
  const unseen = neverUsed([...new Set(qList)]);
  const sentences: SentenceHit[] = [];
  for (const { chunk } of chunks.slice(0, TOP_CHUNKS)) {
    const c = index.chunks[chunk]!;
    const first = firstSentenceOf(index, chunk);
    // Similarity to the chunk's mean vector (its context), from the sentences' own similarities.
    let context = 0;
    for (let k = 0; k < c.sentences.length; k++) context += denseOf(first + k);
    context /= stats.chunkNorms[chunk]!;
    const { weights, total } = weightsIn(c.doc);
    for (let k = 0; k < c.sentences.length; k++) {
      const i = first + k;
      const have = stats.sentenceTerms[i]!;
      // The previous sentence of the paragraph often names who "he" or "it" is: half credit.
      const prev = k > 0 || sameParagraph(index, i - 1, i) ? stats.sentenceTerms[i - 1] : undefined;
      // A verb of demanding, warning… is also covered, in part, by another of its kind.
      const credit = (t: string, j: number) =>
        have.has(t)
          ? 1
          : prev?.has(t)
            ? 0.5
            : kin[j]!.length && kin[j]!.some((x) => have.has(x)) && acts(i)
              ? w.act
              : 0;
      const coverage = total > 0 ? qTerms.reduce((sum, t, j) => sum + credit(t, j) * weights[j]!, 0) / total : 0;
      const d = denseOf(i);
      const off = mismatch(type, stats.sentenceText[i]!, known);
      const score =
        d +
        w.coverage * coverage +
        w.context * context +
        (qPairs.length ? (w.phrase * qPairs.filter((p) => stats.sentencePairs[i]!.has(p)).length) / qPairs.length : 0) -
        w.unknown * unknown -
        w.unseen * unseen -
        w.typeMismatch * off;
      sentences.push({ sentence: i, chunk, doc: c.doc, dense: d, coverage, mismatch: off, score });
    }
  }
  // A sentence about someone else must not outrank one about whom the question asks, unless none is.
  if (w.focus && focus.length) {
    const about = sentences.map((h) =>
      aboutness(stats.focus, focus, h.sentence, h.doc, w.focusElsewhere, w.focusSilent),
    );
    const best = Math.max(...about);
    sentences.forEach((h, k) => (h.score -= w.focus * (best - about[k]!)));
  }
  sentences.sort((a, b) => b.score - a.score);
  // Where the person whose words are asked for speaks, just after a candidate: a passage grows to take it (src/answer.ts).
  const speakers = focus.filter((f) => f.speaks).flatMap((f) => f.keys);
  const voiced = new Set<number>();
  if (speakers.length)
    for (const h of sentences)
      for (let i = h.sentence; i <= Math.min(n - 1, h.sentence + 3); i++)
        if (speakers.some((k) => stats.focus.says[i]!.has(k))) voiced.add(i);
  return { sentences, chunks, voiced };
}

function sameParagraph(index: LoadedIndex, a: number, b: number): boolean {
  if (a < 0) return false;
  const ca = index.chunks[index.sentences[a]!.chunk]!,
    cb = index.chunks[index.sentences[b]!.chunk]!;
  return ca.doc === cb.doc && ca.paragraph === cb.paragraph;
}

/** Index of a chunk's first sentence in the flat sentence list (chunks are stored in order). */
function firstSentenceOf(index: LoadedIndex, chunk: number): number {
  let table = firstSentence.get(index);
  if (!table) {
    table = [];
    let i = 0;
    for (const c of index.chunks) {
      table.push(i);
      i += c.sentences.length;
    }
    firstSentence.set(index, table);
  }
  return table[chunk]!;
}
const firstSentence = new WeakMap<LoadedIndex, number[]>();

/** The dense neighbours `retrieve` needs, fetched ahead when the store cannot search synchronously. */
export async function nearest(index: LoadedIndex, qvec: number[]): Promise<Knn | undefined> {
  return index.dense.knnSync || index.sentences.length === 0
    ? undefined
    : index.dense.knn(qvec, Math.min(DENSE_K, index.sentences.length));
}
