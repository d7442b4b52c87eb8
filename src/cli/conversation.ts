/**
 * The console's conversation commands, as the bot's: `/ask-about <text>` asks what a pasted
 * message asks ("Ask about this"), `/followup <question>` follows up the last answer (the
 * Follow up button). The follow-up is answered with the last answer's question as context.
 */
import type { Engine } from '../core/types.js';
import { cleanQuestion, composeAnswer } from '../message/compose.js';
import { ASK_ABOUT_MAX } from '../message/conversation.js';
import { plainMarkup } from '../message/markdown.js';
import { type Rendered, type ShownCitation, renderNotice } from '../message/rendered.js';
import { questionFromMessage } from '../text/message-question.js';

/** What the console remembers of its last answer (the question as answered). */
export interface LastAnswer {
  last?: { question: string; shown: ShownCitation[]; id?: string };
}

export async function consoleConversation(
  engine: Engine,
  session: LastAnswer,
  command: 'ask-about' | 'followup',
  rest: string,
): Promise<Rendered> {
  if (command === 'ask-about') {
    const cleaned = cleanQuestion(questionFromMessage(rest, ASK_ABOUT_MAX));
    if (!cleaned.ok) return renderNotice('Usage: /ask-about <the text of a message> (a question needs a few words).');
    const answer = await engine.ask(cleaned.question);
    const { rendered, shown } = composeAnswer(engine, answer, { markup: plainMarkup });
    session.last = shown.length ? { question: answer.question, shown } : undefined;
    return rendered;
  }
  const last = session.last;
  if (!last) return renderNotice('There is no answer to follow up: the last question got none. Ask one first.');
  const cleaned = cleanQuestion(rest);
  if (!cleaned.ok) return renderNotice(cleaned.message);
  const [answer] = await engine.askMany([cleaned.question], [{ earlier: last.question }]);
  const { rendered, shown } = composeAnswer(engine, answer!, { markup: plainMarkup });
  // A refused follow-up leaves the last answer to follow up.
  if (shown.length) session.last = { question: answer!.question, shown };
  return rendered;
}
