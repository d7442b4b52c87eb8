/**
 * How quotebot names itself to the sites it fetches: `quotebot/<version>`, the version read once
 * from the package.json it ships in (the nearest one named quotebot above this file).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The product token robots.txt rules are matched against. */
export const ROBOTS_AGENT = 'quotebot';

function ownVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'quotebot' && pkg.version) return pkg.version;
    } catch {
      // No package.json here: look one folder up.
    }
    dir = dirname(dir);
  }
  return '0';
}

export const USER_AGENT = `${ROBOTS_AGENT}/${ownVersion()} (self-hosted Discord bot; fetches the pages its moderators add)`;
