/**
 * Names in the backup area: version folder stamps (format, strict parse, a free one per run),
 * which versions the retention prunes on a fake clock, device names, source names, restore
 * conflict names, and the retention option.
 */
import { describe, expect, it } from 'vitest';
import {
  backupDeviceName,
  formatVersionStamp,
  freeVersionStamp,
  parseRetentionDays,
  parseVersionStamp,
  pathNameProblem,
  restoreConflictName,
  sourceNameProblem,
  versionsToPrune,
} from '../../../../electron/backup/backupNames.js';
import { ErrorCode } from '../../../../shared/errors.js';
import { FakeClock } from '../../../support/fakeClock.js';

const DAY = 86_400_000;

describe('version stamps', () => {
  it('are UTC to the second, and read back', () => {
    const at = Date.UTC(2025, 0, 31, 23, 59, 58, 999);
    expect(formatVersionStamp(at)).toBe('2025-01-31T235958Z');
    expect(parseVersionStamp('2025-01-31T235958Z')).toBe(Date.UTC(2025, 0, 31, 23, 59, 58));
    expect(formatVersionStamp(Date.UTC(2026, 10, 5, 7, 3, 9))).toBe('2026-11-05T070309Z');
  });

  it('refuse names that are not stamps we wrote', () => {
    for (const name of ['2025-02-30T000000Z', '2025-13-01T000000Z', '2025-01-01T246000Z', '2025-01-01T000000', '2025-01-01 000000Z', 'latest', '', '2025-01-01T000000Z-1']) {
      expect(parseVersionStamp(name), name).toBeNull();
    }
  });

  it('take the next free second when a run in the same second used the stamp', () => {
    const now = Date.UTC(2025, 5, 1, 10, 0, 0);
    expect(freeVersionStamp(now, new Set())).toBe('2025-06-01T100000Z');
    expect(freeVersionStamp(now, new Set(['2025-06-01T100000Z', '2025-06-01T100001Z']))).toBe('2025-06-01T100002Z');
  });
});

describe('retention', () => {
  it('prunes the versions older than the retention as the clock moves on, and nothing else', async () => {
    const clock = new FakeClock(Date.UTC(2025, 0, 1));
    const first = formatVersionStamp(clock.now());
    await clock.advance(10 * DAY);
    const second = formatVersionStamp(clock.now());
    const names = [first, second, 'notes', '2025-02-30T000000Z'];
    await clock.advance(20 * DAY);
    // Exactly 30 days after the first: not older than the retention yet.
    expect(versionsToPrune(names, clock.now(), 30)).toEqual([]);
    await clock.advance(1000);
    expect(versionsToPrune(names, clock.now(), 30)).toEqual([first]);
    await clock.advance(10 * DAY);
    expect(versionsToPrune(names, clock.now(), 30)).toEqual([first, second]);
    expect(versionsToPrune(names, clock.now(), 7)).toEqual([first, second]);
    expect(versionsToPrune(names, clock.now(), 0)).toEqual([]);
  });

  it('reads --retention-days: whole days, 0 keeps all, 30 by default', () => {
    expect(parseRetentionDays(undefined)).toBe(30);
    expect(parseRetentionDays('0')).toBe(0);
    expect(parseRetentionDays('90')).toBe(90);
    for (const bad of ['-1', '1.5', 'abc', '']) {
      expect(() => parseRetentionDays(bad), bad).toThrow(expect.objectContaining({ code: ErrorCode.InvalidRequest }));
    }
  });
});

describe('device names', () => {
  it('are the computer name made safe for a path, never hidden, never empty', () => {
    expect(backupDeviceName('laptop')).toBe('laptop');
    expect(backupDeviceName("Alice's MacBook Pro")).toBe("Alice's-MacBook-Pro");
    expect(backupDeviceName('work/pc:1')).toBe('workpc1');
    expect(backupDeviceName('.hidden')).toBe('hidden');
    expect(backupDeviceName('..')).toBe('device');
    expect(backupDeviceName('   ')).toBe('device');
    expect(backupDeviceName('x'.repeat(80))).toHaveLength(40);
  });
});

describe('source and path names', () => {
  it('refuses sources the backup area cannot hold apart', () => {
    expect(sourceNameProblem('Documents')).toBeNull();
    expect(sourceNameProblem('.versions')).toMatch(/versions are kept/);
    expect(sourceNameProblem('')).toMatch(/named folder/);
    expect(sourceNameProblem('a\\b')).toMatch(/cannot hold/);
  });

  it('finds the segment of a path the server cannot hold', () => {
    expect(pathNameProblem('a/b c/ü.txt')).toBeNull();
    expect(pathNameProblem('a/back\\slash.txt')).toMatch(/cannot hold/);
  });
});

describe('restore conflict names', () => {
  it('keep the extension, and count up when the name is taken', () => {
    const at = new Date(2026, 10, 28, 10, 15, 0);
    expect(restoreConflictName('Report.pdf', true, at)).toBe('Report (restore conflict 2026-11-28 101500).pdf');
    expect(restoreConflictName('Report.pdf', true, at, 1)).toBe('Report (restore conflict 2026-11-28 101500 2).pdf');
    expect(restoreConflictName('.bashrc', true, at)).toBe('.bashrc (restore conflict 2026-11-28 101500)');
    expect(restoreConflictName('photos.2024', false, at)).toBe('photos.2024 (restore conflict 2026-11-28 101500)');
  });
});
