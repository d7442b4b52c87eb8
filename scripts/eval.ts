/**
 * npm run eval -- [--set FILE] [--index DIR | --index-url URL] [--corpus DIR] [--json]
 * Scores answers against a labelled question set.
 */
import { parseCli, runMain } from '../src/cli.js';
import { readEvalSet, runEval } from '../src/eval.js';
import { openEngineFromCli } from '../src/open-from-cli.js';

runMain(async () => {
  const { values } = parseCli({
    options: {
      set: { type: 'string', default: 'eval/seeds.jsonl' },
      index: { type: 'string' },
      'index-url': { type: 'string' },
      corpus: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const items = await readEvalSet(values.set);
  const engine = await openEngineFromCli(values);
  const report = await runEval(engine, items).finally(() => engine.close?.());
  if (values.json) {
    process.stdout.write(`${JSON.stringify(report)}\n`);
    return;
  }
  const { failures, ...figures } = report;
  for (const [k, v] of Object.entries(figures)) process.stdout.write(`${k.padEnd(24)} ${v}\n`);
  if (failures.length) process.stdout.write(`\nFailures:\n${failures.map((f) => `  - ${f.q}\n      ${f.why}`).join('\n')}\n`);
});
