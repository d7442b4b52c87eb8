import { splitSentences } from './sentences.js';
import type { Chunk, CleanDocument } from '../core/types.js';

/** Bump when chunking changes: the manifest records it and a mismatch forces a rebuild. */
export const CHUNKER_VERSION = 4; // 4: sentences cut at MAX_SENTENCE_CHARS

/** A chunk holds at most this many sentences and (unless one sentence is longer) this many characters. */
const MAX_SENTENCES = 3;
const MAX_CHARS = 600;

/**
 * Cuts each paragraph into small windows of consecutive sentences. Windows never cross
 * a paragraph, so a chunk is always a contiguous, quotable slice of the original text.
 */
export function chunkDocument(clean: CleanDocument, firstId: number): Chunk[] {
  const { text, id: doc } = clean.doc;
  const chunks: Chunk[] = [];
  clean.paragraphs.forEach((para, paragraph) => {
    const sentences = splitSentences(text, para);
    // Balanced windows: 4 sentences become 2+2, not 3+1.
    const windows = Math.max(
      Math.ceil(sentences.length / MAX_SENTENCES),
      Math.ceil((para.end - para.start) / MAX_CHARS),
    );
    const size = Math.max(1, Math.ceil(sentences.length / Math.min(windows, sentences.length || 1)));
    for (let i = 0; i < sentences.length; i += size) {
      const group = sentences.slice(i, i + size);
      chunks.push({
        id: firstId + chunks.length,
        doc,
        paragraph,
        start: group[0]!.start,
        end: group[group.length - 1]!.end,
        sentences: group,
      });
    }
  });
  return chunks;
}
