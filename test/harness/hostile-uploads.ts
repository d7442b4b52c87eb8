/**
 * The hostile-upload run of the loadtest (`npm run loadtest -- --hostile`): the REAL bot process
 * on a copy of the seeds, a moderator of one server uploading the target files one after
 * the other (a 600 KB run of "A. ", a PDF inflating to 512 MB, 60,000 nested divs, a 150,000-line
 * file) while a member of another server asks a question every second. Measured: each upload's
 * reply time and outcome, every question's defer and answer times (none may be lost), the bot's
 * peak resident memory, and the longest the bot's event loop was held (its `event_loop` log lines,
 * EVENT_LOOP_REPORT_S=1). Loopback only.
 */
import { chmod, cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PermissionFlagsBits } from 'discord.js';
import { targetInputs, type HostileInput } from '../../src/eval/hostile-inputs.js';
import { FakeDiscord, PERMS, type FakeInteraction } from './fake-discord.js';
import { ANSWERABLE, finalAt, percentile, ROOT, startBotProcess, UNANSWERABLE } from './bot-process.js';

export interface HostileUploadOptions {
  inputs?: HostileInput[];
  askEveryMs?: number;
  /** Targets: an upload answered within this, a question deferred and answered within those. */
  uploadTimeoutMs?: number;
  deferMaxMs?: number;
  answerMaxMs?: number;
  loopMaxMs?: number;
  maxRssMb?: number;
  say?: (line: string) => void;
}

export interface HostileUploadReport {
  uploads: { name: string; file: string; bytes: number; ms: number; outcome: string; reply: string }[];
  asks: {
    n: number;
    answered: number;
    refused: number;
    busy: number;
    lost: number;
    deferMaxMs: number;
    finalP95Ms: number;
    finalMaxMs: number;
  };
  /** The longest the bot's event loop was held while the uploads ran (1-second windows). */
  eventLoopMaxMs: number;
  /** Seconds over 50 ms: when (ms from the first upload), how long, the longest GC pause in it, and what was under way. */
  eventLoopStalls: { at: number; maxMs: number; gcMs: number; during: string }[];
  rssBeforeMb: number;
  rssPeakMb: number;
  failures: string[];
  ok: boolean;
}

const MANAGE = PERMS.basic | PermissionFlagsBits.ManageGuild;
/** The second server, whose member keeps asking. */
const ASKING_SERVER = '880000000000000002';
const round1 = (x: number) => Math.round(x * 10) / 10;

export async function runHostileUploads(opts: HostileUploadOptions = {}): Promise<HostileUploadReport> {
  const o = {
    askEveryMs: 1000,
    uploadTimeoutMs: 180_000,
    deferMaxMs: 3000,
    answerMaxMs: 10_000,
    loopMaxMs: 100,
    maxRssMb: 1536,
    ...opts,
  };
  const say = o.say ?? (() => {});
  const inputs = o.inputs ?? targetInputs();
  const root = await mkdtemp(join(tmpdir(), 'quotebot-hostile-'));
  const corpusDir = join(root, 'corpus');
  await cp(join(ROOT, 'seeds'), corpusDir, { recursive: true });
  for (const f of await readdir(corpusDir)) await chmod(join(corpusDir, f), 0o644);
  const fake = await FakeDiscord.start({ token: 'HOSTILE.FAKE.token-not-a-secret' });
  const bot = await startBotProcess({
    fake,
    indexDir: join(root, 'index'),
    corpusDir,
    env: { EVENT_LOOP_REPORT_S: '1' },
  }).catch(async (err: unknown) => {
    await fake.close();
    await rm(root, { recursive: true, force: true });
    throw err;
  });
  const logged = (ix: FakeInteraction) =>
    bot.logLines().find((l) => l.event === 'interaction' && l.id === ix.id) as Record<string, unknown> | undefined;
  const asks: FakeInteraction[] = [];
  let peakKb = 0;
  let asker: NodeJS.Timeout | undefined;
  let sampler: NodeJS.Timeout | undefined;
  const uploads: HostileUploadReport['uploads'] = [];
  let rssBeforeMb: number;
  let loopFrom: number;
  let t0 = Date.now();
  const spans: { name: string; from: number; to: number }[] = [];
  try {
    await fake.waitForReply(
      fake.sendCommand('ask', { question: ANSWERABLE[0]! }, { user: { id: '300000000000000009', username: 'warm' } }),
      { timeoutMs: 60_000 },
    );
    rssBeforeMb = round1(bot.rssKb() / 1024);
    loopFrom = bot.logLines().length;
    sampler = setInterval(() => (peakKb = Math.max(peakKb, bot.rssKb() || 0)), 200);
    let k = 0;
    asker = setInterval(() => {
      const q = k % 3 === 2 ? UNANSWERABLE[k % UNANSWERABLE.length]! : ANSWERABLE[k % ANSWERABLE.length]!;
      const id = String(500000000000000000n + BigInt(k++));
      asks.push(fake.sendCommand('ask', { question: q }, { user: { id, username: `b${k}` }, guildId: ASKING_SERVER }));
    }, o.askEveryMs);
    t0 = Date.now();
    for (const input of inputs) {
      const bytes = Buffer.from(await input.bytes());
      const from = Date.now();
      // Into the moderator's server's own collection (/collection add), as a moderator uploads.
      const ix = fake.sendCommand(
        'collection',
        { file: { filename: input.file, content: bytes } },
        { subcommand: 'add', user: { id: '600000000000000001', username: 'moderator' }, memberPermissions: MANAGE },
      );
      let outcome = 'no reply';
      try {
        await fake.waitForReply(ix, { timeoutMs: o.uploadTimeoutMs });
        const deadline = Date.now() + 5000;
        while (!logged(ix) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
        outcome = String(logged(ix)?.outcome ?? 'unlogged');
      } catch {
        /* no reply in time: reported below */
      }
      const at = finalAt(ix);
      const upload = {
        name: input.name,
        file: input.file,
        bytes: bytes.length,
        ms: at === undefined ? NaN : at - ix.sentAt,
        outcome,
        reply: String(ix.original?.content ?? '').slice(0, 300),
      };
      uploads.push(upload);
      spans.push({ name: input.name, from, to: Date.now() });
      say(`${input.name}: ${upload.outcome} in ${upload.ms} ms: ${upload.reply}`);
      if (bot.exitCode() !== undefined) break;
    }
  } finally {
    clearInterval(asker);
  }
  // The last questions answered (or not, within the target).
  const deadline = Date.now() + o.answerMaxMs + 5000;
  while (asks.some((x) => finalAt(x) === undefined) && Date.now() < deadline && bot.exitCode() === undefined)
    await new Promise((r) => setTimeout(r, 100));
  clearInterval(sampler);
  const loopLines = bot
    .logLines()
    .slice(loopFrom)
    .filter((l) => l.event === 'event_loop');
  const loop = loopLines.map((l) => Number(l.max_ms));
  const stalls = loopLines
    .filter((l) => Number(l.max_ms) > 50)
    .map((l) => {
      const at = Date.parse(String(l.t));
      return {
        at: at - t0,
        maxMs: Number(l.max_ms),
        gcMs: Number(l.gc_max_ms),
        during: spans.find((s) => s.from <= at && at <= s.to + 1000)?.name ?? 'between uploads',
      };
    });
  const exitCode = bot.exitCode();
  await bot.stop(15_000);
  await fake.close();
  await rm(root, { recursive: true, force: true });

  const defers = asks.filter((x) => x.callbackAt !== undefined).map((x) => x.callbackAt! - x.sentAt);
  const finals = asks
    .map((x) => (finalAt(x) ?? NaN) - x.sentAt)
    .filter((t) => !Number.isNaN(t))
    .sort((a, b) => a - b);
  const report: HostileUploadReport = {
    uploads,
    asks: {
      n: asks.length,
      answered: asks.filter((x) => (x.original?.embeds.length ?? 0) > 0).length,
      refused: asks.filter((x) => finalAt(x) !== undefined && !(x.original?.embeds.length ?? 0)).length,
      busy: asks.filter((x) => /answering a lot of questions/.test(String(x.original?.content ?? ''))).length,
      lost: asks.filter((x) => finalAt(x) === undefined).length,
      deferMaxMs: defers.length ? Math.max(...defers) : NaN,
      finalP95Ms: percentile(finals, 95),
      finalMaxMs: finals.length ? finals.at(-1)! : NaN,
    },
    eventLoopMaxMs: loop.length ? Math.max(...loop) : NaN,
    eventLoopStalls: stalls,
    rssBeforeMb,
    rssPeakMb: round1(peakKb / 1024),
    failures: [],
    ok: false,
  };
  const f = report.failures;
  if (exitCode !== undefined) f.push(`the bot exited (${exitCode}) during the run`);
  if (uploads.length < inputs.length) f.push(`only ${uploads.length} of ${inputs.length} uploads ran`);
  for (const u of uploads)
    if (!(u.ms <= o.uploadTimeoutMs)) f.push(`${u.name}: no reply within ${o.uploadTimeoutMs / 1000} s`);
  if (report.asks.lost > 0) f.push(`${report.asks.lost} questions lost`);
  if (!(report.asks.deferMaxMs < o.deferMaxMs)) f.push(`a question deferred in ${report.asks.deferMaxMs} ms`);
  if (!(report.asks.finalMaxMs < o.answerMaxMs)) f.push(`a question answered in ${report.asks.finalMaxMs} ms`);
  if (!(report.eventLoopMaxMs <= o.loopMaxMs)) f.push(`the event loop was held ${report.eventLoopMaxMs} ms`);
  if (!(report.rssPeakMb <= o.maxRssMb)) f.push(`the bot reached ${report.rssPeakMb} MB (> ${o.maxRssMb})`);
  report.ok = f.length === 0;
  return report;
}
