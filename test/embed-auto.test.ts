/**
 * EMBEDDER=auto on a fresh install (issue 24): it goes straight to the bundled encoder without
 * trying a download, uses the default transformers model when that is already local (MODEL_DIR),
 * and a model asked for by name is still fetched. The "hub" is a counting server on 127.0.0.1.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { DEFAULT_TRANSFORMERS_MODEL, openEmbedder } from '../src/embed/select.js';
import { writeTinyBertModel } from './helpers/tiny-onnx.js';

let tmp: string;
let hubRequests: string[];
let server: http.Server;
let saved: { remoteHost: string; cacheDir: string | null };
let env: { remoteHost: string; cacheDir: string | null };

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'quotebot-auto-'));
  hubRequests = [];
  server = http.createServer((req, res) => {
    hubRequests.push(req.url ?? '');
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  env = (await import('@xenova/transformers')).env as unknown as typeof env;
  saved = { remoteHost: env.remoteHost, cacheDir: env.cacheDir };
  env.remoteHost = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  env.cacheDir = path.join(tmp, 'cache') + path.sep; // an empty cache, whatever the machine has
});
afterAll(async () => {
  env.remoteHost = saved.remoteHost;
  env.cacheDir = saved.cacheDir;
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(tmp, { recursive: true, force: true });
});

test('auto with no model in MODEL_DIR or the cache: use-lite at once, no download tried, no error in the notice', async () => {
  const notices: string[] = [];
  const e = await openEmbedder('auto', { modelDir: path.join(tmp, 'no-models'), notice: (l) => notices.push(l) });
  expect(e.id).toBe('use-lite');
  expect(hubRequests).toEqual([]);
  expect(notices).toHaveLength(1);
  expect(notices[0]).toMatch(/^Embedder: using use-lite, the bundled encoder/);
  expect(notices[0]).not.toMatch(/could not|ENOTFOUND|getaddrinfo|download(ed)? failed/i);
});

test('auto with the default model in MODEL_DIR: that model, still no download', async () => {
  const { modelDir } = await writeTinyBertModel(tmp, DEFAULT_TRANSFORMERS_MODEL);
  const notices: string[] = [];
  const e = await openEmbedder('auto', { modelDir, notice: (l) => notices.push(l) });
  expect(e.id).toBe(`transformers:${DEFAULT_TRANSFORMERS_MODEL}`);
  expect(notices).toEqual([]);
  expect(hubRequests).toEqual([]);
});

test('a model asked for by name is looked up on the hub, and its absence is an error', async () => {
  await expect(openEmbedder('transformers:hub/absent', { modelDir: path.join(tmp, 'no-models') })).rejects.toThrow(
    /not available locally and could not be downloaded: hub answered HTTP 404/,
  );
  expect(hubRequests.length).toBeGreaterThan(0);
});
