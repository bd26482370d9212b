/**
 * Finished uploads go into the journal in batches (Journal.putAfterPending). A kill while some
 * wait in a batch leaves a journal with their pending rows only; the next run adopts those
 * uploads from them (SyncEngine.adoptPending): no second PUT, no conflict copy, nothing lost.
 *
 * The kill is taken as the journal file and its write-ahead log copied at that moment, as the
 * process would leave them; the run then stops (its remaining uploads fail before they reach
 * the server), and the next run starts from the copy.
 */
import { copyFileSync, existsSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { ErrorCode, TeraSyncError } from '../../../../shared/errors.js';
import { SyncEngine, type RunResult } from '../../../../electron/sync/engine.js';
import { Journal } from '../../../../electron/sync/journal.js';
import { silentLogger } from '../../../../electron/core/logger.js';
import type { RemoteStore, Trash } from '../../../../electron/sync/ports.js';
import { FakeClock } from '../../../support/fakeClock.js';
import { MemoryRemoteStore } from '../../../support/memoryRemoteStore.js';
import { wrapStore } from '../../../support/wrapStore.js';

const FILES = 40;
const nameOf = (i: number): string => `f${String(i).padStart(2, '0')}.txt`;
const contentOf = (i: number): string => `content of file ${i}`;

let base: string;
let root: string;
let journalFile: string;
let store: MemoryRemoteStore;

beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), 'terasync-upload-batch-'));
  root = join(base, 'local');
  journalFile = join(base, 'state', 'journal.sqlite');
  await mkdir(root);
  store = new MemoryRemoteStore();
});

afterEach(async () => {
  await rm(base, { recursive: true, force: true });
});

const trash: Trash = {
  async trash() {
    throw new Error('nothing is deleted in these tests');
  },
};

/** One run on `journal` through `remote`. The fake clock starts before the store's file times (sentBefore). */
function run(journal: Journal, remote: RemoteStore): Promise<RunResult> {
  return new SyncEngine({
    localRoot: root,
    remote,
    journal,
    trash,
    clock: new FakeClock(1_699_999_000_000),
    logger: silentLogger,
    device: 'testbox',
    platform: 'linux',
    concurrency: 4,
    caseInsensitive: false,
  }).runOnce();
}

function copyJournal(from: string, to: string): void {
  for (const suffix of ['-wal', '-shm']) rmSync(`${to}${suffix}`, { force: true });
  copyFileSync(from, to);
  if (existsSync(`${from}-wal`)) copyFileSync(`${from}-wal`, `${to}-wal`);
}

it('a kill with finished uploads in the batch: the next run adopts them, without a second PUT or a conflict copy', async () => {
  for (let i = 0; i < FILES; i++) await writeFile(join(root, nameOf(i)), contentOf(i));
  const killed = join(base, 'killed.sqlite');

  // First run: killed once finished uploads wait in the batch.
  const journal = Journal.open(journalFile);
  const answered = new Set<string>();
  let answeredAtKill: Set<string> | null = null;
  let batchedAtKill = 0;
  try {
    const dying = wrapStore(store, {
      upload: async (path, open, size, options) => {
        if (answeredAtKill === null && journal.batched >= 1) {
          batchedAtKill = journal.batched;
          copyJournal(journalFile, killed);
          answeredAtKill = new Set(answered);
        }
        if (answeredAtKill !== null) throw new TeraSyncError(ErrorCode.Cancelled, 'killed (test)');
        const result = await store.upload(path, open, size, options);
        answered.add(path);
        return result;
      },
    });
    await expect(run(journal, dying)).rejects.toMatchObject({ code: ErrorCode.Cancelled });
  } finally {
    journal.close();
  }
  expect(answeredAtKill).not.toBeNull();
  expect(batchedAtKill).toBeGreaterThanOrEqual(1);

  // What the kill left: the uploads of the batch are on the server with their pending rows,
  // and no entries.
  copyJournal(killed, journalFile);
  const left = Journal.open(journalFile);
  let inBatch: string[];
  try {
    const pendingUploads = left.pending().filter((pending) => pending.kind === 'upload').map((pending) => pending.path);
    inBatch = pendingUploads.filter((path) => answered.has(path));
    expect(inBatch.length).toBeGreaterThanOrEqual(batchedAtKill);
    for (const path of inBatch) expect(left.get(path)).toBeNull();
  } finally {
    left.close();
  }

  // The next run, from what the kill left.
  const puts: string[] = [];
  const gets: string[] = [];
  const next = Journal.open(journalFile);
  let report: RunResult['report'];
  let planned: RunResult['planned'];
  try {
    const counting = wrapStore(store, {
      upload: (path, open, size, options) => {
        puts.push(path);
        return store.upload(path, open, size, options);
      },
      download: (path, destination, options) => {
        gets.push(path);
        return store.download(path, destination, options);
      },
    });
    ({ report, planned } = await run(next, counting));
    expect(next.pending()).toEqual([]);
    expect(next.all().filter((entry) => entry.type === 'file')).toHaveLength(FILES);
  } finally {
    next.close();
  }
  expect(report.errors).toEqual([]);
  expect(report.conflicts).toEqual([]);
  expect(report.downloaded).toEqual([]);
  // Adopted: the uploads of the batch are neither planned again nor compared (a conflict's
  // download); sent again is only what the server never got.
  const neverSent = Array.from({ length: FILES }, (_, i) => nameOf(i)).filter((path) => !answered.has(path));
  expect(planned.map((action) => `${action.kind} ${action.path}`).sort()).toEqual(neverSent.map((path) => `upload ${path}`));
  expect(puts.sort()).toEqual(neverSent);
  expect(gets).toEqual([]);
  for (const path of inBatch) expect(puts).not.toContain(path);

  // Nothing lost, no conflict copy on either side.
  const expected = Object.fromEntries(Array.from({ length: FILES }, (_, i) => [nameOf(i), contentOf(i)]));
  expect((await readdir(root)).sort()).toEqual(Object.keys(expected));
  for (const [name, content] of Object.entries(expected)) expect(await readFile(join(root, name), 'utf8')).toBe(content);
  expect(store.tree('<folder>')).toEqual(expected);

  // And the run after that has nothing to do.
  const last = Journal.open(journalFile);
  try {
    const { report: again } = await run(last, store);
    expect(again.uploaded).toEqual([]);
    expect(again.downloaded).toEqual([]);
    expect(again.conflicts).toEqual([]);
  } finally {
    last.close();
  }
});
