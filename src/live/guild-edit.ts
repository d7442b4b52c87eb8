/**
 * An edit of a server's collection as plain data, and its outcome: what a process receiving
 * `/collection add|remove|settings` hands to the one writer (in the same process, over the shard
 * IPC channel, or through the shared store's queue), checked with zod wherever it arrives.
 * File bytes travel as base64 (IPC and JSON columns carry text).
 */
import { z } from 'zod';
import { isGuildId } from '../core/guild.js';

const guild = z.string().refine(isGuildId, 'not a server id');
/** Who made the edit (a member id, or `console`), for the log. */
const by = z.string().min(1).max(40);

export const GuildEditSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('add'),
    guild,
    by,
    filename: z.string().min(1).max(300),
    /** The file, base64. */
    data: z.string().max(1024 * 1024 * 1400),
    title: z.string().max(300).optional(),
    url: z.string().max(2000).optional(),
    replace: z.boolean().optional(),
  }),
  z.object({ kind: z.literal('remove'), guild, by, doc: z.string().min(1).max(300) }),
  z.object({ kind: z.literal('settings'), guild, by, base: z.boolean() }),
]);
export type GuildEdit = z.infer<typeof GuildEditSchema>;

export const EditOutcomeSchema = z.object({
  /** False: refused, nothing written (`message` says why in one line). */
  ok: z.boolean(),
  message: z.string().max(500).optional(),
  doc: z.string().optional(),
  bytes: z.number().int().nonnegative().optional(),
  replaced: z.boolean().optional(),
  /** The server's generation once the edit is indexed (readers wait until they answer from it). */
  generation: z.string().optional(),
  /** Written, but the index could not be updated: why. */
  indexError: z.string().max(500).optional(),
  settings: z.object({ base: z.boolean() }).optional(),
});
export type EditOutcome = z.infer<typeof EditOutcomeSchema>;

/** Bytes as they travel in an edit. */
export const toData = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');
export const fromData = (data: string): Uint8Array => new Uint8Array(Buffer.from(data, 'base64'));
