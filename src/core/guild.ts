/**
 * Server (guild) ids: a Discord snowflake, digits only. Checked before an id ever becomes part of
 * a path, a database key or a custom id, so nothing a request carries can name a folder.
 */
const SNOWFLAKE = /^\d{15,22}$/;

/** True for a Discord server id (15–22 digits). */
export function isGuildId(value: unknown): value is string {
  return typeof value === 'string' && SNOWFLAKE.test(value);
}

/** A server id in base 36, for custom ids (shorter than the decimal one). */
export function guildToken(guild: string): string {
  return BigInt(guild).toString(36);
}

/** The server id a `guildToken` stands for, or undefined when it is not one. */
export function guildFromToken(token: string): string | undefined {
  if (!/^[0-9a-z]{1,16}$/.test(token)) return undefined;
  let n = 0n;
  for (const ch of token) n = n * 36n + BigInt(Number.parseInt(ch, 36));
  const id = n.toString();
  return isGuildId(id) ? id : undefined;
}
