/**
 * Evidence that a passage answers this question, beyond similarity: what the question asks for
 * (its content words other than the names, a phrase WordNet lists as one entry taken whole) must
 * be in the sentence, literally, by stem, or by a related word of WordNet; the names it asks
 * about must be there or in the sentence's document. Each unit weighs its rarity in the collection.
 */
import { ANSWER_KIND_WORDS, IRREGULAR_FORMS, SPEECH_ACT, STOPWORDS } from '../text/english.js';
import { terms } from '../text/terms.js';
import { isEntry, relatives, type Relation } from '../text/wordnet.js';
import { type AnswerType } from './answer-type.js';
import { type FocusName } from './focus/table.js';
import { type LexStats } from './stats.js';

/** How much a related word counts for the asked one, by relation (0 = not at all). */
export interface EvidenceCredit extends Record<Relation, number> {
  /** A unit found only in the sentence before or after (same paragraph). */
  neighbour: number;
  /** WordNet senses of a word looked at (most common first). */
  senses: number;
}

export const DEFAULT_CREDIT: EvidenceCredit = {
  neighbour: 0.5,
  synonym: 0.7,
  derived: 0.7,
  similar: 0.5,
  hypernym: 0.4,
  hyponym: 0.3,
  senses: 3,
};

export interface Alt {
  stems: string[];
  relation: Relation;
  sense: number;
}

/**
 * What a unit is to the question: a name; a content word; a word naming the kind of answer
 * ("cost" when money is asked for); the verb of saying asked of someone ("demand" in "what did X
 * demand"); a word of the topic they were asked to speak about ("the union" in "what did X say about the union").
 */
export type UnitKind = 'name' | 'content' | 'kind' | 'speech' | 'topic';

/** One thing the question asks for: a word or a phrase, its stems, and the stems of its relatives. */
export interface Unit {
  words: string;
  stems: string[];
  weight: number;
  kind: UnitKind;
  /** Irregular forms ("paid" ↔ "pay"): as good as the word itself. */
  forms: string[][];
  /** WordNet's relatives, looked up only when the literal words leave the evidence short (see `evidence`). */
  alts?: Alt[];
}

/**
 * Words that frame a question rather than say what it asks for ("what is the name of…", "in
 * what way"): general English, never taken from a collection.
 */
const FRAME = new Set(
  terms(
    'name names kind kinds type types sort way ways thing things exactly actually happen happened happens mean means reason reasons example specific particular something anything detail details word words',
  ),
);
const KIND_TERMS = Object.fromEntries(
  Object.entries(ANSWER_KIND_WORDS).map(([k, words]) => [k, new Set(terms(words))]),
) as Record<keyof typeof ANSWER_KIND_WORDS, Set<string>>;

/** The particles of English phrasal verbs, which the stop words hold but a WordNet phrase may end on. */
const PARTICLES = new Set(['up', 'down', 'out', 'off', 'over', 'in', 'on']);

/** "How many", "how long": the degree asked for is the answer's type, not its topic. */
const DEGREE = /\bhow (?:many|much|long|far|old|big|large|often|soon|high|deep|tall|heavy|wide|close|fast|quickly)\b/gi;

interface Tok {
  word: string;
  start: number;
  stop: boolean;
  name: boolean;
}

export interface Asked {
  units: Unit[];
  /** Keys of the people the question asks what they said (the focus names that speak). */
  speakers: string[];
}

/** The question's units: names and content words (phrases WordNet lists taken whole), each weighted by rarity. */
export function questionUnits(question: string, stats: LexStats, type: AnswerType, focus: FocusName[]): Asked {
  const text = question.replace(DEGREE, (m) => ' '.repeat(m.length));
  const first = question.match(/[\p{L}\p{N}]+/u)?.[0];
  const matches = [...text.matchAll(/(?:\p{Lu}\.){2,}|[\p{L}\p{N}]+(?:['’]\p{L}+)?/gu)];
  const casual = !matches.some((m, k) => (k > 0 || m[0] !== first) && /^\p{Lu}/u.test(m[0]));
  const toks: Tok[] = matches.map((m, k) => {
    const w = m[0];
    const l = w.toLowerCase().replace(/['’]s$/u, '');
    const acronym = w.length >= 2 && w === w.toUpperCase() && /\p{Lu}/u.test(w);
    const stop = !acronym && (STOPWORDS.has(l) || terms(l).every((t) => FRAME.has(t)));
    const capital = /^\p{Lu}/u.test(w) && !(k === 0 && w === first);
    const name = !stop && (acronym || capital || (casual && stats.focus.names.has(l)));
    return { word: w.replace(/['’]s$/u, ''), start: m.index!, stop, name };
  });
  // Asked what someone said: the verb of saying, and what follows "about", are read differently.
  const speaking = focus.filter((f) => f.speaks);
  const speechVerbs = new Set(speaking.flatMap((f) => terms(f.verb)));
  const kindTerms = type === 'any' ? undefined : KIND_TERMS[type];
  const units: Unit[] = [];
  const weightOf = (stems: string[]) => Math.max(0, ...stems.map((t) => stats.idf.get(t) ?? stats.maxIdf));
  for (let k = 0; k < toks.length; k++) {
    const t = toks[k]!;
    if (t.stop) continue;
    // A phrase WordNet knows ("secretary of state", "chief executive", "go back") is one unit, matched whole.
    let taken = 1;
    if (!t.name)
      for (let len = 3; len >= 2; len--) {
        const span = toks.slice(k, k + len);
        // A phrasal verb ends on its particle ("put up", "set off"): a stop word, but part of the phrase.
        const last = span[len - 1];
        if (!last || (last.stop && !PARTICLES.has(last.word.toLowerCase())) || span.some((x) => x.name)) continue;
        if (isEntry(span.map((x) => x.word).join(' '))) {
          taken = len;
          break;
        }
      }
    const words = toks
      .slice(k, k + taken)
      .map((x) => x.word)
      .join(' ');
    const stems = [...new Set(terms(words))];
    k += taken - 1;
    if (!stems.length) continue;
    const kind: UnitKind = t.name
      ? 'name'
      : kindTerms && stems.every((s) => kindTerms.has(s))
        ? 'kind'
        : speechVerbs.size && stems.every((s) => speechVerbs.has(s)) && SPEECH_ACT.test(words)
          ? 'speech'
          : speaking.length
            ? 'topic'
            : 'content';
    units.push({ words, stems, weight: weightOf(stems), kind, forms: kind === 'name' ? [] : formsOf(words, stems) });
  }
  return { units, speakers: speaking.flatMap((f) => f.keys) };
}

/** The base form of an irregular word, or the irregular forms of a base ("paid" ↔ "pay"). */
const FORMS_OF = new Map<string, string[]>();
for (const [form, base] of IRREGULAR_FORMS) FORMS_OF.set(base, [...(FORMS_OF.get(base) ?? []), form]);
const baseOf = (words: string) =>
  words
    .toLowerCase()
    .split(' ')
    .map((w) => IRREGULAR_FORMS.get(w) ?? w)
    .join(' ');

function formsOf(words: string, stems: string[]): string[][] {
  const base = baseOf(words);
  const own = stems.join(' ');
  const out = [base, ...(base.includes(' ') ? [] : (FORMS_OF.get(base) ?? []))]
    .map((f) => [...new Set(terms(f))])
    .filter((f) => f.length && f.join(' ') !== own);
  return out;
}

/** WordNet's relatives of a unit (its base form), each as stems, with how it is related. */
function relativesOf(u: Unit, credit: EvidenceCredit): Alt[] {
  if (u.alts) return u.alts;
  const out = new Map<string, Alt>();
  const own = new Set(u.stems);
  const follow = (['derived', 'similar', 'hypernym', 'hyponym'] as const).filter((r) => credit[r] > 0);
  for (const r of relatives(baseOf(u.words), credit.senses, follow)) {
    if (!credit[r.relation]) continue;
    // The relative as written and in its irregular forms ("build" is also "built").
    for (const form of [r.lemma, ...(FORMS_OF.get(r.lemma.toLowerCase()) ?? [])]) {
      const s = [...new Set(terms(form))];
      if (!s.length || s.every((x) => own.has(x))) continue;
      const key = s.join(' ');
      const had = out.get(key);
      if (!had || credit[r.relation] > credit[had.relation])
        out.set(key, { stems: s, relation: r.relation, sense: r.sense });
    }
  }
  return (u.alts = [...out.values()]);
}

/** A sentence's terms, and its adjacent term pairs ("secretari state"). */
export interface Words {
  terms: Set<string>;
  pairs: Set<string>;
}

/**
 * How far a sentence holds a unit: 1 literally (a phrase whole, its words side by side) or in an
 * irregular form, else its best relative's credit; a phrase's words apart, half their share.
 */
function held(u: Unit, words: Words, credit: EvidenceCredit | undefined): number {
  const have = words.terms;
  let share = 0;
  for (const s of u.stems) if (have.has(s)) share++;
  const whole =
    share === u.stems.length && u.stems.every((s, k) => k === 0 || words.pairs.has(`${u.stems[k - 1]} ${s}`));
  if (whole || u.forms.some((f) => f.every((s) => have.has(s)))) return 1;
  let best = u.stems.length > 1 ? (0.5 * share) / u.stems.length : 0;
  if (credit)
    for (const a of relativesOf(u, credit))
      if (credit[a.relation] > best && a.stems.every((s) => have.has(s))) best = credit[a.relation];
  return best;
}

/** What `evidence` needs to know about a sentence besides its words. */
export interface Context {
  /** The words of the sentence and of its neighbours in the paragraph. */
  have: Words;
  near: Words[];
  /** The sentence holds the kind of answer asked for (a sum for "how much did it cost"). */
  kindFits: boolean;
  /** 1 when a person the question asks the words of speaks in the sentence, 0.5 in a neighbour, else 0. */
  speaks: number;
}

/**
 * The weighted share of the question's content units (not its names) a sentence holds: 1 when
 * it asks for none. A word naming the kind of answer counts when the sentence holds that kind;
 * asked what someone said, the verb of saying and the topic count where they speak. Units only
 * a neighbour holds count by `credit.neighbour`. WordNet's relatives are looked at (with
 * `credit`) only for the units the words leave unmatched.
 */
export function evidence(units: Unit[], c: Context, credit?: EvidenceCredit): number {
  let got = 0,
    total = 0;
  for (const u of units) {
    if (u.kind === 'name') continue;
    total += u.weight;
    if (u.kind === 'kind' && c.kindFits) {
      got += u.weight;
      continue;
    }
    let g = held(u, c.have, credit);
    if ((u.kind === 'speech' || u.kind === 'topic') && c.speaks)
      g = Math.max(g, c.speaks * (u.kind === 'speech' ? 1 : TOPIC_CREDIT));
    const nb = credit?.neighbour ?? DEFAULT_CREDIT.neighbour;
    for (const n of c.near) if (g < nb) g = Math.max(g, nb * held(u, n, credit));
    got += u.weight * g;
  }
  return total ? got / total : 1;
}
/** Asked what someone said about a topic, and they speak here: the topic's own words may be missing. */
const TOPIC_CREDIT = 0.7;
