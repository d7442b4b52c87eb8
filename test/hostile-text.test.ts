/**
 * The text stages on adversarial input (one huge paragraph, a run of "A. ", millions of dots, no
 * spaces, 150,000 lines, runs of quotes and brackets, thousands of quotation lines, prose broken by
 * menus): outputs correct and bounded. The linear-time replacements give exactly the answers of the
 * expressions they replace (checked on random strings), and the sentence windows change nothing.
 * Time is measured by `npm run bench -- --hostile`, not here.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { chunkDocument } from '../src/ingest/chunk.js';
import { cleanDocument } from '../src/ingest/clean/clean.js';
import { endsSentence, maxOf, outsideSpans, repeatsOnPage, withoutQuotations } from '../src/ingest/clean/linear.js';
import { MAX_SENTENCE_CHARS, splitSentences } from '../src/ingest/sentences.js';
import { focusTable } from '../src/retrieve/focus/table.js';
import { findLast, textAfter, textBefore } from '../src/text/window.js';
import { hostileInputs } from '../src/eval/hostile-inputs.js';
import type { Document, Span } from '../src/core/types.js';
import { REPO } from './helpers/tmp-collection.js';

const SIZE = 128 * 1024;
const texts = await Promise.all(
  hostileInputs(SIZE)
    .filter((i) => i.file.endsWith('.txt'))
    .map(async (i) => ({ name: i.name, text: new TextDecoder().decode(await i.bytes()) })),
);

/** Sorted, inside `within`, not overlapping, trimmed. */
function expectSpans(text: string, spans: Span[], within: Span): void {
  let at = within.start;
  for (const s of spans) {
    expect(s.start).toBeGreaterThanOrEqual(at);
    expect(s.end).toBeGreaterThan(s.start);
    expect(s.end).toBeLessThanOrEqual(within.end);
    expect(text[s.start]).toMatch(/\S/u);
    expect(text[s.end - 1]).toMatch(/\S/u);
    at = s.end;
  }
}

describe('sentences', () => {
  test.each(texts)(
    '$name: every sentence bounded, in order, and together they hold every character but white space',
    ({ text }) => {
      const all = { start: 0, end: text.length };
      const sentences = splitSentences(text, all);
      expectSpans(text, sentences, all);
      expect(maxOf(sentences.map((s) => s.end - s.start))).toBeLessThanOrEqual(MAX_SENTENCE_CHARS);
      const covered = new Uint8Array(text.length);
      for (const s of sentences) covered.fill(1, s.start, s.end);
      const missed = [...text].findIndex((c, i) => !covered[i] && /\S/u.test(c) && !/[\uD800-\uDFFF]/.test(c));
      expect(missed).toBe(-1);
    },
  );

  test('a run of "A. " is cut into sentences of at most 3,000 characters, each a slice of the text', () => {
    const text = 'A. '.repeat(20_000);
    const sentences = splitSentences(text, { start: 0, end: text.length });
    expect(sentences.length).toBe(Math.ceil(text.trimEnd().length / MAX_SENTENCE_CHARS));
    for (const s of sentences) expect(text.slice(s.start, s.end)).toMatch(/^A\.(?: A\.)*$/);
  });

  test('the segmenter windows change nothing: every paragraph of seeds/ and test/fixtures/ splits alike whole, and in windows of 2,048 or 200', () => {
    const files: string[] = [];
    const walk = (d: string) => {
      for (const f of readdirSync(d)) {
        const p = join(d, f);
        if (statSync(p).isDirectory()) walk(p);
        else if (/\.(txt|md)$/.test(f)) files.push(p);
      }
    };
    walk(join(REPO, 'seeds'));
    walk(join(REPO, 'test', 'fixtures'));
    let long = 0;
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      for (const p of cleanDocument({ id: f, text, hash: '', meta: {} }).paragraphs) {
        const whole = splitSentences(text, p, 1e9);
        expect(splitSentences(text, p), f).toEqual(whole);
        expect(splitSentences(text, p, 200), f).toEqual(whole);
        if (p.end - p.start > 2048) long++;
      }
    }
    expect(long).toBeGreaterThan(0); // some paragraphs are longer than a window
  });
});

describe('cleaning and chunking', () => {
  test.each(texts)('$name: paragraphs in order inside the text; chunks bounded', ({ name, text }) => {
    const doc: Document = { id: `${name}.txt`, text, hash: '', meta: {} };
    const clean = cleanDocument(doc);
    expectSpans(text, clean.paragraphs, { start: 0, end: text.length });
    const chunks = chunkDocument(clean, 0);
    for (const c of chunks) {
      expect(c.end - c.start).toBeLessThanOrEqual(3 * MAX_SENTENCE_CHARS + 2);
      for (const s of c.sentences) expect(s.end - s.start).toBeLessThanOrEqual(MAX_SENTENCE_CHARS);
    }
  });

  test('prose broken by menus: every paragraph of prose is kept, no menu line is', () => {
    const { text } = texts.find((t) => t.name === 'interrupted-prose')!;
    const paragraphs = cleanDocument({ id: 'p.txt', text, hash: '', meta: {} }).paragraphs.map((p) =>
      text.slice(p.start, p.end),
    );
    expect(paragraphs.length).toBe(text.split('The council voted').length - 1);
    expect(paragraphs.every((p) => p.startsWith('The council voted'))).toBe(true);
  });

  test('150,000 short lines in lower case are one hard-wrapped paragraph, cut into bounded sentences', () => {
    const text = Array.from({ length: 150_000 }, (_, i) => `and ${i % 1000}`).join('\n');
    const clean = cleanDocument({ id: 'lines.txt', text, hash: '', meta: {} });
    expect(clean.paragraphs).toEqual([{ start: 0, end: text.length }]);
    expect(chunkDocument(clean, 0).length).toBeGreaterThan(100);
  });
});

describe('focus marking', () => {
  test('a sentence of a thousand names, and a document naming thousands of speakers, are marked', () => {
    const letters = (i: number) =>
      [i % 26, Math.floor(i / 26) % 26, Math.floor(i / 676)].map((k) => String.fromCharCode(97 + k)).join('');
    const names = Array.from({ length: 1000 }, (_, i) => `Name${letters(i)}`);
    const sentences = [
      { text: `${names.join(' said, and ')} said.`, doc: 'a', paragraph: 0 },
      ...names.map((n, i) => ({ text: `${n} said the vote was close. He left.`, doc: 'b', paragraph: i })),
    ];
    const table = focusTable(sentences);
    expect(table.about).toHaveLength(sentences.length);
    expect(table.agents.has(names[0]!.toLowerCase())).toBe(true);
  });
});

/** Random strings over a small alphabet: every edge the fast versions must get right. */
function randomStrings(alphabet: string[], n: number, maxLen: number): string[] {
  let seed = 42;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  return Array.from({ length: n }, () =>
    Array.from({ length: Math.floor(next() * maxLen) }, () => alphabet[Math.floor(next() * alphabet.length)]!).join(''),
  );
}

describe('the linear-time replacements give the same answers', () => {
  test('withoutQuotations is the regular expression it replaces', () => {
    for (const s of randomStrings(['“', '”', '"', 'a', ' ', 'I', 'we'], 3000, 30))
      expect(withoutQuotations(s)).toBe(s.replace(/[“"][^”"]*[”"]/g, ' '));
  });

  test('endsSentence is the regular expression it replaces', () => {
    for (const s of randomStrings(['.', '!', '?', '"', '”', ')', ']', '»', "'", 'a', ' '], 3000, 12))
      for (const start of [0, Math.floor(s.length / 2)])
        expect(endsSentence(s, start, s.length)).toBe(/[.!?]["'”’»)\]]*$/u.test(s.slice(start)));
  });

  test('repeatsOnPage is split(...).length > 2, until its budget is spent', () => {
    const pages = randomStrings([' a', ' b', ' a b', ' c'], 200, 40).map((p) => `${p} `);
    for (const page of pages) {
      const repeats = repeatsOnPage(page, 1e9);
      for (const w of ['a', 'b', 'a b', 'a b a', 'c c'])
        expect(repeats(` ${w} `)).toBe(page.split(` ${w} `).length > 2);
    }
    const spent = repeatsOnPage(' a a a ', 1); // one scan of the page, then no more
    expect([spent(' a '), spent(' a '), spent(' a ')]).toEqual([true, false, false]);
  });

  test('outsideSpans is the filter it replaces, overlapping and unsorted spans included', () => {
    const units = Array.from({ length: 60 }, (_, i) => ({ start: i * 3, end: i * 3 + 1 + (i % 4) }));
    const skip = [
      { start: 40, end: 70 },
      { start: 0, end: 2 },
      { start: 50, end: 55 },
      { start: 100, end: 160 },
      { start: 120, end: 200 },
    ];
    expect(outsideSpans(units, skip)).toEqual(
      units.filter((u) => !skip.some((s) => s.start <= u.start && u.end <= s.end)),
    );
  });

  test('the cleaner regular expressions made linear match as before', () => {
    const pairs: [RegExp, RegExp, string[]][] = [
      [/[\w.+-]+@[\w-]+(?:\.[\w-]+)+/, /(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+/, ['a', '.', '@', '-', 'b', ' ', '+']],
      [/[\p{P}]["'”’)]*$/u, /\p{P}$/u, ['"', "'", '”', ')', 'a', '.', ' ', '(']],
      [
        /(?:\.\s?){4,}\s*\d+$|…{2,}\s*\d+$/u,
        /(?<!\.\s?)(?:\.\s?){4,}\s*\d+$|(?<!…)…{2,}\s*\d+$/u,
        ['.', ' ', '1', '…', 'a'],
      ],
    ];
    for (const [before, after, alphabet] of pairs)
      for (const s of randomStrings(alphabet, 4000, 14))
        expect(after.test(s), `${after} on ${JSON.stringify(s)}`).toBe(before.test(s));
    // The tab title: on lines that start with a character that is not white space (units are trimmed).
    const tabBefore = /^(.+?)\s+[|–—-]\s+[^|–—]{2,40}$/u;
    const tabAfter = /^(.+?)(?<!\s)\s+[|–—-]\s+[^|–—]{2,40}$/u;
    for (const s of randomStrings(['a', ' ', '|', '-', '—', 'b'], 4000, 16).map((x) => `x${x}`))
      expect(tabAfter.exec(s)?.[1]).toBe(tabBefore.exec(s)?.[1]);
  });

  test('the windows around a name end at white space and keep what the patterns read', () => {
    const text = `${'word '.repeat(300)}the club's chairman, Malcolm Redfern, said ${'more '.repeat(300)}`;
    const at = text.indexOf('Malcolm');
    const before = textBefore(text, at);
    expect(text.slice(0, at).endsWith(before)).toBe(true);
    expect(before.length).toBeLessThanOrEqual(512);
    expect(before).toMatch(/^\s/);
    expect(before).toMatch(/the club's chairman, $/);
    const after = textAfter(text, at + 'Malcolm Redfern'.length);
    expect(text.slice(at + 'Malcolm Redfern'.length).startsWith(after)).toBe(true);
    expect(after).toMatch(/^, said /);
    expect(after).toMatch(/\s$/);
    expect(findLast([1, 2, 3, 4], (x) => x % 2 === 1)).toBe(3);
    expect(findLast([1, 2, 3, 4], (x) => x === 1, 2)).toBeUndefined(); // looks back 2 items only
  });
});
