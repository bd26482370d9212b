import { describe, expect, it } from 'vitest';
import { countOf, createReporter, describeStatus, type Output } from '../../../../electron/cli/reporter.js';
import { freshSyncStatus } from '../../../../shared/appState.js';
import { formatBytes } from '../../../../shared/format.js';
import { emptyReport } from '../../../../electron/sync/report.js';
import { ErrorCode, TeraSyncError } from '../../../../shared/errors.js';

function capture(isTTY: boolean): Output & { text: string } {
  return {
    isTTY,
    text: '',
    write(chunk: string) {
      this.text += chunk;
      return true;
    },
  };
}

describe('the command reporter', () => {
  it('on a terminal draws a progress line with actions and bytes, and no per-action lines', () => {
    const stdout = capture(true);
    const stderr = capture(true);
    const reporter = createReporter({ stdout, stderr, json: false });
    reporter.onEvent({ type: 'planned', pass: 1, actions: 2, bytes: 3 * 1024 * 1024 });
    reporter.onEvent({ type: 'transfer', path: 'a.bin', bytes: 1024 * 1024, total: 2 * 1024 * 1024 });
    reporter.onEvent({ type: 'action-done', action: 'upload', path: 'a.bin' });
    expect(stderr.text).toContain('Syncing: 0/2 actions, 0 B of 3.0 MiB');
    expect(stdout.text).not.toContain('uploaded: a.bin');
    reporter.finish({ ...emptyReport(), uploaded: ['a.bin'] });
    expect(stdout.text).toContain('In sync: 1 uploaded, 0 downloaded, 0 deleted, 0 conflicts, 0 skipped.');
  });

  it('off a terminal prints one line per action', () => {
    const stdout = capture(false);
    const stderr = capture(false);
    const reporter = createReporter({ stdout, stderr, json: false });
    reporter.onEvent({ type: 'action-done', action: 'download', path: 'docs/b.txt' });
    reporter.onEvent({ type: 'action-failed', action: 'upload', path: 'c.txt', code: ErrorCode.LocalIo, message: 'cannot read' });
    expect(stdout.text).toBe('downloaded: docs/b.txt\n');
    expect(stderr.text).toBe('failed: c.txt: cannot read\n');
    expect(stderr.text).not.toContain('\r');
  });

  it('with --json keeps stdout for the one JSON object', () => {
    const stdout = capture(false);
    const stderr = capture(false);
    const reporter = createReporter({ stdout, stderr, json: true });
    reporter.onEvent({ type: 'action-done', action: 'upload', path: 'a.txt' });
    reporter.finish({ ...emptyReport(), uploaded: ['a.txt'], conflicts: [{ path: 'x.txt', copy: 'x (conflict).txt' }] });
    const parsed = JSON.parse(stdout.text) as Record<string, unknown>;
    expect(parsed.uploaded).toEqual(['a.txt']);
    expect(parsed.conflicts).toEqual([{ path: 'x.txt', copy: 'x (conflict).txt' }]);
    expect(stderr.text).toBe('uploaded: a.txt\n');
  });

  it('reports a fatal error as JSON and on stderr', () => {
    const stdout = capture(false);
    const stderr = capture(false);
    const reporter = createReporter({ stdout, stderr, json: true });
    reporter.fatal(new TeraSyncError(ErrorCode.FailSafeTriggered, 'would delete 15 of 20'));
    expect(JSON.parse(stdout.text)).toEqual({ error: { code: 'FailSafeTriggered', message: 'would delete 15 of 20' } });
    expect(stderr.text).toBe('terasync: would delete 15 of 20\n');
  });

  it('puts counts with their noun in the right number', () => {
    expect(countOf(0, 'conflict')).toBe('0 conflicts');
    expect(countOf(1, 'conflict')).toBe('1 conflict');
    expect(countOf(2, 'file')).toBe('2 files');
    expect(countOf(1, 'copy', 'copies')).toBe('1 copy');

    const one = capture(false);
    createReporter({ stdout: one, stderr: capture(false), json: false }).finish({ ...emptyReport(), uploaded: ['a'], conflicts: [{ path: 'x.txt', copy: 'x (conflict).txt' }] });
    expect(one.text).toContain('In sync: 1 uploaded, 0 downloaded, 0 deleted, 1 conflict, 0 skipped.');

    const terminal = capture(true);
    const reporter = createReporter({ stdout: capture(true), stderr: terminal, json: false });
    reporter.onEvent({ type: 'planned', pass: 1, actions: 1, bytes: 10 });
    expect(terminal.text).toContain('Syncing: 0/1 action, 0 B of 10 B');
    expect(terminal.text).not.toContain('actions');

    const syncing = { ...freshSyncStatus('syncing'), progress: { actionsDone: 0, actionsTotal: 1, bytesDone: 0, bytesTotal: 10 } };
    expect(describeStatus(syncing)).toBe('Syncing: 0/1 action, 0 B of 10 B');
    expect(describeStatus({ ...syncing, progress: { ...syncing.progress, actionsTotal: 2 } })).toBe('Syncing: 0/2 actions, 0 B of 10 B');
  });

  it('says on stderr, one line each, when the fail-safe stops a continuous run and when it clears', () => {
    for (const isTTY of [false, true]) {
      const stdout = capture(isTTY);
      const stderr = capture(isTTY);
      const reporter = createReporter({ stdout, stderr, json: false });
      reporter.failSafeStopped('The local folder /x is missing, but 3 files were synced into it.', 30_000);
      reporter.failSafeCleared();
      const lines = stderr.text.split('\r\x1b[2K').join('').split('\n');
      expect(lines).toEqual([
        'terasync: fail-safe: The local folder /x is missing, but 3 files were synced into it. Syncing waits, and looks again every 30 seconds; it goes on by itself once that is resolved.',
        'terasync: the fail-safe no longer holds: syncing again.',
        '',
      ]);
      expect(stdout.text).toBe('');
    }
    const stderr = capture(false);
    createReporter({ stdout: capture(false), stderr, json: false }).failSafeStopped('Stopped.', 1000);
    expect(stderr.text).toContain('looks again every 1 second;');
  });

  it('formats bytes in binary units', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(5 * 1024 ** 3)).toBe('5.0 GiB');
  });
});
