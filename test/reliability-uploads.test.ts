/**
 * Hostile uploads through the fake Discord, end to end: `npm run loadtest -- --hostile --json`
 * runs the REAL bot (built by `npm run build`) on a copy of the seeds; a moderator of one server
 * uploads a 600 KB run of "A. ", a PDF inflating to 512 MB, 60,000 nested divs and a 150,000-line
 * file one after the other while a member of another server asks every second. Each upload is
 * answered (added, or refused with a line naming the limit), the other server's answers keep
 * coming (none lost), and the bot stays within its memory budget. The event-loop figure is the
 * loadtest's to report (a timing target, not asserted here).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { ROOT } from './harness/bot-process.js';
import type { HostileUploadReport } from './harness/hostile-uploads.js';

test('hostile uploads while another server asks: each upload answered, every question answered, memory within budget', () => {
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'test', 'harness', 'loadtest.ts'), '--hostile', '--json'],
    { cwd: ROOT, encoding: 'utf8', timeout: 840_000 },
  );
  expect(r.stderr).not.toMatch(/loadtest: /);
  const report = JSON.parse(r.stdout) as HostileUploadReport;
  expect(report.uploads.map((u) => [u.name, u.outcome])).toEqual([
    ['a-dot-run-600k', 'added'],
    ['pdf-bomb', 'add_refused'],
    ['nested-divs-60k', 'add_refused'],
    ['lines-150k', 'added'],
  ]);
  expect(report.uploads[1]!.reply).toBe(
    'pdf-bomb.pdf cannot be added: it has a stream that decodes to more than 64 MB (the limit).',
  );
  expect(report.uploads[2]!.reply).toBe(
    'nested-divs.html cannot be added: it nests HTML elements more than 200 deep (the limit).',
  );
  for (const u of report.uploads) expect(u.ms).toBeLessThan(180_000);
  // The other server's questions kept coming and were all answered, none turned away.
  expect(report.asks.n).toBeGreaterThan(10);
  expect(report.asks.lost).toBe(0);
  expect(report.asks.busy).toBe(0);
  expect(report.asks.answered + report.asks.refused).toBe(report.asks.n);
  expect(report.asks.deferMaxMs).toBeLessThan(3000);
  expect(report.rssPeakMb).toBeGreaterThan(50);
  expect(report.rssPeakMb).toBeLessThanOrEqual(1536);
  expect(report.failures.filter((f) => !/event loop was held/.test(f))).toEqual([]);
}, 900_000);
