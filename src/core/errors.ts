/**
 * Typed one-line errors that more than one stage throws: the edges print their message as it is
 * (exit code 2 on the CLI), never a stack trace.
 */

/** The index is missing, corrupt or does not fit: one clear line for the user. */
export class IndexError extends Error {
  override name = 'IndexError';
}
