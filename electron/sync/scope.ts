/**
 * A continuous run's plan over what changed only (issue 15): the planner's inputs (the local
 * scan, the server listing, the journal) restricted to the paths that can have an action,
 * instead of every path of the pair.
 *
 * Why the restriction plans exactly what the full plan would. The run starts from a state a
 * clean run left (SyncEngine's snapshot), in which every path outside `recheck` (what that
 * run's actions touched, what its plan skipped) plans no action: it is synced, unchanged on
 * both sides. Since then, a path can have changed only if the watcher reported it (or a
 * folder above it), or the server's listing shows it added, removed or changed. Those paths,
 * the `roots`, are planned with:
 * - everything below each root: a folder's deletion waits for what is below it, and keeps a
 *   folder that still holds something new (R18b, R19b); a folder's move carries its contents;
 * - every folder above each root, which must be a synced folder on both sides (checked here:
 *   otherwise no scope, and the full plan), so it plans nothing itself;
 * - on a case-insensitive disk, every spelling of those paths: roots and the test for being
 *   in scope compare the planner's keys (lower case there), so names that differ only in case
 *   are planned together;
 * - every entry either side skipped, and everything the last plan skipped (a name this OS
 *   refuses, a case clash): the planner protects what is below them, and reports them again;
 * - any other path holding the inode of a new local file in scope: move detection (moves.ts)
 *   takes an inode seen twice for no move, and must see that it is;
 * - the journal entries of those paths in the journal's own order (moves are searched in it).
 * Any other path is synced and unchanged on both sides: a synced folder or file whose
 * entries are of the journal's type and identity, which the planner gives no action and which
 * takes no part in another path's action (move detection pairs a new entry with a synced one
 * gone from its place, and both are roots).
 *
 * When in doubt there is no scope (null) and the engine plans in full: a root that is the
 * whole folder, too many roots, a folder above a root that is not a synced folder on all
 * three. The fail-safes still count against all synced files (the engine asks the journal).
 * test/unit/sync/scope.test.ts compares the two plans over random trees and changes.
 */
import type { Journal } from './journal.js';
import type { IgnoreMatcher } from './ignoreRules.js';
import type { JournalEntry, Listing, LocalEntry, RemoteEntry, SkippedEntry } from './model.js';
import { parentPath, pathKey } from './names.js';

/** Beyond this many separate changed subtrees the full plan costs about the same. */
export const MAX_SCOPE_ROOTS = 2000;

/** The planner's inputs restricted to a scope (skipped entries are kept whole). */
export interface ScopedInputs {
  local: Listing<LocalEntry>;
  remote: Listing<RemoteEntry>;
  /** The journal's entries in scope, in `Journal.all()`'s order. */
  journal: JournalEntry[];
  /** How many journal entries were read (the scope's size, for the log and the benchmark). */
  paths: number;
}

/** Which paths a scoped plan looks at: the roots with everything below them, and their folders above. */
export class PlanScope {
  private constructor(
    private readonly caseInsensitive: boolean,
    /** Planner keys of the roots, none below another. */
    readonly roots: ReadonlySet<string>,
    /** Planner keys of the folders above the roots (not themselves in a root). */
    readonly above: ReadonlySet<string>,
    /** The first segment of every root's key: most paths of a big tree fail on it at once. */
    private readonly tops: ReadonlySet<string> = new Set([...roots].map(firstSegment)),
  ) {}

  /** Null when the scope would be the whole folder or too large to be worth it. */
  static of(paths: Iterable<string>, caseInsensitive: boolean): PlanScope | null {
    const keys = new Set<string>();
    for (const path of paths) {
      const key = pathKey(path, caseInsensitive);
      if (key === '' || key === '.') return null;
      keys.add(key);
    }
    const roots = new Set<string>();
    for (const key of keys) {
      let inside = false;
      for (let p = parentPath(key); p !== ''; p = parentPath(p)) {
        if (keys.has(p)) {
          inside = true;
          break;
        }
      }
      if (!inside) roots.add(key);
    }
    if (roots.size > MAX_SCOPE_ROOTS) return null;
    const above = new Set<string>();
    for (const root of roots) for (let p = parentPath(root); p !== '' && !above.has(p); p = parentPath(p)) above.add(p);
    return new PlanScope(caseInsensitive, roots, above);
  }

  key(path: string): string {
    return pathKey(path, this.caseInsensitive);
  }

  /** Whether the scoped plan looks at this path. */
  contains(path: string): boolean {
    // An ASCII first segment is its own key's (NFC and lower case change nothing across a
    // '/'): a path under no root's top folder is out without making its key.
    const top = firstSegment(path);
    if (ASCII.test(top) && !this.tops.has(this.caseInsensitive ? top.toLowerCase() : top)) return false;
    return this.containsKey(this.key(path));
  }

  containsKey(key: string): boolean {
    for (let p = key; p !== ''; p = parentPath(p)) if (this.roots.has(p)) return true;
    return this.above.has(key);
  }

  /** The journal's entries in scope, in `Journal.all()`'s order. */
  readJournal(journal: Journal): JournalEntry[] {
    const found: Array<{ order: number; entry: JournalEntry }> = [];
    if (this.caseInsensitive) {
      // The journal's path keeps one spelling; the planner's key is lower case: every path is
      // compared, but only those in scope become entries.
      for (const [order, path] of journal.pathsInOrder()) {
        if (!this.contains(path)) continue;
        const at = journal.entriesAt(path, false)[0];
        if (at !== undefined) found.push({ order, entry: at.entry });
      }
    } else {
      for (const root of this.roots) found.push(...journal.entriesAt(root, true));
      for (const folder of this.above) found.push(...journal.entriesAt(folder, false));
    }
    return found.sort((a, b) => a.order - b.order).map(({ entry }) => entry);
  }
}

/**
 * The planner's inputs for `paths` (see the module comment), or null for the full plan.
 * `local` and `remote` are the whole scan and listing (the server side filtered by the
 * ignore rules), `extraSkipped` the entries the engine adds (excluded folders).
 */
export function scopedInputs(args: {
  local: Listing<LocalEntry>;
  remote: Listing<RemoteEntry>;
  extraSkipped: readonly SkippedEntry[];
  journal: Journal;
  paths: Iterable<string>;
  caseInsensitive: boolean;
}): ScopedInputs | null {
  const { local, remote, journal, caseInsensitive } = args;
  const skipped = [...local.skipped, ...remote.skipped, ...args.extraSkipped];
  const paths = [...args.paths, ...skipped.map((entry) => entry.path)];
  let scope = PlanScope.of(paths, caseInsensitive);
  if (scope === null) return null;
  let entries = scope.readJournal(journal);

  // A new local file or folder in scope whose inode another path holds: that path too.
  const known = new Set(entries.map((entry) => scope?.key(entry.path)));
  const newInodes = new Set<string>();
  for (const entry of local.entries.values()) {
    if (entry.ino > 0 && scope.contains(entry.path) && !known.has(scope.key(entry.path))) newInodes.add(`${entry.type}:${entry.ino}`);
  }
  if (newInodes.size > 0) {
    const sharing: string[] = [];
    for (const entry of local.entries.values()) {
      if (newInodes.has(`${entry.type}:${entry.ino}`) && !scope.contains(entry.path)) sharing.push(entry.path);
    }
    if (sharing.length > 0) {
      scope = PlanScope.of([...paths, ...sharing], caseInsensitive);
      if (scope === null) return null;
      entries = scope.readJournal(journal);
    }
  }

  const inScope = scope;
  const localIn = restrict(local, inScope);
  const remoteIn = restrict(remote, inScope);
  // Every folder above a root must be a synced folder on all three: then it plans nothing.
  for (const folder of inScope.above) {
    const one = <T extends { type: string }>(items: T[]): boolean => items.length === 1 && items[0]?.type === 'dir';
    if (!one(localIn.above.get(folder) ?? []) || !one(remoteIn.above.get(folder) ?? [])) return null;
    if (!one(entries.filter((entry) => inScope.key(entry.path) === folder))) return null;
  }
  return { local: localIn.listing, remote: remoteIn.listing, journal: entries, paths: entries.length };
}

/** Printable ASCII: a name that NFC leaves as it is (any other first segment makes its key). */
const ASCII = /^[ -~]*$/;

function firstSegment(path: string): string {
  const slash = path.indexOf('/');
  return slash < 0 ? path : path.slice(0, slash);
}

function restrict<T extends { path: string; type: string }>(
  listing: Listing<T>,
  scope: PlanScope,
): { listing: Listing<T>; above: Map<string, T[]> } {
  const entries = new Map<string, T>();
  const above = new Map<string, T[]>();
  for (const [path, entry] of listing.entries) {
    if (!scope.contains(entry.path)) continue;
    const key = scope.key(entry.path);
    entries.set(path, entry);
    if (scope.above.has(key)) {
      const list = above.get(key);
      if (list === undefined) above.set(key, [entry]);
      else list.push(entry);
    }
  }
  return { listing: { entries, skipped: listing.skipped }, above };
}

/**
 * The paths (listing keys) added, removed or changed from one server listing to the next,
 * and those of skipped entries that came or went. None for the same object (a store returns
 * its last listing again when nothing changed).
 */
export function listingChanges(before: Listing<RemoteEntry>, after: Listing<RemoteEntry>): string[] {
  if (before === after) return [];
  const changed: string[] = [];
  for (const [path, entry] of after.entries) {
    const old = before.entries.get(path);
    if (old === undefined || (old !== entry && !sameRemoteEntry(old, entry))) changed.push(path);
  }
  for (const path of before.entries.keys()) if (!after.entries.has(path)) changed.push(path);
  const describe = (entry: SkippedEntry): string => JSON.stringify([entry.path, entry.side, entry.reason, entry.message]);
  const skippedBefore = new Set(before.skipped.map(describe));
  const skippedAfter = new Set(after.skipped.map(describe));
  for (const entry of after.skipped) if (!skippedBefore.has(describe(entry))) changed.push(entry.path);
  for (const entry of before.skipped) if (!skippedAfter.has(describe(entry))) changed.push(entry.path);
  return changed;
}

function sameRemoteEntry(a: RemoteEntry, b: RemoteEntry): boolean {
  return a.path === b.path && a.remotePath === b.remotePath && a.type === b.type && a.size === b.size && a.mtimeMs === b.mtimeMs && a.etag === b.etag;
}

/**
 * The new listing filtered by the ignore rules, made from the last one filtered by the same
 * rules and the paths that changed (`listingChanges`): what `filterRemote(after)` gives, with
 * only the changed paths checked against the rules. An entry is left out when the rules
 * ignore it or a folder above it in the listing.
 */
export function refilter(
  filteredBefore: Listing<RemoteEntry>,
  after: Listing<RemoteEntry>,
  changes: readonly string[],
  ignore: IgnoreMatcher,
): Listing<RemoteEntry> {
  const entries = new Map(filteredBefore.entries);
  const folderIgnored = new Map<string, boolean>();
  const ignoredFolder = (path: string): boolean => {
    let answer = folderIgnored.get(path);
    if (answer === undefined) {
      const folder = after.entries.get(path);
      answer = folder !== undefined && folder.type === 'dir' && ignore.ignores(folder.remotePath, true);
      folderIgnored.set(path, answer);
    }
    return answer;
  };
  for (const path of changes) {
    entries.delete(path);
    const entry = after.entries.get(path);
    if (entry === undefined) continue;
    if (ignore.ignores(entry.remotePath, entry.type === 'dir')) continue;
    let hidden = false;
    for (let p = parentPath(path); p !== '' && !hidden; p = parentPath(p)) hidden = ignoredFolder(p);
    if (!hidden) entries.set(path, entry);
  }
  return { entries, skipped: after.skipped };
}

