/**
 * npm run feedback -- [--file FILE | --index-url URL] [--json]   summary: answers, votes, worst-rated questions
 * Reads the store the bot writes: the database INDEX_URL names, else FEEDBACK_FILE.
 * npm run feedback -- --export OUT [--corpus DIR]        the 👍 answers as an eval set (JSONL)
 * The exported set runs with `npm run eval -- --set OUT` and can join `calibrate`'s labelled sets.
 * npm run feedback -- --insights [--guild ID|base] [--days 7|30] [--csv FILE] [--json]
 *   what /insights shows a server's moderators (default: the base, the console's questions)
 */
import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import { parseCli, runMain, UsageError } from '../src/cli/args.js';
import { loadConfig } from '../src/core/config.js';
import { openFeedbackStore } from '../src/feedback/open.js';
import { exportEvalSet, summarize } from '../src/eval/feedback-summary.js';
import { loadCollection } from '../src/ingest/load.js';
import { indexUrlOf } from '../src/cli/open.js';
import { insightsReport } from '../src/cli/insights-report.js';
import { readQuestionLog } from '../src/feedback/questions-open.js';

runMain(async () => {
  const { values } = parseCli({
    options: {
      file: { type: 'string' },
      'index-url': { type: 'string' },
      export: { type: 'string' },
      corpus: { type: 'string' },
      json: { type: 'boolean', default: false },
      insights: { type: 'boolean', default: false },
      guild: { type: 'string' },
      days: { type: 'string' },
      csv: { type: 'string' },
    },
  });
  const config = loadConfig();
  if (values.file !== undefined && values['index-url'] !== undefined)
    throw new UsageError('Give either --file FILE or --index-url URL, not both.');
  const where = {
    FEEDBACK_FILE: values.file ?? config.FEEDBACK_FILE,
    // An explicit --file means that file, even when INDEX_URL is set.
    INDEX_URL:
      values.file === undefined ? indexUrlOf({ 'index-url': values['index-url'] }, config.INDEX_URL) : undefined,
  };
  const store = openFeedbackStore(where);
  if (values.insights) {
    // ops (issue 24): the question log beside the votes, one server's rows.
    const questions = readQuestionLog(where);
    try {
      await insightsReport({ ...values, questions, feedback: store, write: (t) => process.stdout.write(t) });
    } finally {
      await Promise.all([store.close(), questions.close()]);
    }
    return;
  }
  const log = await store.read();
  await store.close();

  if (values.export) {
    // The cited spans are read again from the collection as it is now.
    const docs = new Map((await loadCollection(values.corpus ?? config.CORPUS_DIR)).map((d) => [d.id, d.text]));
    const { items, stale } = exportEvalSet(log, (doc) => docs.get(doc));
    // Written whole or not at all.
    const tmp = `${values.export}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
    try {
      await writeFile(tmp, items.map((it) => JSON.stringify(it)).join('\n') + (items.length ? '\n' : ''));
      await rename(tmp, values.export);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    process.stdout.write(
      `Wrote ${items.length} question${items.length === 1 ? '' : 's'} to ${values.export}` +
        (stale ? ` (${stale} 👍 answer${stale === 1 ? '' : 's'} left out: their documents changed)` : '') +
        `. Score them with: npm run eval -- --set ${values.export}\n`,
    );
    return;
  }

  const s = summarize(log);
  if (values.json) {
    process.stdout.write(`${JSON.stringify(s)}\n`);
    return;
  }
  const lines = [
    `Feedback in ${store.where}`,
    `answers recorded   ${s.answers}`,
    `answers voted on   ${s.votedAnswers}`,
    `votes              ${s.up + s.down} (👍 ${s.up}, 👎 ${s.down})`,
  ];
  if (s.skippedLines) lines.push(`unreadable lines   ${s.skippedLines} (skipped)`);
  lines.push('', s.worst.length ? 'Worst-rated questions:' : 'No question has more 👎 than 👍.');
  for (const q of s.worst) lines.push(`  👍 ${q.up}  👎 ${q.down}  ${q.question}`);
  process.stdout.write(`${lines.join('\n')}\n`);
});
