/**
 * npm run eval -- [--set FILE] [--index DIR | --index-url URL] [--corpus DIR] [--json]
 * npm run eval -- --all [--json]
 * Scores answers against a labelled question set. A set listed in eval/sets.json, given without
 * --corpus/--index/--index-url, is asked of its own collection. --all scores every set of the
 * manifest against its floors and exits 1 when any floor is missed.
 */
import { existsSync } from 'node:fs';
import { UsageError, parseCli, runMain } from '../src/cli/args.js';
import { readEvalSet, runEval } from '../src/eval/eval.js';
import { MANIFEST_PATH, collectionIndexDir, formatEvalTable, readEvalManifest, runEvalSets } from '../src/eval/sets.js';
import { openEngineFromCli } from '../src/cli/open.js';

runMain(async () => {
  const { values } = parseCli({
    options: {
      set: { type: 'string' },
      all: { type: 'boolean', default: false },
      index: { type: 'string' },
      'index-url': { type: 'string' },
      corpus: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  // Read only where it is used: `--set FILE` works from any folder, with or without a manifest.
  const manifest = existsSync(MANIFEST_PATH) ? await readEvalManifest() : [];
  if (values.all) {
    if (!manifest.length) throw new UsageError(`--all needs ${MANIFEST_PATH}: run it from the repository's folder.`);
    const given = (['set', 'corpus', 'index', 'index-url'] as const).find((k) => values[k] !== undefined);
    if (given) throw new UsageError(`--all runs every set of eval/sets.json on its own collection: drop --${given}.`);
    const all = await runEvalSets(manifest, { notice: (line) => process.stderr.write(`${line}\n`) });
    process.stdout.write(values.json ? `${JSON.stringify(all)}\n` : formatEvalTable(all));
    if (!all.ok) process.exitCode = 1;
    return;
  }
  const set = values.set ?? 'eval/seeds.jsonl';
  if (!existsSync(set))
    throw new UsageError(
      `No eval set at ${set}: give a .jsonl file (eval/*.jsonl), or --all for every set of eval/sets.json.`,
    );
  const items = await readEvalSet(set);
  // A set of the manifest named with no collection or index is asked of its own collection (its index in the temp dir).
  const known = manifest.find((s) => s.file === set.replace(/^\.\//, ''));
  const own =
    known &&
    values.set !== undefined &&
    values.corpus === undefined &&
    values.index === undefined &&
    values['index-url'] === undefined;
  const engine = await openEngineFromCli(
    own ? { ...values, corpus: known.collection, index: collectionIndexDir(known.collection) } : values,
  );
  const report = await runEval(engine, items).finally(() => engine.close?.());
  if (values.json) {
    process.stdout.write(`${JSON.stringify(report)}\n`);
    return;
  }
  const { failures, ...figures } = report;
  for (const [k, v] of Object.entries(figures)) process.stdout.write(`${k.padEnd(24)} ${v}\n`);
  if (failures.length)
    process.stdout.write(`\nFailures:\n${failures.map((f) => `  - ${f.q}\n      ${f.why}`).join('\n')}\n`);
});
