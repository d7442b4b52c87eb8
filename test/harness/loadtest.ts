/**
 * npm run loadtest -- [--n 200] [--rounds 3] [--json] [--timeout-ms 60000] [--max-rss-growth-mb 64] [--reuse-users]
 *                      [--shards N] [--index-url postgres://…] [--churn]
 *
 * Starts the fake Discord (test/harness/fake-discord.ts) on 127.0.0.1, then the REAL bot process
 * (`node dist/scripts/start.js`) logged into it, and fires N concurrent /ask interactions per round
 * (answerable and unanswerable questions, one distinct user each). Prints, per round: time to every
 * defer (max must stay < 3000 ms), time to every final answer (p50/p95/max), answers lost (0),
 * message-limit violations and pings (0), unhandled rejections in the bot's logs (0), and the bot's
 * RSS before and after. Exits non-zero when a target is missed. Loopback only.
 * `--shards N` runs the bot with SHARDS=N (N shard processes under discord.js's ShardingManager;
 * questions are spread over the shards, and none may be lost on any); `--index-url` points every
 * process at one Postgres store (e.g. from `npm run -s db:serve`); RSS then sums all processes.
 * `--churn` (local files) answers from a copy of the seeds and adds or removes a file in it at the
 * start of every round: the index is rebuilt (and, with shards, every shard switches generation)
 * while the round's questions are being answered; none may be lost, no error logged.
 *
 * `--hostile` instead uploads the issue's hostile files (a 600 KB run of "A. ", a PDF inflating to
 * 512 MB, 60,000 nested divs, a 150,000-line file) one after the other while another server asks
 * once a second: every upload answered (added or refused) within 3 minutes, every question deferred
 * < 3 s and answered < 10 s, none lost, the bot's event loop held ≤ 100 ms at a time, its RSS
 * ≤ 1.5 GB (test/harness/hostile-uploads.ts).
 *
 * The bot process and its helpers live in test/harness/bot-process.ts, shared with the reliability tests.
 */
import { chmod, cp, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseCli } from '../../src/cli/args.js';
import { FakeDiscord, type FakeInteraction } from './fake-discord.js';
import { runHostileUploads } from './hostile-uploads.js';
import {
  ANSWERABLE,
  UNANSWERABLE,
  ROOT,
  finalAt,
  indexDirFor,
  percentile,
  startBotProcess,
  type BotProcess,
} from './bot-process.js';

interface RoundResult {
  round: number;
  n: number;
  answered: number;
  refused: number;
  lost: number;
  deferMaxMs: number;
  deferP95Ms: number;
  /** Longest gap between two consecutive defers arriving at the fake: a bot event-loop stall. */
  deferGapMaxMs: number;
  finalP50Ms: number;
  finalP95Ms: number;
  finalMaxMs: number;
  wallMs: number;
  rssBeforeMb: number;
  rssAfterMb: number;
  violations: number;
  pings: number;
  /** Answers (or refusals) delivered per shard: none lost on any. */
  perShard: number[];
  /** `rest_rate_limited` lines the bot logged this round (discord.js REST queueing), global ones separately. */
  restRateLimited: number;
  restGlobalRateLimited: number;
}

/** `spreadMs`: the questions are sent over this long instead of all at once (--churn: across a rebuild). */
async function runRound(
  fake: FakeDiscord,
  bot: BotProcess,
  round: number,
  n: number,
  timeoutMs: number,
  userBase: bigint,
  shards = 1,
  spreadMs = 0,
): Promise<RoundResult> {
  const rssBefore = bot.rssKb();
  const violationsBefore = fake.violations.length;
  const logsBefore = bot.logLines().length;
  const started = Date.now();
  const ixs: FakeInteraction[] = [];
  for (let k = 0; k < n; k++) {
    if (spreadMs) await new Promise((r) => setTimeout(r, spreadMs / n));
    // Two answerable questions for each unanswerable one.
    const q = k % 3 === 2 ? UNANSWERABLE[k % UNANSWERABLE.length]! : ANSWERABLE[k % ANSWERABLE.length]!;
    const id = String(userBase + BigInt(k));
    ixs.push(
      fake.sendCommand(
        'ask',
        { question: q },
        { user: { id, username: `load${id.slice(-6)}` }, ...(shards > 1 ? { shard: k % shards } : {}) },
      ),
    );
  }
  const ids = new Set(ixs.map((x) => x.id));
  // Done = the final message is visible AND the bot logged the handler's end (refusals add a follow-up).
  const logged = new Set<string>();
  let seen = 0;
  const finished = () => {
    const all = bot.logLines();
    for (; seen < all.length; seen++) {
      const l = all[seen]!;
      if (l.event === 'interaction' && ids.has(String(l.id))) logged.add(String(l.id));
    }
    return ixs.filter((x) => finalAt(x) !== undefined && logged.has(x.id)).length;
  };
  const deadline = started + timeoutMs;
  while (finished() < n && Date.now() < deadline && bot.exitCode() === undefined)
    await new Promise((r) => setTimeout(r, 50));
  const wallMs = Date.now() - started;
  await new Promise((r) => setTimeout(r, 300));
  const rssAfter = bot.rssKb();

  const defers = ixs
    .filter((x) => x.callbackAt !== undefined)
    .map((x) => x.callbackAt! - x.sentAt)
    .sort((a, b) => a - b);
  const finals = ixs
    .map((x) => (finalAt(x) ?? NaN) - x.sentAt)
    .filter((t) => !Number.isNaN(t))
    .sort((a, b) => a - b);
  const lost = ixs.filter((x) => finalAt(x) === undefined).length;
  const answered = ixs.filter((x) => (x.original?.embeds.length ?? 0) > 0).length;
  let pings = 0;
  for (const x of ixs)
    for (const e of x.events) {
      if (
        e.kind === 'callback' &&
        (e.body.data as Record<string, unknown> | undefined)?.allowed_mentions === undefined &&
        e.body.type === 4
      )
        pings++;
      if (e.kind !== 'callback') {
        const am = e.body.allowed_mentions as { parse?: unknown[] } | undefined;
        if (!am || !Array.isArray(am.parse) || am.parse.length > 0) pings++;
      }
    }
  return {
    round,
    n,
    answered,
    refused: n - answered - lost,
    lost,
    deferMaxMs: defers.length ? defers.at(-1)! : NaN,
    deferP95Ms: percentile(defers, 95),
    deferGapMaxMs: maxGap(ixs.filter((x) => x.callbackAt !== undefined).map((x) => x.callbackAt!)),
    finalP50Ms: percentile(finals, 50),
    finalP95Ms: percentile(finals, 95),
    finalMaxMs: finals.length ? finals.at(-1)! : NaN,
    wallMs,
    rssBeforeMb: round1(rssBefore / 1024),
    rssAfterMb: round1(rssAfter / 1024),
    perShard: Array.from(
      { length: shards },
      (_, sh) => ixs.filter((x, k) => k % shards === sh && finalAt(x) !== undefined).length,
    ),
    violations: fake.violations.length - violationsBefore,
    pings,
    restRateLimited: bot
      .logLines()
      .slice(logsBefore)
      .filter((l) => l.event === 'rest_rate_limited').length,
    restGlobalRateLimited: bot
      .logLines()
      .slice(logsBefore)
      .filter((l) => l.event === 'rest_rate_limited' && l.global === true).length,
  };
}

/** --churn: a round's questions are sent over this long, so a rebuild and the shards' switch fall among them. */
const CHURN_SPREAD_MS = 4000;

const round1 = (x: number) => Math.round(x * 10) / 10;

function maxGap(times: number[]): number {
  const t = [...times].sort((a, b) => a - b);
  let gap = 0;
  for (let i = 1; i < t.length; i++) gap = Math.max(gap, t[i]! - t[i - 1]!);
  return gap;
}

async function main(): Promise<void> {
  const { values } = parseCli({
    options: {
      n: { type: 'string', default: '200' },
      rounds: { type: 'string', default: '3' },
      json: { type: 'boolean', default: false },
      'timeout-ms': { type: 'string', default: '60000' },
      'max-rss-growth-mb': { type: 'string', default: '64' },
      /** Same N users every round (separates per-user caches from a leak in the RSS figures). */
      'reuse-users': { type: 'boolean', default: false },
      shards: { type: 'string', default: '1' },
      'index-url': { type: 'string' },
      churn: { type: 'boolean', default: false },
      hostile: { type: 'boolean', default: false },
    },
  });
  if (values.hostile) {
    const report = await runHostileUploads({ say: (l) => !values.json && process.stderr.write(`${l}\n`) });
    if (values.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
    else
      process.stderr.write(
        `questions: ${JSON.stringify(report.asks)}\nevent loop held at most ${report.eventLoopMaxMs} ms; RSS ${report.rssBeforeMb} → peak ${report.rssPeakMb} MB\n` +
          (report.ok ? 'All targets met.\n' : `FAILED:\n  ${report.failures.join('\n  ')}\n`),
      );
    process.exit(report.ok ? 0 : 1);
  }
  const n = Math.max(1, Number(values.n));
  const rounds = Math.max(1, Number(values.rounds));
  const timeoutMs = Number(values['timeout-ms']);
  const maxGrowth = Number(values['max-rss-growth-mb']);
  const shards = Math.max(1, Number(values.shards) || 1);
  const indexUrl = values['index-url'];
  const extraEnv: Record<string, string> = {
    ...(shards > 1 ? { SHARDS: String(shards) } : {}),
    ...(indexUrl ? { INDEX_URL: indexUrl } : {}),
  };
  const say = (s: string) => {
    if (!values.json) process.stderr.write(s + '\n');
  };

  const fake = await FakeDiscord.start({ token: 'LOADTEST.FAKE.token-not-a-secret' });
  let bot: BotProcess | undefined;
  const results: RoundResult[] = [];
  let exitCode: number | null = null;
  let unhandled: string[] = [];
  // --churn: a writable copy of the seeds and its own index.
  const churnRoot = values.churn && !indexUrl ? await mkdtemp(join(tmpdir(), 'quotebot-churn-')) : undefined;
  const corpusDir = churnRoot && join(churnRoot, 'corpus');
  let rebuilds = 0;
  let errorsLogged = 0;
  try {
    if (corpusDir) {
      await cp(join(ROOT, 'seeds'), corpusDir, { recursive: true });
      for (const f of await readdir(corpusDir)) await chmod(join(corpusDir, f), 0o644);
    }
    const indexDir = churnRoot ? join(churnRoot, 'index') : indexDirFor('loadtest');
    say(`Starting the bot (index ${indexDir}; built on first run)…`);
    const t0 = Date.now();
    bot = await startBotProcess({ fake, indexDir, corpusDir, env: extraEnv });
    if (shards > 1) {
      await fake.waitForShards(shards, 180_000);
      while (bot.logLines().filter((l) => l.event === 'ready').length < shards && bot.exitCode() === undefined)
        await new Promise((r) => setTimeout(r, 50));
    }
    say(`Bot ready in ${Date.now() - t0} ms (pid ${bot.pid}, RSS ${round1(bot.rssKb() / 1024)} MB).`);
    // Warm-up: one question, so the first round does not measure model loading.
    const warm = fake.sendCommand(
      'ask',
      { question: ANSWERABLE[0]! },
      { user: { id: '300000000000000000', username: 'warmup' } },
    );
    await fake.waitForReply(warm, { timeoutMs: 60_000 });
    const rebuildsBefore = bot.logLines().filter((l) => l.event === 'reindexed').length;
    for (let r = 1; r <= rounds; r++) {
      // A file in, then out: a rebuild while the round's questions are answered.
      const churnFile = corpusDir && join(corpusDir, 'zz-loadtest-churn.txt');
      if (churnFile && r % 2 === 1)
        await writeFile(
          churnFile,
          `Loadtest note ${r}\n\nThe load test wrote this paragraph so that the bot re-indexes its collection while it answers questions.\n`,
        );
      else if (churnFile) await rm(churnFile, { force: true });
      const res = await runRound(
        fake,
        bot,
        r,
        n,
        timeoutMs,
        400000000000000000n + (values['reuse-users'] ? 0n : BigInt(r) * 1_000_000n),
        shards,
        churnFile ? CHURN_SPREAD_MS : 0,
      );
      if (churnFile) {
        // This round's rebuild done before the next change (two changes in one quiet spell are one rebuild).
        const deadline = Date.now() + 30_000;
        while (
          bot.logLines().filter((l) => l.event === 'reindexed').length - rebuildsBefore < r &&
          Date.now() < deadline
        )
          await new Promise((res) => setTimeout(res, 100));
      }
      results.push(res);
      say(
        `round ${r}: n=${res.n} answered=${res.answered} refused=${res.refused} lost=${res.lost} | defer max ${res.deferMaxMs} ms (p95 ${res.deferP95Ms}, longest gap ${res.deferGapMaxMs}) | ` +
          `final p50 ${res.finalP50Ms} / p95 ${res.finalP95Ms} / max ${res.finalMaxMs} ms | wall ${res.wallMs} ms | RSS ${res.rssBeforeMb} → ${res.rssAfterMb} MB | ` +
          `${shards > 1 ? `per shard ${res.perShard.join(' + ')} | ` : ''}violations ${res.violations} pings ${res.pings} | REST rate-limited ${res.restRateLimited} (global ${res.restGlobalRateLimited})`,
      );
      if (bot.exitCode() !== undefined) break;
    }
    if (churnRoot) rebuilds = bot.logLines().filter((l) => l.event === 'reindexed').length - rebuildsBefore;
  } finally {
    if (bot) {
      unhandled = bot.unhandled();
      errorsLogged = bot.logLines().filter((l) => l.level === 'error' || l.event === 'reindex_failed').length;
      exitCode = await bot.stop(15_000);
    }
    await fake.close();
    if (churnRoot) await rm(churnRoot, { recursive: true, force: true });
  }

  const failures: string[] = [];
  if (results.length < rounds) failures.push(`only ${results.length} of ${rounds} rounds ran (bot exited?)`);
  for (const r of results) {
    if (!(r.deferMaxMs < 3000)) failures.push(`round ${r.round}: defer max ${r.deferMaxMs} ms ≥ 3000`);
    if (r.lost > 0) failures.push(`round ${r.round}: ${r.lost} answers lost`);
    if (r.violations > 0) failures.push(`round ${r.round}: ${r.violations} message-limit violations`);
    if (r.pings > 0) failures.push(`round ${r.round}: ${r.pings} payloads without allowed_mentions.parse = []`);
  }
  // (Not with --churn: the first rebuild starts the build worker, whose embedder stays loaded a while.)
  if (results.length >= 2 && !churnRoot) {
    const growth = results.at(-1)!.rssAfterMb - results[0]!.rssAfterMb;
    if (growth > maxGrowth)
      failures.push(`RSS grew ${round1(growth)} MB from round 1 to round ${results.length} (> ${maxGrowth})`);
  }
  if (unhandled.length) failures.push(`${unhandled.length} unhandled rejection/uncaught lines in the bot's logs`);
  if (exitCode !== 0) failures.push(`bot exit code ${exitCode} after SIGTERM (expected 0)`);
  if (errorsLogged) failures.push(`${errorsLogged} error or reindex_failed lines in the bot's logs`);
  if (churnRoot && rebuilds < rounds) failures.push(`--churn: ${rebuilds} rebuilds for ${rounds} rounds`);

  const report = {
    n,
    rounds,
    shards,
    store: indexUrl ? 'postgres' : 'local',
    ...(churnRoot && { rebuilds }),
    results,
    unhandledRejections: unhandled.length,
    botExitCode: exitCode,
    failures,
    ok: failures.length === 0,
  };
  if (values.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  else {
    say(
      `unhandled rejections: ${unhandled.length}; bot exit code after SIGTERM: ${exitCode}${churnRoot ? `; rebuilds while answering: ${rebuilds}` : ''}`,
    );
    say(failures.length ? `FAILED:\n  ${failures.join('\n  ')}` : 'All targets met.');
  }
  process.exit(failures.length ? 1 : 0);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((err: unknown) => {
    process.stderr.write(`loadtest: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  });
}
