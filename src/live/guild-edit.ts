/**
 * An edit of a server's collection as plain data, and its outcome: what a process receiving
 * `/collection add|remove|settings|add-url|feeds` hands to the one writer (in the same process, over the shard
 * IPC channel, or through the shared store's queue), checked with zod wherever it arrives.
 * File bytes travel as base64 (IPC and JSON columns carry text).
 */
import { z } from 'zod';
import { isGuildId } from '../core/guild.js';

const guild = z.string().refine(isGuildId, 'not a server id');
const webUrl = z.string().min(1).max(2000);
const failed = z.array(z.object({ url: z.string().max(2000), reason: z.string().max(500) })).max(20);

/** What adding by URL did (web-sources.ts AddReport, without the refresh: see `indexError`). */
const AddedSchema = z.object({
  url: z.string(),
  kind: z.enum(['page', 'feed', 'sitemap']),
  title: z.string().optional(),
  already: z.boolean(),
  docs: z.array(z.string()),
  listed: z.number().int().nonnegative(),
  failed,
});

/** The server's followed feeds and sitemaps (web-sources.ts `feeds()`). */
const FeedsSchema = z.object({
  feeds: z.array(
    z.object({
      url: z.string(),
      kind: z.enum(['feed', 'sitemap', 'page']).optional(),
      title: z.string().optional(),
      lastSync: z.string().optional(),
      items: z.number().int().nonnegative(),
      error: z.string().optional(),
      failedCount: z.number().int().nonnegative(),
      failed,
    }),
  ),
  pages: z.number().int().nonnegative(),
  synced: z.string().optional(),
});
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
  /** A page stored, or a feed or sitemap followed (its pages stored), in the server's collection. */
  z.object({ kind: z.literal('add-url'), guild, by, url: webUrl }),
  /** Stop following a feed or sitemap (its pages leave the collection). */
  z.object({ kind: z.literal('unfollow'), guild, by, url: webUrl }),
  /** What the server follows (read by the writer, which keeps the sync's record). */
  z.object({ kind: z.literal('feeds'), guild, by }),
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
  /** Sources from the web: what `add-url`, `unfollow` or `feeds` did or found. */
  web: z
    .object({
      added: AddedSchema.optional(),
      unfollowed: z.object({ url: z.string(), removed: z.array(z.string()) }).optional(),
      feeds: FeedsSchema.optional(),
      /** A long listing still being fetched when the reply was due: pages done of listed so far. */
      fetching: z.object({ url: z.string(), done: z.number().int(), total: z.number().int() }).optional(),
      syncIntervalS: z.number().int().positive(),
    })
    .optional(),
});
export type EditOutcome = z.infer<typeof EditOutcomeSchema>;

/** Bytes as they travel in an edit. */
export const toData = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');
export const fromData = (data: string): Uint8Array => new Uint8Array(Buffer.from(data, 'base64'));
