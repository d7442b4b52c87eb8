/**
 * Replacing a document while the bot runs (`/collection add … replace:true` in a server's own
 * collection, the console's `/sources add PATH --replace` in the base), through the fake Discord
 * and the console over the REAL engine: a taken name is refused without `replace`, with nothing
 * changed; a base document of the same name is never replaced from a server; with `replace` the
 * file is swapped atomically, only the changed document is re-embedded, the reply says so, the
 * edit is logged with who made it, and from then on the new text is cited and the old text never again.
 */
import { copyFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PermissionFlagsBits } from 'discord.js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { collectionEditor } from '../src/live/collection.js';
import { consoleReply, type ConsoleSession } from '../src/cli/console.js';
import { memoryLogger } from '../src/core/log.js';
import { type LiveEngine } from '../src/live/live.js';
import { EPHEMERAL, FakeDiscord, PERMS, type FakeInteraction, type FakeMessage } from './harness/fake-discord.js';
import { REPO, tempDir } from './helpers/tmp-collection.js';
import { guildBot, type GuildBot } from './helpers/guilds.js';
import type { FullEngine } from '../src/engine/create.js';
import type { GuildCollections } from '../src/live/guilds.js';
import { toPlainText } from '../src/message/rendered.js';

const C = join(REPO, 'test', 'fixtures', 'collection-c');
const MANAGE = PERMS.basic | PermissionFlagsBits.ManageGuild;

/** Three versions of one yearly report: each audit finding says something different. */
const report = (v: { result: string; reason: string; chair: string }) =>
  [
    'Harbour trust annual report',
    `The harbour trust's auditors found ${v.result} for the year, according to the annual report published on Friday.`,
    `The trust said the result came from ${v.reason}.`,
    `The trust's chair, ${v.chair}, presented the report to the city council and answered questions from members for an hour.`,
    'The report will be discussed again when the council meets next month to set the harbour fees for the coming season.',
    '',
  ].join('\n\n');
const V1 = {
  result: 'a surplus of 4.2 million crowns',
  reason: 'record cruise ship fees and lower dredging costs',
  chair: 'Ingrid Solberg',
};
const V2 = {
  result: 'a deficit of 7.9 million crowns',
  reason: 'storm damage to the north pier and a fall in cargo traffic',
  chair: 'Henrik Aas',
};
const V3 = {
  result: 'a balanced budget with neither surplus nor deficit',
  reason: 'an insurance payment for the storm damage',
  chair: 'Marta Lund',
};
const QUESTION = "What did the auditors find about the harbour trust's finances for the year?";
/** The base's own report.txt: another document of the same name. */
const BASE_REPORT =
  'Orchard cooperative report\n\nThe orchard cooperative said its apple harvest was the largest since the valley was first planted.\n';

let root: string;
let corpus: string;
let fake: FakeDiscord;
let live: { engine: LiveEngine<FullEngine>; close(): void };
let guilds: GuildCollections;
let harness: GuildBot;
let serverDocs: string;
const log = memoryLogger('info');
let seq = 500000000000000000n;
const user = () => ({ id: String(++seq), username: `member${seq % 1000n}` });
const events = (name: string) =>
  log.lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((e) => e.event === name);

let firstAnswer: FakeMessage;

async function askFull(question: string): Promise<FakeInteraction> {
  const ix = fake.sendCommand('ask', { question }, { user: user() });
  return fake.waitForReply(ix, { followUps: 0 });
}
const ask = async (question: string) => {
  const ix = await askFull(question);
  return JSON.stringify([ix.original, ...ix.followUps]);
};
const sourcesButton = (m: FakeMessage) =>
  (m.components as { components: { label: string; custom_id: string }[] }[])
    .flatMap((r) => r.components)
    .find((b) => b.label === 'Sources')!.custom_id;

function upload(
  content: string,
  opts: { replace?: boolean; by?: { id: string; username: string }; name?: string; title?: string; url?: string } = {},
): Promise<FakeInteraction> {
  const options = {
    file: { filename: opts.name ?? 'report.txt', content: Buffer.from(content) },
    ...(opts.replace !== undefined && { replace: opts.replace }),
    ...(opts.title && { title: opts.title }),
    ...(opts.url && { url: opts.url }),
  };
  const ix = fake.sendCommand('collection', options, {
    subcommand: 'add',
    user: opts.by ?? user(),
    memberPermissions: MANAGE,
  });
  return fake.waitForReply(ix, { timeoutMs: 60_000 });
}

beforeAll(async () => {
  root = await tempDir('quotebot-replace-');
  corpus = join(root, 'corpus');
  await mkdir(corpus);
  await copyFile(join(C, 'c1_airline_strike.txt'), join(corpus, 'c1_airline_strike.txt'));
  await writeFile(join(corpus, 'report.txt'), BASE_REPORT);
  ({ live, fake, guilds } = harness = await guildBot({ root, corpus, log }));
  serverDocs = join(root, 'guilds', fake.guildId, 'docs');
}, 120_000);
afterAll(async () => {
  await harness?.close();
  await rm(root, { recursive: true, force: true });
});

describe('/collection add replace:true', () => {
  test('the base’s document of the same name is never replaced from a server; the first version is what gets cited', async () => {
    const refused = await upload(report(V1), { replace: true });
    expect(refused.original!.content).toBe(
      "`report.txt` is in the bot's base collection, which only the bot's operator can change; a server can hide the whole base with /collection settings base:false.",
    );
    expect(await readFile(join(corpus, 'report.txt'), 'utf8')).toBe(BASE_REPORT);
    // Names are per collection: the server's own report.txt is another document.
    const added = await upload(report(V1), { title: 'Harbour trust report', url: 'https://example.org/harbour' });
    expect(added.original!.content).toMatch(/^Added `report\.txt`/);
    expect(
      (await upload(await readFile(join(C, 'c3_wildfire_budget.txt'), 'utf8'), { name: 'c3.txt' })).original!.content,
    ).toMatch(/^Added/);
    expect(await readFile(join(corpus, 'report.txt'), 'utf8')).toBe(BASE_REPORT);
    const ix = await askFull(QUESTION);
    firstAnswer = ix.original!;
    const answer = JSON.stringify(firstAnswer);
    expect(answer).toContain('surplus of 4.2 million crowns');
    expect(answer).toContain("report.txt` · this server's own");
  });

  test('a taken name without replace is refused, naming the option; nothing changes', async () => {
    for (const replace of [undefined, false]) {
      const ix = await upload(report(V2), { replace });
      expect(ix.original!.flags).toBe(EPHEMERAL);
      expect(ix.original!.content).toBe(
        'A document named report.txt is already in the collection: add it again with replace:true to replace it, or upload it under another name.',
      );
    }
    expect(await readFile(join(serverDocs, 'report.txt'), 'utf8')).toBe(report(V1));
    expect(await ask(QUESTION)).toContain('surplus of 4.2 million crowns');
  });

  test('replace:true swaps the file, re-embeds only it, says so and logs who did it; the old text is never cited again', async () => {
    const before = events('guild_reindexed').length;
    const added = events('source_added').length;
    const ix = await upload(report(V2), { replace: true, by: { id: '500000000000000777', username: 'mod' } });
    expect(ix.original!.flags).toBe(EPHEMERAL);
    expect(ix.original!.content).toMatch(
      /^Replaced `report\.txt` \(\d+ (?:KB|bytes), \d+ passages\): the new version is indexed and answerable now; the old one will not be cited any more\. Try \/ask\.$/,
    );
    expect(events('source_replaced').at(-1)).toMatchObject({
      doc: 'report.txt',
      guild: fake.guildId,
      by: '500000000000000777',
      by_name: 'mod',
      outcome: 'replaced',
    });
    expect(events('source_added')).toHaveLength(added);
    // Only the changed document was embedded: the other one's vectors were reused.
    const re = events('guild_reindexed').slice(before);
    expect(re).toHaveLength(1);
    expect(re[0]).toMatchObject({ docs: 2, guild: fake.guildId });
    expect(Number(re[0]!.embedded)).toBeGreaterThan(0);
    expect(Number(re[0]!.reused)).toBeGreaterThan(Number(re[0]!.embedded));
    // The file was renamed into place: no temp file is left, and sources.json kept its entry.
    expect((await readdir(serverDocs)).sort()).toEqual(['c3.txt', 'report.txt', 'sources.json']);
    expect(await readFile(join(serverDocs, 'report.txt'), 'utf8')).toBe(report(V2));
    const server = await guilds.engineFor(fake.guildId);
    expect(server.document('report.txt', 'server')!.title).toBe('Harbour trust report');
    expect(server.document('report.txt', 'server')!.url).toBe('https://example.org/harbour');
    expect(await readFile(join(corpus, 'report.txt'), 'utf8')).toBe(BASE_REPORT);

    for (const q of [
      QUESTION,
      'Why did the harbour trust end the year where it did?',
      'Who presented the harbour report to the city council?',
    ]) {
      const answer = await ask(q);
      expect(answer).not.toMatch(/4\.2 million|cruise ship fees|Ingrid Solberg/);
    }
    const answer = await ask(QUESTION);
    expect(answer).toContain('deficit of 7.9 million crowns');
    const lookup = fake.sendCommand(
      'sources',
      { query: 'harbour trust auditors surplus cruise ship fees' },
      { user: user() },
    );
    await fake.waitForReply(lookup);
    expect((lookup.original!.embeds[0] as { description: string }).description).toContain('7.9 million');
    expect((lookup.original!.embeds[0] as { description: string }).description).not.toMatch(
      /4\.2 million|cruise ship fees|Ingrid Solberg/,
    );
    // The Sources button of an answer given before the replacement cannot show the old text,
    // nor new text at the old offsets: those citations are gone.
    const src = fake.sendButton(sourcesButton(firstAnswer), firstAnswer, { user: user() });
    await fake.waitForReply(src);
    expect(src.original!.content).toMatch(/^These sources could not be found any more/);
    expect(JSON.stringify(src.original)).not.toMatch(
      /4\.2 million|cruise ship fees|Ingrid Solberg|7\.9 million|north pier|Henrik Aas/,
    );
  });
});

describe('console: /sources add PATH --replace', () => {
  test('refused without the flag; with it replaced, logged as the console; the new text is cited, the older never', async () => {
    const consoleLog = memoryLogger('info');
    const session: ConsoleSession = {
      collection: { editor: collectionEditor(corpus, 64 * 1024), refresh: live.engine.refresh },
      log: consoleLog,
    };
    const say = async (line: string) => toPlainText((await consoleReply(live.engine, line, session))!);
    const upload = join(root, 'upload');
    await mkdir(upload);
    await writeFile(join(upload, 'report.txt'), report(V3));

    expect(await say(`/sources add ${join(upload, 'report.txt')}`)).toContain(
      'A document named report.txt is already in the collection: add it again with replace:true',
    );
    expect(await readFile(join(corpus, 'report.txt'), 'utf8')).toBe(BASE_REPORT);

    expect(await say(`/sources add ${join(upload, 'report.txt')} --replace`)).toMatch(
      /^Replaced report\.txt \(\d+ (?:KB|bytes), \d+ passages\): the new version is indexed and answerable now; the old one will not be cited any more\.$/,
    );
    const logged = consoleLog.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(logged.find((e) => e.event === 'source_replaced')).toMatchObject({
      doc: 'report.txt',
      by: 'console',
      indexed: true,
    });

    const answer = await say(`/ask ${QUESTION}`);
    expect(answer).toContain('neither surplus nor deficit');
    expect(answer).not.toMatch(/7\.9 million|4\.2 million|Henrik Aas|Ingrid Solberg/);
    // replace:true works in the console too (same file again: still one document).
    expect(await say(`/sources add ${join(upload, 'report.txt')} replace:true`)).toMatch(/^Replaced report\.txt/);
    expect(
      live.engine
        .documents()
        .map((d) => d.doc)
        .sort(),
    ).toEqual(['c1_airline_strike.txt', 'report.txt']);
  });
});
