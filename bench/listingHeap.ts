/**
 * What a server listing holds per path: WebDavRemoteStore lists a tree from the test suite's
 * in-process WebDAV server (webdav-server on loopback), and the heap the listing keeps is
 * measured, with a heap snapshot to say what it is made of.
 *
 *   npx esbuild bench/listingHeap.ts --bundle --platform=node --packages=external --format=esm \
 *     --outfile=node_modules/.cache/terasync-bench/listingHeap.mjs
 *   npm exec -- node --expose-gc node_modules/.cache/terasync-bench/listingHeap.mjs FILES [SNAPSHOT]
 *
 * 1. Writes FILES files of 16 bytes on disk in bench/planner.ts's shape (20 files per folder,
 *    100 folders per parent folder) and serves them (not measured).
 * 2. Lists the whole tree once through the store, as a run's first listing does.
 * 3. Prints one JSON line: the live heap (after full collections) before and after the
 *    listing, and the difference per listed entry: the listing (which the store keeps for its
 *    next walk), plus what the in-process server keeps of each path it served (its resource
 *    objects, about 100 bytes a path). With SNAPSHOT, writes a heap snapshot there while the
 *    listing is held (`node bench/heapsnapshot.mjs SNAPSHOT` sums it up by kind).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import type { Listing, RemoteEntry } from '../electron/sync/model.js';
import { WebDavRemoteStore } from '../electron/webdav/WebDavRemoteStore.js';
import { startWebDavServer } from '../test/support/webdavServer.js';

const files = Number(process.argv[2] ?? '20000');
const snapshot = process.argv[3];
if (!Number.isInteger(files) || files < 1) {
  process.stderr.write('listingHeap: give the number of files\n');
  process.exit(2);
}

const pad = (value: number, width: number): string => String(value).padStart(width, '0');
const collect = (globalThis as { gc?: () => void }).gc ?? ((): void => undefined);
const liveKiB = (): number => {
  collect();
  collect();
  return Math.round(process.memoryUsage().heapUsed / 1024);
};

async function main(): Promise<void> {
  const server = await startWebDavServer();
  const root = join(server.dataDir, 'tree');
  for (let file = 0; file < files; file += 1) {
    const leaf = Math.floor(file / 20);
    const folder = join(root, `p${pad(Math.floor(leaf / 100), 4)}`, `d${pad(leaf, 6)}`);
    if (file % 20 === 0) mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, `f${pad(file, 7)}.dat`), 'sixteen bytes ok');
  }
  const store = new WebDavRemoteStore({
    url: `${server.url}tree/`,
    auth: { kind: 'basic', user: server.user, password: server.password },
  });
  const before = liveKiB();
  const listing: Listing<RemoteEntry> = await store.list();
  const entries = listing.entries.size;
  const held = liveKiB();
  if (snapshot !== undefined) writeHeapSnapshot(snapshot);
  await server.stop();
  rmSync(root, { recursive: true, force: true });
  process.stdout.write(`${JSON.stringify({ files, entries, liveBeforeKiB: before, liveHeldKiB: held, bytesPerEntry: Math.round(((held - before) * 1024) / entries) })}\n`);
  // The store's agent may keep a socket open: nothing is left to wait for.
  process.exit(0);
}

main().catch((error: unknown) => {
  process.stderr.write(`listingHeap: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
