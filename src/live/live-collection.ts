/**
 * What the edges see of a live collection: the editor of its folder, the re-index that makes an
 * edit answerable, and its web sources.
 */
import type { CollectionEditor } from './collection.js';
import type { RefreshResult } from './types.js';
import type { WebSources } from './web-sources.js';

/** The collection folder the bot may edit, and the re-index that makes an edit answerable. */
export interface LiveCollection {
  editor: CollectionEditor;
  refresh(opts?: { force?: boolean }): Promise<RefreshResult>;
  /** Pages, feeds and sitemaps added by URL; absent → adding by URL is turned down. */
  web?: WebSources;
}
