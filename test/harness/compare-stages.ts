/**
 * tsx test/harness/compare-stages.ts [--ref COMMIT] [--json]
 *
 * The sentence splitter, the cleaner and the chunker of COMMIT (default: the tree before the
 * linear-time work) against the working tree's, on every file of seeds/ and test/fixtures/: each
 * file cleaned as a text and as a PDF (with a span to skip), chunked, and split into sentences by
 * cleaned paragraph, by block of lines and whole. Prints the number of differences; a difference
 * where the old splitter made a sentence over MAX_SENTENCE_CHARS is counted apart (those are cut
 * now, by design). Exit 1 on any other difference.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseCli } from '../../src/cli/args.js';
import { ROOT } from './bot-process.js';

type Span = { start: number; end: number };
interface Stages {
  splitSentences(text: string, span: Span): Span[];
  cleanDocument(doc: object): { paragraphs: Span[]; title: string; titleSpan: Span | null };
  chunkDocument(clean: object, first: number): unknown[];
}

async function stages(src: string): Promise<Stages> {
  const at = (p: string) => pathToFileURL(join(src, p)).href;
  const [s, c, k] = await Promise.all([
    import(at('ingest/sentences.ts')),
    import(at('ingest/clean/clean.ts')),
    import(at('ingest/chunk.ts')),
  ]);
  return { splitSentences: s.splitSentences, cleanDocument: c.cleanDocument, chunkDocument: k.chunkDocument };
}

function files(dir: string, out: string[] = []): string[] {
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) files(p, out);
    else out.push(p);
  }
  return out;
}

async function main(): Promise<void> {
  const { values } = parseCli({
    options: { ref: { type: 'string', default: 'f07e601' }, json: { type: 'boolean', default: false } },
  });
  const old = mkdtempSync(join(tmpdir(), 'quotebot-compare-'));
  try {
    execFileSync('sh', ['-c', `git archive ${JSON.stringify(values.ref)} src | tar -x -C ${JSON.stringify(old)}`], {
      cwd: ROOT,
    });
    symlinkSync(join(ROOT, 'node_modules'), join(old, 'node_modules'));
    const [before, after] = [await stages(join(old, 'src')), await stages(join(ROOT, 'src'))];
    const all = [...files(join(ROOT, 'seeds')), ...files(join(ROOT, 'test', 'fixtures'))];
    const r = {
      ref: values.ref,
      files: all.length,
      cleanRuns: 0,
      cleanDiffs: 0,
      chunkDiffs: 0,
      spans: 0,
      sentenceDiffs: 0,
      cappedDiffs: 0,
      diffs: [] as string[],
    };
    for (const f of all) {
      const text = readFileSync(f, 'utf8');
      const name = f.slice(ROOT.length + 1);
      for (const pdf of [false, true]) {
        const doc = {
          id: name,
          text,
          hash: '',
          meta: {},
          ...(pdf && { format: 'pdf', skip: [{ start: 0, end: 10 }] }),
        };
        const [a, b] = [before.cleanDocument(doc), after.cleanDocument(doc)];
        r.cleanRuns++;
        const strip = (c: object) => JSON.stringify({ ...c, doc: undefined });
        if (strip(a) !== strip(b)) {
          r.cleanDiffs++;
          r.diffs.push(`clean ${name}${pdf ? ' (as a PDF)' : ''}`);
        }
        if (JSON.stringify(before.chunkDocument(a, 0)) !== JSON.stringify(after.chunkDocument(a, 0))) {
          r.chunkDiffs++;
          r.diffs.push(`chunks ${name}${pdf ? ' (as a PDF)' : ''}`);
        }
      }
      const blocks: Span[] = [];
      for (const m of text.matchAll(/[^\n]+(?:\n(?!\s*\n)[^\n]*)*/g))
        blocks.push({ start: m.index, end: m.index + m[0].length });
      const paragraphs = before.cleanDocument({ id: name, text, hash: '', meta: {} }).paragraphs;
      for (const span of [...paragraphs, ...blocks, { start: 0, end: text.length }]) {
        r.spans++;
        const [a, b] = [before.splitSentences(text, span), after.splitSentences(text, span)];
        if (JSON.stringify(a) === JSON.stringify(b)) continue;
        if (a.some((s) => s.end - s.start > 3000)) r.cappedDiffs++;
        else {
          r.sentenceDiffs++;
          r.diffs.push(`sentences ${name} ${span.start}-${span.end}`);
        }
      }
    }
    process.stdout.write(values.json ? `${JSON.stringify(r)}\n` : `${JSON.stringify(r, null, 2)}\n`);
    process.exit(r.cleanDiffs + r.chunkDiffs + r.sentenceDiffs ? 1 : 0);
  } finally {
    rmSync(old, { recursive: true, force: true });
  }
}

void main();
