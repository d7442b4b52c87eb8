/**
 * The fetcher's guard against server-side request forgery: which addresses a URL may reach.
 * Only public unicast addresses are allowed (checked with ipaddr.js's ranges, after unwrapping an
 * IPv4-mapped IPv6 address); loopback, private, link-local (where cloud metadata answers),
 * unique-local, shared (CGNAT), multicast, reserved and tunnelling ranges are refused unless
 * `FETCH_ALLOW_HOSTS` names the host, the address or a CIDR range holding it. A host name is
 * resolved once here and the connection is made to the address that was checked (see fetch.ts),
 * so a second DNS answer (rebinding) is never used. Nothing here connects anywhere.
 */
import { lookup } from 'node:dns/promises';
import ipaddr from 'ipaddr.js';

/** A URL the fetcher will not request: the message is one line for the moderator. */
export class FetchRefused extends Error {
  override name = 'FetchRefused';
}

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** What FETCH_ALLOW_HOSTS lets through: host names (lower case) and address ranges. */
export interface AllowList {
  hosts: ReadonlySet<string>;
  ranges: readonly [Address, number][];
}

export const NOTHING_ALLOWED: AllowList = { hosts: new Set(), ranges: [] };

const HOST_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*\.?$/i;

/**
 * Parses `FETCH_ALLOW_HOSTS`: comma-separated host names, IP addresses or CIDR ranges
 * (`wiki.internal, 10.1.2.3, 192.168.0.0/16, fd00::/8`). Throws one line naming a bad entry.
 */
export function parseAllowList(raw: string | undefined): AllowList {
  const hosts = new Set<string>();
  const ranges: [Address, number][] = [];
  for (const entry of (raw ?? '').split(',').map((s) => s.trim().toLowerCase())) {
    if (!entry) continue;
    const bare = entry.replace(/^\[([^\]]*)\]/, '$1');
    if (bare.includes('/')) {
      if (!ipaddr.isValidCIDR(bare)) throw new Error(`“${entry.slice(0, 60)}” is not a CIDR range such as 10.0.0.0/8`);
      ranges.push(ipaddr.parseCIDR(bare));
    } else if (ipaddr.isValid(bare) && /^[\d.]+$|:/.test(bare)) {
      const a = ipaddr.parse(bare);
      ranges.push([a, a.kind() === 'ipv4' ? 32 : 128]);
    } else if (HOST_NAME.test(bare)) hosts.add(bare.replace(/\.$/, ''));
    else throw new Error(`“${entry.slice(0, 60)}” is not a host name, IP address or CIDR range`);
  }
  return { hosts, ranges };
}

/** Why each refused range is refused, in words a moderator can act on. */
const RANGE_WORDS: Record<string, string> = {
  loopback: 'a loopback address (this machine)',
  private: 'a private network address',
  linkLocal: 'a link-local address (where cloud metadata services answer)',
  uniqueLocal: 'a unique-local (private) IPv6 address',
  carrierGradeNat: 'a shared (carrier-grade NAT) address',
  unspecified: 'the unspecified address',
  broadcast: 'the broadcast address',
  multicast: 'a multicast address',
};

/** An address as ipaddr.js reads it, an IPv4-mapped IPv6 address as the IPv4 address it carries. */
function parseAddress(ip: string): Address | undefined {
  const bare = ip.replace(/^\[(.*)\]$/, '$1');
  if (!ipaddr.isValid(bare)) return undefined;
  return ipaddr.process(bare);
}

function inRanges(a: Address, ranges: AllowList['ranges']): boolean {
  return ranges.some(([net, bits]) => net.kind() === a.kind() && a.match(net, bits));
}

/**
 * Why `ip` may not be connected to, or undefined when it may: public unicast, or listed in
 * `allow` (by address or range). Anything that does not parse as an address is refused.
 */
export function addressRefusal(ip: string, allow: AllowList = NOTHING_ALLOWED): string | undefined {
  const a = parseAddress(ip);
  if (!a) return 'not an IP address';
  if (inRanges(a, allow.ranges)) return undefined;
  const range = a.range();
  if (range === 'unicast') return undefined;
  return RANGE_WORDS[range] ?? `a special-purpose address (${range})`;
}

/** True when the URL's host is allowed by name (any address it resolves to is then accepted). */
export function hostAllowedByName(hostname: string, allow: AllowList): boolean {
  return allow.hosts.has(hostname.toLowerCase().replace(/\.$/, ''));
}

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to all of its addresses (tests pass their own, to stay on loopback). */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolver: Resolver = async (hostname) =>
  (await lookup(hostname, { all: true, verbatim: true })).map((r) => ({
    address: r.address,
    family: r.family === 6 ? 6 : 4,
  }));

/**
 * The one address a request to `hostname` connects to, checked: an IP literal is checked as it
 * is; a name is resolved once and every address it resolves to must pass (a name that mixes a
 * public address with a private one is refused). Throws FetchRefused with one line.
 */
export async function checkedAddress(
  hostname: string,
  allow: AllowList,
  resolver: Resolver = systemResolver,
): Promise<ResolvedAddress> {
  const host = hostname.replace(/^\[(.*)\]$/, '$1');
  const literal = parseAddress(host);
  if (literal) {
    const why = addressRefusal(host, allow);
    if (why) throw new FetchRefused(`${host} is ${why}; it is not fetched (FETCH_ALLOW_HOSTS can allow it).`);
    return { address: literal.toString(), family: literal.kind() === 'ipv4' ? 4 : 6 };
  }
  let found: ResolvedAddress[];
  try {
    found = await resolver(host);
  } catch {
    throw new FetchRefused(`${host} could not be found (DNS).`);
  }
  if (!found.length) throw new FetchRefused(`${host} could not be found (DNS).`);
  if (hostAllowedByName(host, allow)) return found[0]!;
  for (const r of found) {
    const why = addressRefusal(r.address, allow);
    if (why) throw new FetchRefused(`${host} resolves to ${why}; it is not fetched (FETCH_ALLOW_HOSTS can allow it).`);
  }
  return found[0]!;
}
