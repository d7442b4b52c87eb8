/**
 * The answer queue: the hook between interaction handlers and the engine. Questions that arrive
 * close together are answered in one `engine.askMany` batch (one embedding pass), one batch at a
 * time, so a burst never runs many retrievals at once and handlers only await a promise. The
 * queue is bounded (`maxWaiting`): past it a question is turned away at once (`full`, or `ask`
 * rejects with `Busy`) and gets a polite "busy, try again", instead of a wait that grows without end.
 */
import type { Answer, AskContext, Engine } from '../core/types.js';

export interface AnswerSource {
  /**
   * `engine`: the engine to answer from (a server's); default the queue's own. `context`: the
   * question a follow-up follows (see Engine.askMany). Rejects with `Busy` when the queue is full.
   */
  ask(question: string, opts?: AskOptions): Promise<Answer>;
  /** Questions waiting or being answered. */
  readonly pending: number;
  /** True when a question asked now would be turned away. */
  readonly full?: boolean;
}

/** The queue is full: the question was not taken. */
export class Busy extends Error {
  override name = 'Busy';
}

export interface AskOptions {
  engine?: Pick<Engine, 'ask' | 'askMany'>;
  context?: AskContext;
}

export interface AnswerQueueOptions {
  /** Most questions per `askMany` call. */
  maxBatch?: number;
  /** How long the first question of a batch waits for company (ms). 0 = next macrotask. */
  maxWaitMs?: number;
  /** Most questions waiting (not counting the batch being answered); more are turned away. */
  maxWaiting?: number;
}

interface Job {
  question: string;
  engine: Pick<Engine, 'ask' | 'askMany'>;
  context?: AskContext;
  resolve: (a: Answer) => void;
  reject: (e: unknown) => void;
}

export class AnswerQueue implements AnswerSource {
  private readonly waiting: Job[] = [];
  private running = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly maxBatch: number;
  private readonly maxWaitMs: number;
  private readonly maxWaiting: number;

  constructor(
    private readonly engine: Pick<Engine, 'ask' | 'askMany'>,
    opts: AnswerQueueOptions = {},
  ) {
    // Small batches: each one holds the event loop while it embeds, and defers must not wait long.
    this.maxBatch = Math.max(1, opts.maxBatch ?? 4);
    this.maxWaitMs = Math.max(0, opts.maxWaitMs ?? 5);
    this.maxWaiting = Math.max(1, opts.maxWaiting ?? 256);
  }

  get full(): boolean {
    return this.waiting.length >= this.maxWaiting;
  }

  get pending(): number {
    return this.waiting.length + this.running;
  }

  ask(question: string, opts: AskOptions = {}): Promise<Answer> {
    if (this.full) return Promise.reject(new Busy(`${this.waiting.length} questions are waiting already`));
    const engine = opts.engine ?? this.engine;
    return new Promise<Answer>((resolve, reject) => {
      this.waiting.push({ question, engine, ...(opts.context && { context: opts.context }), resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.running > 0 || this.timer || this.waiting.length === 0) return;
    const wait = this.waiting.length >= this.maxBatch ? 0 : this.maxWaitMs;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, wait);
  }

  private async flush(): Promise<void> {
    // The next questions for the engine at the head of the queue (one server's, or the base's).
    const engine = this.waiting[0]?.engine;
    if (!engine) return;
    const batch: Job[] = [];
    for (let i = 0; i < this.waiting.length && batch.length < this.maxBatch;)
      if (this.waiting[i]!.engine === engine) batch.push(...this.waiting.splice(i, 1));
      else i++;
    this.running = batch.length;
    try {
      // Follow-ups go with their contexts; a batch without any is asked exactly as before.
      const contexts = batch.some((j) => j.context) ? batch.map((j) => j.context) : undefined;
      const questions = batch.map((j) => j.question);
      const answers = contexts
        ? await engine.askMany(questions, contexts)
        : batch.length === 1
          ? [await engine.ask(questions[0]!)]
          : await engine.askMany(questions);
      batch.forEach((job, i) => {
        const a = answers[i];
        if (a) job.resolve(a);
        else job.reject(new Error('engine returned fewer answers than questions'));
      });
    } catch (err) {
      for (const job of batch) job.reject(err);
    } finally {
      this.running = 0;
      // Let pending I/O (defers, edits) run before the next batch takes the CPU.
      setImmediate(() => this.schedule());
    }
  }
}
