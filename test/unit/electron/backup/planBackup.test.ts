/**
 * The backup planner's decision table (the header of electron/backup/planBackup.ts): one test
 * per row, plus what is never planned twice (everything below a folder versioned as a whole).
 */
import { describe, expect, it } from 'vitest';
import type { BackupRecord } from '../../../../electron/backup/BackupJournal.js';
import { planBackup, type BackupAction, type PlanInput } from '../../../../electron/backup/planBackup.js';
import type { RemoteItem } from '../../../../electron/backup/remoteTree.js';
import type { LocalEntry } from '../../../../electron/sync/model.js';

function local(path: string, overrides: Partial<LocalEntry> = {}): LocalEntry {
  return { path, localPath: path, type: 'file', size: 10, mtimeMs: 1000, ctimeMs: 1000, ino: 1, ...overrides };
}
function folder(path: string): LocalEntry {
  return local(path, { type: 'dir', size: 0 });
}
function remote(path: string, overrides: Partial<RemoteItem> = {}): RemoteItem {
  return { path, remotePath: `dev/Docs/${path}`, type: 'file', size: 10, mtimeMs: 5000, etag: '"e1"', ...overrides };
}
function remoteFolder(path: string): RemoteItem {
  return remote(path, { type: 'dir', size: 0, etag: null });
}
function record(path: string, overrides: Partial<BackupRecord> = {}): BackupRecord {
  return { source: 'Docs', path, size: 10, mtimeMs: 1000, ctimeMs: 1000, ino: 1, sha256: 'aa', remoteEtag: '"e1"', remoteSize: 10, backedUpAt: 1, ...overrides };
}

function plan(input: { local?: LocalEntry[]; remote?: RemoteItem[]; journal?: BackupRecord[]; skipped?: string[] }): Array<[string, string, string]> {
  const built: PlanInput = {
    local: new Map((input.local ?? []).map((entry) => [entry.path, entry])),
    remote: new Map((input.remote ?? []).map((entry) => [entry.path, entry])),
    journal: new Map((input.journal ?? []).map((entry) => [entry.path, entry])),
    skipped: input.skipped ?? [],
  };
  return planBackup(built).map((action: BackupAction) => [action.rule, action.kind, action.path]);
}

describe('planBackup', () => {
  it('B1: a file backed up as it is stays unchanged (a weak/strong ETag spelling is the same copy)', () => {
    expect(plan({ local: [local('a')], remote: [remote('a')], journal: [record('a')] })).toEqual([['B1', 'unchanged', 'a']]);
    expect(plan({ local: [local('a')], remote: [remote('a', { etag: 'W/"e1"' })], journal: [record('a')] })).toEqual([['B1', 'unchanged', 'a']]);
  });

  it('B2: a new mtime with the same size is hashed; another size is sent, replacing the copy', () => {
    expect(plan({ local: [local('a', { mtimeMs: 2000 })], remote: [remote('a')], journal: [record('a')] })).toEqual([['B2', 'checkLocal', 'a']]);
    expect(plan({ local: [local('a', { size: 11 })], remote: [remote('a')], journal: [record('a')] })).toEqual([['B2', 'send', 'a']]);
    const [send] = planBackup({
      local: new Map([['a', local('a', { size: 11 })]]),
      remote: new Map([['a', remote('a')]]),
      journal: new Map([['a', record('a')]]),
      skipped: [],
    });
    expect(send).toMatchObject({ kind: 'send', replace: { path: 'a' } });
  });

  it('B2: an edit that put the old mtime back is still hashed: a new ctime (written in place) or a new inode (renamed over)', () => {
    expect(plan({ local: [local('a', { ctimeMs: 2000 })], remote: [remote('a')], journal: [record('a')] })).toEqual([['B2', 'checkLocal', 'a']]);
    expect(plan({ local: [local('a', { ino: 2 })], remote: [remote('a')], journal: [record('a')] })).toEqual([['B2', 'checkLocal', 'a']]);
    // A row written before ctime and inode were kept: hashed once.
    expect(plan({ local: [local('a')], remote: [remote('a')], journal: [record('a', { ctimeMs: 0, ino: 0 })] })).toEqual([['B2', 'checkLocal', 'a']]);
  });

  it('B3: a copy that changed on the server is compared by content when the size matches, else replaced', () => {
    expect(plan({ local: [local('a')], remote: [remote('a', { etag: '"e2"' })], journal: [record('a')] })).toEqual([['B3', 'compare', 'a']]);
    expect(plan({ local: [local('a')], remote: [remote('a', { size: 12 })], journal: [record('a', { remoteSize: 10 })] })).toEqual([['B3', 'send', 'a']]);
  });

  it('B4: a first backup meeting a file of the same size compares content; another size replaces it', () => {
    expect(plan({ local: [local('a')], remote: [remote('a')] })).toEqual([['B4', 'compare', 'a']]);
    expect(plan({ local: [local('a', { size: 3 })], remote: [remote('a')] })).toEqual([['B4', 'send', 'a']]);
  });

  it('B5: a file with no copy is sent as new', () => {
    expect(plan({ local: [local('a')], journal: [record('a')] })).toEqual([['B5', 'send', 'a']]);
  });

  it('B6: a file where the server has a folder: the folder goes to .versions whole, then the file is sent', () => {
    expect(plan({ local: [local('a')], remote: [remoteFolder('a'), remote('a/inner')] })).toEqual([
      ['B6', 'versionAside', 'a'],
      ['B6', 'send', 'a'],
    ]);
  });

  it('B7 and B8: a folder is created, a file in its way versioned first; a folder on both sides is nothing', () => {
    expect(plan({ local: [folder('d')] })).toEqual([['B7', 'createFolder', 'd']]);
    expect(plan({ local: [folder('d')], remote: [remote('d')] })).toEqual([
      ['B8', 'versionAside', 'd'],
      ['B8', 'createFolder', 'd'],
    ]);
    expect(plan({ local: [folder('d')], remote: [remoteFolder('d')] })).toEqual([]);
  });

  it('B10: what is gone locally is versioned, a folder in one piece', () => {
    expect(
      plan({
        local: [folder('keep')],
        remote: [remoteFolder('keep'), remote('keep/gone'), remoteFolder('old'), remote('old/x'), remoteFolder('old/sub'), remote('old/sub/y')],
        journal: [record('keep/gone'), record('old/x')],
      }),
    ).toEqual([
      ['B10', 'version', 'old'],
      ['B10', 'version', 'keep/gone'],
    ]);
  });

  it('B11: a copy whose local file is a symlink, special or in an unreadable folder is kept', () => {
    expect(plan({ local: [folder('d')], remote: [remoteFolder('d'), remote('link'), remoteFolder('locked'), remote('locked/x'), remote('d/pipe')], skipped: ['link', 'locked', 'd/pipe'] })).toEqual([
      ['B11', 'keep', 'link'],
      ['B11', 'keep', 'locked'],
      ['B11', 'keep', 'd/pipe'],
    ]);
  });

  it('B12: a journal row with nothing on either side is forgotten', () => {
    expect(plan({ journal: [record('ghost')] })).toEqual([['B12', 'forget', 'ghost']]);
  });

  it('B13: a name the server cannot hold is a failure, reported once for a whole folder', () => {
    expect(plan({ local: [folder('a\\b'), local('a\\b/c'), local('ok')] })).toEqual([
      ['B13', 'invalidName', 'a\\b'],
      ['B5', 'send', 'ok'],
    ]);
  });
});
