/**
 * The one place a feedback store is chosen. Today: the local append-only file `FEEDBACK_FILE`
 * (default `feedback.jsonl`). A database-backed store plugs in here behind the same interface.
 */
import { jsonlFeedbackStore } from './jsonl.js';
import type { FeedbackStore } from './store.js';

export function openFeedbackStore(config: { FEEDBACK_FILE: string }): FeedbackStore {
  return jsonlFeedbackStore(config.FEEDBACK_FILE);
}
