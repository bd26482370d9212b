/**
 * What the command prints. On a terminal: a progress line (files and bytes) that rewrites
 * itself. Off a terminal: one line per action. With --json: stdout holds only the final JSON
 * object, and the per-action lines go to stderr.
 */
import type { TeraSyncError } from '../../shared/errors.js';
import type { SyncStatus } from '../../shared/types.js';
import type { SkippedEntry } from '../sync/model.js';
import type { Action } from '../sync/planner.js';
import type { Logger } from '../core/logger.js';
import { systemClock } from '../core/time.js';
import type { SyncEvent, SyncReport } from '../sync/report.js';
import { countOf, formatBytes } from '../../shared/format.js';

export interface Output {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface Reporter {
  logger: Logger;
  onEvent(event: SyncEvent): void;
  plan(actions: readonly Action[], skipped: readonly SkippedEntry[]): void;
  finish(report: SyncReport): void;
  fatal(error: TeraSyncError): void;
  /** Continuous mode: the engine's status changed. */
  status(status: SyncStatus): void;
  /** Continuous mode: stopped on request. */
  stopped(): void;
  /** Continuous mode: a fail-safe stopped the sync (said once; it is looked at again every `recheckMs`). */
  failSafeStopped(message: string, recheckMs: number): void;
  /** Continuous mode: the fail-safe that stopped the sync no longer holds. */
  failSafeCleared(): void;
}

export { countOf };

/** The status in words, as the tray's tooltip and `terasync status` say it. */
export function describeStatus(status: SyncStatus): string {
  switch (status.state) {
    case 'idle':
      return status.lastSyncAt === null ? 'Waiting for the first sync' : 'In sync';
    case 'scanning':
      return 'Looking for changes';
    case 'syncing': {
      const p = status.progress;
      return p ? `Syncing: ${p.actionsDone}/${countOf(p.actionsTotal, 'action')}, ${formatBytes(p.bytesDone)} of ${formatBytes(p.bytesTotal)}` : 'Syncing';
    }
    case 'paused':
      return 'Paused';
    case 'offline':
      return `Offline: ${status.problem?.message ?? 'the server does not answer'}${status.retryAt ? ` (trying again at ${new Date(status.retryAt).toLocaleTimeString()})` : ''}`;
    case 'error':
      return `Error: ${status.problem?.message ?? 'unknown'}`;
    case 'failsafe':
      return `Stopped before deleting: ${status.problem?.message ?? ''}`;
    case 'stopped':
      return 'Stopped';
  }
}

const VERBS: Record<string, string> = {
  upload: 'uploaded',
  download: 'downloaded',
  deleteLocal: 'deleted locally (moved to trash)',
  deleteRemote: 'deleted on the server',
  createLocalFolder: 'created local folder',
  createRemoteFolder: 'created server folder',
  conflict: 'compared both versions',
  renameLocalAside: 'kept as conflict copy',
  renameRemoteAside: 'renamed on the server (case conflict)',
  moveRemote: 'moved on the server',
  moveLocal: 'moved locally',
};


export function createReporter(options: { stdout: Output; stderr: Output; json: boolean }): Reporter {
  const { stdout, stderr, json } = options;
  const interactive = Boolean(stderr.isTTY) && !json;
  const lines: Output = json ? stderr : stdout;
  let totalActions = 0;
  let doneActions = 0;
  let totalBytes = 0;
  const transferred = new Map<string, number>();
  let lastDraw = 0;
  let lastStatusLine = '';

  const draw = (force = false): void => {
    if (!interactive) return;
    const now = systemClock.now();
    if (!force && now - lastDraw < 100) return;
    lastDraw = now;
    let bytes = 0;
    for (const value of transferred.values()) bytes += value;
    stderr.write(`\r\x1b[2KSyncing: ${doneActions}/${countOf(totalActions, 'action')}, ${formatBytes(bytes)} of ${formatBytes(totalBytes)}`);
  };
  const clearLine = (): void => {
    if (interactive) stderr.write('\r\x1b[2K');
  };

  const log = (level: string) => (message: string, fields?: Record<string, unknown>): void => {
    if (level === 'debug' || level === 'info') return;
    clearLine();
    stderr.write(`terasync: ${level}: ${message}${fields ? ` ${JSON.stringify(fields)}` : ''}\n`);
  };

  return {
    logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
    onEvent(event) {
      switch (event.type) {
        case 'planned':
          totalActions += event.actions;
          totalBytes += event.bytes;
          draw(true);
          return;
        case 'transfer':
          transferred.set(event.path, event.bytes);
          draw();
          return;
        case 'action-done': {
          doneActions++;
          const verb = VERBS[event.action];
          if (!interactive && verb) lines.write(`${verb}: ${event.path}\n`);
          draw();
          return;
        }
        case 'action-deferred':
          doneActions++;
          if (!interactive) lines.write(`left for next run: ${event.path} (${event.message})\n`);
          return;
        case 'action-failed':
          doneActions++;
          clearLine();
          stderr.write(`failed: ${event.path}: ${event.message}\n`);
          draw(true);
          return;
        default:
          return;
      }
    },
    plan(actions, skipped) {
      if (json) {
        stdout.write(
          `${JSON.stringify({ dryRun: true, actions: actions.map((a) => ({ action: a.kind, path: a.path, rule: a.rule })), skipped }, null, 2)}\n`,
        );
        return;
      }
      if (actions.length === 0) stdout.write('Nothing to do: both sides are in sync.\n');
      for (const action of actions) stdout.write(`would ${action.kind}: ${action.path} (${action.rule})\n`);
      for (const entry of skipped) stdout.write(`skipped (${entry.reason}): ${entry.path}: ${entry.message}\n`);
    },
    finish(report) {
      clearLine();
      if (json) {
        stdout.write(
          `${JSON.stringify(
            {
              uploaded: report.uploaded,
              downloaded: report.downloaded,
              deletedLocal: report.deletedLocal,
              deletedRemote: report.deletedRemote,
              createdLocalFolders: report.createdLocalFolders,
              createdRemoteFolders: report.createdRemoteFolders,
              conflicts: report.conflicts,
              renamedRemote: report.renamedRemote,
              moved: report.moved,
              skipped: report.skipped,
              deferred: report.deferred,
              errors: report.errors,
              deletedToTrash: report.deletedToTrash,
            },
            null,
            2,
          )}\n`,
        );
        return;
      }
      for (const entry of report.skipped) stdout.write(`skipped (${entry.reason}): ${entry.path}: ${entry.message}\n`);
      for (const conflict of report.conflicts) stdout.write(`conflict: ${conflict.path}: your version was kept as ${conflict.copy}\n`);
      const parts = [
        `${report.uploaded.length} uploaded`,
        `${report.downloaded.length} downloaded`,
        `${report.deletedLocal.length + report.deletedRemote.length} deleted`,
        countOf(report.conflicts.length, 'conflict'),
        `${report.skipped.length} skipped`,
      ];
      if (report.deletedToTrash !== null) {
        const { runId, count, bytes } = report.deletedToTrash;
        stdout.write(
          `Deleted on the server: ${countOf(count, 'file')} (${formatBytes(bytes)}) kept in the pair's trash, run ${runId}. ` +
            `Get them back with "terasync deleted restore --run ${runId}".\n`,
        );
      }
      if (report.errors.length > 0) {
        stdout.write(`Finished with ${report.errors.length} failed: ${parts.join(', ')}.\n`);
        for (const error of report.errors) stdout.write(`  ${error.path}: ${error.code}: ${error.message}\n`);
      } else {
        stdout.write(`In sync: ${parts.join(', ')}.\n`);
      }
    },
    status(status) {
      const text = describeStatus(status);
      if (interactive) {
        stderr.write(`\r\x1b[2K${text}${status.watcherFallback ? ' (watching by periodic scans)' : ''}`);
        return;
      }
      // Progress is for a terminal; 'stopped' is said by stopped().
      if (status.state === 'syncing' || status.state === 'scanning' || status.state === 'stopped') return;
      if (text === lastStatusLine) return;
      lastStatusLine = text;
      lines.write(`${text}${status.watcherFallback ? ' (the folder watcher failed: changes are found by periodic full scans)' : ''}\n`);
    },
    stopped() {
      clearLine();
      lines.write('Stopped.\n');
    },
    failSafeStopped(message, recheckMs) {
      clearLine();
      const every = recheckMs % 1000 === 0 ? countOf(recheckMs / 1000, 'second') : `${recheckMs / 1000} seconds`;
      stderr.write(`terasync: fail-safe: ${message} Syncing waits, and looks again every ${every}; it goes on by itself once that is resolved.\n`);
    },
    failSafeCleared() {
      clearLine();
      stderr.write('terasync: the fail-safe no longer holds: syncing again.\n');
    },
    fatal(error) {
      clearLine();
      if (json) stdout.write(`${JSON.stringify({ error: { code: error.code, message: error.message } }, null, 2)}\n`);
      stderr.write(`terasync: ${error.message}\n`);
    },
  };
}
