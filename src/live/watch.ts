/**
 * Watches the collection folder and calls `onChange` once things settle (debounced): a burst of
 * writes (a copy, an editor's save dance) becomes one re-index. Only collection files and
 * `sources.json` count; temp files of uploads and anything else in the folder are ignored.
 *
 * `fs.watch` is enough here: the collection is one flat folder, and Linux, macOS and Windows all
 * report changes to a folder's direct entries. No polling, no dependency.
 */
import { watch, type FSWatcher } from 'node:fs';
import { isSourceFile } from '../ingest/load.js';

export interface CollectionWatcher {
  close(): void;
}

export interface WatchOptions {
  /** Quiet time after the last event before `onChange` runs (ms). */
  debounceMs?: number;
  /** `metadata` is true when `sources.json` was among the changes (it is not part of the file hashes). */
  onChange: (change: { metadata: boolean }) => void;
  /** The watcher itself failed (e.g. the folder was removed): one line. */
  onError?: (message: string) => void;
}

export function watchCollection(dir: string, opts: WatchOptions): CollectionWatcher {
  const debounceMs = opts.debounceMs ?? 500;
  let timer: NodeJS.Timeout | undefined;
  let metadata = false;
  let watcher: FSWatcher;
  try {
    watcher = watch(dir, { persistent: false });
  } catch (err) {
    opts.onError?.(`Cannot watch ${dir} for changes: ${err instanceof Error ? err.message : String(err)}`);
    return { close() {} };
  }
  watcher.on('change', (_event, name) => {
    const file = typeof name === 'string' ? name : name?.toString();
    // No name (some platforms): assume anything may have changed.
    const isMeta = !file || file === 'sources.json';
    if (file && !isMeta && !isSourceFile(file)) return;
    metadata ||= isMeta;
    clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      const change = { metadata };
      metadata = false;
      opts.onChange(change);
    }, debounceMs);
  });
  watcher.on('error', (err) => opts.onError?.(`Stopped watching ${dir}: ${err.message}`));
  return {
    close() {
      clearTimeout(timer);
      watcher.close();
    },
  };
}
