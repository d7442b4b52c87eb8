import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEngine } from '../src/engine.js';
import { readEvalSet, runEval, type EvalReport } from '../src/eval.js';
import type { Engine } from '../src/types.js';

/**
 * Quality floors on the labelled sets: a change that makes answers worse fails here.
 * Floors sit a little under the measured figures (see the issue notes) so that noise
 * does not fail the build, while a real regression does.
 */
const dir = await mkdtemp(join(tmpdir(), 'quotebot-quality-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

interface Floors {
  hit1: number;
  hit3: number;
  negatives: number;
  chars: number;
  /** Answerable questions refused, known and explained (0 unless said). */
  refused?: number;
}

/** Questions written blind on a noisy batch, held out from calibration. */
const heldOutNoisy = (letter: string, batch: number, floors: Floors) => ({
  name: `proxy-noisy-${letter} (held out)`,
  corpus: `test/fixtures/noisy-pages-${batch}`,
  set: `eval/proxy-noisy-${letter}.jsonl`,
  floors,
});

const sets: { name: string; corpus: string; set: string; floors: Floors }[] = [
  { name: 'seeds', corpus: 'seeds', set: 'eval/seeds.jsonl', floors: { hit1: 0.8, hit3: 0.85, negatives: 0.6, chars: 600 } },
  { name: 'dev', corpus: 'seeds', set: 'eval/dev.jsonl', floors: { hit1: 0.7, hit3: 1, negatives: 1, chars: 600 } },
  { name: 'collection-b', corpus: 'test/fixtures/collection-b', set: 'eval/collection-b.jsonl', floors: { hit1: 0.62, hit3: 0.68, negatives: 0.33, chars: 600 } },
  // Written by someone who had not seen the code or the other sets, in the style of the dev set.
  { name: 'proxy-seeds', corpus: 'seeds', set: 'eval/proxy-seeds.jsonl', floors: { hit1: 0.68, hit3: 0.76, negatives: 0.6, chars: 600 } },
  { name: 'proxy-b', corpus: 'test/fixtures/collection-b', set: 'eval/proxy-b.jsonl', floors: { hit1: 0.64, hit3: 0.72, negatives: 0.6, chars: 600 } },
  // Questions about the outside-written noisy pages: cleaning and answering together, on collections nobody tuned for.
  { name: 'proxy-noisy-a', corpus: 'test/fixtures/noisy-pages', set: 'eval/proxy-noisy-a.jsonl', floors: { hit1: 0.7, hit3: 0.75, negatives: 0.5, chars: 600 } },
  { name: 'proxy-noisy-b', corpus: 'test/fixtures/noisy-pages-2', set: 'eval/proxy-noisy-b.jsonl', floors: { hit1: 0.65, hit3: 0.7, negatives: 0.5, chars: 600 } },
  // Held out: an outside-written collection and set that calibration never sees (measured 0.65 / 0.80 on arrival).
  { name: 'collection-c (held out)', corpus: 'test/fixtures/collection-c', set: 'eval/collection-c.jsonl', floors: { hit1: 0.6, hit3: 0.75, negatives: 0.4, chars: 600 } },
  // Held out, on the third and fourth noisy batches. Known refusals: in -c, a paraphrase the encoder
  // scores below every threshold ("heaviest fine" / "biggest penalty"); in -d, three questions on a
  // tabloid page whose first half the cleaner loses (noisy-pages-4/q2.txt).
  heldOutNoisy('c', 3, { hit1: 0.58, hit3: 0.66, negatives: 0.5, chars: 600, refused: 1 }),
  heldOutNoisy('d', 4, { hit1: 0.5, hit3: 0.58, negatives: 0.5, chars: 600, refused: 3 }),
  // Held out, session 4, measured on arrival: casual user questions on the seeds (0.725 / 0.875),
  // a fourth collection (0.55 / 0.675), the seventh to thirteenth noisy batches (0.667 / 0.667,
  // 0.833 / 0.917, 0.833 / 0.833, 0.583 / 0.708, 0.625 / 0.667, 0.792 / 0.958, 0.792 / 0.833).
  // Known refusals, paraphrases the encoder scores below every threshold: in collection-d "go back
  // on show" against "return to display"; in -k "Quillstore's boss" against "chief executive".
  { name: 'seeds-fresh (held out)', corpus: 'seeds', set: 'eval/seeds-fresh.jsonl', floors: { hit1: 0.68, hit3: 0.82, negatives: 0.3, chars: 600 } },
  { name: 'collection-d (held out)', corpus: 'test/fixtures/collection-d', set: 'eval/collection-d.jsonl', floors: { hit1: 0.5, hit3: 0.62, negatives: 0.33, chars: 600, refused: 1 } },
  heldOutNoisy('e', 7, { hit1: 0.6, hit3: 0.6, negatives: 0.16, chars: 600 }),
  heldOutNoisy('f', 8, { hit1: 0.75, hit3: 0.85, negatives: 0.33, chars: 600 }),
  heldOutNoisy('g', 9, { hit1: 0.75, hit3: 0.75, negatives: 0.33, chars: 600 }),
  heldOutNoisy('h', 10, { hit1: 0.5, hit3: 0.62, negatives: 0.33, chars: 600 }),
  heldOutNoisy('i', 11, { hit1: 0.55, hit3: 0.6, negatives: 0.33, chars: 600 }),
  heldOutNoisy('j', 12, { hit1: 0.7, hit3: 0.85, negatives: 0.33, chars: 600 }),
  heldOutNoisy('k', 13, { hit1: 0.7, hit3: 0.75, negatives: 0.33, chars: 600, refused: 1 }),
  // Held out, session 5: questions that name someone, written blind (issue #14), measured on first
  // sight before any tuning with them in view: focus-e 0.467 / 0.5 on a fifth collection (0.5 /
  // 0.533 with the question's focus, 0.567 / 0.6 with who-says-what and titles, 0.667 / 0.733 with the asked act and passages that grow to the asked person's words or past an article's lead), focus-seeds 0.7 / 0.7 on the seeds (unchanged). None of
  // focus-e's four unanswerable questions is refused yet.
  // Not held out: questions naming someone where another person in the same article says or does
  // the same kind of thing (issue #14), some only by title ("the museum director"), written to drive
  // the focus work: 0.84 / 0.86 and 0.89 / 0.93 (0.90 / 0.92 and 0.93 / 0.93 with two questions on asked acts added to each).
  { name: 'focus-dev', corpus: 'test/fixtures/collection-d', set: 'eval/focus-dev.jsonl', floors: { hit1: 0.8, hit3: 0.83, negatives: 0, chars: 600 } },
  { name: 'focus-dev-c', corpus: 'test/fixtures/collection-c', set: 'eval/focus-dev-c.jsonl', floors: { hit1: 0.85, hit3: 0.89, negatives: 0, chars: 600 } },
  { name: 'focus-e (held out)', corpus: 'test/fixtures/collection-e', set: 'eval/focus-e.jsonl', floors: { hit1: 0.46, hit3: 0.5, negatives: 0, chars: 600 } },
  { name: 'focus-seeds (held out)', corpus: 'seeds', set: 'eval/focus-seeds.jsonl', floors: { hit1: 0.65, hit3: 0.65, negatives: 0, chars: 600 } },
];

describe.each(sets)('quality on $name', ({ name, corpus, set, floors }) => {
  let engine: Engine;
  let report: EvalReport;
  beforeAll(async () => {
    engine = await openEngine({ corpusDir: corpus, indexDir: join(dir, corpus.replace(/\W+/g, '_')), embedder: 'use-lite' });
    report = await runEval(engine, await readEvalSet(set));
  });

  it(`finds the answer first (hit@1 ≥ ${floors.hit1}) and within three quotes`, () => {
    expect(report.hit_at_1, `${name}: ${JSON.stringify(report.failures.slice(0, 5))}`).toBeGreaterThanOrEqual(floors.hit1);
    expect(report.hit_at_3).toBeGreaterThanOrEqual(floors.hit3);
  });

  it('refuses no answerable question (beyond the few known ones), and refuses unanswerable ones', () => {
    expect(report.false_refusals).toBeLessThanOrEqual(floors.refused ?? 0);
    expect(report.negatives_refused).toBeGreaterThanOrEqual(floors.negatives);
  });

  it('quotes briefly', () => {
    expect(report.mean_quoted_chars_top3).toBeLessThanOrEqual(floors.chars);
  });

  it('quotes verbatim: every citation is an exact slice of its document', async () => {
    const { readFile } = await import('node:fs/promises');
    const items = (await readEvalSet(set)).filter((x) => !x.negative).slice(0, 8);
    const answers = await engine.askMany(items.map((x) => x.q));
    const citations = answers.flatMap((a) => a.citations);
    expect(citations.length).toBeGreaterThanOrEqual(items.length);
    for (const c of citations) {
      const text = await readFile(join(corpus, c.doc), 'utf8');
      expect(text.slice(c.start, c.end)).toBe(c.quote);
    }
  });
});

describe("the README's first example", () => {
  it('answers "what did Lavrov demand" with the sentence that states his demand first', async () => {
    const engine = await openEngine({ corpusDir: 'seeds', indexDir: join(dir, 'readme-seeds'), embedder: 'use-lite' });
    const answer = await engine.ask('what did Lavrov demand');
    expect(answer.citations[0]?.quote).toContain('Lavrov said Moscow still needs “precise, hard guarantees”');
  });
});
