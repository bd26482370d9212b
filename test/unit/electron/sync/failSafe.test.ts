/**
 * What a fail-safe stop tells of the deletions it prevented: each planned deletion with its
 * side, at most maxListedDeletions of them, and the number of files in all.
 */
import { describe, expect, it } from 'vitest';
import { ErrorCode, TeraSyncError, toTeraSyncError } from '../../../../shared/errors.js';
import { maxListedDeletions } from '../../../../shared/ipc/contract.js';
import { FailSafeError, journalDeletionInfo, massDeleteInfo } from '../../../../electron/sync/failSafe.js';
import type { Action } from '../../../../electron/sync/planner.js';
import { journalDir, journalFile, localDir, localFile, remoteDir, remoteFile } from './fixtures.js';

describe('massDeleteInfo', () => {
  it('lists deletions on the server and here, folders included, and counts the files', () => {
    const actions: Action[] = [
      { kind: 'deleteRemote', path: 'gone-here', rule: 'R18', remote: remoteDir('gone-here'), type: 'dir' },
      { kind: 'deleteRemote', path: 'gone-here/a.txt', rule: 'R12', remote: remoteFile('gone-here/a.txt'), type: 'file' },
      { kind: 'upload', path: 'new.txt', rule: 'R1', local: localFile('new.txt'), remote: null, journal: null },
      { kind: 'deleteLocal', path: 'gone-there.txt', rule: 'R13', local: localFile('gone-there.txt'), type: 'file' },
      { kind: 'deleteLocal', path: 'old-folder', rule: 'R19', local: localDir('old-folder'), type: 'dir' },
    ];
    expect(massDeleteInfo(actions)).toEqual({
      reason: 'massDelete',
      deletions: [
        { path: 'gone-here', type: 'dir', side: 'remote' },
        { path: 'gone-here/a.txt', type: 'file', side: 'remote' },
        { path: 'gone-there.txt', type: 'file', side: 'local' },
        { path: 'old-folder', type: 'dir', side: 'local' },
      ],
      total: 2,
    });
  });

  it('lists at most maxListedDeletions and counts them all', () => {
    const count = maxListedDeletions + 7;
    const actions: Action[] = Array.from({ length: count }, (_, i) => ({
      kind: 'deleteRemote',
      path: `f${i}.txt`,
      rule: 'R12',
      remote: remoteFile(`f${i}.txt`),
      type: 'file',
    }));
    const info = massDeleteInfo(actions);
    expect(info.total).toBe(count);
    expect(info.deletions).toHaveLength(maxListedDeletions);
    expect(info.deletions[0]).toEqual({ path: 'f0.txt', type: 'file', side: 'remote' });
  });
});

describe('journalDeletionInfo', () => {
  it('lists what the journal remembers, by path, on the side given; the total counts files only', () => {
    const entries = [journalFile('b/two.txt'), journalDir('b'), journalFile('a.txt'), journalDir('empty')];
    expect(journalDeletionInfo('remoteGone', entries, 'local')).toEqual({
      reason: 'remoteGone',
      deletions: [
        { path: 'a.txt', type: 'file', side: 'local' },
        { path: 'b', type: 'dir', side: 'local' },
        { path: 'b/two.txt', type: 'file', side: 'local' },
        { path: 'empty', type: 'dir', side: 'local' },
      ],
      total: 2,
    });
  });

  it('lists at most maxListedDeletions and counts them all', () => {
    const entries = Array.from({ length: maxListedDeletions + 1 }, (_, i) => journalFile(`f${String(i).padStart(5, '0')}`));
    const info = journalDeletionInfo('localEmpty', entries, 'remote');
    expect(info.deletions).toHaveLength(maxListedDeletions);
    expect(info.total).toBe(maxListedDeletions + 1);
  });
});

describe('FailSafeError', () => {
  it('is a TeraSyncError with the fail-safe code, its message and its details', () => {
    const info = journalDeletionInfo('localMissing', [journalFile('a.txt')], 'remote');
    const error = new FailSafeError(info, 'The local folder is missing.');
    expect(error).toBeInstanceOf(TeraSyncError);
    expect(error.code).toBe(ErrorCode.FailSafeTriggered);
    expect(error.toInfo()).toEqual({ code: ErrorCode.FailSafeTriggered, message: 'The local folder is missing.' });
    expect(error.info).toBe(info);
    expect(toTeraSyncError(error)).toBe(error);
  });
});
