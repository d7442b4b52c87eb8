/**
 * An index folder as one object, the local-files store's disk side: where the index in use is,
 * reading it, watching for a new one, and writing a new generation under the folder's write lock.
 * Builds and readers go through this object and never handle the pointer, the lock or generation
 * folders themselves (generations.ts does, one level down; read.ts parses a generation's files).
 */
import { existsSync } from 'node:fs';
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { FILES, type Manifest } from './files.js';
import {
  filesDir,
  lockIndex,
  newGeneration,
  prune,
  publish,
  readBuildStatus,
  readPointer,
  watchPointer,
  writeBuildStatus,
  type BuildStatus,
} from './generations.js';
import { readIndex, readManifest } from './read.js';
import { recoverLeftovers } from './swap.js';
import type { LoadedIndex } from './types.js';

/** A new generation being filled: files go in `path`; `publish` makes it the one readers load. */
export interface Draft {
  readonly path: string;
  /** Flips the pointer to this generation, then removes generations no reader needs any more. */
  publish(): Promise<void>;
  /** Throws the unfinished generation away; the current one stays. */
  discard(): Promise<void>;
}

/** The folder's write lock, held: one writer at a time per folder. */
export interface IndexWriter {
  draft(): Promise<Draft>;
  release(): Promise<void>;
}

export interface IndexFolder {
  readonly dir: string;
  /** The manifest of the index in use, or undefined when there is none yet. */
  manifest(): Promise<Manifest | undefined>;
  read(opts?: { ef?: number }): Promise<LoadedIndex>;
  /** The current generation's name (an index of the flat layout: its build time); undefined without an index. */
  version(): Promise<string | undefined>;
  /** Calls `onChange` soon after a new generation is made current (readers poll as well). */
  watch(onChange: () => void): () => void;
  /** Bytes of the index in use. */
  bytes(): Promise<number>;
  /** Waits for the write lock (`notice` says so once), after clearing what a killed writer left. */
  write(notice?: (line: string) => void): Promise<IndexWriter>;
  /** The outcome of the writer's last build, for readers in other processes. */
  lastBuild(): Promise<BuildStatus | undefined>;
  recordBuild(status: BuildStatus): Promise<void>;
}

export function indexFolder(dir: string): IndexFolder {
  const hasIndex = async () => existsSync(join((await filesDir(dir)).path, FILES.manifest));
  return {
    dir,
    manifest: async () => ((await hasIndex()) ? readManifest(dir) : undefined),
    read: (opts) => readIndex(dir, opts),
    version: async () =>
      (await readPointer(dir))?.generation ?? ((await hasIndex()) ? (await readManifest(dir)).created : undefined),
    watch: (onChange) => watchPointer(dir, onChange),
    async bytes() {
      const files = (await filesDir(dir)).path;
      let total = 0;
      for (const f of await readdir(files)) total += (await stat(join(files, f))).size;
      return total;
    },
    async write(notice) {
      await recoverLeftovers(dir);
      const release = await lockIndex(dir, notice);
      return {
        release,
        async draft() {
          const gen = await newGeneration(dir);
          return {
            path: gen.path,
            async publish() {
              await publish(dir, gen.name);
              await prune(dir);
            },
            discard: () => rm(gen.path, { recursive: true, force: true }),
          };
        },
      };
    },
    lastBuild: () => readBuildStatus(dir),
    recordBuild: (status) => writeBuildStatus(dir, status),
  };
}
