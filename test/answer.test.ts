import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compose } from '../src/answer/compose.js';
import { policyFor } from '../src/answer/calibration.js';
import { retrieve, type Retrieval } from '../src/retrieve/score.js';
import { terms } from '../src/text/terms.js';
import type { Engine } from '../src/core/types.js';
import { createEngine } from '../src/engine/create.js';
import { openEngine } from '../src/engine/open.js';
import { answerType, mismatch, questionNames } from '../src/retrieve/answer-type.js';

/** A small invented collection with the shapes composition must handle. */
const FILES: Record<string, string> = {
  'council.txt': `Sign in to your account

Council approves new flood barrier for the harbour district

The city council voted 9 to 2 on Monday to build a flood barrier along the harbour wall, ending a decade of debate.

Mayor Ingrid Falkner welcomed the vote at a news conference outside the town hall.

“This barrier will protect four thousand homes from the next storm surge,” she said.

The barrier will cost 48 million euros and is expected to be finished in 2029. Construction starts next spring.

Opponents argued that the money would be better spent on moving the most exposed homes. “We are building a wall around the problem,” said Pieter Dros, who leads the residents' association. “The sea will not wait for our planning cycle.”

The Harbour Protection Authority (the agency that will run the barrier) said it would publish the design in March.

Most read
Storm warning for the weekend
Ferry timetable changes
`,
  'ferry.txt': `Ferry operator adds night crossings

The ferry operator said on Friday that it would add three night crossings to the island from June, after passenger numbers rose by a fifth last year.

“Demand has never been higher,” said the operator's chief executive, Lotte Brand.

Tickets for the night crossings will cost the same as day fares.

The operator's chairman, Jonas Ekholm, spoke at the annual meeting in the harbour hall. He said the company would order a second ship within two years.
`,
};

/** An engine over `files`, written to a fresh temp folder (removed by the caller). */
async function openOver(files: Record<string, string>, name: string) {
  const dir = await mkdtemp(join(tmpdir(), `quotebot-${name}-`));
  await mkdir(join(dir, 'corpus'));
  for (const [file, text] of Object.entries(files)) await writeFile(join(dir, 'corpus', file), text);
  const engine = await openEngine({
    corpusDir: join(dir, 'corpus'),
    indexDir: join(dir, 'index'),
    embedder: 'use-lite',
  });
  return { dir, engine: engine as typeof engine & ReturnType<typeof createEngine> };
}

let dir: string;
let engine: Engine;
beforeAll(async () => {
  ({ dir, engine } = await openOver(FILES, 'answer'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const quoteOf = (a: { citations: { quote: string }[] }) => a.citations[0]?.quote ?? '';

describe('answer composition', () => {
  it('a passage that runs on into the next paragraph is a valid quote in context, one that takes in skipped text is not', () => {
    const text = FILES['council.txt']!;
    const start = text.indexOf('Mayor Ingrid Falkner');
    const end = text.indexOf('she said.') + 'she said.'.length;
    const ctx = engine.context('council.txt', start, end);
    expect(ctx?.quote).toBe(text.slice(start, end));
    expect(ctx?.after).toBe(''); // what follows is looked for in the paragraph where the span ends
    const junkEnd = text.indexOf('Storm warning') + 'Storm warning'.length;
    expect(engine.context('council.txt', text.indexOf('The Harbour Protection Authority'), junkEnd)).toBeUndefined();
    expect(engine.context('council.txt', text.indexOf('Sign in'), text.indexOf('Council approves'))).toBeUndefined();
  });

  it('quotes verbatim, with honest offsets', async () => {
    const a = await engine.ask('How much will the flood barrier cost?');
    expect(a.answered).toBe(true);
    for (const c of a.citations) expect(FILES[c.doc]!.slice(c.start, c.end)).toBe(c.quote);
    expect(a.citations.some((c) => c.quote.includes('48 million euros'))).toBe(true);
  });

  it('keeps the sentence that names the speaker of a pronoun-attributed quote', async () => {
    const a = await engine.ask('What did Mayor Ingrid Falkner say about the barrier?');
    const first = quoteOf(a);
    expect(first).toContain('Mayor Ingrid Falkner');
    expect(first).toContain('four thousand homes');
  });

  it('follows reported speech with the quotation that gives the words', async () => {
    const a = await engine.ask('What did opponents of the barrier argue?');
    expect(a.citations[0]!.quote).toMatch(
      /^Opponents argued .*“We are building a wall around the problem,” said Pieter Dros/s,
    );
  });

  it('keeps a quotation whole when it runs over two sentences', async () => {
    const a = await engine.ask('What did Pieter Dros say about building a wall around the problem?');
    const q = a.citations.find((c) => c.quote.includes('building a wall'))?.quote ?? '';
    expect(q).toContain('Pieter Dros');
    expect(q).toContain('The sea will not wait');
  });

  it("takes the paragraph after an article's lead, where the detail is, and only after the lead", async () => {
    const lead = await engine.ask('How many night crossings will the ferry operator add?');
    expect(quoteOf(lead)).toMatch(
      /^The ferry operator said on Friday .*\n\n“Demand has never been higher,” said the operator's chief executive, Lotte Brand\.$/s,
    );
    const later = await engine.ask('How much will tickets for the night crossings cost?');
    expect(quoteOf(later)).toBe('Tickets for the night crossings will cost the same as day fares.');
  });

  it('never quotes page furniture', async () => {
    for (const q of ['What is most read?', 'How do I sign in to my account?', 'Storm warning for the weekend']) {
      const a = await engine.ask(q);
      for (const c of a.citations) expect(c.quote).not.toMatch(/Sign in|Most read|Storm warning|Ferry timetable/);
    }
  });

  it('refuses an unrelated question and names the closest documents', async () => {
    const a = await engine.ask('Who won the chess world championship in Madras?');
    expect(a.answered).toBe(false);
    expect(a.citations).toEqual([]);
    expect(a.closest.length).toBeGreaterThan(0);
    expect(a.closest.every((d) => d.doc in FILES)).toBe(true);
  });

  it('finds no evidence for a sum, a number or a time where the best sentence and its neighbours hold none', async () => {
    const e = engine as unknown as ReturnType<typeof createEngine>;
    const evidenceFor = async (q: string) => {
      const [v] = await e.embedder.embed([q], { query: true });
      return retrieve(e.index, e.stats, q, v!, policyFor('use-lite').weights).evidence!();
    };
    expect(await evidenceFor('How much will the second ship cost?')).toBe(0);
    expect(await evidenceFor('How much will the barrier cost?')).toBeGreaterThan(0.5);
    const refused = await engine.ask('How much will the second ship cost?');
    expect(refused.answered).toBe(false);
  });

  it('understands an acronym the text only spells out', async () => {
    const a = await engine.ask('When will the HPA publish the design?');
    expect(a.answered).toBe(true);
    expect(quoteOf(a)).toContain('publish the design in March');
  });

  it('refuses a question made only of function words', async () => {
    const a = await engine.ask('What was it that they had been?');
    expect(a.answered).toBe(false);
    expect(a.citations).toEqual([]);
  });

  it('gives a clear refusal for a question without words', async () => {
    const a = await engine.ask(' ?!… ');
    expect(a.answered).toBe(false);
    expect(a.answer).toMatch(/question/i);
  });
});

describe('passages side by side', () => {
  /** A retrieval that ranks the given sentences (by their text) in this order. */
  function ranked(e: ReturnType<typeof createEngine>, texts: string[]): Retrieval {
    const sentences = texts.map((t, k) => {
      const i = e.stats.sentenceText.findIndex((x) => x === t);
      expect(i, t).toBeGreaterThanOrEqual(0);
      const s = e.index.sentences[i]!;
      return {
        sentence: i,
        chunk: s.chunk,
        doc: e.index.chunks[s.chunk]!.doc,
        dense: 1,
        coverage: 1,
        mismatch: 0,
        score: 2 - k * 0.01,
      };
    });
    return { sentences, chunks: [] };
  }
  const policy = { ...policyFor('use-lite'), threshold: 0, followRatio: 0.5, maxPassages: 3 };

  it('are cited as one passage when nothing but white space lies between them', () => {
    const e = engine as ReturnType<typeof createEngine>;
    const c = compose(
      e.index,
      ranked(e, [
        'The barrier will cost 48 million euros and is expected to be finished in 2029.',
        'Construction starts next spring.',
        'Tickets for the night crossings will cost the same as day fares.',
      ]),
      policy,
    ).citations;
    expect(c).toHaveLength(2);
    expect(c[0]!.quote).toBe(
      'The barrier will cost 48 million euros and is expected to be finished in 2029. Construction starts next spring.',
    );
    expect(FILES[c[0]!.doc]!.slice(c[0]!.start, c[0]!.end)).toBe(c[0]!.quote);
    expect(c[1]!.doc).toBe('ferry.txt');
  });

  it('one sentence apart are cited as one passage, with the sentence between', () => {
    const e = engine as ReturnType<typeof createEngine>;
    const c = compose(
      e.index,
      ranked(e, [
        'The ferry operator said on Friday that it would add three night crossings to the island from June, after passenger numbers rose by a fifth last year.',
        'Tickets for the night crossings will cost the same as day fares.',
      ]),
      policy,
    ).citations;
    expect(c).toHaveLength(1);
    expect(c[0]!.quote).toBe(
      FILES['ferry.txt']!.slice(
        FILES['ferry.txt']!.indexOf('The ferry operator said'),
        FILES['ferry.txt']!.indexOf('day fares.') + 'day fares.'.length,
      ),
    );
    expect(c[0]!.quote).toContain('“Demand has never been higher,”');
  });

  it('keep what "he" goes on to say in the next sentence', () => {
    const e = engine as ReturnType<typeof createEngine>;
    const c = compose(
      e.index,
      ranked(e, ["The operator's chairman, Jonas Ekholm, spoke at the annual meeting in the harbour hall."]),
      policy,
    ).citations;
    expect(c[0]!.quote).toContain('He said the company would order a second ship within two years.');
  });

  it('stay apart when one passage would grow past three sentences', () => {
    const e = engine as ReturnType<typeof createEngine>;
    const c = compose(
      e.index,
      ranked(e, [
        'Opponents argued that the money would be better spent on moving the most exposed homes.',
        // Its passage runs on to the end of the quotation: three sentences with the one above.
        "“We are building a wall around the problem,” said Pieter Dros, who leads the residents' association.",
        // Next to those three, but a fourth sentence is too many.
        'The Harbour Protection Authority (the agency that will run the barrier) said it would publish the design in March.',
      ]),
      policy,
    ).citations;
    expect(c.map((x) => x.quote.slice(0, 20))).toEqual(['Opponents argued tha', 'The Harbour Protecti']);
    expect(c[0]!.quote.endsWith('planning cycle.”')).toBe(true);
  });
});

describe('question reading', () => {
  it('tells what kind of answer a question wants', () => {
    expect(answerType('How many homes are protected?')).toBe('number');
    expect(answerType('When does construction start?')).toBe('time');
    expect(answerType('Where will the barrier be built?')).toBe('place');
    expect(answerType('Which two countries host the bases?')).toBe('place');
    expect(answerType('Why did the council vote?')).toBe('any');
    expect(answerType('Who paid for the expedition?')).toBe('person');
    expect(answerType('Who is Frank Rose?')).toBe('any');
    expect(answerType('Who was behind the attack?')).toBe('person');
    expect(answerType('How close to the deadline did the papers arrive?')).toBe('number');
    expect(answerType('In which court was the lawsuit filed?')).toBe('place');
    expect(answerType('In what year was the treaty signed?')).toBe('time');
    // "when" that only starts a clause does not ask for a time.
    expect(answerType('What happened when the organist pressed a low C?')).toBe('any');
    expect(answerType('Why did she resign when the vote was lost?')).toBe('any');
    expect(answerType('And when did the bridge reopen?')).toBe('time');
    // The first question word decides: "when … how much" asks for a time, "what … about where" for no place.
    expect(answerType('When will the court decide how much compensation the firm must pay?')).toBe('time');
    expect(answerType('What did the inspector say about where the painting was found?')).toBe('any');
    expect(answerType('Where was the painting found?')).toBe('place');
    expect(answerType('What did Voss spend the stolen money on?')).toBe('any');
    expect(answerType('How much did Voss spend?')).toBe('money');
    expect(answerType('In what situations did the sensor fail?')).toBe('any');
    expect(answerType('What did the grandmaster say about the girl who beat him?')).toBe('any');
  });

  it('finds a place after a preposition that opens the sentence or a few words before the name, and a name after an abbreviation', () => {
    const none = new Set<string>();
    expect(mismatch('place', 'In Presque Isle, Maine, no other airline flies.', none)).toBe(0);
    expect(mismatch('place', 'He may have grown up possibly in what is now northern France.', none)).toBe(0);
    expect(mismatch('place', 'He may have grown up somewhere else.', none)).toBe(0.5);
    expect(mismatch('person', 'The U.S. Congress has forbidden it.', none)).toBe(0);
    // A place right after "in", "at", "on" is nobody; a name after "to" or "from" may be someone.
    expect(mismatch('person', 'Homes will be built on England’s high streets, the minister said.', none)).toBe(0.5);
    expect(mismatch('person', 'The offer was made in Leeds.', none)).toBe(0.5);
    expect(mismatch('person', 'The plan is wrong, according to Marcus Bellingham.', none)).toBe(0);
  });

  it('takes a time of day or a race time for the time asked for, and a bare number not', () => {
    const none = new Set<string>();
    for (const held of [
      'The park will close at 9pm on weekdays.',
      'The main burst shortly before 06:00.',
      'The message was sent at 3.40am.',
      'The doors open at noon.',
      'She won the race in 2 hours 21 minutes.',
      'The old record of 2:06:12 stood for years.',
      'It reopened in March 2019.',
    ])
      expect(mismatch('time', held, none), held).toBe(0);
    for (const not of ['The park has 9 ramps.', 'The main is 90 years old and 300 metres long.'])
      expect(mismatch('time', not, none), not).toBe(1);
  });

  it('does not take a place or person the question already names for an answer', () => {
    const known = new Set(terms('Where is Kaliningrad located?'));
    expect(mismatch('place', 'The missiles would be based in Kaliningrad.', known)).toBeGreaterThan(0);
    expect(mismatch('place', 'Kaliningrad lies between Poland and Lithuania.', known)).toBe(0);
    const askedWho = new Set(terms('Who replaced Arrieta?'));
    expect(mismatch('person', 'Arrieta left on Monday.', askedWho)).toBeGreaterThan(0);
    expect(mismatch('person', 'Arrieta was replaced by Kofi Mensah.', askedWho)).toBe(0);
    expect(mismatch('person', 'The club thanked Arrieta.', askedWho)).toBeGreaterThan(0);
    const askedHowMany = new Set(terms('How many of the 12 members voted in 2023?'));
    expect(mismatch('number', 'The 12 members met in 2023.', askedHowMany)).toBe(1);
    expect(mismatch('number', 'Nine of the 12 members voted for it.', askedHowMany)).toBe(0);
    expect(mismatch('number', 'Only one of the 12 members voted.', askedHowMany)).toBe(0);
    expect(mismatch('number', 'Of 2,400 staff, 2,400 stayed.', new Set(terms('Did 2,400 staff stay?')))).toBe(1);
    expect(mismatch('money', 'The plant employs 850 people.', new Set())).toBe(1);
    expect(mismatch('money', 'The plant cost $3.1 billion.', new Set())).toBe(0);
    // Sums in currencies written by code or letter, and shares in words.
    expect(mismatch('money', 'The firm will invest about R140m over three years.', new Set())).toBe(0);
    expect(mismatch('money', 'Tickets cost CHF 45 million in all.', new Set())).toBe(0);
    expect(mismatch('money', 'Rent rose to R4,500 a month.', new Set())).toBe(0);
    expect(mismatch('money', 'Drive north on the R40 for an hour.', new Set())).toBe(1);
    expect(mismatch('number', 'Less than a quarter of the seabed is mapped.', new Set(terms('seabed mapped')))).toBe(0);
  });

  it('never takes a question (a subheading, a rhetorical one) for an answer', () => {
    const known = new Set(terms('Why did the pipe fail?'));
    expect(mismatch('any', 'Why did the pipe fail?', known)).toBe(1);
    expect(mismatch('any', '"Who will pay for this?" she asked.', known)).toBe(0);
    expect(mismatch('any', 'Engineers said the pipe failed because it had corroded.', known)).toBe(0);
  });

  it('finds the names in a question, not its first word', () => {
    expect(questionNames('What did Mayor Ingrid Falkner say?')).toBe('Mayor Ingrid Falkner');
    expect(questionNames('When will the HPA publish?')).toBe('HPA');
    expect(questionNames('Why did the council vote?')).toBe('');
  });
});

describe('word weights inside an article', () => {
  /** The subject's name is in most of the article's sentences; "replaced" is common elsewhere but not here. */
  const FILES: Record<string, string> = {
    'striker.txt': `Club sells striker Alvarez to rival

Alvarez joined the club from a youth academy in 2019. Alvarez scored thirty goals last season. Alvarez thanked the fans in a short message. Alvarez will wear the number nine shirt. The club replaced him with a loan signing, Tomas Berg.

Berg, who was born in Norway, played last season in the Dutch second division.
`,
    'roads.txt': `Council repairs roads after winter

The council replaced two bridges in March. Crews replaced worn asphalt on the ring road. Old street lamps were replaced with LED lights. The depot replaced its salt spreaders.
`,
  };
  let dir: string;
  let engine: Awaited<ReturnType<typeof openEngine>> & ReturnType<typeof createEngine>;
  beforeAll(async () => {
    ({ dir, engine } = await openOver(FILES, 'weights'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('knows a people\'s name from its country\'s: "Norwegian" is not unknown to a text about Norway', async () => {
    const top = async (q: string) => {
      const [v] = await engine.embedder.embed([q], { query: true });
      return retrieve(engine.index, engine.stats, q, v!, policyFor('use-lite').weights).sentences[0]!;
    };
    const known = await top('Where did the Norwegian player play last season?');
    const unknown = await top('Where did the Peruvian player play last season?');
    expect(engine.stats.sentenceText[known.sentence]).toContain('Dutch second division');
    // Only the name the collection has never seen is penalised.
    expect(known.score - unknown.score).toBeGreaterThan(policyFor('use-lite').weights.unknown);
  });

  it('count a word the article rarely uses above its subject, which nearly every sentence names', async () => {
    const q = 'Who replaced Alvarez?';
    const [v] = await engine.embedder.embed([q], { query: true });
    const hits = retrieve(engine.index, engine.stats, q, v!, policyFor('use-lite').weights).sentences.filter(
      (h) => h.doc === 'striker.txt',
    );
    const text = (i: number) => engine.stats.sentenceText[i]!;
    const replaced = hits.find((h) => text(h.sentence).includes('replaced'))!;
    const subjectOnly = hits.filter((h) => text(h.sentence).startsWith('Alvarez'));
    expect(subjectOnly.length).toBeGreaterThan(2);
    for (const h of subjectOnly) expect(replaced.coverage, text(h.sentence)).toBeGreaterThan(2 * h.coverage);
  });
});

describe('the act a question asks about', () => {
  const FILES: Record<string, string> = {
    'talks.txt': `Talks on the border stall again

Foreign Minister Ada Kovrin called the offer from the other side "vague and late" when the talks ended on Monday.

Kovrin said her country still needs written guarantees before any new round.

Trade Secretary Bruno Vael insisted that the talks would go on, and said he wanted a deal by June.

Kovrin demanded a new venue for the next round.

Kovrin left the last session in Geneva early on Tuesday.

“We have waited long enough for an answer,” Kovrin said.

A source in the ministry said that the offer of inspections was a trick. “They will let us look at the fences from a hill,” the source said. “The law forbids them to show us anything that matters.”
`,
  };
  let dir: string;
  let engine: Awaited<ReturnType<typeof openEngine>> & ReturnType<typeof createEngine>;
  beforeAll(async () => {
    ({ dir, engine } = await openOver(FILES, 'acts'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const coverage = async (q: string, act: number) => {
    const [v] = await engine.embedder.embed([q], { query: true });
    const hits = retrieve(engine.index, engine.stats, q, v!, { ...policyFor('use-lite').weights, act }).sentences;
    return (start: string) => hits.find((h) => engine.stats.sentenceText[h.sentence]!.startsWith(start))!.coverage;
  };

  it('is answered by another verb of its kind: asked what someone demanded, what they need', async () => {
    const [without, with_] = [
      await coverage('What did Kovrin demand?', 0),
      await coverage('What did Kovrin demand?', 0.5),
    ];
    expect(with_('Kovrin said')).toBeGreaterThan(without('Kovrin said'));
    // Not where someone else does the demanding ("Vael insisted"), nor where nobody does.
    expect(with_('Trade Secretary')).toBe(without('Trade Secretary'));
    expect(with_('Foreign Minister')).toBe(without('Foreign Minister'));
  });

  it("takes the asked person's words when they follow the passage", async () => {
    const said = await engine.ask('What did Kovrin say when she left the last session in Geneva?');
    expect(quoteOf(said)).toMatch(
      /^Kovrin left the last session .*\n\n“We have waited long enough for an answer,” Kovrin said\.$/s,
    );
    const left = await engine.ask('When did Kovrin leave the last session in Geneva?');
    expect(quoteOf(left)).toBe('Kovrin left the last session in Geneva early on Tuesday.');
  });

  it('takes a quotation that follows reported speech whole, when it goes on in a second sentence', async () => {
    const a = await engine.ask('Why are the inspections a trick, according to the ministry source?');
    expect(quoteOf(a)).toMatch(
      /^A source in the ministry said .*“The law forbids them to show us anything that matters\.”$/s,
    );
  });

  it('puts first the sentence in which the asked person does the asked act, over one about them that does not', async () => {
    const [v] = await engine.embedder.embed(['What did Kovrin demand?'], { query: true });
    const scores = (did: number) => {
      const hits = retrieve(engine.index, engine.stats, 'What did Kovrin demand?', v!, {
        ...policyFor('use-lite').weights,
        did,
      }).sentences;
      return (start: string) => hits.find((h) => engine.stats.sentenceText[h.sentence]!.startsWith(start))!.score;
    };
    const [off, on] = [scores(0), scores(0.3)];
    // "Kovrin demanded…": she does it, by the asked verb.
    expect(on('Kovrin demanded') - off('Kovrin demanded')).toBeCloseTo(0.3, 5);
    // About her, and she speaks, but not the asked act ("needs" counts for coverage, `act`, not here).
    expect(on('Kovrin said')).toBe(off('Kovrin said'));
    expect(on('Kovrin left')).toBe(off('Kovrin left'));
    // Another's demand of her.
    expect(on('Trade Secretary')).toBe(off('Trade Secretary'));
  });

  it('counts only the verb that follows the name, and only a verb of demanding, warning, proposing…', async () => {
    const asked = await coverage('What did Kovrin say about written guarantees?', 0.5);
    const plain = await coverage('What did Kovrin say about written guarantees?', 0);
    expect(asked('Kovrin said')).toBe(plain('Kovrin said'));
  });
});
