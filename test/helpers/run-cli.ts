/**
 * Runs the compiled CLI scripts (dist/scripts/*.js) as a user would, in a child process.
 * `npm test` builds dist/ before vitest; when running a CLI test file alone, run `npm run build` first.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { REPO } from './tmp-collection.js';

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export function distScript(name: string): string {
  return path.join(REPO, 'dist', 'scripts', `${name}.js`);
}

/**
 * Throws a clear error when dist/ has not been built. (Not compared with the sources' times:
 * others edit src/ while tests run; `npm test` builds right before vitest.)
 */
export function assertDistBuilt(names: string[]): void {
  for (const name of names) {
    const file = distScript(name);
    if (!existsSync(file)) throw new Error(`${file} is missing: run npm run build first.`);
  }
}

/**
 * Runs `node dist/scripts/<name>.js ...args`. The child gets a clean configuration: EMBEDDER=use-lite
 * (skips the transformers attempt), no CORPUS_DIR/INDEX_DIR from the parent, and a cwd with no `.env`.
 */
export function runCli(
  name: string,
  args: string[],
  opts: { stdin?: string | Buffer; cwd: string; env?: Record<string, string>; timeoutMs?: number },
): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, EMBEDDER: 'use-lite', ...opts.env };
  for (const key of ['CORPUS_DIR', 'INDEX_DIR', 'DEBUG', 'MODEL_DIR']) if (!opts.env?.[key]) delete env[key];
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [distScript(name), ...args], {
      cwd: opts.cwd,
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: performance.now() - t0 });
    });
    child.stdin.on('error', () => {}); // the child may exit before reading everything (usage errors)
    child.stdin.end(opts.stdin ?? '');
  });
}

/** The lines of an output, without the final newline. */
export function lines(out: string): string[] {
  return out === '' ? [] : out.replace(/\n$/, '').split('\n');
}
