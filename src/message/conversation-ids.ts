/**
 * Custom IDs of the conversation buttons and form (the others are in ids.ts). Each carries only
 * the short key of an answer's conversation, kept server-side (src/discord/conversations.ts):
 * a key that is unknown or expired is told as such, never trusted for anything else.
 *
 *   fu1:<key>     Follow up button: opens the follow-up form.
 *   fum1:<key>    the follow-up form (modal) itself.
 *   post1:<key>   Post to channel button of a private answer.
 */
import { z } from 'zod';

export type ConversationId = { kind: 'followup' | 'form' | 'post'; key: string };

const KEY = /^[0-9a-z]{10}$/;
const PREFIX = { followup: 'fu1:', form: 'fum1:', post: 'post1:' } as const;

const keySchema = z.string().regex(KEY);

export const followUpId = (key: string) => PREFIX.followup + key;
export const followUpFormId = (key: string) => PREFIX.form + key;
export const postId = (key: string) => PREFIX.post + key;

/** True for a custom ID of this family (then `parseConversationId` says whether it is well formed). */
export const isConversationId = (raw: string) => Object.values(PREFIX).some((p) => raw.startsWith(p));

/** Parses a conversation custom ID; `null` for anything malformed. */
export function parseConversationId(raw: unknown): ConversationId | null {
  if (typeof raw !== 'string' || raw.length > 100) return null;
  for (const [kind, prefix] of Object.entries(PREFIX) as [ConversationId['kind'], string][]) {
    if (!raw.startsWith(prefix)) continue;
    const key = keySchema.safeParse(raw.slice(prefix.length));
    return key.success ? { kind, key: key.data } : null;
  }
  return null;
}
