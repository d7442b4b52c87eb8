/**
 * `npm start` (with a token) and `npm run register` as real processes against the fake Discord:
 * login, an answered /ask, SIGTERM with an answer in flight (finished, exit 0), registration
 * (guild and global), clear errors, and the token never appearing in any output.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PermissionFlagsBits } from 'discord.js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { FakeDiscord } from './harness/fake-discord.js';
import { assertDistBuilt } from './helpers/run-cli.js';

const REPO = process.cwd();
const SEEDS = join(REPO, 'seeds');

const TOKEN = 'MTQ3NTg5MDAwMDAwMDAwMDAwMA.GfAkE1.tHiSiSnOtArEaLtOkEnAtAlL_0123456789';

interface Proc {
  child: ChildProcess;
  out: () => string;
  done: Promise<number | null>;
}

/** Runs a compiled script from a scratch directory (no .env there), with only the given environment. */
function run(script: string, env: Record<string, string>): Proc {
  const child = spawn(process.execPath, [join(REPO, script)], {
    cwd: indexDir,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const done = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, out: () => out, done };
}

let indexDir: string;
beforeAll(async () => {
  assertDistBuilt(['start', 'register']);
  indexDir = await mkdtemp(join(tmpdir(), 'quotebot-process-'));
});
afterAll(async () => {
  await rm(indexDir, { recursive: true, force: true });
});

describe('npm start with a token', () => {
  let fake: FakeDiscord;
  beforeAll(async () => {
    fake = await FakeDiscord.start({ token: TOKEN });
  });
  afterAll(async () => {
    await fake?.close();
  });

  test('logs in, answers, finishes the in-flight answer on SIGTERM and exits 0; the token never appears', async () => {
    const p = run('dist/scripts/start.js', {
      DISCORD_TOKEN: TOKEN,
      DISCORD_REST_URL: fake.restUrl,
      CORPUS_DIR: SEEDS,
      INDEX_DIR: join(indexDir, 'index'),
      EMBEDDER: 'use-lite',
      LOG_LEVEL: 'debug',
    });
    try {
      await fake.waitForReady(60_000);
      const ix = fake.sendCommand('ask', { question: 'what did Lavrov demand' });
      await fake.waitForReply(ix);
      expect((ix.original!.embeds[0] as { title: string }).title).toBe('what did Lavrov demand');

      // An answer in flight when SIGTERM arrives is still delivered: its edit is held back by a 429
      // (retry after 1 s) and SIGTERM is sent while discord.js waits to retry.
      fake.inject429({ method: 'PATCH', match: /\/messages\/%40original$/, count: 1, retryAfterS: 1 });
      const last = fake.sendCommand(
        'ask',
        { question: 'What did NATO promise Russia about the missile shield?' },
        { user: { id: '100000000000000077', username: 'late' } },
      );
      const limited = () => fake.requests.some((r) => r.status === 429 && r.path.includes(last.token));
      for (let i = 0; i < 200 && !limited(); i++) await new Promise((r) => setTimeout(r, 25));
      expect(limited()).toBe(true);
      expect(last.original!.ready).toBe(false);
      const killedAt = Date.now();
      p.child.kill('SIGTERM');
      expect(await p.done).toBe(0);
      expect(last.original!.ready).toBe(true);
      expect(last.events.at(-1)!.kind).toBe('edit');
      expect(last.events.at(-1)!.at).toBeGreaterThan(killedAt);
    } finally {
      p.child.kill('SIGKILL');
    }
    const out = p.out();
    expect(out).toContain('"event":"ready"');
    expect(out).toMatch(/"event":"interaction".*"command":"ask".*"latency_ms":\d+.*"answered":true/);
    expect(out).toContain('"event":"stopped"');
    expect(out).not.toContain(TOKEN);
    expect(out).not.toContain(TOKEN.split('.')[2]!);
  });

  test('a wrong token: one clear line, exit 1, and the token is not echoed', async () => {
    const wrong = TOKEN.replace('GfAkE1', 'WrOnG1');
    const p = run('dist/scripts/start.js', {
      DISCORD_TOKEN: wrong,
      DISCORD_REST_URL: fake.restUrl,
      CORPUS_DIR: SEEDS,
      INDEX_DIR: join(indexDir, 'index'),
      EMBEDDER: 'use-lite',
      LOG_LEVEL: 'silent',
    });
    expect(await p.done).toBe(1);
    expect(p.out()).toMatch(/Discord login failed/);
    expect(p.out()).not.toContain(wrong);
    expect(p.out()).not.toContain('WrOnG1');
  });
});

describe('npm run register', () => {
  let fake: FakeDiscord;
  beforeAll(async () => {
    fake = await FakeDiscord.start({ token: TOKEN });
  });
  afterAll(async () => {
    await fake?.close();
  });

  test('guild commands when DISCORD_GUILD_ID is set, else global, through DISCORD_REST_URL', async () => {
    const env = { DISCORD_TOKEN: TOKEN, DISCORD_CLIENT_ID: fake.appId, DISCORD_REST_URL: fake.restUrl };
    const guild = run('dist/scripts/register.js', { ...env, DISCORD_GUILD_ID: fake.guildId });
    expect(await guild.done).toBe(0);
    expect(guild.out()).toMatch(
      /^Registered 5 commands \(Apps → Add to sources, Apps → Ask about this, \/ask, \/collection, \/sources\) in guild \d+/,
    );
    const global = run('dist/scripts/register.js', env);
    expect(await global.done).toBe(0);
    expect(global.out()).toMatch(/^Registered 5 global commands/);
    expect(fake.registered.map((r) => r.path)).toEqual([
      `/applications/${fake.appId}/guilds/${fake.guildId}/commands`,
      `/applications/${fake.appId}/commands`,
    ]);
    const body = fake.registered[0]!.body as {
      name: string;
      type?: number;
      default_member_permissions?: string | null;
      options: {
        name: string;
        type: number;
        required?: boolean;
        min_length?: number;
        max_length?: number;
        autocomplete?: boolean;
        options?: unknown[];
      }[];
    }[];
    // Message context-menu commands (Apps → …): type 3; adding to the sources needs Manage Server by default.
    expect(body.find((c) => c.name === 'Ask about this')).toMatchObject({ type: 3 });
    expect(body.find((c) => c.name === 'Ask about this')!.default_member_permissions ?? null).toBeNull();
    expect(body.find((c) => c.name === 'Add to sources')).toMatchObject({ type: 3, default_member_permissions: '32' });
    const ask = body.find((c) => c.name === 'ask')!;
    expect(ask.options).toMatchObject([
      { name: 'question', type: 3, required: true, min_length: 3, max_length: 300 },
      { name: 'private', type: 5 },
    ]);
    const sources = body.find((c) => c.name === 'sources')!;
    expect(sources.options).toMatchObject([
      { name: 'query', type: 3 },
      { name: 'doc', type: 3, autocomplete: true },
    ]);
    // /collection: moderators only (Manage Server by default, checked again on use), servers only.
    const collection = body.find((c) => c.name === 'collection')! as (typeof body)[number] & {
      default_member_permissions?: string;
      contexts?: number[];
    };
    expect(collection.default_member_permissions).toBe(String(PermissionFlagsBits.ManageGuild));
    expect(collection.contexts).toEqual([0]);
    expect(collection.options).toMatchObject([
      {
        name: 'add',
        type: 1,
        options: [
          { name: 'file', type: 11, required: true },
          { name: 'title', type: 3 },
          { name: 'url', type: 3 },
          { name: 'replace', type: 5 },
        ],
      },
      { name: 'add-url', type: 1, options: [{ name: 'url', type: 3, required: true, max_length: 2000 }] },
      { name: 'remove', type: 1, options: [{ name: 'doc', type: 3, required: true, autocomplete: true }] },
      { name: 'feeds', type: 1 },
      { name: 'settings', type: 1, options: [{ name: 'base', type: 5 }] },
      { name: 'insights', type: 1, options: [{ name: 'days', type: 4, choices: [{ value: 7 }, { value: 30 }] }] },
    ]);
    expect(guild.out() + global.out()).not.toContain(TOKEN);
  });

  test('missing token or client id: one clear line, exit 1', async () => {
    const noToken = run('dist/scripts/register.js', { DISCORD_CLIENT_ID: fake.appId, DISCORD_REST_URL: fake.restUrl });
    expect(await noToken.done).toBe(1);
    expect(noToken.out().trim()).toMatch(/^DISCORD_TOKEN is not set: [^\n]+$/);
    const noClient = run('dist/scripts/register.js', { DISCORD_TOKEN: TOKEN, DISCORD_REST_URL: fake.restUrl });
    expect(await noClient.done).toBe(1);
    expect(noClient.out().trim()).toMatch(/^DISCORD_CLIENT_ID is not set: [^\n]+$/);
  });

  test('a rejected token: one line, no token', async () => {
    const p = run('dist/scripts/register.js', {
      DISCORD_TOKEN: TOKEN + 'x',
      DISCORD_CLIENT_ID: fake.appId,
      DISCORD_REST_URL: fake.restUrl,
    });
    expect(await p.done).toBe(1);
    expect(p.out().trim()).toMatch(/^Registration failed: [^\n]+$/);
    expect(p.out()).not.toContain(TOKEN);
  });
});
