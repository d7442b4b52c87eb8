import type { AnswerPolicy } from './compose.js';

/**
 * Scoring weights and refusal thresholds per embedder, written by `npm run calibrate -- --write`
 * from the labelled eval sets of two unrelated collections (eval/seeds.jsonl, eval/collection-b.jsonl, eval/proxy-seeds.jsonl, eval/proxy-b.jsonl, eval/proxy-noisy-a.jsonl, eval/proxy-noisy-b.jsonl),
 * never picked by hand: the threshold is the midpoint of the best split between answerable
 * and unanswerable questions' confidence. Measured: hit@1 0.779, hit@3 0.858, negatives refused 29/51, answerable refused 0, mean quoted chars (worst collection) 420.
 */
export const POLICIES: Record<string, AnswerPolicy> = {
  'use-lite': {
    weights: {
      coverage: 0.9,
      context: 0.9,
      typeMismatch: 0.55,
      unknown: 0.7,
      unseen: 0.6,
      phrase: 0.25,
      focus: 0.2,
      focusElsewhere: 1,
      focusSilent: 1,
      act: 0.2,
      rrfK: 10,
    },
    threshold: 0.456,
    followRatio: 0.838,
    maxPassages: 3,
    scale: { related: 0.5992, unrelated: 0.0947 },
  },
};

/** For embedders without calibration data: similarities mapped onto this scale (src/embed/scale.ts), the same weights, a cautious threshold. */
export const FALLBACK_POLICY: AnswerPolicy = {
  ...POLICIES['use-lite']!,
  threshold: POLICIES['use-lite']!.threshold + 0.05,
};

export function policyFor(embedderId: string): AnswerPolicy {
  return POLICIES[embedderId] ?? FALLBACK_POLICY;
}
