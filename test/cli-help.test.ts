import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { usage } from '../src/cli/args.js';
import { assertDistBuilt, runCli } from './helpers/run-cli.js';
import { REPO } from './helpers/tmp-collection.js';

/** Every script a user runs with arguments explains itself with --help, and does nothing else. */
const SCRIPTS = ['ask', 'eval', 'bench', 'build-index', 'calibrate', 'feedback', 'db-serve'];

describe('--help', () => {
  it.each(SCRIPTS)('%s: prints its usage (the header comment and every option) and exits 0', async (name) => {
    assertDistBuilt([name]);
    const r = await runCli(name, ['--help'], { cwd: REPO });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const header = /\/\*\*\s*\n\s*\* (.+)/.exec(await readFile(path.join(REPO, 'scripts', `${name}.ts`), 'utf8'))![1]!;
    expect(r.stdout.split('\n')[0]).toBe(header.trimEnd());
    expect(r.stdout).toMatch(/\nOptions:\n/);
    expect(r.stdout).toContain('--help');
  });

  it('loadtest (test code, run from its source by tsx): the same usage from its header', () => {
    const file = path.join(REPO, 'test', 'harness', 'loadtest.ts');
    const r = spawnSync(process.execPath, ['--import', 'tsx', file, '--help'], { cwd: REPO, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(/^npm run loadtest -- \[--n 200\]/);
    expect(r.stdout).toMatch(/\nOptions:\n[\s\S]*--churn/);
  });

  it('lists options with their defaults, and a script without a header still gets them', () => {
    const text = usage('/nonexistent/script.js', {
      options: {
        set: { type: 'string', default: 'a.jsonl' },
        json: { type: 'boolean', default: false },
        tag: { type: 'string', multiple: true },
      },
    });
    expect(text).toBe('Options:\n  --set VALUE  (default a.jsonl)\n  --json\n  --tag VALUE …\n  --help  this text\n');
  });

  it('-h is the same; a question that merely mentions help is still a question', async () => {
    const [h, long] = await Promise.all([
      runCli('eval', ['-h'], { cwd: REPO }),
      runCli('eval', ['--help'], { cwd: REPO }),
    ]);
    expect(h.stdout).toBe(long.stdout);
    const r = await runCli('ask', ['--show', 'no-such-doc', 'help'], { cwd: REPO });
    expect(r.stdout).not.toContain('Options:');
  });
});
