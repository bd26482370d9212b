/**
 * Move detection, part of the planner (pure). A rename or move becomes one WebDAV MOVE (or one
 * local rename) instead of a delete plus a transfer, and never counts as a deletion.
 *
 * | rule | seen                                                        | action                  |
 * |------|-------------------------------------------------------------|-------------------------|
 * | M1   | a synced file is gone locally; a new local file has its     | MOVE on the server      |
 * |      | inode; the server copy is unchanged and the new path free   |                         |
 * | M2   | a synced file is gone on the server; a new server file has  | rename locally          |
 * |      | its ETag and size (unique); the local copy is unchanged     |                         |
 * | M3   | as M1 for a folder (inode); everything inside moves with it | one MOVE on the server  |
 * | M4   | a synced folder is gone on the server; a new server folder  | one local rename        |
 * |      | holds every synced file of it at the same relative path,    |                         |
 * |      | with the same ETags; the local folder is unchanged          |                         |
 * | M5   | a synced file is gone on both sides; at one new path a new  | the journal moves (no   |
 * |      | local file has its inode and a new server file its ETag and | request): a move that   |
 * |      | size (unique)                                               | reached the server only |
 *
 * M5 is a MOVE (or a local rename) that an earlier run made but could not record: stopped
 * between the request and the journal, or the answer lost. Without it both files would look
 * new, and a moved-and-changed file would become a conflict with its own old version.
 *
 * A new file can get the inode of a file deleted since the last run (ext4 hands freed inodes
 * out again). Where the file system tells when a file was made, a file made after the synced
 * one's last change (its ctime) is another file, never a move: otherwise deleting `a` and
 * writing an unrelated `b` would MOVE `a` to `b` and overwrite it there, and `a`'s last version
 * would miss the server's trash.
 *
 * A move of a changed file moves first; the next pass sends the change (M1 matches by inode,
 * so "move and change" is one MOVE plus one upload). Anything ambiguous (an inode or ETag seen
 * twice, a destination taken) is not a move: the table's R-rules then copy and delete, which
 * is slower but loses nothing. Moves run in dependency order: a move out of a folder before
 * that folder's own move, and a move into a moved folder after it.
 */
import { normaliseEtag } from '../../shared/etag.js';
import type { JournalEntry, LocalEntry, RemoteEntry } from './model.js';
import { isWithin, parentPath } from './names.js';

export type MoveRule = 'M1' | 'M2' | 'M3' | 'M4' | 'M5';

export type MoveAction =
  /** `doneOnServer` (M5): the server holds the file at `path` already; only the journal moves. */
  | { kind: 'moveRemote'; path: string; rule: MoveRule; from: JournalEntry; local: LocalEntry; doneOnServer?: boolean }
  | { kind: 'moveLocal'; path: string; rule: MoveRule; from: JournalEntry; remote: RemoteEntry };

export interface MoveInput {
  local: ReadonlyMap<string, LocalEntry>;
  remote: ReadonlyMap<string, RemoteEntry>;
  journal: ReadonlyMap<string, JournalEntry>;
  key: (path: string) => string;
  isProtected: (key: string) => boolean;
  localUnchanged: (key: string) => boolean;
  remoteUnchanged: (key: string) => boolean;
}

export interface MovePlan {
  moves: MoveAction[];
  /** Keys the main table must leave alone this pass (sources, destinations). */
  handled: Set<string>;
  /** Folders (keys) whose contents wait for the next pass. */
  subtrees: string[];
  /** A moved file also changed, or a folder moved: plan again after executing. */
  needsAnotherPass: boolean;
}

function uniqueIndex<T>(entries: Iterable<T>, indexOf: (entry: T) => string | null): Map<string, T> {
  const index = new Map<string, T | null>();
  for (const entry of entries) {
    const k = indexOf(entry);
    if (k === null) continue;
    index.set(k, index.has(k) ? null : entry);
  }
  const unique = new Map<string, T>();
  for (const [k, entry] of index) if (entry !== null) unique.set(k, entry);
  return unique;
}

export function detectMoves(input: MoveInput): MovePlan {
  const { local, remote, journal, key } = input;
  // One pass over each side, without copying it: most runs have no new entry at all.
  const newLocal: LocalEntry[] = [];
  for (const [k, entry] of local) if (!journal.has(k)) newLocal.push(entry);
  const newRemote: RemoteEntry[] = [];
  for (const [k, entry] of remote) if (!journal.has(k)) newRemote.push(entry);
  // A move ends at a new entry on one side: with none (the common run), there is none to find.
  if (newLocal.length === 0 && newRemote.length === 0) return { moves: [], handled: new Set(), subtrees: [], needsAnotherPass: false };
  // Only a synced entry gone from one side (or both) can have moved: the others are passed
  // over here rather than in the loop below, where they would find nothing. Shallow first;
  // each path's depth counted once, not in every comparison.
  const gone: JournalEntry[] = [];
  for (const entry of journal.values()) {
    const k = key(entry.path);
    if (!local.has(k) || !remote.has(k)) gone.push(entry);
  }
  const byDepth = gone
    .map((entry) => ({ entry, depth: entry.path.split('/').length }))
    .sort((a, b) => a.depth - b.depth)
    .map(({ entry }) => entry);

  // Candidates: entries with no journal on their side (new), indexed by identity.
  const newLocalByInode = uniqueIndex(newLocal, (entry) => (entry.ino > 0 ? `${entry.type}:${entry.ino}` : null));
  // A journal entry's inode matters only when a new local entry has it: the journal's inodes
  // are indexed for those alone (whether one of them is held twice), not all of them.
  const newInodes = new Set<number>();
  for (const entry of newLocalByInode.values()) newInodes.add(entry.ino);
  const inodeHolders: JournalEntry[] = [];
  if (newInodes.size > 0) for (const entry of journal.values()) if (entry.localIno > 0 && newInodes.has(entry.localIno)) inodeHolders.push(entry);
  const journalInodes = uniqueIndex(inodeHolders, (entry) => `${entry.type}:${entry.localIno}`);
  const newRemoteFileByTag = uniqueIndex(
    newRemote.filter((entry) => entry.type === 'file'),
    (entry) => {
      const tag = normaliseEtag(entry.etag);
      return tag === null ? null : `${tag}:${entry.size}`;
    },
  );
  // Only a synced file gone from its place on the server can have moved there. Apache's ETag
  // is size and mtime, so two files uploaded in one tick of the server's clock share it: the
  // one still in place does not make the other's move ambiguous.
  const goneFromServer: JournalEntry[] = [];
  for (const entry of journal.values()) if (entry.type === 'file' && !remote.has(key(entry.path))) goneFromServer.push(entry);
  const journalTags = uniqueIndex(
    goneFromServer,
    (entry) => {
      const tag = normaliseEtag(entry.remoteEtag);
      return tag === null ? null : `${tag}:${entry.remoteSize}`;
    },
  );

  const candidates: Array<MoveAction & { source: string; target: string }> = [];
  const movedFolders: Array<{ source: string; target: string }> = [];
  const claimed = new Set<string>();
  let changed = false;

  /** Below a folder already moving, an entry that kept its place inside it moves with it. */
  const followsParent = (sourceKey: string, targetKey: string): boolean =>
    movedFolders.some(
      (folder) => isWithin(sourceKey, folder.source) && targetKey === folder.target + sourceKey.slice(folder.source.length),
    );

  for (const from of byDepth) {
    const source = key(from.path);
    /** Whether the new server file at `target` is `from`, moved there (its ETag and size, unique). */
    const movedOnServerTo = (target: string): boolean => {
      const there = remote.get(target);
      if (there?.type !== 'file' || journal.has(target)) return false;
      const tag = normaliseEtag(from.remoteEtag);
      const identityTag = tag === null ? null : `${tag}:${from.remoteSize}`;
      return identityTag !== null && journalTags.get(identityTag) === from && newRemoteFileByTag.get(identityTag) === there;
    };
    if (input.isProtected(source)) continue;
    const identity = `${from.type}:${from.localIno}`;

    // Moved here (M1, M3).
    if (!local.has(source) && from.localIno > 0 && journalInodes.get(identity) === from) {
      const moved = newLocalByInode.get(identity);
      if (moved && !madeAfter(moved, from)) {
        const target = key(moved.path);
        if (followsParent(source, target)) continue;
        const serverCopy = remote.get(source);
        if (serverCopy === undefined && from.type === 'file' && !claimed.has(target) && !input.isProtected(target) && movedOnServerTo(target)) {
          claimed.add(target);
          candidates.push({ kind: 'moveRemote', path: moved.path, rule: 'M5', from, local: moved, doneOnServer: true, source, target });
          if (moved.size !== from.localSize || moved.mtimeMs !== from.localMtimeMs) changed = true;
          continue;
        }
        if (
          !claimed.has(target) &&
          !remote.has(target) &&
          !input.isProtected(target) &&
          serverCopy?.type === from.type &&
          input.remoteUnchanged(source)
        ) {
          claimed.add(target);
          candidates.push({ kind: 'moveRemote', path: moved.path, rule: from.type === 'file' ? 'M1' : 'M3', from, local: moved, source, target });
          if (from.type === 'dir') movedFolders.push({ source, target });
          else if (moved.size !== from.localSize || moved.mtimeMs !== from.localMtimeMs) changed = true;
          continue;
        }
      }
    }

    // Moved on the server (M2, M4).
    if (remote.has(source) || !local.has(source) || !input.localUnchanged(source)) continue;
    let moved: RemoteEntry | undefined;
    if (from.type === 'file') {
      const tag = normaliseEtag(from.remoteEtag);
      const identityTag = tag === null ? null : `${tag}:${from.remoteSize}`;
      if (identityTag !== null && journalTags.get(identityTag) === from) moved = newRemoteFileByTag.get(identityTag);
    } else {
      moved = remoteFolderMove(from, journal, remote, key);
    }
    if (!moved) continue;
    const target = key(moved.path);
    if (followsParent(source, target)) continue;
    if (claimed.has(target) || local.has(target) || input.isProtected(target)) continue;
    claimed.add(target);
    candidates.push({ kind: 'moveLocal', path: moved.path, rule: from.type === 'file' ? 'M2' : 'M4', from, remote: moved, source, target });
    if (from.type === 'dir') movedFolders.push({ source, target });
  }

  const moves = orderMoves(candidates);
  const handled = new Set<string>();
  const subtrees: string[] = [];
  for (const move of moves) {
    handled.add(move.source);
    handled.add(move.target);
    if (move.from.type === 'dir') subtrees.push(move.source, move.target);
  }
  return {
    moves: moves.map(({ source: _source, target: _target, ...move }) => move as MoveAction),
    handled,
    subtrees,
    needsAnotherPass: changed || subtrees.length > 0,
  };
}

/**
 * Whether `candidate` was made after `from`'s last recorded change, so cannot be `from` moved
 * (it got a freed inode). Unknown where the file system has no birth time or the journal no
 * ctime.
 */
function madeAfter(candidate: LocalEntry, from: JournalEntry): boolean {
  const born = candidate.birthtimeMs ?? 0;
  return born > 0 && from.localCtimeMs > 0 && born > from.localCtimeMs;
}

/** The new server folder that holds every synced file of `from` at the same relative path. */
function remoteFolderMove(
  from: JournalEntry,
  journal: ReadonlyMap<string, JournalEntry>,
  remote: ReadonlyMap<string, RemoteEntry>,
  key: (path: string) => string,
): RemoteEntry | undefined {
  const source = key(from.path);
  const files = [...journal.values()].filter((entry) => entry.type === 'file' && isWithin(key(entry.path), source) && key(entry.path) !== source);
  const first = files[0];
  if (!first) return undefined;
  const firstTag = normaliseEtag(first.remoteEtag);
  if (firstTag === null) return undefined;
  const relative = key(first.path).slice(source.length);
  const matches = [...remote.entries()].filter(
    ([k, entry]) => !journal.has(k) && entry.type === 'file' && k.endsWith(relative) && normaliseEtag(entry.etag) === firstTag && entry.size === first.remoteSize,
  );
  if (matches.length !== 1) return undefined;
  const targetKey = need(matches[0])[0].slice(0, -relative.length);
  const folder = remote.get(targetKey);
  if (!folder || folder.type !== 'dir' || journal.has(targetKey) || targetKey === parentPath(source)) return undefined;
  for (const file of files) {
    const moved = remote.get(targetKey + key(file.path).slice(source.length));
    if (!moved || normaliseEtag(moved.etag) !== normaliseEtag(file.remoteEtag) || moved.size !== file.remoteSize) return undefined;
  }
  return folder;
}

function need<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('moves: missing entry');
  return value;
}

/**
 * Orders moves so each runs when its paths are where it expects them: a move whose source is
 * inside another move's source goes first (it leaves before its folder moves), and a move
 * whose target is inside another move's target goes after it (its new folder must exist).
 * Moves caught in a cycle are dropped: the copy-and-delete rules take over, safely.
 */
function orderMoves<T extends { source: string; target: string }>(moves: T[]): T[] {
  const mustPrecede = (a: T, b: T): boolean =>
    (a.source !== b.source && isWithin(a.source, b.source)) || (b.target !== a.target && isWithin(b.target, a.target));
  const ordered: T[] = [];
  const remaining = [...moves];
  while (remaining.length > 0) {
    const index = remaining.findIndex((candidate) => remaining.every((other) => other === candidate || !mustPrecede(other, candidate)));
    if (index < 0) break;
    ordered.push(...remaining.splice(index, 1));
  }
  return ordered;
}
