/**
 * What `npm run feedback` reports, and the eval set it exports: pure functions over the
 * feedback log (and, for the export, the engine that re-reads the cited spans).
 */
import { normalizeQuestion } from '../text/question.js';
import type { EvalItem } from './eval.js';
import { spanHash, type FeedbackLog } from '../feedback/store.js';

export interface RatedQuestion {
  question: string;
  up: number;
  down: number;
}

export interface FeedbackSummary {
  answers: number;
  votedAnswers: number;
  up: number;
  down: number;
  /** Questions with more 👎 than 👍, worst first. */
  worst: RatedQuestion[];
  skippedLines: number;
}

/** Votes per answer id (last vote per member). */
function tally(log: FeedbackLog): Map<string, { up: number; down: number }> {
  const out = new Map<string, { up: number; down: number }>();
  for (const v of log.votes) {
    const t = out.get(v.answer) ?? { up: 0, down: 0 };
    t[v.vote]++;
    out.set(v.answer, t);
  }
  return out;
}

export function summarize(log: FeedbackLog, worstCount = 10): FeedbackSummary {
  const votes = tally(log);
  const byQuestion = new Map<string, RatedQuestion>();
  for (const a of log.answers) {
    const t = votes.get(a.id);
    if (!t) continue;
    const key = normalizeQuestion(a.question).toLowerCase();
    const q = byQuestion.get(key) ?? { question: a.question, up: 0, down: 0 };
    q.up += t.up;
    q.down += t.down;
    byQuestion.set(key, q);
  }
  const known = new Set(log.answers.map((a) => a.id));
  let up = 0;
  let down = 0;
  for (const [id, t] of votes) {
    if (!known.has(id)) continue; // a vote whose answer record is missing cannot be joined
    up += t.up;
    down += t.down;
  }
  const worst = [...byQuestion.values()]
    .filter((q) => q.down > q.up)
    .sort((a, b) => b.down - b.up - (a.down - a.up) || b.down - a.down)
    .slice(0, worstCount);
  return {
    answers: log.answers.length,
    votedAnswers: [...votes.keys()].filter((id) => known.has(id)).length,
    up,
    down,
    worst,
    skippedLines: log.skipped,
  };
}

/** A phrase a cited quote must contain: the quote's first words (about 100 characters). */
export function phraseOf(quote: string, max = 100): string {
  const q = quote.trim();
  if (q.length <= max) return q;
  const space = q.lastIndexOf(' ', max);
  return q.slice(0, space > max / 2 ? space : max).trimEnd();
}

/**
 * The 👍 answers (more 👍 than 👎) as eval items: the question, and as phrases the start of each
 * span the answer cited, re-read from the collection as it is now (`textOf`: a document's text
 * as loaded, or undefined). A span whose text changed since (the document was edited or
 * removed) is left out; an answer with none left is skipped.
 */
export function exportEvalSet(
  log: FeedbackLog,
  textOf: (doc: string) => string | undefined,
): { items: EvalItem[]; stale: number } {
  const votes = tally(log);
  const byQuestion = new Map<string, { q: string; any: string[] }>();
  let stale = 0;
  for (const a of log.answers) {
    const t = votes.get(a.id);
    if (!t || t.up <= t.down) continue;
    const phrases: string[] = [];
    for (const c of a.cited) {
      // A server's own documents are not in the base collection the export reads.
      if (c.collection === 'server') continue;
      const quote = textOf(c.doc)?.slice(c.start, c.end);
      if (quote && spanHash(quote) === c.hash) phrases.push(phraseOf(quote));
    }
    if (phrases.length === 0) {
      stale++;
      continue;
    }
    const key = normalizeQuestion(a.question).toLowerCase();
    const item = byQuestion.get(key) ?? { q: a.question, any: [] };
    for (const p of phrases) if (!item.any.includes(p)) item.any.push(p);
    byQuestion.set(key, item);
  }
  return { items: [...byQuestion.values()], stale };
}
