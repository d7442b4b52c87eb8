/**
 * npm run ask -- [--json] [--stdin] [--index DIR | --index-url URL] [--corpus DIR] "question"
 * npm run -s ask -- --show DOC [--json]
 * Answers from the collection with verbatim, cited quotes; --show prints the stored text of a
 * document (extracted, for pages and PDFs), the text every quote's start and end point into.
 */
import { createInterface } from 'node:readline';
import {
  AnswerJsonSchema,
  checkEmbedderFlag,
  citeLocation,
  DocTextJsonSchema,
  parseCli,
  runMain,
  UsageError,
} from '../src/cli/args.js';
import { hasWords, normalizeQuestion } from '../src/text/question.js';
import { openEngineFromCli } from '../src/cli/open.js';
import type { Answer } from '../src/core/types.js';

const USAGE =
  'Usage: npm run ask -- [--json] [--stdin] [--index DIR | --index-url URL] [--corpus DIR] "your question" | --show DOC [--json]';

runMain(async () => {
  const { values, positionals } = parseCli({
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      stdin: { type: 'boolean', default: false },
      index: { type: 'string' },
      'index-url': { type: 'string' },
      corpus: { type: 'string' },
      embedder: { type: 'string' },
      show: { type: 'string' },
    },
  });
  checkEmbedderFlag(values.embedder);
  if (values.show !== undefined) {
    if (positionals.length || values.stdin) throw new UsageError('Give --show a document name and no question.');
    const engine = await openEngineFromCli(values);
    try {
      const doc = engine.documentText(values.show);
      if (!doc)
        throw new UsageError(`No document ${values.show} in the index: see the list with /sources, or npm start.`);
      const pages = doc.pages?.map((p, i) => ({ page: i + 1, ...p }));
      // Without --json, the text itself and nothing else: offsets count from its first character.
      process.stdout.write(
        values.json
          ? `${JSON.stringify(DocTextJsonSchema.parse({ doc: doc.doc, text: doc.text, pages }))}\n`
          : doc.text,
      );
    } finally {
      await engine.close?.();
    }
    return;
  }
  const question = positionals.join(' ');
  if (values.stdin && question) throw new UsageError('Give questions either as an argument or with --stdin, not both.');
  if (!values.stdin && !hasWords(normalizeQuestion(question))) throw new UsageError(`Please ask a question. ${USAGE}`);

  const engine = await openEngineFromCli(values);
  const print = (a: Answer) => process.stdout.write(values.json ? `${toJson(a)}\n` : `${toText(a)}\n`);
  try {
    if (!values.stdin) {
      print(await engine.ask(question));
      return;
    }
    const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
    for await (const line of lines) {
      if (!line.trim()) continue;
      print(await engine.ask(line));
    }
  } finally {
    await engine.close?.();
  }
});

function toJson(a: Answer): string {
  const { question, answered, answer, citations, timings_ms } = a;
  return JSON.stringify(AnswerJsonSchema.parse({ question, answered, answer, citations, timings_ms }));
}

function toText(a: Answer): string {
  if (!a.answered) {
    const near = a.closest.map((d) => `  - ${d.title} (${d.doc})`).join('\n');
    return `Not found in the sources.${near ? `\nClosest documents:\n${near}` : ''}`;
  }
  const quotes = a.citations.map((c) => `“${c.quote.replace(/\s+/g, ' ')}” [${c.n}]`).join('\n\n');
  const sources = a.citations.map((c) => `[${c.n}] ${c.title} — ${citeLocation(c)}`).join('\n');
  return `${quotes}\n\nSources:\n${sources}`;
}
