/**
 * npm run calibrate -- [--write] [--set CORPUS_DIR=SET.jsonl …]
 * Chooses the scoring weights and the refusal threshold from labelled eval sets of two
 * unrelated collections (questions are embedded once, then every candidate setting is
 * scored in memory). With --write, saves the result to src/answer/policy.json (data beside the code that reads it). `--set` adds a
 * labelled set of your own, e.g. one exported from real use by `npm run feedback -- --export`.
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
    options: { write: { type: 'boolean', default: false }, set: { type: 'string', multiple: true } },
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
  const grid: Scored[] = [];
  for (const coverage of [0.5, 0.7, 0.9])
    for (const context of [0.4, 0.6, 0.8])
      for (const unknown of [0.4, 0.7])
        for (const focus of [0, 0.8])
          for (const followRatio of [0.8, 0.85, 0.9]) {
            const weights: Weights = { ...DEFAULT_WEIGHTS, coverage, context, unknown, focus };
            grid.push(score({ weights, threshold: -Infinity, followRatio, maxPassages: 3, scale }));
          }
  const starts = grid.sort((a, b) => b.objective - a.objective).slice(0, 4);
  const current = POLICIES[embedderId];
  if (current) starts.push(score({ ...current, threshold: -Infinity, scale }));
  let best: Scored | undefined;
  for (const start of starts) {
    const found = ascend(start, score);
    if (!best || found.objective > best.objective + 1e-9) best = found;
  }
  process.stdout.write(`${best!.summary}\n${JSON.stringify(best!.policy)}\n`);
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
function ascend(start: Scored, score: (p: AnswerPolicy) => Scored): Scored {
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
  ];
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
          if (consider({ ...best.policy, weights: w, threshold: -Infinity })) improved = true;
        }
      for (const dir of [1, -1]) {
        const followRatio = Math.min(
          1,
          Math.max(0.5, Math.round((best.policy.followRatio + (dir * step) / 4) * 1000) / 1000),
        );
        if (consider({ ...best.policy, followRatio, threshold: -Infinity })) improved = true;
      }
    }
  }
  return best;
}

type Data = { engine: ReturnType<typeof createEngine>; stats: LexStats; items: EvalItem[]; qvecs: number[][] }[];

function evaluate(data: Data, policy: AnswerPolicy) {
  let hits1 = 0,
    hits3 = 0,
    answerable = 0;
  const conf: { c: number; neg: boolean }[] = [];
  // Mean quoted characters per collection: one with long sentences must stay short too.
  const setChars: number[] = [];
  for (const { engine, stats, items, qvecs } of data) {
    let chars = 0,
      answeredN = 0;
    items.forEach((item, i) => {
      const retrieval = retrieve(engine.index, stats, item.q, qvecs[i]!, policy.weights);
      const composed = compose(engine.index, retrieval, policy);
      conf.push({ c: composed.confidence, neg: !!item.negative });
      if (item.negative) return;
      answerable++;
      answeredN++;
      chars += composed.citations.slice(0, 3).reduce((n, c) => n + c.quote.length, 0);
      const rank = hitRank({ citations: composed.citations } as Answer, item.any);
      if (rank === 1) hits1++;
      if (rank >= 1 && rank <= 3) hits3++;
    });
    setChars.push(chars / Math.max(1, answeredN));
  }
  // Best split: most questions on the right side; ties go to the widest gap.
  const sorted = [...conf].sort((a, b) => a.c - b.c);
  let bestSplit = { correct: -1, gap: 0, threshold: 0 };
  for (let k = 0; k <= sorted.length; k++) {
    const below = sorted.slice(0, k),
      above = sorted.slice(k);
    // A refused answerable question costs three times an answered unanswerable one: the answer is
    // lost, while a wrongly answered question still shows quotes a reader can judge.
    const correct =
      below.filter((x) => x.neg).length + above.filter((x) => !x.neg).length - 2 * below.filter((x) => !x.neg).length;
    const lo = below.length ? below[below.length - 1]!.c : sorted[0]!.c - 0.1;
    const hi = above.length ? above[0]!.c : sorted[sorted.length - 1]!.c + 0.1;
    if (correct > bestSplit.correct || (correct === bestSplit.correct && hi - lo > bestSplit.gap))
      bestSplit = { correct, gap: hi - lo, threshold: (lo + hi) / 2 };
  }
  const hit1 = hits1 / answerable;
  const split = bestSplit.correct / conf.length;
  const meanChars = Math.max(...setChars);
  // Quotes must stay short (target: ≤ 600 characters for the top three); aim well under it.
  const objective = hit1 + (hits3 / answerable) * 0.5 + split - Math.max(0, meanChars - 420) / 300;
  const r3 = (x: number) => Math.round(x * 1000) / 1000;
  return {
    objective,
    policy: { ...policy, threshold: r3(bestSplit.threshold) },
    summary: `Measured: hit@1 ${r3(hit1)}, hit@3 ${r3(hits3 / answerable)}, negatives refused ${conf.filter((x) => x.neg && x.c < bestSplit.threshold).length}/${conf.filter((x) => x.neg).length}, answerable refused ${conf.filter((x) => !x.neg && x.c < bestSplit.threshold).length}, mean quoted chars (worst collection) ${Math.round(meanChars)}.`,
  };
}
