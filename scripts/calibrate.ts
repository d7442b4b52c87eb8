/**
 * npm run calibrate -- [--write] [--refusal-only | --only WEIGHT,…] [--set CORPUS_DIR=SET.jsonl …]
 * Chooses the scoring weights and the refusal threshold from labelled eval sets of two
 * unrelated collections (questions are embedded once, then every candidate setting is
 * scored in memory). With --write, saves the result to src/answer/policy.json (data beside the code that reads it). `--set` adds a
 * labelled set of your own, e.g. one exported from real use by `npm run feedback -- --export`.
 * `--refusal-only` keeps the current weights and re-derives only the refusal (threshold and evidence gate);
 * `--only fit,act` moves only the weights named, from the current calibration (and re-derives the refusal).
 */
import { writeFile, rename } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compose, type AnswerPolicy } from '../src/answer/compose.js';
import { measureScale } from '../src/embed/scale.js';
import { UsageError, parseCli, runMain } from '../src/cli/args.js';
import { hitRank, readEvalSet, type EvalItem } from '../src/eval/eval.js';
import { readEvalManifest } from '../src/eval/sets.js';
import { DEFAULT_WEIGHTS, retrieve, type Weights } from '../src/retrieve/score.js';
import type { Answer } from '../src/core/types.js';
import { POLICIES, POLICY_FILE, PolicyFileSchema, type PolicyFile } from '../src/answer/calibration.js';
import { createEngine } from '../src/engine/create.js';
import { openEngine } from '../src/engine/open.js';
import { type LexStats, lexStats } from '../src/retrieve/stats.js';

/** The manifest's calibration sets (eval/sets.json), in its order: the first one's embedder sets the scale. */
const SETS = (await readEvalManifest())
  .filter((s) => s.calibration)
  .map((s) => ({ corpus: s.collection, set: s.file }));

runMain(async () => {
  const { values } = parseCli({
    options: {
      write: { type: 'boolean', default: false },
      'refusal-only': { type: 'boolean', default: false },
      only: { type: 'string' },
      set: { type: 'string', multiple: true },
    },
  });
  const extra = (values.set ?? []).map((v) => {
    const at = v.indexOf('=');
    if (at <= 0 || at === v.length - 1) throw new UsageError(`--set ${v}: expected CORPUS_DIR=SET.jsonl`);
    return { corpus: v.slice(0, at), set: v.slice(at + 1) };
  });
  const data: Data = [];
  for (const s of [...SETS, ...extra]) {
    const opened = await openEngine({
      corpusDir: s.corpus,
      indexDir: join(tmpdir(), `quotebot-calibrate-${s.corpus.replace(/\W+/g, '_')}`),
      embedder: 'use-lite',
    });
    const engine = opened as ReturnType<typeof createEngine>;
    const items = await readEvalSet(s.set);
    const qvecs = await engine.embedder.embed(
      items.map((i) => i.q),
      { query: true },
    );
    // Calibrated on the embedder's own scale: its similarities are used as they are.
    data.push({ engine, stats: lexStats(engine.index), items, qvecs });
  }
  const embedderId = data[0]!.engine.embedderId;
  // The weights are calibrated on this embedder's similarity scale; other embedders are mapped onto it.
  const measured = await measureScale(data[0]!.engine.embedder);
  const scale = {
    related: Math.round(measured.related * 1e4) / 1e4,
    unrelated: Math.round(measured.unrelated * 1e4) / 1e4,
  };

  // Coarse grid first, then coordinate ascent on every weight with shrinking steps.
  const score = (policy: AnswerPolicy): Scored => evaluate(data, policy);
  // Coarse grid first; then coordinate ascent with shrinking steps from the best few grid points
  // and from the current calibration, so a rerun never lands on a worse local optimum.
  const current = POLICIES[embedderId];
  let best: Scored | undefined;
  if (values['refusal-only']) {
    if (!current) throw new UsageError(`--refusal-only needs a calibrated policy for ${embedderId} in ${POLICY_FILE}.`);
    best = score({ ...current, threshold: -Infinity, evidence: NO_GATE, scale });
  } else if (values.only) {
    if (!current) throw new UsageError(`--only needs a calibrated policy for ${embedderId} in ${POLICY_FILE}.`);
    const only = values.only.split(',') as (keyof Weights)[];
    const unknown = only.find((k) => !(k in current.weights));
    if (unknown) throw new UsageError(`--only ${unknown}: not a weight (${Object.keys(current.weights).join(', ')}).`);
    best = ascend(score({ ...current, threshold: -Infinity, evidence: NO_GATE, scale }), score, only);
  } else {
    const grid: Scored[] = [];
    for (const coverage of [0.5, 0.7, 0.9])
      for (const context of [0.4, 0.6, 0.8])
        for (const unknown of [0.4, 0.7])
          for (const focus of [0, 0.8])
            for (const followRatio of [0.8, 0.85, 0.9]) {
              const weights: Weights = { ...DEFAULT_WEIGHTS, coverage, context, unknown, focus };
              grid.push(
                score({ weights, threshold: -Infinity, evidence: NO_GATE, followRatio, maxPassages: 3, scale }),
              );
            }
    const starts = grid.sort((a, b) => b.objective - a.objective).slice(0, 4);
    if (current) starts.push(score({ ...current, threshold: -Infinity, evidence: NO_GATE, scale }));
    for (const start of starts) {
      const found = ascend(start, score);
      if (!best || found.objective > best.objective + 1e-9) best = found;
    }
  }
  process.stdout.write(`${best!.summary}\n${JSON.stringify(best!.policy)}\n`);
  process.stdout.write(tradeOff(data, best!.policy));
  if (values.write) {
    const path = POLICY_FILE;
    const file: PolicyFile = {
      note: `Scoring weights and refusal thresholds per embedder, written by \`npm run calibrate -- --write\` from the labelled eval sets of two unrelated collections (${[...SETS, ...extra].map((s) => s.set).join(', ')}), never picked by hand: the threshold is the midpoint of the best split between answerable and unanswerable questions' confidence.`,
      measured: best!.summary.replace(/^Measured: /, ''),
      policies: { [embedderId]: best!.policy },
    };
    const source = JSON.stringify(PolicyFileSchema.parse(file), null, 2) + '\n';
    await writeFile(`${path}.tmp`, source);
    await rename(`${path}.tmp`, path);
    process.stdout.write(`Wrote ${path}\n`);
  }
});

/** A candidate policy and how well it does on the labelled sets. */
type Scored = { objective: number; policy: AnswerPolicy; summary: string };

/** Coordinate ascent on every weight and the follow ratio, with shrinking steps. */
function ascend(start: Scored, score: (p: AnswerPolicy) => Scored, only?: (keyof Weights)[]): Scored {
  let best = start;
  const consider = (policy: AnswerPolicy) => {
    const r = score(policy);
    if (r.objective > best.objective + 1e-9) {
      best = r;
      return true;
    }
    return false;
  };
  const keys: (keyof Weights)[] = [
    'coverage',
    'context',
    'typeMismatch',
    'unknown',
    'unseen',
    'phrase',
    'focus',
    'focusElsewhere',
    'focusSilent',
    'act',
    'fit',
    'did',
  ];
  if (only) keys.splice(0, keys.length, ...keys.filter((k) => only.includes(k)));
  // A share, not a weight: at most 1.
  const most: Partial<Record<keyof Weights, number>> = { focusElsewhere: 1, focusSilent: 1, act: 1 };
  for (const step of [0.2, 0.1, 0.05]) {
    for (let improved = true; improved;) {
      improved = false;
      for (const key of keys)
        for (const dir of [1, -1]) {
          const w = {
            ...best.policy.weights,
            [key]: Math.min(
              most[key] ?? Infinity,
              Math.max(0, Math.round((best.policy.weights[key] + dir * step) * 100) / 100),
            ),
          };
          if (consider({ ...best.policy, weights: w, threshold: -Infinity, evidence: NO_GATE })) improved = true;
        }
      for (const dir of only ? [] : [1, -1]) {
        const followRatio = Math.min(
          1,
          Math.max(0.5, Math.round((best.policy.followRatio + (dir * step) / 4) * 1000) / 1000),
        );
        if (consider({ ...best.policy, followRatio, threshold: -Infinity, evidence: NO_GATE })) improved = true;
      }
    }
  }
  return best;
}

type Data = { engine: ReturnType<typeof createEngine>; stats: LexStats; items: EvalItem[]; qvecs: number[][] }[];

/** The evidence gate off: refusal by the score alone. */
const NO_GATE = { floor: 0, below: 0 };

/** Each question's best score, its evidence, and whether it is unanswerable, under a policy. */
type Conf = { c: number; e: number; neg: boolean };

/**
 * The best refusal for these questions: an evidence gate (floor, below) from a small grid and
 * the score threshold, splitting answerable from unanswerable questions best. A refused
 * answerable question costs three times an answered unanswerable one: the answer is lost,
 * while a wrongly answered question still shows quotes a reader can judge.
 */
function bestRefusal(conf: Conf[]) {
  let best = { correct: -Infinity, gap: 0, threshold: 0, evidence: NO_GATE };
  for (const floor of [0, 0.05, 0.1, 0.15, 0.2, 0.25])
    for (const below of floor ? belowCandidates(conf, floor) : [0]) {
      const gated = (x: Conf) => x.e < floor && x.c < below;
      const sorted = conf.filter((x) => !gated(x)).sort((a, b) => a.c - b.c);
      const gatedNeg = conf.filter((x) => gated(x) && x.neg).length;
      const gatedAns = conf.filter((x) => gated(x) && !x.neg).length;
      for (let k = 0; k <= sorted.length; k++) {
        const below_ = sorted.slice(0, k),
          above = sorted.slice(k);
        const refusedNeg = gatedNeg + below_.filter((x) => x.neg).length;
        const refusedAns = gatedAns + below_.filter((x) => !x.neg).length;
        const correct = refusedNeg + above.filter((x) => !x.neg).length - 2 * refusedAns;
        const lo = below_.length ? below_[below_.length - 1]!.c : (sorted[0]?.c ?? 0) - 0.1;
        const hi = above.length ? above[0]!.c : (sorted[sorted.length - 1]?.c ?? 0) + 0.1;
        if (correct > best.correct || (correct === best.correct && hi - lo > best.gap))
          best = { correct, gap: hi - lo, threshold: (lo + hi) / 2, evidence: { floor, below } };
      }
    }
  return best;
}

/**
 * Where the evidence gate may stop: midway between the confidences of two questions it could
 * refuse (evidence below `floor`), as the threshold is chosen, between 0.8 and 1.6.
 */
function belowCandidates(conf: Conf[], floor: number): number[] {
  const cs = [...new Set(conf.filter((x) => x.e < floor).map((x) => x.c))].sort((a, b) => a - b);
  const mids = cs.slice(1).map((c, k) => Math.round(((c + cs[k]!) / 2) * 1000) / 1000);
  return [0.8, ...mids.filter((m) => m > 0.8 && m < 1.6), 1.6];
}

/** Scores every question with the policy's weights: confidence, evidence, and answer ranks. */
function answerAll(data: Data, policy: AnswerPolicy) {
  const open = { ...policy, threshold: -Infinity, evidence: NO_GATE };
  const out: (Conf & { rank: number; chars: number; set: number })[] = [];
  data.forEach(({ engine, stats, items, qvecs }, set) =>
    items.forEach((item, i) => {
      const retrieval = retrieve(engine.index, stats, item.q, qvecs[i]!, policy.weights);
      const composed = compose(engine.index, retrieval, open);
      out.push({
        c: composed.confidence,
        e: retrieval.evidence?.() ?? 1,
        neg: !!item.negative,
        set,
        rank: item.negative ? 0 : hitRank({ citations: composed.citations } as Answer, item.any),
        chars: composed.citations.slice(0, 3).reduce((n, c) => n + c.quote.length, 0),
      });
    }),
  );
  return out;
}

/**
 * The refusal trade-off of a policy: negatives refused against answerable questions refused as
 * the score threshold moves, by the score alone and with the policy's evidence gate.
 */
function tradeOff(data: Data, policy: AnswerPolicy): string {
  const all = answerAll(data, policy);
  const negatives = all.filter((x) => x.neg).length;
  const lines = [
    'Refusal trade-off (threshold: negatives refused / answerable refused, score alone | with the evidence gate):',
  ];
  for (let t = 0.2; t <= 1.21; t += 0.05) {
    const count = (gate: boolean) => {
      const refused = all.filter(
        (x) => x.c < t || (gate && x.e < policy.evidence.floor && x.c < policy.evidence.below),
      );
      return `${refused.filter((x) => x.neg).length}/${negatives} / ${refused.filter((x) => !x.neg).length}`;
    };
    lines.push(`  ${t.toFixed(2)}: ${count(false).padEnd(12)} | ${count(true)}`);
  }
  return `${lines.join('\n')}\n`;
}

function evaluate(data: Data, policy: AnswerPolicy) {
  const all = answerAll(data, policy);
  const answerable = all.filter((x) => !x.neg);
  const hits1 = answerable.filter((x) => x.rank === 1).length;
  const hits3 = answerable.filter((x) => x.rank >= 1 && x.rank <= 3).length;
  // Mean quoted characters per collection: one with long sentences must stay short too.
  const setChars = data.map((_, set) => {
    const mine = answerable.filter((x) => x.set === set);
    return mine.reduce((n, x) => n + x.chars, 0) / Math.max(1, mine.length);
  });
  const refusal = bestRefusal(all);
  const hit1 = hits1 / answerable.length;
  const split = refusal.correct / all.length;
  const meanChars = Math.max(...setChars);
  // Quotes must stay short (target: ≤ 600 characters for the top three); aim well under it.
  const objective = hit1 + (hits3 / answerable.length) * 0.5 + split - Math.max(0, meanChars - 420) / 300;
  const r3 = (x: number) => Math.round(x * 1000) / 1000;
  const threshold = r3(refusal.threshold);
  const refused = (x: Conf) => x.c < threshold || (x.e < refusal.evidence.floor && x.c < refusal.evidence.below);
  return {
    objective,
    policy: { ...policy, threshold, evidence: refusal.evidence },
    summary: `Measured: hit@1 ${r3(hit1)}, hit@3 ${r3(hits3 / answerable.length)}, negatives refused ${all.filter((x) => x.neg && refused(x)).length}/${all.filter((x) => x.neg).length}, answerable refused ${answerable.filter(refused).length}, mean quoted chars (worst collection) ${Math.round(meanChars)}.`,
  };
}
