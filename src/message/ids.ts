/**
 * Button custom IDs. They carry no trust: anything can arrive in a custom_id, so each is parsed
 * with zod and every cited span is re-validated through `engine.context()` before use.
 *
 *   src1:<item>~<item>…   Sources button; item = docIndex.start.end.check (base 36),
 *                         check = three base-36 characters derived from the document id and
 *                         version (one in buttons posted by older versions: still read);
 *                         docIndex counts the base collection's documents.
 *   src2:<server>:<item>~…  The same for an answer that cites a server's own documents: <server>
 *                         is the server's id in base 36, and an item of its documents starts with
 *                         `_` (docIndex then counts that server's documents; its check includes the
 *                         server). Used in another server, it is refused.
 *   pin1                  Pin button; it acts only on the message the button is attached to.
 *   fb1:<answer>:u|d      👍 / 👎 buttons; answer = the 10-character id of the answer's feedback record.
 *   fu1:, fum1:, post1:   Follow up, its form, Post to channel: see conversation-ids.ts.
 */
import { z } from 'zod';
import { guildFromToken, guildToken } from '../core/guild.js';
import { LIMITS } from './limits.js';

export const PIN_ID = 'pin1';
const SOURCES_PREFIX = 'src1:';
const SERVER_PREFIX = 'src2:';
const MAX_ITEMS = 10;

export interface SpanRef {
  docIndex: number;
  start: number;
  end: number;
  check: string;
  /** A server's own document (docIndex counts that server's documents); absent: the base's. */
  collection?: 'server';
}

export type ParsedId =
  | { kind: 'sources'; items: SpanRef[]; guild?: string }
  | { kind: 'pin' }
  | { kind: 'vote'; answer: string; vote: 'up' | 'down' };

const VOTE_ID = /^fb1:([0-9a-z]{10}):([ud])$/;

/** Custom IDs of the 👍 and 👎 buttons of one answer. */
export function voteIds(answer: string): { up: string; down: string } {
  return { up: `fb1:${answer}:u`, down: `fb1:${answer}:d` };
}

/**
 * Base-36 characters (3 by default) that change when the document behind an index changes: an
 * old button then fails its check instead of showing another text at its offsets (1 in 46,656
 * could still pass; 1 in 36 with the single character of older buttons, which are still read).
 */
export function docCheck(docId: string, length = 3): string {
  let h = 2166136261;
  for (let i = 0; i < docId.length; i++) {
    h ^= docId.charCodeAt(i);
    h = Math.imul(h, 16777619) >>> 0;
  }
  return (h % 36 ** length).toString(36).padStart(length, '0');
}

const b36 = z
  .string()
  .regex(/^[0-9a-z]{1,8}$/)
  .transform((s) => parseInt(s, 36))
  .pipe(z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER));

const itemSchema = z
  .string()
  .transform((s) => s.split('.'))
  .pipe(z.tuple([b36, b36, b36, z.string().regex(/^(?:[0-9a-z]|[0-9a-z]{3})$/)]))
  .transform(([docIndex, start, end, check]): SpanRef => ({ docIndex, start, end, check }))
  .refine((r) => r.start < r.end, 'empty span');
/** An item of a src2 id: a server's document is marked `_` (not a base-36 digit, so never part of a docIndex). */
const serverItemSchema = z
  .string()
  .transform((s) => (s.startsWith('_') ? { server: true, rest: s.slice(1) } : { server: false, rest: s }))
  .pipe(z.object({ server: z.boolean(), rest: itemSchema }))
  .transform(({ server, rest }): SpanRef => (server ? { ...rest, collection: 'server' } : rest));

const customIdSchema = z.string().min(1).max(LIMITS.customId);

/**
 * Encodes as many spans as fit in one custom ID (in order). Spans of a server's own documents
 * need the server (`guild`); without it they are left out.
 */
export function encodeSourcesId(items: readonly SpanRef[], guild?: string | null): string {
  const server = items.some((it) => it.collection === 'server') && !!guild;
  let id = server ? `${SERVER_PREFIX}${guildToken(guild!)}:` : SOURCES_PREFIX;
  let count = 0;
  for (const it of items.filter((x) => server || x.collection !== 'server').slice(0, MAX_ITEMS)) {
    const mark = it.collection === 'server' ? '_' : '';
    const part = `${mark}${it.docIndex.toString(36)}.${it.start.toString(36)}.${it.end.toString(36)}.${it.check}`;
    const next = count === 0 ? id + part : `${id}~${part}`;
    if (next.length > LIMITS.customId) break;
    id = next;
    count++;
  }
  return id;
}

/** Parses a custom ID; `null` for anything malformed. */
export function parseCustomId(raw: unknown): ParsedId | null {
  const id = customIdSchema.safeParse(raw);
  if (!id.success) return null;
  if (id.data === PIN_ID) return { kind: 'pin' };
  const vote = VOTE_ID.exec(id.data);
  if (vote) return { kind: 'vote', answer: vote[1]!, vote: vote[2] === 'u' ? 'up' : 'down' };
  let guild: string | undefined;
  let body: string;
  if (id.data.startsWith(SOURCES_PREFIX)) body = id.data.slice(SOURCES_PREFIX.length);
  else if (id.data.startsWith(SERVER_PREFIX)) {
    const m = /^([0-9a-z]{1,16}):(.*)$/s.exec(id.data.slice(SERVER_PREFIX.length));
    guild = m ? guildFromToken(m[1]!) : undefined;
    if (!guild) return null;
    body = m![2]!;
  } else return null;
  const parts = body.split('~');
  if (parts.length === 0 || parts.length > MAX_ITEMS) return null;
  const items: SpanRef[] = [];
  for (const p of parts) {
    const r = (guild ? serverItemSchema : itemSchema).safeParse(p);
    if (!r.success) return null;
    items.push(r.data);
  }
  return { kind: 'sources', items, ...(guild && { guild }) };
}
