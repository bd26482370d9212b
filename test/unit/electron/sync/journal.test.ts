/**
 * The journal on a real SQLite file in a temp folder: entries, subtree removal, transactions,
 * pending transfers, conflicts, persistence across reopening, the one-run-per-pair lock and
 * the refusal of a journal written by a newer schema.
 */
import Database from 'better-sqlite3';
import { copyFileSync, existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, TeraSyncError } from '../../../../shared/errors.js';
import { Journal } from '../../../../electron/sync/journal.js';
import type { JournalEntry } from '../../../../electron/sync/model.js';

let directory: string;
let file: string;
const opened: Journal[] = [];

function open(): Journal {
  const journal = Journal.open(file);
  opened.push(journal);
  return journal;
}

function close(journal: Journal): void {
  journal.close();
  opened.splice(opened.indexOf(journal), 1);
}

function thrown(work: () => unknown): unknown {
  try {
    work();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

let nextIno = 1;

function fileEntry(path: string, overrides: Partial<JournalEntry> = {}): JournalEntry {
  return {
    path,
    type: 'file',
    localPath: path,
    remotePath: path,
    localSize: 10,
    localMtimeMs: 1_700_000_000_123.5,
    localCtimeMs: 1_700_000_000_456.25,
    localIno: nextIno++,
    remoteEtag: '"e1"',
    remoteSize: 10,
    remoteMtimeMs: 1_700_000_000_000,
    hash: 'ab'.repeat(32),
    ...overrides,
  };
}

function dirEntry(path: string): JournalEntry {
  return fileEntry(path, { type: 'dir', localSize: 0, remoteSize: 0, remoteEtag: null, hash: null });
}

const paths = (journal: Journal): string[] => journal.all().map((entry) => entry.path).sort();

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'terasync-journal-'));
  // A folder that does not exist yet: open() creates it.
  file = join(directory, 'state', 'journals', 'pair.sqlite');
});

afterEach(async () => {
  for (const journal of opened.splice(0)) journal.close();
  await rm(directory, { recursive: true, force: true });
});

describe('entries', () => {
  it('put / get / all / fileCount', () => {
    const journal = open();
    expect(journal.all()).toEqual([]);
    expect(journal.fileCount()).toBe(0);
    expect(journal.get('a.txt')).toBeNull();

    const a = fileEntry('a.txt', { remoteEtag: 'W/"weak"', localPath: 'A\u0301.txt' });
    const docs = dirEntry('docs');
    const inside = fileEntry('docs/b.txt', { hash: null, remoteEtag: null });
    journal.put(a);
    journal.put(docs);
    journal.put(inside);

    expect(journal.get('a.txt')).toEqual(a);
    expect(journal.get('docs')).toEqual(docs);
    expect(journal.get('docs/b.txt')).toEqual(inside);
    expect(paths(journal)).toEqual(['a.txt', 'docs', 'docs/b.txt']);
    // Folders are not files.
    expect(journal.fileCount()).toBe(2);

    // put replaces the row of the same path.
    const changed = { ...a, localSize: 99, remoteEtag: '"e2"' };
    journal.put(changed);
    expect(journal.get('a.txt')).toEqual(changed);
    expect(journal.all()).toHaveLength(3);
    expect(journal.fileCount()).toBe(2);
  });

  it('each() gives what all() gives, in its order; filesWithoutEtag() the files without an ETag', () => {
    const journal = open();
    expect([...journal.each()]).toEqual([]);
    expect(journal.filesWithoutEtag()).toEqual([]);
    const entries = [
      fileEntry('a.txt', { remoteEtag: '"a"', localPath: 'A\u0301.txt' }),
      dirEntry('docs'),
      fileEntry('docs/new.txt', { remoteEtag: null }),
      fileEntry('docs/b.txt', { remoteEtag: 'W/"b"' }),
      fileEntry('z.txt', { remoteEtag: null, hash: null }),
    ];
    for (const entry of entries) journal.put(entry);
    expect([...journal.each()]).toEqual(journal.all());
    expect(journal.all()).toHaveLength(5);
    // A folder without an ETag is not a file without one.
    expect(journal.filesWithoutEtag().sort((x, y) => (x.path < y.path ? -1 : 1))).toEqual([entries[2], entries[4]]);
  });

  it('removeTree removes a folder and everything below it, but not siblings with a common prefix', () => {
    const journal = open();
    for (const entry of [
      dirEntry('docs'),
      fileEntry('docs/x'),
      dirEntry('docs/sub'),
      fileEntry('docs/sub/deep.txt'),
      dirEntry('docs2'),
      fileEntry('docs2/y'),
      fileEntry('docs.txt'),
      fileEntry('docs-old'),
      fileEntry('doc'),
    ]) {
      journal.put(entry);
    }

    journal.removeTree('docs');
    expect(paths(journal)).toEqual(['doc', 'docs-old', 'docs.txt', 'docs2', 'docs2/y']);

    // A single file; a path with LIKE / GLOB metacharacters is taken literally.
    journal.put(fileEntry('a%b'));
    journal.put(fileEntry('a_b/c'));
    journal.put(fileEntry('axb'));
    journal.removeTree('a%b');
    journal.removeTree('a_b');
    expect(journal.get('a%b')).toBeNull();
    expect(journal.get('a_b/c')).toBeNull();
    expect(journal.get('axb')).not.toBeNull();

    // Removing a file below a folder leaves the folder.
    journal.removeTree('docs2/y');
    expect(paths(journal)).toEqual(['axb', 'doc', 'docs-old', 'docs.txt', 'docs2']);
  });

  it('a transaction that throws records none of its work', () => {
    const journal = open();
    journal.put(fileEntry('kept.txt'));
    const failure = new Error('boom');
    expect(() =>
      journal.transaction(() => {
        journal.put(fileEntry('new.txt'));
        journal.removeTree('kept.txt');
        journal.setPending({ path: 'new.txt', kind: 'download', entry: fileEntry('new.txt') });
        journal.addConflict('kept.txt', 'kept (conflict).txt', 1);
        throw failure;
      }),
    ).toThrow(failure);
    expect(paths(journal)).toEqual(['kept.txt']);
    expect(journal.pending()).toEqual([]);
    expect(journal.openConflicts()).toEqual([]);

    // And one that returns commits all of it, and passes the value through.
    const value = journal.transaction(() => {
      journal.put(fileEntry('new.txt'));
      journal.removeTree('kept.txt');
      return 42;
    });
    expect(value).toBe(42);
    expect(paths(journal)).toEqual(['new.txt']);
  });
});

describe('pending transfers and conflicts', () => {
  it('setPending / pending / clearPending', () => {
    const journal = open();
    expect(journal.pending()).toEqual([]);
    const download = { path: 'd.txt', kind: 'download' as const, entry: fileEntry('d.txt') };
    const upload = { path: 'u.txt', kind: 'upload' as const, entry: fileEntry('u.txt', { remoteEtag: null }) };
    journal.setPending(download);
    journal.setPending(upload);
    expect(journal.pending().sort((a, b) => a.path.localeCompare(b.path))).toEqual([download, upload]);

    // One pending record per path: a newer one replaces it.
    const again = { ...download, entry: { ...download.entry, localSize: 77 } };
    journal.setPending(again);
    expect(journal.pending().find((p) => p.path === 'd.txt')).toEqual(again);
    expect(journal.pending()).toHaveLength(2);

    journal.clearPending('d.txt');
    expect(journal.pending()).toEqual([upload]);
    journal.clearPending('not-there.txt');
    journal.clearPending('u.txt');
    expect(journal.pending()).toEqual([]);
    // Pending records are not entries.
    expect(journal.all()).toEqual([]);
  });

  it('addConflict / openConflicts, in the order they were added', () => {
    const journal = open();
    expect(journal.openConflicts()).toEqual([]);
    journal.addConflict('a.txt', 'a (conflict 2025-06-02 100000 box).txt', 1_748_858_400_000);
    journal.addConflict('dir/b.txt', 'dir/b (conflict 2025-06-02 100001 box).txt', 1_748_858_401_000);
    const conflicts = journal.openConflicts();
    expect(conflicts).toEqual([
      { id: expect.any(Number), path: 'a.txt', copy: 'a (conflict 2025-06-02 100000 box).txt', createdAt: 1_748_858_400_000, state: 'open' },
      { id: expect.any(Number), path: 'dir/b.txt', copy: 'dir/b (conflict 2025-06-02 100001 box).txt', createdAt: 1_748_858_401_000, state: 'open' },
    ]);
    expect(conflicts[0]!.id).toBeLessThan(conflicts[1]!.id);
  });
});

describe('finished uploads in batches (putAfterPending)', () => {
  const pendingUpload = (entry: JournalEntry) => ({ path: entry.path, kind: 'upload' as const, entry: { ...entry, remoteEtag: null, hash: null } });

  it('waits in memory; the file keeps the pending rows until a flush writes the entries and clears them', () => {
    const journal = open();
    const a = fileEntry('a.txt');
    const b = fileEntry('b.txt');
    journal.setPending(pendingUpload(a));
    journal.setPending(pendingUpload(b));
    expect(journal.putAfterPending(a)).toBe(1);
    expect(journal.putAfterPending(b)).toBe(2);
    // A second entry for a path replaces the first.
    const newerB = { ...b, remoteEtag: '"b2"' };
    expect(journal.putAfterPending(newerB)).toBe(2);
    expect(journal.batched).toBe(2);

    // What a kill now would leave: the file and its write-ahead log as they are.
    const killed = join(directory, 'killed.sqlite');
    copyFileSync(file, killed);
    if (existsSync(`${file}-wal`)) copyFileSync(`${file}-wal`, `${killed}-wal`);
    const after = Journal.open(killed);
    try {
      expect(after.all()).toEqual([]);
      expect(after.pending().map((pending) => pending.path).sort()).toEqual(['a.txt', 'b.txt']);
    } finally {
      after.close();
    }

    journal.flush();
    expect(journal.batched).toBe(0);
    expect(journal.pending()).toEqual([]);
    expect(journal.all().sort((x, y) => x.path.localeCompare(y.path))).toEqual([a, newerB]);
  });

  it.each([
    ['get', (journal: Journal) => journal.get('a.txt')],
    ['all', (journal: Journal) => journal.all()],
    ['each', (journal: Journal) => [...journal.each()]],
    ['filesWithoutEtag', (journal: Journal) => journal.filesWithoutEtag()],
    ['pending', (journal: Journal) => journal.pending()],
    ['removeTree of another path', (journal: Journal) => journal.removeTree('other')],
    ['a transaction', (journal: Journal) => journal.transaction(() => undefined)],
    ['setPending of the same path', (journal: Journal) => journal.setPending(pendingUpload(fileEntry('a.txt', { localSize: 9 })))],
  ])('is written before %s', (_name, access) => {
    const journal = open();
    const a = fileEntry('a.txt');
    journal.setPending(pendingUpload(a));
    journal.putAfterPending(a);
    access(journal);
    expect(journal.batched).toBe(0);
    expect(journal.get('a.txt')).toEqual(a);
  });

  it('is not written by the pending row of another upload', () => {
    const journal = open();
    const a = fileEntry('a.txt');
    journal.setPending(pendingUpload(a));
    journal.putAfterPending(a);
    journal.setPending(pendingUpload(fileEntry('b.txt')));
    expect(journal.batched).toBe(1);
    journal.flush();
    expect(journal.batched).toBe(0);
    expect(journal.get('a.txt')).toEqual(a);
    expect(journal.pending().map((pending) => pending.path)).toEqual(['b.txt']);
  });

  it('is written when the journal is closed', () => {
    const first = open();
    const a = fileEntry('a.txt');
    first.setPending(pendingUpload(a));
    first.putAfterPending(a);
    close(first);
    const second = open();
    expect(second.get('a.txt')).toEqual(a);
    expect(second.pending()).toEqual([]);
  });
});

describe('the file', () => {
  it('keeps everything when it is closed and opened again', () => {
    const first = open();
    const a = fileEntry('a.txt');
    const dir = dirEntry('docs');
    const pending = { path: 'p.txt', kind: 'upload' as const, entry: fileEntry('p.txt') };
    first.put(a);
    first.put(dir);
    first.setPending(pending);
    first.addConflict('a.txt', 'a (conflict).txt', 5);
    close(first);

    const second = open();
    expect(second.get('a.txt')).toEqual(a);
    expect(second.get('docs')).toEqual(dir);
    expect(second.fileCount()).toBe(1);
    expect(second.pending()).toEqual([pending]);
    expect(second.openConflicts()).toMatchObject([{ path: 'a.txt', copy: 'a (conflict).txt', createdAt: 5, state: 'open' }]);
  });

  it('refuses a second open while the first is open: another run is syncing this pair', () => {
    const first = open();
    first.put(fileEntry('a.txt'));

    const error = thrown(() => open());
    expect(error).toBeInstanceOf(TeraSyncError);
    expect((error as TeraSyncError).message).toMatch(/another terasync run is syncing/i);
    // The first run's journal is untouched and still usable.
    expect(first.get('a.txt')).not.toBeNull();
    first.put(fileEntry('b.txt'));
    expect(first.fileCount()).toBe(2);
  });

  it('can be opened again once the run that held it has closed it', () => {
    const first = open();
    first.put(fileEntry('a.txt'));
    expect(() => open()).toThrow(TeraSyncError);
    close(first);

    const next = open();
    expect(paths(next)).toEqual(['a.txt']);
  });

  it('refuses a journal written by a newer schema with a Configuration error, every time, and leaves it as it was', () => {
    const first = open();
    first.put(fileEntry('a.txt'));
    close(first);
    const raw = new Database(file);
    raw.pragma('user_version = 99');
    raw.close();

    const error = thrown(() => open());
    expect(error).toBeInstanceOf(TeraSyncError);
    expect((error as TeraSyncError).code).toBe(ErrorCode.Configuration);
    expect((error as TeraSyncError).message).toMatch(/newer/i);

    // A long-lived process (the app) that tries again must get the same answer, not
    // "another run is syncing": the refused open must not keep the file locked.
    const again = thrown(() => open());
    expect(again).toBeInstanceOf(TeraSyncError);
    expect((again as TeraSyncError).code).toBe(ErrorCode.Configuration);

    const check = new Database(file, { readonly: true, timeout: 0 });
    try {
      expect(check.pragma('user_version', { simple: true })).toBe(99);
      expect((check.prepare('SELECT count(*) AS n FROM entries').get() as { n: number }).n).toBe(1);
    } finally {
      check.close();
    }
  });
});
