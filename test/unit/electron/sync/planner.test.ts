import { describe, expect, it } from 'vitest';
import { isStrongEtag } from '../../../../shared/etag.js';
import { isWithin } from '../../../../electron/sync/names.js';
import {
  countFileDeletions,
  localState,
  remoteState,
  type Action,
  type ActionKind,
} from '../../../../electron/sync/planner.js';
import {
  journalDir,
  journalFile,
  LOCAL_CTIME,
  LOCAL_MTIME,
  localDir,
  localFile,
  only,
  planFor,
  REMOTE_MTIME,
  remoteDir,
  remoteFile,
  SIZE,
  skippedLocal,
  skippedRemote,
  summary,
} from './fixtures.js';

/** Narrows an action to one kind, failing the test when it is another. */
function as<K extends ActionKind>(action: Action, kind: K): Extract<Action, { kind: K }> {
  expect(action.kind).toBe(kind);
  return action as Extract<Action, { kind: K }>;
}

const CHANGED_LOCALLY = { mtimeMs: LOCAL_MTIME + 5_000 };
const CHANGED_REMOTELY = { etag: '"v2"', mtimeMs: REMOTE_MTIME + 5_000 };

describe('planner: files and folders with no journal entry (R1-R7)', () => {
  it('R1: a new local file with nothing on the server is uploaded with If-None-Match (remote null)', () => {
    const l = localFile('a.txt');
    const result = planFor({ local: [l] });
    expect(summary(result.actions)).toEqual(['upload a.txt R1']);
    const upload = as(result.actions[0]!, 'upload');
    expect(upload.local).toBe(l);
    expect(upload.remote).toBeNull();
    expect(upload.journal).toBeNull();
    expect(result.needsAnotherPass).toBe(false);
    expect(result.skipped).toEqual([]);
  });

  it('R2: a new remote file with nothing locally is downloaded', () => {
    const r = remoteFile('docs/a.txt');
    const result = planFor({ remote: [remoteDir('docs'), r], journal: [journalDir('docs')], local: [localDir('docs')] });
    expect(summary(result.actions)).toEqual(['download docs/a.txt R2']);
    const download = as(result.actions[0]!, 'download');
    expect(download.remote).toBe(r);
    expect(download.local).toBeNull();
    expect(download.journal).toBeNull();
    expect(result.needsAnotherPass).toBe(false);
  });

  it('R3: a new file on both sides is a conflict with no journal entry', () => {
    const l = localFile('a.txt');
    const r = remoteFile('a.txt', { size: 7 });
    const result = planFor({ local: [l], remote: [r] });
    expect(summary(result.actions)).toEqual(['conflict a.txt R3']);
    const conflict = as(result.actions[0]!, 'conflict');
    expect(conflict.local).toBe(l);
    expect(conflict.remote).toBe(r);
    expect(conflict.journal).toBeNull();
  });

  it('R4: a new local folder is created on the server', () => {
    const result = planFor({ local: [localDir('photos')] });
    expect(summary(result.actions)).toEqual(['createRemoteFolder photos R4']);
    expect(result.needsAnotherPass).toBe(false);
  });

  it('R5: a new remote folder is created locally', () => {
    const result = planFor({ remote: [remoteDir('photos')] });
    expect(summary(result.actions)).toEqual(['createLocalFolder photos R5']);
  });

  it('R6: a new folder on both sides is recorded', () => {
    const l = localDir('photos');
    const r = remoteDir('photos');
    const result = planFor({ local: [l], remote: [r] });
    expect(summary(result.actions)).toEqual(['record photos R6']);
    const record = as(result.actions[0]!, 'record');
    expect(record.local).toBe(l);
    expect(record.remote).toBe(r);
  });

  it('R7: a new local file against a new remote folder renames the local file aside; the folder keeps the path', () => {
    const l = localFile('x');
    const r = remoteDir('x');
    const result = planFor({ local: [l], remote: [r, remoteFile('x/inside.txt'), remoteDir('x/sub'), remoteFile('x/sub/deep.txt')] });
    expect(summary(result.actions)).toEqual(['renameLocalAside x R7']);
    const aside = as(result.actions[0]!, 'renameLocalAside');
    expect(aside.local).toBe(l);
    expect(aside.remote).toBe(r);
    expect(result.needsAnotherPass).toBe(true);
  });

  it('R7 (reverse): a new local folder against a new remote file renames the local folder aside; its contents wait', () => {
    const l = localDir('x');
    const r = remoteFile('x');
    const result = planFor({ local: [l, localFile('x/a.txt'), localDir('x/sub'), localFile('x/sub/b.txt')], remote: [r] });
    expect(summary(result.actions)).toEqual(['renameLocalAside x R7']);
    const aside = as(result.actions[0]!, 'renameLocalAside');
    expect(aside.local).toBe(l);
    expect(aside.remote).toBe(r);
    expect(result.needsAnotherPass).toBe(true);
  });
});

describe('planner: files with a journal entry (R8-R16)', () => {
  it('R8: a file unchanged on both sides gets no action', () => {
    const result = planFor({ local: [localFile('a.txt')], remote: [remoteFile('a.txt')], journal: [journalFile('a.txt')] });
    expect(result.actions).toEqual([]);
    expect(result.needsAnotherPass).toBe(false);
  });

  it('R9: a file changed locally and unchanged remotely is uploaded with If-Match', () => {
    const l = localFile('a.txt', CHANGED_LOCALLY);
    const r = remoteFile('a.txt');
    const j = journalFile('a.txt');
    const result = planFor({ local: [l], remote: [r], journal: [j] });
    expect(summary(result.actions)).toEqual(['upload a.txt R9']);
    const upload = as(result.actions[0]!, 'upload');
    expect(upload.remote).toBe(r);
    expect(upload.remote).not.toBeNull();
    expect(isStrongEtag(upload.remote!.etag)).toBe(true);
    expect(upload.journal).toBe(j);
  });

  it('R9: a size change alone (same mtime) is a local change', () => {
    const result = planFor({ local: [localFile('a.txt', { size: SIZE + 1 })], remote: [remoteFile('a.txt')], journal: [journalFile('a.txt')] });
    expect(summary(result.actions)).toEqual(['upload a.txt R9']);
  });

  it('R10: a file unchanged locally and changed remotely is downloaded over the local one', () => {
    const l = localFile('a.txt');
    const r = remoteFile('a.txt', CHANGED_REMOTELY);
    const j = journalFile('a.txt');
    const result = planFor({ local: [l], remote: [r], journal: [j] });
    expect(summary(result.actions)).toEqual(['download a.txt R10']);
    const download = as(result.actions[0]!, 'download');
    expect(download.local).toBe(l);
    expect(download.remote).toBe(r);
    expect(download.journal).toBe(j);
  });

  it('R11: a file changed on both sides is a conflict with the journal entry', () => {
    const j = journalFile('a.txt');
    const result = planFor({ local: [localFile('a.txt', CHANGED_LOCALLY)], remote: [remoteFile('a.txt', CHANGED_REMOTELY)], journal: [j] });
    expect(summary(result.actions)).toEqual(['conflict a.txt R11']);
    expect(as(result.actions[0]!, 'conflict').journal).toBe(j);
  });

  it('R12: a file deleted locally and unchanged remotely is deleted on the server', () => {
    const r = remoteFile('a.txt');
    const result = planFor({ remote: [r], journal: [journalFile('a.txt')] });
    expect(summary(result.actions)).toEqual(['deleteRemote a.txt R12']);
    const del = as(result.actions[0]!, 'deleteRemote');
    expect(del.type).toBe('file');
    expect(del.remote).toBe(r);
  });

  it('R13: a file unchanged locally and deleted remotely is deleted locally', () => {
    const l = localFile('a.txt');
    const result = planFor({ local: [l], journal: [journalFile('a.txt')] });
    expect(summary(result.actions)).toEqual(['deleteLocal a.txt R13']);
    const del = as(result.actions[0]!, 'deleteLocal');
    expect(del.type).toBe('file');
    expect(del.local).toBe(l);
  });

  it('R14: a file deleted locally and changed remotely is downloaded (the modification wins)', () => {
    const j = journalFile('a.txt');
    const result = planFor({ remote: [remoteFile('a.txt', CHANGED_REMOTELY)], journal: [j] });
    expect(summary(result.actions)).toEqual(['download a.txt R14']);
    const download = as(result.actions[0]!, 'download');
    expect(download.local).toBeNull();
    expect(download.journal).toBe(j);
  });

  it('R15: a file changed locally and deleted remotely is uploaded as new (If-None-Match, remote null)', () => {
    const j = journalFile('a.txt');
    const result = planFor({ local: [localFile('a.txt', CHANGED_LOCALLY)], journal: [j] });
    expect(summary(result.actions)).toEqual(['upload a.txt R15']);
    const upload = as(result.actions[0]!, 'upload');
    expect(upload.remote).toBeNull();
    expect(upload.journal).toBe(j);
  });

  it('R16: a file deleted on both sides is forgotten', () => {
    const result = planFor({ journal: [journalFile('a.txt')] });
    expect(summary(result.actions)).toEqual(['forget a.txt R16']);
    expect(countFileDeletions(result.actions)).toBe(0);
  });
});

describe('planner: folders with a journal entry (R17-R20)', () => {
  it('R17: a folder on both sides gets no action; its contents are planned one by one', () => {
    const result = planFor({
      local: [localDir('d'), localFile('d/a.txt', CHANGED_LOCALLY), localFile('d/b.txt')],
      remote: [remoteDir('d'), remoteFile('d/a.txt'), remoteFile('d/b.txt', CHANGED_REMOTELY)],
      journal: [journalDir('d'), journalFile('d/a.txt'), journalFile('d/b.txt')],
    });
    expect(summary(result.actions)).toEqual(['upload d/a.txt R9', 'download d/b.txt R10']);
    expect(result.needsAnotherPass).toBe(false);
  });

  it('R18: a folder deleted locally and unchanged remotely is deleted on the server (with its contents)', () => {
    const result = planFor({
      remote: [remoteDir('d'), remoteFile('d/a.txt'), remoteDir('d/sub'), remoteFile('d/sub/b.txt')],
      journal: [journalDir('d'), journalFile('d/a.txt'), journalDir('d/sub'), journalFile('d/sub/b.txt')],
    });
    expect(summary(result.actions)).toEqual([
      'deleteRemote d R18',
      'deleteRemote d/a.txt R12',
      'deleteRemote d/sub R18',
      'deleteRemote d/sub/b.txt R12',
    ]);
    expect(as(result.actions[0]!, 'deleteRemote').type).toBe('dir');
    expect(countFileDeletions(result.actions)).toBe(2);
  });

  it('R18b: a folder deleted locally whose remote side has a new file below is created locally, and the file downloaded', () => {
    const result = planFor({
      remote: [remoteDir('d'), remoteFile('d/old.txt'), remoteFile('d/new.txt')],
      journal: [journalDir('d'), journalFile('d/old.txt')],
    });
    expect(summary(result.actions)).toEqual([
      'createLocalFolder d R18b',
      'download d/new.txt R2',
      'deleteRemote d/old.txt R12',
    ]);
  });

  it('R18b: a folder deleted locally whose remote side has a changed file below is kept; the change is downloaded (R14)', () => {
    const result = planFor({
      remote: [remoteDir('d'), remoteDir('d/sub'), remoteFile('d/sub/a.txt', CHANGED_REMOTELY)],
      journal: [journalDir('d'), journalDir('d/sub'), journalFile('d/sub/a.txt')],
    });
    expect(summary(result.actions)).toEqual([
      'createLocalFolder d R18b',
      'createLocalFolder d/sub R18b',
      'download d/sub/a.txt R14',
    ]);
  });

  it('R18b: a folder deleted locally whose remote side has a skipped entry below (invalid name) is kept', () => {
    const result = planFor({
      platform: 'win32',
      remote: [remoteDir('d'), remoteFile('d/CON.txt'), remoteFile('d/a.txt')],
      journal: [journalDir('d'), journalFile('d/a.txt')],
    });
    expect(summary(result.actions)).toEqual(['createLocalFolder d R18b', 'deleteRemote d/a.txt R12']);
    expect(result.skipped).toEqual([expect.objectContaining({ path: 'd/CON.txt', side: 'remote', reason: 'invalid-name' })]);
  });

  it('R19: a folder unchanged locally and deleted remotely is deleted locally (with its contents)', () => {
    const result = planFor({
      local: [localDir('d'), localFile('d/a.txt')],
      journal: [journalDir('d'), journalFile('d/a.txt')],
    });
    expect(summary(result.actions)).toEqual(['deleteLocal d R19', 'deleteLocal d/a.txt R13']);
    expect(as(result.actions[0]!, 'deleteLocal').type).toBe('dir');
    expect(countFileDeletions(result.actions)).toBe(1);
  });

  it('R19b: a folder deleted remotely whose local side has a new file below is created on the server, and the file uploaded', () => {
    const result = planFor({
      local: [localDir('d'), localFile('d/old.txt'), localFile('d/new.txt')],
      journal: [journalDir('d'), journalFile('d/old.txt')],
    });
    expect(summary(result.actions)).toEqual([
      'createRemoteFolder d R19b',
      'upload d/new.txt R1',
      'deleteLocal d/old.txt R13',
    ]);
    expect(as(only(result.actions, 'd/new.txt'), 'upload').remote).toBeNull();
  });

  it('R19b: a folder deleted remotely whose local side has a changed file below is kept; the change is uploaded (R15)', () => {
    const result = planFor({
      local: [localDir('d'), localFile('d/a.txt', CHANGED_LOCALLY)],
      journal: [journalDir('d'), journalFile('d/a.txt')],
    });
    expect(summary(result.actions)).toEqual(['createRemoteFolder d R19b', 'upload d/a.txt R15']);
    expect(as(only(result.actions, 'd/a.txt'), 'upload').remote).toBeNull();
  });

  it('R19b: a folder deleted remotely whose local side has a skipped (unreadable) file below is kept', () => {
    const result = planFor({
      local: [localDir('d'), localFile('d/a.txt')],
      localSkipped: [skippedLocal('d/locked.txt', 'unreadable')],
      journal: [journalDir('d'), journalFile('d/a.txt'), journalFile('d/locked.txt')],
    });
    expect(summary(result.actions)).toEqual(['createRemoteFolder d R19b', 'deleteLocal d/a.txt R13']);
  });

  it('R20: a folder deleted on both sides is forgotten, and so are its contents', () => {
    const result = planFor({ journal: [journalDir('d'), journalFile('d/a.txt')] });
    expect(summary(result.actions)).toEqual(['forget d R20', 'forget d/a.txt R16']);
  });
});

describe('planner: type changes (R21-R26)', () => {
  it('R21: a file replaced by a folder locally deletes the remote file; the folder contents wait for the next pass', () => {
    const r = remoteFile('x');
    const result = planFor({
      local: [localDir('x'), localFile('x/a.txt'), localDir('x/sub'), localFile('x/sub/b.txt')],
      remote: [r],
      journal: [journalFile('x')],
    });
    expect(summary(result.actions)).toEqual(['deleteRemote x R21']);
    const del = as(result.actions[0]!, 'deleteRemote');
    expect(del.type).toBe('file');
    expect(del.remote).toBe(r);
    expect(result.needsAnotherPass).toBe(true);
  });

  it('R21 (folder->file): a folder replaced by a file locally deletes the remote folder and its contents', () => {
    const result = planFor({
      local: [localFile('x')],
      remote: [remoteDir('x'), remoteFile('x/a.txt')],
      journal: [journalDir('x'), journalFile('x/a.txt')],
    });
    expect(summary(result.actions)).toEqual(['deleteRemote x R21', 'deleteRemote x/a.txt R12']);
    expect(as(result.actions[0]!, 'deleteRemote').type).toBe('dir');
    expect(result.needsAnotherPass).toBe(true);
  });

  it('R22: a file replaced by a folder remotely deletes the local file; the folder contents wait for the next pass', () => {
    const l = localFile('x');
    const result = planFor({
      local: [l],
      remote: [remoteDir('x'), remoteFile('x/a.txt'), remoteDir('x/sub')],
      journal: [journalFile('x')],
    });
    expect(summary(result.actions)).toEqual(['deleteLocal x R22']);
    const del = as(result.actions[0]!, 'deleteLocal');
    expect(del.type).toBe('file');
    expect(del.local).toBe(l);
    expect(result.needsAnotherPass).toBe(true);
  });

  it('R22 (folder->file): a folder replaced by a file remotely deletes the local folder and its contents', () => {
    const result = planFor({
      local: [localDir('x'), localFile('x/a.txt')],
      remote: [remoteFile('x')],
      journal: [journalDir('x'), journalFile('x/a.txt')],
    });
    expect(summary(result.actions)).toEqual(['deleteLocal x R22', 'deleteLocal x/a.txt R13']);
    expect(as(result.actions[0]!, 'deleteLocal').type).toBe('dir');
    expect(result.needsAnotherPass).toBe(true);
  });

  it('R23: a file replaced by a folder locally while changed remotely: the local folder is renamed aside, contents wait', () => {
    const l = localDir('x');
    const r = remoteFile('x', CHANGED_REMOTELY);
    const result = planFor({ local: [l, localFile('x/a.txt')], remote: [r], journal: [journalFile('x')] });
    expect(summary(result.actions)).toEqual(['renameLocalAside x R23']);
    const aside = as(result.actions[0]!, 'renameLocalAside');
    expect(aside.local).toBe(l);
    expect(aside.remote).toBe(r);
    expect(result.needsAnotherPass).toBe(true);
  });

  it('R23 (changed vs replaced): a file changed locally while replaced by a folder remotely is renamed aside', () => {
    const l = localFile('x', CHANGED_LOCALLY);
    const result = planFor({ local: [l], remote: [remoteDir('x'), remoteFile('x/a.txt')], journal: [journalFile('x')] });
    expect(summary(result.actions)).toEqual(['renameLocalAside x R23']);
    expect(as(result.actions[0]!, 'renameLocalAside').local).toBe(l);
    expect(result.needsAnotherPass).toBe(true);
  });

  it('R23 (replaced vs keeps below): a folder replaced by a file locally while the server has something new below', () => {
    const result = planFor({
      local: [localFile('x')],
      remote: [remoteDir('x'), remoteFile('x/a.txt'), remoteFile('x/new.txt')],
      journal: [journalDir('x'), journalFile('x/a.txt')],
    });
    expect(summary(result.actions)).toEqual(['renameLocalAside x R23']);
    expect(result.needsAnotherPass).toBe(true);
  });

  it('R23 (replaced vs keeps below, skipped): a remote entry skipped below the remote folder also keeps it', () => {
    const result = planFor({
      platform: 'win32',
      local: [localFile('x')],
      remote: [remoteDir('x'), remoteFile('x/a.txt'), remoteFile('x/a:b.txt')],
      journal: [journalDir('x'), journalFile('x/a.txt')],
    });
    expect(summary(result.actions)).toEqual(['renameLocalAside x R23']);
    expect(result.needsAnotherPass).toBe(true);
  });

  it('R23 (keeps below vs replaced): a local folder with something new below while replaced by a file remotely', () => {
    const l = localDir('x');
    const result = planFor({
      local: [l, localFile('x/a.txt'), localFile('x/new.txt')],
      remote: [remoteFile('x')],
      journal: [journalDir('x'), journalFile('x/a.txt')],
    });
    expect(summary(result.actions)).toEqual(['renameLocalAside x R23']);
    expect(as(result.actions[0]!, 'renameLocalAside').local).toBe(l);
    expect(result.needsAnotherPass).toBe(true);
  });

  it('R24: a file replaced by a folder locally and deleted remotely pushes the folder and its contents', () => {
    const result = planFor({
      local: [localDir('x'), localFile('x/a.txt')],
      journal: [journalFile('x')],
    });
    expect(summary(result.actions)).toEqual(['createRemoteFolder x R24', 'upload x/a.txt R1']);
    expect(as(result.actions[1]!, 'upload').remote).toBeNull();
    expect(result.needsAnotherPass).toBe(false);
  });

  it('R24 (folder->file): a folder replaced by a file locally and deleted remotely uploads the file as new', () => {
    const result = planFor({
      local: [localFile('x')],
      journal: [journalDir('x'), journalFile('x/a.txt')],
    });
    expect(summary(result.actions)).toEqual(['upload x R24', 'forget x/a.txt R16']);
    const upload = as(result.actions[0]!, 'upload');
    expect(upload.remote).toBeNull();
    expect(upload.journal).toBeNull();
  });

  it('R25: a file deleted locally and replaced by a folder remotely pulls the folder and its contents', () => {
    const result = planFor({
      remote: [remoteDir('x'), remoteFile('x/a.txt')],
      journal: [journalFile('x')],
    });
    expect(summary(result.actions)).toEqual(['createLocalFolder x R25', 'download x/a.txt R2']);
    expect(result.needsAnotherPass).toBe(false);
  });

  it('R25 (folder->file): a folder deleted locally and replaced by a file remotely downloads the file', () => {
    const result = planFor({
      remote: [remoteFile('x')],
      journal: [journalDir('x'), journalFile('x/a.txt')],
    });
    expect(summary(result.actions)).toEqual(['download x R25', 'forget x/a.txt R16']);
    expect(as(result.actions[0]!, 'download').local).toBeNull();
  });

  it('R26: a file replaced by a folder on both sides is recorded (as R6)', () => {
    const result = planFor({
      local: [localDir('x'), localFile('x/l.txt')],
      remote: [remoteDir('x'), remoteFile('x/r.txt')],
      journal: [journalFile('x')],
    });
    expect(summary(result.actions)).toEqual(['record x R26', 'upload x/l.txt R1', 'download x/r.txt R2']);
  });

  it('R26 (folder->file): a folder replaced by a file on both sides is a conflict without journal (as R3)', () => {
    const result = planFor({
      local: [localFile('x')],
      remote: [remoteFile('x')],
      journal: [journalDir('x')],
    });
    expect(summary(result.actions)).toEqual(['conflict x R26']);
    expect(as(result.actions[0]!, 'conflict').journal).toBeNull();
  });
});

describe('planner: skipped entries', () => {
  it('an unreadable local file that is in the journal is not deleted on the server', () => {
    const skipped = skippedLocal('a.txt', 'unreadable');
    const result = planFor({ localSkipped: [skipped], remote: [remoteFile('a.txt')], journal: [journalFile('a.txt')] });
    expect(result.actions).toEqual([]);
    expect(result.skipped).toEqual([skipped]);
  });

  it('an unreadable local file gets no action even when the server changed it', () => {
    const result = planFor({
      localSkipped: [skippedLocal('a.txt', 'unreadable')],
      remote: [remoteFile('a.txt', CHANGED_REMOTELY)],
      journal: [journalFile('a.txt')],
    });
    expect(result.actions).toEqual([]);
  });

  it('a skipped (unreadable) local folder protects everything below it', () => {
    const result = planFor({
      localSkipped: [skippedLocal('private', 'unreadable')],
      remote: [
        remoteDir('private'),
        remoteFile('private/a.txt'),
        remoteFile('private/changed.txt', CHANGED_REMOTELY),
        remoteFile('private/new.txt'),
        remoteDir('private/sub'),
      ],
      journal: [journalDir('private'), journalFile('private/a.txt'), journalFile('private/changed.txt'), journalFile('private/gone.txt')],
    });
    expect(result.actions).toEqual([]);
    expect(result.needsAnotherPass).toBe(false);
  });

  it('a skipped local symlink is not overwritten by a remote file of the same name', () => {
    const result = planFor({ localSkipped: [skippedLocal('link', 'symlink')], remote: [remoteFile('link')] });
    expect(result.actions).toEqual([]);
  });

  it('a path skipped on the server is not deleted locally', () => {
    const result = planFor({ local: [localFile('a.txt')], remoteSkipped: [skippedRemote('a.txt', 'ignored')], journal: [journalFile('a.txt')] });
    expect(result.actions).toEqual([]);
  });
});

describe('planner: remote names the local file system refuses', () => {
  const names = ['CON.txt', 'a:b', 'trailing.', 'trailing '];

  it('on win32 CON.txt, a:b, "trailing." and "trailing " are skipped as invalid-name with no action', () => {
    const result = planFor({ platform: 'win32', remote: names.map((name) => remoteFile(name)) });
    expect(result.actions).toEqual([]);
    expect(result.skipped.map((s) => [s.path, s.side, s.reason]).sort()).toEqual(
      names.map((name) => [name, 'remote', 'invalid-name']).sort(),
    );
    expect(result.needsAnotherPass).toBe(false);
  });

  it('on linux the same names are downloaded', () => {
    const result = planFor({ platform: 'linux', remote: names.map((name) => remoteFile(name)) });
    expect([...summary(result.actions)].sort()).toEqual(names.map((name) => `download ${name} R2`).sort());
    expect(result.skipped).toEqual([]);
  });

  it('on win32 a remote folder with an invalid name protects everything below it', () => {
    const result = planFor({ platform: 'win32', remote: [remoteDir('aux'), remoteFile('aux/readme.txt'), remoteFile('ok.txt')] });
    expect(summary(result.actions)).toEqual(['download ok.txt R2']);
    expect(result.skipped.map((s) => s.path)).toEqual(['aux']);
  });

  it('on darwin a name with ":" is skipped', () => {
    const result = planFor({ platform: 'darwin', remote: [remoteFile('a:b'), remoteFile('CON.txt')] });
    expect(summary(result.actions)).toEqual(['download CON.txt R2']);
    expect(result.skipped).toEqual([expect.objectContaining({ path: 'a:b', reason: 'invalid-name' })]);
  });
});

describe('planner: Unicode normalisation', () => {
  const nfc = 'caf\u00e9.txt';
  const nfd = 'cafe\u0301.txt';

  it('a local NFC name and a remote NFD name are the same file: the journal matches, no action', () => {
    expect(nfc).not.toBe(nfd);
    expect(nfd.normalize('NFC')).toBe(nfc);
    const result = planFor({
      local: [localFile(nfc)],
      remote: [remoteFile(nfc, { remotePath: nfd })],
      journal: [journalFile(nfc, { remotePath: nfd })],
    });
    expect(result.actions).toEqual([]);
    expect(result.skipped).toEqual([]);
  });

  it('a local NFD spelling (macOS) with its NFC path matches a remote NFC name', () => {
    const result = planFor({
      local: [localFile(nfc, { localPath: nfd, ...CHANGED_LOCALLY })],
      remote: [remoteFile(nfc)],
      journal: [journalFile(nfc, { localPath: nfd })],
    });
    expect(summary(result.actions)).toEqual([`upload ${nfc} R9`]);
  });

  it('without a journal the two spellings are one path (R3), not an upload and a download', () => {
    const result = planFor({ local: [localFile(nfc)], remote: [remoteFile(nfc, { remotePath: nfd })] });
    expect(summary(result.actions)).toEqual([`conflict ${nfc} R3`]);
  });

  it('a journal entry written with an NFD path still matches the NFC listings', () => {
    const result = planFor({ local: [localFile(nfc)], remote: [remoteFile(nfc, { remotePath: nfd })], journal: [journalFile(nfd)] });
    expect(result.actions).toEqual([]);
  });
});

describe('planner: case-insensitive local file systems (CASE)', () => {
  it('CASE: two new remote names differing only in case: one is downloaded, the other renamed aside on the server', () => {
    const result = planFor({ caseInsensitive: true, remote: [remoteFile('Readme.md'), remoteFile('README.md', { size: 5 })] });
    const kinds = result.actions.map((a) => `${a.kind} ${a.rule}`).sort();
    expect(kinds).toEqual(['download R2', 'renameRemoteAside CASE']);
    const download = result.actions.find((a) => a.kind === 'download')!;
    const aside = as(result.actions.find((a) => a.kind === 'renameRemoteAside')!, 'renameRemoteAside');
    expect([download.path, aside.path].sort()).toEqual(['README.md', 'Readme.md']);
    expect(aside.remote.remotePath).toBe(aside.path);
    expect(result.skipped).toEqual([expect.objectContaining({ path: aside.path, side: 'remote', reason: 'case-conflict' })]);
    expect(result.needsAnotherPass).toBe(true);
  });

  it('CASE: the name the journal knows keeps its name; the other is renamed aside', () => {
    const result = planFor({
      caseInsensitive: true,
      local: [localFile('Readme.md')],
      remote: [remoteFile('README.md', { etag: '"other"' }), remoteFile('Readme.md')],
      journal: [journalFile('Readme.md')],
    });
    expect(summary(result.actions)).toEqual(['renameRemoteAside README.md CASE']);
    expect(result.needsAnotherPass).toBe(true);
  });

  it('CASE: the name the local disk has keeps its name when there is no journal', () => {
    const result = planFor({
      caseInsensitive: true,
      local: [localFile('Readme.md')],
      remote: [remoteFile('README.md'), remoteFile('Readme.md')],
    });
    expect(summary(result.actions)).toEqual(['renameRemoteAside README.md CASE', 'conflict Readme.md R3']);
  });

  it('CASE: a remote folder renamed aside takes its contents with it (no action below it this pass)', () => {
    // The journal knows "Docs", so "DOCS" (which sorts first) is renamed aside on the server;
    // its file must not be downloaded from a path that the rename is about to move.
    const result = planFor({
      caseInsensitive: true,
      local: [localDir('Docs')],
      remote: [remoteDir('DOCS'), remoteFile('DOCS/a.txt'), remoteDir('Docs')],
      journal: [journalDir('Docs')],
    });
    expect(summary(result.actions)).toEqual(['renameRemoteAside DOCS CASE']);
    expect(result.needsAnotherPass).toBe(true);
  });

  it('CASE: the contents of a folder renamed aside do not displace the kept folder\'s contents', () => {
    // "DOCS/a.txt" sorts before "Docs/a.txt" and has the same key; it is moving away with
    // "DOCS", so "Docs/a.txt" (in the folder that keeps its name) is simply new: R2.
    const result = planFor({
      caseInsensitive: true,
      local: [localDir('Docs')],
      remote: [remoteDir('DOCS'), remoteFile('DOCS/a.txt'), remoteDir('Docs'), remoteFile('Docs/a.txt', { etag: '"x"' })],
      journal: [journalDir('Docs')],
    });
    expect(summary(result.actions)).toEqual(['renameRemoteAside DOCS CASE', 'download Docs/a.txt R2']);
    expect(as(only(result.actions, 'Docs/a.txt'), 'download').remote.remotePath).toBe('Docs/a.txt');
  });

  it('CASE: a folder\'s group is settled before a group inside it whose second name comes first', () => {
    // Sorted: A, A/X, A/x, a. The group of A/X and A/x is complete before "a" joins A's, yet
    // A is decided first: it is renamed aside, and both files go with it.
    const result = planFor({
      caseInsensitive: true,
      local: [localDir('a')],
      remote: [remoteDir('A'), remoteFile('A/X'), remoteFile('A/x', { etag: '"x"' }), remoteDir('a')],
      journal: [journalDir('a')],
    });
    expect(summary(result.actions)).toEqual(['renameRemoteAside A CASE']);
    expect(result.skipped.map((entry) => entry.path)).toEqual(['A']);
  });

  it('CASE: a remote folder renamed aside that sorts after its keeper also takes its contents with it', () => {
    const result = planFor({
      caseInsensitive: true,
      local: [localDir('DOCS')],
      remote: [remoteDir('DOCS'), remoteDir('Docs'), remoteFile('Docs/a.txt')],
      journal: [journalDir('DOCS')],
    });
    expect(summary(result.actions)).toEqual(['renameRemoteAside Docs CASE']);
  });

  it('with caseInsensitive false both names are downloaded', () => {
    const result = planFor({ caseInsensitive: false, remote: [remoteFile('Readme.md'), remoteFile('README.md')] });
    expect([...summary(result.actions)].sort()).toEqual(['download README.md R2', 'download Readme.md R2']);
    expect(result.skipped).toEqual([]);
    expect(result.needsAnotherPass).toBe(false);
  });

  it('a local foo.txt and a remote Foo.txt are one path when case-insensitive (R3, not upload + download)', () => {
    const l = localFile('foo.txt');
    const r = remoteFile('Foo.txt');
    const result = planFor({ caseInsensitive: true, local: [l], remote: [r] });
    expect(summary(result.actions)).toEqual(['conflict foo.txt R3']);
    const conflict = as(result.actions[0]!, 'conflict');
    expect(conflict.local).toBe(l);
    expect(conflict.remote).toBe(r);
  });

  it('a local foo.txt and a remote Foo.txt are two paths when case-sensitive', () => {
    const result = planFor({ caseInsensitive: false, local: [localFile('foo.txt')], remote: [remoteFile('Foo.txt')] });
    expect([...summary(result.actions)].sort()).toEqual(['download Foo.txt R2', 'upload foo.txt R1']);
  });

  it('a journal entry matches a listing whose name differs only in case when case-insensitive', () => {
    const result = planFor({ caseInsensitive: true, local: [localFile('foo.txt')], remote: [remoteFile('FOO.txt')], journal: [journalFile('Foo.txt')] });
    expect(result.actions).toEqual([]);
  });
});

describe('planner: ETag normalisation', () => {
  const scenario = (listingEtag: string | null, journalEtag: string | null, remoteMtime = REMOTE_MTIME) =>
    planFor({
      local: [localFile('a.txt')],
      remote: [remoteFile('a.txt', { etag: listingEtag, mtimeMs: remoteMtime })],
      journal: [journalFile('a.txt', { remoteEtag: journalEtag })],
    });

  it('a weak spelling W/"abc" of the journal\'s "abc" is unchanged', () => {
    expect(scenario('W/"abc"', '"abc"').actions).toEqual([]);
  });

  it('a compressed spelling abc-gzip (and "abc-br") of the journal\'s "abc" is unchanged', () => {
    expect(scenario('abc-gzip', '"abc"').actions).toEqual([]);
    expect(scenario('"abc-br"', '"abc"').actions).toEqual([]);
    expect(scenario('W/"abc-gzip"', '"abc"').actions).toEqual([]);
  });

  it('a different tag with the same size and mtime is changed', () => {
    const remote = remoteFile('a.txt', { etag: '"abd"' });
    const journal = journalFile('a.txt', { remoteEtag: '"abc"' });
    expect(remote.size).toBe(journal.remoteSize);
    expect(remote.mtimeMs).toBe(journal.remoteMtimeMs);
    expect(remoteState(remote, journal)).toBe('changed');
    expect(summary(scenario('"abd"', '"abc"').actions)).toEqual(['download a.txt R10']);
  });

  it('a different size with the same tag is changed', () => {
    expect(remoteState(remoteFile('a.txt', { size: SIZE + 1 }), journalFile('a.txt'))).toBe('changed');
  });

  it('with no etag on either side the mtime decides', () => {
    expect(scenario(null, null).actions).toEqual([]);
    expect(summary(scenario(null, null, REMOTE_MTIME + 1000).actions)).toEqual(['download a.txt R10']);
  });

  it('with an etag on only one side the mtime decides', () => {
    expect(scenario(null, '"abc"').actions).toEqual([]);
    expect(scenario(null, '"abc"', REMOTE_MTIME + 1000).actions.map((a) => a.kind)).toEqual(['download']);
    expect(scenario('"abc"', null).actions).toEqual([]);
    // A journal without a tag holds an upload's answer Date: getlastmodified may sit a second
    // or two from it (UPLOAD_CLOCK_SLACK_MS), further is someone else's write.
    expect(scenario('"abc"', null, REMOTE_MTIME + 1000).actions).toEqual([]);
    expect(summary(scenario('"abc"', null, REMOTE_MTIME + 2000 + 1).actions)).toEqual(['download a.txt R10']);
  });

  it('with etags on both sides the mtime alone does not make a change', () => {
    expect(scenario('"abc"', '"abc"', REMOTE_MTIME + 1000).actions).toEqual([]);
  });

  it('side states: absent, new, unchanged, changed, deleted, replaced', () => {
    const j = journalFile('a.txt');
    expect(localState(undefined, undefined)).toBe('absent');
    expect(localState(localFile('a.txt'), undefined)).toBe('new');
    expect(localState(localFile('a.txt'), j)).toBe('unchanged');
    // A preserved mtime does not hide a write (ctime) or a file renamed over the old one (inode).
    expect(localState(localFile('a.txt', { ino: 99999 }), j)).toBe('changed');
    expect(localState(localFile('a.txt', { ctimeMs: LOCAL_CTIME + 1 }), j)).toBe('changed');
    expect(localState(localFile('a.txt', CHANGED_LOCALLY), j)).toBe('changed');
    expect(localState(undefined, j)).toBe('deleted');
    expect(localState(localDir('a.txt'), j)).toBe('replaced');
    expect(localState(localDir('d'), journalDir('d'))).toBe('unchanged');
    expect(remoteState(undefined, undefined)).toBe('absent');
    expect(remoteState(remoteFile('a.txt'), undefined)).toBe('new');
    expect(remoteState(remoteFile('a.txt'), j)).toBe('unchanged');
    expect(remoteState(undefined, j)).toBe('deleted');
    expect(remoteState(remoteDir('a.txt'), j)).toBe('replaced');
    expect(remoteState(remoteDir('d'), journalDir('d'))).toBe('unchanged');
  });
});

describe('planner: order of actions', () => {
  const expectParentsFirst = (actions: readonly Action[]): void => {
    actions.forEach((action, index) => {
      actions.forEach((other, otherIndex) => {
        if (other.path !== action.path && isWithin(other.path, action.path)) {
          expect(otherIndex, `${other.path} must come after ${action.path}`).toBeGreaterThan(index);
        }
      });
    });
  };

  it('a new local tree is planned with each folder before its contents', () => {
    // Listed children first, and with names that sort before "/" in plain string order.
    const result = planFor({
      local: [
        localFile('z.txt'),
        localFile('a/b/c.txt'),
        localFile('a/b!.txt'),
        localDir('a/b'),
        localFile('a.txt'),
        localFile('a-1.txt'),
        localFile('a!'),
        localFile('a b.txt'),
        localDir('a'),
      ],
    });
    expect(summary(result.actions)).toEqual([
      'createRemoteFolder a R4',
      'createRemoteFolder a/b R4',
      'upload a/b/c.txt R1',
      'upload a/b!.txt R1',
      'upload a b.txt R1',
      'upload a! R1',
      'upload a-1.txt R1',
      'upload a.txt R1',
      'upload z.txt R1',
    ]);
    expectParentsFirst(result.actions);
  });

  it('a new remote tree is planned with each folder before its contents', () => {
    const result = planFor({
      remote: [
        remoteFile('p q/r/s.txt'),
        remoteDir('p q/r'),
        remoteFile('p q.txt'),
        remoteFile('p q/r (1).txt'),
        remoteDir('p q'),
        remoteDir('p'),
        remoteFile('p/x.txt'),
      ],
    });
    expect(summary(result.actions)).toEqual([
      'createLocalFolder p R5',
      'download p/x.txt R2',
      'createLocalFolder p q R5',
      'createLocalFolder p q/r R5',
      'download p q/r/s.txt R2',
      'download p q/r (1).txt R2',
      'download p q.txt R2',
    ]);
    expectParentsFirst(result.actions);
  });
});

describe('countFileDeletions', () => {
  it('counts file deletions on both sides and not folder deletions', () => {
    const result = planFor({
      local: [localFile('keep.txt'), localFile('gone-remote.txt')],
      remote: [remoteFile('keep.txt'), remoteFile('gone-local.txt'), remoteDir('old'), remoteFile('old/x.txt'), remoteFile('old/y.txt')],
      journal: [
        journalFile('keep.txt'),
        journalFile('gone-remote.txt'),
        journalFile('gone-local.txt'),
        journalDir('old'),
        journalFile('old/x.txt'),
        journalFile('old/y.txt'),
      ],
    });
    expect(summary(result.actions)).toEqual([
      'deleteRemote gone-local.txt R12',
      'deleteLocal gone-remote.txt R13',
      'deleteRemote old R18',
      'deleteRemote old/x.txt R12',
      'deleteRemote old/y.txt R12',
    ]);
    expect(countFileDeletions(result.actions)).toBe(4);
  });

  it('is zero for a plan without deletions, and counts R21/R22 file deletions', () => {
    expect(countFileDeletions([])).toBe(0);
    expect(countFileDeletions(planFor({ local: [localFile('a.txt')], remote: [remoteFile('b.txt')] }).actions)).toBe(0);
    const r21 = planFor({ local: [localDir('x')], remote: [remoteFile('x')], journal: [journalFile('x')] });
    const r22 = planFor({ local: [localFile('x')], remote: [remoteDir('x')], journal: [journalFile('x')] });
    expect(countFileDeletions([...r21.actions, ...r22.actions])).toBe(2);
  });
});
