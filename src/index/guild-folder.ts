/**
 * A server's own collection on local files: `GUILDS_DIR/<server id>/docs/` (its files and
 * sources.json), `…/index/` (its index, generations as in folder.ts) and `…/settings.json`
 * (whether the base collection is answered there). The id is checked to be a Discord snowflake
 * before it becomes a path; settings are written to a temp name, then renamed.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { isGuildId } from '../core/guild.js';

export const GuildSettingsSchema = z.object({
  /** Whether the operator's base collection is answered in this server (default: yes). */
  base: z.boolean().default(true),
});
export type GuildSettings = z.infer<typeof GuildSettingsSchema>;
export const DEFAULT_SETTINGS: GuildSettings = { base: true };

export interface GuildPaths {
  root: string;
  docs: string;
  index: string;
  settings: string;
}

/** The folders of one server's collection; throws for anything but a server id. */
export function guildPaths(guildsDir: string, guild: string): GuildPaths {
  if (!isGuildId(guild)) throw new Error('not a server id');
  const root = join(resolve(guildsDir), guild);
  return { root, docs: join(root, 'docs'), index: join(root, 'index'), settings: join(root, 'settings.json') };
}

/** A server's settings; the defaults when it has none (or an unreadable file, which a write replaces). */
export async function readGuildSettings(guildsDir: string, guild: string): Promise<GuildSettings> {
  let raw: string;
  try {
    raw = await readFile(guildPaths(guildsDir, guild).settings, 'utf8');
  } catch {
    return { ...DEFAULT_SETTINGS };
  }
  try {
    return GuildSettingsSchema.parse(JSON.parse(raw));
  } catch {
    return { ...DEFAULT_SETTINGS };
  }
}

export async function writeGuildSettings(guildsDir: string, guild: string, settings: GuildSettings): Promise<void> {
  const { root, settings: path } = guildPaths(guildsDir, guild);
  await mkdir(root, { recursive: true });
  const tmp = join(root, `.settings-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(tmp, JSON.stringify(GuildSettingsSchema.parse(settings)) + '\n');
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
