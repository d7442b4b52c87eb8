/**
 * The feedback record kept when an answer is sent: the question and the cited spans (document,
 * offsets, a hash of the quoted text), no other content. Shared by the bot and the console.
 */
import { spanHash, type AnswerRecord } from '../feedback/store.js';
import type { ShownCitation } from './rendered.js';

export function answerRecord(
  id: string,
  question: string,
  shown: readonly ShownCitation[],
  guild: string | null,
): AnswerRecord {
  return {
    type: 'answer',
    id,
    question,
    // The full cited spans (an answer may show a shortened quote).
    cited: shown.map((c) => ({
      doc: c.doc,
      start: c.original.start,
      end: c.original.end,
      hash: spanHash(c.original.quote),
      ...(c.collection === 'server' && { collection: 'server' as const }),
    })),
    guild,
    at: new Date().toISOString(),
  };
}
