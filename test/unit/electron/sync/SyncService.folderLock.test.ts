/**
 * SyncService with the local folder's lock (a real FolderLock on a real temp folder), on
 * virtual time: a folder another holds is not synced (the error state says who holds it, and
 * the service tries again at the poll interval), the lock is let go at stop(), and the lock's
 * own files are no change. Also: an answer to the fail-safe given while the stopped run is
 * still ending (as `terasync sync --allow-mass-delete` gives it, from the status listener) is
 * run, not lost.
 */
import { mkdtempSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FolderLock } from '../../../../electron/platform/folderLock.js';
import { LOCK_FILE, LOCK_HOLDER_FILE } from '../../../../electron/sync/ignoreRules.js';
import type { RunOptions, RunResult } from '../../../../electron/sync/engine.js';
import { FailSafeError } from '../../../../electron/sync/failSafe.js';
import { silentLogger } from '../../../../electron/core/logger.js';
import type { WatchFolder, WatchHandlers } from '../../../../electron/sync/ports.js';
import { emptyReport } from '../../../../electron/sync/report.js';
import { SyncService } from '../../../../electron/sync/SyncService.js';
import { FakeClock } from '../../../support/fakeClock.js';

const POLL = 30_000;
const QUIET = 300;

const cleanups: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function setup(engineRun: (options: RunOptions) => Promise<RunResult> = async () => ({ report: emptyReport(), planned: [] })) {
  const root = mkdtempSync(join(tmpdir(), 'terasync-service-lock-'));
  cleanups.push(() => rm(root, { recursive: true, force: true }));
  const clock = new FakeClock();
  const calls: RunOptions[] = [];
  let handlers: WatchHandlers | null = null;
  const watch: WatchFolder = async (_root, given) => {
    handlers = given;
    return { close: async () => undefined };
  };
  const lock = new FolderLock(root, { program: 'the TeraSync app' });
  const service = new SyncService({
    localRoot: root,
    engine: {
      runOnce: (options = {}) => {
        calls.push(options);
        return engineRun(options);
      },
    },
    watch,
    clock,
    scheduler: clock,
    logger: silentLogger,
    options: { pollIntervalMs: POLL, quietMs: QUIET },
    folderLock: lock,
  });
  cleanups.push(() => service.stop());
  return { root, clock, calls, service, lock, change: (path: string) => handlers?.onChange(path) };
}

describe('SyncService and the folder lock', () => {
  it('does not sync a folder another holds, says who, and goes on once it is free', async () => {
    const { root, clock, calls, service, lock } = setup();
    const command = new FolderLock(root, { program: 'terasync sync' });
    cleanups.push(() => command.release());
    expect(command.ensure()).toBe(true);

    await service.start();
    await clock.advance(0);
    expect(calls).toHaveLength(0);
    expect(service.getStatus()).toMatchObject({ state: 'error', retryAt: clock.now() + POLL });
    expect(service.getStatus().problem?.message).toMatch(new RegExp(`^Another TeraSync run \\(terasync sync\\) is syncing the folder ${root}: process ${process.pid}`));

    // Still held at the retry: still waiting, nothing run.
    await clock.advance(POLL);
    expect(calls).toHaveLength(0);
    expect(service.getStatus().state).toBe('error');

    command.release();
    await clock.advance(POLL);
    expect(calls).toHaveLength(1);
    expect(service.getStatus()).toMatchObject({ state: 'idle', problem: null });
    expect(lock.held).toBe(true);
    expect(() => new FolderLock(root, { program: 'terasync sync' }).ensure()).toThrow(/The TeraSync app is syncing the folder/);

    await service.stop();
    expect(lock.held).toBe(false);
    expect(await readdir(root)).toEqual([]);
  });

  it('takes no change of the lock files for a change of the folder', async () => {
    const { clock, calls, service, change } = setup();
    await service.start();
    await clock.advance(0);
    expect(calls).toHaveLength(1);
    for (const name of [LOCK_FILE, LOCK_HOLDER_FILE, `${LOCK_FILE}-journal`]) change(name);
    await clock.advance(QUIET * 2);
    expect(calls).toHaveLength(1);
    change('notes.txt');
    await clock.advance(QUIET);
    expect(calls).toHaveLength(2);
  });

  it('runs an answer to the fail-safe given while the stopped run was still ending', async () => {
    let first = true;
    const { clock, calls, service } = setup(async () => {
      if (first) {
        first = false;
        throw new FailSafeError({ reason: 'massDelete', deletions: [], total: 12 }, 'this sync would delete 12 of 14 synced files');
      }
      return { report: emptyReport(), planned: [] };
    });
    // What `terasync sync --allow-mass-delete` does: answer as soon as the status says so.
    service.onDidChangeStatus((status) => {
      if (status.state === 'failsafe') service.allowMassDelete();
    });
    await service.start();
    await clock.advance(0);
    expect(calls).toHaveLength(1);
    await clock.advance(QUIET);
    expect(calls).toHaveLength(2);
    expect(calls[1]!.allowMassDelete).toBe(true);
    expect(service.getStatus().state).toBe('idle');
  });
});
