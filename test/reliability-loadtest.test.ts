/**
 * The load script end to end, small: `node npm run loadtest -- --n 30 --rounds 2 --json` runs the
 * real bot against the fake Discord and reports every target (built by `npm run build`); then two
 * shard processes on one Postgres store (PGlite over the wire).
 */
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { ROOT } from './harness/bot-process.js';
import { startPg } from './helpers/pg-server.js';

test('loadtest --json: nothing lost, defers < 3 s, no violations or pings, bot exits 0 on SIGTERM', () => {
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'test', 'harness', 'loadtest.ts'), '--n', '30', '--rounds', '2', '--json'],
    {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 150_000,
    },
  );
  expect(r.stderr).not.toMatch(/loadtest: /);
  const report = JSON.parse(r.stdout) as {
    ok: boolean;
    failures: string[];
    botExitCode: number;
    unhandledRejections: number;
    results: {
      n: number;
      lost: number;
      answered: number;
      refused: number;
      deferMaxMs: number;
      finalP50Ms: number;
      finalP95Ms: number;
      finalMaxMs: number;
      rssBeforeMb: number;
      rssAfterMb: number;
      violations: number;
      pings: number;
    }[];
  };
  expect(report.failures).toEqual([]);
  expect(report.ok).toBe(true);
  expect(r.status).toBe(0);
  expect(report.results).toHaveLength(2);
  for (const round of report.results) {
    expect(round.n).toBe(30);
    expect(round.lost).toBe(0);
    expect(round.answered).toBe(20); // two answerable questions for every unanswerable one
    expect(round.refused).toBe(10);
    expect(round.deferMaxMs).toBeLessThan(3000);
    expect(round.finalP50Ms).toBeLessThanOrEqual(round.finalP95Ms);
    expect(round.finalP95Ms).toBeLessThanOrEqual(round.finalMaxMs);
    expect(round.rssAfterMb).toBeGreaterThan(50);
    expect(round.violations).toBe(0);
    expect(round.pings).toBe(0);
  }
  expect(report.unhandledRejections).toBe(0);
  expect(report.botExitCode).toBe(0);
}, 160_000);

/** Runs the built loadtest script without blocking the event loop (the PGlite server runs in this process). */
function runLoadtest(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test', 'harness', 'loadtest.ts'), ...args], {
      cwd: ROOT,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 200_000);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

test('loadtest --shards 2 --index-url: two shard processes answer from one Postgres store, none lost on either', async () => {
  const pg = await startPg();
  try {
    const r = await runLoadtest(['--n', '20', '--rounds', '1', '--shards', '2', '--index-url', pg.url, '--json']);
    expect(r.stderr).not.toMatch(/loadtest: /);
    const report = JSON.parse(r.stdout) as {
      ok: boolean;
      failures: string[];
      shards: number;
      store: string;
      botExitCode: number;
      results: { lost: number; answered: number; perShard: number[] }[];
    };
    expect(report.failures).toEqual([]);
    expect(report).toMatchObject({ ok: true, shards: 2, store: 'postgres', botExitCode: 0 });
    expect(report.results[0]!.lost).toBe(0);
    expect(report.results[0]!.perShard).toEqual([10, 10]);
    expect(report.results[0]!.answered).toBeGreaterThan(0);
    expect(r.status).toBe(0);
  } finally {
    await pg.stop();
  }
}, 220_000);

test('loadtest --shards 2 --churn: two shards on local files, the index rebuilt under the questions of every round, none lost', async () => {
  const r = await runLoadtest(['--n', '20', '--rounds', '2', '--shards', '2', '--churn', '--json']);
  expect(r.stderr).not.toMatch(/loadtest: /);
  const report = JSON.parse(r.stdout) as {
    ok: boolean;
    failures: string[];
    shards: number;
    store: string;
    rebuilds: number;
    botExitCode: number;
    results: { lost: number; answered: number; perShard: number[] }[];
  };
  expect(report.failures).toEqual([]);
  expect(report).toMatchObject({ ok: true, shards: 2, store: 'local', botExitCode: 0 });
  expect(report.rebuilds).toBeGreaterThanOrEqual(2);
  for (const round of report.results) {
    expect(round.lost).toBe(0);
    expect(round.perShard).toEqual([10, 10]);
    expect(round.answered).toBeGreaterThan(0);
  }
  expect(r.status).toBe(0);
}, 220_000);
