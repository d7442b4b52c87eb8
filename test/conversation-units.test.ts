/**
 * The small parts of the conversation features: the question in a chat message, a message as a
 * document, the conversation store (bounded, expiring, Post once), custom IDs, and the answer
 * queue handing a follow-up's context to the engine, and the console's /ask-about and /followup.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { Answer } from '../src/core/types.js';
import { ConversationStore, newConversationKey } from '../src/discord/conversations.js';
import { AnswerQueue } from '../src/discord/queue.js';
import { followUpFormId, followUpId, parseConversationId, postId } from '../src/message/conversation-ids.js';
import { askedAboutLine, messageDocument, messageTitle, sharedLine } from '../src/message/conversation.js';
import { plainMarkup } from '../src/message/markdown.js';
import { messageWords, questionFromMessage } from '../src/text/message-question.js';
import { createStubEngine, SAMPLE_DOCS } from './helpers/stub-engine.js';
import { HELP, consoleReply, type ConsoleSession } from '../src/cli/console.js';
import { toPlainText } from '../src/message/rendered.js';

describe('the question in a chat message', () => {
  it('keeps a short message whole, without mentions, custom emoji, timestamps, links and markdown marks', () => {
    expect(
      questionFromMessage(
        '<@123456789012345678> **when** does the <#223456789012345678> library open? <:book:323456789012345678> <t:1700000000:R> https://example.org/x',
        300,
      ),
    ).toBe('when does the library open?');
  });

  it('keeps a masked link as its text, and drops quote and heading marks', () => {
    expect(messageWords('> see [the notice](https://example.org/n)\n## Opening hours')).toBe(
      'see the notice Opening hours',
    );
  });

  it('a long message is asked by its first question sentence that fits', () => {
    const long = `${'Some background on the matter at hand. '.repeat(10)}So who approved the lighthouse? And when? ${'More. '.repeat(20)}`;
    expect(questionFromMessage(long, 300)).toBe('So who approved the lighthouse?');
  });

  it('a long message without a question is cut to its first characters at a word', () => {
    const long = 'word '.repeat(100);
    const q = questionFromMessage(long, 300);
    expect(q.length).toBeLessThanOrEqual(300);
    expect(q.endsWith('word')).toBe(true);
  });

  it('a message of emoji and mentions has no words', () => {
    expect(questionFromMessage('<@1> <:x:2>', 300)).toBe('');
  });
});

describe('a chat message as a document', () => {
  const msg = {
    guild: '1',
    channel: '2',
    channelName: 'harbour-news',
    id: '3',
    author: 'Dock Watch',
    createdAt: new Date('2024-05-06T10:00:00Z'),
    text: 'The ferry resumes on **Monday**.\nTickets cost twelve euros.\n\n\n> Bring cash.',
  };

  it('is titled by who wrote it, where and when, and links to the message', () => {
    const doc = messageDocument(msg);
    expect(doc).toMatchObject({
      filename: 'discord-message-2-3.txt',
      title: 'Message by Dock Watch in #harbour-news, 2024-05-06',
      url: 'https://discord.com/channels/1/2/3',
      replace: true,
    });
    expect(new TextDecoder().decode(doc.bytes)).toBe(
      'The ferry resumes on Monday. Tickets cost twelve euros.\n\nBring cash.\n',
    );
  });

  it('an unknown channel is "a channel"; the lines that open and share answers fit and link', () => {
    expect(messageTitle({ ...msg, channelName: undefined })).toBe('Message by Dock Watch in a channel, 2024-05-06');
    expect(askedAboutLine('https://discord.com/channels/1/2/3')).toBe(
      'Answering [this message](<https://discord.com/channels/1/2/3>):',
    );
    expect(askedAboutLine('https://discord.com/channels/1/2/3', plainMarkup)).toBe(
      'Answering https://discord.com/channels/1/2/3:',
    );
    expect(sharedLine('*bold* @everyone')).toBe('Shared by **\\*bold\\* \\@everyone** from a private answer.');
  });
});

describe('custom IDs', () => {
  it('carry a 10-character key, and anything else is refused', () => {
    const key = newConversationKey();
    expect(key).toMatch(/^[0-9a-z]{10}$/);
    expect(parseConversationId(followUpId(key))).toEqual({ kind: 'followup', key });
    expect(parseConversationId(followUpFormId(key))).toEqual({ kind: 'form', key });
    expect(parseConversationId(postId(key))).toEqual({ kind: 'post', key });
    for (const bad of ['fu1:', 'fu1:ABCDEFGHIJ', 'post1:../../etc', `fum1:${key}x`, 'src1:0.0.1.a', 42, null])
      expect(parseConversationId(bad)).toBeNull();
  });
});

const answer = (quote: string): Answer => ({
  question: 'q?',
  answered: true,
  answer: quote,
  citations: [{ n: 1, doc: 'a.txt', title: 'A', quote, start: 0, end: quote.length, score: 1 }],
  closest: [],
  timings_ms: { total: 1 },
});

describe('the conversation store', () => {
  it('a private answer is claimed for posting once; the question stays for follow-ups', () => {
    const store = new ConversationStore();
    const key = newConversationKey();
    store.keep(key, { question: 'q?', guild: 'g', private: true, answer: answer('quoted') });
    const first = store.claimPost(key);
    expect(first.ok && first.answer.citations[0]!.quote).toBe('quoted');
    expect(store.claimPost(key)).toEqual({ ok: false, reason: 'posted' });
    expect(store.get(key)).toEqual({ question: 'q?', guild: 'g', private: true, posted: true });
    expect(store.claimPost(newConversationKey())).toEqual({ ok: false, reason: 'expired' });
  });

  it('finds an answer by its message id (a thread started from it), only once attached', () => {
    const store = new ConversationStore();
    const key = newConversationKey();
    expect(store.startedFrom('900')).toBeUndefined();
    store.keep(key, { question: 'q?', guild: 'g', private: false });
    store.attach(key, '900');
    expect(store.startedFrom('900')?.question).toBe('q?');
  });

  it('is bounded by size: the oldest conversations go first', () => {
    const store = new ConversationStore({ maxBytes: 64 * 1024 });
    const keys: string[] = [];
    for (let i = 0; i < 200; i++) {
      const key = newConversationKey();
      keys.push(key);
      store.keep(key, { question: `q${i}?`, guild: 'g', private: true, answer: answer('x'.repeat(1000)) });
    }
    expect(store.size).toBeLessThan(40);
    expect(store.get(keys[0]!)).toBeUndefined();
    expect(store.get(keys[199]!)?.question).toBe('q199?');
  });

  it('expires conversations after their time', async () => {
    const store = new ConversationStore({ ttlMs: 40 });
    const key = newConversationKey();
    store.keep(key, { question: 'q?', guild: 'g', private: false });
    store.attach(key, '901');
    expect(store.get(key)).toBeDefined();
    await sleep(80);
    expect(store.get(key)).toBeUndefined();
    expect(store.startedFrom('901')).toBeUndefined();
  });
});

describe('the answer queue', () => {
  it("passes a follow-up's context to the engine; questions without one are asked as before", async () => {
    const engine = createStubEngine(SAMPLE_DOCS);
    const queue = new AnswerQueue(engine, { maxWaitMs: 0 });
    await queue.ask('How much will the lighthouse cost?');
    expect(engine.followUps).toEqual([]);
    const [a, b] = await Promise.all([
      queue.ask('When does construction start?', { context: { earlier: 'How much will the lighthouse cost?' } }),
      queue.ask('When does the library close?'),
    ]);
    expect(a.question).toBe('When does construction start?');
    expect(b.question).toBe('When does the library close?');
    expect(engine.followUps).toEqual([
      { question: 'When does construction start?', earlier: 'How much will the lighthouse cost?' },
    ]);
  });
});

describe('the console', () => {
  it('/ask-about answers what a pasted message asks; /followup follows the last answer up', async () => {
    const engine = createStubEngine(SAMPLE_DOCS);
    const session: ConsoleSession = {};
    const say = async (line: string) => toPlainText((await consoleReply(engine, line, session))!);
    expect(HELP).toMatch(/\/ask-about <text>/);
    expect(HELP).toMatch(/\/followup <question>/);
    expect(await say('/followup and then?')).toMatch(/no answer to follow up/);
    const about = await say(
      `/ask-about ${'Long story short, the council met again. '.repeat(8)}How much will the lighthouse cost?`,
    );
    expect(engine.asked.at(-1)).toBe('How much will the lighthouse cost?');
    expect(about).toContain('four million euros');
    const next = await say('/followup When does construction start?');
    expect(next).toContain('Construction is expected to start in the spring.');
    expect(engine.followUps).toEqual([
      { question: 'When does construction start?', earlier: 'How much will the lighthouse cost?' },
    ]);
    // A refused follow-up keeps the last answer to follow up.
    await say('/followup Who painted the old bridge blue?');
    await say('/followup Where is the new lighthouse?');
    expect(engine.followUps.at(-1)!.earlier).toBe('When does construction start?');
    expect(await say('/ask-about <:x:1>')).toMatch(/^Usage: \/ask-about/);
  });
});
