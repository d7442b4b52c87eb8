import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { Answer, Engine } from '../core/types.js';

/** One labelled question: answerable (`any`: phrases one of which a cited quote must contain) or `negative`. */
export const EvalItemSchema = z.union([
  z.object({ q: z.string().min(1), any: z.array(z.string().min(1)).min(1), negative: z.literal(false).optional() }),
  z.object({ q: z.string().min(1), negative: z.literal(true) }),
]);
export type EvalItem = z.infer<typeof EvalItemSchema>;

export async function readEvalSet(path: string): Promise<EvalItem[]> {
  const raw = await readFile(path, 'utf8');
  return raw
    .split('\n')
    .map((l, i) => [l.trim(), i + 1] as const)
    .filter(([l]) => l)
    .map(([l, line]) => {
      const parsed = EvalItemSchema.safeParse(
        (() => {
          try {
            return JSON.parse(l);
          } catch {
            return undefined;
          }
        })(),
      );
      if (!parsed.success)
        throw new Error(`${path}:${line}: not an eval item ({"q", "any": [...]} or {"q", "negative": true}).`);
      return parsed.data;
    });
}

export interface EvalReport {
  questions: number;
  answerable: number;
  negatives: number;
  hit_at_1: number;
  hit_at_3: number;
  mrr: number;
  negatives_refused: number;
  false_refusals: number;
  mean_quoted_chars_top3: number;
  failures: { q: string; why: string }[];
}

/** Rank (1-based) of the first citation containing one of the phrases, or 0. */
export function hitRank(answer: Answer, any: string[]): number {
  const i = answer.citations.findIndex((c) => any.some((p) => c.quote.includes(p)));
  return i + 1;
}

export function score(items: EvalItem[], answers: Answer[]): EvalReport {
  let h1 = 0,
    h3 = 0,
    rr = 0,
    refusedNeg = 0,
    falseRefusals = 0,
    chars = 0,
    answeredCount = 0;
  const failures: EvalReport['failures'] = [];
  items.forEach((item, i) => {
    const a = answers[i]!;
    if (a.answered) {
      answeredCount++;
      chars += a.citations.slice(0, 3).reduce((n, c) => n + c.quote.length, 0);
    }
    if (item.negative) {
      if (!a.answered) refusedNeg++;
      else
        failures.push({ q: item.q, why: `answered an unanswerable question: ${a.citations[0]?.quote.slice(0, 80)}` });
      return;
    }
    if (!a.answered) {
      falseRefusals++;
      failures.push({ q: item.q, why: 'refused' });
      return;
    }
    const rank = hitRank(a, item.any);
    if (rank === 1) h1++;
    if (rank >= 1 && rank <= 3) h3++;
    if (rank >= 1) rr += 1 / rank;
    if (rank !== 1)
      failures.push({ q: item.q, why: rank ? `hit at ${rank}` : `miss: ${a.citations[0]?.quote.slice(0, 80)}` });
  });
  const answerable = items.filter((x) => !x.negative).length;
  const negatives = items.length - answerable;
  const r = (x: number) => Math.round(x * 1000) / 1000;
  return {
    questions: items.length,
    answerable,
    negatives,
    hit_at_1: r(h1 / Math.max(1, answerable)),
    hit_at_3: r(h3 / Math.max(1, answerable)),
    mrr: r(rr / Math.max(1, answerable)),
    negatives_refused: r(refusedNeg / Math.max(1, negatives)),
    false_refusals: falseRefusals,
    mean_quoted_chars_top3: Math.round(chars / Math.max(1, answeredCount)),
    failures,
  };
}

export async function runEval(engine: Engine, items: EvalItem[]): Promise<EvalReport> {
  const answers: Answer[] = [];
  for (const item of items) answers.push(await engine.ask(item.q));
  return score(items, answers);
}
