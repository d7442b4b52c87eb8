/**
 * The local console: the bot's commands on stdin/stdout, for servers without a token and for
 * trying the collection out. It prints the same content the bot would post (same renderers,
 * plain markup instead of Discord markdown) and returns at the end of input.
 *
 *   /ask <question>                 /ask question:<question> [private:true]
 *   /sources                        /sources query:<words>     /sources doc:<file or title>
 *   /sources add <path> [title:…] [url:…] [--replace]           /sources remove <file or title>
 *   /sources add <https-url>        /sources feeds             /sources remove <followed url>
 *   /feedback up|down               (on the last answer)
 *   /insights [7|30]                the console's questions: answered, refused, unanswered, 👎, cited
 *   /ask-about <text>               /followup <question>       (see conversation.ts)
 *   help
 */
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { createInterface } from 'node:readline';
import { CollectionEditError, checkSize } from '../live/collection.js';
import { consoleAddUrl, consoleFeeds, consoleUnfollow } from './console-web.js';
import { isWebAddress } from '../core/url.js';
import { addSource, removeSource } from '../message/edit.js';
import type { Logger } from '../core/log.js';
import { newAnswerId, type FeedbackStore } from '../feedback/store.js';
import { cleanQuestion, composeAnswer, composeSources } from '../message/compose.js';
import { plainMarkup } from '../message/markdown.js';
import type { Engine } from '../core/types.js';
import { type Rendered, type ShownCitation, renderNotice, toPlainText } from '../message/rendered.js';
import { answerRecord } from '../message/record.js';
import type { QuestionLog } from '../feedback/questions.js';
import { consoleInsights, noteConsoleQuestion } from './console-insights.js';
import { consoleConversation } from './conversation.js';
import { type LiveCollection } from '../live/live-collection.js';

export const HELP = [
  'Commands:',
  '  /ask <question>              answer with verbatim, cited quotes (3–300 characters)',
  '  /sources                     list the documents',
  '  /sources query:<words>       the 5 passages that best match the words (a lookup, no answer)',
  '  /sources doc:<file or title> one document’s card',
  '  /sources add <path> [title:<title>] [url:<url>] [--replace]   add a file to the collection',
  '                               (--replace, or replace:true, replaces the document of the same name)',
  '  /sources remove <file or title>                   remove a document from the collection',
  '  /sources add <https://…>     add a web page, or follow a feed or sitemap (kept in sync)',
  '  /sources feeds               the feeds and sitemaps followed, with their last sync',
  '  /sources remove <https://…>  stop following a feed or sitemap (its pages are removed)',
  '  /feedback up|down            vote on the last answer',
  '  /insights [7|30]             what was asked here in the last 7 (or 30) days, and what went unanswered',
  '  /ask-about <text>            answer what a pasted message asks (its question sentence)',
  '  /followup <question>         follow up the last answer ("what did he say about …")',
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
  /** Votes (`/feedback`); without it the command says feedback is off. */
  feedback?: FeedbackStore;
  /** Collection edits (`/sources add|remove`); without it they are turned down. */
  collection?: LiveCollection;
  /** Where collection edits are logged (as the bot logs them), by `console`. */
  log?: Logger;
  /** The question log (questions recorded as the base's; `/insights`); absent: not recorded. */
  questions?: QuestionLog;
}

/** What the console remembers between lines. */
export interface ConsoleSession {
  feedback?: FeedbackStore;
  collection?: LiveCollection;
  log?: Logger;
  questions?: QuestionLog;
  /** The last answer shown with citations, for `/feedback`. */
  last?: { question: string; shown: ShownCitation[]; id?: string };
}

/** The console votes as one member. */
const CONSOLE_MEMBER = 'console';

/** Options written `name:value`; a value runs until the next ` name:` of a known option. */
export function parseOptions(
  rest: string,
  names: readonly string[],
): { options: Record<string, string>; free: string } {
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
export async function consoleReply(
  engine: Engine,
  line: string,
  session: ConsoleSession = {},
): Promise<Rendered | undefined> {
  const text = line.trim();
  if (!text) return undefined;
  if (/^\/?help$/i.test(text)) return renderNotice(HELP, false);
  if (/^\/?sources\s+feeds$/i.test(text)) return consoleFeeds(session.collection);
  const edit = /^\/?sources\s+(add|remove)(?:\s+([\s\S]*))?$/i.exec(text);
  if (edit) return consoleEdit(engine, session, edit[1]!.toLowerCase() as 'add' | 'remove', (edit[2] ?? '').trim());
  const conv = /^\/?(ask-about|followup)(?:\s+([\s\S]*))?$/i.exec(text);
  if (conv)
    return consoleConversation(engine, session, conv[1]!.toLowerCase() as 'ask-about' | 'followup', conv[2] ?? '');
  const fb = /^\/?feedback(?:\s+([\s\S]*))?$/i.exec(text);
  if (fb) return consoleVote(session, (fb[1] ?? '').trim().toLowerCase());
  const ins = /^\/?insights(?:\s+([\s\S]*))?$/i.exec(text);
  if (ins) return consoleInsights(session, (ins[1] ?? '').trim().toLowerCase());
  const m = /^\/?(ask|sources)(?:\s+([\s\S]*))?$/i.exec(text);
  if (!m) return renderNotice(`Unknown command: ${text.slice(0, 60)}. Type help for the commands.`);
  const command = m[1]!.toLowerCase();
  const rest = m[2] ?? '';
  if (command === 'ask') {
    const { options, free } = parseOptions(rest, ['question', 'private']);
    const cleaned = cleanQuestion(options.question ?? free);
    if (!cleaned.ok) return renderNotice(cleaned.message);
    const answer = await engine.ask(cleaned.question);
    const { rendered, shown } = composeAnswer(engine, answer, {
      private: truthy(options.private),
      markup: plainMarkup,
    });
    session.last = shown.length ? { question: cleaned.question, shown } : undefined;
    await noteConsoleQuestion(
      session.questions,
      cleaned.question,
      answer,
      shown.map((c) => c.doc),
    );
    return rendered;
  }
  const { options, free: rawFree } = parseOptions(rest, ['query', 'doc']);
  const free = rawFree.replace(/^browse\b\s*/i, '');
  return composeSources(engine, { query: options.query ?? (free || undefined), doc: options.doc }, plainMarkup);
}

export async function runConsole(opts: ConsoleOptions): Promise<void> {
  const rl = createInterface({ input: opts.input, terminal: false, crlfDelay: Infinity });
  const interactive = opts.prompt !== undefined;
  if (interactive) opts.output(`Local console (no DISCORD_TOKEN set). ${HELP}\n`);
  const session: ConsoleSession = {
    feedback: opts.feedback,
    collection: opts.collection,
    log: opts.log,
    questions: opts.questions,
  };
  const showPrompt = () => interactive && process.stdout.write(opts.prompt!);
  showPrompt();
  for await (const line of rl) {
    try {
      const r = await consoleReply(opts.engine, line, session);
      if (r) opts.output(toPlainText(r) + '\n');
    } catch (err) {
      if (opts.onError) opts.onError(line, err);
      else opts.output('Sorry, something went wrong while handling that line.\n');
    }
    showPrompt();
  }
}

async function consoleEdit(
  engine: Engine,
  session: ConsoleSession,
  action: 'add' | 'remove',
  rest: string,
): Promise<Rendered> {
  const collection = session.collection;
  if (!collection) return renderNotice('Documents cannot be added or removed here (the collection is not editable).');
  try {
    if (action === 'add' && isWebAddress(rest)) return consoleAddUrl(engine, collection, rest, session.log);
    if (action === 'remove') {
      if (!rest) return renderNotice('Usage: /sources remove <file or title>');
      const unfollowed = await consoleUnfollow(collection, rest, session.log);
      if (unfollowed) return unfollowed;
      const r = await removeSource(engine, collection, rest, plainMarkup);
      session.log?.info('source_removed', { doc: r.doc, by: CONSOLE_MEMBER, unindexed: r.outcome === 'removed' });
      return renderNotice(r.text, false);
    }
    // `--replace` anywhere before the options, or `replace:true` like the slash command.
    const flag = /(?:^|\s)--replace(?=\s|$)/;
    const { options, free: rawPath } = parseOptions(rest, ['title', 'url', 'replace']);
    const free = rawPath.replace(flag, ' ').trim();
    const replace = flag.test(rawPath) || truthy(options.replace);
    if (!free) return renderNotice('Usage: /sources add <path> [title:<title>] [url:<url>] [--replace]');
    const max = collection.editor.maxBytes;
    const size = await stat(free).then(
      (s) => (s.isFile() ? s.size : -1),
      () => -2,
    );
    if (size === -2) return renderNotice(`No file at ${free.slice(0, 200)}.`);
    if (size === -1) return renderNotice(`${free.slice(0, 200)} is not a file.`);
    checkSize(basename(free), size, max);
    const bytes = await readFile(free);
    const r = await addSource(
      engine,
      collection,
      { filename: basename(free), bytes, title: options.title, url: options.url, replace },
      plainMarkup,
    );
    const replaced = r.outcome === 'replaced' || r.outcome === 'replace_unindexed';
    session.log?.info(replaced ? 'source_replaced' : 'source_added', {
      doc: r.doc,
      bytes: bytes.length,
      by: CONSOLE_MEMBER,
      indexed: r.outcome === 'added' || r.outcome === 'replaced',
    });
    return renderNotice(r.text, false);
  } catch (err) {
    if (err instanceof CollectionEditError) return renderNotice(err.message);
    throw err;
  }
}

async function consoleVote(session: ConsoleSession, arg: string): Promise<Rendered> {
  if (arg !== 'up' && arg !== 'down') return renderNotice('Usage: /feedback up|down (on the last answer).');
  if (!session.feedback) return renderNotice('Feedback is not being collected here.');
  const last = session.last;
  if (!last) return renderNotice('There is no answer to vote on: the last question got none. Ask one first.');
  if (!last.id) {
    // The answer is recorded on its first vote: the console keeps no record of unvoted answers.
    last.id = newAnswerId();
    await session.feedback.recordAnswer(answerRecord(last.id, last.question, last.shown, null));
  }
  await session.feedback.recordVote({
    type: 'vote',
    answer: last.id,
    member: await session.feedback.memberKey(last.id, CONSOLE_MEMBER),
    vote: arg,
    guild: null,
    at: new Date().toISOString(),
  });
  return renderNotice(`Recorded ${arg === 'up' ? '👍' : '👎'} for “${last.question}”.`, false);
}
