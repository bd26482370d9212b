/**
 * A continuous run's scoped plan (electron/sync/scope.ts) against the full plan, property
 * style: random small synced trees (the full plan is empty on them), then random changes on
 * both sides (adds, edits, deletes, renames and moves of files and folders, case-only renames,
 * type changes, hard links, reused inodes, server-side clashes of case and names Windows
 * refuses), and the plan over the changed paths only must be the full plan: the same actions
 * in the same order, the same skipped entries, the same need for another pass. The journal is
 * the real SQLite one, filled in a random order (move detection follows the journal's order).
 * Seeded, so a failure names its case and runs again the same.
 *
 * Also: the server listing filtered again from the changed paths only is the one filtered in
 * full, and the paths that changed between two listings.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filterRemote } from '../../../../electron/sync/engine.js';
import { createIgnoreMatcher } from '../../../../electron/sync/ignoreRules.js';
import { Journal } from '../../../../electron/sync/journal.js';
import type { JournalEntry, Listing, LocalEntry, RemoteEntry, SkippedEntry } from '../../../../electron/sync/model.js';
import { pathKey, type Platform } from '../../../../electron/sync/names.js';
import { plan, type Plan } from '../../../../electron/sync/planner.js';
import { listingChanges, PlanScope, refilter, scopedInputs } from '../../../../electron/sync/scope.js';
import { mulberry32 } from '../../../support/prng.js';


interface Rng {
  next(): number;
  int(n: number): number;
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
}

function rngOf(seed: number): Rng {
  const next = mulberry32(seed);
  return {
    next,
    int: (n) => Math.floor(next() * n),
    pick: (items) => {
      const item = items[Math.floor(next() * items.length)];
      if (item === undefined) throw new Error('pick from nothing');
      return item;
    },
    chance: (p) => next() < p,
  };
}

const NAMES = ['a', 'b', 'c', 'd.txt', 'e.md', 'f', 'g.bin', 'h'];
const swapCase = (name: string): string => [...name].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join('');
const parentOf = (path: string): string => (path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '');
const join2 = (parent: string, name: string): string => (parent === '' ? name : `${parent}/${name}`);
const below = (path: string, folder: string): boolean => path === folder || path.startsWith(`${folder}/`);

interface World {
  local: Map<string, LocalEntry>;
  remote: Map<string, RemoteEntry>;
  journal: JournalEntry[];
  localSkipped: SkippedEntry[];
}

interface Counters {
  ino: number;
  etag: number;
  time: number;
}

/** A synced tree: every entry the same on both sides and in the journal. */
function syncedWorld(rng: Rng, ci: boolean, counters: Counters): World {
  const world: World = { local: new Map(), remote: new Map(), journal: [], localSkipped: [] };
  const add = (parent: { local: string; remote: string; journal: string }, depth: number): void => {
    const count = rng.int(depth === 0 ? 5 : 4);
    const used = new Set<string>();
    for (let i = 0; i < count; i++) {
      const name = rng.pick(NAMES);
      if (used.has(name)) continue;
      used.add(name);
      // Case-insensitive: each side and the journal may spell a name its own way.
      const spell = (): string => (ci && rng.chance(0.2) ? swapCase(name) : name);
      const paths = { local: join2(parent.local, spell()), remote: join2(parent.remote, spell()), journal: join2(parent.journal, spell()) };
      const isDir = depth < 3 && rng.chance(0.4);
      const ino = ++counters.ino;
      const time = 1_700_000_000_000 + ++counters.time * 1000;
      if (isDir) {
        world.local.set(paths.local, { path: paths.local, localPath: paths.local, type: 'dir', size: 0, mtimeMs: time, ctimeMs: time, ino });
        world.remote.set(paths.remote, { path: paths.remote, remotePath: paths.remote, type: 'dir', size: 0, mtimeMs: time, etag: null });
        world.journal.push(journalEntry(paths, 'dir', { ino, size: 0, time, etag: null }));
        add(paths, depth + 1);
      } else {
        const size = 10 + rng.int(5);
        const etag = `"e${++counters.etag}"`;
        world.local.set(paths.local, { path: paths.local, localPath: paths.local, type: 'file', size, mtimeMs: time, ctimeMs: time, ino });
        world.remote.set(paths.remote, { path: paths.remote, remotePath: paths.remote, type: 'file', size, mtimeMs: time, etag });
        world.journal.push(journalEntry(paths, 'file', { ino, size, time, etag }));
      }
    }
  };
  add({ local: '', remote: '', journal: '' }, 0);
  return world;
}

function journalEntry(paths: { local: string; remote: string; journal: string }, type: 'file' | 'dir', v: { ino: number; size: number; time: number; etag: string | null }): JournalEntry {
  return {
    path: paths.journal,
    type,
    localPath: paths.local,
    remotePath: paths.remote,
    localSize: v.size,
    localMtimeMs: v.time,
    localCtimeMs: v.time,
    localIno: v.ino,
    remoteEtag: v.etag,
    remoteSize: v.size,
    remoteMtimeMs: v.time,
    hash: null,
  };
}

/** What a side's names clash with: on a case-insensitive disk, another spelling counts. */
function taken(map: ReadonlyMap<string, unknown>, path: string, ci: boolean): boolean {
  const key = pathKey(path, ci);
  for (const other of map.keys()) if (pathKey(other, ci) === key) return true;
  return false;
}

function folders<T extends { type: string }>(map: ReadonlyMap<string, T>): string[] {
  return ['', ...[...map.entries()].filter(([, entry]) => entry.type === 'dir').map(([path]) => path)];
}

function moveSubtree<T extends { path: string }>(map: Map<string, T>, from: string, to: string, respell: (entry: T, path: string) => T): void {
  const moved = [...map.entries()].filter(([path]) => below(path, from));
  for (const [path] of moved) map.delete(path);
  for (const [path, entry] of moved) {
    const target = to + path.slice(from.length);
    map.set(target, respell(entry, target));
  }
}

const respellLocal = (entry: LocalEntry, path: string): LocalEntry => ({ ...entry, path, localPath: path });
const respellRemote = (entry: RemoteEntry, path: string): RemoteEntry => ({ ...entry, path, remotePath: path });

/** Random changes on both sides; returns the local paths a watcher would report. */
function change(rng: Rng, world: World, ci: boolean, platform: Platform, counters: Counters): string[] {
  const reported: string[] = [];
  const report = (...paths: string[]): void => {
    reported.push(...paths);
  };
  const ops = 1 + rng.int(4);
  const freedInodes: number[] = [];
  for (let op = 0; op < ops; op++) {
    const localSide = rng.chance(0.55);
    const time = 1_700_000_000_000 + ++counters.time * 1000;
    if (localSide) {
      const paths = [...world.local.keys()];
      const kind = rng.int(9);
      if (kind === 0 || paths.length === 0) {
        // A new file or folder (sometimes with a file in it), maybe on a freed inode.
        const parent = rng.pick(folders(world.local));
        const path = join2(parent, rng.pick(NAMES));
        if (taken(world.local, path, ci)) continue;
        const ino = freedInodes.length > 0 && rng.chance(0.5) ? (freedInodes.pop() ?? 0) : ++counters.ino;
        if (rng.chance(0.3)) {
          world.local.set(path, { path, localPath: path, type: 'dir', size: 0, mtimeMs: time, ctimeMs: time, ino });
          const child = join2(path, rng.pick(NAMES));
          world.local.set(child, { path: child, localPath: child, type: 'file', size: 3, mtimeMs: time, ctimeMs: time, ino: ++counters.ino });
          report(path);
          if (rng.chance(0.5)) report(child);
        } else {
          world.local.set(path, { path, localPath: path, type: 'file', size: 3 + rng.int(3), mtimeMs: time, ctimeMs: time, ino, ...(rng.chance(0.3) ? { birthtimeMs: time } : {}) });
          report(path);
        }
        continue;
      }
      const path = rng.pick(paths);
      const entry = world.local.get(path);
      if (entry === undefined) continue;
      if (kind === 1 && entry.type === 'file') {
        world.local.set(path, { ...entry, size: entry.size + rng.int(2), mtimeMs: time, ctimeMs: time });
        report(path);
      } else if (kind === 2) {
        // Deleted, with everything below; the watcher reports the folder, maybe its contents.
        for (const [other, inner] of [...world.local.entries()]) {
          if (!below(other, path)) continue;
          world.local.delete(other);
          freedInodes.push(inner.ino);
          if (other === path || rng.chance(0.5)) report(other);
        }
      } else if (kind === 3 || kind === 4) {
        // Renamed or moved (same inodes), or only its case changed.
        const target = kind === 4 ? join2(parentOf(path), swapCase(path.slice(path.lastIndexOf('/') + 1))) : join2(rng.pick(folders(world.local)), rng.pick(NAMES));
        if (below(target, path) || world.local.has(target)) continue;
        if (kind === 3 && taken(world.local, target, ci)) continue;
        moveSubtree(world.local, path, target, respellLocal);
        report(path, target);
        if (rng.chance(0.3) && entry.type === 'file') {
          const moved = world.local.get(target);
          if (moved) world.local.set(target, { ...moved, size: moved.size + 1, mtimeMs: time, ctimeMs: time });
        }
      } else if (kind === 5 && entry.type === 'file') {
        // A hard link: another name for the same inode.
        const link = join2(rng.pick(folders(world.local)), rng.pick(NAMES));
        if (taken(world.local, link, ci)) continue;
        world.local.set(link, { ...entry, path: link, localPath: link });
        report(link);
      } else if (kind === 6) {
        // The type changed: a file became a folder, or a folder a file.
        for (const other of [...world.local.keys()]) if (below(other, path)) world.local.delete(other);
        const type = entry.type === 'file' ? 'dir' : 'file';
        world.local.set(path, { path, localPath: path, type, size: type === 'dir' ? 0 : 7, mtimeMs: time, ctimeMs: time, ino: ++counters.ino });
        report(path);
      } else if (kind === 7 && entry.type === 'file') {
        // Only the ctime moved (a chmod): the engine would hash it; here it plans as changed.
        world.local.set(path, { ...entry, ctimeMs: time });
        report(path);
      } else if (kind === 8) {
        // Reported with nothing changed (an editor touching a file's atime, say).
        report(path);
      }
    } else {
      const paths = [...world.remote.keys()];
      const kind = rng.int(7);
      if (kind === 0 || paths.length === 0) {
        const parent = rng.pick(folders(world.remote));
        // Sometimes a name that clashes in case with a sibling, or one Windows refuses.
        let name = rng.pick(NAMES);
        if (rng.chance(0.2)) name = swapCase(name);
        if (platform === 'win32' && rng.chance(0.15)) name = `${name}:x`;
        const path = join2(parent, name);
        if (world.remote.has(path)) continue;
        if (rng.chance(0.3)) {
          world.remote.set(path, { path, remotePath: path, type: 'dir', size: 0, mtimeMs: time, etag: null });
          const child = join2(path, rng.pick(NAMES));
          world.remote.set(child, { path: child, remotePath: child, type: 'file', size: 4, mtimeMs: time, etag: `"e${++counters.etag}"` });
        } else {
          world.remote.set(path, { path, remotePath: path, type: 'file', size: 4, mtimeMs: time, etag: `"e${++counters.etag}"` });
        }
        continue;
      }
      const path = rng.pick(paths);
      const entry = world.remote.get(path);
      if (entry === undefined) continue;
      if (kind === 1 && entry.type === 'file') {
        world.remote.set(path, { ...entry, etag: `"e${++counters.etag}"`, size: entry.size + rng.int(2), mtimeMs: time });
      } else if (kind === 2) {
        for (const other of [...world.remote.keys()]) if (below(other, path)) world.remote.delete(other);
      } else if (kind === 3 || kind === 4) {
        const target = kind === 4 ? join2(parentOf(path), swapCase(path.slice(path.lastIndexOf('/') + 1))) : join2(rng.pick(folders(world.remote)), rng.pick(NAMES));
        if (below(target, path) || world.remote.has(target)) continue;
        moveSubtree(world.remote, path, target, respellRemote);
      } else if (kind === 5) {
        for (const other of [...world.remote.keys()]) if (below(other, path)) world.remote.delete(other);
        const type = entry.type === 'file' ? 'dir' : 'file';
        world.remote.set(path, { path, remotePath: path, type, size: type === 'dir' ? 0 : 9, mtimeMs: time, etag: type === 'dir' ? null : `"e${++counters.etag}"` });
      } else if (kind === 6 && entry.type === 'file') {
        // A new ETag for the same bytes (the server rewrote it): changed as far as a listing tells.
        world.remote.set(path, { ...entry, etag: `"e${++counters.etag}"` });
      }
    }
  }
  return reported;
}

function shuffled<T>(rng: Rng, items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const a = out[i] as T;
    out[i] = out[j] as T;
    out[j] = a;
  }
  return out;
}

const bySkip = (a: SkippedEntry, b: SkippedEntry): number => (`${a.side}:${a.path}:${a.reason}` < `${b.side}:${b.path}:${b.reason}` ? -1 : 1);
const normalised = (result: Plan): Plan => ({ ...result, skipped: [...result.skipped].sort(bySkip) });

describe('a scoped plan', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'terasync-scope-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const settings: Array<{ name: string; ci: boolean; platform: Platform }> = [
    { name: 'case-sensitive (Linux)', ci: false, platform: 'linux' },
    { name: 'case-insensitive (macOS)', ci: true, platform: 'darwin' },
    { name: 'case-insensitive with Windows names', ci: true, platform: 'win32' },
  ];

  it.each(settings)('plans exactly what the full plan plans, over 400 random trees and changes: $name', ({ ci, platform }) => {
    let scoped = 0;
    let withActions = 0;
    let fallbacks = 0;
    const journal = Journal.open(join(dir, `journal-${ci ? 'ci' : 'cs'}-${platform}.sqlite`));
    for (let seed = 1; seed <= 400; seed++) {
      const rng = rngOf(seed * 7919 + (ci ? 1 : 0) + (platform === 'win32' ? 2 : 0));
      const counters: Counters = { ino: 100, etag: 0, time: 0 };
      const world = syncedWorld(rng, ci, counters);
      // Now and then two names for one inode, both synced (a hard link).
      const files = [...world.local.values()].filter((entry) => entry.type === 'file');
      if (files.length > 0 && rng.chance(0.3)) {
        const target = rng.pick(files);
        const link = join2(rng.pick(folders(world.local)), `link-${rng.pick(NAMES)}`);
        if (!taken(world.local, link, ci) && !taken(world.remote, link, ci)) {
          const etag = `"e${++counters.etag}"`;
          world.local.set(link, { ...target, path: link, localPath: link });
          world.remote.set(link, { path: link, remotePath: link, type: 'file', size: target.size, mtimeMs: target.mtimeMs, etag });
          world.journal.push(journalEntry({ local: link, remote: link, journal: link }, 'file', { ino: target.ino, size: target.size, time: target.mtimeMs, etag }));
          // The same ctime as the target's: one inode.
          const entry = world.journal[world.journal.length - 1];
          if (entry) entry.localCtimeMs = target.ctimeMs;
        }
      }
      // Now and then a synced file or folder the scan could not read: not in the scan, left
      // alone by every plan.
      if (world.local.size > 0 && rng.chance(0.15)) {
        const path = rng.pick([...world.local.keys()]);
        for (const other of [...world.local.keys()]) if (below(other, path)) world.local.delete(other);
        world.localSkipped.push({ path, side: 'local', reason: 'unreadable', message: 'unreadable' });
      }
      // Now and then a server folder with a name this OS refuses: skipped by every plan.
      if (platform !== 'linux' && rng.chance(0.3)) {
        const path = join2(rng.pick(folders(world.remote)), 'odd:name');
        if (!world.remote.has(path)) {
          world.remote.set(path, { path, remotePath: path, type: 'dir', size: 0, mtimeMs: 1, etag: null });
          const child = `${path}/${rng.pick(NAMES)}`;
          world.remote.set(child, { path: child, remotePath: child, type: 'file', size: 2, mtimeMs: 1, etag: `"e${++counters.etag}"` });
        }
      }
      // One journal for all the cases (opening one is most of a case's time), emptied for each.
      journal.transaction(() => {
        for (const entry of journal.all()) journal.removeTree(entry.path);
        shuffled(rng, world.journal).forEach((entry) => journal.put(entry));
      });
      {
        const before: { local: Listing<LocalEntry>; remote: Listing<RemoteEntry> } = {
          local: { entries: new Map(world.local), skipped: world.localSkipped },
          remote: { entries: new Map(world.remote), skipped: [] },
        };
        const baseline = plan({ ...before, journal: journal.all(), caseInsensitive: ci, platform });
        // The premise: a synced tree plans nothing.
        expect(baseline.actions, `seed ${seed}`).toEqual([]);

        const reported = change(rng, world, ci, platform, counters);
        const local: Listing<LocalEntry> = { entries: world.local, skipped: world.localSkipped };
        const remote: Listing<RemoteEntry> = { entries: world.remote, skipped: [] };
        const full = plan({ local, remote, journal: journal.all(), caseInsensitive: ci, platform });
        const inputs = scopedInputs({
          local,
          remote,
          extraSkipped: [],
          journal,
          paths: [...reported, ...listingChanges(before.remote, remote), ...baseline.skipped.map((entry) => entry.path)],
          caseInsensitive: ci,
        });
        if (inputs === null) {
          fallbacks++;
          continue;
        }
        scoped++;
        if (full.actions.length > 0) withActions++;
        const partial = plan({ local: inputs.local, remote: inputs.remote, journal: inputs.journal, caseInsensitive: ci, platform });
        expect(normalised(partial), `seed ${seed}`).toEqual(normalised(full));
      }
    }
    journal.close();
    // Not a test that passes by falling back: most cases plan in scope, with actions.
    expect(fallbacks).toBeLessThan(40);
    expect(scoped).toBeGreaterThan(360);
    expect(withActions).toBeGreaterThan(250);
  });

  it('reads from the journal only the entries in scope, in the journal order', async () => {
    const journal = Journal.open(join(dir, 'read.sqlite'));
    try {
      const entry = (path: string, type: 'file' | 'dir'): JournalEntry =>
        journalEntry({ local: path, remote: path, journal: path }, type, { ino: path.length, size: 1, time: 1, etag: type === 'file' ? '"x"' : null });
      const paths: Array<[string, 'file' | 'dir']> = [
        ['x', 'dir'], ['x/in', 'file'], ['a', 'dir'], ['a/b', 'dir'], ['a/b/c', 'file'], ['a/b/d', 'file'], ['a/b!', 'file'], ['a/b0', 'file'], ['a/bc', 'file'], ['a/other', 'file'],
      ];
      journal.transaction(() => paths.forEach(([path, type]) => journal.put(entry(path, type))));
      const scope = PlanScope.of(['a/b'], false);
      expect(scope?.readJournal(journal).map((read) => read.path)).toEqual(['a', 'a/b', 'a/b/c', 'a/b/d']);
      const folded = PlanScope.of(['A/B'], true);
      expect(folded?.readJournal(journal).map((read) => read.path)).toEqual(['a', 'a/b', 'a/b/c', 'a/b/d']);
      expect(PlanScope.of([''], false)).toBeNull();
    } finally {
      journal.close();
    }
  });
});

describe('the server listing between two polls', () => {
  it('filtered again from the changed paths only, is the listing filtered in full', () => {
    const ignore = createIgnoreMatcher('*.tmp\nbuild/\n!keep.tmp\n');
    for (let seed = 1; seed <= 200; seed++) {
      const rng = rngOf(seed);
      const names = ['a', 'b.tmp', 'build', 'keep.tmp', 'c.txt'];
      const make = (): Listing<RemoteEntry> => {
        const entries = new Map<string, RemoteEntry>();
        const add = (parent: string, depth: number): void => {
          for (const name of names) {
            if (!rng.chance(0.5)) continue;
            const path = join2(parent, name);
            const isDir = depth < 2 && rng.chance(0.5);
            entries.set(path, { path, remotePath: path, type: isDir ? 'dir' : 'file', size: isDir ? 0 : 1, mtimeMs: 0, etag: isDir ? null : `"${rng.int(3)}"` });
            if (isDir) add(path, depth + 1);
          }
        };
        add('', 0);
        return { entries, skipped: [] };
      };
      const before = make();
      const after = make();
      const changes = listingChanges(before, after);
      expect(refilter(filterRemote(before, ignore), after, changes, ignore), `seed ${seed}`).toEqual(filterRemote(after, ignore));
    }
  });

  it('names every path added, removed or changed, and none for the same listing', () => {
    const file = (path: string, etag: string): RemoteEntry => ({ path, remotePath: path, type: 'file', size: 1, mtimeMs: 0, etag });
    const before: Listing<RemoteEntry> = { entries: new Map([['a', file('a', '1')], ['b', file('b', '1')], ['c', file('c', '1')]]), skipped: [] };
    const after: Listing<RemoteEntry> = {
      entries: new Map([['a', file('a', '1')], ['b', file('b', '2')], ['d', file('d', '1')]]),
      skipped: [{ path: 'e', side: 'remote', reason: 'case-conflict', message: 'twice' }],
    };
    expect(listingChanges(before, after).sort()).toEqual(['b', 'c', 'd', 'e']);
    expect(listingChanges(after, after)).toEqual([]);
  });
});
