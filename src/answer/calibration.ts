/**
 * The calibrated answer policy per embedder (weights, refusal threshold, follow ratio), kept as
 * data in policy.json beside this file: `npm run calibrate -- --write` rewrites that file and never
 * this code. Read once, checked by zod; an embedder without calibration gets a cautious fallback.
 */
import { z } from 'zod';
import type { AnswerPolicy } from './compose.js';
import policyJson from './policy.json' with { type: 'json' };

const WeightsSchema = z.object({
  coverage: z.number(),
  context: z.number(),
  typeMismatch: z.number(),
  unknown: z.number(),
  unseen: z.number(),
  phrase: z.number(),
  focus: z.number(),
  focusElsewhere: z.number(),
  focusSilent: z.number(),
  act: z.number(),
  fit: z.number().default(0),
  did: z.number().default(0),
  rrfK: z.number(),
});
export const AnswerPolicySchema = z.object({
  weights: WeightsSchema,
  threshold: z.number(),
  evidence: z.object({ floor: z.number().min(0).max(1), below: z.number() }),
  followRatio: z.number(),
  maxPassages: z.number().int().positive(),
  scale: z.object({ related: z.number(), unrelated: z.number() }),
});
/** policy.json: the policies, with where they came from and how they measured. */
export const PolicyFileSchema = z.object({
  note: z.string(),
  measured: z.string(),
  policies: z.record(z.string(), AnswerPolicySchema),
});
export type PolicyFile = z.infer<typeof PolicyFileSchema>;

/** Where `npm run calibrate -- --write` writes the policies (from the repository root). */
export const POLICY_FILE = 'src/answer/policy.json';

export const POLICIES: Record<string, AnswerPolicy> = PolicyFileSchema.parse(policyJson).policies;

/** For embedders without calibration data: similarities mapped onto this scale (src/embed/scale.ts), the same weights, a cautious threshold. */
export const FALLBACK_POLICY: AnswerPolicy = {
  ...POLICIES['use-lite']!,
  threshold: POLICIES['use-lite']!.threshold + 0.05,
};

export function policyFor(embedderId: string): AnswerPolicy {
  return POLICIES[embedderId] ?? FALLBACK_POLICY;
}
