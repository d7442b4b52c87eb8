/**
 * Insights for one server over the last 7 or 30 days, from its question log and its votes: how many
 * questions, answered vs refused, the most frequent unanswered questions (similar ones grouped),
 * the answers with most 👎, the most-cited documents. Pure functions; `readInsights` reads the two
 * stores for that one server only. `insightsCsv` is the long form.
 *
 * Grouping is simple and deterministic: a question's key is its set of content-word stems
 * (src/text/terms.ts: stop words dropped, Porter stems, British/American spellings met); questions
 * are taken most frequent first and each joins the first group whose key shares at least half of
 * the two keys' union (Jaccard ≥ 0.5), else starts one. Its most frequent wording names the group.
 */
import { normalizeQuestion } from '../text/question.js';
import { terms } from '../text/terms.js';
import type { FeedbackLog, FeedbackStore } from './store.js';
import type { QuestionLog, QuestionRecord } from './questions.js';

export const INSIGHT_DAYS = [7, 30] as const;

export interface QuestionGroup {
  /** The most frequent wording in the group. */
  question: string;
  count: number;
  /** Distinct wordings grouped under it. */
  variants: number;
  /** The last time one was asked (ISO). */
  last: string;
}

export interface RatedAnswer {
  question: string;
  down: number;
  up: number;
}

export interface Insights {
  days: number;
  since: string;
  /** False when questions are not recorded here (RECORD_QUESTIONS=off): only votes are counted. */
  recording: boolean;
  asked: number;
  answered: number;
  refused: number;
  unanswered: QuestionGroup[];
  downvoted: RatedAnswer[];
  cited: { doc: string; count: number }[];
}

const JACCARD = 0.5;

/** The grouping key of a question: its content stems, or its lower-cased text when it has none. */
function keyOf(question: string): Set<string> {
  const t = terms(question);
  return new Set(t.length ? t : [normalizeQuestion(question).toLowerCase()]);
}

function jaccard(a: Set<string>, b: Set<string>): number {
  let shared = 0;
  for (const x of a) if (b.has(x)) shared++;
  return shared / (a.size + b.size - shared);
}

/** Groups similar questions (see the file comment); largest groups first, then the most recent. */
export function groupQuestions(asked: readonly { question: string; at: string }[]): QuestionGroup[] {
  // Exact wordings first (case and spacing aside), each with its count and last time.
  const wordings = new Map<string, { question: string; count: number; last: string; first: number }>();
  asked.forEach((q, i) => {
    const k = normalizeQuestion(q.question)
      .toLowerCase()
      .replace(/[?!.]+$/, '');
    const w = wordings.get(k) ?? { question: q.question, count: 0, last: q.at, first: i };
    w.count++;
    if (q.at > w.last) w.last = q.at;
    wordings.set(k, w);
  });
  const ordered = [...wordings.values()].sort((a, b) => b.count - a.count || a.first - b.first);
  const groups: (QuestionGroup & { key: Set<string> })[] = [];
  for (const w of ordered) {
    const key = keyOf(w.question);
    const g = groups.find((x) => jaccard(x.key, key) >= JACCARD);
    if (!g) {
      groups.push({ question: w.question, count: w.count, variants: 1, last: w.last, key });
      continue;
    }
    g.count += w.count;
    g.variants++;
    if (w.last > g.last) g.last = w.last;
  }
  return groups
    .sort((a, b) => b.count - a.count || b.last.localeCompare(a.last))
    .map(({ question, count, variants, last }) => ({ question, count, variants, last }));
}

/** The answers given since `since` with 👎, most 👎 first (answers of the same question together). */
function downvoted(feedback: FeedbackLog, since: number): RatedAnswer[] {
  const tally = new Map<string, { up: number; down: number }>();
  for (const v of feedback.votes) {
    const t = tally.get(v.answer) ?? { up: 0, down: 0 };
    t[v.vote]++;
    tally.set(v.answer, t);
  }
  const byQuestion = new Map<string, RatedAnswer>();
  for (const a of feedback.answers) {
    const t = tally.get(a.id);
    if (!t || Date.parse(a.at) < since) continue;
    const key = normalizeQuestion(a.question).toLowerCase();
    const r = byQuestion.get(key) ?? { question: a.question, up: 0, down: 0 };
    r.up += t.up;
    r.down += t.down;
    byQuestion.set(key, r);
  }
  return [...byQuestion.values()]
    .filter((r) => r.down > 0)
    .sort((a, b) => b.down - a.down || b.down - b.up - (a.down - a.up) || a.question.localeCompare(b.question));
}

export function computeInsights(
  questions: readonly QuestionRecord[] | undefined,
  feedback: FeedbackLog,
  opts: { days: number; now?: number },
): Insights {
  const since = (opts.now ?? Date.now()) - opts.days * 86_400_000;
  const rows = (questions ?? []).filter((q) => Date.parse(q.at) >= since);
  const refused = rows.filter((q) => q.outcome === 'refused');
  const cited = new Map<string, number>();
  for (const q of rows) for (const doc of q.cited) cited.set(doc, (cited.get(doc) ?? 0) + 1);
  return {
    days: opts.days,
    since: new Date(since).toISOString(),
    recording: questions !== undefined,
    asked: rows.length,
    answered: rows.length - refused.length,
    refused: refused.length,
    unanswered: groupQuestions(refused),
    downvoted: downvoted(feedback, since),
    cited: [...cited.entries()]
      .map(([doc, count]) => ({ doc, count }))
      .sort((a, b) => b.count - a.count || a.doc.localeCompare(b.doc)),
  };
}

/**
 * One server's insights (`guild` null: the base), reading only that server's rows: the question
 * log (undefined when questions are not recorded) and the votes.
 */
export async function readInsights(
  stores: { questions?: QuestionLog; feedback?: FeedbackStore },
  guild: string | null,
  days: number,
  now = Date.now(),
): Promise<Insights> {
  const since = new Date(now - days * 86_400_000);
  const [questions, feedback] = await Promise.all([
    stores.questions?.read(guild, since),
    stores.feedback?.read({ guild }) ?? Promise.resolve<FeedbackLog>({ answers: [], votes: [], skipped: 0 }),
  ]);
  return computeInsights(questions, feedback, { days, now });
}

/** A CSV cell: quoted when needed; a leading =, +, - or @ is defused so a spreadsheet shows it as text. */
function cell(v: string | number): string {
  let s = String(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Every list in full, one row per item: `list,rank,text,count,down,up,last`. */
export function insightsCsv(i: Insights): string {
  const rows: (string | number)[][] = [['list', 'rank', 'text', 'count', 'down', 'up', 'last']];
  i.unanswered.forEach((g, n) => rows.push(['unanswered', n + 1, g.question, g.count, '', '', g.last]));
  i.downvoted.forEach((r, n) => rows.push(['downvoted', n + 1, r.question, r.down + r.up, r.down, r.up, '']));
  i.cited.forEach((c, n) => rows.push(['cited', n + 1, c.doc, c.count, '', '', '']));
  return rows.map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}
