import { ShardingManager } from 'discord.js';
import type { Logger } from '../core/log.js';

/**
 * Gateway sharding (Discord requires it past 2,500 servers): discord.js's ShardingManager runs
 * one bot process per shard, each the same start script, each answering from the same index
 * (local files read-only, or the shared Postgres store).
 */

/** True in a process the ShardingManager started (it sets these for the shard's client). */
export function isShardProcess(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.SHARDING_MANAGER !== undefined && env.SHARD_COUNT !== undefined;
}

export interface RunningShards {
  /** discord.js's manager (ops: it asks each shard for its health and metrics). */
  readonly manager: ShardingManager;
  /** Stops every shard (each finishes its answers in flight: SIGTERM) and waits for them. */
  stop(timeoutMs: number): Promise<void>;
}

/** The message channel between this process and one shard process (discord.js's IPC). */
export interface ShardChannel {
  send(message: unknown): void;
  onMessage(handler: (message: unknown) => void): void;
}

/** The channel of a shard process to the process that started it (undefined elsewhere). */
export function parentChannel(): ShardChannel | undefined {
  if (!isShardProcess() || !process.send) return undefined;
  return {
    send: (m) => void process.send!(m),
    onMessage: (h) => void process.on('message', h),
  };
}

export async function startShards(opts: {
  script: string;
  token: string;
  shards: 'auto' | number;
  log: Logger;
  /** Called with each shard's channel as it starts (and again when it is respawned). */
  onShard?: (channel: ShardChannel) => void;
}): Promise<RunningShards> {
  const manager = new ShardingManager(opts.script, {
    token: opts.token,
    totalShards: opts.shards,
    respawn: true,
    mode: 'process',
  });
  manager.on('shardCreate', (shard) => {
    opts.log.info('shard_started', { shard: shard.id, of: manager.totalShards });
    opts.onShard?.({
      send: (m) => void shard.send(m).catch(() => undefined),
      onMessage: (h) => void shard.on('message', h),
    });
    shard.on('death', () => opts.log.warn('shard_exited', { shard: shard.id, note: 'respawning' }));
  });
  await manager.spawn({ timeout: 180_000 });
  return {
    manager,
    async stop(timeoutMs) {
      manager.respawn = false;
      await Promise.all(
        [...manager.shards.values()].map(
          (shard) =>
            new Promise<void>((resolve) => {
              const child = shard.process;
              if (!child || child.exitCode !== null) return resolve();
              const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
              child.once('exit', () => {
                clearTimeout(timer);
                resolve();
              });
              child.kill('SIGTERM');
            }),
        ),
      );
    },
  };
}
