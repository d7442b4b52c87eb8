/**
 * The plain data that flows through the pipeline:
 * Document → spans → chunks → index → hits → answer.
 * Every offset is a UTF-16 index into the document's original text, half-open: [start, end).
 */

/** Optional per-file metadata from the collection's `sources.json`. */
export interface SourceMeta {
  title?: string;
  outlet?: string;
  url?: string;
  published?: string;
}

/** One file of the collection: a text file exactly as read, or the text extracted from a page or PDF. */
export interface Document {
  /** File name inside the collection folder, e.g. `report.txt`. */
  id: string;
  /** Every offset and quote refers to this text; the index stores it. */
  text: string;
  /** sha256 of the file's bytes, hex. */
  hash: string;
  meta: SourceMeta;
  /** How the text was read: as is, or extracted from HTML or PDF (absent: as is). */
  format?: 'text' | 'html' | 'pdf';
  /** PDF: page n's text is `text.slice(pages[n-1].start, pages[n-1].end)`. */
  pages?: Span[];
  /** Spans the extractor knows are not content (a PDF's running headers and footers): never quoted. */
  skip?: Span[];
}

export interface Span {
  start: number;
  end: number;
}

/** What cleaning keeps of a document: the article paragraphs and the headline. */
export interface CleanDocument {
  doc: Document;
  /** The headline: from sources.json, else the detected title line, else the file name. */
  title: string;
  titleSpan: Span | null;
  /** Article paragraphs, in order, never overlapping. Everything else is junk. */
  paragraphs: Span[];
}

/** A small window of consecutive sentences inside one paragraph. */
export interface Chunk {
  /** Index in the collection's chunk list. */
  id: number;
  doc: string;
  /** Paragraph number inside the document (0-based). */
  paragraph: number;
  start: number;
  end: number;
  /** The sentences of the chunk, in order; each lies inside [start, end). */
  sentences: Span[];
}

/**
 * Which collection a document is in, where an answer draws on two (a server's engine): the
 * operator's base collection, or the server's own. Absent: the base (an engine over one collection).
 * Document names are per collection: the base's `report.pdf` and a server's are different documents.
 */
export type CollectionKind = 'base' | 'server';

/** A document that came close to answering a question that was refused. */
export interface NearDoc {
  doc: string;
  title: string;
  score: number;
  collection?: CollectionKind;
}

export interface Answer {
  question: string;
  answered: boolean;
  /** Human-readable: the quotes with [n] markers, or the refusal sentence. */
  answer: string;
  citations: Citation[];
  /** When refused: the documents that came closest (best first). Empty when answered. */
  closest: NearDoc[];
  timings_ms: { total: number };
}

/** A passage found by a plain lookup (`/sources query`), no answer composition. */
export interface PassageHit {
  doc: string;
  title: string;
  /** Exactly `documentText.slice(start, end)`. */
  quote: string;
  start: number;
  end: number;
  score: number;
  /** The page the quote starts on, for documents with pages (PDFs). */
  page?: number;
  /** The document's web address (sources.json, or the page's own canonical URL), when it has one. */
  url?: string;
  collection?: CollectionKind;
}

/** One quoted passage of an answer, with its numbered citation. */
export interface Citation extends PassageHit {
  n: number;
}

/** A document card: what `/sources` lists. */
export interface DocInfo {
  doc: string;
  title: string;
  outlet?: string;
  url?: string;
  published?: string;
  /** Number of chunks (quotable passages). */
  passages: number;
  /** Words of article text (junk excluded). */
  words: number;
  /** The source file's version (its hash): changes when the file is replaced. */
  version?: string;
  collection?: CollectionKind;
}

/** A quote seen in its place: the sentences around it and where it sits in the document. */
export interface QuoteContext {
  doc: string;
  title: string;
  before: string;
  quote: string;
  after: string;
  /** 1-based paragraph number and the document's paragraph count. */
  paragraph: number;
  paragraphs: number;
  /** The page the quote starts on, for documents with pages (PDFs). */
  page?: number;
  collection?: CollectionKind;
}

/** The stored text of a document: every quote is a slice of it. */
export interface DocText {
  doc: string;
  text: string;
  /** For PDFs: page n is `text.slice(pages[n-1].start, pages[n-1].end)`. */
  pages?: Span[];
}

/** A follow-up's context: the question it follows, as that one was answered (src/engine/followup.ts). */
export interface AskContext {
  earlier: string;
}

/**
 * The one object the edges (CLI, Discord, console) talk to.
 * It hides the index: callers never see vectors, HNSW or BM25.
 */
export interface Engine {
  readonly embedderId: string;
  ask(question: string): Promise<Answer>;
  /**
   * Several questions at once: one embedding batch (used under load). `contexts[i]`, when given,
   * makes question i a follow-up of an earlier one; a question without one is answered as by `ask`.
   */
  askMany(questions: string[], contexts?: readonly (AskContext | undefined)[]): Promise<Answer[]>;
  search(query: string, k?: number): Promise<PassageHit[]>;
  documents(): DocInfo[];
  /**
   * A document by name (`collection` names which one where an engine answers from two; left
   * out, the server's own is found before the base's).
   */
  document(doc: string, collection?: CollectionKind): DocInfo | undefined;
  /** The text quotes of this document are sliced from (extracted, for pages and PDFs). */
  documentText(doc: string, collection?: CollectionKind): DocText | undefined;
  /** Context of a cited span, or undefined when the span is not a valid quote of that document. */
  context(doc: string, start: number, end: number, collection?: CollectionKind): QuoteContext | undefined;
  /** Releases what the engine holds open (a database pool); absent when there is nothing. */
  close?(): Promise<void>;
}
