/**
 * The load script end to end, small: `node dist/scripts/loadtest.js --n 30 --rounds 2 --json` runs the
 * real bot against the fake Discord and reports every target (built by `npm run build`).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { ROOT } from '../scripts/loadtest.js';

test('loadtest --json: nothing lost, defers < 3 s, no violations or pings, bot exits 0 on SIGTERM', () => {
  const r = spawnSync(process.execPath, [join(ROOT, 'dist', 'scripts', 'loadtest.js'), '--n', '30', '--rounds', '2', '--json'], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 150_000,
  });
  expect(r.stderr).not.toMatch(/loadtest: /);
  const report = JSON.parse(r.stdout) as {
    ok: boolean;
    failures: string[];
    botExitCode: number;
    unhandledRejections: number;
    results: { n: number; lost: number; answered: number; refused: number; deferMaxMs: number; finalP50Ms: number; finalP95Ms: number; finalMaxMs: number; rssBeforeMb: number; rssAfterMb: number; violations: number; pings: number }[];
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
