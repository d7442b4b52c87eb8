/**
 * The shared store's tables for servers' collections (schema migration 3), as small queries:
 * a server's settings and generation (read by every process), its files (the writer's source),
 * the queue of edits any process may add to and the one writer applies, and the writer's lease.
 * Readers need SELECT only; queueing an edit needs INSERT on `qb_edits`; the rest is the writer's.
 */
import type pg from 'pg';

/** A server's generation (undefined: no index) and whether the base is answered there. */
export async function probeCollection(
  q: pg.Pool | pg.ClientBase,
  collection: string,
): Promise<{ generation?: string; base: boolean }> {
  const { rows } = await q.query<{ generation: string | null; base: boolean | null }>(
    `SELECT (SELECT generation FROM qb_pointers WHERE collection = $1) AS generation,
            (SELECT base FROM qb_settings WHERE collection = $1) AS base`,
    [collection],
  );
  return { generation: rows[0]?.generation ?? undefined, base: rows[0]?.base ?? true };
}

export async function writeSettings(q: pg.Pool | pg.ClientBase, collection: string, base: boolean): Promise<void> {
  await q.query(
    'INSERT INTO qb_settings (collection, base) VALUES ($1, $2) ON CONFLICT (collection) DO UPDATE SET base = EXCLUDED.base',
    [collection, base],
  );
}

/** A server's follow list and web sync record (see live/web-state.ts); undefined when it has none. */
export async function readWeb(q: pg.Pool | pg.ClientBase, collection: string): Promise<unknown> {
  const { rows } = await q.query<{ web: unknown }>('SELECT web FROM qb_settings WHERE collection = $1', [collection]);
  return rows[0]?.web ?? undefined;
}

export async function writeWeb(q: pg.Pool | pg.ClientBase, collection: string, web: unknown): Promise<void> {
  await q.query(
    'INSERT INTO qb_settings (collection, web) VALUES ($1, $2) ON CONFLICT (collection) DO UPDATE SET web = EXCLUDED.web',
    [collection, web],
  );
}

/** Servers that follow a feed or sitemap or hold a fetched page, with their last full sync. */
export async function readFollowers(q: pg.Pool | pg.ClientBase): Promise<{ guild: string; synced?: string }[]> {
  const { rows } = await q.query<{ collection: string; synced: string | null }>(
    `SELECT w.collection, s.web->'state'->>'synced' AS synced
       FROM (SELECT collection FROM qb_settings
              WHERE jsonb_typeof(web->'follow') = 'array' AND jsonb_array_length(web->'follow') > 0
             UNION SELECT DISTINCT collection FROM qb_files WHERE meta ? 'fetched') w
       LEFT JOIN qb_settings s ON s.collection = w.collection`,
  );
  return rows.map((r) => ({ guild: r.collection, ...(r.synced && { synced: r.synced }) }));
}

export interface StoredFile {
  name: string;
  bytes: Buffer;
  meta: Record<string, unknown>;
}

export async function readFiles(q: pg.Pool | pg.ClientBase, collection: string): Promise<StoredFile[]> {
  const { rows } = await q.query<StoredFile>(
    'SELECT name, bytes, meta FROM qb_files WHERE collection = $1 ORDER BY name',
    [collection],
  );
  return rows;
}

export async function putFile(q: pg.Pool | pg.ClientBase, collection: string, file: StoredFile): Promise<void> {
  await q.query(
    `INSERT INTO qb_files (collection, name, bytes, meta) VALUES ($1, $2, $3, $4)
     ON CONFLICT (collection, name) DO UPDATE SET bytes = EXCLUDED.bytes, meta = EXCLUDED.meta, updated_at = now()`,
    [collection, file.name, file.bytes, file.meta],
  );
}

export async function deleteFile(q: pg.Pool | pg.ClientBase, collection: string, name: string): Promise<void> {
  await q.query('DELETE FROM qb_files WHERE collection = $1 AND name = $2', [collection, name]);
}

/** Queues an edit (its file bytes beside it); resolves with its id. */
export async function queueEdit(
  q: pg.Pool | pg.ClientBase,
  collection: string,
  edit: unknown,
  data: Buffer | null,
): Promise<string> {
  const { rows } = await q.query<{ id: string }>(
    'INSERT INTO qb_edits (collection, edit, data) VALUES ($1, $2, $3) RETURNING id',
    [collection, edit, data],
  );
  return rows[0]!.id;
}

/** The outcome of a queued edit, once the writer has applied it. */
export async function editOutcome(q: pg.Pool | pg.ClientBase, id: string): Promise<unknown> {
  const { rows } = await q.query<{ state: string; outcome: unknown }>(
    'SELECT state, outcome FROM qb_edits WHERE id = $1',
    [id],
  );
  return rows[0]?.state === 'done' ? rows[0].outcome : undefined;
}

/**
 * Takes or renews the writer's lease for `seconds`; true while this holder has it. A lease whose
 * holder stopped renewing it (a process gone) is taken over when it expires.
 */
export async function takeLease(q: pg.Pool | pg.ClientBase, holder: string, seconds: number): Promise<boolean> {
  const { rows } = await q.query<{ holder: string }>(
    `INSERT INTO qb_writer (one, holder, expires) VALUES (true, $1, now() + make_interval(secs => $2))
     ON CONFLICT (one) DO UPDATE SET holder = EXCLUDED.holder, expires = EXCLUDED.expires
       WHERE qb_writer.holder = EXCLUDED.holder OR qb_writer.expires < now()
     RETURNING holder`,
    [holder, seconds],
  );
  return rows[0]?.holder === holder;
}

export async function dropLease(q: pg.Pool | pg.ClientBase, holder: string): Promise<void> {
  await q.query('DELETE FROM qb_writer WHERE holder = $1', [holder]);
}

/**
 * Claims the oldest edit not yet applied (one left running by a holder that is gone is taken
 * again), of a server not in `skip`; undefined when there is none. Claiming is one statement, so
 * two writers never take one edit.
 */
export async function claimEdit(
  q: pg.Pool | pg.ClientBase,
  holder: string,
  skip: readonly string[] = [],
): Promise<{ id: string; collection: string; edit: unknown; data: Buffer | null } | undefined> {
  const { rows } = await q.query<{ id: string; collection: string; edit: unknown; data: Buffer | null }>(
    `UPDATE qb_edits SET state = 'running', holder = $1
      WHERE id = (SELECT id FROM qb_edits
                   WHERE (state = 'queued' OR (state = 'running' AND holder IS DISTINCT FROM $1))
                     AND collection <> ALL($2::text[])
                   ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
      RETURNING id, collection, edit, data`,
    [holder, [...skip]],
  );
  return rows[0];
}

export async function finishEdit(q: pg.Pool | pg.ClientBase, id: string, outcome: unknown): Promise<void> {
  await q.query(`UPDATE qb_edits SET state = 'done', outcome = $2, data = NULL, done_at = now() WHERE id = $1`, [
    id,
    outcome,
  ]);
  // Applied edits are kept a day (their outcome is read by the process that queued them), then dropped.
  await q.query(`DELETE FROM qb_edits WHERE state = 'done' AND done_at < now() - interval '1 day'`);
}
