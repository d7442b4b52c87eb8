/**
 * One process's operational state: its metrics, its last rebuild, and where its gateway, queue and
 * index are read from (set once the bot runs). `snapshot()` is what /healthz needs of it, `report()`
 * the same with its metrics as JSON, which a shard hands to the process that runs it.
 */
import type { IndexState, OpsSnapshot, RebuildState, ShardReport } from './health.js';
import { createMetrics, type MetricSources, type OpsMetrics, type RebuildOutcome } from './metrics.js';

/** A rebuild's result as src/live reports it (structurally: this layer does not import it). */
export type RefreshLike =
  | { ok: true; changed: false }
  | { ok: true; changed: true; embedded: number; embedMs?: number }
  | { ok: false; error: string };

export interface StateSources extends MetricSources {
  index?: () => IndexState | undefined;
}

export interface ProcessOps {
  readonly metrics: OpsMetrics;
  watch(sources: StateSources): void;
  /** A rebuild finished after `seconds`. */
  rebuilt(r: RefreshLike, seconds: number): void;
  readonly lastRebuild: RebuildState | undefined;
  snapshot(): OpsSnapshot;
  report(): Promise<ShardReport>;
}

export function createProcessOps(opts: { defaults?: boolean } = {}): ProcessOps {
  const metrics = createMetrics(opts);
  const sources: StateSources = {};
  let lastRebuild: RebuildState | undefined;
  const snapshot = (): OpsSnapshot => ({
    shards: sources.gateway?.() ?? [],
    index: sources.index?.(),
    ...(lastRebuild && { lastRebuild }),
    queue: sources.queue?.() ?? 0,
  });
  return {
    metrics,
    watch(more) {
      Object.assign(sources, more);
      metrics.watch(more);
    },
    rebuilt(r, seconds) {
      const outcome: RebuildOutcome = !r.ok ? 'failed' : r.changed ? 'built' : 'unchanged';
      metrics.rebuild({
        outcome,
        seconds,
        ...(r.ok && r.changed && { embedded: r.embedded, embedMs: r.embedMs }),
      });
      // "Nothing to do" says nothing new about the index: the last real outcome stays.
      if (outcome === 'unchanged' && lastRebuild) return;
      lastRebuild = {
        outcome,
        at: new Date().toISOString(),
        seconds: Math.round(seconds * 1000) / 1000,
        ...(!r.ok && { error: r.error }),
      };
    },
    get lastRebuild() {
      return lastRebuild;
    },
    snapshot,
    async report() {
      return { ...snapshot(), metrics: await metrics.registry.getMetricsAsJSON() };
    },
  };
}
