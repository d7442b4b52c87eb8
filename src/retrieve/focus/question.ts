/**
 * The question's side of the focus: the names it asks about, in the collection's keys, their
 * roles (who is asked to have said or done something), and how far a sentence is about them.
 */
import { DEMONYM, SPEECH_ACT } from '../../text/english.js';
import { isAcronym, isCapital, tokens, type Token } from './words.js';
import type { FocusName, FocusTable } from './table.js';

/** Right after a name in a question, the verb it asks about: "Hale| say", "Olsen| propose". */
const ASKS_SPEECH = new RegExp(`^\\s+(?:\\p{L}+\\s+)?${SPEECH_ACT.source}`, 'iu');

/** The one or two words after a name in a question: its verb, maybe after an adverb ("actually want"). */
function verbAfter(rest: string): string {
  return /^\s+((?:[\p{L}'’\-]+\s+)?[\p{L}'’\-]+)/u.exec(rest)?.[1] ?? '';
}

/**
 * The names a question asks about, in the collection's keys: consecutive ones form one name.
 * A word the question writes in lower case counts only when it writes nothing in capitals
 * (typed casually): "what did okafor offer", not "the harbour trust" in "the Fens".
 * A people's adjective stands for its country too: "Norwegian" also finds "Norway".
 */
export function questionFocus(table: FocusTable, question: string): FocusName[] {
  const out: FocusName[] = [];
  const words = tokens(question);
  const casual = !words.slice(1).some((t) => isCapital(t.word));
  let current: string[] = [];
  let prevEnd = -1;
  const flush = () => {
    const agent = current.some((k) => table.agents.has(k));
    if (current.length)
      out.push({
        keys: current,
        weight: Math.max(...current.map((k) => table.idf.get(k) ?? 0)),
        person: current.some((k) => table.persons.has(k)),
        agent,
        speaks: agent && ASKS_SPEECH.test(question.slice(prevEnd)),
        verb: verbAfter(question.slice(prevEnd)),
      });
    current = [];
  };
  words.forEach((t, k) => {
    const l = t.word.toLowerCase();
    const key =
      isAcronym(t.word) && table.idf.has(t.word)
        ? t.word
        : (isCapital(t.word) || casual) &&
            (table.names.has(l) || (table.initialOnly.has(l) && k > 0 && isCapital(t.word)))
          ? l
          : undefined;
    if (key && table.idf.has(key)) {
      if (!/^\s+$/.test(question.slice(prevEnd, t.start))) flush();
      current.push(key);
      if (DEMONYM.test(key))
        for (const other of table.names)
          if (other !== key && other.length >= 4 && key.startsWith(other) && table.idf.has(other)) current.push(other);
      prevEnd = t.end;
    } else flush();
  });
  flush();
  const named = out.filter((f) => f.weight > 0);
  return [...named, ...roles(table, question, words, named)];
}

/**
 * A person the question names only by a title ("the Rovers chairman", "the museum director"):
 * whoever carries that title in the collection, narrowed to the documents about the question's
 * other names when some are.
 */
function roles(table: FocusTable, question: string, words: Token[], named: FocusName[]): FocusName[] {
  const out: FocusName[] = [];
  const others = named.flatMap((f) => f.keys);
  for (const t of words.slice(1)) {
    if (isCapital(t.word) || !/\bthe\s+(?:[\p{L}'’\-]+\s+){0,2}$/iu.test(question.slice(0, t.start))) continue;
    let holders = [...table.titles].filter(([, ts]) => ts.has(t.word.toLowerCase())).map(([k]) => k);
    const near = holders.filter((k) =>
      [...table.docAbout.values()].some((d) => d.has(k) && others.some((o) => d.has(o))),
    );
    if (near.length) holders = near;
    const weight = Math.max(0, ...holders.map((k) => table.idf.get(k) ?? 0));
    if (weight > 0)
      out.push({
        keys: holders,
        weight,
        person: true,
        agent: true,
        speaks: ASKS_SPEECH.test(question.slice(t.end)),
        verb: verbAfter(question.slice(t.end)),
      });
  }
  return out;
}

/**
 * How far a sentence is about the question's focus, in [0, 1], each name counting by its
 * weight: fully when the sentence is about it; when only its document is, fully for a place
 * or body, by `elsewhere` for a person, and not at all if the sentence names another person
 * (someone else doing the asked thing); not at all when the document never names it. When
 * the question asks what someone said (or demanded, warned…), a sentence in which they say
 * nothing counts only by `silent`.
 */
export function aboutness(
  table: FocusTable,
  focus: FocusName[],
  sentence: number,
  doc: string,
  elsewhere: number,
  silent = 1,
): number {
  return aboutnessOf(table, focus, elsewhere, silent)(sentence, doc);
}

/** `aboutness` for many sentences of one question: what depends on the question alone is worked out once. */
export function aboutnessOf(
  table: FocusTable,
  focus: FocusName[],
  elsewhere: number,
  silent = 1,
): (sentence: number, doc: string) => number {
  const asked = new Set(focus.flatMap((f) => f.keys));
  const total = focus.reduce((sum, f) => sum + f.weight, 0);
  return (sentence, doc) => {
    let sum = 0;
    const here = table.about[sentence]!;
    const says = table.says[sentence]!;
    let someoneElse: boolean | undefined;
    for (const f of focus) {
      // Asked what someone said: a sentence in which they say nothing counts by `silent`.
      const quiet = f.speaks && !f.keys.some((k) => says.has(k)) ? silent : 1;
      if (f.keys.some((k) => here.has(k))) sum += f.weight * quiet;
      // A document about a place or body is about it throughout; one naming a person, only in part.
      else if (
        f.keys.some((k) => table.docAbout.get(doc)?.has(k)) &&
        !(f.person && (someoneElse ??= [...table.people[sentence]!].some((k) => !asked.has(k))))
      )
        sum += f.weight * quiet * (f.person ? elsewhere : 1);
    }
    return total > 0 ? sum / total : 0;
  };
}
