/**
 * The operator's HTTP endpoints (when HTTP_PORT is set; bound to HTTP_HOST, loopback by default):
 *   GET /healthz  200 with the health JSON while healthy, 503 with the same JSON otherwise
 *   GET /metrics  Prometheus text format
 * Anything else is 404 (405 for another method on these paths). A failure to gather either is a
 * 503 / 500 with one line, never a crash; nothing here reads a request body.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Health } from './health.js';

export interface OpsEndpoints {
  health(): Promise<Health>;
  metrics(): Promise<{ contentType: string; text: string }>;
}

export interface OpsServer {
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

export async function startOpsServer(
  endpoints: OpsEndpoints,
  opts: { host: string; port: number; onError?: (what: string, err: unknown) => void },
): Promise<OpsServer> {
  const server = http.createServer((req, res) => void handle(req, res));
  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/healthz' && path !== '/metrics')
      return send(res, 404, 'text/plain', 'Not found: try /healthz or /metrics\n');
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return send(res, 405, 'text/plain', 'Only GET\n', { allow: 'GET, HEAD' });
    try {
      if (path === '/healthz') {
        const h = await endpoints.health();
        return send(res, h.ok ? 200 : 503, 'application/json', JSON.stringify(h) + '\n');
      }
      const m = await endpoints.metrics();
      return send(res, 200, m.contentType, m.text);
    } catch (err) {
      opts.onError?.(path, err);
      const line = `Could not gather ${path.slice(1)}: ${(err instanceof Error ? err.message : String(err)).split('\n')[0]}\n`;
      return send(res, path === '/healthz' ? 503 : 500, 'text/plain', line);
    }
  };
  // A scraper that stalls must not hold a socket for ever.
  server.requestTimeout = 10_000;
  server.headersTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  return {
    host: address.address,
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function send(
  res: http.ServerResponse,
  status: number,
  type: string,
  body: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', ...headers });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
