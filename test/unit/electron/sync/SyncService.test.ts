/**
 * SyncService on virtual time: a scripted fake engine (resolves, rejects with a code, or
 * blocks until the test releases it) and a fake watcher whose handlers the test fires. Covers
 * the first run, quiet-time batching, a change during a run, polling, offline backoff without
 * a request storm, the sign-in error and fail-safe waits, pause/resume, stop, the watcher
 * fallback and the progress in the status stream.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, TeraSyncError } from '../../../../shared/errors.js';
import type { FailSafeInfo, SyncStatus } from '../../../../shared/types.js';
import type { RunOptions, RunResult } from '../../../../electron/sync/engine.js';
import { FailSafeError } from '../../../../electron/sync/failSafe.js';
import { silentLogger } from '../../../../electron/core/logger.js';
import type { ChangeWatcher, WatchFolder, WatchHandlers } from '../../../../electron/sync/ports.js';
import { emptyReport, type SyncEvent, type SyncReport } from '../../../../electron/sync/report.js';
import { SyncService, type SyncServiceOptions } from '../../../../electron/sync/SyncService.js';
import { FakeClock, settle } from '../../../support/fakeClock.js';

const QUIET = 300;
const POLL = 30_000;
const RETRY_MIN = 2_000;
const RETRY_MAX = 20_000;
const OPTIONS: SyncServiceOptions = { quietMs: QUIET, pollIntervalMs: POLL, fullScanIntervalMs: 10 * 60_000, retryMinMs: RETRY_MIN, retryMaxMs: RETRY_MAX };

type Behaviour = (options: RunOptions) => Promise<RunResult>;

function result(report: Partial<SyncReport> = {}): RunResult {
  return { report: { ...emptyReport(), ...report }, planned: [] };
}

const succeed =
  (report: Partial<SyncReport> = {}): Behaviour =>
  async () =>
    result(report);

const failWith =
  (code: ErrorCode): Behaviour =>
  async () => {
    throw new TeraSyncError(code, `fake engine: ${code}`);
  };

const FAIL_SAFE_INFO: FailSafeInfo = {
  reason: 'massDelete',
  deletions: [
    { path: 'photos', type: 'dir', side: 'remote' },
    { path: 'photos/beach.jpg', type: 'file', side: 'remote' },
    { path: 'report.pdf', type: 'file', side: 'local' },
  ],
  total: 2,
};

/** What the engine throws at a fail-safe: the code, the message and what would be deleted. */
const stopAtFailSafe =
  (info: FailSafeInfo = FAIL_SAFE_INFO): Behaviour =>
  async () => {
    throw new FailSafeError(info, 'fake engine: this sync would delete 2 of 3 synced files');
  };

const cancelled = (): TeraSyncError => new TeraSyncError(ErrorCode.Cancelled, 'Sync cancelled.');

/** A run that blocks until the test releases it. */
interface Gate {
  behaviour: Behaviour;
  /** The options of the run that hit the gate (after it started). */
  options(): RunOptions;
  release(report?: Partial<SyncReport>): void;
  reject(error: Error): void;
}

/**
 * @param onAbort 'cancel': reject with Cancelled as soon as the signal aborts (what the engine
 *   does at its next check); 'manual': ignore the abort, the test settles the run itself.
 */
function gate(onAbort: 'cancel' | 'manual' = 'cancel'): Gate {
  let seen: RunOptions | undefined;
  let settleRun: { resolve(value: RunResult): void; reject(error: Error): void } | undefined;
  return {
    behaviour: (options) =>
      new Promise<RunResult>((resolve, reject) => {
        seen = options;
        settleRun = { resolve, reject };
        options.signal?.addEventListener(
          'abort',
          () => {
            if (onAbort === 'cancel') reject(cancelled());
          },
          { once: true },
        );
      }),
    options() {
      if (!seen) throw new Error('the gated run has not started');
      return seen;
    },
    release(report = {}) {
      if (!settleRun) throw new Error('the gated run has not started');
      settleRun.resolve(result(report));
    },
    reject(error) {
      if (!settleRun) throw new Error('the gated run has not started');
      settleRun.reject(error);
    },
  };
}

class FakeEngine {
  readonly calls: RunOptions[] = [];
  private readonly script: Behaviour[] = [];
  private active = 0;
  /** The most runs that were ever in progress at once (runs must never overlap). */
  maxActive = 0;

  /** Queues behaviours for the next runs; once the queue is empty, runs succeed. */
  next(...behaviours: Behaviour[]): void {
    this.script.push(...behaviours);
  }

  get runs(): number {
    return this.calls.length;
  }

  runOnce = async (options: RunOptions = {}): Promise<RunResult> => {
    this.calls.push(options);
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    try {
      return await (this.script.shift() ?? succeed())(options);
    } finally {
      this.active--;
    }
  };
}

class FakeWatcher {
  root: string | null = null;
  handlers: WatchHandlers | null = null;
  closed = 0;
  startError: Error | null = null;
  /** When set, start() waits for it (a watcher still crawling a big tree). */
  startGate: Promise<void> | null = null;

  watch: WatchFolder = async (root, handlers) => {
    this.root = root;
    this.handlers = handlers;
    if (this.startGate) await this.startGate;
    if (this.startError) throw this.startError;
    const handle: ChangeWatcher = {
      close: async () => {
        this.closed++;
      },
    };
    return handle;
  };

  change(path: string): void {
    if (!this.handlers) throw new Error('the watcher was never started');
    this.handlers.onChange(path);
  }

  fail(error: Error): void {
    if (!this.handlers) throw new Error('the watcher was never started');
    this.handlers.onError(error);
  }
}

const services: SyncService[] = [];

afterEach(async () => {
  for (const service of services.splice(0)) await service.stop();
});

function setup(options: Partial<SyncServiceOptions> = {}) {
  const clock = new FakeClock();
  const engine = new FakeEngine();
  const watcher = new FakeWatcher();
  const statuses: SyncStatus[] = [];
  const events: SyncEvent[] = [];
  const reports: SyncReport[] = [];
  const service = new SyncService({
    localRoot: '/home/me/TeraCLOUD',
    engine,
    watch: watcher.watch,
    clock,
    scheduler: clock,
    logger: silentLogger,
    options: { ...OPTIONS, ...options },
    onEvent: (event) => events.push(event),
    onReport: (report) => reports.push(report),
  });
  service.onDidChangeStatus((status) => statuses.push(status));
  services.push(service);
  /** Starts the service and lets the first run happen. */
  const started = async (): Promise<void> => {
    await service.start();
    await clock.advance(0);
    expect(engine.runs).toBe(1);
    expect(service.getStatus().state).toBe('idle');
  };
  return { clock, engine, watcher, service, statuses, events, reports, started };
}

describe('SyncService', () => {
  it('runs once right away on start, then waits for the poll with one timer armed', async () => {
    const { clock, engine, watcher, service, statuses } = setup();
    await service.start();
    expect(watcher.root).toBe('/home/me/TeraCLOUD');
    await clock.advance(0);
    expect(engine.runs).toBe(1);
    expect(engine.calls[0]!.allowMassDelete).toBe(false);
    expect(engine.calls[0]!.signal?.aborted).toBe(false);
    expect(statuses.map((s) => s.state)).toEqual(['scanning', 'idle']);
    expect(service.getStatus()).toMatchObject({ state: 'idle', lastSyncAt: clock.now(), progress: null, problem: null, retryAt: null, watcherFallback: false });
    expect(clock.pending()).toBe(1);
    expect(clock.nextDelay()).toBe(POLL);
  });

  it('gathers a burst of 1,000 changes into exactly one run, quietMs after the last event', async () => {
    const { clock, engine, watcher, started } = setup();
    await started();
    const listedAt = clock.now();
    // 1,000 events over 675 ms, never quiet for quietMs.
    for (let group = 0; group < 10; group++) {
      if (group > 0) await clock.advance(QUIET / 4);
      for (let i = 0; i < 100; i++) watcher.change(`docs/file-${group * 100 + i}.txt`);
      expect(clock.pending()).toBe(1);
    }
    expect(engine.runs).toBe(1);
    await clock.advance(QUIET - 1);
    expect(engine.runs).toBe(1);
    await clock.advance(1);
    expect(engine.runs).toBe(2);
    // More changes than an incremental scan takes: the whole folder, and no listing (the poll
    // is not due).
    expect(engine.calls[1]!.scope).toEqual({ localChanges: null, listRemote: false, reuseUnchangedFolders: false });
    // Then back to polling, on the schedule of the last listing: nothing until it is due.
    await clock.advance(listedAt + POLL - clock.now() - 1);
    expect(engine.runs).toBe(2);
    await clock.advance(1);
    expect(engine.runs).toBe(3);
    expect(engine.calls[2]!.scope).toEqual({ localChanges: [], listRemote: true, reuseUnchangedFolders: true });
    expect(engine.maxActive).toBe(1);
  });

  it('still runs at least every pollIntervalMs while the folder never goes quiet', async () => {
    // A log file appended to every quietMs / 2 (a download in progress, an open database):
    // the quiet time never comes, but remote changes must still be fetched by the poll.
    const { clock, engine, watcher, started } = setup();
    await started();
    for (let elapsed = 0; elapsed < 3 * POLL; elapsed += QUIET / 2) {
      watcher.change('logs/app.log');
      await clock.advance(QUIET / 2);
    }
    expect(engine.runs).toBeGreaterThanOrEqual(1 + 2);
  });

  it('runs exactly once more after a run during which changes arrived', async () => {
    const { clock, engine, watcher, service, started } = setup();
    await started();
    const listedAt = clock.now();
    const blocked = gate('manual');
    engine.next(blocked.behaviour);
    watcher.change('a.txt');
    await clock.advance(QUIET);
    expect(engine.runs).toBe(2);
    expect(service.getStatus().state).toBe('scanning');
    for (let i = 0; i < 50; i++) watcher.change(`b-${i}.txt`);
    await clock.advance(QUIET * 3);
    expect(engine.runs).toBe(2);
    expect(clock.pending()).toBe(0);
    blocked.release();
    await settle();
    expect(service.getStatus().state).toBe('idle');
    expect(clock.pending()).toBe(1);
    await clock.advance(QUIET);
    expect(engine.runs).toBe(3);
    expect(engine.calls[2]!.scope?.localChanges).toHaveLength(50);
    // The poll keeps the schedule of the last listing.
    await clock.advance(listedAt + POLL - clock.now() - 1);
    expect(engine.runs).toBe(3);
    await clock.advance(1);
    expect(engine.runs).toBe(4);
    expect(engine.maxActive).toBe(1);
  });

  it('runs again after the quiet time when a run deferred a path', async () => {
    const { clock, engine, started } = setup();
    await started();
    engine.next(succeed({ deferred: [{ path: 'growing.log', message: 'changed while uploading' }] }));
    await clock.advance(POLL);
    expect(engine.runs).toBe(2);
    expect(clock.nextDelay()).toBe(QUIET);
    await clock.advance(QUIET);
    expect(engine.runs).toBe(3);
    // The run after the deferral did not list the server: the poll stays due a POLL after the
    // one that did.
    expect(engine.calls[2]!.scope?.listRemote).toBe(false);
    expect(clock.nextDelay()).toBe(POLL - QUIET);
  });

  it('scopes each run: a watcher run names the changed paths and reuses the listing, a poll lists, a full scan every fullScanIntervalMs', async () => {
    const { clock, engine, watcher, started } = setup();
    await started();
    // The first run does everything.
    expect(engine.calls[0]!.scope).toEqual({ localChanges: null, listRemote: true, reuseUnchangedFolders: false });
    watcher.change('notes/today.md');
    watcher.change('notes/today.md');
    watcher.change('photos');
    await clock.advance(QUIET);
    expect(engine.runs).toBe(2);
    expect(engine.calls[1]!.scope).toEqual({ localChanges: ['notes/today.md', 'photos'], listRemote: false, reuseUnchangedFolders: true });
    // Polls with nothing changed locally: the server is listed, no local path looked at.
    await clock.advance(POLL);
    expect(engine.runs).toBe(3);
    expect(engine.calls[2]!.scope).toEqual({ localChanges: [], listRemote: true, reuseUnchangedFolders: true });
    // Ten minutes after the last full scan, the next run scans the whole folder again.
    while (engine.runs < 22) await clock.advance(POLL);
    const scopes = engine.calls.map((call) => call.scope?.localChanges === null);
    expect(scopes.indexOf(true, 1)).toBe(21);
    expect(scopes.filter((full) => full)).toHaveLength(2);
    // A change arriving while paused is not lost: the run after resume names it.
    const paused = setup();
    await paused.started();
    paused.service.pause();
    paused.watcher.change('while-paused.txt');
    paused.service.resume();
    await paused.clock.advance(0);
    expect(paused.engine.calls[1]!.scope).toEqual({ localChanges: ['while-paused.txt'], listRemote: true, reuseUnchangedFolders: true });
  });

  it('scans the whole folder on every run once the watcher failed', async () => {
    const { clock, engine, watcher, started } = setup();
    await started();
    watcher.fail(new Error('ENOSPC: System limit for number of file watchers reached'));
    await clock.advance(POLL);
    await clock.advance(POLL);
    expect(engine.calls.slice(1).map((call) => call.scope)).toEqual([
      { localChanges: null, listRemote: true, reuseUnchangedFolders: false },
      { localChanges: null, listRemote: true, reuseUnchangedFolders: false },
    ]);
  });

  it('polls every pollIntervalMs when nothing changes', async () => {
    const { clock, engine, started } = setup();
    await started();
    for (let k = 2; k <= 5; k++) {
      await clock.advance(POLL - 1);
      expect(engine.runs).toBe(k - 1);
      await clock.advance(1);
      expect(engine.runs).toBe(k);
      expect(clock.pending()).toBe(1);
    }
  });

  it('goes offline on a network failure and retries at 2, 4, 8 ... s capped at retryMaxMs, one timer, no storm', async () => {
    const { clock, engine, watcher, service, statuses } = setup();
    const delays = [2_000, 4_000, 8_000, 16_000, 20_000, 20_000];
    engine.next(...delays.map(() => failWith(ErrorCode.Network)));
    await service.start();
    await clock.advance(0);
    let runs = 1;
    for (const delay of delays) {
      expect(engine.runs).toBe(runs);
      expect(service.getStatus()).toMatchObject({ state: 'offline', retryAt: clock.now() + delay, progress: null });
      expect(service.getStatus().problem?.code).toBe(ErrorCode.Network);
      expect(clock.pending()).toBe(1);
      expect(clock.nextDelay()).toBe(delay);
      // Local changes while offline wait for the attempt: no run, no new timer.
      for (let i = 0; i < 20; i++) watcher.change(`offline-${i}.txt`);
      expect(clock.pending()).toBe(1);
      expect(clock.nextDelay()).toBe(delay);
      await clock.advance(delay - 1);
      expect(engine.runs).toBe(runs);
      watcher.change('late.txt');
      expect(clock.pending()).toBe(1);
      await clock.advance(1);
      runs++;
      expect(engine.runs).toBe(runs);
    }
    // The last attempt succeeded: idle, polling again.
    expect(service.getStatus()).toMatchObject({ state: 'idle', problem: null, retryAt: null, lastSyncAt: clock.now() });
    expect(clock.pending()).toBe(1);
    expect(clock.nextDelay()).toBe(POLL);
    await clock.advance(POLL);
    expect(engine.runs).toBe(runs + 1);
    // One announced retry per failure (the offline statuses between them count waiting changes).
    expect(new Set(statuses.filter((s) => s.state === 'offline' && s.retryAt !== null).map((s) => s.retryAt)).size).toBe(delays.length);
    expect(engine.maxActive).toBe(1);
  });

  it('treats a refused sign-in as an error retried at the poll interval', async () => {
    const { clock, engine, watcher, service } = setup();
    engine.next(failWith(ErrorCode.Unauthorized), failWith(ErrorCode.Unauthorized), failWith(ErrorCode.Unauthorized));
    await service.start();
    await clock.advance(0);
    for (let attempt = 1; attempt <= 3; attempt++) {
      expect(engine.runs).toBe(attempt);
      expect(service.getStatus()).toMatchObject({ state: 'error', retryAt: clock.now() + POLL });
      expect(service.getStatus().problem?.code).toBe(ErrorCode.Unauthorized);
      expect(clock.pending()).toBe(1);
      expect(clock.nextDelay()).toBe(POLL);
      watcher.change('while-refused.txt');
      expect(clock.nextDelay()).toBe(POLL);
      await clock.advance(POLL - 1);
      expect(engine.runs).toBe(attempt);
      await clock.advance(1);
    }
    expect(engine.runs).toBe(4);
    expect(service.getStatus()).toMatchObject({ state: 'idle', problem: null, retryAt: null });
  });

  it('waits at the fail-safe with no timer armed until allowMassDelete(), which allows one run only', async () => {
    const { clock, engine, watcher, service } = setup();
    engine.next(failWith(ErrorCode.FailSafeTriggered));
    await service.start();
    await clock.advance(0);
    expect(service.getStatus()).toMatchObject({ state: 'failsafe', retryAt: null, progress: null });
    expect(service.getStatus().problem?.code).toBe(ErrorCode.FailSafeTriggered);
    expect(clock.pending()).toBe(0);
    for (let i = 0; i < 10; i++) watcher.change(`x-${i}.txt`);
    expect(clock.pending()).toBe(0);
    await clock.advance(10 * POLL);
    expect(engine.runs).toBe(1);

    service.allowMassDelete();
    await clock.advance(0);
    expect(engine.runs).toBe(2);
    expect(engine.calls[1]!.allowMassDelete).toBe(true);
    expect(service.getStatus()).toMatchObject({ state: 'idle', problem: null });
    await clock.advance(POLL);
    expect(engine.runs).toBe(3);
    expect(engine.calls[2]!.allowMassDelete).toBe(false);

    // Outside the fail-safe the call does nothing.
    service.allowMassDelete();
    await clock.advance(0);
    expect(engine.runs).toBe(3);
    await clock.advance(POLL);
    expect(engine.runs).toBe(4);
    expect(engine.calls[3]!.allowMassDelete).toBe(false);
  });

  it('pause() aborts the run in progress and stops every timer; resume() runs again', async () => {
    const { clock, engine, watcher, service, started } = setup();
    await started();
    const blocked = gate('cancel');
    engine.next(blocked.behaviour);
    await clock.advance(POLL);
    expect(engine.runs).toBe(2);
    const signal = blocked.options().signal!;
    expect(signal.aborted).toBe(false);

    service.pause();
    expect(signal.aborted).toBe(true);
    expect(service.getStatus().state).toBe('paused');
    await settle();
    expect(service.getStatus()).toMatchObject({ state: 'paused', progress: null, retryAt: null });
    expect(clock.pending()).toBe(0);
    watcher.change('while-paused.txt');
    expect(clock.pending()).toBe(0);
    await clock.advance(10 * POLL);
    expect(engine.runs).toBe(2);

    service.resume();
    await clock.advance(0);
    expect(engine.runs).toBe(3);
    expect(service.getStatus().state).toBe('idle');
    expect(clock.nextDelay()).toBe(POLL);
  });

  it('pause() while idle cancels the poll timer', async () => {
    const { clock, engine, service, started } = setup();
    await started();
    service.pause();
    expect(clock.pending()).toBe(0);
    await clock.advance(10 * POLL);
    expect(engine.runs).toBe(1);
    expect(service.getStatus().state).toBe('paused');
  });

  it('stays paused when the aborted run still reports progress before it ends', async () => {
    // The engine only looks at the signal between passes and before each action: a run
    // paused during the listing still emits 'planned' before it throws Cancelled.
    const { clock, engine, service, started } = setup();
    await started();
    const blocked = gate('manual');
    engine.next(blocked.behaviour);
    await clock.advance(POLL);
    service.pause();
    expect(blocked.options().signal?.aborted).toBe(true);
    // The listing that was under way ends after the pause; then the engine plans, emits, and
    // finds the signal aborted at the next check.
    blocked.options().onEvent?.({ type: 'planned', pass: 1, actions: 5, bytes: 500 });
    blocked.reject(cancelled());
    await settle();
    expect(service.getStatus()).toMatchObject({ state: 'paused', progress: null });
    expect(clock.pending()).toBe(0);
  });

  it('stays paused when the aborted run completes anyway', async () => {
    const { clock, engine, service, started } = setup();
    await started();
    const blocked = gate('manual');
    engine.next(blocked.behaviour);
    await clock.advance(POLL);
    service.pause();
    blocked.release();
    await settle();
    expect(service.getStatus()).toMatchObject({ state: 'paused', progress: null });
    expect(clock.pending()).toBe(0);
    await clock.advance(10 * POLL);
    expect(engine.runs).toBe(2);
  });

  it('stop() aborts the run, waits for it, closes the watcher and leaves no timer; later changes do nothing', async () => {
    const { clock, engine, watcher, service, statuses, started } = setup();
    await started();
    const blocked = gate('manual');
    engine.next(blocked.behaviour);
    await clock.advance(POLL);
    const signal = blocked.options().signal!;

    let stopped = false;
    const stopping = service.stop().then(() => {
      stopped = true;
    });
    expect(signal.aborted).toBe(true);
    await settle();
    expect(stopped).toBe(false);
    blocked.reject(cancelled());
    await stopping;
    expect(watcher.closed).toBe(1);
    expect(clock.pending()).toBe(0);
    expect(service.getStatus()).toMatchObject({ state: 'stopped', progress: null, retryAt: null });
    expect(statuses.at(-1)?.state).toBe('stopped');

    watcher.change('after-stop.txt');
    expect(clock.pending()).toBe(0);
    await clock.advance(10 * POLL);
    expect(engine.runs).toBe(2);
    service.syncNow();
    service.resume();
    expect(clock.pending()).toBe(0);
  });

  it('stop() while idle, offline or at the fail-safe leaves no timer', async () => {
    for (const code of [null, ErrorCode.Network, ErrorCode.Unauthorized, ErrorCode.FailSafeTriggered]) {
      const { clock, engine, watcher, service } = setup();
      if (code) engine.next(failWith(code));
      await service.start();
      await clock.advance(0);
      await service.stop();
      expect(clock.pending(), `after ${code ?? 'success'}`).toBe(0);
      expect(watcher.closed).toBe(1);
      await clock.advance(10 * POLL);
      expect(engine.runs).toBe(1);
    }
  });

  it('stop() during start, while the watcher is still starting, closes the watcher once it is up', async () => {
    const { clock, engine, watcher, service } = setup();
    let watcherUp: () => void = () => undefined;
    watcher.startGate = new Promise<void>((resolve) => {
      watcherUp = resolve;
    });
    const starting = service.start();
    await settle();
    await service.stop();
    watcherUp();
    await starting;
    await settle();
    expect(watcher.closed).toBe(1);
    expect(clock.pending()).toBe(0);
    await clock.advance(10 * POLL);
    expect(engine.runs).toBe(0);
    expect(service.getStatus().state).toBe('stopped');
  });

  it('falls back on polling when the watcher cannot start', async () => {
    const { clock, engine, watcher, service } = setup();
    watcher.startError = new Error('ENOSPC: System limit for number of file watchers reached');
    await service.start();
    expect(service.getStatus().watcherFallback).toBe(true);
    await clock.advance(0);
    expect(engine.runs).toBe(1);
    expect(service.getStatus()).toMatchObject({ state: 'idle', watcherFallback: true });
    await clock.advance(POLL);
    expect(engine.runs).toBe(2);
    await clock.advance(POLL);
    expect(engine.runs).toBe(3);
  });

  it('falls back on polling when the watcher fails later', async () => {
    const { clock, engine, watcher, service, started } = setup();
    await started();
    expect(service.getStatus().watcherFallback).toBe(false);
    watcher.fail(new Error('ENOSPC: System limit for number of file watchers reached'));
    expect(service.getStatus().watcherFallback).toBe(true);
    await settle();
    expect(watcher.closed).toBe(1);
    expect(clock.pending()).toBe(1);
    await clock.advance(POLL);
    expect(engine.runs).toBe(2);
    await clock.advance(POLL);
    expect(engine.runs).toBe(3);
    expect(service.getStatus()).toMatchObject({ state: 'idle', watcherFallback: true });
  });

  it('syncNow() leaves the offline wait at once and restarts the backoff', async () => {
    const { clock, engine, service } = setup();
    engine.next(failWith(ErrorCode.Network), failWith(ErrorCode.Network), failWith(ErrorCode.Network));
    await service.start();
    await clock.advance(0);
    await clock.advance(RETRY_MIN);
    expect(clock.nextDelay()).toBe(2 * RETRY_MIN);
    service.syncNow();
    expect(clock.pending()).toBe(1);
    await clock.advance(0);
    expect(engine.runs).toBe(3);
    expect(service.getStatus().state).toBe('offline');
    expect(clock.nextDelay()).toBe(RETRY_MIN);
  });

  it('streams progress: planned, transfers and finished actions make syncing statuses', async () => {
    const { clock, engine, statuses, events, reports, started } = setup();
    await started();
    const emitted: SyncEvent[] = [
      { type: 'phase', phase: 'scanning', pass: 1 },
      { type: 'planned', pass: 1, actions: 3, bytes: 300 },
      { type: 'action-start', action: 'upload', path: 'a.bin' },
      { type: 'action-start', action: 'upload', path: 'b.bin' },
      { type: 'transfer', path: 'a.bin', bytes: 50, total: 100 },
      { type: 'transfer', path: 'b.bin', bytes: 30, total: 200 },
      { type: 'transfer', path: 'a.bin', bytes: 100, total: 100 },
      { type: 'action-done', action: 'upload', path: 'a.bin' },
      { type: 'transfer', path: 'b.bin', bytes: 200, total: 200 },
      { type: 'action-done', action: 'upload', path: 'b.bin' },
      { type: 'action-start', action: 'delete-remote', path: 'c.txt' },
      { type: 'action-done', action: 'delete-remote', path: 'c.txt' },
    ];
    engine.next(async (options) => {
      for (const event of emitted) options.onEvent?.(event);
      return result({ uploaded: ['a.bin', 'b.bin'], deletedRemote: ['c.txt'], conflicts: [{ path: 'd.txt', copy: 'd (conflict).txt' }] });
    });
    const from = statuses.length;
    await clock.advance(POLL);
    const run = statuses.slice(from);
    expect(run[0]).toMatchObject({ state: 'scanning', progress: null });
    expect(run.filter((s) => s.state === 'syncing').map((s) => s.progress)).toEqual([
      { actionsDone: 0, actionsTotal: 3, bytesDone: 0, bytesTotal: 300 },
      { actionsDone: 0, actionsTotal: 3, bytesDone: 50, bytesTotal: 300 },
      { actionsDone: 0, actionsTotal: 3, bytesDone: 80, bytesTotal: 300 },
      { actionsDone: 0, actionsTotal: 3, bytesDone: 130, bytesTotal: 300 },
      { actionsDone: 1, actionsTotal: 3, bytesDone: 130, bytesTotal: 300 },
      { actionsDone: 1, actionsTotal: 3, bytesDone: 300, bytesTotal: 300 },
      { actionsDone: 2, actionsTotal: 3, bytesDone: 300, bytesTotal: 300 },
      { actionsDone: 3, actionsTotal: 3, bytesDone: 300, bytesTotal: 300 },
    ]);
    expect(run.at(-1)).toMatchObject({ state: 'idle', progress: null, lastSyncAt: clock.now(), lastRun: { conflicts: 1, errors: 0 } });
    expect(events).toEqual(emitted);
    expect(reports.at(-1)?.uploaded).toEqual(['a.bin', 'b.bin']);
  });

  it('shows no syncing state for a run with nothing to do', async () => {
    const { clock, engine, statuses, started } = setup();
    await started();
    engine.next(async (options) => {
      options.onEvent?.({ type: 'planned', pass: 1, actions: 0, bytes: 0 });
      return result();
    });
    const from = statuses.length;
    await clock.advance(POLL);
    expect(statuses.slice(from).map((s) => s.state)).toEqual(['scanning', 'idle']);
  });

  it('shows what the fail-safe would delete while it waits, and clears it when the next run starts', async () => {
    const { clock, engine, service, statuses } = setup();
    engine.next(stopAtFailSafe());
    await service.start();
    await clock.advance(0);
    expect(service.getStatus()).toMatchObject({ state: 'failsafe', failSafe: FAIL_SAFE_INFO });
    expect(service.getStatus().problem).toEqual({ code: ErrorCode.FailSafeTriggered, message: 'fake engine: this sync would delete 2 of 3 synced files' });

    const from = statuses.length;
    service.syncNow();
    await clock.advance(0);
    expect(statuses.slice(from).map((status) => [status.state, status.failSafe])).toEqual([
      ['scanning', null],
      ['idle', null],
    ]);
  });

  it('restoreDeletions() runs once with restoreDeletions, then back to idle without fail-safe details', async () => {
    const { clock, engine, watcher, service } = setup();
    engine.next(stopAtFailSafe());
    await service.start();
    await clock.advance(0);
    expect(service.getStatus().state).toBe('failsafe');
    // Waits for the answer: no timer, changes do not start a run.
    watcher.change('x.txt');
    await clock.advance(10 * POLL);
    expect(engine.runs).toBe(1);

    service.restoreDeletions();
    await clock.advance(0);
    expect(engine.runs).toBe(2);
    expect(engine.calls[1]).toMatchObject({ restoreDeletions: true, allowMassDelete: false });
    expect(service.getStatus()).toMatchObject({ state: 'idle', problem: null, failSafe: null });
    await clock.advance(POLL);
    expect(engine.runs).toBe(3);
    expect(engine.calls[2]).toMatchObject({ restoreDeletions: false, allowMassDelete: false });

    // Outside the fail-safe the call does nothing.
    service.restoreDeletions();
    await clock.advance(0);
    expect(engine.runs).toBe(3);
  });

  it('the last answer at the fail-safe is the one the next run carries out', async () => {
    const { clock, engine, service } = setup();
    engine.next(stopAtFailSafe());
    await service.start();
    await clock.advance(0);
    service.allowMassDelete();
    service.restoreDeletions();
    await clock.advance(0);
    expect(engine.runs).toBe(2);
    expect(engine.calls[1]).toMatchObject({ restoreDeletions: true, allowMassDelete: false });
  });

  it('has no fail-safe details in any other state: paused, offline, stopped', async () => {
    const { clock, engine, service, statuses } = setup();
    engine.next(stopAtFailSafe());
    await service.start();
    await clock.advance(0);
    expect(service.getStatus().failSafe).toEqual(FAIL_SAFE_INFO);
    service.pause();
    expect(service.getStatus()).toMatchObject({ state: 'paused', failSafe: null });

    engine.next(stopAtFailSafe(), failWith(ErrorCode.Network));
    service.resume();
    await clock.advance(0);
    expect(service.getStatus()).toMatchObject({ state: 'failsafe', failSafe: FAIL_SAFE_INFO });
    service.syncNow();
    await clock.advance(0);
    expect(service.getStatus()).toMatchObject({ state: 'offline', failSafe: null });

    engine.next(stopAtFailSafe());
    await clock.advance(RETRY_MIN);
    expect(service.getStatus().state).toBe('failsafe');
    await service.stop();
    expect(service.getStatus()).toMatchObject({ state: 'stopped', failSafe: null });
    expect(statuses.filter((status) => status.state !== 'failsafe' && status.failSafe !== null)).toEqual([]);
  });

  it('a fail-safe error without details waits at the fail-safe with none', async () => {
    const { clock, engine, service } = setup();
    engine.next(failWith(ErrorCode.FailSafeTriggered));
    await service.start();
    await clock.advance(0);
    expect(service.getStatus()).toMatchObject({ state: 'failsafe', failSafe: null });
  });
});

describe('SyncService: one state model (offline, pending changes)', () => {
  /** A run that looks at the server (phase events) and fails with `code` before it plans. */
  const lookThenFail =
    (code: ErrorCode): Behaviour =>
    async (options) => {
      options.onEvent?.({ type: 'phase', phase: 'scanning', pass: 1 });
      options.onEvent?.({ type: 'phase', phase: 'listing', pass: 1 });
      throw new TeraSyncError(code, `fake engine: ${code}`);
    };

  it('offline with one local edit: offline, 1 waiting, through the retry, never up to date until the server answers', async () => {
    const { clock, engine, watcher, service, statuses, started } = setup();
    await started();
    expect(service.getStatus()).toMatchObject({ state: 'idle', pending: 0 });
    engine.next(lookThenFail(ErrorCode.Network), lookThenFail(ErrorCode.Network));
    watcher.change('notes.txt');
    expect(service.getStatus().pending).toBe(1);
    await clock.advance(QUIET);
    expect(service.getStatus()).toMatchObject({ state: 'offline', pending: 1 });
    const from = statuses.length;
    // The retry looks for changes and fails again: offline all along, the edit still waiting.
    await clock.advance(RETRY_MIN);
    expect(engine.runs).toBe(3);
    expect(engine.calls[2]!.scope?.localChanges).toEqual(['notes.txt']);
    expect(statuses.slice(from).map((s) => s.state)).toEqual(['offline', 'offline']);
    expect(statuses.slice(from).every((s) => s.pending === 1)).toBe(true);
    expect(service.getStatus()).toMatchObject({ state: 'offline', pending: 1 });
    // The next retry reaches the server: scanning, then syncing the one change, then idle with nothing waiting.
    engine.next(async (options) => {
      options.onEvent?.({ type: 'phase', phase: 'listing', pass: 1 });
      expect(service.getStatus().state).toBe('offline');
      options.onEvent?.({ type: 'phase', phase: 'planning', pass: 1 });
      expect(service.getStatus()).toMatchObject({ state: 'scanning', problem: null, pending: 1 });
      options.onEvent?.({ type: 'planned', pass: 1, actions: 1, bytes: 10 });
      expect(service.getStatus()).toMatchObject({ state: 'syncing', pending: 1 });
      options.onEvent?.({ type: 'action-done', action: 'upload', path: 'notes.txt' });
      expect(service.getStatus().pending).toBe(0);
      return result();
    });
    await clock.advance(2 * RETRY_MIN);
    expect(engine.runs).toBe(4);
    expect(engine.calls[3]!.scope?.localChanges).toEqual(['notes.txt']);
    expect(service.getStatus()).toMatchObject({ state: 'idle', pending: 0, problem: null });
  });

  it('ends a run offline when a transfer failed because the connection went; the path waits for the retry', async () => {
    const { clock, engine, watcher, service, started } = setup();
    await started();
    engine.next(async (options) => {
      options.onEvent?.({ type: 'planned', pass: 1, actions: 2, bytes: 20 });
      options.onEvent?.({ type: 'action-done', action: 'upload', path: 'a.txt' });
      options.onEvent?.({ type: 'action-failed', action: 'upload', path: 'b.txt', code: ErrorCode.Network, message: 'connection reset' });
      return result({ uploaded: ['a.txt'], errors: [{ path: 'b.txt', code: ErrorCode.Network, message: 'connection reset' }] });
    });
    watcher.change('a.txt');
    watcher.change('b.txt');
    await clock.advance(QUIET);
    expect(service.getStatus()).toMatchObject({ state: 'offline', pending: 1, retryAt: clock.now() + RETRY_MIN });
    expect(service.getStatus().problem?.code).toBe(ErrorCode.Network);
    expect(clock.pending()).toBe(1);
    await clock.advance(RETRY_MIN);
    expect(engine.runs).toBe(3);
    // The retry looks at everything again (the whole folder and the server), b.txt included.
    expect(engine.calls[2]!.scope).toMatchObject({ localChanges: null, listRemote: true });
    expect(service.getStatus()).toMatchObject({ state: 'idle', pending: 0 });
  });

  it('counts deferred paths as waiting after a run, and changes made while paused', async () => {
    const { clock, engine, watcher, service, started } = setup();
    await started();
    engine.next(succeed({ deferred: [{ path: 'busy.log', message: 'still being written' }] }));
    watcher.change('busy.log');
    await clock.advance(QUIET);
    expect(service.getStatus()).toMatchObject({ state: 'idle', pending: 1 });
    await clock.advance(QUIET);
    expect(service.getStatus()).toMatchObject({ state: 'idle', pending: 0 });
    service.pause();
    watcher.change('x.txt');
    watcher.change('y.txt');
    expect(service.getStatus()).toMatchObject({ state: 'paused', pending: 2 });
  });
});
