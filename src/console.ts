/**
 * The local console: the bot's commands on stdin/stdout, for servers without a token and for
 * trying the collection out. It prints the same content the bot would post (same renderers,
 * plain markup instead of Discord markdown) and returns at the end of input.
 *
 *   /ask <question>                 /ask question:<question> [private:true]
 *   /sources                        /sources query:<words>     /sources doc:<file or title>
 *   help
 */
import { createInterface } from 'node:readline';
import { cleanQuestion, composeAnswer, composeSources } from './discord/compose.js';
import { plainMarkup } from './discord/markdown.js';
import { renderNotice, toPlainText, type Rendered } from './discord/render.js';
import type { Engine } from './types.js';

export const HELP = [
  'Commands:',
  '  /ask <question>              answer with verbatim, cited quotes (3–300 characters)',
  '  /sources                     list the documents',
  '  /sources query:<words>       the 5 passages that best match the words (a lookup, no answer)',
  '  /sources doc:<file or title> one document’s card',
  '  help                         this text',
  'End input (Ctrl-D) to quit.',
].join('\n');

export interface ConsoleOptions {
  engine: Engine;
  input: NodeJS.ReadableStream;
  /** Receives each reply (no trailing newline). */
  output: (text: string) => void;
  /** Shown before each line when interactive. */
  prompt?: string;
  /** Failures are reported here (default: into the output). */
  onError?: (line: string, err: unknown) => void;
}

/** Options written `name:value`; a value runs until the next ` name:` of a known option. */
export function parseOptions(rest: string, names: readonly string[]): { options: Record<string, string>; free: string } {
  const options: Record<string, string> = {};
  const re = new RegExp(`(?:^|\\s)(${names.join('|')}):`, 'g');
  const marks = [...rest.matchAll(re)].map((m) => ({ name: m[1]!, at: m.index!, valueAt: m.index! + m[0].length }));
  const free = (marks.length ? rest.slice(0, marks[0]!.at) : rest).trim();
  marks.forEach((mk, i) => {
    options[mk.name] = rest.slice(mk.valueAt, i + 1 < marks.length ? marks[i + 1]!.at : rest.length).trim();
  });
  return { options, free };
}

const truthy = (v: string | undefined) => v !== undefined && /^(true|yes|1|on)$/i.test(v.trim());

/** One console line → the message the bot would post (undefined for a blank line). */
export async function consoleReply(engine: Engine, line: string): Promise<Rendered | undefined> {
  const text = line.trim();
  if (!text) return undefined;
  if (/^\/?help$/i.test(text)) return renderNotice(HELP, false);
  const m = /^\/?(ask|sources)(?:\s+([\s\S]*))?$/i.exec(text);
  if (!m) return renderNotice(`Unknown command: ${text.slice(0, 60)}. Type help for the commands.`);
  const command = m[1]!.toLowerCase();
  const rest = m[2] ?? '';
  if (command === 'ask') {
    const { options, free } = parseOptions(rest, ['question', 'private']);
    const cleaned = cleanQuestion(options.question ?? free);
    if (!cleaned.ok) return renderNotice(cleaned.message);
    const answer = await engine.ask(cleaned.question);
    return composeAnswer(engine, answer, { private: truthy(options.private), markup: plainMarkup }).rendered;
  }
  const { options, free } = parseOptions(rest, ['query', 'doc']);
  return composeSources(engine, { query: options.query ?? (free || undefined), doc: options.doc }, plainMarkup);
}

export async function runConsole(opts: ConsoleOptions): Promise<void> {
  const rl = createInterface({ input: opts.input, terminal: false, crlfDelay: Infinity });
  const interactive = opts.prompt !== undefined;
  if (interactive) opts.output(`Local console (no DISCORD_TOKEN set). ${HELP}\n`);
  const showPrompt = () => interactive && process.stdout.write(opts.prompt!);
  showPrompt();
  for await (const line of rl) {
    try {
      const r = await consoleReply(opts.engine, line);
      if (r) opts.output(toPlainText(r) + '\n');
    } catch (err) {
      if (opts.onError) opts.onError(line, err);
      else opts.output('Sorry, something went wrong while handling that line.\n');
    }
    showPrompt();
  }
}
