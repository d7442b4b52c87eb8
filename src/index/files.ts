import { z } from 'zod';

/** The files of an index folder, and the schemas that guard every one of them when loaded. */
export const FILES = {
  manifest: 'manifest.json',
  docs: 'docs.json',
  chunks: 'chunks.json',
  vectors: 'vectors.f32',
  hnsw: 'hnsw.bin',
  lexical: 'lexical.json',
} as const;

export const INDEX_FORMAT = 1;

const SpanSchema = z.object({ start: z.number().int().nonnegative(), end: z.number().int().nonnegative() });

export const ManifestSchema = z.object({
  format: z.literal(INDEX_FORMAT),
  embedder: z.string().regex(/^(use-lite|transformers:.+)$/, 'unknown embedder'),
  dims: z.number().int().positive(),
  chunker: z.number().int().positive(),
  cleaner: z.number().int().positive(),
  /** Version of the term rules the lexical index was built with; missing in older indexes. */
  lexical: z.number().int().positive().optional(),
  created: z.string(),
  /** The collection folder it was built from (absolute); missing in older indexes. */
  corpus: z.string().optional(),
  files: z.array(z.object({ id: z.string(), hash: z.string().regex(/^[0-9a-f]{64}$/) })),
  counts: z.object({ docs: z.number().int(), chunks: z.number().int(), sentences: z.number().int() }),
  hnsw: z.object({ space: z.literal('cosine'), M: z.number().int(), efConstruction: z.number().int() }),
  /** Version of the HTML and PDF extractors; missing in indexes from before them. */
  extractor: z.number().int().positive().optional(),
  /** Collection files left out, with their version (see load.ts readSource) and why. */
  skipped: z.array(z.object({ id: z.string(), version: z.string(), reason: z.string() })).optional(),
  /** Where the embedder puts related and unrelated text (see embed/scale.ts); missing in older indexes. */
  scale: z.object({ related: z.number(), unrelated: z.number() }).optional(),
  /** Byte size of every other file: a truncated file is caught before it is parsed. */
  sizes: z.record(z.string(), z.number().int().nonnegative()),
});
export type Manifest = z.infer<typeof ManifestSchema>;

export const DocRecordSchema = z.object({
  id: z.string(),
  text: z.string(),
  hash: z.string(),
  title: z.string(),
  titleSpan: SpanSchema.nullable(),
  meta: z.object({
    title: z.string().optional(),
    outlet: z.string().optional(),
    url: z.string().optional(),
    published: z.string().optional(),
  }),
  paragraphs: z.array(SpanSchema),
  words: z.number().int().nonnegative(),
  /** How the text was read (absent: a text file as is). */
  format: z.enum(['text', 'html', 'pdf']).optional(),
  /** A PDF's pages as spans of `text`, in order. */
  pages: z.array(SpanSchema).optional(),
});
export type DocRecord = z.infer<typeof DocRecordSchema>;

export const ChunkSchema = z.object({
  id: z.number().int().nonnegative(),
  doc: z.string(),
  paragraph: z.number().int().nonnegative(),
  start: z.number().int().nonnegative(),
  end: z.number().int().nonnegative(),
  sentences: z.array(SpanSchema).min(1),
});

/** The collection's sentences in chunk order: row i is sentence i's HNSW label and vector row. */
export function sentenceRefs(chunks: readonly z.infer<typeof ChunkSchema>[]): { chunk: number; start: number; end: number }[] {
  return chunks.flatMap((c) => c.sentences.map((s) => ({ chunk: c.id, start: s.start, end: s.end })));
}

export const DocsFileSchema = z.array(DocRecordSchema);
export const ChunksFileSchema = z.array(ChunkSchema);
