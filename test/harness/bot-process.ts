/**
 * The REAL bot as a child process, logged into the fake Discord: `startBotProcess`, the questions the
 * load runs ask, and small measuring helpers. Shared by test/harness/loadtest.ts (`npm run loadtest`)
 * and the reliability tests; never compiled into dist/ (the bot itself is `node dist/scripts/start.js`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FakeDiscord, type FakeInteraction } from './fake-discord.js';

/** Repo root (this file is at test/harness/). */
export const ROOT = (() => {
  const here = fileURLToPath(new URL('.', import.meta.url));
  for (const up of ['..', '../..']) {
    const dir = resolve(here, up);
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'seeds'))) return dir;
  }
  return process.cwd();
})();
export const START_JS = join(ROOT, 'dist', 'scripts', 'start.js');

export interface BotProcess {
  child: ChildProcess;
  pid: number;
  /** Everything the bot wrote, stdout and stderr. */
  readonly stdout: string;
  readonly stderr: string;
  /** Exit code once exited (null = signal), undefined while running. */
  exitCode(): number | null | undefined;
  /** Resolves with the exit code (or null for a signal). */
  exited: Promise<number | null>;
  /** Parsed JSON log lines (the bot logs on stderr). */
  logLines(): Record<string, unknown>[];
  /** Lines (stdout+stderr) that mention an unhandled rejection or an uncaught exception. */
  unhandled(): string[];
  /** RSS of the bot process in kB (from /proc), or NaN. */
  rssKb(): number;
  /** SIGTERM, bounded wait, then SIGKILL. Resolves with the exit code. */
  stop(timeoutMs?: number): Promise<number | null>;
}

export interface StartBotOptions {
  fake: FakeDiscord;
  corpusDir?: string;
  indexDir: string;
  /** Servers' own collections (default: `<indexDir>-guilds`). */
  guildsDir?: string;
  /** Overrides for the bot's environment. */
  env?: Record<string, string>;
  /** Wait for the gateway session (default 180 s: the first run builds the index). */
  readyTimeoutMs?: number;
}

/** The bot's environment: nothing inherited that could point it anywhere but the fake. */
function botEnv(opts: StartBotOptions): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    DISCORD_TOKEN: opts.fake.token,
    DISCORD_REST_URL: opts.fake.restUrl,
    CORPUS_DIR: opts.corpusDir ?? join(ROOT, 'seeds'),
    INDEX_DIR: opts.indexDir,
    GUILDS_DIR: opts.guildsDir ?? `${opts.indexDir}-guilds`,
    EMBEDDER: 'use-lite',
    RATE_LIMIT_COUNT: '1000000',
    RATE_LIMIT_WINDOW_S: '1',
    LOG_LEVEL: 'info',
    ...opts.env,
  };
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  return env;
}

/** Starts `node dist/scripts/start.js` against the fake and waits for its gateway session. */
export async function startBotProcess(opts: StartBotOptions): Promise<BotProcess> {
  if (!existsSync(START_JS)) throw new Error(`${START_JS} is missing: run npm run build first`);
  // cwd: an empty temp dir, so no .env is picked up.
  const cwd = join(tmpdir(), 'quotebot-empty-cwd');
  mkdirSync(cwd, { recursive: true });
  const child = spawn(process.execPath, [START_JS], { cwd, env: botEnv(opts), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let code: number | null | undefined;
  const lines: Record<string, unknown>[] = [];
  let partial = '';
  const parse = (d: string) => {
    const parts = (partial + d).split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) {
      if (!line.startsWith('{')) continue;
      try {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        /* not a log line */
      }
    }
  };
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
    parse(d);
  });
  const exited = new Promise<number | null>((r) =>
    child.once('exit', (c) => {
      code = c;
      r(c);
    }),
  );
  const proc: BotProcess = {
    child,
    pid: child.pid!,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    exitCode: () => code,
    exited,
    logLines: () => lines,
    unhandled() {
      return (stdout + '\n' + stderr).split('\n').filter((l) => /unhandled.?rejection|uncaught/i.test(l));
    },
    rssKb() {
      // The bot and the processes it started (shards).
      const rss = (pid: string): number => {
        try {
          const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+)\s+kB/m);
          const kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
          return (m ? Number(m[1]) : NaN) + kids.reduce((sum, k) => sum + rss(k), 0);
        } catch {
          return NaN;
        }
      };
      return rss(String(child.pid));
    },
    async stop(timeoutMs = 15_000) {
      if (code !== undefined) return code;
      child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const killed = new Promise<void>((r) => {
        timer = setTimeout(() => {
          if (code === undefined) child.kill('SIGKILL');
          r();
        }, timeoutMs);
      });
      await Promise.race([exited, killed]);
      clearTimeout(timer);
      return exited;
    },
  };
  // Ready = the fake saw a gateway session AND the bot logged `ready` (its signal handlers are installed then).
  const botReady = async () => {
    const deadline = Date.now() + (opts.readyTimeoutMs ?? 180_000);
    while (!lines.some((l) => l.event === 'ready')) {
      if (code !== undefined) return;
      if (Date.now() > deadline) throw new Error('timed out waiting for the bot to log ready');
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  try {
    await Promise.race([
      Promise.all([opts.fake.waitForReady(opts.readyTimeoutMs ?? 180_000), botReady()]),
      exited.then((c) => {
        throw new Error(`bot exited (${c}) before READY:\n${stderr.slice(-2000)}`);
      }),
    ]);
  } catch (err) {
    await proc.stop(3000);
    throw err;
  }
  return proc;
}

/** A reusable index dir for a corpus (the bot builds it on first start, rebuilds when stale). */
export function indexDirFor(name: string): string {
  const dir = join(tmpdir(), `quotebot-${name}-index`);
  return dir;
}

export const ANSWERABLE = [
  'what did Lavrov demand',
  'What did Putin say about countries that join NATO?',
  'Who is Frank Rose?',
  'Which treaty did the US leave?',
  'What did Putin call the expansion of NATO after the Cold War?',
  'Which two countries will host the first missile defense bases?',
  "When did Oliver Stone's documentary with Putin air on Russian TV?",
  'How many NATO troops did Poland request in 2014?',
  'Which think tank does Keir Giles work at?',
  'What has Romania asked NATO to provide in the Black Sea?',
];
export const UNANSWERABLE = [
  'What is the weather in Paris today?',
  'How do I subscribe to the newsletter?',
  'Who won the football world cup in 1998?',
  'What is the recipe for banana bread?',
  'How tall is the Eiffel Tower?',
];

/** Time (ms from sending) at which the final visible answer arrived, or undefined. */
export function finalAt(ix: FakeInteraction): number | undefined {
  if (ix.callbackType === undefined) return undefined;
  if (ix.callbackType === 4) return ix.callbackAt;
  if (!ix.original?.ready) return undefined;
  const last = ix.events.filter((e) => e.kind === 'edit' || e.kind === 'followup').at(-1);
  return last?.at;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}
