/**
 * Continuous sync of one pair: what the app and `terasync sync` (without --once) run all day.
 *
 * - Local changes come from a watcher. Events are gathered until the folder has been quiet
 *   for `quietMs` (an editor's save-as-temp-then-rename, an unzip of thousands of files),
 *   then one run syncs the batch. A file still being written keeps the folder busy, and the
 *   executor re-checks every file after sending it, so nothing goes up half-written.
 * - Remote changes are found by polling every `pollIntervalMs`, on its own schedule. Apache's
 *   folder ETags do not change for changes deep below, so a poll is a full listing (the
 *   benchmark measures it; the store skips parsing folders whose answer did not change).
 * - Each run tells the engine what changed (RunScope): the paths the watcher reported, and
 *   whether the server is due to be listed. A run started by the watcher plans against the
 *   last listing; every `fullScanIntervalMs` a run rescans the whole local folder, which
 *   catches anything the watcher missed; when the watcher fails (no OS watches left) every
 *   run scans the whole folder, and the status says so.
 * - Runs never overlap: a change during a run schedules one more run after it.
 * - Offline (network down, DNS failure, server unreachable, 5xx, 429): back off from
 *   `retryMinMs` doubling to `retryMaxMs`, with no requests in between and no timers but the
 *   one, and resume by itself when the server answers. Local changes while offline wait for
 *   the next attempt instead of starting a storm.
 * - A refused sign-in is an error state that is retried at the poll interval (a newly issued
 *   Apps password can take minutes to be accepted). A fail-safe stop waits for the user, with
 *   what the run would have deleted in the status (`failSafe`), for one of two answers: go
 *   ahead (allowMassDelete) or bring it all back (restoreDeletions).
 * - stop() aborts the run in progress (transfers stop, temp files go, the journal keeps
 *   what completed) and closes the watcher and every timer.
 * - The status is one model of what the user is told: `pending` counts the changes known to
 *   be waiting (local paths not synced yet, actions left in the run, deferred ones); offline
 *   stays offline through a retry until the server has answered (the retry's look for changes
 *   is no proof of being back); a run whose transfers failed because the connection went is
 *   offline as well, and its paths wait for the next attempt.
 * - With a `folderLock`, each run first makes sure this process holds the local folder's lock
 *   (see platform/folderLock.ts): while another process syncs the folder (the command, or
 *   the app with another state folder) the service is in the error state with who holds it,
 *   and tries again at the poll interval. stop() lets the lock go.
 */
import { lstatSync } from 'node:fs';
import { ErrorCode, TeraSyncError, toTeraSyncError } from '../../shared/errors.js';
import { freshSyncStatus } from '../../shared/appState.js';
import type { SyncStatus } from '../../shared/types.js';
import type { RunScope, SyncEngine } from './engine.js';
import { FailSafeError } from './failSafe.js';
import { MAX_INCREMENTAL_CHANGES } from './scanner.js';
import type { Clock, Scheduler } from '../core/time.js';
import type { Logger } from '../core/logger.js';
import { isFolderLockPath } from './ignoreRules.js';
import type { ChangeWatcher, FolderGuard, WatchFolder } from './ports.js';
import { lastRunSummary, type SyncEvent, type SyncReport } from './report.js';

export interface SyncServiceOptions {
  pollIntervalMs: number;
  quietMs: number;
  /** A full local scan at least this often, for anything the watcher missed. */
  fullScanIntervalMs: number;
  retryMinMs: number;
  retryMaxMs: number;
}

export const DEFAULT_SERVICE_OPTIONS: SyncServiceOptions = {
  pollIntervalMs: 30_000,
  quietMs: 300,
  fullScanIntervalMs: 10 * 60_000,
  retryMinMs: 2_000,
  retryMaxMs: 5 * 60_000,
};

export interface SyncServiceDeps {
  localRoot: string;
  engine: Pick<SyncEngine, 'runOnce'>;
  watch: WatchFolder;
  clock: Clock;
  scheduler: Scheduler;
  logger: Logger;
  options?: Partial<SyncServiceOptions>;
  /** Every action and transfer of every run, for an activity list or a log. */
  onEvent?: (event: SyncEvent) => void;
  /** Each finished run's report. */
  onReport?: (report: SyncReport) => void;
  /** The local folder's lock, taken before each run (if not held) and let go by stop(). */
  folderLock?: FolderGuard;
}

const OFFLINE_CODES: ReadonlySet<string> = new Set([
  ErrorCode.Network,
  ErrorCode.Timeout,
  ErrorCode.Server,
  ErrorCode.RateLimited,
]);

/** A path that failed with these did not fail by itself: the connection went (the run ends offline). */
const CONNECTION_LOST_CODES: ReadonlySet<string> = new Set([ErrorCode.Network, ErrorCode.Timeout]);

type Listener = (status: SyncStatus) => void;

export class SyncService {
  private readonly deps: SyncServiceDeps;
  private readonly options: SyncServiceOptions;
  private readonly listeners = new Set<Listener>();
  private status: SyncStatus = freshSyncStatus('idle');
  private watcher: ChangeWatcher | null = null;
  private cancelTimer: (() => void) | null = null;
  private running: Promise<void> | null = null;
  /** True from the start of a run until it has decided what comes next. */
  private busy = false;
  private controller: AbortController | null = null;
  /** A change arrived during a run: run again after it. */
  private dirty = false;
  private paused = false;
  private stopped = false;
  private failures = 0;
  private allowMassDeleteOnce = false;
  private restoreDeletionsOnce = false;
  /** When the poll armed after the last run is due: local changes never push a run past it. */
  private pollDueAt: number | null = null;
  /** Paths the watcher reported since the last run started (see RunScope). */
  private changedPaths = new Set<string>();
  private tooManyChanges = false;
  private lastFullScanAt: number | null = null;
  /** The identity (device and inode) of the folder the watcher was started on; null: none. */
  private watchedFolder: string | null = null;
  /** When the server is due to be listed again; null: at the next run. */
  private nextListAt: number | null = null;
  /** Changes the last run left waiting (deferred, or not sent as the connection went). */
  private leftOver = 0;

  constructor(deps: SyncServiceDeps) {
    this.deps = deps;
    this.options = { ...DEFAULT_SERVICE_OPTIONS, ...deps.options };
  }

  getStatus(): SyncStatus {
    return this.status;
  }

  onDidChangeStatus(listener: Listener): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  async start(): Promise<void> {
    this.watchedFolder = folderIdentity(this.deps.localRoot);
    await this.startWatcher();
    if (this.stopped) return;
    this.runSoon(0);
  }

  private async startWatcher(): Promise<void> {
    try {
      const watcher = await this.deps.watch(this.deps.localRoot, {
        onChange: (path) => this.localChanged(path),
        onError: (error) => this.watcherFailed(error),
      });
      if (this.stopped) {
        await watcher.close();
        return;
      }
      this.watcher = watcher;
    } catch (error) {
      this.watcherFailed(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /**
   * A local folder that was removed (an unmounted drive, a folder deleted and made again, a
   * copy put back) is another folder than the one the watcher watches: the watches of the old
   * one see nothing. Before each run the folder's identity is compared with the watched one;
   * when it changed, the old watcher goes, and a new one watches the folder that is there now.
   * Until then every run scans the whole folder.
   */
  private async rewatch(now: string | null): Promise<void> {
    this.deps.logger.info(now === null ? 'the local folder is gone; watching stops until it is back' : 'the local folder was replaced; watching the new one', {
      folder: this.deps.localRoot,
    });
    this.watchedFolder = now;
    // Whatever happened in the folder meanwhile was seen by no watcher: scan it whole.
    this.lastFullScanAt = null;
    const old = this.watcher;
    this.watcher = null;
    await old?.close().catch(() => undefined);
    if (now !== null && !this.stopped) await this.startWatcher();
  }

  /** Runs now (the tray's "Sync now"); also leaves an error or offline wait. */
  syncNow(): void {
    if (this.stopped || this.paused) return;
    this.failures = 0;
    this.nextListAt = null;
    this.runSoon(0);
  }

  pause(): void {
    if (this.stopped || this.paused) return;
    this.paused = true;
    this.clearTimer();
    this.controller?.abort();
    this.update({ state: 'paused', progress: null, retryAt: null, failSafe: null });
  }

  resume(): void {
    if (this.stopped || !this.paused) return;
    this.paused = false;
    this.nextListAt = null;
    this.update({ state: 'idle' });
    this.runSoon(0);
  }

  /** The user's answer at the fail-safe: go ahead with the deletions once. */
  allowMassDelete(): void {
    if (this.status.state !== 'failsafe') return;
    this.allowMassDeleteOnce = true;
    this.restoreDeletionsOnce = false;
    this.runSoon(0);
  }

  /**
   * The other answer at the fail-safe: delete nothing, and bring back everything the stopped
   * run would have deleted, from the side that still has it (one run).
   */
  restoreDeletions(): void {
    if (this.status.state !== 'failsafe') return;
    this.restoreDeletionsOnce = true;
    this.allowMassDeleteOnce = false;
    this.runSoon(0);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.clearTimer();
    this.controller?.abort();
    await this.running?.catch(() => undefined);
    await this.watcher?.close();
    this.watcher = null;
    this.deps.folderLock?.release();
    this.update({ state: 'stopped', progress: null, retryAt: null, failSafe: null });
    this.listeners.clear();
  }

  private localChanged(path: string): void {
    // The lock's own files come and go with it: never a change.
    if (this.stopped || isFolderLockPath(path)) return;
    // Kept while paused or offline too: the next run must look at it.
    if (this.changedPaths.size < MAX_INCREMENTAL_CHANGES) this.changedPaths.add(path);
    else this.tooManyChanges = true;
    if (this.busy) {
      if (this.status.progress !== null) this.update({ pending: this.waiting(this.status.progress) });
    } else if (this.status.pending !== this.waiting(null)) this.update({ pending: this.waiting(null) });
    if (this.paused) return;
    // Offline or waiting for the user: the scheduled attempt will pick the change up.
    if (this.status.state === 'offline' || this.status.state === 'error' || this.status.state === 'failsafe') return;
    if (this.busy) {
      this.dirty = true;
      return;
    }
    const quiet = this.options.quietMs;
    const now = this.deps.clock.now();
    this.runSoon(this.pollDueAt === null ? quiet : Math.min(quiet, Math.max(0, this.pollDueAt - now)), this.pollDueAt);
  }

  private watcherFailed(error: Error): void {
    this.deps.logger.warn('the folder watcher failed; falling back on periodic full scans', { message: error.message });
    void this.watcher?.close().catch(() => undefined);
    this.watcher = null;
    this.update({ watcherFallback: true });
  }

  /** The changes known to be waiting: the run's actions not done yet, paths changed since, what the last run left. */
  private waiting(progress: { actionsDone: number; actionsTotal: number } | null): number {
    const changed = this.tooManyChanges ? Math.max(this.changedPaths.size, MAX_INCREMENTAL_CHANGES) : this.changedPaths.size;
    if (progress === null) return changed + this.leftOver;
    return changed + Math.max(0, progress.actionsTotal - progress.actionsDone);
  }

  private clearTimer(): void {
    this.cancelTimer?.();
    this.cancelTimer = null;
  }

  /** (Re)arms the one timer: a later change pushes the run back, up to the quiet time. */
  private runSoon(delayMs: number, pollDueAt: number | null = null): void {
    if (this.stopped || this.paused) return;
    if (this.busy) {
      this.dirty = true;
      return;
    }
    this.clearTimer();
    this.pollDueAt = pollDueAt;
    this.cancelTimer = this.deps.scheduler.schedule(delayMs, () => {
      this.cancelTimer = null;
      this.running = this.run().finally(() => {
        this.running = null;
      });
    });
  }

  private async run(): Promise<void> {
    this.busy = true;
    try {
      await this.runAndDecide();
    } finally {
      this.busy = false;
    }
    this.scheduleNext();
  }

  /** After a run: again soon if something changed meanwhile, else at the poll interval. */
  private scheduleNext(): void {
    if (this.stopped || this.paused || this.cancelTimer !== null) return;
    const state = this.status.state;
    // An answer given at the fail-safe while the run that stopped was ending is run now.
    const answered = this.allowMassDeleteOnce || this.restoreDeletionsOnce;
    if ((state === 'failsafe' && !answered) || state === 'offline' || state === 'error') return;
    // Changes that keep coming must not hold off the poll: the next run is due at the poll
    // time at the latest.
    if (this.dirty) this.runSoon(this.nextListAt === null ? this.options.quietMs : Math.max(0, Math.min(this.options.quietMs, this.nextListAt - this.deps.clock.now())), this.nextListAt);
    else {
      const now = this.deps.clock.now();
      const due = this.nextListAt ?? now + this.options.pollIntervalMs;
      this.runSoon(Math.max(0, due - now), due);
    }
  }

  private async runAndDecide(): Promise<void> {
    this.dirty = false;
    this.pollDueAt = null;
    const controller = new AbortController();
    this.controller = controller;
    const progress = { actionsDone: 0, actionsTotal: 0, bytesDone: 0, bytesTotal: 0 };
    const transferred = new Map<string, number>();
    let doneBytes = 0;
    // Offline stays offline until the server answers: a retry looking for changes is not back.
    let reached = this.status.state !== 'offline';
    const pendingAtStart = this.waiting(null);
    this.update(reached ? { state: 'scanning', progress: null, retryAt: null, failSafe: null, pending: pendingAtStart } : { state: 'offline', progress: null, retryAt: null, failSafe: null, pending: pendingAtStart });
    const allowMassDelete = this.allowMassDeleteOnce;
    const restoreDeletions = this.restoreDeletionsOnce;
    this.allowMassDeleteOnce = false;
    this.restoreDeletionsOnce = false;
    // One lstat per run; only a replaced folder costs more.
    const folder = folderIdentity(this.deps.localRoot);
    if (folder !== this.watchedFolder) await this.rewatch(folder);
    const startedAt = this.deps.clock.now();
    // Without a working watcher, every run scans the whole folder.
    const fullScan =
      this.watcher === null ||
      this.tooManyChanges ||
      this.lastFullScanAt === null ||
      startedAt - this.lastFullScanAt >= this.options.fullScanIntervalMs;
    const listRemote = this.nextListAt === null || startedAt >= this.nextListAt;
    // The full walk of the server goes with the full local scan.
    const scope: RunScope = { localChanges: fullScan ? null : [...this.changedPaths], listRemote, reuseUnchangedFolders: !fullScan };
    const scopePaths = this.changedPaths;
    const scopeTooMany = this.tooManyChanges;
    this.changedPaths = new Set();
    this.tooManyChanges = false;
    /** Paths whose action failed because the connection went: they wait for the next attempt. */
    const connectionLost = new Set<string>();
    try {
      this.deps.folderLock?.ensure();
      const { report } = await this.deps.engine.runOnce({
        allowMassDelete,
        restoreDeletions,
        scope,
        signal: controller.signal,
        onEvent: (event) => {
          this.deps.onEvent?.(event);
          if (controller.signal.aborted) return;
          switch (event.type) {
            case 'phase':
              // Planning comes after the server was listed (or its last listing was used).
              if (!reached && (event.phase === 'planning' || event.phase === 'executing')) {
                reached = true;
                this.update({ state: 'scanning', problem: null });
              }
              return;
            case 'planned':
              progress.actionsTotal += event.actions;
              progress.bytesTotal += event.bytes;
              reached = true;
              this.leftOver = 0;
              if (event.actions > 0) this.update({ state: 'syncing', problem: null, progress: { ...progress }, pending: this.waiting(progress) });
              else if (this.status.state !== 'scanning' || this.status.pending !== this.waiting(progress)) this.update({ state: 'scanning', problem: null, pending: this.waiting(progress) });
              return;
            case 'transfer':
              transferred.set(event.path, event.bytes);
              progress.bytesDone = doneBytes + [...transferred.values()].reduce((sum, value) => sum + value, 0);
              this.update({ progress: { ...progress } });
              return;
            case 'action-failed':
            case 'action-done':
            case 'action-deferred':
              if (event.type === 'action-failed' && CONNECTION_LOST_CODES.has(event.code)) connectionLost.add(event.path);
              progress.actionsDone++;
              doneBytes += transferred.get(event.path) ?? 0;
              transferred.delete(event.path);
              this.update({ progress: { ...progress }, pending: this.waiting(progress) });
              return;
            default:
              return;
          }
        },
      });
      this.deps.onReport?.(report);
      const lost = report.errors.filter((failure) => CONNECTION_LOST_CODES.has(failure.code));
      for (const failure of lost) connectionLost.add(failure.path);
      if (connectionLost.size > 0) {
        // The connection went during the run: not in sync. The paths wait, and the retry
        // looks at everything again (the server listing and the whole local folder).
        for (const failed of connectionLost) this.remember(failed);
        this.lastFullScanAt = null;
        this.leftOver = 0;
        if (this.stopped || this.paused) return;
        const first = lost[0];
        this.update({ lastRun: lastRunSummary(report) });
        this.handleFailure(new TeraSyncError(first?.code ?? ErrorCode.Network, first?.message ?? 'The connection to TeraCLOUD was lost during the sync.'));
        return;
      }
      this.failures = 0;
      if (fullScan) this.lastFullScanAt = startedAt;
      if (listRemote) this.nextListAt = startedAt + this.options.pollIntervalMs;
      this.leftOver = report.deferred.length;
      if (this.stopped || this.paused) return;
      this.update({
        state: 'idle',
        progress: null,
        problem: null,
        retryAt: null,
        lastSyncAt: this.deps.clock.now(),
        lastRun: lastRunSummary(report),
        failSafe: null,
        pending: this.waiting(null),
      });
      if (report.deferred.length > 0) this.dirty = true;
    } catch (error) {
      const coded = toTeraSyncError(error);
      // The run did not finish: what it was to look at waits for the next one.
      for (const waiting of scopePaths) this.remember(waiting);
      if (scopeTooMany) this.tooManyChanges = true;
      if (fullScan) this.lastFullScanAt = null;
      if (this.stopped || this.paused || coded.code === ErrorCode.Cancelled) {
        if (!this.stopped) this.update({ pending: this.waiting(null) });
        return;
      }
      this.handleFailure(coded);
      return;
    } finally {
      if (this.controller === controller) this.controller = null;
    }
  }

  /** Keeps `path` for the next run (as the watcher would have reported it). */
  private remember(path: string): void {
    if (this.changedPaths.size < MAX_INCREMENTAL_CHANGES) this.changedPaths.add(path);
    else this.tooManyChanges = true;
  }

  private handleFailure(error: TeraSyncError): void {
    const problem = error.toInfo();
    if (problem.code === ErrorCode.FailSafeTriggered) {
      // Waits for the user: no timer, no requests, until allowMassDelete(), restoreDeletions()
      // or syncNow().
      this.update({ state: 'failsafe', progress: null, problem, retryAt: null, failSafe: error instanceof FailSafeError ? error.info : null });
      return;
    }
    // The retry lists the server again.
    this.nextListAt = null;
    const offline = OFFLINE_CODES.has(problem.code);
    // The backoff counts consecutive offline failures only.
    this.failures = offline ? this.failures + 1 : 0;
    const delay = offline
      ? Math.min(this.options.retryMaxMs, this.options.retryMinMs * 2 ** (this.failures - 1))
      : this.options.pollIntervalMs;
    this.deps.logger.warn(offline ? 'offline; retrying later' : 'sync failed; retrying later', { code: problem.code, delayMs: delay });
    this.update({
      state: offline ? 'offline' : 'error',
      progress: null,
      problem,
      retryAt: this.deps.clock.now() + delay,
      failSafe: null,
      pending: this.waiting(null),
    });
    this.clearTimer();
    this.cancelTimer = this.deps.scheduler.schedule(delay, () => {
      this.cancelTimer = null;
      this.running = this.run().finally(() => {
        this.running = null;
      });
    });
  }

  private update(change: Partial<SyncStatus>): void {
    this.status = { ...this.status, ...change };
    for (const listener of this.listeners) listener(this.status);
  }
}

/** `dev:ino` of the folder at `path`, or null when there is none. */
function folderIdentity(path: string): string | null {
  try {
    const stats = lstatSync(path);
    return stats.isDirectory() ? `${stats.dev}:${stats.ino}` : null;
  } catch {
    return null;
  }
}
