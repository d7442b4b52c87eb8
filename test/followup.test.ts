/**
 * Follow-ups: how a follow-up is resolved against the question it follows (over a small invented
 * collection's focus table), and through the real engine that a follow-up naming its own subject,
 * and every question without a context, is answered exactly as when asked alone.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOPIC_WEIGHT, resolveFollowUp } from '../src/engine/followup.js';
import { type FocusSentence, focusTable } from '../src/retrieve/focus/table.js';
import { terms } from '../src/text/terms.js';
import { openEngine, type OpenedEngine } from '../src/engine/open.js';
import { SEEDS, tempDir } from './helpers/tmp-collection.js';

function collection(docs: Record<string, string[]>): FocusSentence[] {
  return Object.entries(docs).flatMap(([doc, paragraphs]) =>
    paragraphs.flatMap((p, paragraph) => p.split('|').map((text) => ({ text: text.trim(), doc, paragraph }))),
  );
}

const table = focusTable(
  collection({
    'a.txt': [
      'Foreign Minister Ada Kovrin said on Monday that the talks had stalled.|She demanded written guarantees before any new round.',
      'Later the minister warned that the border crossings would stay closed.',
      'Trade Secretary Bruno Vael, who leads the other delegation, said the talks would go on.|He offered to meet in Geneva.',
      'Kestrel Holdings said the port at Velmora would reopen in May.|The company warned of long queues.',
    ],
    'b.txt': [
      'Prime Minister Otto Lindqvist said he wanted a deal by June.|He demanded that the crossings reopen.',
      'The harbour at Velmora stays closed, and Lindqvist said so.',
    ],
  }),
);
const resolve = (earlier: string, followUp: string) => resolveFollowUp(table, earlier, followUp);

describe('resolveFollowUp', () => {
  it('replaces a pronoun by the person the earlier question asked about, as it wrote the name', () => {
    const f = resolve('What did Ada Kovrin demand?', 'what did she say about the crossings?');
    expect(f).toMatchObject({ question: 'what did Ada Kovrin say about the crossings?', standalone: false });
  });

  it('replaces a bare title the earlier person holds ("the minister", "the foreign minister")', () => {
    expect(resolve('What did Kovrin demand?', 'What did the minister warn?').question).toBe('What did Kovrin warn?');
    expect(resolve('What did Kovrin demand?', 'what did the foreign minister warn?').question).toBe(
      'what did Kovrin warn?',
    );
  });

  it('a possessive stays one ("his offer" → "Vael\'s offer"); a casually typed name is written as a name', () => {
    expect(resolve('what did vael say', 'and what was his offer?').question).toBe("and what was Vael's offer?");
  });

  it('only the first reference is replaced: the question itself then says whose the others are', () => {
    expect(resolve('what did Vael say', 'where did he want to meet and what was his offer?').question).toBe(
      'where did Vael want to meet and what was his offer?',
    );
  });

  it("a pronoun before a name of its own still refers back; one after it is that name's", () => {
    expect(resolve('What did Kovrin demand?', 'What did she say about Vael?')).toMatchObject({
      question: 'What did Kovrin say about Vael?',
      standalone: false,
    });
    expect(resolve('What did Kovrin demand?', 'What did Vael say about his talks?').standalone).toBe(true);
  });

  it('"it", "they" and "the company" go to a body the earlier question named, "it" only as a subject', () => {
    const earlier = 'What did Kestrel Holdings say about Velmora?';
    expect(resolve(earlier, 'what did they warn?').question).toBe('what did Kestrel Holdings warn?');
    expect(resolve(earlier, 'when will it reopen the port?').question).toBe(
      'when will Kestrel Holdings reopen the port?',
    );
    expect(resolve(earlier, 'what did the company warn?').question).toBe('what did Kestrel Holdings warn?');
    // "about it" is the thing asked about, not the company: no reference, so the subject leads.
    expect(resolve(earlier, 'any news about it?').question).toBe('Kestrel Holdings: any news about it?');
  });

  it('a follow-up that names its own person or body stands alone, asked exactly as written', () => {
    expect(resolve('What did Kovrin demand?', 'What did Vael offer?')).toEqual({
      question: 'What did Vael offer?',
      standalone: true,
    });
    expect(resolve('What did Kovrin demand?', 'and what did Lindqvist say about her?').standalone).toBe(true);
  });

  it('a title that someone else in the collection holds is a subject of its own: "the minister" after Vael', () => {
    expect(resolve('What did Vael offer?', 'What did the minister warn?')).toEqual({
      question: 'What did the minister warn?',
      standalone: true,
    });
  });

  it('a follow-up naming a place and referring to nobody stands alone; with a pronoun it follows', () => {
    expect(resolve('What did Kovrin demand?', 'what about Velmora?').standalone).toBe(true);
    expect(resolve('What did Kovrin demand?', 'what did she say about Velmora?').question).toBe(
      'what did Kovrin say about Velmora?',
    );
  });

  it('naming and referring to nobody, it goes on about the earlier subject', () => {
    expect(resolve('What did Kovrin demand?', 'and the deadline?').question).toBe('Kovrin: and the deadline?');
  });

  it("the earlier question's other terms count a little, those the follow-up has not", () => {
    const f = resolve('What guarantees did Kovrin demand before the new round?', 'what did she warn?');
    expect(f.topic).toEqual({ terms: terms('guarantees demand new round'), weight: TOPIC_WEIGHT });
    expect(TOPIC_WEIGHT).toBeGreaterThan(0);
    expect(TOPIC_WEIGHT).toBeLessThan(1);
  });

  it('an earlier question that names nobody: nothing replaced, its topic still counts', () => {
    const f = resolve('When do the border crossings reopen?', 'and why did they close?');
    expect(f.question).toBe('and why did they close?');
    expect(f.topic?.terms).toEqual(expect.arrayContaining(terms('border crossings reopen')));
  });
});

describe('through the engine (seed collection)', () => {
  let root: string;
  let engine: OpenedEngine;
  beforeAll(async () => {
    root = await tempDir('quotebot-followup-');
    engine = await openEngine({ corpusDir: SEEDS, indexDir: join(root, 'index'), embedder: 'use-lite' });
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  const strip = (a: { citations: unknown[]; answered: boolean; question: string }) => ({
    question: a.question,
    answered: a.answered,
    citations: a.citations,
  });

  it('questions without a context are answered exactly as when asked alone, in a batch with a follow-up', async () => {
    const questions = ['what did Lavrov demand', 'who is Frank Rose?'];
    const alone = await engine.askMany(questions);
    const mixed = await engine.askMany(
      [...questions, 'what did he say about verification?'],
      [undefined, undefined, { earlier: 'what did Lavrov demand' }],
    );
    expect(mixed.slice(0, 2).map(strip)).toEqual(alone.map(strip));
  });

  it('a follow-up that names its own subject ignores the earlier question', async () => {
    const [followed] = await engine.askMany(
      ['What did Rasmussen say about Russia?'],
      [{ earlier: 'what did Lavrov demand' }],
    );
    const alone = await engine.ask('What did Rasmussen say about Russia?');
    expect(strip(followed!)).toEqual(strip(alone));
  });

  it('"what did he say about verification?" after "what did Lavrov demand" quotes "trust but verify"', async () => {
    const [a] = await engine.askMany(['what did he say about verification?'], [{ earlier: 'what did Lavrov demand' }]);
    expect(a!.question).toBe('what did Lavrov say about verification?');
    expect(a!.citations[0]!.quote).toContain('trust but verify');
  });
});
