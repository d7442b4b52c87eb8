/**
 * The sync's own record, kept beside the collection in `.quotebot-web.json` (not a collection
 * file, so neither the watcher nor a build looks at it): per followed URL its kind, title, last
 * sync, last error and the items that could not be added; the pages that answered 404/410 (never
 * fetched again, so a feed that still lists them does not bring them back); the pages taken from
 * each feed (one a moderator removed is not taken again); the time of the last full sync. Losing
 * it loses only history: the next sync rebuilds it (a gone page is asked for once more, and a page
 * a moderator removed comes back).
 * Written to a temp name and renamed; read leniently (a damaged file counts as empty).
 */
import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';

export const STATE_FILE = '.quotebot-web.json';

/** Items whose failure is remembered per followed URL (the rest are counted). */
export const MAX_FAILED_KEPT = 20;

const FollowedSchema = z.object({
  kind: z.enum(['feed', 'sitemap', 'page']).optional(),
  title: z.string().optional(),
  added: z.string().optional(),
  lastSync: z.string().optional(),
  /** Why the last sync of this URL itself failed (absent when it worked). */
  error: z.string().optional(),
  /** Listed items that could not be added, with why (at most MAX_FAILED_KEPT). */
  failed: z.record(z.string(), z.string()).default({}),
  /** How many listed items could not be added at the last sync. */
  failedCount: z.number().int().nonnegative().default(0),
  etag: z.string().optional(),
  lastModified: z.string().optional(),
});
export type Followed = z.infer<typeof FollowedSchema>;

const StateSchema = z.object({
  followed: z.record(z.string(), FollowedSchema).default({}),
  /** Page URL → when it answered 404/410. */
  gone: z.record(z.string(), z.string()).default({}),
  /**
   * Page URL → the followed URL it was taken from: a page no longer in the collection was removed
   * (by a moderator, or gone) and is not taken again.
   */
  taken: z.record(z.string(), z.string()).default({}),
  /** Last time every followed URL and web page was synced. */
  synced: z.string().optional(),
});
export type WebState = z.infer<typeof StateSchema>;

export async function readState(dir: string): Promise<WebState> {
  try {
    return StateSchema.parse(JSON.parse(await readFile(join(dir, STATE_FILE), 'utf8')));
  } catch {
    return StateSchema.parse({});
  }
}

/** A store of the state with one change at a time (read, change, write back). */
export function stateStore(dir: string): {
  read(): Promise<WebState>;
  update(change: (s: WebState) => void): Promise<void>;
} {
  let chain: Promise<unknown> = Promise.resolve();
  return {
    read: () => chain.then(() => readState(dir)),
    update(change) {
      const run = chain.then(async () => {
        const state = await readState(dir);
        change(state);
        const path = join(dir, STATE_FILE);
        const tmp = join(dir, `.web-state-${process.pid}-${randomBytes(4).toString('hex')}.part`);
        try {
          await writeFile(tmp, JSON.stringify(state, null, 2) + '\n');
          await rename(tmp, path);
        } catch (err) {
          await rm(tmp, { force: true });
          throw err;
        }
      });
      chain = run.catch(() => undefined);
      return run;
    },
  };
}
