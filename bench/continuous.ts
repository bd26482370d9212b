/**
 * The sync engine of continuous mode over a big tree, alone in one process: what a save and
 * a poll cost the client, without a server, a watcher or a network (the benchmark's latency
 * and idle rows measure those too, and need Apache).
 *
 *   npx esbuild bench/continuous.ts --bundle --platform=node --packages=external --format=esm \
 *     --outfile=node_modules/.cache/terasync-bench/continuous.mjs
 *   npm exec -- node --expose-gc node_modules/.cache/terasync-bench/continuous.mjs FILES [--cpu-prof]
 *
 * 1. Makes the `--big` tree of the benchmark with FILES files of 16 bytes (50 folders in the
 *    root, 99 subfolders in each, the files spread evenly over those), on disk in a temp
 *    folder and in the test suite's in-memory server (MemoryRemoteStore), and the journal of
 *    that synced state (not timed).
 * 2. One engine, kept across runs as SyncService keeps it, runs what continuous mode runs:
 *    the start-up run (whole scan, whole listing: nothing to do); ten saves, each a new file
 *    written in a folder and a run told of that path only, planned against the last listing
 *    (the latency row's runs); then four polls (a listing, no local change): the first after
 *    the saves, the others with nothing changed (the idle row's runs). The store answers a
 *    poll with the same listing object while nothing was written to it, as WebDavRemoteStore
 *    does when every folder's answer is the one of the last walk.
 * 3. Prints each phase's CPU time (user + system) and wall time, the live heap after a full
 *    collection at the end (`--expose-gc`) and the peak RSS.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { lstat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { silentLogger } from '../electron/core/logger.js';
import { systemClock } from '../electron/core/time.js';
import { SyncEngine, type RunOptions } from '../electron/sync/engine.js';
import { Journal } from '../electron/sync/journal.js';
import type { Listing, RemoteEntry } from '../electron/sync/model.js';
import type { RemoteStore } from '../electron/sync/ports.js';
import { MemoryRemoteStore } from '../test/support/memoryRemoteStore.js';

const files = Number(process.argv[2] ?? '20000');
if (!Number.isInteger(files) || files < 100) {
  process.stderr.write('continuous: give the number of files (100 or more)\n');
  process.exit(2);
}
const TOP = 50;
const SUB = 99;
const pad = (value: number, width: number): string => String(value).padStart(width, '0');
const leafFolders: string[] = [];
for (let top = 0; top < TOP; top++) for (let sub = 0; sub < SUB; sub++) leafFolders.push(`d${pad(top, 2)}/s${pad(sub, 2)}`);

/** The in-memory server, answering a listing with its last object while nothing was written. */
function cachingStore(store: MemoryRemoteStore): RemoteStore {
  let last: Listing<RemoteEntry> | null = null;
  const reads = new Set(['list', 'stat', 'listChildren', 'isEmptyFolder', 'download']);
  return new Proxy(store, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      if (property === 'list') {
        return async (...args: unknown[]) => (last ??= await (value as (...a: unknown[]) => Promise<Listing<RemoteEntry>>).apply(target, args));
      }
      return (...args: unknown[]) => {
        if (!reads.has(String(property))) last = null;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'terasync-continuous-'));
  try {
    const root = join(work, 'local');
    const store = new MemoryRemoteStore();
    const journal = Journal.open(join(work, 'journal.sqlite'));
    const paths: string[] = [];
    for (let top = 0; top < TOP; top++) mkdirSync(join(root, `d${pad(top, 2)}`), { recursive: true });
    for (const folder of leafFolders) mkdirSync(join(root, folder));
    for (let file = 0; file < files; file++) {
      const path = `${leafFolders[file % leafFolders.length]}/f${pad(file, 7)}.dat`;
      const content = `content ${pad(file, 7)}`;
      writeFileSync(join(root, path), content);
      store.put(path, content);
      paths.push(path);
    }
    const listed = await store.list();
    journal.transaction(() => {
      for (const entry of listed.entries.values()) {
        journal.put({
          path: entry.path,
          type: entry.type,
          localPath: entry.path,
          remotePath: entry.remotePath,
          localSize: 0,
          localMtimeMs: 0,
          localCtimeMs: 0,
          localIno: 0,
          remoteEtag: entry.etag,
          remoteSize: entry.size,
          remoteMtimeMs: entry.mtimeMs,
          hash: null,
        });
      }
    });
    // The local identities, as the last run recorded them.
    for (const entry of journal.all()) {
      const stats = await lstat(join(root, entry.path));
      journal.put({ ...entry, localSize: entry.type === 'dir' ? 0 : stats.size, localMtimeMs: stats.mtimeMs, localCtimeMs: stats.ctimeMs, localIno: stats.ino });
    }

    const engine = new SyncEngine({
      localRoot: root,
      remote: cachingStore(store),
      journal,
      trash: { trash: async () => undefined },
      clock: systemClock,
      logger: silentLogger,
      device: 'bench',
      platform: 'linux',
      concurrency: 8,
      caseInsensitive: false,
    });
    const phases: Array<{ phase: string; runs: number; cpuSeconds: number; wallSeconds: number; actions: number }> = [];
    const measure = async (phase: string, runs: Array<() => RunOptions>, before?: (index: number) => void): Promise<void> => {
      let cpu = 0;
      let wall = 0;
      let actions = 0;
      for (const [index, options] of runs.entries()) {
        before?.(index);
        const cpuStart = process.cpuUsage();
        const started = performance.now();
        const { report, planned } = await engine.runOnce(options());
        wall += performance.now() - started;
        const used = process.cpuUsage(cpuStart);
        cpu += (used.user + used.system) / 1e6;
        actions += planned.length;
        if (report.errors.length > 0) throw new Error(`${phase}: ${report.errors[0]?.message}`);
      }
      phases.push({ phase, runs: runs.length, cpuSeconds: round(cpu), wallSeconds: round(wall / 1000), actions });
    };
    const round = (value: number): number => Math.round(value * 1000) / 1000;

    await measure('start-up run (whole scan and listing)', [() => ({ scope: { localChanges: null, listRemote: true } })]);
    const saved: string[] = [];
    await measure(
      'a save: one new file, its run (each)',
      Array.from({ length: 10 }, (_, index) => () => ({ scope: { localChanges: [saved[index] ?? ''], listRemote: false, reuseUnchangedFolders: true } })),
      (index) => {
        const path = `${leafFolders[index * 7]}/saved-${index}.dat`;
        writeFileSync(join(root, path), `saved ${index}`);
        saved.push(path);
      },
    );
    const poll = (): RunOptions => ({ scope: { localChanges: [], listRemote: true, reuseUnchangedFolders: true } });
    await measure('the first poll after the saves', [poll]);
    await measure('a poll with nothing changed (each)', [poll, poll, poll]);
    for (const phase of phases) {
      if (phase.runs > 1) {
        phase.cpuSeconds = round(phase.cpuSeconds / phase.runs);
        phase.wallSeconds = round(phase.wallSeconds / phase.runs);
      }
    }
    (globalThis as { gc?: () => void }).gc?.();
    const memory = process.memoryUsage();
    process.stdout.write(
      `${JSON.stringify({
        files,
        node: process.version,
        phases,
        heapUsedMb: Math.round(memory.heapUsed / 1048576),
        rssMb: Math.round(memory.rss / 1048576),
        peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      })}\n`,
    );
    journal.close();
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
