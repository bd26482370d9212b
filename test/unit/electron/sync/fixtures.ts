/**
 * Small factories for the planner's inputs. Defaults are chosen so that a file built with
 * `localFile(p)`, `remoteFile(p)` and `journalFile(p)` is "unchanged" on both sides; pass a
 * different size / mtime / etag to make a side "changed".
 */
import type { JournalEntry, Listing, LocalEntry, RemoteEntry, SkippedEntry } from '../../../../electron/sync/model.js';
import { plan, type Action, type Plan } from '../../../../electron/sync/planner.js';

export const SIZE = 100;
export const LOCAL_MTIME = 1_700_000_000_123;
export const REMOTE_MTIME = 1_700_000_000_000;
export const ETAG = '"v1"';
export const LOCAL_CTIME = 1_700_000_000_456;

/**
 * One inode per path, the same for the local entry and the journal entry of that path (so a
 * file is unchanged by default) and distinct across paths (so no two files look like a move).
 */
const inodes = new Map<string, number>();
export function inoFor(path: string): number {
  // Spellings of one name (NFC/NFD, case) are one file in the tests that use them.
  const key = path.normalize('NFC').toLowerCase();
  let ino = inodes.get(key);
  if (ino === undefined) {
    ino = 1000 + inodes.size;
    inodes.set(key, ino);
  }
  return ino;
}

export interface LocalFileOptions {
  size?: number;
  mtimeMs?: number;
  ctimeMs?: number;
  ino?: number;
  localPath?: string;
  birthtimeMs?: number;
}

export function localFile(path: string, options: LocalFileOptions = {}): LocalEntry {
  return {
    path,
    localPath: options.localPath ?? path,
    type: 'file',
    size: options.size ?? SIZE,
    mtimeMs: options.mtimeMs ?? LOCAL_MTIME,
    ctimeMs: options.ctimeMs ?? LOCAL_CTIME,
    ino: options.ino ?? inoFor(path),
    ...(options.birthtimeMs === undefined ? {} : { birthtimeMs: options.birthtimeMs }),
  };
}

export function localDir(path: string, options: { localPath?: string; ino?: number } = {}): LocalEntry {
  return { path, localPath: options.localPath ?? path, type: 'dir', size: 0, mtimeMs: LOCAL_MTIME, ctimeMs: LOCAL_CTIME, ino: options.ino ?? inoFor(path) };
}

export interface RemoteFileOptions {
  size?: number;
  mtimeMs?: number;
  etag?: string | null;
  remotePath?: string;
}

export function remoteFile(path: string, options: RemoteFileOptions = {}): RemoteEntry {
  return {
    path,
    remotePath: options.remotePath ?? path,
    type: 'file',
    size: options.size ?? SIZE,
    mtimeMs: options.mtimeMs ?? REMOTE_MTIME,
    etag: options.etag === undefined ? ETAG : options.etag,
  };
}

export function remoteDir(path: string, options: { remotePath?: string } = {}): RemoteEntry {
  return { path, remotePath: options.remotePath ?? path, type: 'dir', size: 0, mtimeMs: REMOTE_MTIME, etag: null };
}

export interface JournalFileOptions {
  localPath?: string;
  remotePath?: string;
  localSize?: number;
  localMtimeMs?: number;
  localCtimeMs?: number;
  localIno?: number;
  remoteEtag?: string | null;
  remoteSize?: number;
  remoteMtimeMs?: number;
}

export function journalFile(path: string, options: JournalFileOptions = {}): JournalEntry {
  return {
    path,
    type: 'file',
    localPath: options.localPath ?? path,
    remotePath: options.remotePath ?? path,
    localSize: options.localSize ?? SIZE,
    localMtimeMs: options.localMtimeMs ?? LOCAL_MTIME,
    localCtimeMs: options.localCtimeMs ?? LOCAL_CTIME,
    localIno: options.localIno ?? inoFor(path),
    remoteEtag: options.remoteEtag === undefined ? ETAG : options.remoteEtag,
    remoteSize: options.remoteSize ?? SIZE,
    remoteMtimeMs: options.remoteMtimeMs ?? REMOTE_MTIME,
    hash: 'sha256-of-content',
  };
}

export function journalDir(path: string, options: { localPath?: string; remotePath?: string } = {}): JournalEntry {
  return {
    path,
    type: 'dir',
    localPath: options.localPath ?? path,
    remotePath: options.remotePath ?? path,
    localSize: 0,
    localMtimeMs: LOCAL_MTIME,
    localCtimeMs: LOCAL_CTIME,
    localIno: inoFor(path),
    remoteEtag: null,
    remoteSize: 0,
    remoteMtimeMs: REMOTE_MTIME,
    hash: null,
  };
}

export function skippedLocal(path: string, reason: SkippedEntry['reason'] = 'unreadable'): SkippedEntry {
  return { path, side: 'local', reason, message: `test: ${reason}` };
}

export function skippedRemote(path: string, reason: SkippedEntry['reason'] = 'invalid-name'): SkippedEntry {
  return { path, side: 'remote', reason, message: `test: ${reason}` };
}

export function listing<T extends { path: string }>(entries: readonly T[], skipped: SkippedEntry[] = []): Listing<T> {
  return { entries: new Map(entries.map((entry) => [entry.path, entry])), skipped };
}

export interface Scenario {
  local?: LocalEntry[];
  remote?: RemoteEntry[];
  journal?: JournalEntry[];
  localSkipped?: SkippedEntry[];
  remoteSkipped?: SkippedEntry[];
  caseInsensitive?: boolean;
  platform?: string;
}

export function planFor(scenario: Scenario): Plan {
  return plan({
    local: listing(scenario.local ?? [], scenario.localSkipped ?? []),
    remote: listing(scenario.remote ?? [], scenario.remoteSkipped ?? []),
    journal: scenario.journal ?? [],
    caseInsensitive: scenario.caseInsensitive ?? false,
    platform: scenario.platform ?? 'linux',
  });
}

/** `kind path rule` per action, in plan order: compact and exact. */
export function summary(actions: readonly Action[]): string[] {
  return actions.map((action) => `${action.kind} ${action.path} ${action.rule}`);
}

/** The single action for `path` (fails the test when there is not exactly one). */
export function only(actions: readonly Action[], path: string): Action {
  const found = actions.filter((action) => action.path === path);
  if (found.length !== 1) throw new Error(`expected one action for ${path}, found ${found.length}: ${summary(actions).join('; ')}`);
  return found[0]!;
}
