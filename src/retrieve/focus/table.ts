/**
 * The question's focus: the names it asks about (people, bodies, places, acronyms), and for
 * every sentence of the collection the names it is about — named outright, or referred back
 * to ("he", "the minister", the speaker of a quotation that goes on). Everything here is
 * read from the collection's own text when the index is opened; the only word lists are
 * general English (pronouns, articles, speech verbs).
 */
import { terms } from '../../text/terms.js';
import {
  ADDRESSEE_VERBS,
  HONORIFIC_BEFORE,
  SPEECH_ACT,
  SPEECH_VERB,
  THIRD_PERSON_PRONOUN,
} from '../../text/english.js';
import { SPEECH_AFTER_NAME, SPEECH_BEFORE_NAME } from '../../text/quotation.js';
import { DETERMINER, isCapital, keyOf, tokens, type Token } from './words.js';
import { findLast, nothingBefore, textAfter, textBefore } from '../../text/window.js';

export interface FocusTable {
  /** Per sentence: the names (keys) it is about. */
  about: Set<string>[];
  /** Per sentence: the people it names outside quotation. */
  people: Set<string>[];
  /** Per sentence: who says, asks or demands something in it (named or referred to next to such a verb, or whose quotation it is). */
  says: Set<string>[];
  /** Names of people: agents (they speak, or are introduced as "X, who") that something marks as a person. */
  persons: Set<string>;
  /** Names that speak somewhere in the collection (people, bodies, companies), or are introduced as "X, who". */
  agents: Set<string>;
  /** Per document: every name any of its sentences is about. */
  docAbout: Map<string, Set<string>>;
  /** Names: written with a capital inside a sentence and never in lower case. */
  names: Set<string>;
  /** Capitalised, never in lower case, but only ever first in a sentence: a name only if the question capitalises it. */
  initialOnly: Set<string>;
  /** Titles of people who speak, by name key: "whitlow" → {"chairman"}. */
  titles: Map<string, Set<string>>;
  /** Rarity of being about a name, over sentences: log(1 + n / df). */
  idf: Map<string, number>;
}

/** A sentence as the focus table needs it. */
export interface FocusSentence {
  text: string;
  doc: string;
  paragraph: number;
}

/** One thing the question names (its words in order: "Ingrid Solberg"), weighted by how rare being about it is. */
export interface FocusName {
  keys: string[];
  weight: number;
  /** A person's name. */
  person: boolean;
  /** A name that speaks somewhere in the collection: a person, or a body ("the company said"). */
  agent: boolean;
  /** The question asks what this name said, demanded, warned…: "What did Hale say", not "what did Hale say about Tanaka". */
  speaks: boolean;
  /** The words right after the name in the question, where its verb is: "demand" in "What did Solberg demand?". */
  verb: string;
}

export function focusTable(sentences: FocusSentence[]): FocusTable {
  const toks = sentences.map((s) => tokens(s.text));
  const lower = new Set<string>();
  for (const ts of toks) for (const t of ts) if (!isCapital(t.word)) lower.add(t.word.toLowerCase());
  const names = new Set<string>();
  const initial = new Set<string>();
  toks.forEach((ts, i) =>
    ts.forEach((t, k) => {
      const key = keyOf(t.word, lower);
      if (!key) return;
      // The first word of a sentence (or of a quotation inside it) is capitalised anyway.
      const first = k === 0 || /["“‘(:]\s*$/u.test(sentences[i]!.text.slice(ts[k - 1]!.end, t.start));
      (first ? initial : names).add(key);
    }),
  );
  const initialOnly = new Set([...initial].filter((k) => !names.has(k)));

  // Quoted words blanked (same length): who speaks is read outside the quotation.
  const outside: string[] = [];
  const opensInside: boolean[] = [];
  const endsInside: boolean[] = [];
  let inside = false;
  sentences.forEach((s, i) => {
    if (i > 0 && (s.doc !== sentences[i - 1]!.doc || s.paragraph !== sentences[i - 1]!.paragraph)) inside = false;
    opensInside.push(inside);
    let out = '';
    for (let c = 0; c < s.text.length; c++) {
      const ch = s.text[c]!;
      const opening = ch === '“' || (ch === '"' && (c === 0 || /[\s(\[—–-]/.test(s.text[c - 1]!)));
      const closing = ch === '”' || (ch === '"' && !opening);
      if (opening) inside = true;
      else if (closing) inside = false;
      out += inside && !opening ? ' ' : ch;
    }
    outside.push(out);
    endsInside.push(inside);
  });

  // Words used as nouns somewhere ("the chief executive", "a farmer"): a title before a name, unlike a verb ("operates").
  const nouns = new Set<string>();
  for (const s of sentences)
    for (const m of s.text.matchAll(/\b(?:the|a|an)\s+(\p{Ll}[\p{L}\-]*)(?:\s+(\p{Ll}[\p{L}\-]*))?/gu))
      for (const w of m.slice(1)) if (w && terms(w).length) nouns.add(w);
  const runs = sentences.map((_, i) => runsOf(outside[i]!, toks[i]!, lower, nouns));
  // Whoever speaks anywhere in the collection is an agent everywhere; an agent is a person
  // when anything marks one: a title, an age, "X, who", or "He"/"She" opening the next sentence.
  const agentKeys = new Set<string>();
  const persons = new Set<string>();
  runs.forEach((rs, i) => {
    for (const r of rs) {
      if (r.agent) for (const k of r.name) agentKeys.add(k);
      if (r.person) for (const k of r.name) persons.add(k);
    }
    const next = sentences[i + 1];
    if (rs[0] && next?.doc === sentences[i]!.doc && /^\W*(?:he|she)\b/i.test(outside[i + 1]!))
      for (const k of rs[0].name) persons.add(k);
  });
  for (const k of persons) if (!agentKeys.has(k)) persons.delete(k);
  const titles = new Map<string, Set<string>>();
  // A title names its holder only when the holder speaks somewhere: "Bar Harbor" is a place.
  for (const rs of runs)
    for (const r of rs)
      if (r.title && r.name.some((k) => agentKeys.has(k)))
        for (const k of r.name) (titles.get(k) ?? titles.set(k, new Set()).get(k)!).add(r.title);
  const isPerson = (name: string[]) => name.some((k) => persons.has(k));

  const about: Set<string>[] = sentences.map(
    (_, i) => new Set(toks[i]!.map((t) => keyOf(t.word, lower)).filter((k): k is string => !!k && k.length > 1)),
  );
  const people: Set<string>[] = [];
  const says: Set<string>[] = sentences.map(() => new Set());
  // Agents named so far in the document, latest last: who "he" or "the minister" is.
  let recent: string[][] = [];
  const last = (ok: (name: string[]) => boolean) => findLast(recent, ok);
  // The quotation being read: its sentences, and who speaks in them (outside the quoted words).
  let group: number[] = [];
  let groupSpeakers: string[][] = [];
  let groupReports = false;
  // A lead-in that ends on a colon ("…, a spokesman said:") introduces the quotation after it.
  let leadIn: { speakers: string[][]; reports: boolean } | undefined;
  // Who spoke the last quotation (null: someone not named), until a sentence names someone new.
  let quoteSpeaker: string[] | null | undefined;
  const closeGroup = () => {
    if (!group.length) return;
    // A quotation without a speech verb goes on from whoever spoke last; one with a speech
    // verb but no name ("the employee said") is nobody's we know.
    const speaker =
      groupSpeakers[0] ?? (groupReports ? null : quoteSpeaker !== undefined ? quoteSpeaker : (last(isPerson) ?? null));
    if (speaker) {
      for (const g of group)
        for (const k of speaker) {
          about[g]!.add(k);
          says[g]!.add(k);
        }
      recent.push(speaker);
    }
    quoteSpeaker = speaker;
    group = [];
    groupSpeakers = [];
    groupReports = false;
  };
  sentences.forEach((s, i) => {
    const prev = sentences[i - 1];
    if (prev && (s.doc !== prev.doc || s.paragraph !== prev.paragraph)) closeGroup();
    if (prev && s.doc !== prev.doc) {
      recent = [];
      quoteSpeaker = undefined;
    }
    const named = runs[i]!.filter((r) => r.name.some((k) => agentKeys.has(k)));
    people.push(new Set(named.filter((r) => isPerson(r.name)).flatMap((r) => r.name)));
    const out = outside[i]!;
    // Referred back to: a personal pronoun outside quotation ("he"), or "the <title>" ("the minister").
    const refs: string[][] = [];
    if (THIRD_PERSON_PRONOUN.test(out) && !named.some((r) => isPerson(r.name))) {
      const who = last(isPerson);
      if (who) refs.push(who);
    }
    for (const m of out.matchAll(/\bthe((?:\s+[\p{L}'’\-]+){1,3})/giu)) {
      // "the prime minister's spokesman" is not the minister: the phrase stops before a possessive.
      const words = m[1]!.trim().toLowerCase().split(/\s+/);
      const possessive = words.findIndex((w) => /['’]s?$/.test(w));
      if (possessive >= 0) words.length = possessive;
      const who = last((n) => n.some((k) => words.some((w) => titles.get(k)?.has(w))));
      if (who) refs.push(who);
    }
    for (const n of refs) for (const k of n) about[i]!.add(k);
    // Who speaks here: named next to a speech verb, else someone referred back to in a sentence that reports speech.
    const speakers = [...named.filter((r) => r.speaks).map((r) => r.name), ...(SPEECH_VERB.test(out) ? refs : [])];
    // The subject comes first in a sentence: it is what "he" most likely means next.
    recent.push(...named.map((r) => r.name).reverse(), ...[...speakers].reverse());
    const reports = SPEECH_VERB.test(out);
    // Everyone named or referred to next to a verb of saying or asking says it ("Hale said", "He demanded").
    if (SPEECH_ACT.test(out))
      for (const n of [...named.filter((r) => !r.spokenOf).map((r) => r.name), ...refs])
        for (const k of n) says[i]!.add(k);
    for (const n of speakers) for (const k of n) says[i]!.add(k);
    if (opensInside[i] || /["“”]/.test(s.text)) {
      if (!group.length && leadIn) {
        groupSpeakers = leadIn.speakers;
        groupReports = leadIn.reports;
      }
      group.push(i);
      groupReports ||= reports;
      // The sentence that closes the quotation names its speaker first ("…,” said X), then the one that opens it.
      // (Only the first is ever used: the rest is not kept, or an unclosed quotation would copy a growing list.)
      groupSpeakers = (opensInside[i] ? [...speakers, ...groupSpeakers] : [...groupSpeakers, ...speakers]).slice(0, 1);
      if (!endsInside[i]) closeGroup();
    } else if (refs.length || named.some((r) => isPerson(r.name))) quoteSpeaker = undefined;
    leadIn = /:\s*$/.test(s.text) ? { speakers, reports } : undefined;
  });
  closeGroup();

  const docAbout = new Map<string, Set<string>>();
  const df = new Map<string, number>();
  sentences.forEach((s, i) => {
    const d = docAbout.get(s.doc) ?? docAbout.set(s.doc, new Set()).get(s.doc)!;
    for (const k of about[i]!) {
      d.add(k);
      df.set(k, (df.get(k) ?? 0) + 1);
    }
  });
  const n = Math.max(1, sentences.length);
  const idf = new Map([...df].map(([k, f]) => [k, Math.log(1 + n / f)]));
  // Whoever says something, named or referred to ("…,” he said), speaks for a question too.
  const agents = new Set([...agentKeys, ...says.flatMap((s) => [...s])]);
  return { about, people, says, persons, agents, docAbout, names, initialOnly, titles, idf };
}

/** A run of capitalised words; its name is its keyed words after the last title word. */
interface Run {
  name: string[];
  title?: string;
  /** Speaks here, or is introduced as "X, who". */
  agent: boolean;
  /** Next to a speech verb here: "Solberg said", "said Folake Adebayo". */
  speaks: boolean;
  /** Marked as a person: a title ("Judge", "chief executive"), an honorific, an age, "X, who". */
  person: boolean;
  /**
   * Not the one who speaks, whatever verb of saying the sentence has: a possessor ("Reyes's
   * demand") or the one spoken to ("called on Hale to…", "told Reyes").
   */
  spokenOf: boolean;
}

/**
 * Runs of capitalised words in a sentence (quoted words blanked): "Norwegian Trade Minister
 * Ingrid Solberg" is the name Ingrid Solberg with the title "minister".
 */
function runsOf(text: string, ts: Token[], lower: Set<string>, nouns: Set<string>): Run[] {
  const runs: Run[] = [];
  const firstWord = text.search(/\w/u);
  for (let k = 0; k < ts.length;) {
    if (!isCapital(ts[k]!.word) || text.slice(ts[k]!.start, ts[k]!.end) !== ts[k]!.word) {
      k++;
      continue;
    }
    let j = k + 1;
    while (j < ts.length && isCapital(ts[j]!.word) && /^['’]?s?[ \t]+$/u.test(text.slice(ts[j - 1]!.end, ts[j]!.start)))
      j++;
    const words = ts.slice(k, j);
    k = j;
    let lastTitle = -1;
    // A title is a capitalised everyday word ("Minister"), not a word capitalised because it opens the sentence.
    const opening = nothingBefore(firstWord, words[0]!.start);
    words.forEach((t, x) => {
      if (!keyOf(t.word, lower) && !(x === 0 && opening) && terms(t.word).length) lastTitle = x;
    });
    const name = words
      .slice(lastTitle + 1)
      .map((t) => keyOf(t.word, lower))
      .filter((key): key is string => !!key && key.length > 1);
    if (!name.length) continue;
    // (Bounded: a sentence of a thousand names is not read a thousand times.)
    const before = textBefore(text, words[0]!.start);
    const after = textAfter(text, words[words.length - 1]!.end);
    const capitalTitle = lastTitle >= 0 ? words[lastTitle]!.word.toLowerCase() : undefined;
    // An apposition names a title too: "The club's chairman, Malcolm Redfern," / "Sanne Vermeulen, the director of…".
    const pre = TITLE_PREPOSED.exec(before);
    const post =
      /^,\s*(\S+)\s+(?:[\p{L}\-]+\s+){0,3}?(\p{Ll}[\p{L}\-]*)(?=\s+(?:of|at|for|in|with|from|who|whose|on)\b|\s*,)/u.exec(
        after,
      );
    const preposed = pre && DETERMINER.test(pre[1]!) && /^,/.test(after) ? pre[2] : undefined;
    const apposed = preposed ?? (post && DETERMINER.test(post[1]!) ? post[2] : undefined);
    // "Analyst Tomas Varga" opening a sentence: a noun before a full name.
    const opener =
      lastTitle < 0 &&
      opening &&
      words.length > name.length &&
      nouns.has(words[0]!.word.toLowerCase()) &&
      name.length >= 2;
    const who = /^,\s*who\b/.test(after);
    // "Okafor's spokesman, Ana Duarte, said": the comma closes an apposition that opened before the name.
    const speaks =
      SPEECH_AFTER_NAME.test(/,\s*$/.test(before) ? after.replace(/^,/, '') : after) || SPEECH_BEFORE_NAME.test(before);
    runs.push({
      name,
      spokenOf: !speaks && (/^['’]s?(?!\p{L})/u.test(after) || ADDRESSED.test(before)),
      title: capitalTitle ?? apposed,
      agent: speaks || who,
      speaks,
      person:
        who ||
        !!capitalTitle ||
        !!preposed ||
        opener ||
        HONORIFIC_BEFORE.test(before) ||
        /^,\s*(?:aged\s+)?\d{1,3},/.test(after) ||
        (name.length >= 2 && nouns.has(before.match(TITLE_BEFORE)?.[1] ?? '')),
    });
  }
  return runs;
}

/** A verb of saying right before a name, whose object the name is: "called on |Hale", "told |Reyes". */
const ADDRESSED = new RegExp(`\\b(?:${ADDRESSEE_VERBS})\\s+(?:the\\s+)?$`, 'i');

/** A title set before a name by a determiner, the nearest one: "its finance minister, |Sione Latu". */
const TITLE_PREPOSED =
  /(?:^|\s)((?:[Tt]he|[Aa]n?|[Ii]ts|[Hh]is|[Hh]er|[Tt]heir|[Oo]ur)|\p{L}+['’]s?)\s+(?:\p{Ll}[\p{L}\-]*\s+){0,3}(\p{Ll}[\p{L}\-]*),\s*$/u;

/** A lower-case title right before a full name: "chief executive Martin Oyelaran", "farmer Colin Ashby". */
const TITLE_BEFORE = /(?:^|\s)(\p{Ll}[\p{Ll}\-]{3,})\s+$/u;
