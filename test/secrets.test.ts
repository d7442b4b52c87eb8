/**
 * Secrets and details: a database URL is redacted by parsing, whatever its password holds
 * (`/`, `@`, `?`, `#`), its query is dropped, and its credentials never reach a log line.
 */
import { describe, expect, test } from 'vitest';
import { memoryLogger } from '../src/core/log.js';
import { redactUrl, urlCredentials } from '../src/core/url.js';
import { redactUrl as storeRedactUrl } from '../src/db/pg.js';

describe('redactUrl', () => {
  test.each([
    ['postgres://bob:1234/xyzzy@db:5432/q', 'postgres://db:5432/q'],
    ['postgres://u:p@h:5432/db', 'postgres://h:5432/db'],
    ['postgres://u:p@ss@h/db', 'postgres://h/db'],
    ['postgres://u:pa?ss#w@h/db', 'postgres://h/db'],
    ['postgres://bob:se/cr?et#x@db.example:6543/quote?sslmode=require', 'postgres://db.example:6543/quote'],
    ['postgres://h/db?password=hunter2&sslpassword=x', 'postgres://h/db'],
    ['postgresql://h', 'postgresql://h'],
    ['POSTGRES://u:p@h/db', 'postgres://h/db'],
    ['host=db password=hunter2', 'postgres://(invalid URL)'],
  ])('%s → %s', (url, shown) => {
    expect(redactUrl(url)).toBe(shown);
    expect(storeRedactUrl(url)).toBe(shown); // the store's messages use the same
  });
});

test("a URL's credentials, however spelled, are kept out of the logs", () => {
  const url = 'postgres://quotebot:s3cret/with@slash@db.internal:5432/quotes';
  expect(urlCredentials(url)).toEqual(['quotebot:s3cret/with@slash', 's3cret/with@slash']);
  expect(urlCredentials('postgres://db/q')).toEqual([]);
  expect(urlCredentials(undefined)).toEqual([]);
  const log = memoryLogger('info', urlCredentials(url));
  log.error('db_failed', { error: `connect to ${url} failed: password s3cret/with@slash rejected` });
  expect(log.lines.join('\n')).not.toContain('s3cret/with@slash');
  expect(log.lines.join('\n')).toContain('[redacted]');
});
