/**
 * Follow-ups: a question asked after another one ("and what did he say about verification?")
 * turned into what retrieval needs. A pronoun or a bare title that refers back ("he", "the
 * minister") is replaced by the name the earlier question asked about, as that question wrote it
 * (its first reference only: "he … his plan" then says whose by itself); a follow-up that names and
 * refers to nobody ("and the deadline?") is put as about that name. The earlier question's other
 * terms count a little (`TOPIC_WEIGHT` of one of the follow-up's own).
 * A follow-up that names its own subject (a person or body the collection knows, or a title that
 * someone else in the collection holds) stands alone: the earlier question is ignored. A pronoun
 * after such a name is that name's; one before it still refers back ("what did they say about X?").
 * Names and titles are read from the collection's focus table; the only word lists are general English.
 */
import { BODY_NOUN, PERSON_NOUN, STOPWORDS } from '../text/english.js';
import { terms } from '../text/terms.js';
import { questionFocus } from '../retrieve/focus/question.js';
import { isCapital, tokens, type Token } from '../retrieve/focus/words.js';
import type { FocusName, FocusTable } from '../retrieve/focus/table.js';

/** How much one of the earlier question's topic terms counts, against one of the follow-up's own. */
export const TOPIC_WEIGHT = 0.3;

export interface FollowUp {
  /** The question to retrieve for: the follow-up, its references back replaced by whom they mean. */
  question: string;
  /** The earlier question's terms the follow-up does not have (stemmed); absent when it stands alone. */
  topic?: { terms: string[]; weight: number };
  /** The follow-up names its own subject: asked exactly as written. */
  standalone: boolean;
}

/** A name the earlier question asks about, as it wrote it. */
interface Named {
  text: string;
  keys: string[];
  person: boolean;
  agent: boolean;
}

const PRONOUN = /\b(?:he|she|him|his|her|hers|himself|herself|they|them|their|theirs|themselves|it|its|itself)\b/giu;
const POSSESSIVE = /^(?:his|hers|its|their|theirs)$/;
/** "it" refers back only as a subject ("what did it say"), not as the thing asked about ("what about it"). */
const AUXILIARY_BEFORE = /\b(?:did|does|do|will|would|has|have|had|is|was|can|could|should|might|may)\s+$/i;
/** "the" and up to two words before a title: "the foreign minister". */
const THE_PHRASE = /\bthe((?:\s+[\p{L}'’\-]+){1,3})/giu;

const lowerWords = (ts: readonly Token[]) => new Set(ts.flatMap((t) => [t.word, t.word.toLowerCase()]));

/** The name as written, each of its name words capitalised (a casually typed "okafor" stays a name anywhere). */
function asWritten(text: string, keys: readonly string[]): string {
  return text.replace(/\p{L}[\p{L}'’\-]*/gu, (w) =>
    !isCapital(w) && keys.includes(w.toLowerCase()) ? w[0]!.toUpperCase() + w.slice(1) : w,
  );
}

/** The names of the earlier question, in the order it wrote them, each with its words in that question. */
function earlierNames(table: FocusTable, earlier: string): Named[] {
  const ts = tokens(earlier);
  const out: (Named & { at: number })[] = [];
  const push = (f: FocusName, start: number, end: number) =>
    out.push({
      text: asWritten(earlier.slice(start, end), f.keys),
      keys: f.keys,
      person: f.person,
      agent: f.agent,
      at: start,
    });
  for (const f of questionFocus(table, earlier)) {
    const hit = ts.findIndex((t) => f.keys.includes(t.word) || f.keys.includes(t.word.toLowerCase()));
    if (hit >= 0) {
      let last = hit;
      while (
        last + 1 < ts.length &&
        (f.keys.includes(ts[last + 1]!.word.toLowerCase()) || f.keys.includes(ts[last + 1]!.word))
      )
        last++;
      push(f, ts[hit]!.start, ts[last]!.end);
      continue;
    }
    // A person named by a title ("the Rovers chairman"): the phrase from "the" to the title.
    const title = ts.find(
      (t) => !isCapital(t.word) && f.keys.some((k) => table.titles.get(k)?.has(t.word.toLowerCase())),
    );
    const the = title && /\bthe\s+(?:[\p{L}'’\-]+\s+){0,2}$/iu.exec(earlier.slice(0, title.start));
    if (title && the) push(f, the.index, title.end);
  }
  return out.sort((a, b) => a.at - b.at).map(({ at: _at, ...n }) => n);
}

interface Reference {
  start: number;
  end: number;
  to: Named;
  possessive: boolean;
}

/** Resolves `followUp` (already normalised) against the question it follows, `earlier`. */
export function resolveFollowUp(table: FocusTable, earlier: string, followUp: string): FollowUp {
  const alone: FollowUp = { question: followUp, standalone: true };
  const own = questionFocus(table, followUp);
  const ts = tokens(followUp);
  const words = lowerWords(ts);
  const written = own.filter((f) => f.keys.some((k) => words.has(k)));
  const ownKeys = new Set(written.flatMap((f) => f.keys));
  // Where it first names a person or body of its own ("what did Halvorsen say?"): a pronoun after that is theirs.
  const agentKeys = new Set(written.filter((f) => f.agent || f.person).flatMap((f) => f.keys));
  const ownAt = ts.find((t) => agentKeys.has(t.word) || agentKeys.has(t.word.toLowerCase()))?.start ?? Infinity;
  const names = earlierNames(table, earlier).filter((n) => !n.keys.some((k) => ownKeys.has(k)));
  const person = names.find((n) => n.person) ?? names.find((n) => n.agent);
  const body = names.find((n) => !n.person);
  const refs: Reference[] = [];
  let ownTitle = false;
  const titles = new Set([...table.titles.values()].flatMap((held) => [...held]));
  for (const m of followUp.matchAll(THE_PHRASE)) {
    const after = [...m[1]!.matchAll(/[\p{L}'’\-]+/gu)];
    const k = after.findIndex(([w]) => !isCapital(w) && titleLike(titles, w.toLowerCase()));
    // "the minister's spokesman" is not the minister.
    if (k < 0 || after.slice(0, k + 1).some(([w]) => /['’]s?$/.test(w))) continue;
    const word = after[k]![0].toLowerCase();
    const holder = names.find((n) => n.keys.some((key) => table.titles.get(key)?.has(word)));
    const someoneElse = titles.has(word);
    const to =
      holder ?? (someoneElse ? undefined : PERSON_NOUN.has(word) ? person : BODY_NOUN.has(word) ? body : undefined);
    if (!to) {
      // A title that others in the collection hold ("the president", asked after the minister): a subject of its own.
      ownTitle ||= someoneElse && !holder;
      continue;
    }
    const start = m.index!;
    const end = start + 3 + after[k]!.index! + after[k]![0].length;
    if (start < ownAt) refs.push({ start, end, to, possessive: false });
  }
  if (ownTitle) return alone;
  for (const m of followUp.matchAll(PRONOUN)) {
    const w = m[0].toLowerCase();
    const start = m.index!;
    if (start > ownAt || refs.some((r) => start >= r.start && start < r.end)) continue;
    const it = w.startsWith('it');
    if (w === 'it' && !AUXILIARY_BEFORE.test(followUp.slice(0, start))) continue;
    const to = it ? body : w.startsWith('th') ? (body ?? person) : person;
    if (!to) continue;
    // "her" before a noun is a possessive: "her plan".
    const next = /^\s+(\p{L}+)/u.exec(followUp.slice(start + w.length))?.[1]?.toLowerCase();
    const possessive = POSSESSIVE.test(w) || (w === 'her' && !!next && !STOPWORDS.has(next));
    refs.push({ start, end: start + w.length, to, possessive });
  }
  // Names someone, or a place or thing, and refers back to nobody: "what did Halvorsen say?", "what about the harbour?"
  if (written.length && !refs.length) return alone;
  // Each name replaces its first reference; later ones refer to it in the question itself ("he … his plan").
  const first = refs.sort((a, b) => a.start - b.start).filter((r, k) => refs.findIndex((x) => x.to === r.to) === k);
  let question = followUp;
  for (const r of first.reverse())
    question = question.slice(0, r.start) + r.to.text + (r.possessive ? "'s" : '') + question.slice(r.end);
  // Names and refers to nobody ("and what about verification?"): it goes on about the same subject.
  const subject = person ?? body;
  if (!refs.length && subject) question = `${subject.text}: ${followUp}`;
  const have = new Set(terms(question));
  const topic = [...new Set(terms(earlier))].filter((t) => !have.has(t));
  return { question, standalone: false, ...(topic.length && { topic: { terms: topic, weight: TOPIC_WEIGHT } }) };
}

/** A word that may name a person or body already named: a title the collection uses, or a general one. */
function titleLike(titles: ReadonlySet<string>, word: string): boolean {
  return PERSON_NOUN.has(word) || BODY_NOUN.has(word) || titles.has(word);
}
