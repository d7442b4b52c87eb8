import { describe, expect, test } from 'vitest';
import { PassThrough } from 'node:stream';
import { PIN_ID, docCheck, encodeSourcesId, parseCustomId } from '../src/message/ids.js';
import { createLogger, errorFields, memoryLogger, redact } from '../src/core/log.js';
import { AnswerQueue } from '../src/discord/queue.js';
import { RateLimiter } from '../src/discord/ratelimit.js';
import { cleanQuestion, composeSourcesView, spanRefs } from '../src/message/compose.js';
import { consoleReply, parseOptions, runConsole } from '../src/cli/console.js';
import { createStubEngine, SAMPLE_DOCS } from './helpers/stub-engine.js';
import { toPlainText } from '../src/message/rendered.js';

const FAKE_TOKEN = 'MTIzNDU2Nzg5MDEyMzQ1Njc4.GhIjKl.abcdefghijklmnopqrstuvwxyz0123456789AB';

describe('custom ids', () => {
  test('sources ids round-trip and stay within 100 characters', () => {
    const items = Array.from({ length: 10 }, (_, i) => ({
      docIndex: i,
      start: 1000 * i + 5,
      end: 1000 * i + 900,
      check: docCheck(`d${i}`),
    }));
    const id = encodeSourcesId(items);
    expect(id.length).toBeLessThanOrEqual(100);
    const parsed = parseCustomId(id);
    expect(parsed?.kind).toBe('sources');
    const got = parsed!.kind === 'sources' ? parsed!.items : [];
    expect(got.length).toBeGreaterThanOrEqual(5);
    expect(got).toEqual(items.slice(0, got.length));
    expect(parseCustomId(PIN_ID)).toEqual({ kind: 'pin' });
  });

  test('malformed or hostile ids are refused', () => {
    for (const bad of [
      '',
      'pin2',
      'src1:',
      'src1:1.2',
      'src1:1.5.3.a', // start after end
      'src1:-1.2.3.a',
      'src1:1.2.3.ab', // a check is one character (older buttons) or three
      'src1:1.2.3.abcd',
      'src1:1.2.3.A',
      'src1:zzzzzzzzz.1.2.a', // more than 8 base-36 digits
      'src1:' + Array.from({ length: 11 }, () => '1.2.3.a').join('~'),
      'x'.repeat(101),
      'src1:1.2.3.a~',
      '../../etc/passwd',
    ]) {
      expect(parseCustomId(bad), bad).toBeNull();
    }
    expect(parseCustomId(42)).toBeNull();
  });

  test('the Sources view re-validates spans through the engine', () => {
    const engine = createStubEngine(SAMPLE_DOCS);
    const answer = { n: 1, doc: 'harbour.txt', title: 't', quote: '', start: 0, end: 0, score: 1, cut: false };
    const text = SAMPLE_DOCS[0]!.text;
    const start = text.indexOf('Councillor');
    const end = text.indexOf('euros.') + 'euros.'.length;
    const refs = spanRefs(engine.documents(), [{ ...answer, original: { ...answer, start, end } }]);
    const good = composeSourcesView(engine, refs);
    expect(good.embeds).toHaveLength(1);
    expect(good.embeds[0]!.description).toContain(
      '**Councillor Mira Okafor said the lighthouse would cost about four million euros.**',
    );
    expect(refs[0]!.check).toMatch(/^[0-9a-z]{3}$/);
    // A button posted by an older version (a one-character check) still opens its sources.
    const d = engine.documents()[refs[0]!.docIndex]!;
    const old = composeSourcesView(engine, [
      { ...refs[0]!, check: docCheck(d.version ? `${d.doc}@${d.version}` : d.doc, 1) },
    ]);
    expect(old.embeds).toEqual(good.embeds);
    // Forged: wrong check, out-of-range document, span across paragraphs.
    const forged = composeSourcesView(engine, [
      { ...refs[0]!, check: refs[0]!.check === 'aaa' ? 'bbb' : 'aaa' },
      { docIndex: 99, start: 1, end: 5, check: 'a' },
      { ...refs[0]!, start: 0, end: text.length },
    ]);
    expect(forged.embeds).toEqual([]);
    expect(forged.content).toMatch(/could not be found/);
  });
});

describe('RateLimiter', () => {
  test('allows count calls per window per user, then tells how long to wait', () => {
    let now = 1_000_000;
    const rl = new RateLimiter(5, 30_000, () => now);
    for (let i = 0; i < 5; i++) expect(rl.take('u1').allowed).toBe(true);
    const refused = rl.take('u1');
    expect(refused).toEqual({ allowed: false, retryAfterMs: 30_000 });
    expect(rl.take('u2').allowed).toBe(true);
    now += 10_000;
    expect(rl.take('u1').retryAfterMs).toBe(20_000);
    now += 20_000;
    expect(rl.take('u1').allowed).toBe(true);
  });

  test('forgets idle users', () => {
    let now = 0;
    const rl = new RateLimiter(1, 1000, () => now);
    for (let i = 0; i < 999; i++) rl.take(`user${i}`);
    now = 5000;
    rl.take('last');
    expect(rl.size).toBe(1);
  });
});

describe('logs', () => {
  test('one JSON line per event, level-filtered, with secrets and interaction tokens redacted', () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'info', secrets: ['my-secret-token-value'], write: (l) => lines.push(l) });
    log.debug('hidden');
    log.info('interaction', { id: '1', command: 'ask', latency_ms: 12, answered: true });
    log.error(
      'failed',
      errorFields(new Error(`bad my-secret-token-value and ${FAKE_TOKEN}\nat /webhooks/1/abc.def-ghi/messages`)),
    );
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      level: 'info',
      event: 'interaction',
      id: '1',
      command: 'ask',
      latency_ms: 12,
      answered: true,
    });
    expect(lines[1]).not.toContain('my-secret-token-value');
    expect(lines[1]).not.toContain(FAKE_TOKEN);
    expect(lines[1]).not.toContain('abc.def-ghi');
    expect(lines.every((l) => !l.includes('\n'))).toBe(true);
  });

  test('redact handles token shapes and auth headers', () => {
    expect(redact(`Authorization: Bot ${FAKE_TOKEN}`)).toBe('Authorization: Bot [redacted]');
    expect(redact('/interactions/123/aW50ZXJhY3Rpb24/callback')).toBe('/interactions/123/[redacted]/callback');
  });
});

describe('AnswerQueue', () => {
  test('questions arriving together are answered in one askMany batch, in order', async () => {
    const engine = createStubEngine(SAMPLE_DOCS);
    const q = new AnswerQueue(engine, { maxBatch: 4, maxWaitMs: 5 });
    const questions = [
      'lighthouse cost?',
      'apple harvest?',
      'library hours?',
      'lighthouse pier?',
      'apple export?',
      'library students?',
    ];
    const answers = await Promise.all(questions.map((x) => q.ask(x)));
    expect(answers.map((a) => a.question)).toEqual(questions);
    expect(engine.batches).toEqual([4, 2]);
    expect(q.pending).toBe(0);
  });

  test('an engine failure rejects that batch only; the queue keeps serving', async () => {
    const engine = createStubEngine(SAMPLE_DOCS);
    const q = new AnswerQueue(engine, { maxWaitMs: 0 });
    engine.failNext();
    await expect(q.ask('lighthouse?')).rejects.toThrow('stub engine failure');
    await expect(q.ask('lighthouse?')).resolves.toMatchObject({ answered: true });
  });
});

describe('questions', () => {
  test('cleaned of control and zero-width characters; 3–300 characters', () => {
    expect(cleanQuestion('  what\u200b is\u0007 this?\n ')).toEqual({ ok: true, question: 'what is this?' });
    expect(cleanQuestion(' \u200b a ').ok).toBe(false);
    expect(cleanQuestion('x'.repeat(301)).ok).toBe(false);
  });
});

describe('console', () => {
  const engine = createStubEngine(SAMPLE_DOCS);

  test('option parsing', () => {
    expect(parseOptions('query:apple harvest doc:orchard.txt', ['query', 'doc'])).toEqual({
      options: { query: 'apple harvest', doc: 'orchard.txt' },
      free: '',
    });
    expect(parseOptions('what is up', ['question'])).toEqual({ options: {}, free: 'what is up' });
  });

  test('commands print the same content as the bot, as plain text', async () => {
    const ask = toPlainText((await consoleReply(engine, '/ask How much will the lighthouse cost?'))!);
    expect(ask).toContain('> Councillor Mira Okafor said the lighthouse would cost about four million euros. [1]');
    // The title leads to the quote on its page (a text fragment), in the console as a plain link.
    expect(ask).toMatch(
      /\[1\] Harbour council approves new lighthouse <https:\/\/example\.org\/harbour#:~:text=[^>\s]+> — harbour\.txt/,
    );
    expect(toPlainText((await consoleReply(engine, '/ask question:Who painted the bridge? private:true'))!)).toMatch(
      /^I couldn't find a passage that answers “Who painted the bridge\?” in the 3 documents I searched\./,
    );
    expect(toPlainText((await consoleReply(engine, '/sources'))!)).toContain(
      'City library extends opening hours — library.txt · 3 passages · 28 words',
    );
    expect(toPlainText((await consoleReply(engine, '/sources query:apple'))!)).toMatch(/^Passages matching “apple”/);
    expect(toPlainText((await consoleReply(engine, '/sources doc:orchard.txt'))!)).toContain('File: orchard.txt');
    expect(toPlainText((await consoleReply(engine, '/sources doc:nope'))!)).toContain('No document matches “nope”');
    expect(toPlainText((await consoleReply(engine, 'help'))!)).toContain('/sources query:<words>');
    expect(toPlainText((await consoleReply(engine, '/frobnicate'))!)).toContain('Unknown command');
    expect(toPlainText((await consoleReply(engine, '/ask ?'))!)).toContain('at least 3 characters');
    expect(await consoleReply(engine, '   ')).toBeUndefined();
  });

  test('runConsole answers line by line, survives a failing line and ends with the input', async () => {
    const input = new PassThrough();
    const out: string[] = [];
    const done = runConsole({ engine, input, output: (t) => out.push(t) });
    engine.failNext();
    input.end('/ask lighthouse cost?\n/ask apple harvest record\n');
    await done;
    expect(out).toHaveLength(2);
    expect(out[0]).toContain('Sorry, something went wrong');
    expect(out[1]).toContain('record harvest');
  });

  test('memory logger collects lines', () => {
    const log = memoryLogger('info');
    log.info('x');
    expect(log.lines).toHaveLength(1);
  });
});
