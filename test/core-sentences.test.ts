import { describe, expect, it } from 'vitest';
import { splitSentences, wordCount } from '../src/ingest/sentences.js';

/** The sentences of a whole string, as text. */
function split(text: string): string[] {
  return splitSentences(text, { start: 0, end: text.length }).map((s) => text.slice(s.start, s.end));
}

describe('splitSentences', () => {
  it('does not break after U.S., Mr., Dr., Gen., Jan. or a.m.', () => {
    expect(
      split('The U.S. Department of State said so. Mr. Smith arrived on Jan. 5 in Washington. He left the next day.'),
    ).toEqual([
      'The U.S. Department of State said so.',
      'Mr. Smith arrived on Jan. 5 in Washington.',
      'He left the next day.',
    ]);
    expect(split('Dr. Jones met Gen. Smith at 9 a.m. on Monday. They talked for hours.')).toEqual([
      'Dr. Jones met Gen. Smith at 9 a.m. on Monday.',
      'They talked for hours.',
    ]);
  });

  it('a sentence that starts with an abbreviation stays whole (Mr. is not glued to the sentence before)', () => {
    expect(split('The talks ended on Friday evening. Mr. Lavrov then left for Moscow.')).toEqual([
      'The talks ended on Friday evening.',
      'Mr. Lavrov then left for Moscow.',
    ]);
  });

  it('keeps an ellipsis inside a quote within its sentence', () => {
    expect(split('“We need guarantees… and we need them now,” Putin said. The West refused to give them.')).toEqual([
      '“We need guarantees… and we need them now,” Putin said.',
      'The West refused to give them.',
    ]);
    expect(split('He said "wait... no" to them. Then he left the room quickly.')).toEqual([
      'He said "wait... no" to them.',
      'Then he left the room quickly.',
    ]);
  });

  it('glues short fragments to a neighbour', () => {
    // `He said “No.` + `Never.”`: the two-word tail joins the sentence before it.
    expect(split('He said “No. Never.” Then the meeting ended abruptly for everyone.')).toEqual([
      'He said “No. Never.”',
      'Then the meeting ended abruptly for everyone.',
    ]);
    // A short first fragment is glued forward.
    expect(split('Yes. The minister confirmed the plan on Tuesday afternoon.')).toEqual([
      'Yes. The minister confirmed the plan on Tuesday afternoon.',
    ]);
  });

  it('splits ordinary sentences, including ? and ! and closing quotes', () => {
    expect(split('Is this the end of the road? Nobody knows yet! “It is over,” she said.')).toEqual([
      'Is this the end of the road?',
      'Nobody knows yet!',
      '“It is over,” she said.',
    ]);
  });

  it('is Intl.Segmenter based: non-Latin scripts are split too', () => {
    expect(split('Это первое предложение здесь. Это второе предложение здесь.')).toEqual([
      'Это первое предложение здесь.',
      'Это второе предложение здесь.',
    ]);
  });

  it('returns trimmed offsets into the original text, relative to the whole text, inside the span', () => {
    const text = 'HEADER LINE\n\n  First sentence is here. Second one follows it.  \n\nFOOTER';
    const start = text.indexOf('  First');
    const end = text.indexOf('\n\nFOOTER');
    const spans = splitSentences(text, { start, end });
    expect(spans.map((s) => text.slice(s.start, s.end))).toEqual(['First sentence is here.', 'Second one follows it.']);
    for (const s of spans) {
      expect(s.start).toBeGreaterThanOrEqual(start);
      expect(s.end).toBeLessThanOrEqual(end);
    }
  });

  it('handles empty and whitespace-only spans', () => {
    expect(split('')).toEqual([]);
    expect(split('   \n\t ')).toEqual([]);
  });

  it('wordCount counts letters and digits in any script', () => {
    expect(wordCount('U.S. troops, 10,000 of them')).toBe(7);
    expect(wordCount('...!!!')).toBe(0);
    expect(wordCount('Привет мир')).toBe(2);
  });
});
