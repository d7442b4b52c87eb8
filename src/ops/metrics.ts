/**
 * The bot's Prometheus metrics (prom-client): its default process metrics (CPU, memory, event-loop
 * lag, GC) plus what an operator of this bot watches. Label sets are bounded: outcomes from fixed
 * lists and the gateway shard id, never question text or a server id. One registry per process;
 * a process that runs shards aggregates theirs (`aggregateMetrics`, each metric by its `aggregator`).
 *
 * Values read at scrape time (queue depth, gateway state, index age) come from `sources`, which the
 * process sets once the bot is running; before that they are simply absent.
 */
import { AggregatorRegistry, Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export const QUESTION_OUTCOMES = ['answered', 'refused', 'rate_limited', 'busy', 'invalid'] as const;
export type QuestionOutcome = (typeof QUESTION_OUTCOMES)[number];
export const REBUILD_OUTCOMES = ['built', 'unchanged', 'failed'] as const;
export type RebuildOutcome = (typeof REBUILD_OUTCOMES)[number];

/** What is read at scrape time. */
export interface MetricSources {
  /** Questions waiting or being answered. */
  queue?: () => number;
  /** Each gateway shard this process runs, connected (identified or resumed) or not. */
  gateway?: () => { shard: number; connected: boolean }[];
  /** The index answering now: when it was built, and how many documents it holds. */
  index?: () => { builtAt?: string; documents: number } | undefined;
}

/** A rebuild as the metrics see it (a `RefreshResult` of src/live, or the same shape). */
export interface RebuildObservation {
  outcome: RebuildOutcome;
  seconds: number;
  /** Sentences embedded, and the time spent embedding them, when it built. */
  embedded?: number;
  embedMs?: number;
}

export interface OpsMetrics {
  readonly registry: Registry;
  question(outcome: QuestionOutcome, seconds?: number): void;
  rebuild(r: RebuildObservation): void;
  /** Replaces the scrape-time sources (later calls add to or override earlier ones). */
  watch(sources: MetricSources): void;
}

const LATENCY_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 30];
const REBUILD_BUCKETS = [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800];

export function createMetrics(opts: { defaults?: boolean } = {}): OpsMetrics {
  const registry = new Registry();
  if (opts.defaults !== false) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const sources: MetricSources = {};

  const questions = new Counter({
    name: 'quotebot_questions_total',
    help: 'Questions put to /ask, by outcome (answered, refused, rate_limited, busy, invalid).',
    labelNames: ['outcome'],
    registers,
  });
  const latency = new Histogram({
    name: 'quotebot_answer_seconds',
    help: 'Time from receiving a question to sending its answer or refusal, in seconds.',
    labelNames: ['outcome'],
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const rebuilds = new Counter({
    name: 'quotebot_rebuilds_total',
    help: 'Index rebuilds by outcome: built (a new index), unchanged (nothing to do), failed.',
    labelNames: ['outcome'],
    registers,
  });
  const rebuildSeconds = new Histogram({
    name: 'quotebot_rebuild_seconds',
    help: 'Duration of index rebuilds that built or failed, in seconds.',
    labelNames: ['outcome'],
    buckets: REBUILD_BUCKETS,
    registers,
  });
  const embedded = new Counter({
    name: 'quotebot_embedded_sentences_total',
    help: 'Sentences embedded by rebuilds (rate() of it is the embedding throughput).',
    registers,
  });
  const embedRate = new Gauge({
    name: 'quotebot_embed_sentences_per_second',
    help: 'Sentences embedded per second of embedding time in the last rebuild that embedded any.',
    registers,
    aggregator: 'max',
  });
  new Gauge({
    name: 'quotebot_queue_depth',
    help: 'Questions waiting for or being answered.',
    registers,
    collect() {
      if (sources.queue) this.set(sources.queue());
    },
  });
  new Gauge({
    name: 'quotebot_gateway_connected',
    help: 'Per gateway shard: 1 while its session is connected (identified or resumed), else 0.',
    labelNames: ['shard'],
    registers,
    collect() {
      this.reset();
      for (const s of sources.gateway?.() ?? []) this.set({ shard: String(s.shard) }, s.connected ? 1 : 0);
    },
  });
  new Gauge({
    name: 'quotebot_index_age_seconds',
    help: 'Age of the index answering now (since its build), in seconds.',
    registers,
    aggregator: 'max',
    collect() {
      const built = sources.index?.()?.builtAt;
      const t = built ? Date.parse(built) : NaN;
      if (Number.isFinite(t)) this.set(Math.max(0, (Date.now() - t) / 1000));
    },
  });
  new Gauge({
    name: 'quotebot_index_documents',
    help: 'Documents in the index answering now.',
    registers,
    aggregator: 'max',
    collect() {
      const index = sources.index?.();
      if (index) this.set(index.documents);
    },
  });
  // Every outcome shows from the start (at 0), so a rate() over them needs no first event.
  for (const o of QUESTION_OUTCOMES) questions.inc({ outcome: o }, 0);
  for (const o of REBUILD_OUTCOMES) rebuilds.inc({ outcome: o }, 0);

  return {
    registry,
    question(outcome, seconds) {
      questions.inc({ outcome });
      if (seconds !== undefined && (outcome === 'answered' || outcome === 'refused'))
        latency.observe({ outcome }, seconds);
    },
    rebuild(r) {
      rebuilds.inc({ outcome: r.outcome });
      if (r.outcome !== 'unchanged') rebuildSeconds.observe({ outcome: r.outcome }, r.seconds);
      if (r.embedded) {
        embedded.inc(r.embedded);
        if (r.embedMs && r.embedMs > 0) embedRate.set(r.embedded / (r.embedMs / 1000));
      }
    },
    watch(more) {
      Object.assign(sources, more);
    },
  };
}

export type MetricsJson = Awaited<ReturnType<Registry['getMetricsAsJSON']>>;

/** Prometheus text for several processes' metrics (each from `registry.getMetricsAsJSON()`). */
export async function aggregateMetrics(parts: MetricsJson[]): Promise<{ contentType: string; text: string }> {
  const merged = AggregatorRegistry.aggregate(parts);
  return { contentType: merged.contentType, text: await merged.metrics() };
}
