/**
 * The bot end to end over the REAL engine (index built from the files on first open): the seed
 * collection, and a hostile one (very long paragraphs, @everyone / <@id> / markdown in the text,
 * plus a generated 9,000-character single-sentence paragraph, quoted in bounded pieces). A real discord.js client talks to
 * the fake Discord. Asserts verbatim quotes, limits and that nothing can ping.
 */
import { cp, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startBot, type Bot } from '../src/discord/client.js';
import { memoryLogger } from '../src/core/log.js';
import { MAX_SENTENCE_CHARS } from '../src/ingest/sentences.js';
import { EPHEMERAL, FakeDiscord, PERMS, type FakeMessage } from './harness/fake-discord.js';
import { openEngine } from '../src/engine/open.js';

interface Embed {
  title?: string;
  description?: string;
  footer?: { text: string };
}

const displayed = (s: string) => s.replace(/\\([^0-9A-Za-z\s])/g, '$1');

/** The quotes of a description as Discord displays them (markers, block-quote prefixes and escapes removed). */
function quotesOf(description: string): string[] {
  return description
    .split('\n\n')
    .filter((b) => b.startsWith('> '))
    .map((b) =>
      displayed(
        b
          .split('\n')
          .map((l) => l.replace(/^> /, ''))
          .join('\n')
          .replace(/ \[\d+\]$/, ''),
      ),
    );
}

async function readTexts(dir: string): Promise<string[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.txt'));
  return Promise.all(files.map(async (f) => (await readFile(join(dir, f), 'utf8')).replace(/\r\n?/g, '\n')));
}

/** Every shown quote is a verbatim slice of some file (a cut one: a verbatim prefix before its "…"). */
function expectVerbatim(texts: string[], description: string): number {
  const quotes = quotesOf(description);
  for (const q of quotes) {
    const core = q.endsWith('…') ? q.slice(0, -1) : q;
    expect(core.length).toBeGreaterThan(10);
    expect(
      texts.some((t) => t.includes(core)),
      `not verbatim: ${core.slice(0, 80)}`,
    ).toBe(true);
  }
  return quotes.length;
}

function expectNoPings(fake: FakeDiscord): void {
  expect(fake.violations).toEqual([]);
  for (const r of fake.requests) {
    const body = r.body as
      | {
          content?: string;
          embeds?: Embed[];
          allowed_mentions?: unknown;
          data?: { allowed_mentions?: unknown; content?: string };
        }
      | undefined;
    const hasMessage =
      body && (body.content !== undefined || body.embeds !== undefined || body.data?.content !== undefined);
    if (!hasMessage) continue;
    expect(body.allowed_mentions ?? body.data?.allowed_mentions, r.path).toEqual({ parse: [] });
    const text = JSON.stringify([body.content, body.data?.content, body.embeds]);
    // Mentions are escaped, so even a client that parsed them would show text.
    expect(text).not.toMatch(/(^|[^\\])@(everyone|here)/);
    expect(text).not.toMatch(/(^|[^\\])<@[&!]?\d+>/);
  }
}

const embedOf = (m: FakeMessage) => m.embeds[0] as Embed;
const button = (m: FakeMessage, label: string) =>
  (m.components as { components: { label: string; custom_id: string }[] }[])
    .flatMap((r) => r.components)
    .find((c) => c.label === label)!.custom_id;

let tmp: string;
let userSeq = 300000000000000000n;
const user = () => ({ id: String(++userSeq), username: 'asker' });

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'quotebot-discord-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('seed collection', () => {
  let fake: FakeDiscord;
  let bot: Bot;
  let texts: string[];

  beforeAll(async () => {
    texts = await readTexts('seeds');
    const engine = await openEngine({ corpusDir: 'seeds', indexDir: join(tmp, 'seeds-index'), embedder: 'use-lite' });
    fake = await FakeDiscord.start();
    bot = await startBot({ token: fake.token, engine, restUrl: fake.restUrl, log: memoryLogger('info', [fake.token]) });
  });
  afterAll(async () => {
    await bot?.stop(2000);
    await fake?.close();
  });

  test('/ask answered with verbatim, cited quotes, sources and both buttons', async () => {
    const ix = fake.sendCommand('ask', { question: 'what did Lavrov demand' }, { user: user() });
    await fake.waitForReply(ix);
    expect(ix.callbackType).toBe(5);
    const e = embedOf(ix.original!);
    expect(e.title).toBe('what did Lavrov demand');
    expect(expectVerbatim(texts, e.description!)).toBeGreaterThanOrEqual(1);
    expect(e.description).toMatch(/\*\*Sources\*\*\n\[1\]/);
    expect(e.description).toMatch(/— `\d{3}_[0-9a-f]+\.txt`/);
    expect(e.footer!.text).toMatch(/^Searched 5 documents/);
    expect(ix.original!.components).toHaveLength(1);
    // Sources: each citation validated by the engine and shown in its place.
    const src = fake.sendButton(button(ix.original!, 'Sources'), ix.original!, { user: user() });
    await fake.waitForReply(src);
    const embeds = src.original!.embeds as Embed[];
    expect(embeds.length).toBe(quotesOf(e.description!).length);
    for (const x of embeds) {
      expect(x.footer!.text).toMatch(/^\d{3}_[0-9a-f]+\.txt · paragraph \d+ of \d+$/);
      const bold = /\*\*([\s\S]+?)\*\*/.exec(x.description!)![1]!;
      expect(texts.some((t) => t.includes(displayed(bold)))).toBe(true);
    }
  });

  test('/ask unanswerable: public note, private follow-up naming the closest documents', async () => {
    const ix = fake.sendCommand('ask', { question: 'What is the recipe for banana bread?' }, { user: user() });
    await fake.waitForReply(ix, { followUps: 1 });
    expect(ix.original!.content).toMatch(/^No passage in the collection answers this question/);
    const f = ix.followUps[0]!;
    expect(f.flags).toBe(EPHEMERAL);
    expect(f.content).toContain('The closest documents were:');
    expect((f.content.match(/^• /gm) ?? []).length).toBeGreaterThanOrEqual(1);
  });

  test('/sources lists the documents; query gives at most 5 passages; doc gives the card; autocomplete', async () => {
    const list = fake.sendCommand('sources', {}, { user: user() });
    await fake.waitForReply(list);
    const listEmbed = embedOf(list.original!);
    expect(listEmbed.title).toBe('The collection: 5 documents');
    expect(listEmbed.description!.split('\n')).toHaveLength(5);
    for (const line of listEmbed.description!.split('\n'))
      expect(line).toMatch(/^\*\*.+\*\* — `\d{3}_[0-9a-f]+\.txt` · \d+ passages · \d+ words$/);

    const query = fake.sendCommand('sources', { query: 'missile defense system' }, { user: user() });
    await fake.waitForReply(query);
    const n = expectVerbatim(texts, embedOf(query.original!).description!);
    expect(n).toBeGreaterThanOrEqual(1);
    expect(n).toBeLessThanOrEqual(5);

    const auto = fake.sendAutocomplete('sources', { doc: 'missile' }, 'doc', { user: user() });
    await fake.waitForReply(auto);
    expect(auto.choices!.length).toBeGreaterThanOrEqual(1);
    expect(auto.choices!.length).toBeLessThanOrEqual(25);
    for (const c of auto.choices!) expect(c.name.toLowerCase()).toContain('missile');

    const card = fake.sendCommand('sources', { doc: String(auto.choices![0]!.value) }, { user: user() });
    await fake.waitForReply(card);
    const cardEmbed = card.original!.embeds[0] as { title: string; fields: { name: string; value: string }[] };
    expect(cardEmbed.title.toLowerCase()).toContain('missile');
    expect(cardEmbed.fields.find((f) => f.name === 'File')!.value).toBe(`\`${auto.choices![0]!.value}\``);
  });

  test('Pin through the real client: PUT on the pin endpoint, then confirmation', async () => {
    const ix = fake.sendCommand('ask', { question: 'what did Lavrov demand' }, { user: user() });
    await fake.waitForReply(ix);
    const pin = fake.sendButton(button(ix.original!, 'Pin'), ix.original!, {
      user: user(),
      memberPermissions: PERMS.withPin,
    });
    await fake.waitForReply(pin);
    expect(pin.original!.content).toBe('Pinned this answer to the channel. 📌');
    expect(
      fake.requestsTo('PUT', new RegExp(`/channels/${fake.channelId}/messages/pins/${ix.original!.id}$`)),
    ).toHaveLength(1);
  });

  test('nothing sent could ping or break a limit', () => {
    expectNoPings(fake);
  });
});

describe('hostile collection: long paragraphs, mentions and markdown in the text', () => {
  let fake: FakeDiscord;
  let bot: Bot;
  let texts: string[];
  const corpus = () => join(tmp, 'hostile');

  beforeAll(async () => {
    await cp('test/fixtures/hostile', corpus(), { recursive: true });
    // One paragraph that is a single 9,000-character sentence full of markdown and mentions.
    const words: string[] = [];
    for (let i = 0; words.join(' ').length < 9000; i++)
      words.push(
        i % 7 === 0
          ? '@everyone'
          : i % 5 === 0
            ? `<@${100000000000000000 + i}>`
            : i % 3 === 0
              ? `*lantern${i}*`
              : `lantern${i}_glow`,
      );
    await writeFile(
      join(corpus(), 'giant.txt'),
      `Lantern festival notes\n\nThe committee listed every lantern: ${words.join(' ')} and that was all.\n`,
    );
    texts = await readTexts(corpus());
    const engine = await openEngine({
      corpusDir: corpus(),
      indexDir: join(tmp, 'hostile-index'),
      embedder: 'use-lite',
    });
    fake = await FakeDiscord.start();
    bot = await startBot({ token: fake.token, engine, restUrl: fake.restUrl, log: memoryLogger('info', [fake.token]) });
  });
  afterAll(async () => {
    await bot?.stop(2000);
    await fake?.close();
  });

  test('quotes with @everyone, <@id> and markdown show literally and ping nobody', async () => {
    const ix = fake.sendCommand(
      'ask',
      { question: 'What message did the moderator accidentally send to the fan server?' },
      { user: user() },
    );
    await fake.waitForReply(ix);
    const d = embedOf(ix.original!).description!;
    expectVerbatim(texts, d);
    expect(d).toContain('\\@everyone the grand final is cancelled');
    expect(ix.original!.allowed_mentions).toEqual({ parse: [] });
    const role = fake.sendCommand(
      'ask',
      { question: 'Which role did the moderator mean to address?' },
      { user: user() },
    );
    await fake.waitForReply(role);
    expect(embedOf(role.original!).description).toContain('\\<@&123456789012345678\\>');
  });

  test('a very long paragraph: answers, lookups and the Sources view stay within limits', async () => {
    const ix = fake.sendCommand(
      'ask',
      { question: 'What happened to the retired teacher at the Orwell Junction ticket machine?' },
      { user: user() },
    );
    await fake.waitForReply(ix);
    const e = embedOf(ix.original!);
    expect(e.description!.length).toBeLessThanOrEqual(4096);
    expectVerbatim(texts, e.description!);
    const src = fake.sendButton(button(ix.original!, 'Sources'), ix.original!, { user: user() });
    await fake.waitForReply(src);
    expect((src.original!.embeds as Embed[]).length).toBeGreaterThanOrEqual(1);

    const q = fake.sendCommand('sources', { query: 'Orwell rail signalling timetable passengers' }, { user: user() });
    await fake.waitForReply(q);
    const qd = embedOf(q.original!).description!;
    expect(qd.length).toBeLessThanOrEqual(4096);
    expectVerbatim(texts, qd);
  });

  test('a single 9,000-character sentence is quoted as a piece of at most 3,000 characters, cut at a space, verbatim', async () => {
    const ix = fake.sendCommand(
      'ask',
      { question: 'Which lanterns did the festival committee list?' },
      { user: user() },
    );
    await fake.waitForReply(ix, { followUps: 0 });
    const e = embedOf(ix.original!);
    expect(e.description!.length).toBeLessThanOrEqual(4096);
    expectVerbatim(texts, e.description!);
    // No sentence is longer than MAX_SENTENCE_CHARS: the giant one is quoted as one of its pieces.
    const giant = texts.find((t) => t.startsWith('Lantern festival notes'))!;
    const piece = quotesOf(e.description!).find((q) => q.includes('lantern'))!;
    expect(piece.length).toBeLessThanOrEqual(MAX_SENTENCE_CHARS);
    const at = giant.indexOf(piece);
    expect(at).toBeGreaterThanOrEqual(0);
    expect(giant[at + piece.length]).toMatch(/\s/);
    const src = fake.sendButton(button(ix.original!, 'Sources'), ix.original!, { user: user() });
    await fake.waitForReply(src);
    const embeds = src.original!.embeds as Embed[];
    expect(
      embeds.reduce(
        (n, x) => n + (x.title?.length ?? 0) + (x.description?.length ?? 0) + (x.footer?.text.length ?? 0),
        0,
      ),
    ).toBeLessThanOrEqual(6000);
  });

  test('nothing sent could ping or break a limit', () => {
    expectNoPings(fake);
  });
});
