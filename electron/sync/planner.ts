/**
 * The planner: a pure function (local listing, remote listing, journal) -> actions.
 *
 * Each side of a path is in one of these states, judged against the journal (J), the state
 * both sides had when they were last in sync:
 *
 *   absent     no entry, no journal
 *   new        entry, no journal
 *   unchanged  entry of the journal's type; a file's size, mtime, ctime and inode (local) or
 *              ETag+size (remote) equal the journal's
 *   changed    a file whose size/mtime/ctime/inode (local) or ETag/size (remote) differ from
 *              the journal's
 *
 * A preserved mtime cannot hide a local edit: the ctime moves with every write and a file
 * renamed over the old one has another inode. A file whose identity moved but whose content
 * did not (a chmod, a copy back from a backup) is hashed by the engine before planning, and
 * the journal learns its new identity (SyncEngine.confirmLocalIdentity), so it plans as
 * unchanged.
 *   deleted    journal, no entry
 *   replaced   entry of the other type than the journal's (a file became a folder or back)
 *
 * A side "keeps something below" a folder when an entry under it is new, changed, replaced or
 * skipped (unreadable, a symlink, a name this OS refuses): that entry must survive, so its
 * folders must too.
 *
 * | rule | J      | local      | remote     | action                                               |
 * |------|--------|------------|------------|------------------------------------------------------|
 * | R1   | -      | new file   | absent     | upload (If-None-Match: *)                            |
 * | R2   | -      | absent     | new file   | download                                             |
 * | R3   | -      | new file   | new file   | conflict: equal content -> record, else keep both    |
 * | R4   | -      | new dir    | absent     | create remote folder                                 |
 * | R5   | -      | absent     | new dir    | create local folder                                  |
 * | R6   | -      | new dir    | new dir    | record                                               |
 * | R7   | -      | new (type) | new (other)| type conflict: local renamed aside, remote keeps path|
 * | R8   | file   | unchanged  | unchanged  | nothing                                              |
 * | R9   | file   | changed    | unchanged  | upload (If-Match: the remote's strong ETag)          |
 * | R10  | file   | unchanged  | changed    | download                                             |
 * | R11  | file   | changed    | changed    | conflict: equal content -> record, else keep both    |
 * | R12  | file   | deleted    | unchanged  | delete remote                                        |
 * | R13  | file   | unchanged  | deleted    | delete local (to the OS trash)                       |
 * | R14  | file   | deleted    | changed    | download (the modification wins)                     |
 * | R15  | file   | changed    | deleted    | upload (the modification wins)                       |
 * | R16  | file   | deleted    | deleted    | forget                                               |
 * | R17  | dir    | unchanged  | unchanged  | nothing (their contents are planned one by one)      |
 * | R18  | dir    | deleted    | unchanged  | delete remote folder after its contents              |
 * | R18b | dir    | deleted    | unchanged  | ...but remote keeps something below: create local    |
 * | R19  | dir    | unchanged  | deleted    | delete local folder after its contents               |
 * | R19b | dir    | unchanged  | deleted    | ...but local keeps something below: create remote    |
 * | R20  | dir    | deleted    | deleted    | forget                                               |
 * | R21  | any    | replaced   | unchanged  | delete the remote old-type entry; next pass pushes   |
 * | R22  | any    | unchanged  | replaced   | delete the local old-type entry; next pass pulls     |
 * | R23  | any    | replaced / changed / unchanged+keeps below | the other side changed type or   |
 * |      |        | changed    |            | keeps something below: local renamed aside (conflict)|
 * | R24  | any    | replaced   | deleted    | push the new local entry                             |
 * | R25  | any    | deleted    | replaced   | pull the new remote entry                            |
 * | R26  | any    | replaced   | replaced   | both took the same new type: as R3 / R6              |
 *
 * Moves and renames (rules M1-M4) are found first, in moves.ts, and take their paths out of
 * this table for the pass.
 *
 * Paths that either side skipped, and everything below them, get no action at all, so an
 * unreadable file is never taken for a deleted one. On a case-insensitive local file system
 * remote names that differ only in case are renamed aside on the server (one keeps its name).
 * A rule that renames or replaces a folder leaves what is below it to the next pass
 * (`needsAnotherPass`), so that one pass never has to order a delete and a create of the same
 * path.
 */
import type { JournalEntry, Listing, LocalEntry, RemoteEntry, SkippedEntry } from './model.js';
import { detectMoves, type MoveAction, type MovePlan, type MoveRule } from './moves.js';
import { baseName, isWithin, localNameProblem, parentPath, pathKey, type Platform } from './names.js';
import { normaliseEtag } from '../../shared/etag.js';

export type RuleId =
  | 'R1' | 'R2' | 'R3' | 'R4' | 'R5' | 'R6' | 'R7' | 'R8' | 'R9' | 'R10' | 'R11' | 'R12' | 'R13'
  | 'R14' | 'R15' | 'R16' | 'R17' | 'R18' | 'R18b' | 'R19' | 'R19b' | 'R20' | 'R21' | 'R22'
  | 'R23' | 'R24' | 'R25' | 'R26' | 'CASE' | MoveRule;

interface ActionBase {
  /** NFC path (journal identity). */
  path: string;
  rule: RuleId;
}

export type Action =
  | (ActionBase & { kind: 'upload'; local: LocalEntry; remote: RemoteEntry | null; journal: JournalEntry | null })
  | (ActionBase & { kind: 'download'; remote: RemoteEntry; local: LocalEntry | null; journal: JournalEntry | null })
  | (ActionBase & { kind: 'createRemoteFolder'; local: LocalEntry })
  | (ActionBase & { kind: 'createLocalFolder'; remote: RemoteEntry })
  | (ActionBase & { kind: 'deleteRemote'; remote: RemoteEntry; type: 'file' | 'dir' })
  | (ActionBase & { kind: 'deleteLocal'; local: LocalEntry; type: 'file' | 'dir' })
  | (ActionBase & { kind: 'conflict'; local: LocalEntry; remote: RemoteEntry; journal: JournalEntry | null })
  | (ActionBase & { kind: 'renameLocalAside'; local: LocalEntry; remote: RemoteEntry | null })
  | (ActionBase & { kind: 'renameRemoteAside'; remote: RemoteEntry })
  | (ActionBase & { kind: 'record'; local: LocalEntry; remote: RemoteEntry })
  | (ActionBase & { kind: 'forget' })
  | MoveAction;

export type ActionKind = Action['kind'];

export interface PlanInput {
  local: Listing<LocalEntry>;
  remote: Listing<RemoteEntry>;
  journal: Iterable<JournalEntry>;
  caseInsensitive: boolean;
  platform: Platform;
}

export interface Plan {
  actions: Action[];
  /** Entries that were left alone, with the reason (reported to the user). */
  skipped: SkippedEntry[];
  /** A folder was renamed or changed type: run the planner again after executing. */
  needsAnotherPass: boolean;
}

export type SideState = 'absent' | 'new' | 'unchanged' | 'changed' | 'deleted' | 'replaced';

export function localState(local: LocalEntry | undefined, journal: JournalEntry | undefined): SideState {
  if (!journal) return local ? 'new' : 'absent';
  if (!local) return 'deleted';
  if (local.type !== journal.type) return 'replaced';
  if (local.type === 'dir') return 'unchanged';
  return sameLocalIdentity(local, journal) ? 'unchanged' : 'changed';
}

/**
 * Whether a local file is, by everything the OS tells short of reading it, the one the journal
 * recorded: size, mtime, ctime and inode, as git's index compares them.
 */
export function sameLocalIdentity(
  local: Pick<LocalEntry, 'size' | 'mtimeMs' | 'ctimeMs' | 'ino'>,
  journal: Pick<JournalEntry, 'localSize' | 'localMtimeMs' | 'localCtimeMs' | 'localIno'>,
): boolean {
  return (
    local.size === journal.localSize &&
    local.mtimeMs === journal.localMtimeMs &&
    local.ctimeMs === journal.localCtimeMs &&
    local.ino === journal.localIno
  );
}

export function remoteState(remote: RemoteEntry | undefined, journal: JournalEntry | undefined): SideState {
  if (!journal) return remote ? 'new' : 'absent';
  if (!remote) return 'deleted';
  if (remote.type !== journal.type) return 'replaced';
  if (remote.type === 'dir') return 'unchanged';
  if (remote.size !== journal.remoteSize) return 'changed';
  // The same tag as recorded (the common case): one normalisation, not two.
  if (remote.etag !== null && remote.etag === journal.remoteEtag) return normaliseEtag(remote.etag) !== null ? 'unchanged' : remote.mtimeMs === journal.remoteMtimeMs ? 'unchanged' : 'changed';
  const now = normaliseEtag(remote.etag);
  const then = normaliseEtag(journal.remoteEtag);
  if (then === null && now !== null) {
    // Our own upload, whose answer carried no ETag (Apache's PUT): the journal holds the
    // server's Date of that answer, and getlastmodified has one-second resolution.
    return Math.abs(remote.mtimeMs - journal.remoteMtimeMs) <= UPLOAD_CLOCK_SLACK_MS ? 'unchanged' : 'changed';
  }
  // Without ETags (some servers omit them), fall back on the modification time.
  if (now === null || then === null) return remote.mtimeMs === journal.remoteMtimeMs ? 'unchanged' : 'changed';
  return now === then ? 'unchanged' : 'changed';
}

/** Narrows a value the table guarantees present; a violation is a planner bug, loudly. */
function need<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('planner: an entry the rule table needs is missing');
  return value;
}

/** How far getlastmodified may sit from the Date of the PUT answer that wrote the file. */
export const UPLOAD_CLOCK_SLACK_MS = 2000;

const KEEPS: ReadonlySet<SideState> = new Set(['new', 'changed', 'replaced']);

/**
 * Sorts parents before children: '/' compares lower than any other character. The sort key
 * is built once per path, not in every comparison (a 20,000-file tree sorts 300,000 times).
 */
function sortByPath<T>(items: Iterable<T>, pathOf: (item: T) => string): T[] {
  return [...items]
    .map((item) => ({ item, sortKey: pathOf(item).replaceAll('/', '\u0000') }))
    .sort((a, b) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0))
    .map(({ item }) => item);
}

/**
 * `entries` keyed by `key` of each entry's path: the map itself when every entry is there
 * already (the scanner's and the store's maps are keyed by the NFC path), else a new one.
 */
function keyedBy<T extends { path: string }>(entries: Map<string, T>, key: (path: string) => string): Map<string, T> {
  let keyed = true;
  for (const [k, entry] of entries) {
    if (key(entry.path) !== k) {
      keyed = false;
      break;
    }
  }
  if (keyed) return entries;
  const byKey = new Map<string, T>();
  for (const entry of entries.values()) byKey.set(key(entry.path), entry);
  return byKey;
}

export function plan(input: PlanInput): Plan {
  const { caseInsensitive, platform } = input;
  const key = (path: string): string => pathKey(path, caseInsensitive);
  const actions: Action[] = [];
  const skipped: SkippedEntry[] = [...input.local.skipped, ...input.remote.skipped];
  let needsAnotherPass = false;

  const local = keyedBy(input.local.entries, key);
  const journal = new Map<string, JournalEntry>();
  for (const entry of input.journal) journal.set(key(entry.path), entry);

  // Subtrees that get no action this pass: skipped entries and anything renamed aside.
  const protectedKeys: string[] = skipped.map((entry) => key(entry.path));
  const isProtected = (k: string): boolean => protectedKeys.some((p) => isWithin(k, p));

  const settled = settleRemote(input.remote.entries, { key, platform, journal, local, actions, skipped, protectedKeys });
  const remote = settled.remote;
  if (settled.needsAnotherPass) needsAnotherPass = true;

  // Every path of the three sides, each once. A path the journal knows that is unchanged on
  // both sides gets no action and no state kept: in a run with little changed that is nearly
  // every path, so only the others are held and sorted.
  const states = new Map<string, { l: SideState; r: SideState }>();
  const localKeepsBelow = new Set<string>();
  const remoteKeepsBelow = new Set<string>();
  const markAncestors = (set: Set<string>, k: string): void => {
    for (let p = parentPath(k); p !== ''; p = parentPath(p)) {
      if (set.has(p)) break;
      set.add(p);
    }
  };
  const settle = (k: string, l: SideState, r: SideState): void => {
    states.set(k, { l, r });
    if (KEEPS.has(l)) markAncestors(localKeepsBelow, k);
    if (KEEPS.has(r)) markAncestors(remoteKeepsBelow, k);
  };
  // In the order the paths first appear on the local side, the remote side, then the journal.
  const consider = (k: string, l: LocalEntry | undefined, r: RemoteEntry | undefined, j: JournalEntry | undefined): void => {
    const ls = localState(l, j);
    const rs = remoteState(r, j);
    if (j === undefined || ls !== 'unchanged' || rs !== 'unchanged') settle(k, ls, rs);
  };
  // Each map is looked through only when the ones before did not account for all its keys.
  let remoteSeen = 0;
  let journalSeen = 0;
  let fresh = 0;
  for (const [k, l] of local) {
    const r = remote.get(k);
    const j = journal.get(k);
    if (r !== undefined) remoteSeen += 1;
    if (j !== undefined) journalSeen += 1;
    else fresh += 1;
    consider(k, l, r, j);
  }
  if (remoteSeen < remote.size) {
    for (const [k, r] of remote) {
      if (local.has(k)) continue;
      const j = journal.get(k);
      if (j !== undefined) journalSeen += 1;
      else fresh += 1;
      consider(k, undefined, r, j);
    }
  }
  if (journalSeen < journal.size) {
    for (const [k, j] of journal) if (!local.has(k) && !remote.has(k)) consider(k, undefined, undefined, j);
  }
  for (const entry of skipped) {
    markAncestors(entry.side === 'local' ? localKeepsBelow : remoteKeepsBelow, key(entry.path));
  }
  // The journal's paths without a state are unchanged on both sides.
  const stateOf = (k: string): { l: SideState; r: SideState } | undefined =>
    states.get(k) ?? (journal.has(k) ? { l: 'unchanged', r: 'unchanged' } : undefined);

  // Folders whose contents wait for the next pass.
  const deferred: string[] = [];
  const defer = (k: string): void => {
    deferred.push(k);
    needsAnotherPass = true;
  };

  // A move ends at a path the journal does not know: with none, there is none to look for.
  const moves: MovePlan =
    fresh === 0
      ? { moves: [], handled: new Set(), subtrees: [], needsAnotherPass: false }
      : detectMoves({
          local,
          remote,
          journal,
          key,
          isProtected,
          localUnchanged: (k) => stateOf(k)?.l === 'unchanged',
          remoteUnchanged: (k) => stateOf(k)?.r === 'unchanged',
        });
  actions.push(...moves.moves);
  deferred.push(...moves.subtrees);
  if (moves.needsAnotherPass) needsAnotherPass = true;

  const keys = sortByPath(states.keys(), (k) => k);
  for (const k of keys) {
    if (isProtected(k) || moves.handled.has(k)) continue;
    if (deferred.some((d) => k !== d && isWithin(k, d))) continue;
    const l = local.get(k);
    const r = remote.get(k);
    const j = journal.get(k) ?? null;
    const { l: ls, r: rs } = need(states.get(k));
    const path = j?.path ?? l?.path ?? need(r).path;

    const asideLocal = (rule: RuleId, entry: LocalEntry): void => {
      actions.push({ kind: 'renameLocalAside', path, rule, local: entry, remote: r ?? null });
      defer(k);
    };

    if (!j) {
      if (l && !r) {
        actions.push(l.type === 'file'
          ? { kind: 'upload', path, rule: 'R1', local: l, remote: null, journal: null }
          : { kind: 'createRemoteFolder', path, rule: 'R4', local: l });
      } else if (!l && r) {
        actions.push(r.type === 'file'
          ? { kind: 'download', path, rule: 'R2', remote: r, local: null, journal: null }
          : { kind: 'createLocalFolder', path, rule: 'R5', remote: r });
      } else if (l && r) {
        if (l.type === 'file' && r.type === 'file') actions.push({ kind: 'conflict', path, rule: 'R3', local: l, remote: r, journal: null });
        else if (l.type === 'dir' && r.type === 'dir') actions.push({ kind: 'record', path, rule: 'R6', local: l, remote: r });
        else asideLocal('R7', l);
      }
      continue;
    }

    if (ls === 'deleted' && rs === 'deleted') {
      actions.push({ kind: 'forget', path, rule: j.type === 'file' ? 'R16' : 'R20' });
      continue;
    }

    if (ls !== 'replaced' && rs !== 'replaced') {
      if (j.type === 'file') {
        planFile(ls, rs);
      } else {
        planFolder(ls, rs);
      }
      continue;
    }

    // A side changed type.
    if (ls === 'replaced' && rs === 'replaced') {
      if (need(l).type === 'file') actions.push({ kind: 'conflict', path, rule: 'R26', local: need(l), remote: need(r), journal: null });
      else actions.push({ kind: 'record', path, rule: 'R26', local: need(l), remote: need(r) });
    } else if (ls === 'replaced' && rs === 'deleted') {
      actions.push(need(l).type === 'file'
        ? { kind: 'upload', path, rule: 'R24', local: need(l), remote: null, journal: null }
        : { kind: 'createRemoteFolder', path, rule: 'R24', local: need(l) });
    } else if (ls === 'deleted' && rs === 'replaced') {
      actions.push(need(r).type === 'file'
        ? { kind: 'download', path, rule: 'R25', remote: need(r), local: null, journal: null }
        : { kind: 'createLocalFolder', path, rule: 'R25', remote: need(r) });
    } else if (ls === 'replaced' && rs === 'unchanged') {
      // The old remote entry can go unless something new lives below it on the server.
      if (need(r).type === 'dir' && remoteKeepsBelow.has(k)) {
        asideLocal('R23', need(l));
      } else {
        actions.push({ kind: 'deleteRemote', path, rule: 'R21', remote: need(r), type: need(r).type });
        // A remote folder is emptied by its contents' own deletes (they plan as deleted
        // locally); a remote file is replaced by a folder whose contents wait a pass.
        if (need(r).type === 'file') defer(k);
        else needsAnotherPass = true;
      }
    } else if (ls === 'unchanged' && rs === 'replaced') {
      if (need(l).type === 'dir' && localKeepsBelow.has(k)) {
        asideLocal('R23', need(l));
      } else {
        actions.push({ kind: 'deleteLocal', path, rule: 'R22', local: need(l), type: need(l).type });
        if (need(l).type === 'file') defer(k);
        else needsAnotherPass = true;
      }
    } else {
      // replaced against changed, or changed against replaced: both modifications survive;
      // the server's keeps the path.
      asideLocal('R23', need(l));
    }

    function planFile(lsFile: SideState, rsFile: SideState): void {
      const cell = `${lsFile}/${rsFile}`;
      switch (cell) {
        case 'unchanged/unchanged':
          return;
        case 'changed/unchanged':
          actions.push({ kind: 'upload', path, rule: 'R9', local: need(l), remote: need(r), journal: j });
          return;
        case 'unchanged/changed':
          actions.push({ kind: 'download', path, rule: 'R10', remote: need(r), local: need(l), journal: j });
          return;
        case 'changed/changed':
          actions.push({ kind: 'conflict', path, rule: 'R11', local: need(l), remote: need(r), journal: j });
          return;
        case 'deleted/unchanged':
          actions.push({ kind: 'deleteRemote', path, rule: 'R12', remote: need(r), type: 'file' });
          return;
        case 'unchanged/deleted':
          actions.push({ kind: 'deleteLocal', path, rule: 'R13', local: need(l), type: 'file' });
          return;
        case 'deleted/changed':
          actions.push({ kind: 'download', path, rule: 'R14', remote: need(r), local: null, journal: j });
          return;
        case 'changed/deleted':
          actions.push({ kind: 'upload', path, rule: 'R15', local: need(l), remote: null, journal: j });
          return;
        default:
          throw new Error(`planner: no rule for file ${path} in state ${cell}`);
      }
    }

    function planFolder(lsDir: SideState, rsDir: SideState): void {
      const cell = `${lsDir}/${rsDir}`;
      switch (cell) {
        case 'unchanged/unchanged':
          return;
        case 'deleted/unchanged':
          actions.push(remoteKeepsBelow.has(k)
            ? { kind: 'createLocalFolder', path, rule: 'R18b', remote: need(r) }
            : { kind: 'deleteRemote', path, rule: 'R18', remote: need(r), type: 'dir' });
          return;
        case 'unchanged/deleted':
          actions.push(localKeepsBelow.has(k)
            ? { kind: 'createRemoteFolder', path, rule: 'R19b', local: need(l) }
            : { kind: 'deleteLocal', path, rule: 'R19', local: need(l), type: 'dir' });
          return;
        default:
          throw new Error(`planner: no rule for folder ${path} in state ${cell}`);
      }
    }
  }

  return { actions, skipped, needsAnotherPass };
}

interface RemoteContext {
  key: (path: string) => string;
  platform: Platform;
  journal: ReadonlyMap<string, JournalEntry>;
  local: ReadonlyMap<string, LocalEntry>;
  /** The plan's own lists: renames aside, skipped entries and protected subtrees are added. */
  actions: Action[];
  skipped: SkippedEntry[];
  protectedKeys: string[];
}

/**
 * The server's entries the planner can act on, keyed: names this OS refuses are skipped (and
 * protected), and on a case-insensitive disk names that differ only in case are settled. The
 * common listing (no two entries on one key, every name valid, keyed already) is returned
 * as it is, without a copy or a sort.
 */
function settleRemote(entries: Map<string, RemoteEntry>, context: RemoteContext): { remote: Map<string, RemoteEntry>; needsAnotherPass: boolean } {
  const { key, platform, skipped, protectedKeys } = context;
  let plain = true;
  for (const [k, entry] of entries) {
    if (key(entry.path) !== k || localNameProblem(baseName(entry.path), platform) !== null) {
      plain = false;
      break;
    }
  }
  if (plain) return { remote: entries, needsAnotherPass: false };

  const byKey = new Map<string, RemoteEntry>();
  let shared = false;
  for (const entry of entries.values()) {
    const k = key(entry.path);
    if (byKey.has(k)) {
      shared = true;
      break;
    }
    byKey.set(k, entry);
  }
  if (shared) return settleCaseGroups(entries, context);
  // Each key once: no case groups. Refused names are reported in path order, parents first.
  const remote = new Map<string, RemoteEntry>();
  const invalid: Array<{ entry: RemoteEntry; problem: string }> = [];
  for (const [k, entry] of byKey) {
    const problem = localNameProblem(baseName(entry.path), platform);
    if (problem === null) remote.set(k, entry);
    else invalid.push({ entry, problem });
  }
  for (const { entry, problem } of sortByPath(invalid, ({ entry: refusedEntry }) => refusedEntry.path)) {
    skipped.push({ path: entry.path, side: 'remote', reason: 'invalid-name', message: `${problem}; left on the server` });
    protectedKeys.push(key(entry.path));
  }
  return { remote, needsAnotherPass: false };
}

/**
 * On a case-insensitive disk, server names that differ only in case are one path here. The
 * one the journal or the disk already knows keeps its name; the others (and everything in
 * them) are renamed aside on the server and wait for the next pass.
 */
function settleCaseGroups(entries: Map<string, RemoteEntry>, context: RemoteContext): { remote: Map<string, RemoteEntry>; needsAnotherPass: boolean } {
  const { key, platform, journal, local, actions, skipped, protectedKeys } = context;
  let needsAnotherPass = false;
  const sortedRemote = sortByPath(entries.values(), (entry) => entry.path);
  // Only keys shared by two or more entries form a group (no array for every other entry).
  const firstByKey = new Map<string, number>();
  const groups = new Map<string, { first: number; all: RemoteEntry[] }>();
  sortedRemote.forEach((entry, index) => {
    const k = key(entry.path);
    const first = firstByKey.get(k);
    if (first === undefined) firstByKey.set(k, index);
    else if (groups.has(k)) need(groups.get(k)).all.push(entry);
    else groups.set(k, { first, all: [need(sortedRemote[first]), entry] });
  });
  firstByKey.clear();
  const losers = new Map<string, RemoteEntry>();
  const insideLoser = (entry: RemoteEntry): boolean => [...losers.keys()].some((p) => isWithin(entry.remotePath, p));
  // In the order of their first entry, parents first, so a folder's loser is known before its
  // contents are grouped.
  const byFirst = [...groups.entries()].sort((a, b) => a[1].first - b[1].first);
  for (const [k, { all }] of byFirst) {
    const group = all.filter((entry) => !insideLoser(entry));
    if (group.length < 2) continue;
    const known = journal.get(k)?.remotePath ?? local.get(k)?.localPath;
    const keeper = group.find((entry) => entry.remotePath === known) ?? need(group[0]);
    for (const entry of group) {
      if (entry === keeper) continue;
      losers.set(entry.remotePath, entry);
      skipped.push({
        path: entry.path,
        side: 'remote',
        reason: 'case-conflict',
        message: `"${entry.remotePath}" differs from "${keeper.remotePath}" only in case; renamed on the server so both survive`,
      });
    }
  }
  const loserPaths = [...losers.keys()];
  const remote = new Map<string, RemoteEntry>();
  for (const entry of sortedRemote) {
    const loser = losers.get(entry.remotePath);
    if (loser) {
      if (!loserPaths.some((p) => p !== entry.remotePath && isWithin(entry.remotePath, p))) {
        actions.push({ kind: 'renameRemoteAside', path: entry.path, rule: 'CASE', remote: entry });
        needsAnotherPass = true;
      }
      continue;
    }
    if (loserPaths.some((p) => isWithin(entry.remotePath, p))) continue;
    const problem = localNameProblem(baseName(entry.path), platform);
    if (problem !== null) {
      skipped.push({ path: entry.path, side: 'remote', reason: 'invalid-name', message: `${problem}; left on the server` });
      protectedKeys.push(key(entry.path));
      continue;
    }
    remote.set(key(entry.path), entry);
  }
  return { remote, needsAnotherPass };
}

/** Files the plan would delete, on either side: what the mass-delete fail-safe counts. */
export function countFileDeletions(actions: readonly Action[]): number {
  return actions.filter((a) => (a.kind === 'deleteLocal' || a.kind === 'deleteRemote') && a.type === 'file').length;
}
