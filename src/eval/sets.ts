import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { readEvalSet, runEval, type EvalReport } from './eval.js';
import { openEngine } from '../engine/open.js';

/**
 * The eval sets' manifest (eval/sets.json): which collection each labelled set asks about,
 * whether it is held out (never tuned on) or used by calibration, and the quality floors the
 * tests and `npm run eval -- --all` hold it to.
 */
export const MANIFEST_PATH = 'eval/sets.json';

export const FloorsSchema = z.strictObject({
  hit1: z.number().min(0).max(1),
  hit3: z.number().min(0).max(1),
  /** Share of unanswerable questions refused. */
  negatives: z.number().min(0).max(1),
  /** Most mean quoted characters of the top three quotes. */
  chars: z.number().int().positive(),
  /** Answerable questions refused, known and explained in the set's note (0 unless said). */
  refused: z.number().int().nonnegative().default(0),
});
export type Floors = z.infer<typeof FloorsSchema>;

export const EvalSetEntrySchema = z
  .strictObject({
    name: z.string().regex(/^[\w.-]+$/),
    file: z.string().endsWith('.jsonl'),
    collection: z.string().min(1),
    heldOut: z.boolean(),
    calibration: z.boolean(),
    floors: FloorsSchema,
    note: z.string().optional(),
  })
  .refine((s) => !(s.heldOut && s.calibration), { message: 'a held-out set is never used by calibration' });
export type EvalSetEntry = z.infer<typeof EvalSetEntrySchema>;

export const EvalManifestSchema = z
  .strictObject({ sets: z.array(EvalSetEntrySchema).min(1) })
  .refine(
    (m) =>
      new Set(m.sets.map((s) => s.name)).size === m.sets.length &&
      new Set(m.sets.map((s) => s.file)).size === m.sets.length,
    { message: 'set names and files are unique' },
  );

export async function readEvalManifest(path = MANIFEST_PATH): Promise<EvalSetEntry[]> {
  const parsed = EvalManifestSchema.safeParse(JSON.parse(await readFile(path, 'utf8')));
  if (!parsed.success)
    throw new Error(`${path}: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`);
  return parsed.data.sets;
}

/** How a set is named in reports: held-out sets say so. */
export const displayName = (s: EvalSetEntry) => (s.heldOut ? `${s.name} (held out)` : s.name);

/** A stable index folder per collection under the temp dir, so reruns reuse the built index. */
export const collectionIndexDir = (collection: string, root = tmpdir()) =>
  join(root, `quotebot-eval-${collection.replace(/\W+/g, '_')}`);

/** The floors a report misses, each as a short line ("hit@1 0.5 < 0.6"); empty when all hold. */
export function missedFloors(report: EvalReport, floors: Floors): string[] {
  const missed: string[] = [];
  if (report.hit_at_1 < floors.hit1) missed.push(`hit@1 ${report.hit_at_1} < ${floors.hit1}`);
  if (report.hit_at_3 < floors.hit3) missed.push(`hit@3 ${report.hit_at_3} < ${floors.hit3}`);
  if (report.negatives && report.negatives_refused < floors.negatives)
    missed.push(`negatives refused ${report.negatives_refused} < ${floors.negatives}`);
  if (report.false_refusals > floors.refused)
    missed.push(`answerable refused ${report.false_refusals} > ${floors.refused}`);
  if (report.mean_quoted_chars_top3 > floors.chars)
    missed.push(`mean quoted chars ${report.mean_quoted_chars_top3} > ${floors.chars}`);
  return missed;
}

/** One line of `eval --all --json`: other tools may read it. */
export const EvalSetResultSchema = z.object({
  set: z.string(),
  file: z.string(),
  collection: z.string(),
  held_out: z.boolean(),
  questions: z.number().int(),
  answerable: z.number().int(),
  negatives: z.number().int(),
  hit_at_1: z.number(),
  hit_at_3: z.number(),
  mrr: z.number(),
  negatives_refused: z.number(),
  false_refusals: z.number().int(),
  mean_quoted_chars_top3: z.number(),
  floors: FloorsSchema,
  floors_missed: z.array(z.string()),
});
export type EvalSetResult = z.infer<typeof EvalSetResultSchema>;
export const EvalAllJsonSchema = z.object({ ok: z.boolean(), sets: z.array(EvalSetResultSchema) });
export type EvalAllJson = z.infer<typeof EvalAllJsonSchema>;

/**
 * Scores every given set, one engine per collection (opened once, its index in
 * `indexRoot`), in the manifest's order.
 */
export async function runEvalSets(
  sets: EvalSetEntry[],
  opts: { indexRoot?: string; notice?: (line: string) => void } = {},
): Promise<EvalAllJson> {
  const results: EvalSetResult[] = [];
  for (const collection of [...new Set(sets.map((s) => s.collection))]) {
    const engine = await openEngine({
      corpusDir: collection,
      indexDir: collectionIndexDir(collection, opts.indexRoot),
      embedder: 'use-lite',
      notice: opts.notice,
    });
    try {
      for (const s of sets.filter((x) => x.collection === collection)) {
        const report = await runEval(engine, await readEvalSet(s.file));
        const { failures: _failures, ...figures } = report;
        results.push({
          set: displayName(s),
          file: s.file,
          collection,
          held_out: s.heldOut,
          ...figures,
          floors: s.floors,
          floors_missed: missedFloors(report, s.floors),
        });
      }
    } finally {
      await engine.close?.();
    }
  }
  const order = new Map(sets.map((s, i) => [s.file, i]));
  results.sort((a, b) => order.get(a.file)! - order.get(b.file)!);
  return { ok: results.every((r) => r.floors_missed.length === 0), sets: results };
}

/** The `eval --all` table: one row per set, ✓ when every floor holds, else ✗ and what missed. */
export function formatEvalTable(all: EvalAllJson): string {
  const head = [
    'set',
    'collection',
    'questions',
    'hit@1',
    'hit@3',
    'negatives refused',
    'answerable refused',
    'mean quoted chars',
    'floors',
  ];
  const rows = all.sets.map((r) => [
    r.set,
    r.collection,
    String(r.questions),
    r.hit_at_1.toFixed(3),
    r.hit_at_3.toFixed(3),
    r.negatives ? r.negatives_refused.toFixed(3) : '–',
    String(r.false_refusals),
    String(r.mean_quoted_chars_top3),
    r.floors_missed.length ? `✗ ${r.floors_missed.join('; ')}` : '✓',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const failed = all.sets.filter((r) => r.floors_missed.length).length;
  return (
    [
      line(head),
      ...rows.map(line),
      '',
      failed ? `${failed} of ${all.sets.length} sets miss a floor.` : `All ${all.sets.length} sets hold their floors.`,
    ].join('\n') + '\n'
  );
}
