/**
 * Health: what `GET /healthz` says. A process reports a snapshot (its gateway shards, the index it
 * answers from, its last rebuild, its queue); a process that runs shards gathers theirs and adds
 * its own (the index writer's last rebuild). Healthy means: every expected gateway shard is
 * connected and every process has an index loaded. Plain data, no I/O.
 */
import type { MetricsJson, RebuildOutcome } from './metrics.js';

export interface ShardState {
  shard: number;
  connected: boolean;
}

export interface IndexState {
  /** The generation loaded (local files of the generation layout, or a shared store's id). */
  generation?: string;
  /** When it was built (ISO time). */
  builtAt?: string;
  documents: number;
}

export interface RebuildState {
  outcome: RebuildOutcome;
  /** When it finished (ISO time). */
  at: string;
  seconds: number;
  /** Why it failed (one line). */
  error?: string;
}

/** One process's state. */
export interface OpsSnapshot {
  shards: ShardState[];
  index?: IndexState;
  lastRebuild?: RebuildState;
  queue: number;
}

/** A snapshot with the process's metrics, as a shard process hands it to the process that runs it. */
export interface ShardReport extends OpsSnapshot {
  metrics: MetricsJson;
}

export interface Health {
  ok: boolean;
  /** Why not ok, one short line each (empty when ok). */
  problems: string[];
  gateway: ShardState[];
  index: (IndexState & { age_s?: number }) | null;
  last_rebuild: RebuildState | null;
  queue: number;
}

/**
 * The health of a bot made of `reports` (one per process that answers; a process that could not
 * be reached is `undefined`), expecting gateway shards `0 … expectedShards-1` when given.
 * `own` is the last rebuild of a process that writes the index without answering (the shard manager's).
 */
export function healthOf(
  reports: readonly (OpsSnapshot | undefined)[],
  opts: { expectedShards?: number; ownRebuild?: RebuildState; now?: number } = {},
): Health {
  const now = opts.now ?? Date.now();
  const problems: string[] = [];
  const missing = reports.filter((r) => !r).length;
  if (missing) problems.push(`${missing} shard process${missing === 1 ? '' : 'es'} did not answer`);
  const present = reports.filter((r): r is OpsSnapshot => !!r);
  if (present.length === 0 && !missing) problems.push('the bot is not running yet');

  const byShard = new Map<number, ShardState>();
  for (const r of present) for (const s of r.shards) byShard.set(s.shard, s);
  const expected = opts.expectedShards ?? Math.max(byShard.size, present.length ? 1 : 0);
  for (let id = 0; id < expected; id++) if (!byShard.has(id)) byShard.set(id, { shard: id, connected: false });
  const gateway = [...byShard.values()].sort((a, b) => a.shard - b.shard);
  const down = gateway.filter((s) => !s.connected).map((s) => s.shard);
  if (down.length) problems.push(`gateway not connected: shard ${down.join(', ')}`);

  const indexes = present.map((r) => r.index);
  if (indexes.some((i) => !i)) problems.push('no index loaded');
  // The oldest index any process answers from: a process stuck on an old one shows here.
  const oldest = indexes
    .filter((i): i is IndexState => !!i)
    .sort((a, b) => (Date.parse(a.builtAt ?? '') || 0) - (Date.parse(b.builtAt ?? '') || 0))[0];
  const built = oldest?.builtAt ? Date.parse(oldest.builtAt) : NaN;
  const index = oldest
    ? { ...oldest, ...(Number.isFinite(built) && { age_s: Math.max(0, Math.round((now - built) / 1000)) }) }
    : null;

  const rebuilds = [opts.ownRebuild, ...present.map((r) => r.lastRebuild)].filter((r): r is RebuildState => !!r);
  const lastRebuild = rebuilds.sort((a, b) => Date.parse(b.at) - Date.parse(a.at))[0] ?? null;

  return {
    ok: problems.length === 0,
    problems,
    gateway,
    index,
    last_rebuild: lastRebuild,
    queue: present.reduce((n, r) => n + r.queue, 0),
  };
}
