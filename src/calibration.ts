import type { AnswerPolicy } from './answer.js';

/**
 * Refusal thresholds per embedder. Written by `npm run calibrate` from the labelled eval
 * sets (two unrelated collections), never picked by hand: the threshold is the midpoint of
 * the widest gap between answerable and unanswerable questions' confidence.
 */
export const POLICIES: Record<string, AnswerPolicy> = {
  'use-lite': { threshold: 0.55, coverageWeight: 0.35, followRatio: 0.9, maxPassages: 3 },
};

/** For embedders without calibration data: the same shape, a cautious threshold. */
export const FALLBACK_POLICY: AnswerPolicy = { threshold: 0.6, coverageWeight: 0.35, followRatio: 0.9, maxPassages: 3 };

export function policyFor(embedderId: string): AnswerPolicy {
  return POLICIES[embedderId] ?? FALLBACK_POLICY;
}
