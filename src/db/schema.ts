import type pg from 'pg';

/**
 * The Postgres store's schema, as numbered migrations applied in order and recorded in
 * `qb_schema`. Never edit a released migration: add the next one.
 *
 * - `qb_generations`: one row per build: its manifest and its BM25 index (MiniSearch JSON, loaded
 *   by every reader, so lexical ranking is exactly that of the local files).
 * - `qb_pointer`: the one row naming the generation readers use; a build flips it in the same
 *   transaction that writes the generation, so readers see the old one or the new one.
 * - `qb_documents`: name, content hash, metadata and text; `record` holds the rest of the
 *   document record as JSON (new fields need no migration); `vectors` its sentences' vectors as
 *   float32 rows, loaded by readers in one read.
 * - `qb_chunks`, `qb_sentences`: offsets into the document text; `embedding` is searched by an HNSW
 *   index (`vector_cosine_ops`) made per generation, over `embedding::vector(dims)`.
 * - `qb_feedback` (2): answer feedback, one row per answer (`member` '') and per member per
 *   answer (a later vote replaces the row, with a new `seq`, so order is that of last votes).
 * - `qb_questions` (3): the question log, one row per question asked (see feedback/questions.ts).
 * - (4) One collection per server: every index row carries its `collection` ('base', the
 *   operator's, or a server's id) and readers ask for theirs; `qb_pointers` names each
 *   collection's generation (it replaces the one-row `qb_pointer`, whose generation becomes
 *   the base's). `qb_settings`: a server's settings (`base`: the base collection is answered
 *   there). `qb_files`: a server's files as uploaded (the source its index is built from).
 *   `qb_edits`: edits queued by any process, applied in order by the one writer, which holds
 *   the lease in `qb_writer`; the outcome is written back for the process that queued it.
 *   `qb_generations.stats`: statistics the writer stores once a generation is built, so a reader
 *   opening a small collection cold does not compute them (retrieve/stats.ts).
 */
export const MIGRATIONS: string[] = [
  `CREATE TABLE qb_generations (
     id bigserial PRIMARY KEY,
     created_at timestamptz NOT NULL DEFAULT now(),
     manifest jsonb NOT NULL,
     lexical text NOT NULL
   );
   CREATE TABLE qb_pointer (
     one boolean PRIMARY KEY DEFAULT true CHECK (one),
     generation bigint REFERENCES qb_generations (id)
   );
   INSERT INTO qb_pointer (one, generation) VALUES (true, NULL);
   CREATE TABLE qb_documents (
     generation bigint NOT NULL REFERENCES qb_generations (id) ON DELETE CASCADE,
     ord integer NOT NULL,
     name text NOT NULL,
     hash text NOT NULL,
     meta jsonb NOT NULL,
     record jsonb NOT NULL,
     text text NOT NULL,
     vectors bytea NOT NULL,
     PRIMARY KEY (generation, ord),
     UNIQUE (generation, name)
   );
   CREATE INDEX qb_documents_hash ON qb_documents (hash);
   CREATE TABLE qb_chunks (
     generation bigint NOT NULL REFERENCES qb_generations (id) ON DELETE CASCADE,
     id integer NOT NULL,
     doc integer NOT NULL,
     paragraph integer NOT NULL,
     start_offset integer NOT NULL,
     end_offset integer NOT NULL,
     PRIMARY KEY (generation, id)
   );
   CREATE TABLE qb_sentences (
     generation bigint NOT NULL REFERENCES qb_generations (id) ON DELETE CASCADE,
     id integer NOT NULL,
     chunk integer NOT NULL,
     start_offset integer NOT NULL,
     end_offset integer NOT NULL,
     embedding vector NOT NULL,
     PRIMARY KEY (generation, id)
   );`,
  `CREATE TABLE qb_feedback (
     seq bigserial NOT NULL,
     kind text NOT NULL CHECK (kind IN ('answer', 'vote')),
     answer text NOT NULL,
     member text NOT NULL,
     record jsonb NOT NULL,
     PRIMARY KEY (kind, answer, member)
   );
   CREATE INDEX qb_feedback_seq ON qb_feedback (seq);`,
  // (3) The question log (src/feedback/questions-pg.ts): one row per question asked, read one
  // server at a time (`guild`, '' for the base) and deleted after the retention by `at`.
  `CREATE TABLE qb_questions (
     seq bigserial PRIMARY KEY,
     guild text NOT NULL,
     at timestamptz NOT NULL,
     record jsonb NOT NULL
   );
   CREATE INDEX qb_questions_guild_at ON qb_questions (guild, at);
   CREATE INDEX qb_questions_at ON qb_questions (at);`,
  // (4) One collection per server (see the header).
  `ALTER TABLE qb_generations ADD COLUMN collection text NOT NULL DEFAULT 'base';
   ALTER TABLE qb_generations ADD COLUMN stats text;
   ALTER TABLE qb_documents ADD COLUMN collection text NOT NULL DEFAULT 'base';
   ALTER TABLE qb_chunks ADD COLUMN collection text NOT NULL DEFAULT 'base';
   ALTER TABLE qb_sentences ADD COLUMN collection text NOT NULL DEFAULT 'base';
   CREATE INDEX qb_generations_collection ON qb_generations (collection, id);
   CREATE TABLE qb_pointers (
     collection text PRIMARY KEY,
     generation bigint NOT NULL REFERENCES qb_generations (id)
   );
   INSERT INTO qb_pointers (collection, generation)
     SELECT 'base', generation FROM qb_pointer WHERE generation IS NOT NULL;
   DROP TABLE qb_pointer;
   CREATE TABLE qb_settings (
     collection text PRIMARY KEY,
     base boolean NOT NULL DEFAULT true
   );
   CREATE TABLE qb_files (
     collection text NOT NULL,
     name text NOT NULL,
     bytes bytea NOT NULL,
     meta jsonb NOT NULL DEFAULT '{}'::jsonb,
     updated_at timestamptz NOT NULL DEFAULT now(),
     PRIMARY KEY (collection, name)
   );
   CREATE TABLE qb_edits (
     id bigserial PRIMARY KEY,
     collection text NOT NULL,
     edit jsonb NOT NULL,
     data bytea,
     state text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'done')),
     holder text,
     outcome jsonb,
     created_at timestamptz NOT NULL DEFAULT now(),
     done_at timestamptz
   );
   CREATE INDEX qb_edits_waiting ON qb_edits (id) WHERE state <> 'done';
   CREATE TABLE qb_writer (
     one boolean PRIMARY KEY DEFAULT true CHECK (one),
     holder text NOT NULL,
     expires timestamptz NOT NULL
   );`,
  // (5) A server's sources from the web: its follow list and the sync's record (live/web-state.ts),
  // kept by the writer so a writer on another machine follows the same feeds.
  `ALTER TABLE qb_settings ADD COLUMN web jsonb;`,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Serialises migrations between processes (any constant the project owns). */
const MIGRATE_LOCK = 0x71b0_0001;

/**
 * Brings the schema up to date, in one transaction under an advisory lock. Returns false
 * when the vector extension is not available on the server.
 */
export async function migrate(client: pg.ClientBase): Promise<'ok' | 'no-vector'> {
  const has = await client.query(`SELECT 1 FROM pg_extension WHERE extname = 'vector'`);
  if (has.rowCount === 0) {
    const available = await client.query(`SELECT 1 FROM pg_available_extensions WHERE name = 'vector'`);
    if (available.rowCount === 0) return 'no-vector';
  }
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATE_LOCK]);
    await client.query('CREATE EXTENSION IF NOT EXISTS vector');
    await client.query(
      'CREATE TABLE IF NOT EXISTS qb_schema (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const { rows } = await client.query<{ v: number | null }>('SELECT max(version) AS v FROM qb_schema');
    for (let v = (rows[0]?.v ?? 0) + 1; v <= MIGRATIONS.length; v++) {
      await client.query(MIGRATIONS[v - 1]!);
      await client.query('INSERT INTO qb_schema (version) VALUES ($1)', [v]);
    }
    await client.query('COMMIT');
    return 'ok';
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  }
}

/** The schema version a database is at, or 0 before the first migration. */
export async function schemaVersion(client: pg.ClientBase): Promise<number> {
  const exists = await client.query(`SELECT 1 FROM pg_tables WHERE tablename = 'qb_schema'`);
  if (exists.rowCount === 0) return 0;
  const { rows } = await client.query<{ v: number | null }>('SELECT max(version) AS v FROM qb_schema');
  return rows[0]?.v ?? 0;
}
