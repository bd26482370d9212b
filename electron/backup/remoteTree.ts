/**
 * One folder tree in the backup area, walked with `Depth: 1` listings (the service refuses
 * `Depth: infinity`), a level at a time with bounded parallelism. The store is rooted at the
 * backup area; the tree is keyed by NFC path relative to the folder walked.
 *
 * Our own temp files (`.terasync-*.tmp`, uploads not yet moved into place) are returned apart;
 * paths the ignore rules match are left out, as the sync scanner leaves them out locally, so a
 * file the user has since chosen to ignore keeps its backed-up copy.
 *
 * Entries the store leaves out of a listing (a name with "\" that another client could write,
 * one that is not UTF-8, an entry without properties) are returned in `skipped`, named as people
 * can read them, so that a restore can say what it did not bring back.
 */
import { mapLimit } from '../../shared/async.js';
import { ErrorCode, toTeraSyncError } from '../../shared/errors.js';
import { isTempFileName, type IgnoreMatcher } from '../sync/ignoreRules.js';
import type { SkippedEntry } from '../sync/model.js';
import { baseName, normalizePath } from '../sync/names.js';
import type { RemoteStore } from '../sync/ports.js';
import { readableName } from './messages.js';

export interface RemoteItem {
  /** NFC path relative to the folder walked. */
  path: string;
  /** The path as the server spells it, relative to the store's root (for MOVE, GET, PUT). */
  remotePath: string;
  type: 'file' | 'dir';
  size: number;
  mtimeMs: number;
  etag: string | null;
}

/** An entry of the tree the store did not list. */
export interface SkippedRemoteItem {
  /** Relative to the folder walked, the last name as people can read it (`back\slash.txt`, `caf\xe9.txt`). */
  path: string;
  reason: SkippedEntry['reason'];
  /** What the store said, for the log. */
  detail: string;
}

export interface RemoteTree {
  entries: Map<string, RemoteItem>;
  /** Our temp files found in the tree. */
  temps: RemoteItem[];
  skipped: SkippedRemoteItem[];
}

export interface WalkOptions {
  matcher?: IgnoreMatcher;
  concurrency?: number;
  signal?: AbortSignal;
}

/** The tree below `folder` (a path relative to the store's root); null when the folder is absent. */
export async function walkRemote(store: RemoteStore, folder: string, options: WalkOptions = {}): Promise<RemoteTree | null> {
  const tree: RemoteTree = { entries: new Map(), temps: [], skipped: [] };
  let level: Array<{ remotePath: string; relative: string }> = [{ remotePath: folder, relative: '' }];
  let first = true;
  while (level.length > 0) {
    const next: Array<{ remotePath: string; relative: string }> = [];
    const listed = await mapLimit(level, options.concurrency ?? 4, async (parent) => {
      const skipped: SkippedEntry[] = [];
      try {
        const children = await store.listChildren(parent.remotePath, { signal: options.signal, onSkipped: (entry) => skipped.push(entry) });
        for (const entry of skipped) {
          const raw = baseName(entry.path);
          const name = entry.reason === 'invalid-name' ? readableName(raw) : raw;
          tree.skipped.push({ path: parent.relative === '' ? name : `${parent.relative}/${name}`, reason: entry.reason, detail: entry.message });
        }
        return { parent, children };
      } catch (error) {
        if (first && toTeraSyncError(error).code === ErrorCode.NotFound) return null;
        throw error;
      }
    });
    if (first && listed[0] === null) return null;
    first = false;
    for (const result of listed) {
      if (result === null) continue;
      for (const child of result.children) {
        const name = baseName(child.path);
        const relative = result.parent.relative === '' ? normalizePath(name) : `${result.parent.relative}/${normalizePath(name)}`;
        const item: RemoteItem = {
          path: relative,
          remotePath: child.remotePath,
          type: child.type,
          size: child.size,
          mtimeMs: child.mtimeMs,
          etag: child.etag,
        };
        if (child.type === 'file' && isTempFileName(name)) {
          tree.temps.push(item);
          continue;
        }
        if (options.matcher?.ignores(relative, child.type === 'dir')) continue;
        tree.entries.set(relative, item);
        if (child.type === 'dir') next.push({ remotePath: child.remotePath, relative });
      }
    }
    level = next;
  }
  return tree;
}
