/**
 * Ops for the running bot (discord.js side): each process reads its gateway shards' state from its
 * client and its queue and index from the bot; a shard process hands its report (state and metrics)
 * to the process that runs it when asked (`quotebotOps` on its client, reached with discord.js's
 * `shard.eval`); that process gathers every shard's report and serves /healthz and /metrics for
 * all of them (metrics summed by prom-client's aggregator). A single process serves its own.
 */
import { Status, type Client, type ShardingManager } from 'discord.js';
import { healthOf, type ShardReport, type ShardState } from '../ops/health.js';
import { startOpsServer, type OpsServer } from '../ops/http.js';
import { aggregateMetrics } from '../ops/metrics.js';
import type { ProcessOps } from '../ops/state.js';
import type { Logger } from '../core/log.js';
import { indexStateOf } from '../live/index-state.js';
import type { Bot } from './client.js';

/** How long the process that runs the shards waits for one shard's report. */
const REPORT_TIMEOUT_MS = 3000;

type OpsClient = Client & { quotebotOps?: { report(): Promise<ShardReport> } };

/** Each gateway shard this client runs; connected once identified or resumed. */
export function gatewayStates(client: Client): ShardState[] {
  return [...client.ws.shards.values()].map((s) => ({ shard: s.id, connected: s.status === Status.Ready }));
}

/** Points `ops` at the running bot; in a shard process, lets the process that runs it ask for reports. */
export function watchBot(ops: ProcessOps, bot: Bot, engine: object, opts: { shard: boolean }): void {
  ops.watch({
    gateway: () => gatewayStates(bot.client),
    queue: () => bot.ctx.answers.pending,
    index: () => indexStateOf(engine),
  });
  if (opts.shard) (bot.client as OpsClient).quotebotOps = { report: () => ops.report() };
}

/** Serves one process's own health and metrics. */
export async function serveOwn(ops: ProcessOps, at: { host: string; port: number }, log: Logger): Promise<OpsServer> {
  const server = await startOpsServer(
    {
      health: async () => healthOf([ops.snapshot()]),
      metrics: async () => ({
        contentType: ops.metrics.registry.contentType,
        text: await ops.metrics.registry.metrics(),
      }),
    },
    { ...at, onError: (what, err) => log.warn('ops_failed', { what, error: String(err).slice(0, 200) }) },
  );
  log.info('ops_listening', { host: server.host, port: server.port });
  return server;
}

/** Every shard's report (undefined for one that did not answer in time or is not running). */
async function shardReports(manager: ShardingManager): Promise<(ShardReport | undefined)[]> {
  return Promise.all(
    [...manager.shards.values()].map(async (shard) => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), REPORT_TIMEOUT_MS)));
      const report = shard
        .eval((c: OpsClient) => c.quotebotOps?.report() ?? null)
        .then((r) => (r ?? undefined) as ShardReport | undefined)
        .catch(() => undefined);
      const r = await Promise.race([report, timeout]);
      clearTimeout(timer);
      return r;
    }),
  );
}

/**
 * The process that runs the shards: serves every shard's health and metrics, with its own (the
 * index writer's rebuilds, its process metrics). `manager()` is undefined until the shards are started.
 */
export async function serveShards(
  ops: ProcessOps,
  manager: () => ShardingManager | undefined,
  at: { host: string; port: number },
  log: Logger,
): Promise<OpsServer> {
  const server = await startOpsServer(
    {
      async health() {
        const m = manager();
        const reports = m ? await shardReports(m) : [];
        return healthOf(m && reports.length ? reports : [undefined], {
          expectedShards: m?.totalShards === 'auto' ? undefined : m?.totalShards,
          ownRebuild: ops.lastRebuild,
        });
      },
      async metrics() {
        const m = manager();
        const reports = m ? await shardReports(m) : [];
        const parts = [await ops.metrics.registry.getMetricsAsJSON()];
        for (const r of reports) if (r) parts.push(r.metrics);
        return aggregateMetrics(parts);
      },
    },
    { ...at, onError: (what, err) => log.warn('ops_failed', { what, error: String(err).slice(0, 200) }) },
  );
  log.info('ops_listening', { host: server.host, port: server.port, shards: true });
  return server;
}
