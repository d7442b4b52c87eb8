/**
 * What a re-index of a live collection reports. Types only, shared by the live modules and the edges.
 */

export type RefreshResult =
  | { ok: true; changed: false }
  | {
      ok: true;
      changed: true;
      docs: number;
      embedded: number;
      reused: number;
      ms: number;
      /** Of `ms`, the time spent embedding (ops: the embedding rate). */
      embedMs?: number;
      skipped: string[];
    }
  /** A failure: `error` is for moderators (an error id); `detail`, the reason, goes to the log only. */
  | { ok: false; error: string; errorId?: string; detail?: string };
