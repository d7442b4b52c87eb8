import { terms } from '../text/terms.js';
import { ACT_KIND_WORDS, DEMONYM } from '../text/english.js';
import { type Knn, type LoadedIndex } from '../index/types.js';
import { type AnswerType, answerType, exactAnswer, mismatch, questionNames } from './answer-type.js';
import { type LexStats } from './stats.js';
import { aboutness, questionFocus } from './focus/question.js';
import { type FocusName } from './focus/table.js';
import { DEFAULT_CREDIT, evidence, questionUnits } from './evidence.js';
import { SPEECH_VERB } from '../text/english.js';

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
  rrfK: 10,
};

/**
 * Kinds of act a question asks someone did, each a few verbs (and nouns) of general English
 * that say it: asked what someone demanded, a sentence in which they need or insist on
 * something answers it. Stemmed like every term.
 */
const ACT_KINDS = ACT_KIND_WORDS.map((kind) => new Set(terms(kind)));
/** The other words of a term's kinds of act (none for a term that says no act). */
function actKin(term: string): string[] {
  return [...new Set(ACT_KINDS.filter((k) => k.has(term)).flatMap((k) => [...k]))].filter((t) => t !== term);
}

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
  // Every similarity is computed here from the stored vectors, whatever found the neighbours (an
  // HNSW graph, pgvector, an exact scan): the same sentence scores the same through every store.
  knn.neighbors.forEach((label) => {
    const sim = denseOf(label);
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
  // Follow-ups only: the earlier question's topic terms count too, at their lower weight.
  const covered = topic ? [...qTerms, ...topic.terms.filter((t) => !qTerms.includes(t))] : qTerms;
  const factor = (j: number) => (j < qTerms.length ? 1 : topic!.weight);
  // A question word weighs its rarity in the collection times its rarity in the sentence's document.
  const termWeights = new Map<string, { weights: number[]; total: number }>();
  const weightsIn = (doc: string) => {
    let found = termWeights.get(doc);
    if (!found) {
      const rarity = stats.localRarity.get(doc)!;
      const weights = covered.map((t, j) => factor(j) * (stats.idf.get(t) ?? stats.maxIdf) * (rarity.get(t) ?? 1));
      // Topic terms add to a sentence's coverage (up to full), they do not dilute the question's own.
      const total = weights.slice(0, qTerms.length).reduce((a, b) => a + b, 0);
      termWeights.set(doc, (found = { weights, total }));
    }
    return found;
  };
  const focus = questionFocus(stats.focus, query);
  // Asked what someone demanded (the verb after their name): another's demand is no answer, so
  // kin counts only where nobody else is the one who speaks.
  const verbs = new Set(focus.flatMap((f) => terms(f.verb)));
  const kin = qTerms.map((t) => (w.act && verbs.has(t) ? actKin(t) : []));
  const actors = focus.flatMap((f) => f.keys);
  const acts = (i: number) =>
    !actors.length || !stats.focus.says[i]!.size || actors.some((k) => stats.focus.says[i]!.has(k));
  const qPairs = [...new Set(qList.slice(1).map((t, k) => `${qList[k]} ${t}`))];
  const type = answerType(query);
  const exact = w.fit ? exactAnswer(query) : undefined;
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
            : kin[j]?.length && kin[j]!.some((x) => have.has(x)) && acts(i)
              ? w.act
              : 0;
      const covers = total > 0 ? covered.reduce((sum, t, j) => sum + credit(t, j) * weights[j]!, 0) / total : 0;
      const coverage = topic ? Math.min(1, covers) : covers;
      const d = denseOf(i);
      const off = mismatch(type, stats.sentenceText[i]!, known);
      const score =
        d +
        w.coverage * coverage +
        w.context * context +
        (qPairs.length ? (w.phrase * qPairs.filter((p) => stats.sentencePairs[i]!.has(p)).length) / qPairs.length : 0) -
        w.unknown * unknown -
        w.unseen * unseen -
        w.typeMismatch * off -
        (exact && !exact(stats.sentenceText[i]!) ? w.fit : 0);
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
  const top = sentences[0];
  let asked: ReturnType<typeof topEvidence> | undefined;
  const evidence = (upTo = 0.5) => {
    if (!top) return 1;
    asked ??= topEvidence(index, stats, query, type, focus, top);
    return asked.literal < upTo ? asked.withWordnet() : asked.literal;
  };
  return { sentences, chunks, voiced, evidence };
}

/** The evidence the best sentence gives that it answers this question (src/retrieve/evidence.ts): word for word, and with WordNet when asked. */
function topEvidence(
  index: LoadedIndex,
  stats: LexStats,
  query: string,
  type: AnswerType,
  focus: FocusName[],
  top: SentenceHit,
): { literal: number; withWordnet: () => number } {
  const { units, speakers } = questionUnits(query, stats, type, focus);
  const i = top.sentence;
  const near = [i - 1, i + 1].filter(
    (j) => j >= 0 && j < index.sentences.length && sameParagraph(index, Math.min(i, j), Math.max(i, j)),
  );
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
