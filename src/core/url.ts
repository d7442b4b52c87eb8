/**
 * URLs typed by people and URLs in logs. Where a URL points, for messages and logs, with its credentials gone however they are
 * spelled. A password may hold any character, `/`, `@`, `?` and `#` included
 * (`postgres://bob:1234/xyzzy@db:5432/q`): a URL parser reads such a password as the host and
 * path. So the authority is taken to end at the LAST `@` (everything before it is credentials,
 * kept out), the host is read after it, and the query and fragment (`?password=…`,
 * `sslpassword`, `sslkey`…) are dropped whole.
 */
/** A value someone typed that reads as a web address (`http(s)://…`) rather than a path or a name. */
export const isWebAddress = (s: string) => /^https?:\/\/\S/i.test(s.trim());

export function redactUrl(url: string): string {
  const m = /^([a-z][a-z0-9+.-]*):\/\/(.*)$/is.exec(url.trim());
  if (!m) return 'postgres://(invalid URL)';
  const [, scheme, rest] = m as unknown as [string, string, string];
  const afterCredentials = rest.slice(rest.lastIndexOf('@') + 1);
  const [place] = afterCredentials.split(/[?#]/, 1) as [string];
  const slash = place.indexOf('/');
  const host = slash < 0 ? place : place.slice(0, slash);
  const path = slash < 0 ? '' : place.slice(slash);
  if (!host || /\s/.test(host)) return `${scheme.toLowerCase()}://(invalid URL)`;
  return `${scheme.toLowerCase()}://${host}${path}`;
}

/** The credentials of a URL (everything before the host's last `@`, and its password alone), to keep out of logs. */
export function urlCredentials(url: string | undefined): string[] {
  const rest = url ? /^[a-z][a-z0-9+.-]*:\/\/(.*)$/is.exec(url.trim())?.[1] : undefined;
  const at = rest?.lastIndexOf('@') ?? -1;
  if (!rest || at < 0) return [];
  const userinfo = rest.slice(0, at);
  const colon = userinfo.indexOf(':');
  return colon < 0 ? [userinfo] : [userinfo, userinfo.slice(colon + 1)];
}
