/**
 * The one place a feedback store is chosen: the database when INDEX_URL names one, else the
 * local append-only file `FEEDBACK_FILE` (default `feedback.jsonl`).
 */
import { jsonlFeedbackStore } from './jsonl.js';
import { pgFeedbackStore } from './pg.js';
import type { FeedbackStore } from './store.js';

export function openFeedbackStore(config: { FEEDBACK_FILE: string; INDEX_URL?: string | undefined }): FeedbackStore {
  return config.INDEX_URL ? pgFeedbackStore(config.INDEX_URL) : jsonlFeedbackStore(config.FEEDBACK_FILE);
}
