/**
 * Hostile and odd /ask input and forged button custom IDs, through the REAL bot process
 * (`node dist/scripts/start.js`) logged into the fake Discord on 127.0.0.1. Every input gets a reply
 * (answer, refusal or a clear message), no payload can ping, none exceeds Discord's limits, and the
 * process stays up.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ANSWERABLE, finalAt, indexDirFor, startBotProcess, type BotProcess } from './harness/bot-process.js';
import {
  EPHEMERAL,
  FakeDiscord,
  PERMS,
  messageViolations,
  type FakeInteraction,
  type FakeMessage,
} from './harness/fake-discord.js';

const INDEX = indexDirFor('reliability-hostile');
let fake: FakeDiscord;
let bot: BotProcess;
let userSeq = 600000000000000000n;
const newUser = () => ({ id: String(++userSeq), username: `h${userSeq % 100000n}` });

beforeAll(async () => {
  fake = await FakeDiscord.start({ token: 'hostile.fake.token-0001' });
  bot = await startBotProcess({ fake, indexDir: INDEX });
});

afterAll(async () => {
  await bot?.stop(5000);
  await fake?.close();
});

async function waitDone(ix: FakeInteraction, timeoutMs = 30_000): Promise<FakeInteraction> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (finalAt(ix) !== undefined && bot.logLines().some((l) => l.event === 'interaction' && l.id === ix.id)) return ix;
    if (bot.exitCode() !== undefined) throw new Error(`bot exited (${bot.exitCode()})`);
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(
    `interaction ${ix.id} not finished (callback ${ix.callbackType}, events ${ix.events.map((e) => e.kind).join(',')})`,
  );
}

const outcome = (ix: FakeInteraction) =>
  bot.logLines().find((l) => l.event === 'interaction' && l.id === ix.id)?.outcome;

/** Every message payload the bot sent for this interaction (defers carry no message). */
function payloads(ix: FakeInteraction): Record<string, unknown>[] {
  return ix.events
    .filter((e) => !(e.kind === 'callback' && (e.body.type === 5 || e.body.type === 6)))
    .map((e) => (e.kind === 'callback' ? ((e.body.data ?? {}) as Record<string, unknown>) : e.body));
}

/** The checks every reply must pass: no pings, within Discord's limits, some visible text. */
function checkReply(ix: FakeInteraction): void {
  const ps = payloads(ix);
  expect(ps.length).toBeGreaterThan(0);
  for (const p of ps) {
    expect(p.allowed_mentions).toEqual({ parse: [] });
    expect(messageViolations(p)).toEqual([]);
    const content = typeof p.content === 'string' ? p.content : '';
    expect(content.length).toBeLessThanOrEqual(2000);
    const embeds = (Array.isArray(p.embeds) ? p.embeds : []) as {
      title?: string;
      description?: string;
      footer?: { text?: string };
      fields?: { name: string; value: string }[];
    }[];
    let total = 0;
    for (const e of embeds) {
      expect((e.description ?? '').length).toBeLessThanOrEqual(4096);
      total += (e.title ?? '').length + (e.description ?? '').length + (e.footer?.text ?? '').length;
      for (const f of e.fields ?? []) total += f.name.length + f.value.length;
    }
    expect(total).toBeLessThanOrEqual(6000);
    expect(content.length + embeds.length).toBeGreaterThan(0);
  }
  const shown = ix.followUps.at(-1) ?? ix.original!;
  expect((shown.content + JSON.stringify(shown.embeds)).trim().length).toBeGreaterThan(0);
}

const HOSTILE: [string, string][] = [
  ['whitespace only', '   \t\n   '],
  ['empty', ''],
  ['301 characters', `what did Lavrov demand ${'and why '.repeat(40)}`.slice(0, 301)],
  ['10,000 characters', 'Lavrov '.repeat(1429)],
  ['only stopwords', 'the of and to a in is it that was'],
  ['only punctuation', '?!?! ... ;;; --- ,,, ¿¡'],
  ['emoji', '🤔🚀🔥❓ 🇷🇺🇺🇸 👍🏽'],
  ['right-to-left text', 'ما هو موقف روسيا من توسع حلف الناتو؟'],
  ['zero-width and control characters', 'what\u200b did\u0000 Lav\u200drov\u0007 de\u202emand\u0085\ufeff?'],
  ['only invisible characters', '\u200b\u200b\u200c\u200d\u2060\ufeff\u0000\u0001'],
  [
    'markdown and code fences',
    '**what** did `Lavrov` demand? ```js\nalert(1)\n``` > quote ||spoiler|| [x](https://example.com)',
  ],
  ['mentions', '@everyone @here what did <@123> and <@&456> and <#789> say about NATO?'],
  ['another language (German)', 'Was hat Lawrow von der NATO gefordert?'],
  ['another language (Russian)', 'Что потребовал Лавров от НАТО?'],
  ['lone surrogate and combining marks', 'NATO \ud800 bases Z\u0351\u0352\u0357\u035b'],
];

describe('hostile /ask input through the real bot', () => {
  test.each(HOSTILE)('%s → a reply within limits, no pings', async (_name, question) => {
    const ix = fake.sendCommand('ask', { question }, { user: newUser() });
    await waitDone(ix);
    checkReply(ix);
    expect(['answered', 'refused', 'invalid_question']).toContain(outcome(ix));
  });

  test('a question with too few visible characters gets a clear ephemeral message, not a search', async () => {
    const ix = fake.sendCommand('ask', { question: ' \u200b?\u200b ' }, { user: newUser() });
    await waitDone(ix);
    expect(ix.callbackType).toBe(4);
    expect(ix.original!.flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(ix.original!.content).toMatch(/at least 3 characters/);
    checkReply(ix);
  });

  test('a 10,000-character question gets a clear message naming the limit', async () => {
    const ix = fake.sendCommand('ask', { question: 'x'.repeat(10_000) }, { user: newUser() });
    await waitDone(ix);
    expect(ix.original!.content).toMatch(/under 300 characters/);
    checkReply(ix);
  });

  test('mentions in the question never ping: the title keeps them as text, allowed_mentions is empty', async () => {
    const ix = fake.sendCommand('ask', { question: '@everyone what did Lavrov demand <@123>' }, { user: newUser() });
    await waitDone(ix);
    checkReply(ix);
    for (const e of ix.events.filter((x) => x.kind !== 'callback'))
      expect(e.body.allowed_mentions).toEqual({ parse: [] });
  });

  test('the same question 50 times in a row (one user) → 50 identical answers', async () => {
    const user = newUser();
    const ixs: FakeInteraction[] = [];
    for (let k = 0; k < 50; k++) ixs.push(fake.sendCommand('ask', { question: ANSWERABLE[0]! }, { user }));
    for (const ix of ixs) await waitDone(ix);
    for (const ix of ixs) checkReply(ix);
    const descriptions = new Set(ixs.map((ix) => JSON.stringify(ix.original!.embeds)));
    expect(descriptions.size).toBe(1);
    expect(ixs.every((ix) => outcome(ix) === 'answered')).toBe(true);
  });
});

describe('forged and malformed button custom IDs', () => {
  let answer: FakeMessage;
  let privateAnswer: FakeMessage;

  beforeAll(async () => {
    const ix = fake.sendCommand('ask', { question: ANSWERABLE[0]! }, { user: newUser() });
    await waitDone(ix);
    answer = ix.original!;
    expect(answer.embeds.length).toBe(1);
    const p = fake.sendCommand('ask', { question: ANSWERABLE[0]!, private: true }, { user: newUser() });
    await waitDone(p);
    privateAnswer = p.original!;
  });

  const FORGED: [string, string][] = [
    ['garbage', 'garbage'],
    ['empty sources list', 'src1:'],
    ['document index out of range', 'src1:zz.0.5.a'],
    ['wrong document check', 'src1:0.0.5.!'],
    ['start after end', 'src1:0.9.1.a'],
    ['huge offsets', 'src1:0.zzzzzzzz.zzzzzzzz.a'],
    ['too many items', `src1:${Array.from({ length: 11 }, () => '0.0.1.a').join('~')}`],
    ['100 characters', 'src1:' + '9'.repeat(95)],
    ['another version prefix', 'src2:0.0.5.a'],
    ['pin with suffix', 'pin1:123456789012345678'],
    ['unicode', 'src1:０.０.５.ａ'],
    ['mention in id', '<@123> @everyone'],
  ];

  test.each(FORGED)('%s → an ephemeral refusal, no crash', async (_name, customId) => {
    const ix = fake.sendButton(customId, answer, { user: newUser(), memberPermissions: PERMS.withPin });
    await waitDone(ix);
    checkReply(ix);
    const shown = ix.followUps.at(-1) ?? ix.original!;
    expect(shown.flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(shown.embeds).toEqual([]);
    expect(shown.content).toMatch(/not valid|could not be (found|verified)/);
    expect(answer.pinned).toBe(false);
  });

  test('Sources spans that parse but point at nothing real → refusal (re-validated by the engine)', async () => {
    // Valid syntax, every document index, but offsets far beyond any document.
    const id = `src1:${[0, 1, 2, 3, 4].map((d) => `${d.toString(36)}.zzzzzz.zzzzzzz.0`).join('~')}`;
    const ix = fake.sendButton(id, answer, { user: newUser() });
    await waitDone(ix);
    checkReply(ix);
    const shown = ix.followUps.at(-1) ?? ix.original!;
    expect(shown.flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(shown.embeds).toEqual([]);
  });

  test('Pin forged onto a private answer, or clicked without the permission → refusal, nothing pinned', async () => {
    const onPrivate = fake.sendButton('pin1', privateAnswer, { user: newUser(), memberPermissions: PERMS.withPin });
    await waitDone(onPrivate);
    checkReply(onPrivate);
    expect((onPrivate.followUps.at(-1) ?? onPrivate.original!).content).toMatch(/cannot be pinned/);
    const noPerm = fake.sendButton('pin1', answer, { user: newUser(), memberPermissions: PERMS.manageNoPin });
    await waitDone(noPerm);
    checkReply(noPerm);
    expect((noPerm.followUps.at(-1) ?? noPerm.original!).content).toMatch(/Pin Messages/);
    expect(fake.pinnedIn()).toEqual([]);
  });

  test('after all of it the process is still up, logged no unhandled rejection, and answers normally', async () => {
    const ix = fake.sendCommand('ask', { question: 'Who is Frank Rose?' }, { user: newUser() });
    await waitDone(ix);
    expect(ix.original!.embeds.length).toBe(1);
    expect(bot.exitCode()).toBeUndefined();
    expect(bot.unhandled()).toEqual([]);
    expect(bot.logLines().filter((l) => l.event === 'handler_failed')).toEqual([]);
    expect(fake.violations).toEqual([]);
  });
});
