/**
 * How long the event loop is held: while it is, no interaction is acknowledged (Discord's
 * 3-second deadline) for any server. Measured with Node's event-loop delay histogram; a hold
 * over STALL_MS is logged as an `event_loop_stall` warning, and with `reportS` the longest hold
 * of every period is logged as `event_loop` (the loadtest reads these).
 */
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import type { Logger } from './log.js';

export const STALL_MS = 100;

export function watchEventLoop(log: Logger, opts: { reportS?: number } = {}): () => void {
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  // The longest garbage-collection pause of the period: a hold no code of ours shows in a profile.
  let gcMax = 0;
  const gc = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcMax = Math.max(gcMax, e.duration);
  });
  gc.observe({ entryTypes: ['gc'] });
  const periodMs = opts.reportS ? opts.reportS * 1000 : 1000;
  const timer = setInterval(() => {
    const maxMs = Math.round(h.max / 1e6);
    const p99Ms = Math.round(h.percentile(99) / 1e6);
    const gcMs = Math.round(gcMax);
    h.reset();
    gcMax = 0;
    if (opts.reportS) log.info('event_loop', { max_ms: maxMs, p99_ms: p99Ms, gc_max_ms: gcMs });
    if (maxMs > STALL_MS) log.warn('event_loop_stall', { max_ms: maxMs, gc_max_ms: gcMs });
  }, periodMs).unref();
  return () => {
    clearInterval(timer);
    h.disable();
    gc.disconnect();
  };
}
