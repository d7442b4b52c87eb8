/**
 * USE-lite's tokenizer: the same algorithm as `@energetic-ai/embeddings` (Apache-2.0, after the
 * tfjs-models universal-sentence-encoder tokenizer), token for token, with a hash map of pieces
 * in place of its trie. Loading that package means loading TF.js (~0.4 s) and building its trie
 * (~0.3 s), most of a cold start on the onnx runtime; this one is ready in milliseconds.
 * `test/embed-use-lite.test.ts` checks it against the package's on every fixture sentence.
 */

/** `[piece, score]` pairs; the first six ids are reserved (unknown, <s>, </s>, extras). */
export type Vocabulary = ReadonlyArray<readonly [string, number]>;

const SEPARATOR = '\u2581';
const RESERVED = 6;

export function makeTokenizer(vocabulary: Vocabulary): (text: string) => number[] {
  const pieces = new Map<string, { score: number; id: number }>();
  let longest = 1;
  for (let i = RESERVED; i < vocabulary.length; i++) {
    const [piece, score] = vocabulary[i]!;
    pieces.set(piece, { score, id: i });
    longest = Math.max(longest, [...piece].length);
  }

  return (text) => {
    const normalized = text.normalize('NFKC');
    const symbols = [...(normalized.length > 0 ? SEPARATOR + normalized.replace(/ /g, SEPARATOR) : normalized)];
    const n = symbols.length;
    // ends[e] lists the pieces ending at symbol e, by start (ascending), as the package's trie walk does.
    const ends: Array<Array<{ start: number; len: number; score: number; id: number }>> = Array.from(
      { length: n + 1 },
      () => [],
    );
    for (let i = 0; i < n; i++) {
      let found = false;
      let key = '';
      for (let len = 1; len <= longest && i + len <= n; len++) {
        key += symbols[i + len - 1]!;
        const p = pieces.get(key);
        if (p) {
          ends[i + len]!.push({ start: i, len, score: p.score, id: p.id });
          found = true;
        }
      }
      // No piece starts here: the symbol alone, as the unknown id (score 0).
      if (!found) ends[i + 1]!.push({ start: i, len: 1, score: 0, id: 0 });
    }
    const best = new Array<number>(n + 1).fill(0);
    const words = new Array<number>(n + 1).fill(0);
    for (let end = 0; end <= n; end++) {
      const here = ends[end]!.sort((a, b) => a.start - b.start);
      for (const w of here) {
        const score = w.score + best[end - w.len]!;
        if (best[end] === 0 || score >= best[end]!) {
          best[end] = score;
          words[end] = w.id;
        }
      }
    }
    const ids: number[] = [];
    for (let at = n; at > 0; at -= vocabulary[words[at]!]![0].length) ids.push(words[at]!);
    // Runs of unknown symbols become one unknown id.
    const merged: number[] = [];
    let previousUnknown = false;
    for (const id of ids) {
      if (!(previousUnknown && id === 0)) merged.push(id);
      previousUnknown = id === 0;
    }
    return merged.reverse();
  };
}
