import { readFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { z } from 'zod';
import { ConfigError } from '../core/config.js';
import { CorpusError } from '../ingest/load.js';
import { IndexError } from '../index/types.js';

/** A mistake in how a command was called: one line, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * node:util parseArgs, with its errors turned into one friendly line. `--help` (or `-h`) prints
 * the script's usage and exits: its header comment, so the usage is written once, beside the code.
 */
export function parseCli<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  const args = config.args ?? process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(usage(process.argv[1] ?? '', config));
    process.exit(0);
  }
  try {
    return parseArgs(config);
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

/** The usage of a script: its leading doc comment, then every option with its default. */
export function usage(script: string, config: ParseArgsConfig): string {
  let header = '';
  try {
    header = /^\s*\/\*\*([\s\S]*?)\*\//.exec(readFileSync(script, 'utf8'))?.[1] ?? '';
  } catch {
    // A script that cannot be read has no header to show; the options still can be.
  }
  const lines = header
    .split('\n')
    .map((l) => l.replace(/^\s*\* ?/, '').trimEnd())
    .join('\n')
    .trim();
  const options = Object.entries(config.options ?? {}).map(([name, o]) => {
    const flag = `--${name}${o.type === 'string' ? ' VALUE' : ''}${o.multiple ? ' …' : ''}`;
    const dflt = o.default !== undefined && o.default !== false ? `  (default ${String(o.default)})` : '';
    return `  ${flag}${dflt}`;
  });
  return `${lines ? `${lines}\n\n` : ''}Options:\n${[...options, '  --help  this text'].join('\n')}\n`;
}

/** An `--embedder` flag must name an embedder: a typo is a usage error, not a crash. */
export function checkEmbedderFlag(value: string | undefined): void {
  if (value !== undefined && !/^(auto|use-lite|transformers(:.+)?)$/.test(value.trim())) {
    throw new UsageError(`Unknown embedder "${value}": use auto, use-lite or transformers:<model>.`);
  }
}

/**
 * Runs a script's main function: known errors become one line on stderr and exit code 2,
 * anything else one line and exit code 1 — never a stack trace for the user.
 */
export function runMain(main: () => Promise<void>): void {
  // A reader that stops early (`| head`) is not an error.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  });
  main().then(
    () => {
      process.exitCode ??= 0;
    },
    (err: unknown) => {
      const known =
        err instanceof UsageError ||
        err instanceof IndexError ||
        err instanceof CorpusError ||
        err instanceof ConfigError;
      const message = err instanceof Error ? err.message : String(err);
      process.stderr.write(`${known ? '' : 'Error: '}${message.split('\n')[0]}\n`);
      if (process.env.DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
      process.exitCode = known ? 2 : 1;
    },
  );
}

/** The JSON answer the `ask` CLI prints: other tools depend on this shape exactly. */
export const AnswerJsonSchema = z.object({
  question: z.string(),
  answered: z.boolean(),
  answer: z.string(),
  citations: z.array(
    z.object({
      n: z.number().int().positive(),
      doc: z.string(),
      title: z.string(),
      quote: z.string(),
      start: z.number().int().nonnegative(),
      end: z.number().int().nonnegative(),
      score: z.number(),
      /** The page the quote starts on, for documents with pages (PDFs). */
      page: z.number().int().positive().optional(),
      /** The document's web address, when it has one. */
      url: z.string().optional(),
    }),
  ),
  timings_ms: z.object({ total: z.number() }),
});
export type AnswerJson = z.infer<typeof AnswerJsonSchema>;

/** `ask --show DOC --json`: the stored text quotes are sliced from, with a PDF's page spans. */
export const DocTextJsonSchema = z.object({
  doc: z.string(),
  text: z.string(),
  pages: z
    .array(
      z.object({
        page: z.number().int().positive(),
        start: z.number().int().nonnegative(),
        end: z.number().int().nonnegative(),
      }),
    )
    .optional(),
});

/** Where a citation points: the file, and the page when the document has pages. */
export const citeLocation = (c: { doc: string; page?: number }) => (c.page ? `${c.doc}, p. ${c.page}` : c.doc);

/** A progress bar on a terminal, nothing otherwise (pipes and CI stay clean). */
export async function progressBar(
  label: string,
  opts: { quiet?: boolean; unit?: string } = {},
): Promise<{ update: (done: number, total: number) => void; stop: () => void }> {
  const unit = opts.unit ?? 'sentences';
  if (opts.quiet || !process.stderr.isTTY) return { update: () => {}, stop: () => {} };
  const { default: cliProgress } = await import('cli-progress');
  // cli-progress computes the ETA; the rate is ours, since the start of this bar.
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} [{bar}] {value}/{total} ${unit}, {rate} ${unit}/s, ETA {eta_formatted}`,
      stream: process.stderr,
      clearOnComplete: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  let t0 = 0;
  return {
    update(done, total) {
      if (!t0) {
        t0 = performance.now();
        bar.start(total, 0, { rate: '…' });
      }
      const s = (performance.now() - t0) / 1000;
      bar.setTotal(total);
      bar.update(done, { rate: s > 0.5 ? Math.round(done / s) : '…' });
    },
    stop: () => t0 && bar.stop(),
  };
}
