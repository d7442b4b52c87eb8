import { describe, expect, it } from 'vitest';
import { type FocusSentence, focusTable } from '../src/retrieve/focus/table.js';
import { aboutness, questionFocus } from '../src/retrieve/focus/question.js';

/** Paragraphs of one document each, split into sentences on ". " boundaries written as `|`. */
function collection(docs: Record<string, string[]>): FocusSentence[] {
  return Object.entries(docs).flatMap(([doc, paragraphs]) =>
    paragraphs.flatMap((p, paragraph) => p.split('|').map((text) => ({ text: text.trim(), doc, paragraph }))),
  );
}

const sentences = collection({
  'a.txt': [
    'Foreign Minister Ada Kovrin said on Monday that the talks had stalled.|She demanded written guarantees before any new round.',
    'Later the minister warned that the border crossings would stay closed.',
    '“We will not wait for ever,” Kovrin said.|“The offer is on the table.”',
    '“Nobody has called us back,” the ministry spokesman said.|“We are still waiting.”',
    'Trade Secretary Bruno Vael, who leads the other delegation, said the talks would go on.|He offered to meet in Geneva.',
    'Kovrin flew home on Tuesday.',
  ],
  'b.txt': [
    'Prime Minister Otto Lindqvist said he wanted a deal by June.|He demanded that the crossings reopen.',
    'The harbour at Velmora stays closed, and Lindqvist said so.',
  ],
  'c.txt': [
    'Asked about Lindqvist’s demand, Vael said only that the talks would go on.',
    'Vael called on Lindqvist to reopen the harbour.',
  ],
});
const table = focusTable(sentences);
const about = (i: number) => [...table.about[i]!];
const index = (start: string) => sentences.findIndex((s) => s.text.startsWith(start));

describe('focusTable: whom each sentence is about', () => {
  it('names a sentence about whoever it names, and only then', () => {
    expect(about(0)).toEqual(expect.arrayContaining(['ada', 'kovrin']));
    expect(about(index('Trade Secretary'))).not.toContain('kovrin');
  });

  it('follows "she" and "he" back to the last person named', () => {
    expect(about(index('She demanded'))).toContain('kovrin');
    expect(about(index('He offered'))).toContain('vael');
    expect(about(index('He offered'))).not.toContain('kovrin');
  });

  it('follows "the minister" back to the person who carries that title', () => {
    expect(about(index('Later the minister'))).toContain('kovrin');
  });

  it('gives a quotation that goes on to its speaker, and one with an unnamed speaker to nobody', () => {
    expect(about(index('“The offer'))).toContain('kovrin');
    expect(about(index('“We are still'))).not.toContain('kovrin');
    expect(about(index('“Nobody'))).not.toContain('kovrin');
  });

  it('reads a title set before a name by a possessive, the nearest determiner: "its finance minister, Sione Latu,"', () => {
    const t = focusTable(
      collection({
        'c.txt': ['The state expects fees that its finance minister, Sione Latu, has said could reach $40 million.'],
      }),
    );
    expect([...(t.titles.get('latu') ?? [])]).toEqual(['minister']);
  });

  it('tells people from places: speakers with a title or an introduction are people', () => {
    expect(table.persons.has('kovrin')).toBe(true);
    expect(table.persons.has('vael')).toBe(true);
    expect(table.persons.has('velmora')).toBe(false);
  });
});

describe('questionFocus: the names a question asks about', () => {
  it('finds the names the collection knows, one name per run of words', () => {
    expect(questionFocus(table, 'What did Ada Kovrin demand?').map((f) => f.keys)).toEqual([['ada', 'kovrin']]);
    expect(questionFocus(table, 'What did Kovrin demand?')[0]!.person).toBe(true);
    expect(questionFocus(table, 'What did Zorbak demand?')).toEqual([]);
  });

  it('finds a person the question names only by title, narrowed by the other names it asks about', () => {
    expect(
      questionFocus(table, 'What did the minister demand?')
        .flatMap((f) => f.keys)
        .sort(),
    ).toEqual(['ada', 'kovrin', 'lindqvist', 'otto']);
    const near = questionFocus(table, 'What did the minister say about Velmora?');
    expect(near.map((f) => f.keys)).toEqual([['velmora'], ['otto', 'lindqvist']]);
    expect(near[1]!.speaks).toBe(true);
    expect(questionFocus(table, 'What did the farmer demand?')).toEqual([]);
  });

  it('reads a question typed in lower case, but not lower-case words next to capitalised ones', () => {
    expect(questionFocus(table, 'what did kovrin demand').map((f) => f.keys)).toEqual([['kovrin']]);
    expect(questionFocus(table, 'What did Kovrin say about velmora?').map((f) => f.keys)).toEqual([['kovrin']]);
  });
});

describe('who says what', () => {
  it('marks the speaker of a sentence: named, referred to next to a verb of saying or demanding, or whose quotation it is', () => {
    expect([...table.says[index('She demanded')]!]).toContain('kovrin');
    expect([...table.says[index('Later the minister')]!]).toContain('kovrin');
    expect([...table.says[index('“The offer')]!]).toContain('kovrin');
    expect([...table.says[index('Kovrin flew')]!]).toEqual([]);
  });

  it('does not take a possessor or the one spoken to for the speaker', () => {
    expect([...table.says[index('Asked about Lindqvist')]!]).toEqual(['vael']);
    expect([...table.says[index('Vael called on')]!]).toEqual(['vael']);
  });

  it('knows which name a question asks the words of', () => {
    expect(questionFocus(table, 'What did Kovrin demand?').map((f) => f.speaks)).toEqual([true]);
    expect(questionFocus(table, 'What did Kovrin say about Vael?').map((f) => f.speaks)).toEqual([true, false]);
    expect(questionFocus(table, 'Why did Kovrin fly home?').map((f) => f.speaks)).toEqual([false]);
  });

  it('reads the verb that follows the name', () => {
    expect(questionFocus(table, 'What did Kovrin demand?').map((f) => f.verb)).toEqual(['demand']);
    expect(questionFocus(table, 'what does kovrin actually want').map((f) => f.verb)).toEqual(['actually want']);
  });

  it('counts a sentence in which the person says nothing by the silent share, only when asked what they said', () => {
    const flew = index('Kovrin flew');
    expect(aboutness(table, questionFocus(table, 'What did Kovrin demand?'), flew, 'a.txt', 1, 0.4)).toBe(0.4);
    expect(
      aboutness(table, questionFocus(table, 'What did Kovrin demand?'), index('She demanded'), 'a.txt', 1, 0.4),
    ).toBe(1);
    expect(aboutness(table, questionFocus(table, 'Why did Kovrin fly home?'), flew, 'a.txt', 1, 0.4)).toBe(1);
  });
});

describe('aboutness', () => {
  const focus = questionFocus(table, 'What did Kovrin demand?');
  const of = (start: string, elsewhere = 0.5) =>
    aboutness(table, focus, index(start), sentences[index(start)]!.doc, elsewhere);

  it('is whole for a sentence about the person, nothing for another person doing the asked thing', () => {
    expect(of('She demanded')).toBe(1);
    expect(of('He demanded')).toBe(0);
    expect(of('Trade Secretary')).toBe(0);
  });

  it('gives partial credit to a sentence in a document about the person that names nobody else', () => {
    expect(of('“We are still', 0.5)).toBe(0.5);
    expect(of('“We are still', 0.8)).toBe(0.8);
  });

  it('counts a whole document about a place as about it', () => {
    const place = questionFocus(table, 'Why is the harbour at Velmora closed?');
    expect(place.map((f) => f.person)).toEqual([false]);
    expect(aboutness(table, place, index('He demanded that'), 'b.txt', 0.5)).toBe(1);
    expect(aboutness(table, place, index('She demanded'), 'a.txt', 0.5)).toBe(0);
  });
});
