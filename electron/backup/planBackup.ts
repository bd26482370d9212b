/**
 * The backup planner: a pure function from one source's local scan, the remote listing of its
 * latest copy (`<device>/<source>/`) and the backup journal to the actions of a run. Every
 * action names the rule that produced it:
 *
 *   | rule | local          | latest copy on the server         | journal             | action                                   |
 *   | ---- | -------------- | --------------------------------- | ------------------- | ---------------------------------------- |
 *   | B1   | file           | file, as journaled (size, ETag)   | same identity       | unchanged                                |
 *   | B2   | file           | file, as journaled                | same size, identity | checkLocal: hash; same sha256 = unchanged |
 *   |      |                |                                   | moved               | (the new identity recorded), else send   |
 *   | B2   | file           | file, as journaled                | other size          | send, replacing (old copy versioned)     |
 *   | B3   | file           | file, not as journaled, same size | present             | compare content (download + sha256)      |
 *   | B3   | file           | file, not as journaled, other size| present             | send, replacing                          |
 *   | B4   | file           | file, same size                   | absent              | compare content (first backup rule)      |
 *   | B4   | file           | file, other size                  | absent              | send, replacing                          |
 *   | B5   | file           | absent                            | any                 | send, new                                |
 *   | B6   | file           | folder                            | any                 | versionAside the folder, then send, new  |
 *   | B7   | folder         | absent                            | -                   | createFolder                             |
 *   | B8   | folder         | file                              | -                   | versionAside the file, then createFolder |
 *   | -    | folder         | folder                            | -                   | nothing                                  |
 *   | B10  | absent         | file or folder (topmost)          | any                 | version (moved into .versions/)          |
 *   | B11  | not readable   | file or folder                    | any                 | keep: a symlink, special or unreadable   |
 *   |      | (skipped)      |                                   |                     | entry never costs its backed-up copy     |
 *   | B12  | absent         | absent                            | present             | forget                                   |
 *   | B13  | name the server cannot hold                        | -                   | invalidName (a failed file, listed)      |
 *
 * A file's identity is its size, mtime, ctime and inode (file id on Windows), as git's index
 * compares them: a tool that puts the old mtime back (`touch -r`, `rsync -t`, `cp -p`, unzip)
 * still moves the ctime, and an edit written to a temp file and renamed over gets a new inode.
 * When any of them moved and the size did not, only the content can tell (B2). A journal row
 * from before ctime and inode were kept (0) is hashed once.
 *
 * "Compare content" trusts size and sha256, never names alone: a first backup against a
 * non-empty remote folder sends only what differs. The comparison (and checkLocal's hash) needs
 * I/O, so the engine resolves those two into unchanged or send before it counts the bytes.
 *
 * Remote paths below a folder that is versioned as a whole (B6, B10) get no action of their
 * own: one MOVE takes the folder with everything in it. Ignored paths and our temp files never
 * reach the planner (the listing leaves them out, as the sync scanner does locally).
 */
import { sameEtag } from '../../shared/etag.js';
import type { LocalEntry } from '../sync/model.js';
import { isWithin, parentPath } from '../sync/names.js';
import type { BackupRecord } from './BackupJournal.js';
import { pathNameProblem } from './backupNames.js';
import type { RemoteItem } from './remoteTree.js';

export type BackupRule = 'B1' | 'B2' | 'B3' | 'B4' | 'B5' | 'B6' | 'B7' | 'B8' | 'B10' | 'B11' | 'B12' | 'B13';

export type BackupAction =
  | { kind: 'unchanged'; rule: 'B1'; path: string; local: LocalEntry; remote: RemoteItem; record: BackupRecord }
  | { kind: 'checkLocal'; rule: 'B2'; path: string; local: LocalEntry; remote: RemoteItem; record: BackupRecord }
  | { kind: 'compare'; rule: 'B3' | 'B4'; path: string; local: LocalEntry; remote: RemoteItem }
  /** `replace`: the latest copy that the new one replaces (versioned first); null for a new file. */
  | { kind: 'send'; rule: 'B2' | 'B3' | 'B4' | 'B5' | 'B6'; path: string; local: LocalEntry; replace: RemoteItem | null }
  | { kind: 'versionAside'; rule: 'B6' | 'B8'; path: string; remote: RemoteItem }
  | { kind: 'createFolder'; rule: 'B7' | 'B8'; path: string; local: LocalEntry }
  | { kind: 'version'; rule: 'B10'; path: string; remote: RemoteItem }
  | { kind: 'keep'; rule: 'B11'; path: string; remote: RemoteItem }
  | { kind: 'forget'; rule: 'B12'; path: string }
  | { kind: 'invalidName'; rule: 'B13'; path: string; local: LocalEntry; message: string };

export interface PlanInput {
  /** Local entries by NFC path relative to the source (the scanner's `entries`). */
  local: ReadonlyMap<string, LocalEntry>;
  /** Paths the scanner skipped (symlinks, special files, unreadable folders). */
  skipped: readonly string[];
  /** The latest copy on the server by NFC path relative to the source; empty on a first backup. */
  remote: ReadonlyMap<string, RemoteItem>;
  journal: ReadonlyMap<string, BackupRecord>;
}

function depth(path: string): number {
  return path.split('/').length;
}

/** The local file is as it was when the journal recorded it: size, mtime, ctime and inode all the same. */
export function sameIdentity(local: LocalEntry, record: BackupRecord): boolean {
  return local.size === record.size && local.mtimeMs === record.mtimeMs && local.ctimeMs === record.ctimeMs && local.ino === record.ino;
}

/** The server still holds the copy the journal recorded (ETags compared when both are known). */
export function asJournaled(remote: RemoteItem, record: BackupRecord): boolean {
  if (remote.type !== 'file' || remote.size !== record.remoteSize) return false;
  if (remote.etag === null || record.remoteEtag === null) return true;
  return sameEtag(remote.etag, record.remoteEtag);
}

export function planBackup(input: PlanInput): BackupAction[] {
  const actions: BackupAction[] = [];
  /** Remote folders or files moved into .versions as a whole: nothing below them is planned. */
  const versionedWhole: string[] = [];
  const invalid: string[] = [];
  const under = (path: string, roots: readonly string[]): boolean => roots.some((root) => path !== root && isWithin(path, root));

  const locals = [...input.local.values()].sort((a, b) => depth(a.path) - depth(b.path) || (a.path < b.path ? -1 : 1));
  for (const local of locals) {
    const path = local.path;
    if (under(path, invalid)) continue;
    const problem = pathNameProblem(path.split('/').pop() ?? path);
    if (problem !== null) {
      invalid.push(path);
      actions.push({ kind: 'invalidName', rule: 'B13', path, local, message: `not backed up: ${problem}` });
      continue;
    }
    const remote = input.remote.get(path);
    const record = input.journal.get(path);
    if (local.type === 'dir') {
      if (remote === undefined) actions.push({ kind: 'createFolder', rule: 'B7', path, local });
      else if (remote.type === 'file') {
        actions.push({ kind: 'versionAside', rule: 'B8', path, remote });
        versionedWhole.push(path);
        actions.push({ kind: 'createFolder', rule: 'B8', path, local });
      }
      continue;
    }
    if (remote === undefined) {
      actions.push({ kind: 'send', rule: 'B5', path, local, replace: null });
      continue;
    }
    if (remote.type === 'dir') {
      actions.push({ kind: 'versionAside', rule: 'B6', path, remote });
      versionedWhole.push(path);
      actions.push({ kind: 'send', rule: 'B6', path, local, replace: null });
      continue;
    }
    if (record !== undefined && asJournaled(remote, record)) {
      if (local.size !== record.size) actions.push({ kind: 'send', rule: 'B2', path, local, replace: remote });
      else if (sameIdentity(local, record)) actions.push({ kind: 'unchanged', rule: 'B1', path, local, remote, record });
      else actions.push({ kind: 'checkLocal', rule: 'B2', path, local, remote, record });
      continue;
    }
    const rule = record === undefined ? 'B4' : 'B3';
    if (remote.size === local.size) actions.push({ kind: 'compare', rule, path, local, remote });
    else actions.push({ kind: 'send', rule, path, local, replace: remote });
  }

  const remotes = [...input.remote.values()].sort((a, b) => depth(a.path) - depth(b.path) || (a.path < b.path ? -1 : 1));
  for (const remote of remotes) {
    const path = remote.path;
    if (input.local.has(path)) continue;
    if (versionedWhole.some((root) => isWithin(path, root))) continue;
    const parent = parentPath(path);
    // Its folder is versioned as a whole already (gone locally, or now a file).
    if (parent !== '' && !input.local.has(parent)) continue;
    if (input.skipped.some((skipped) => isWithin(path, skipped)) || invalid.some((root) => isWithin(path, root))) {
      actions.push({ kind: 'keep', rule: 'B11', path, remote });
      continue;
    }
    actions.push({ kind: 'version', rule: 'B10', path, remote });
    versionedWhole.push(path);
  }

  for (const path of input.journal.keys()) {
    if (!input.local.has(path) && !input.remote.has(path) && !versionedWhole.some((root) => isWithin(path, root))) {
      actions.push({ kind: 'forget', rule: 'B12', path });
    }
  }
  return actions;
}
