/** One interface for every sentence encoder. Vectors are unit-length (cosine = dot product). */
export interface Embedder {
  /** Stable id recorded in the index manifest, e.g. `use-lite` or `transformers:Xenova/bge-small-en-v1.5`. */
  readonly id: string;
  readonly dims: number;
  /** What runs the model (e.g. `onnx` or `tfjs`), for figures and debugging; never part of the index. */
  readonly runtime?: string;
  /**
   * Embed texts in batches. `query: true` applies the model's documented query prefix
   * (asymmetric models embed questions and passages differently).
   */
  embed(texts: string[], opts?: { query?: boolean }): Promise<number[][]>;
}
