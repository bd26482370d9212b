/**
 * `terasync sync`: the composition root of a sync on the command line. It builds the same
 * services the app uses (the journal, the WebDAV store, the engine, and for the continuous
 * mode the folder watcher and the sync service) and runs them once (--once) or until Ctrl-C.
 */
import { hostname } from 'node:os';
import { ErrorCode, TeraSyncError, toTeraSyncError } from '../../../shared/errors.js';
import type { SyncStatus } from '../../../shared/types.js';
import { FolderBusyError, FolderLock } from '../../platform/folderLock.js';
import { watchFolders } from '../../platform/folderWatcher.js';
import { journalFile } from '../../platform/paths.js';
import { writeStatusFile } from '../../platform/statusFile.js';
import { systemTrash } from '../../platform/systemTrash.js';
import { SyncEngine } from '../../sync/engine.js';
import { Journal } from '../../sync/journal.js';
import { safeDeviceName } from '../../sync/names.js';
import { systemClock, systemScheduler } from '../../core/time.js';
import { lastRunSummary } from '../../sync/report.js';
import { SyncService } from '../../sync/SyncService.js';
import { WebDavRemoteStore, type WebDavAuth } from '../../webdav/WebDavRemoteStore.js';
import { accountService } from '../accountCommands.js';
import type { CommandContext } from '../context.js';
import { EXIT, exitCodeFor } from '../exitCodes.js';
import { encodeFolder, pairOptions, resolvePair } from '../pair.js';
import { createReporter, type Reporter } from '../reporter.js';

export async function run(context: CommandContext): Promise<number> {
  const options = pairOptions(context);
  if (typeof options === 'number') return options;
  const pair = await resolvePair(context, options);
  if (typeof pair === 'number') return pair;
  const { io, values } = context;
  const { localRoot, concurrency, limits, failSafePercent, deletedRetentionDays, pollSeconds, downloadStreams } = options;

  const reporter = createReporter({ stdout: io.stdout, stderr: io.stderr, json: values.json && values.once });
  // One sync per local folder, whatever its state folder: refused before anything is done.
  const lock = new FolderLock(localRoot, { program: 'terasync sync', warn: (message) => reporter.logger.warn(message), platform: io.platform });
  try {
    lock.ensure();
  } catch (error) {
    reporter.fatal(toTeraSyncError(error));
    return EXIT.busy;
  }

  let remoteUrl: string;
  let auth: WebDavAuth;
  if (pair.envAuth !== null) {
    remoteUrl = pair.pairRemote;
    auth = pair.envAuth;
  } else {
    try {
      const connection = await accountService(context.accountOptions).connect();
      remoteUrl = `${connection.rootUrl}${encodeFolder(pair.folder ?? '')}`;
      auth = connection.auth;
      if (connection.fallbackReason !== null) io.stderr.write(`terasync: note: ${connection.fallbackReason}\n`);
    } catch (error) {
      lock.release();
      const coded = toTeraSyncError(error);
      return context.fail(exitCodeFor(coded.code), coded.message);
    }
  }

  const device = safeDeviceName(values.device ?? io.env.TERASYNC_DEVICE ?? hostname());
  const saveStatus = (status: SyncStatus, running: boolean): void => {
    try {
      writeStatusFile(pair.statusPath, { pid: process.pid, running, updatedAt: systemClock.now(), localRoot, remoteUrl: pair.pairRemote, status });
    } catch (error) {
      reporter.logger.warn(`cannot write the status file ${pair.statusPath}: ${(error as Error).message}`);
    }
  };

  let remote: WebDavRemoteStore | undefined;
  let journal: Journal | undefined;
  const controller = new AbortController();
  const onSignal = (): void => controller.abort(new TeraSyncError(ErrorCode.Cancelled, 'Sync cancelled.'));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    remote = new WebDavRemoteStore({
      url: remoteUrl,
      auth,
      ca: context.ca,
      concurrency,
      bandwidth: { uploadKiBps: limits.up, downloadKiBps: limits.down },
      rangedDownloads: { streams: downloadStreams },
      // Retries and server quirks are worth a line: without it they were invisible.
      logger: reporter.logger,
    });
    try {
      journal = Journal.open(journalFile(context.stateDir, localRoot, pair.pairRemote));
    } catch (error) {
      // The same pair's journal in use: the folder could not carry the lock (missing, read-only).
      if (!isBusy(error)) throw error;
      reporter.fatal(toTeraSyncError(error));
      return EXIT.busy;
    }
    const engine = new SyncEngine({
      localRoot,
      remote,
      journal,
      trash: systemTrash,
      clock: systemClock,
      logger: reporter.logger,
      device,
      platform: io.platform,
      concurrency,
      failSafePercent,
      deletedRetentionDays,
    });
    if (!values.once) {
      return await runContinuously(engine, {
        localRoot,
        lock,
        pollIntervalMs: pollSeconds * 1000,
        allowMassDelete: values['allow-mass-delete'],
        reporter,
        saveStatus,
        stop: new Promise<void>((done) => controller.signal.addEventListener('abort', () => done(), { once: true })),
      });
    }
    const { report, planned } = await engine.runOnce({
      dryRun: values['dry-run'],
      allowMassDelete: values['allow-mass-delete'],
      signal: controller.signal,
      onEvent: reporter.onEvent,
    });
    if (values['dry-run']) {
      reporter.plan(planned, report.skipped);
      return EXIT.ok;
    }
    reporter.finish(report);
    saveStatus(
      {
        state: 'idle',
        lastSyncAt: systemClock.now(),
        progress: null,
        problem: null,
        retryAt: null,
        watcherFallback: false,
        lastRun: lastRunSummary(report),
        failSafe: null,
        pending: report.deferred.length,
      },
      false,
    );
    return report.errors.length > 0 ? EXIT.partial : EXIT.ok;
  } catch (error) {
    const coded = toTeraSyncError(error);
    reporter.fatal(coded);
    if (values.once && !values['dry-run']) {
      saveStatus(
        {
          state: coded.code === ErrorCode.FailSafeTriggered ? 'failsafe' : 'error',
          lastSyncAt: null,
          progress: null,
          problem: coded.toInfo(),
          retryAt: null,
          watcherFallback: false,
          lastRun: null,
          failSafe: null,
          pending: 0,
        },
        false,
      );
    }
    return exitCodeFor(coded.code);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    journal?.close();
    lock.release();
    await remote?.dispose();
  }
}

/** A run refused because another holds the folder's lock or the pair's journal. */
function isBusy(error: unknown): boolean {
  if (error instanceof FolderBusyError) return true;
  const cause = error instanceof Error ? error.cause : undefined;
  const code = typeof cause === 'object' && cause !== null && 'code' in cause ? String(cause.code) : '';
  return code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED');
}

interface ContinuousOptions {
  localRoot: string;
  /** The folder's lock, held already (or not while the folder is missing): the service keeps it. */
  lock: FolderLock;
  pollIntervalMs: number;
  allowMassDelete: boolean;
  reporter: Reporter;
  saveStatus: (status: SyncStatus, running: boolean) => void;
  stop: Promise<void>;
}

/** What --allow-mass-delete goes ahead with; a missing folder or a server folder gone stays a stop. */
const ALLOWED_BY_FLAG: ReadonlySet<string> = new Set(['massDelete', 'localEmpty']);

/**
 * Syncs until asked to stop; the status goes to the terminal and to the status file. A
 * fail-safe stop is said once on stderr (and once when it clears); nobody can answer it here,
 * so the run looks again at the poll interval: a drive mounted again, or the files back,
 * and it goes on by itself.
 */
async function runContinuously(engine: SyncEngine, options: ContinuousOptions): Promise<number> {
  const { reporter } = options;
  const service = new SyncService({
    localRoot: options.localRoot,
    engine,
    watch: watchFolders,
    clock: systemClock,
    scheduler: systemScheduler,
    logger: reporter.logger,
    options: { pollIntervalMs: options.pollIntervalMs },
    onEvent: reporter.onEvent,
    folderLock: options.lock,
  });
  let lastWrite = 0;
  let lastState = '';
  service.onDidChangeStatus((status) => {
    reporter.status(status);
    // Progress changes many times a second; the file is for humans and scripts.
    const now = systemClock.now();
    if (status.state !== lastState || now - lastWrite > 1000) {
      lastState = status.state;
      lastWrite = now;
      options.saveStatus(status, true);
    }
  });
  let stoppedAtFailSafe = false;
  const recheck: { cancel: (() => void) | null } = { cancel: null };
  service.onDidChangeStatus((status) => {
    if (status.state === 'failsafe') {
      if (options.allowMassDelete && ALLOWED_BY_FLAG.has(status.failSafe?.reason ?? '')) {
        service.allowMassDelete();
        return;
      }
      if (!stoppedAtFailSafe) reporter.failSafeStopped(status.problem?.message ?? 'the fail-safe stopped the sync', options.pollIntervalMs);
      stoppedAtFailSafe = true;
      recheck.cancel?.();
      recheck.cancel = systemScheduler.schedule(options.pollIntervalMs, () => {
        recheck.cancel = null;
        service.syncNow();
      });
    } else if (stoppedAtFailSafe && (status.state === 'syncing' || status.state === 'idle')) {
      stoppedAtFailSafe = false;
      reporter.failSafeCleared();
    }
  });
  await service.start();
  await options.stop;
  recheck.cancel?.();
  const final = service.getStatus();
  await service.stop();
  options.saveStatus({ ...final, state: 'stopped', progress: null }, false);
  reporter.stopped();
  return EXIT.ok;
}
