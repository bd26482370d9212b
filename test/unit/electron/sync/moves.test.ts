/**
 * The move rules M1-M5 (electron/sync/moves.ts), through the planner.
 */
import { describe, expect, it } from 'vitest';
import { countFileDeletions } from '../../../../electron/sync/planner.js';
import { journalDir, journalFile, LOCAL_CTIME, localDir, localFile, planFor, remoteDir, remoteFile, summary } from './fixtures.js';

describe('moves', () => {
  it('M1: a file renamed locally (same inode) is moved on the server', () => {
    const result = planFor({
      journal: [journalFile('a.txt', { localIno: 77 })],
      local: [localFile('b.txt', { ino: 77 })],
      remote: [remoteFile('a.txt')],
    });
    expect(summary(result.actions)).toEqual(['moveRemote b.txt M1']);
    expect(countFileDeletions(result.actions)).toBe(0);
    expect(result.needsAnotherPass).toBe(false);
  });

  it('M1: a moved file that also changed is moved now and uploaded next pass', () => {
    const result = planFor({
      journal: [journalFile('a.txt', { localIno: 77 })],
      local: [localFile('b.txt', { ino: 77, size: 999 })],
      remote: [remoteFile('a.txt')],
    });
    expect(summary(result.actions)).toEqual(['moveRemote b.txt M1']);
    expect(result.needsAnotherPass).toBe(true);
  });

  it('M1 does not apply when the server copy changed: both versions survive by the R-rules', () => {
    const result = planFor({
      journal: [journalFile('a.txt', { localIno: 77 })],
      local: [localFile('b.txt', { ino: 77 })],
      remote: [remoteFile('a.txt', { etag: '"v2"' })],
    });
    expect(summary(result.actions).sort()).toEqual(['download a.txt R14', 'upload b.txt R1']);
  });

  it('M1 does not apply when the inode is ambiguous or the target is taken on the server', () => {
    const twice = planFor({
      journal: [journalFile('a.txt', { localIno: 77 }), journalFile('c.txt', { localIno: 77 })],
      local: [localFile('b.txt', { ino: 77 })],
      remote: [remoteFile('a.txt'), remoteFile('c.txt')],
    });
    expect(twice.actions.some((a) => a.kind === 'moveRemote')).toBe(false);
    const taken = planFor({
      journal: [journalFile('a.txt', { localIno: 77 })],
      local: [localFile('b.txt', { ino: 77 })],
      remote: [remoteFile('a.txt'), remoteFile('b.txt', { etag: '"other"' })],
    });
    expect(taken.actions.some((a) => a.kind === 'moveRemote')).toBe(false);
  });

  it('M1 does not apply when a synced file still in place holds the inode too (a new hard link to it)', () => {
    const result = planFor({
      journal: [journalFile('a.txt', { localIno: 77 }), journalFile('c.txt', { localIno: 77 }), journalFile('d.txt')],
      local: [localFile('b.txt', { ino: 77 }), localFile('c.txt', { ino: 77 }), localFile('d.txt')],
      remote: [remoteFile('a.txt'), remoteFile('c.txt'), remoteFile('d.txt')],
    });
    expect(summary(result.actions)).toEqual(['deleteRemote a.txt R12', 'upload b.txt R1']);
  });

  it('M1 does not apply to a new file made after the synced one last changed (a freed inode handed out again)', () => {
    const result = planFor({
      journal: [journalFile('a.txt', { localIno: 77 })],
      local: [localFile('b.txt', { ino: 77, size: 999, birthtimeMs: LOCAL_CTIME + 5_000 })],
      remote: [remoteFile('a.txt')],
    });
    // a.txt was deleted (its last version to the server's trash) and b.txt is new.
    expect(summary(result.actions).sort()).toEqual(['deleteRemote a.txt R12', 'upload b.txt R1']);
    // Made before (a file keeps its birth time when moved): still a move.
    const moved = planFor({
      journal: [journalFile('a.txt', { localIno: 77 })],
      local: [localFile('b.txt', { ino: 77, size: 999, birthtimeMs: LOCAL_CTIME - 5_000 })],
      remote: [remoteFile('a.txt')],
    });
    expect(summary(moved.actions)).toEqual(['moveRemote b.txt M1']);
  });

  it('M5: a move that reached the server but not the journal is recorded, with no request; a change is sent next pass', () => {
    const result = planFor({
      journal: [journalFile('a.txt', { localIno: 77 })],
      local: [localFile('b.txt', { ino: 77, size: 999 })],
      remote: [remoteFile('b.txt')],
    });
    expect(summary(result.actions)).toEqual(['moveRemote b.txt M5']);
    expect(result.actions[0]).toMatchObject({ doneOnServer: true });
    expect(result.needsAnotherPass).toBe(true);
    expect(countFileDeletions(result.actions)).toBe(0);
    // Unchanged: nothing else to do.
    const same = planFor({
      journal: [journalFile('a.txt', { localIno: 77 })],
      local: [localFile('b.txt', { ino: 77 })],
      remote: [remoteFile('b.txt')],
    });
    expect(summary(same.actions)).toEqual(['moveRemote b.txt M5']);
    expect(same.needsAnotherPass).toBe(false);
  });

  it('M5 does not apply when the server file at the new path is another version: both kept by the R-rules', () => {
    const result = planFor({
      journal: [journalFile('a.txt', { localIno: 77 })],
      local: [localFile('b.txt', { ino: 77, size: 999 })],
      remote: [remoteFile('b.txt', { etag: '"other"' })],
    });
    expect(result.actions.some((a) => a.kind === 'moveRemote')).toBe(false);
    expect(summary(result.actions)).toContain('conflict b.txt R3');
  });

  it('M2: a file renamed on the server (same ETag and size) is renamed locally', () => {
    const result = planFor({
      journal: [journalFile('a.txt')],
      local: [localFile('a.txt')],
      remote: [remoteFile('b.txt')],
    });
    expect(summary(result.actions)).toEqual(['moveLocal b.txt M2']);
    expect(countFileDeletions(result.actions)).toBe(0);
  });

  it('M2: two synced files sharing an ETag (written in the same clock tick): the one gone from the server is the one that moved', () => {
    // Apache's ETag is size and mtime; two uploads finished in one tick of the server's clock
    // share it. Only an entry whose path left the server can be the source of a server move.
    const result = planFor({
      journal: [journalFile('notes/a.txt'), journalFile('notes/b.txt')],
      local: [localFile('notes/a.txt'), localFile('notes/b.txt')],
      remote: [remoteFile('notes/a.txt'), remoteFile('notes/B.txt')],
    });
    expect(summary(result.actions)).toEqual(['moveLocal notes/B.txt M2']);
    expect(countFileDeletions(result.actions)).toBe(0);
  });

  it('M2 does not apply when two entries gone from the server share the ETag of the new name', () => {
    const result = planFor({
      journal: [journalFile('a.txt'), journalFile('b.txt')],
      local: [localFile('a.txt'), localFile('b.txt')],
      remote: [remoteFile('c.txt')],
    });
    expect(result.actions.some((a) => a.kind === 'moveLocal')).toBe(false);
  });

  it('M2 does not apply when the local copy changed: the change is uploaded and the new name downloaded', () => {
    const result = planFor({
      journal: [journalFile('a.txt')],
      local: [localFile('a.txt', { size: 5 })],
      remote: [remoteFile('b.txt')],
    });
    expect(summary(result.actions).sort()).toEqual(['download b.txt R2', 'upload a.txt R15']);
  });

  it('M3: a folder moved locally is one server move; what is inside moves with it', () => {
    const result = planFor({
      journal: [journalDir('photos'), journalFile('photos/1.jpg', { localIno: 11 }), journalFile('photos/2.jpg', { localIno: 12 })].map((entry, index) =>
        index === 0 ? { ...entry, localIno: 10 } : entry,
      ),
      local: [localDir('archive', { ino: 20 }), localDir('archive/photos', { ino: 10 }), localFile('archive/photos/1.jpg', { ino: 11 }), localFile('archive/photos/2.jpg', { ino: 12 })],
      remote: [remoteDir('photos'), remoteFile('photos/1.jpg', { etag: '"e1"' }), remoteFile('photos/2.jpg', { etag: '"e2"' })],
    });
    expect(summary(result.actions)).toEqual(['moveRemote archive/photos M3', 'createRemoteFolder archive R4']);
    expect(result.needsAnotherPass).toBe(true);
  });

  it('M4: a folder moved on the server is one local rename when every synced file is there unchanged', () => {
    const journal = [
      { ...journalDir('docs'), localIno: 30 },
      journalFile('docs/a.txt', { localIno: 31, remoteEtag: '"ea"' }),
      journalFile('docs/sub/b.txt', { localIno: 32, remoteEtag: '"eb"' }),
      { ...journalDir('docs/sub'), localIno: 33 },
    ];
    const result = planFor({
      journal,
      local: [localDir('docs', { ino: 30 }), localFile('docs/a.txt', { ino: 31 }), localDir('docs/sub', { ino: 33 }), localFile('docs/sub/b.txt', { ino: 32 })],
      remote: [remoteDir('documents'), remoteFile('documents/a.txt', { etag: '"ea"' }), remoteDir('documents/sub'), remoteFile('documents/sub/b.txt', { etag: '"eb"' })],
    });
    expect(summary(result.actions)).toEqual(['moveLocal documents M4']);
  });

  it('M4 does not apply when a file inside changed on the server', () => {
    const result = planFor({
      journal: [{ ...journalDir('docs'), localIno: 30 }, journalFile('docs/a.txt', { localIno: 31, remoteEtag: '"ea"' }), journalFile('docs/b.txt', { localIno: 32, remoteEtag: '"eb"' })],
      local: [localDir('docs', { ino: 30 }), localFile('docs/a.txt', { ino: 31 }), localFile('docs/b.txt', { ino: 32 })],
      remote: [remoteDir('documents'), remoteFile('documents/a.txt', { etag: '"ea"' }), remoteFile('documents/b.txt', { etag: '"changed"' })],
    });
    expect(result.actions.some((a) => a.kind === 'moveLocal' && a.rule === 'M4')).toBe(false);
  });

  it('moves run in dependency order: inverting a/b into b/a moves a/b first', () => {
    const result = planFor({
      journal: [{ ...journalDir('a'), localIno: 1 }, { ...journalDir('a/b'), localIno: 2 }],
      local: [localDir('b', { ino: 2 }), localDir('b/a', { ino: 1 })],
      remote: [remoteDir('a'), remoteDir('a/b')],
    });
    expect(summary(result.actions)).toEqual(['moveRemote b M3', 'moveRemote b/a M3']);
  });
});
