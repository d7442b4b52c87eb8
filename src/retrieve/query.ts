/**
 * What a question asks for, as the scorer reads it (src/retrieve/score.ts): its terms and adjacent
 * pairs, the names it asks about and their verbs, the kind of answer it wants, and how far its
 * words are unknown to the collection. Worked out once per question and index, before any
 * candidate sentence is scored, so that scoring a sentence only looks things up.
 */
import { terms } from '../text/terms.js';
import { ACT_KIND_WORDS, DEMONYM } from '../text/english.js';
import { type AnswerType, type SentenceKinds, answerType, exactAnswer, questionNames } from './answer-type.js';
import { type LexStats } from './stats.js';
import { questionFocus } from './focus/question.js';
import { type FocusName } from './focus/table.js';

export interface Query {
  /** The question's own terms, each once ("how many" and acronyms the text spells out left out). */
  terms: string[];
  /** Its terms, then a follow-up's earlier topic terms it does not have (score.ts `Topic`). */
  covered: string[];
  /** How a topic term counts against a question term (1 without a topic). */
  topicWeight: number;
  /** A follow-up: its coverage is capped at full, topic terms adding to it. */
  capped: boolean;
  /** The names the question asks about (focus/question.ts). */
  focus: FocusName[];
  /** Per question term: the other words of its kinds of act, when it is the verb asked of someone. */
  kin: string[][];
  /** Keys of every name the question asks about. */
  actors: string[];
  /**
   * Asked what someone said or did by a verb of saying ("what did Hale warn"): the keys of the
   * names that speak, and the verb's terms with those of its kinds of act. Else undefined.
   */
  asked?: { keys: string[]; verbs: string[] };
  /** Adjacent term pairs of the question ("hard guarante"). */
  pairs: string[];
  type: AnswerType;
  /** The test a sentence must pass to hold the exact answer asked for, if the question says (answer-type.ts). */
  exact?: (sentence: SentenceKinds) => boolean;
  /** Every term of the question: what it names is not its answer. */
  known: Set<string>;
  /** Share of the question's names the collection never uses. */
  unknown: number;
  /** Share of all its terms the collection never uses. */
  unseen: number;
}

/** "How long", "how many": the degree word is part of the question, not its topic. */
const DEGREE = /\bhow (?:many|much|long|far|old|big|large|often|soon)\b/gi;

/**
 * `qList`: the terms of `query`; `expanded`: the query with the words of the acronyms it uses that
 * the text only spells out (`spelled`), as the lexical search is given it; `w`: the weights of
 * acts and exact answers (score.ts `Weights`), 0 to leave them out; `topic`: a follow-up's.
 */
export function readQuery(
  stats: LexStats,
  query: string,
  qList: string[],
  expanded: string,
  spelled: string[],
  w: { act: number; fit: number; did: number },
  topic?: { readonly terms: readonly string[]; weight: number },
): Query {
  const qTerms = [...new Set(terms(expanded.replace(DEGREE, ' ')))].filter((t) => !spelled.includes(t));
  // Follow-ups only: the earlier question's topic terms count too, at their lower weight.
  const covered = topic ? [...qTerms, ...topic.terms.filter((t) => !qTerms.includes(t))] : qTerms;
  const focus = questionFocus(stats.focus, query);
  // Asked what someone demanded (the verb after their name): another's demand is no answer, so
  // kin counts only where nobody else is the one who speaks.
  const verbs = new Set(focus.flatMap((f) => terms(f.verb)));
  // Words the collection never uses, among the question's names and among all its words.
  const neverUsed = (ts: string[]) =>
    ts.length ? ts.filter((t) => !stats.idf.has(t) && !stats.acronyms.has(t)).length / ts.length : 0;
  // "Norwegian" is not unknown to a text that says "of Norway": a demonym shares its country's stem.
  const names = (questionNames(query).match(/[\p{L}\p{N}'’.\-]+/gu) ?? []).filter(
    (w) => !(DEMONYM.test(w) && stats.namePrefixes.has(w.slice(0, 4).toLowerCase())),
  );
  return {
    terms: qTerms,
    covered,
    topicWeight: topic?.weight ?? 1,
    capped: !!topic,
    focus,
    kin: qTerms.map((t) => (w.act && verbs.has(t) ? actKin(t) : [])),
    actors: focus.flatMap((f) => f.keys),
    asked: askedAct(focus, w.did),
    pairs: [...new Set(qList.slice(1).map((t, k) => `${qList[k]} ${t}`))],
    type: answerType(query),
    exact: w.fit ? exactAnswer(query) : undefined,
    known: new Set([...qTerms, ...qList]),
    unknown: neverUsed([...new Set(terms(names.join(' ')))]),
    unseen: neverUsed([...new Set(qList)]),
  };
}

/** The speakers a question asks the words of, and its verb with its kin (none without a weight for it). */
function askedAct(focus: FocusName[], weight: number): Query['asked'] {
  const speaking = focus.filter((f) => f.speaks && f.verb);
  if (!weight || !speaking.length) return undefined;
  const own = [...new Set(speaking.flatMap((f) => terms(f.verb)))];
  if (!own.length) return undefined;
  return { keys: speaking.flatMap((f) => f.keys), verbs: own };
}

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
