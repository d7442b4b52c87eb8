/**
 * Politeness: one request at a time per host, and at least `delayMs` (or the host's robots.txt
 * Crawl-delay, when longer) between the end of one and the start of the next. Hosts are
 * independent: a slow site never holds up another.
 */

export interface HostQueue {
  /** Runs `job` when `host`'s turn comes; its result or error is passed through. */
  run<T>(host: string, job: () => Promise<T>): Promise<T>;
  /** A host's own minimum gap (robots.txt Crawl-delay), in ms. */
  setHostDelay(host: string, ms: number): void;
}

/** Longest Crawl-delay honoured: a site asking for more would take days to read. */
export const MAX_CRAWL_DELAY_MS = 30_000;

export function hostQueue(delayMs: number): HostQueue {
  const tails = new Map<string, Promise<unknown>>();
  const lastEnd = new Map<string, number>();
  const own = new Map<string, number>();
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  return {
    run<T>(host: string, job: () => Promise<T>): Promise<T> {
      const key = host.toLowerCase();
      const turn = async () => {
        const gap = Math.max(delayMs, own.get(key) ?? 0);
        const wait = (lastEnd.get(key) ?? -Infinity) + gap - Date.now();
        if (wait > 0) await sleep(wait);
        try {
          return await job();
        } finally {
          lastEnd.set(key, Date.now());
        }
      };
      const run = (tails.get(key) ?? Promise.resolve()).then(turn, turn);
      const tail = run.catch(() => undefined);
      tails.set(key, tail);
      // Forget an idle host (its last end time stays, for the gap).
      void tail.then(() => tails.get(key) === tail && tails.delete(key));
      return run;
    },
    setHostDelay(host, ms) {
      own.set(host.toLowerCase(), Math.min(Math.max(0, ms), MAX_CRAWL_DELAY_MS));
    },
  };
}
