/**
 * The one place the question log is chosen, beside the votes: INDEX_URL's database when set, else
 * the folder `questions/` next to FEEDBACK_FILE. RECORD_QUESTIONS=off: none (undefined).
 */
import { dirname, join } from 'node:path';
import { fileQuestionLog } from './questions-file.js';
import { pgQuestionLog } from './questions-pg.js';
import type { QuestionLog } from './questions.js';

export interface QuestionLogConfig {
  FEEDBACK_FILE: string;
  INDEX_URL?: string | undefined;
  RECORD_QUESTIONS: boolean;
}

/** The folder of the file store: `questions/` in the folder of the feedback file. */
export const questionsDir = (feedbackFile: string): string => join(dirname(feedbackFile), 'questions');

export function openQuestionLog(config: QuestionLogConfig): QuestionLog | undefined {
  if (!config.RECORD_QUESTIONS) return undefined;
  return readQuestionLog(config);
}

/** The log to read (npm run feedback), whether or not this process records. */
export function readQuestionLog(config: Omit<QuestionLogConfig, 'RECORD_QUESTIONS'>): QuestionLog {
  return config.INDEX_URL ? pgQuestionLog(config.INDEX_URL) : fileQuestionLog(questionsDir(config.FEEDBACK_FILE));
}
