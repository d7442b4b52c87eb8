/**
 * Sliding-window rate limits, in memory (entries expire, so memory stays flat), keyed by whoever
 * is limited: a member (/ask, browse, autocomplete, votes) or a server (collection edits). Every
 * process keeps its own count (with shards, each shard's servers are its own).
 */

export interface RateDecision {
  allowed: boolean;
  /** When refused: milliseconds until the oldest call leaves the window. */
  retryAfterMs: number;
}

export class RateLimiter {
  private readonly hits = new Map<string, number[]>();
  private calls = 0;

  constructor(
    readonly count: number,
    readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!(count > 0) || !(windowMs > 0)) throw new RangeError('rate limit count and window must be positive');
  }

  /** Records a call for `key` when allowed. */
  take(key: string): RateDecision {
    const t = this.now();
    if (++this.calls % 1000 === 0) this.sweep(t);
    const list = (this.hits.get(key) ?? []).filter((x) => t - x < this.windowMs);
    if (list.length >= this.count) {
      this.hits.set(key, list);
      return { allowed: false, retryAfterMs: Math.max(1, list[0]! + this.windowMs - t) };
    }
    list.push(t);
    this.hits.set(key, list);
    return { allowed: true, retryAfterMs: 0 };
  }

  /** Number of keys currently tracked. */
  get size(): number {
    return this.hits.size;
  }

  private sweep(t: number): void {
    for (const [k, list] of this.hits) if (list.every((x) => t - x >= this.windowMs)) this.hits.delete(k);
  }
}

/** An hour, the window of the per-server edit quota. */
const HOUR_MS = 3_600_000;

/**
 * The per-server quota on edits of a server's collection (/collection, Add to sources): `perHour` edits per
 * server id in any hour (GUILD_EDITS_PER_HOUR). Whatever edits a server's collection takes one
 * first: `quota.take(guildId)`.
 */
export function editQuota(perHour: number, now: () => number = Date.now): RateLimiter {
  return new RateLimiter(perHour, HOUR_MS, now);
}
