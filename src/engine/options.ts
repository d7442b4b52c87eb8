/**
 * How an engine is opened: the collection, the index (folder or Postgres URL), the embedder for a
 * build, and the knobs tests and shards turn. Plain data.
 */
import type { AnswerPolicy } from '../answer/compose.js';

export interface EngineOptions {
  /**
   * The collection. Leave it out to answer from the one the index was built from (`seeds` when
   * there is no index yet); naming another one than an existing index's is an error.
   */
  corpusDir?: string;
  indexDir: string;
  /** A Postgres URL: the shared store instead of the local index folder. */
  indexUrl?: string;
  /** Embedder for a build (`auto`, `use-lite`, `transformers:<model>`); queries always use the index's own. */
  embedder?: string;
  modelDir?: string;
  /** One-line notices for the user (building, fallbacks), e.g. to stderr. */
  notice?: (line: string) => void;
  /** Progress of an embedding build. */
  progress?: (done: number, total: number) => void;
  /** Override the calibrated answer policy (calibration and tests). */
  policy?: Partial<AnswerPolicy>;
  /** How often a reader of a shared store looks for a new generation (default 5 s). */
  pollMs?: number;
  /** A shared store's generations up to this many sentences are searched in memory (`SCAN_MAX`). */
  scanMax?: number;
  /**
   * Never write the index (a shard process: another process is the one writer). The index must
   * exist; the engine follows its new generations as a reader of a shared store does.
   */
  readOnly?: boolean;
}

export const DEFAULT_CORPUS = 'seeds';
