/**
 * Row 9 of the benchmark: the journal and the planner of a no-change run at a size no server
 * of the benchmark holds (1,000,000 files), measuring our own CPU and memory alone.
 *
 *   node planner.mjs '{"files":N,"folder":DIR}'
 *   node planner.mjs '{"files":N,"folder":DIR,"newFile":true}'
 *   node planner.mjs '{"files":N,"folder":DIR,"snapshot":"FILE.heapsnapshot"}'
 *
 * 1. Builds the real SQLite journal of electron/sync (Journal.put, in transactions of 10,000)
 *    in DIR for N files of 20 per folder, folders 100 to a parent folder, and closes it.
 * 2. Makes the local scan and the server listing of the same tree in memory (what scanLocal
 *    and the store would return when nothing changed: the same sizes, times, inodes, ETags).
 * 3. Timed: the steps a no-change run takes between its listings and its actions, as
 *    electron/sync/engine.ts does them: open the journal, read every entry, check each
 *    against the ignore rules, filter the listing by them (sorted, as filterRemote does), and
 *    plan. The plan must be empty (nothing changed), or the run fails. With `newFile`, the
 *    scan also has one file that neither the journal nor the server has (a file saved since
 *    the last run, as continuous mode plans it), and the plan must be its upload alone.
 *
 * Prints one JSON line: the phases' times in seconds, the CPU time of step 3 (user + system),
 * ru_maxrss (KiB) after each step, and the live heap after step 3 with its results still held
 * (after a full collection when run with --expose-gc): what the run needs, where the peak RSS
 * also counts garbage V8 had not collected yet. With `snapshot`, a heap snapshot is written to
 * that file at that point (`node bench/heapsnapshot.mjs FILE` sums it up by kind).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import { performance } from 'node:perf_hooks';
import { loadIgnoreMatcher } from '../electron/sync/scanner.js';
import { Journal } from '../electron/sync/journal.js';
import type { JournalEntry, Listing, LocalEntry, RemoteEntry } from '../electron/sync/model.js';
import { plan } from '../electron/sync/planner.js';

interface Job {
  files: number;
  folder: string;
  newFile?: boolean;
  snapshot?: string;
}

/** The file `newFile` adds to the scan: in the first folder, known to no one else. */
const NEW_FILE = 'p0000/d000000/new.dat';

const FILES_PER_FOLDER = 20;
const FOLDERS_PER_PARENT = 100;
const BATCH = 10_000;
const BASE_TIME = Date.UTC(2026, 0, 1);

function fail(message: string): never {
  process.stderr.write(`planner: ${message}\n`);
  process.exit(1);
}

const pad = (value: number, width: number): string => String(value).padStart(width, '0');

/** Every entry of the tree, folders first where they appear: parents, then each leaf and its files. */
function* tree(files: number): Generator<JournalEntry> {
  const leaves = Math.ceil(files / FILES_PER_FOLDER);
  let ino = 1_000;
  for (let leaf = 0; leaf < leaves; leaf += 1) {
    const parent = `p${pad(Math.floor(leaf / FOLDERS_PER_PARENT), 4)}`;
    if (leaf % FOLDERS_PER_PARENT === 0) yield folderEntry(parent, (ino += 1));
    const folder = `${parent}/d${pad(leaf, 6)}`;
    yield folderEntry(folder, (ino += 1));
    for (let file = leaf * FILES_PER_FOLDER; file < Math.min(files, (leaf + 1) * FILES_PER_FOLDER); file += 1) {
      const path = `${folder}/f${pad(file, 7)}.dat`;
      const mtime = BASE_TIME + file * 1_000;
      ino += 1;
      yield {
        path,
        type: 'file',
        localPath: path,
        remotePath: path,
        localSize: 1024,
        localMtimeMs: mtime + 0.123,
        localCtimeMs: mtime + 0.456,
        localIno: ino,
        remoteEtag: `"${file.toString(16)}-400-${mtime.toString(16)}"`,
        remoteSize: 1024,
        remoteMtimeMs: mtime,
        hash: (file * 2654435761).toString(16).padStart(64, 'a'),
      };
    }
  }
}

function folderEntry(path: string, ino: number): JournalEntry {
  return {
    path,
    type: 'dir',
    localPath: path,
    remotePath: path,
    localSize: 0,
    localMtimeMs: BASE_TIME,
    localCtimeMs: BASE_TIME,
    localIno: ino,
    remoteEtag: `"${ino.toString(16)}-dir"`,
    remoteSize: 0,
    remoteMtimeMs: BASE_TIME,
    hash: null,
  };
}

const maxRssKiB = (): number => process.resourceUsage().maxRSS;

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2] ?? fail('usage: planner.mjs JSON')) as Job;
  mkdirSync(job.folder, { recursive: true });
  const file = join(job.folder, 'journal.db');

  // 1. The journal, written as runs write it (the same statement), in batches.
  let started = performance.now();
  const writer = Journal.open(file);
  let batch: JournalEntry[] = [];
  let entries = 0;
  const flush = (): void => {
    writer.transaction(() => batch.forEach((entry) => writer.put(entry)));
    batch = [];
  };
  for (const entry of tree(job.files)) {
    batch.push(entry);
    entries += 1;
    if (batch.length === BATCH) flush();
  }
  flush();
  writer.close();
  const build = (performance.now() - started) / 1000;
  const rssBuild = maxRssKiB();

  // 2. The scan and the listing of the same tree, in memory.
  const local: Listing<LocalEntry> = { entries: new Map(), skipped: [] };
  const listed: Listing<RemoteEntry> = { entries: new Map(), skipped: [] };
  for (const entry of tree(job.files)) {
    local.entries.set(entry.path, {
      path: entry.path,
      localPath: entry.localPath,
      type: entry.type,
      size: entry.localSize,
      mtimeMs: entry.localMtimeMs,
      ctimeMs: entry.localCtimeMs,
      ino: entry.localIno,
    });
    listed.entries.set(entry.path, {
      path: entry.path,
      remotePath: entry.remotePath,
      type: entry.type,
      size: entry.remoteSize,
      mtimeMs: entry.remoteMtimeMs,
      etag: entry.remoteEtag,
    });
  }
  if (job.newFile === true) {
    local.entries.set(NEW_FILE, { path: NEW_FILE, localPath: NEW_FILE, type: 'file', size: 5, mtimeMs: BASE_TIME, ctimeMs: BASE_TIME, ino: 1 });
  }
  const rssListings = maxRssKiB();

  // 3. Timed: journal -> ignore rules -> plan, as a no-change run does it.
  const cpuBefore = process.cpuUsage();
  started = performance.now();
  const journal = Journal.open(file);
  const ignore = await loadIgnoreMatcher(job.folder);
  const all = journal.all();
  const read = (performance.now() - started) / 1000;
  const inScope = all.filter((entry) => {
    const isDir = entry.type === 'dir';
    return !(ignore.ignores(entry.localPath, isDir) || (entry.remotePath !== entry.localPath && ignore.ignores(entry.remotePath, isDir)));
  });
  const remoteEntries = new Map<string, RemoteEntry>();
  for (const entry of [...listed.entries.values()].sort((a, b) => (a.path < b.path ? -1 : 1))) {
    if (!ignore.ignores(entry.remotePath, entry.type === 'dir')) remoteEntries.set(entry.path, entry);
  }
  const rules = (performance.now() - started) / 1000 - read;
  const result = plan({ local, remote: { entries: remoteEntries, skipped: listed.skipped }, journal: inScope, caseInsensitive: false, platform: 'linux' });
  const total = (performance.now() - started) / 1000;
  const cpuUsed = process.cpuUsage(cpuBefore);
  const cpu = (cpuUsed.user + cpuUsed.system) / 1e6;
  const collect = (globalThis as { gc?: () => void }).gc;
  collect?.();
  // Everything a run holds at this point is still referenced below.
  const heapLiveKiB = Math.round(process.memoryUsage().heapUsed / 1024);
  if (job.snapshot !== undefined) writeHeapSnapshot(job.snapshot);
  journal.close();
  if (all.length !== entries || inScope.length !== entries || remoteEntries.size !== entries) {
    fail(`read ${all.length} journal entries (${inScope.length} in scope, ${remoteEntries.size} listed), wrote ${entries}`);
  }
  const expected = job.newFile === true ? [`upload ${NEW_FILE}`] : [];
  const got = result.actions.map((action) => `${action.kind} ${action.path}`);
  if (got.join('\n') !== expected.join('\n') || result.skipped.length > 0) {
    fail(`the plan should be [${expected.join(', ')}], yet it has ${got.length} actions (first: ${got[0]}) and ${result.skipped.length} skipped`);
  }
  process.stdout.write(
    `${JSON.stringify({ files: job.files, newFile: job.newFile === true, entries, build, read, rules, plan: total - read - rules, total, cpu, heapLiveKiB: collect ? heapLiveKiB : null, rssBuild, rssListings, rssPeak: maxRssKiB(), held: local.entries.size + all.length })}\n`,
  );
}

main().catch((error: unknown) => fail(error instanceof Error ? (error.stack ?? error.message) : String(error)));
