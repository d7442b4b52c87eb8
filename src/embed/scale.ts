import type { Embedder } from './embedder.js';

/**
 * Every sentence encoder has its own cosine scale: one puts unrelated text near 0.1, another
 * near 0.5. Scoring weights and the refusal threshold are calibrated on one encoder, so each
 * index records where its encoder puts a question next to its answer and next to an
 * unrelated sentence, measured on the everyday pairs below (no collection's words), and
 * similarities are mapped linearly onto the calibrated encoder's scale.
 */
export interface SimilarityScale {
  /** Mean cosine of a question and a sentence that answers it. */
  related: number;
  /** Mean cosine of a question and a sentence about something else. */
  unrelated: number;
}

/** Everyday questions, each with a sentence that answers it; every other pairing is unrelated. */
export const PROBES: readonly [question: string, answer: string][] = [
  ['When does the library open on weekends?', 'The library opens at nine in the morning on Saturdays and Sundays.'],
  ['How long should dried pasta be boiled?', 'Most dried pasta needs to boil for eight to twelve minutes.'],
  [
    'Who designed the new footbridge?',
    'The footbridge was designed by a local engineering firm that won the competition.',
  ],
  ['Why was the concert cancelled?', 'The concert was called off because the singer fell ill.'],
  ['What did the coach say after the defeat?', 'After the loss, the coach said his players had given everything.'],
  ['How many people came to the festival?', 'About twelve thousand visitors came to the festival over the weekend.'],
  ['Where will the new hospital be built?', 'The hospital will be built on the former airfield north of the town.'],
  ['How much does a museum ticket cost?', 'Adult tickets for the museum cost fifteen dollars.'],
  [
    'What causes the northern lights?',
    'Auroras appear when charged particles from the sun strike the upper atmosphere.',
  ],
  ['Which company bought the bakery?', 'The bakery was sold to a regional supermarket chain.'],
  ['When did the drought end?', 'Heavy rain in March finally ended the two-year drought.'],
  ['How did the team win the final?', 'They won the final with a penalty in the last minute.'],
  ['What are the side effects of the medicine?', 'The medicine can cause headaches and mild nausea.'],
  ['Who will lead the investigation?', 'A retired judge has been appointed to lead the inquiry.'],
  ['Why are bee numbers falling?', 'Pesticides and the loss of wild flowers are the main reasons bees are declining.'],
  [
    'What did the study find about sleep?',
    'The study found that adults who slept less than six hours had more heart problems.',
  ],
];

/** Where the embedder puts related and unrelated pairs (two small batches of embeddings). */
export async function measureScale(embedder: Embedder): Promise<SimilarityScale> {
  const q = await embedder.embed(
    PROBES.map((p) => p[0]),
    { query: true },
  );
  const a = await embedder.embed(PROBES.map((p) => p[1]));
  let related = 0,
    unrelated = 0;
  q.forEach((qv, i) =>
    a.forEach((av, j) => {
      let dot = 0;
      for (let d = 0; d < qv.length; d++) dot += qv[d]! * av[d]!;
      if (i === j) related += dot;
      else unrelated += dot;
    }),
  );
  const n = PROBES.length;
  return { related: related / n, unrelated: unrelated / (n * (n - 1)) };
}

/**
 * The linear map from one encoder's similarities onto another's. An encoder that cannot tell
 * the probes apart at all has no scale to map from: its similarities pass through unchanged.
 */
export function rescale(from: SimilarityScale, to: SimilarityScale): (cosine: number) => number {
  const span = from.related - from.unrelated;
  if (!(span > 0.02)) return (x) => x;
  const k = (to.related - to.unrelated) / span;
  return (x) => to.unrelated + (x - from.unrelated) * k;
}
