/**
 * What kind of answer a question asks for (money, a number, a time, a place, a person), from its
 * English question words, and whether a sentence can hold it: a "when" needs a date or time.
 */
import {
  DAYS,
  GENERIC_COUNT_NOUNS,
  IRREGULAR_FORMS,
  LENGTH_UNITS,
  MONEY_WORD,
  MONTHS,
  NUMBER_WORDS,
  TENS,
  TIME_UNITS,
} from '../text/english.js';
import { terms } from '../text/terms.js';
import { isKindOf } from '../text/wordnet.js';

/** What kind of answer a question asks for, from its wording (English question words). */
export type AnswerType = 'money' | 'number' | 'time' | 'place' | 'person' | 'any';

export function answerType(question: string): AnswerType {
  // "When will the court decide how much…" asks for a time: the first question word decides.
  const first = firstQuestionWord(question);
  if (first === 'when') return 'time';
  if (asksMoney(question)) return 'money';
  if (
    first === 'where' ||
    /\b(?:which|what)(?:\s+\w+)?\s+(?:countries|country|nations?|cities|city|states?|regions?|towns?|capitals?|places?)\b|^\s*(?:in|at|from|into|near)\s+(?:which|what)\b(?!\s+(?:year|date|day|month|time|decade|century|way|sense|cases?|form|manner|situations?|circumstances|conditions|respects?)\b)/i.test(
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
  if (/\bwhat (?:year|date|day|month|time)\b|\bwhich (?:year|date|day|month)\b/i.test(question)) return 'time';
  // "Who is Mira Okafor?" asks what a named person is, not for a name.
  if (
    (first === 'who' || first === 'whom') &&
    !/^\s*[Ww]ho\s+(?:is|was|are|were)\s+(?:\p{Lu}|the\s+\p{Lu})/u.test(question)
  )
    return 'person';
  return 'any';
}

/**
 * "When did it open?" asks for a time; "What happened when the power failed?" and "What did he
 * say about where it was found?" ask something else, with "when" or "where" only starting a
 * clause: the first question word decides.
 */
function firstQuestionWord(question: string): string | undefined {
  return /\b(?:when|what|who|whom|whose|which|why|how|where)\b/i.exec(question)?.[0].toLowerCase();
}

/**
 * Money is the answer when the question asks "how much" about it, names it as its object
 * ("what is the fine", "what was Smith's weekly wage") or ends on it ("what does it cost?"),
 * not when a money word is only part of the topic ("the vote on ending library fines").
 */
function asksMoney(question: string): boolean {
  // "What did he spend the money on?" asks what was bought.
  if (/\bsp[ea]nd?t?\b.*\bon\W*$/i.test(question)) return false;
  return (
    (/\bhow much\b/i.test(question) && MONEY.test(question)) ||
    MONEY_OBJECT.test(question) ||
    MONEY_VERB_LAST.test(question)
  );
}
const MONEY = new RegExp(`\\b${MONEY_WORD}\\b`, 'i');
const MONEY_OBJECT = new RegExp(`^\\s*(?:what|which)(?:['’]s)?\\s+(?:\\S+\\s+){0,4}?${MONEY_WORD}\\b`, 'i');
const MONEY_VERB_LAST = /\b(?:cost|costs|pay|paid|spend|spent|charge[ds]?|earn(?:s|ed)?|worth)\W*$/i;

// A share in words ("a quarter", "two thirds") is a number too.
const NUMBER = new RegExp(
  `\\d+(?:[.,]\\d+)*|\\b(?:${NUMBER_WORDS})\\b|\\b(?:a|one|two|three)\\s+(?:quarter|third|fifth|tenth)s?\\b`,
  'gi',
);
// Pence and cents ("49p a kilo") and a share of a sum ("2 per cent of GDP") are amounts too.
const HAS_MONEY =
  /[$€£¥₹]\s?\d|\b\d+(?:\.\d+)?(?:p|\s?(?:pence|cents?))\b|\d\s?(?:%|per\s?cent)\s+of\b|\d[\d,.]*\s?(?:million|billion|thousand|bn|m|k)?\s?(?:dollars?|euros?|pounds?|yen|yuan|rupees?|rand|francs?|kron[ae]r?|crowns?|pesos?|rubles?|roubles?|won)\b|\b(?:USD|EUR|GBP|ZAR|INR|JPY|CNY|AUD|CAD|NZD|CHF|SEK|NOK|DKK|HKD|SGD|Rs\.?|kr|R)\s?\d[\d,.]*\s?(?:million|billion|bn|m|k)\b|\b(?:USD|EUR|GBP|Rs\.?|R)\s?\d{1,3}(?:,\d{3})+/i;
// A date or a time of day ("9pm", "06:00", "3.40am", "noon"), or a race's time ("2:06:12", "2 hours 21 minutes").
const HAS_TIME = new RegExp(
  `\\b(?:1[5-9]\\d\\d|20\\d\\d|${MONTHS}|${DAYS}|(?:last|next|this|previous) (?:week|month|year|decade|century)|ago|since|century|decade|noon|midnight)\\b|\\b\\d{1,2}(?:[:.]\\d{2})?\\s?(?:am|pm|a\\.m\\.|p\\.m\\.)|\\b\\d{1,2}:\\d{2}\\b|\\b\\d+\\s+hours?,?\\s+(?:and\\s+)?\\d+\\s+min`,
  'i',
);

/** The question's names: capitalised words after its first word, and acronyms. */
export function questionNames(question: string): string {
  const words = question.match(/[\p{L}\p{N}][\p{L}\p{N}'’.\-]*/gu) ?? [];
  return words
    .filter((w, i) => (i > 0 && /^\p{Lu}/u.test(w)) || (w.length > 1 && w === w.toUpperCase() && /\p{Lu}/u.test(w)))
    .join(' ');
}

/**
 * What `mismatch` and `exactAnswer` read in a sentence, each part read from its text when first
 * asked for and kept (it is the same for every question): a sentence that ranks for one question
 * often ranks for the next, and these regular expressions cost more than the rest of its score.
 */
export interface SentenceKinds {
  readonly text: string;
  question?: boolean;
  money?: boolean;
  time?: boolean;
  /** The terms of each number in it ("12", "twelve"). */
  numbers?: string[][];
  /** The terms of each capitalised word after a preposition ("in Paris"). */
  places?: string[][];
  /** The terms of each capitalised word that is not its first, months and days left out. */
  names?: string[][];
  /** The terms within three words after a number ("640 staff"). */
  counted?: Set<string>;
  /** Those words as written, lower case ("customers" of "3 percent of customers"). */
  countedWords?: string[];
}

/**
 * A sentence's kinds, none read yet. Every part is there from the start, so that every sentence's
 * object has the same shape whichever parts questions read first: code optimised for one shape
 * was thrown away each time a new one came.
 */
export function sentenceKinds(text: string): SentenceKinds {
  return {
    text,
    question: undefined,
    money: undefined,
    time: undefined,
    numbers: undefined,
    places: undefined,
    names: undefined,
    counted: undefined,
    countedWords: undefined,
  };
}

const kindsOf = (sentence: string | SentenceKinds): SentenceKinds =>
  typeof sentence === 'string' ? sentenceKinds(sentence) : sentence;

/**
 * 1 when the sentence cannot hold the kind of answer asked for (or is itself a question), 0
 * when it can, 0.5 when it only might. `known` holds the question's own terms: a number,
 * place or person the question already names is not its answer.
 */
export function mismatch(type: AnswerType, sentence: string | SentenceKinds, known: Set<string>): number {
  const s = kindsOf(sentence);
  // A question ("Why did the pipe fail?", a subheading or a rhetorical one) answers nothing.
  if ((s.question ??= QUESTION.test(s.text))) return 1;
  // Stopword-only words ("one", "The") are neither known nor new.
  const isNew = (ts: string[]) => ts.some((t) => !known.has(t));
  const termsOf = (re: RegExp, group: number) => [...s.text.matchAll(re)].map((m) => terms(m[group]!));
  if (type === 'money') {
    s.money ??= HAS_MONEY.test(s.text);
    return s.money ? 0 : 1;
  }
  if (type === 'number') return (s.numbers ??= termsOf(NUMBER, 0)).some((ts) => !ts.length || isNew(ts)) ? 0 : 1;
  if (type === 'time') {
    s.time ??= HAS_TIME.test(s.text);
    return s.time ? 0 : 1;
  }
  // A place is named with a capital after a preposition: "in Paris", "at City Hall".
  if (type === 'place') return (s.places ??= termsOf(PLACE, 1)).some(isNew) ? 0 : 0.5;
  // A person (or body) is a capitalised name that is not the sentence's first word.
  // A place named right after a preposition ("on England's high streets") is nobody.
  if (type === 'person') {
    if (!s.names) {
      const places = new Set(termsOf(AT_PLACE, 1).map((t) => t.join(' ')));
      s.names = [...s.text.matchAll(NAME)]
        .filter((m) => !CALENDAR.test(m[1]!))
        .map((m) => terms(m[1]!))
        .filter((t) => !places.has(t.join(' ')));
    }
    return s.names.some(isNew) ? 0 : 0.5;
  }
  return 0;
}
const QUESTION = /\?["'”’)]*$/u;
// The preposition may open the sentence ("In Presque Isle"); a few words may come between ("in what is now northern France").
const PLACE =
  /\b(?:[Ii]n|[Aa]t|on|[Nn]ear|[Ff]rom|to|into|between|across|[Oo]utside|[Ii]nside)\s+(?:the\s+)?(?:\p{Ll}+\s+){0,4}?(\p{Lu}[\p{L}\-]*)/gu;
const CALENDAR = new RegExp(`^(?:${MONTHS}|${DAYS})$`, 'i');
/** A name right after a preposition that places things, not people ("in Leeds", "on England's"; not "to" or "from"). */
const AT_PLACE = /\b(?:[Ii]n|[Aa]t|on|[Nn]ear|into|across|[Oo]utside|[Ii]nside)\s+(?:the\s+)?(\p{Lu}[\p{L}\-]*)/gu;
// After a word, a comma, or an abbreviation's point ("The U.S. Congress").
const NAME = /(?<=[\p{L},;:]\s+|\p{Lu}\.\s+)(\p{Lu}[\p{L}\-]*)/gu;

/**
 * Some questions say exactly what the answer looks like: "how many jobs" a number of jobs, "how
 * long" a number of days or metres, "how old" an age, "what year" a year. The test a sentence
 * must pass to hold such an answer, or undefined for a question that says nothing so exact.
 */
export function exactAnswer(question: string): ((sentence: string | SentenceKinds) => boolean) | undefined {
  const many = /\bhow many\s+(?:more\s+|new\s+|other\s+)?([\p{L}\-]+)/iu.exec(question);
  if (many) {
    const asked = terms(many[1]!)[0];
    if (!asked) return undefined;
    const word = many[1]!.toLowerCase();
    // WordNet's "people" is a group; counted, they are persons.
    const general = word === 'people' ? 'person' : (IRREGULAR_FORMS.get(word) ?? word);
    // A number, then the thing counted within three words: "640 staff", "two new species of
    // snailfish"; or a kind of it ("how many people": "3 percent of customers").
    return (sentence) => {
      const s = kindsOf(sentence);
      const { counted, countedWords } = readCounted(s);
      if (counted.has(asked) || GENERIC_COUNTED.some((t) => counted.has(t))) return true;
      return countedWords.some((w) => isKindOf(w, general));
    };
  }
  const test = (re: RegExp) => (s: string | SentenceKinds) => re.test(kindsOf(s).text);
  if (/\b(?:what|which)\s+(?:percentage|proportion|share|fraction)\b/i.test(question)) return test(SHARE);
  if (/\bhow long\b/i.test(question)) return test(DURATION_OR_LENGTH);
  if (/\bhow far (?:ahead|in advance|before|back)\b/i.test(question)) return test(DURATION_OR_LENGTH);
  // "How far did the shares fall?": by a share too.
  if (/\bhow far\b/i.test(question)) return (x) => LENGTH.test(kindsOf(x).text) || SHARE.test(kindsOf(x).text);
  if (/\bhow (?:deep|high|tall|wide)\b/i.test(question)) return test(LENGTH);
  if (/\bhow old\b/i.test(question)) return test(AGE);
  if (/\b(?:what|which|in what|in which)\s+year\b/i.test(question)) return test(/\b(?:1[5-9]|20)\d\d\b/);
  return undefined;
}

/** The terms of the (up to) three words after each number of a sentence: what it counts. */
/**
 * What a sentence's numbers count, read once: the terms of the (up to) three words after each
 * number, and those words as written, lower case, where the number is not a year ("the 2023
 * Tenant Protection Act" counts no tenants).
 */
function readCounted(s: SentenceKinds): { counted: Set<string>; countedWords: string[] } {
  if (!s.counted || !s.countedWords) {
    const words = s.text.match(/[\p{L}\p{N}][\p{L}\p{N},.\-]*/gu) ?? [];
    const counted = new Set<string>();
    const notAfterYear = new Set<string>();
    words.forEach((w, k) => {
      if (!COUNT.test(w)) return;
      const year = YEAR.test(w);
      for (const x of words.slice(k + 1, k + 4)) {
        const word = x.toLowerCase().replace(/[,.\-]+$/, '');
        for (const t of [...terms(word), ...terms(word.replace(/^\d+-/, ''))]) counted.add(t);
        if (!year) notAfterYear.add(word);
      }
    });
    s.counted = counted;
    s.countedWords = [...notAfterYear];
  }
  return { counted: s.counted, countedWords: s.countedWords };
}
const YEAR = /^(?:1[5-9]|20)\d\d$/;
/** Nouns that count anything: "19 individuals", "58,000 rental units". */
const GENERIC_COUNTED = terms(GENERIC_COUNT_NOUNS);
const COUNT = new RegExp(`^(?:\\d[\\d,.]*|${NUMBER_WORDS}|${TENS})$`, 'i');
const MEASURE_OF = (units: string) => new RegExp(`(?:\\d[\\d,.]*|\\b(?:${NUMBER_WORDS}))[\\s-]*(?:${units})\\b`, 'i');
// "Since 1906" says how long too.
const DURATION_OR_LENGTH = new RegExp(
  `${MEASURE_OF(`${TIME_UNITS}|${LENGTH_UNITS}`).source}|\\bsince\\s+(?:(?:${MONTHS})\\s+)?(?:1[5-9]|20)\\d\\d\\b`,
  'i',
);
const LENGTH = MEASURE_OF(LENGTH_UNITS);
const SHARE = new RegExp(
  `\\d\\s?(?:%|per\\s?cent)|\\b(?:${NUMBER_WORDS}|${TENS})(?:-\\p{L}+)?\\s+per\\s?cent|\\b(?:half|third|quarter|fifth|tenth)s?\\b|\\b(?:${NUMBER_WORDS})\\s+(?:in|out of)\\s+`,
  'iu',
);
const AGE =
  /\b(?:aged|age of)\s+\d+|\b\d[\d,.]*[\s-](?:(?:million|billion|thousand)\s+)?years?[\s-](?:old|ago)\b|,\s*\d{1,3}\s*,/i;
