/**
 * The index an engine answers from, as /healthz and /metrics show it: its generation, when it was
 * built and how many documents it holds. Read through the live engine's `current` (or the engine
 * itself), so a swap shows at once; undefined for an engine that holds no index (a stub).
 */
import type { LoadedIndex } from '../index/types.js';
import type { IndexState } from '../ops/health.js';

export function indexStateOf(engine: object): IndexState | undefined {
  const now = (engine as { current?: object }).current ?? engine;
  const index = (now as { index?: LoadedIndex }).index;
  if (!index?.manifest) return undefined;
  return {
    ...(index.generation && { generation: index.generation }),
    builtAt: index.manifest.created,
    documents: index.docs.length,
  };
}
