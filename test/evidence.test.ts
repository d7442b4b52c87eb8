import { describe, expect, it } from 'vitest';
import { evidence, questionUnits, DEFAULT_CREDIT, type Context } from '../src/retrieve/evidence.js';
import { answerType, exactAnswer } from '../src/retrieve/answer-type.js';
import type { LexStats } from '../src/retrieve/stats.js';
import { terms } from '../src/text/terms.js';
import { baseForms, isEntry, isKindOf, relatives } from '../src/text/wordnet.js';

/** Just what the question's side needs from collection statistics: every word equally rare, no names known. */
const stats = { idf: new Map<string, number>(), maxIdf: 1, focus: { names: new Set<string>() } } as unknown as LexStats;

/** A sentence's words as the scorer holds them. */
function words(sentence: string) {
  const list = terms(sentence);
  return { terms: new Set(list), pairs: new Set(list.slice(1).map((t, k) => `${list[k]} ${t}`)) };
}

/** The evidence a lone sentence gives for a question (no neighbours, nobody asked to speak). */
function evidenceFor(question: string, sentence: string, opts: Partial<Context> = {}, withWordnet = true): number {
  const { units } = questionUnits(question, stats, answerType(question), []);
  const context: Context = { have: words(sentence), near: [], kindFits: false, speaks: 0, ...opts };
  return evidence(units, context, withWordnet ? DEFAULT_CREDIT : undefined);
}

describe('WordNet', () => {
  it('finds the base form of an inflected word', () => {
    expect(baseForms('demanded', 'v')).toEqual(['demand']);
    expect(baseForms('going back', 'v')).toEqual(['go_back']);
    expect(baseForms('chief executives', 'n')).toEqual(['chief_executive']);
  });

  it('knows phrases that are one entry, and not phrases that are two words', () => {
    expect(isEntry('secretary of state')).toBe(true);
    expect(isEntry('chief executive')).toBe(true);
    expect(isEntry('pay talks')).toBe(false);
  });

  it('knows a kind of thing up its "is a kind of" chain, in the words as written', () => {
    expect(isKindOf('customers', 'person')).toBe(true);
    expect(isKindOf('cars', 'vehicle')).toBe(true);
    expect(isKindOf('sheep', 'animals')).toBe(true);
    expect(isKindOf('vehicle', 'cars')).toBe(false);
    expect(isKindOf('journeys', 'person')).toBe(false);
  });

  it('relates a word to its synonyms, derived words and paraphrases', () => {
    const of = (w: string) => relatives(w, 3).map((r) => r.lemma);
    expect(of('demand')).toContain('call for');
    expect(of('deep')).toContain('depth');
    expect(of('display')).toContain('show');
    expect(of('go back')).toContain('return');
  });
});

describe('evidence that a sentence answers the question', () => {
  it('is none for a sentence that only shares the names', () => {
    const q = 'When did Romania join the European Union?';
    expect(evidenceFor(q, 'The inference that Poland and Romania were forced to host the bases is false.')).toBe(0);
    expect(evidenceFor(q, 'Romania joined the European Union in 2007.')).toBe(1);
  });

  it('takes a phrase WordNet lists as one unit, matched whole', () => {
    const q = 'What did the secretary of state say?';
    expect(evidenceFor(q, 'The secretary of state said the talks would go on.')).toBe(1);
    expect(evidenceFor(q, 'The state secretary of the union said nothing.', {}, false)).toBeLessThan(1);
  });

  it('meets irregular forms with their base', () => {
    expect(evidenceFor('How much did Dunmore pay for Ferrandi?', 'Dunmore paid £27 million.', {}, false)).toBe(1);
    expect(evidenceFor('What did the club lose?', 'The club lost three days of trade.', {}, false)).toBe(1);
  });

  it('counts a word naming the kind of answer when the sentence holds that kind', () => {
    const q = 'How much did the factory cost?';
    const s = 'The $3.1 billion factory opened on Tuesday.';
    expect(evidenceFor(q, s, { kindFits: true }, false)).toBe(1);
    expect(evidenceFor(q, s, { kindFits: false }, false)).toBeLessThan(1);
  });

  it('gives part credit to a paraphrase WordNet knows, and none without it', () => {
    const q = 'When will the painting go back on show?';
    const s = 'The painting will return to display in the spring.';
    expect(evidenceFor(q, s, {}, false)).toBeLessThan(evidenceFor(q, s));
  });

  it('takes a phrasal verb whole and meets its paraphrase in an irregular form', () => {
    const q = 'When was the tower put up?';
    const s = 'The tower was built in 1887.';
    // "tower" is there word for word; "put up" only as "built" (WordNet: to put up is to build, one step down; built is build).
    expect(evidenceFor(q, s, {}, false)).toBe(0.5);
    expect(evidenceFor(q, s)).toBeGreaterThan(0.6);
  });

  it('counts a neighbouring sentence in part', () => {
    const q = 'Why were the artefacts looted?';
    const s = 'It will be handed over at a ceremony.';
    const near = [words('The artefacts were looted by soldiers in 1897.')];
    expect(evidenceFor(q, s, {}, false)).toBe(0);
    expect(evidenceFor(q, s, { near }, false)).toBe(DEFAULT_CREDIT.neighbour);
  });
});

describe('questions that say exactly what the answer looks like', () => {
  it('want a count of the thing asked about, not any number', () => {
    const fits = exactAnswer('How many babies were born on the first day?')!;
    expect(fits('Nine babies were born before noon.')).toBe(true);
    expect(fits('The hospital hired about 640 staff.')).toBe(false);
  });

  it('take a count of a kind of the thing asked about, not what follows a year', () => {
    const people = exactAnswer('How many people used the switch?')!;
    expect(people('It was used by fewer than 3 percent of customers.')).toBe(true);
    expect(people('Some 40 residents signed the letter.')).toBe(true);
    expect(people('It was used by fewer than 3 percent of journeys.')).toBe(false);
    expect(people('The 2023 Tenant Protection Ordinance was upheld.')).toBe(false);
    expect(exactAnswer('How many animals were rescued?')!('Firefighters led 12 sheep to safety.')).toBe(true);
  });

  it('want a length or a duration, an age, a year, a share', () => {
    expect(exactAnswer('How long is the new snailfish?')!('It measures 23 centimetres.')).toBe(true);
    expect(exactAnswer('How long is the new snailfish?')!('It is a long fish.')).toBe(false);
    expect(exactAnswer('How old was the driver?')!('The driver, 54, was unhurt.')).toBe(true);
    expect(exactAnswer('In what year did the mill close?')!('The mill closed in 2009.')).toBe(true);
    expect(exactAnswer('What share of teachers voted for the strike?')!('Some 78% of teachers backed it.')).toBe(true);
  });

  it('take a count of individuals or units, a share in words, a time since a year, an age in years ago', () => {
    expect(exactAnswer('How many snailfish did the lander record?')!('It recorded at least 19 individuals.')).toBe(
      true,
    );
    expect(exactAnswer('How many apartments does the law cover?')!('It covers 58,000 rental units.')).toBe(true);
    expect(exactAnswer('What proportion of people had a job?')!('Thirty-eight per cent said they were in work.')).toBe(
      true,
    );
    expect(exactAnswer('How long has the club played at its ground?')!('Its home since 1906 will be sold.')).toBe(true);
    expect(exactAnswer('How old is the fossil?')!('It lived about 165 million years ago.')).toBe(true);
    expect(exactAnswer('How far did the shares fall?')!('The shares closed down 31 per cent.')).toBe(true);
    expect(exactAnswer('How far ahead did the sensor warn?')!('It warned a median of 11 days before.')).toBe(true);
    expect(exactAnswer('How far is the village from the coast?')!('The shares closed down.')).toBe(false);
  });

  it('say nothing for a question without an exact shape', () => {
    expect(exactAnswer('What did the mayor say about the flood?')).toBeUndefined();
  });
});
