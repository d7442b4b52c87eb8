import { terms } from '../text/terms.js';
import { SPEECH_VERB } from '../text/english.js';
import { type Knn, type LoadedIndex } from '../index/types.js';
import { searchTerms } from '../index/lexical.js';
import { type AnswerType, mismatch } from './answer-type.js';
import { type LexStats, kindsAt } from './stats.js';
import { aboutnessOf } from './focus/question.js';
import { type FocusName } from './focus/table.js';
import { DEFAULT_CREDIT, evidence, questionUnits } from './evidence.js';
import { type Query, readQuery } from './query.js';

/**
 * Hybrid retrieval: dense (HNSW over sentence vectors) and lexical (BM25 over chunks) are
 * fused per chunk with reciprocal rank fusion, then the sentences of the best chunks are
 * scored for quoting. Scores are plain numbers in roughly [0, 1.5]; `confidence` is the
 * calibrated evidence that the collection answers the question at all.
 */

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
  /** Penalty when the question says exactly what its answer looks like ("how many jobs", "how long") and the sentence has no such thing. */
  fit: number;
  /** Asked what someone demanded, warned, proposed…: a sentence in which they are the one who does it (by that verb or one of its kind). */
  did: number;
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
  fit: 0,
  did: 0,
  rrfK: 10,
};

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
  /**
   * How far the best sentence holds what the question asks for, beyond its names
   * (src/retrieve/evidence.ts), in [0, 1]: worked out when asked for, exactly when below `upTo`
   * (default 0.5); at or above it, WordNet is not looked at, since its words can only add.
   */
  evidence?: (upTo?: number) => number;
}
export const DENSE_K = 64;
/** The kinds of answer a sentence can plainly lack (a place or a person it may hold unnamed). */
const ASKS_KIND: ReadonlySet<AnswerType> = new Set(['money', 'number', 'time']);
const LEXICAL_K = 32;
const TOP_CHUNKS = 10;

/** A follow-up's earlier topic (src/engine/followup.ts): stemmed terms that count by `weight` of a question term. */
export interface Topic {
  terms: readonly string[];
  weight: number;
}

/**
 * `near`: the dense neighbours, already fetched where the store searches asynchronously (see `nearest`);
 * `topic`: a follow-up's earlier topic (absent for every stand-alone question).
 */
export function retrieve(
  index: LoadedIndex,
  stats: LexStats,
  query: string,
  qvec: number[],
  w: Weights = DEFAULT_WEIGHTS,
  near?: Knn,
  topic?: Topic,
): Retrieval {
  const n = index.sentences.length;
  const qList = terms(query);
  // A question made only of function words ("what is it they were") asks about nothing.
  if (n === 0 || qList.length === 0) return { sentences: [], chunks: [] };
  const denseOf = denseScorer(index, stats, qvec);
  // Dense: nearest sentences; a chunk ranks by its best sentence.
  const knn = near ?? index.dense.knnSync!(qvec, Math.min(DENSE_K, n));
  // An acronym the text only spells out ("WSB") is searched by its words.
  const spelled = [...new Set(qList)].filter((t) => !stats.idf.has(t) && stats.acronyms.has(t));
  const spelledOut = spelled.map((t) => stats.acronyms.get(t)!);
  const expanded = [query, ...spelledOut].join(' ');
  // Lexical: BM25 over chunks, for the terms of `expanded` (no term crosses the spaces joining it).
  const lexical = searchTerms(index.lexical, [...qList, ...spelledOut.flatMap(terms)]).slice(0, LEXICAL_K);
  const chunks = fuse(chunkDense(index, knn, denseOf), lexical, w.rrfK);

  const q = readQuery(stats, query, qList, expanded, spelled, w, topic);
  const sentences = scoreChunks(index, stats, chunks.slice(0, TOP_CHUNKS), q, w, denseOf);
  // A sentence about someone else must not outrank one about whom the question asks, unless none is.
  if (w.focus && q.focus.length) {
    const aboutOf = aboutnessOf(stats.focus, q.focus, w.focusElsewhere, w.focusSilent);
    const about = sentences.map((h) => aboutOf(h.sentence, h.doc));
    const best = Math.max(...about);
    sentences.forEach((h, k) => (h.score -= w.focus * (best - about[k]!)));
  }
  sentences.sort((a, b) => b.score - a.score);
  const voiced = voicedAfter(stats, n, sentences, q.focus);
  const top = sentences[0];
  let asked: ReturnType<typeof topEvidence> | undefined;
  const evidence = (upTo = 0.5) => {
    if (!top) return 1;
    asked ??= topEvidence(index, stats, query, q, top);
    return asked.literal < upTo ? asked.withWordnet() : asked.literal;
  };
  return { sentences, chunks, voiced, evidence };
}

/*
 * The stages of `retrieve` are functions of their own, each small: V8 optimises a small function
 * after a few calls, where one large function ran unoptimised for the first hundred questions or so.
 */

/**
 * The calibrated similarity of a sentence to the query, computed from the stored vectors when
 * first asked for: whatever found a neighbour (an HNSW graph, pgvector, an exact scan), the same
 * sentence scores the same through every store.
 */
function denseScorer(index: LoadedIndex, stats: LexStats, qvec: number[]): (i: number) => number {
  const dims = index.manifest.dims;
  // The same numbers in a typed array: the products are summed faster, and to the same sums.
  const q = new Float64Array(qvec);
  const dense = new Map<number, number>();
  return (i) => {
    let v = dense.get(i);
    if (v === undefined) dense.set(i, (v = stats.similarity(dot(index.vectors, i * dims, q, dims))));
    return v;
  };
}

/**
 * A stored vector's inner product with the query, summed in order (the same sum through every
 * store): four products a turn, which V8 runs about a third faster than one.
 */
function dot(vectors: Float32Array, off: number, q: Float64Array, dims: number): number {
  let v = 0;
  let d = 0;
  for (; d + 4 <= dims; d += 4) {
    const o = off + d;
    v += vectors[o]! * q[d]!;
    v += vectors[o + 1]! * q[d + 1]!;
    v += vectors[o + 2]! * q[d + 2]!;
    v += vectors[o + 3]! * q[d + 3]!;
  }
  for (; d < dims; d++) v += vectors[off + d]! * q[d]!;
  return v;
}

/** Each chunk's best similarity among the neighbours, by chunk in the order the neighbours came. */
function chunkDense(index: LoadedIndex, knn: Knn, denseOf: (i: number) => number): Map<number, number> {
  const out = new Map<number, number>();
  for (const label of knn.neighbors) {
    const c = index.sentences[label]!.chunk;
    out.set(c, Math.max(out.get(c) ?? -1, denseOf(label)));
  }
  return out;
}

/** Reciprocal rank fusion of the chunks' dense and lexical ranks, best first. */
function fuse(dense: Map<number, number>, lexical: readonly { id: unknown }[], rrfK: number): ChunkHit[] {
  const fused = new Map<number, number>();
  [...dense.entries()]
    .sort((a, b) => b[1] - a[1])
    .forEach(([c], rank) => fused.set(c, (fused.get(c) ?? 0) + 1 / (rrfK + rank + 1)));
  lexical.forEach((r, rank) => fused.set(r.id as number, (fused.get(r.id as number) ?? 0) + 1 / (rrfK + rank + 1)));
  return [...fused.entries()].map(([chunk, f]) => ({ chunk, fused: f })).sort((a, b) => b.fused - a.fused);
}

/** How much each covered term weighs in a document, and the question's own terms' total. */
interface DocWeights {
  weights: number[];
  total: number;
}

/** A question word weighs its rarity in the collection times its rarity in the sentence's document. */
function docWeights(stats: LexStats, q: Query, doc: string): DocWeights {
  const rarity = stats.localRarity.get(doc)!;
  const weights = q.covered.map(
    (t, j) => (j < q.terms.length ? 1 : q.topicWeight) * (stats.idf.get(t) ?? stats.maxIdf) * (rarity.get(t) ?? 1),
  );
  // Topic terms add to a sentence's coverage (up to full), they do not dilute the question's own.
  const total = weights.slice(0, q.terms.length).reduce((a, b) => a + b, 0);
  return { weights, total };
}

/** Every sentence of the best chunks, scored. */
function scoreChunks(
  index: LoadedIndex,
  stats: LexStats,
  top: readonly ChunkHit[],
  q: Query,
  w: Weights,
  denseOf: (i: number) => number,
): SentenceHit[] {
  const sentences: SentenceHit[] = [];
  const byDoc = new Map<string, DocWeights>();
  for (const { chunk } of top) {
    const c = index.chunks[chunk]!;
    const first = firstSentenceOf(index, chunk);
    // Similarity to the chunk's mean vector (its context), from the sentences' own similarities.
    let context = 0;
    for (let k = 0; k < c.sentences.length; k++) context += denseOf(first + k);
    context /= stats.chunkNorms[chunk]!;
    let weights = byDoc.get(c.doc);
    if (!weights) byDoc.set(c.doc, (weights = docWeights(stats, q, c.doc)));
    const at = { chunk, doc: c.doc, context, ...weights };
    for (let k = 0; k < c.sentences.length; k++) {
      const i = first + k;
      // The previous sentence of the paragraph often names who "he" or "it" is: half credit.
      const prev = k > 0 || sameParagraph(index, i - 1, i) ? stats.sentenceTerms[i - 1] : undefined;
      sentences.push(scoreSentence(stats, q, w, at, i, denseOf(i), prev));
    }
  }
  return sentences;
}

/** A chunk among the best: its similarity to the question as a whole, and its document's term weights. */
interface ChunkAt extends DocWeights {
  chunk: number;
  doc: string;
  context: number;
}

/** A sentence's score: its similarity and its chunk's, what of the question it covers, less what it cannot answer. */
function scoreSentence(
  stats: LexStats,
  q: Query,
  w: Weights,
  { chunk, doc, context, weights, total }: ChunkAt,
  i: number,
  dense: number,
  prev: ReadonlySet<string> | undefined,
): SentenceHit {
  const have = stats.sentenceTerms[i]!;
  const says = stats.focus.says[i]!;
  // A verb of demanding, warning… is also covered, in part, by another of its kind, where nobody
  // but the names asked about is the one who speaks.
  const acts = () => !q.actors.length || !says.size || q.actors.some((k) => says.has(k));
  let covers = 0;
  if (total > 0) {
    for (let j = 0; j < q.covered.length; j++) {
      const t = q.covered[j]!;
      const kin = q.kin[j];
      const credit = have.has(t)
        ? 1
        : prev?.has(t)
          ? 0.5
          : kin?.length && kin.some((x) => have.has(x)) && acts()
            ? w.act
            : 0;
      covers += credit * weights[j]!;
    }
    covers /= total;
  }
  const coverage = q.capped ? Math.min(1, covers) : covers;
  const kinds = kindsAt(stats, i);
  const off = mismatch(q.type, kinds, q.known);
  let paired = 0;
  for (const p of q.pairs) if (stats.sentencePairs[i]!.has(p)) paired++;
  const phrase = q.pairs.length ? (w.phrase * paired) / q.pairs.length : 0;
  const did = q.asked && q.asked.keys.some((k) => says.has(k)) && q.asked.verbs.some((t) => have.has(t)) ? w.did : 0;
  const score =
    did +
    dense +
    w.coverage * coverage +
    w.context * context +
    phrase -
    w.unknown * q.unknown -
    w.unseen * q.unseen -
    w.typeMismatch * off -
    (q.exact && !q.exact(kinds) ? w.fit : 0);
  return { sentence: i, chunk, doc, dense, coverage, mismatch: off, score };
}

/** Where the person whose words are asked for speaks, just after a candidate: a passage grows to take it (answer/passage.ts). */
function voicedAfter(stats: LexStats, n: number, sentences: readonly SentenceHit[], focus: FocusName[]): Set<number> {
  const speakers = focus.filter((f) => f.speaks).flatMap((f) => f.keys);
  const voiced = new Set<number>();
  if (speakers.length)
    for (const h of sentences)
      for (let i = h.sentence; i <= Math.min(n - 1, h.sentence + 3); i++)
        if (speakers.some((k) => stats.focus.says[i]!.has(k))) voiced.add(i);
  return voiced;
}

/** The evidence the best sentence gives that it answers this question (src/retrieve/evidence.ts): word for word, and with WordNet when asked. */
function topEvidence(
  index: LoadedIndex,
  stats: LexStats,
  query: string,
  q: Query,
  top: SentenceHit,
): { literal: number; withWordnet: () => number } {
  const i = top.sentence;
  const near = [i - 1, i + 1].filter(
    (j) => j >= 0 && j < index.sentences.length && sameParagraph(index, Math.min(i, j), Math.max(i, j)),
  );
  // Asked for a sum, a number or a time, and neither the sentence nor its neighbours hold one: no answer.
  if (ASKS_KIND.has(q.type) && [i, ...near].every((j) => mismatch(q.type, kindsAt(stats, j), q.known) === 1))
    return { literal: 0, withWordnet: () => 0 };
  const { units, speakers } = questionUnits(query, stats, q.type, q.focus);
  const speaksIn = (j: number) =>
    speakers.some(
      (k) => stats.focus.says[j]!.has(k) || (stats.focus.about[j]!.has(k) && SPEECH_VERB.test(stats.sentenceText[j]!)),
    );
  const context = {
    have: { terms: stats.sentenceTerms[i]!, pairs: stats.sentencePairs[i]! },
    near: near.map((j) => ({ terms: stats.sentenceTerms[j]!, pairs: stats.sentencePairs[j]! })),
    kindFits: top.mismatch === 0,
    speaks: speaksIn(i) ? 1 : near.some(speaksIn) ? 0.5 : 0,
  };
  let looked: number | undefined;
  return {
    literal: evidence(units, context),
    withWordnet: () => (looked ??= evidence(units, context, DEFAULT_CREDIT)),
  };
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
