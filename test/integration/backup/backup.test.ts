/**
 * The backup engine and the restore against Apache mod_dav (configured like the service) and
 * the local TeraCLOUD emulator: a first backup, incremental runs after edits, deletions and
 * renames (old copies under .versions, nothing lost), a first backup against a non-empty
 * remote folder, restores of a file and of a folder from the latest copy and from a version,
 * files that cannot be read, a 507 in the middle, a cancel and its resume, retention pruning on
 * a fake clock, and the quota check against the emulator's REST API.
 */
import { chmod, mkdir, readFile, rename, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { formatVersionStamp } from '../../../electron/backup/backupNames.js';
import type { BackupEvent } from '../../../electron/backup/model.js';
import { listSource } from '../../../electron/backup/Restore.js';
import { WebDavRemoteStore } from '../../../electron/webdav/WebDavRemoteStore.js';
import { TeraCloudApi } from '../../../electron/teracloud/TeraCloudApi.js';
import { ErrorCode, TeraSyncError } from '../../../shared/errors.js';
import { FakeClock } from '../../support/fakeClock.js';
import { wrapStore } from '../../support/wrapStore.js';
import { backupServerKinds, emulatorKind, type BackupServer } from './backupServers.js';
import { createBackupFixture, readTree, type BackupFixture } from './fixture.js';

const DAY = 86_400_000;
const isRoot = process.getuid?.() === 0;

describe.each(backupServerKinds)('backup on $name', (kind) => {
  let server: BackupServer;
  const fixtures: BackupFixture[] = [];

  beforeAll(async () => {
    if (kind.skip) return;
    server = await kind.start();
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
  });

  afterEach(async () => {
    for (const fixture of fixtures.splice(0)) await fixture.dispose();
  });

  async function fixture(): Promise<BackupFixture> {
    const created = await createBackupFixture(server);
    fixtures.push(created);
    return created;
  }

  /** Successful PUTs since `from`, as paths below the device folder. */
  async function putsSince(from: number, device: string): Promise<string[]> {
    const prefix = `/backup/${device}/`;
    return (await server.requests())
      .slice(from)
      .filter((request) => request.method === 'PUT' && request.status < 300 && request.path.startsWith(prefix))
      .map((request) => request.path.slice(prefix.length));
  }

  it.skipIf(kind.skip)('a first backup sends every file; the next run sends nothing', async () => {
    const f = await fixture();
    await f.write('a.txt', 'alpha\n');
    await f.write('sub/b.txt', 'bravo\n');
    await f.write('sub/deep/c.bin', Buffer.alloc(70_000, 7));
    await f.write('ü n i.txt', 'unicode\n');
    await mkdir(join(f.sourceDir(), 'empty'));
    await f.write('.DS_Store', 'finder');
    await f.write('.terasyncignore', '*.log\n');
    await f.write('debug.log', 'noise');
    await symlink(join(f.sourceDir(), 'a.txt'), join(f.sourceDir(), 'link.txt'));

    const first = await f.backup();
    expect(first.stopped).toBeNull();
    expect(first.failed).toEqual([]);
    expect(first.sent.map((item) => item.path).sort()).toEqual(['.terasyncignore', 'a.txt', 'sub/b.txt', 'sub/deep/c.bin', 'ü n i.txt']);
    expect(first.skipped).toEqual([expect.objectContaining({ source: 'Docs', path: 'link.txt', reason: 'symlink' })]);
    expect(first.versioned).toEqual([]);
    const remote = await f.serverTree('Docs');
    expect(Object.keys(remote).sort()).toEqual(['.terasyncignore', 'a.txt', 'sub/b.txt', 'sub/deep/c.bin', 'ü n i.txt']);
    expect(remote['a.txt']).toBe('alpha\n');
    expect(await f.serverNames('Docs')).toContain('empty');
    expect(await f.serverNames('')).toEqual(['Docs']);

    const before = (await server.requests()).length;
    const second = await f.backup();
    expect(second.sent).toEqual([]);
    expect(second.unchanged).toBe(5);
    expect(second.versioned).toEqual([]);
    // The journal answers for unchanged files: nothing is downloaded to compare either.
    const requests = (await server.requests()).slice(before);
    expect(requests.filter((request) => request.method !== 'PROPFIND' && request.method !== 'MKCOL')).toEqual([]);
  });

  it.skipIf(kind.skip)('an incremental run sends only edits and new paths; replaced and deleted copies go to .versions', async () => {
    const f = await fixture();
    const clock = new FakeClock(Date.UTC(2025, 2, 1, 9, 0, 0));
    await f.write('a.txt', 'version 1\n');
    await f.write('sub/b.txt', 'bravo\n');
    await f.write('sub/deep/c.txt', 'charlie\n');
    await f.write('touched.txt', 'same content\n');
    await f.write('grows.txt', 'short\n');
    await f.backup({ clock });

    await clock.advance(3_600_000);
    await f.write('a.txt', 'version 2\n');
    await f.write('grows.txt', 'a good deal longer now\n');
    await rm(join(f.sourceDir(), 'sub/b.txt'));
    await mkdir(join(f.sourceDir(), 'moved'));
    await rename(join(f.sourceDir(), 'sub/deep'), join(f.sourceDir(), 'moved/deep'));
    const later = new Date(Date.now() + 60_000);
    await utimes(join(f.sourceDir(), 'touched.txt'), later, later);
    await f.write('new.txt', 'new\n');

    const before = (await server.requests()).length;
    const summary = await f.backup({ clock });
    expect(summary.stopped).toBeNull();
    expect(summary.failed).toEqual([]);
    const stamp = formatVersionStamp(clock.now());
    expect(summary.version).toBe(stamp);
    expect(summary.sent.map((item) => item.path).sort()).toEqual(['a.txt', 'grows.txt', 'moved/deep/c.txt', 'new.txt']);
    expect(summary.versioned.map((item) => item.path).sort()).toEqual(['a.txt', 'grows.txt', 'sub/b.txt', 'sub/deep']);
    // The latest copy is the local folder; the old copies are in the run's version folder.
    expect(await f.serverTree('Docs')).toEqual(await readTree(f.sourceDir()));
    expect(await f.serverTree(`.versions/${stamp}/Docs`)).toEqual({
      'a.txt': 'version 1\n',
      'grows.txt': 'short\n',
      'sub/b.txt': 'bravo\n',
      'sub/deep/c.txt': 'charlie\n',
    });
    // Only the changed and new files went up (a replaced one through a temp name), the
    // touched file did not, and no temp file is left.
    const puts = await putsSince(before, f.device);
    expect(puts.filter((path) => !/\/\.terasync-[0-9a-f]+\.tmp$/.test(path)).sort()).toEqual(['Docs/moved/deep/c.txt', 'Docs/new.txt']);
    expect(puts.filter((path) => /\.terasync-/.test(path)).map((path) => path.replace(/[^/]+$/, ''))).toEqual(['Docs/', 'Docs/']);
    expect(JSON.stringify(await f.serverTree(''))).not.toContain('.terasync-');
  });

  /**
   * An edit that keeps size and mtime (`touch -r`, `rsync -t`, `cp -p`, unzip): written in place
   * or to a temp file renamed over. Backs up `edited.txt`, a file only touched and an untouched
   * one, applies `edit`, and checks that the edit is sent (its old copy versioned), the touched
   * file is hashed once and not sent, and the next run reads nothing.
   */
  async function editKeepingMtime(edit: (file: string, ref: string, f: BackupFixture) => Promise<void>): Promise<void> {
    const f = await fixture();
    const clock = new FakeClock(Date.UTC(2025, 3, 1, 9, 0, 0));
    const a = 'A'.repeat(64);
    await f.write('edited.txt', a);
    await f.write('touched.txt', a);
    await f.write('same.txt', a);
    const opened: string[] = [];
    const files = {
      openRead: (absolute: string): Readable => {
        opened.push(absolute.slice(f.sourceDir().length + 1));
        return createReadStream(absolute);
      },
    };
    expect((await f.backup({ clock, files })).sent).toHaveLength(3);
    await clock.advance(60_000);

    const at = (name: string): string => join(f.sourceDir(), name);
    const names = ['edited.txt', 'touched.txt', 'same.txt'];
    const sizeAndMtime = async (): Promise<number[][]> => Promise.all(names.map(async (name) => stat(at(name)).then((item) => [item.size, item.mtimeMs])));
    const before = await sizeAndMtime();
    const ref = join(f.base, 'ref');
    execFileSync('touch', ['-r', at('edited.txt'), ref]);
    await edit(at('edited.txt'), ref, f);
    // The same bytes written again, the mtime put back: only the ctime moved.
    execFileSync('touch', ['-r', at('touched.txt'), ref]);
    await writeFile(at('touched.txt'), a);
    execFileSync('touch', ['-r', ref, at('touched.txt')]);
    expect(await sizeAndMtime()).toEqual(before);

    opened.length = 0;
    const edited = await f.backup({ clock, files });
    expect(edited.failed).toEqual([]);
    expect(edited.sent.map((item) => item.path)).toEqual(['edited.txt']);
    expect(edited.versioned.map((item) => item.path)).toEqual(['edited.txt']);
    expect(edited.unchanged).toBe(2);
    // Only the files whose identity moved were read; same.txt was trusted.
    expect([...new Set(opened)].sort()).toEqual(['edited.txt', 'touched.txt']);
    expect(await f.serverTree('Docs')).toEqual(await readTree(f.sourceDir()));
    expect(await f.serverTree(`.versions/${edited.version}/Docs`)).toEqual({ 'edited.txt': a });

    // The new identities were recorded: the next run reads nothing and sends nothing.
    await clock.advance(60_000);
    opened.length = 0;
    const again = await f.backup({ clock, files });
    expect(again.sent).toEqual([]);
    expect(again.unchanged).toBe(3);
    expect(opened).toEqual([]);
  }

  it.skipIf(kind.skip)('an edit written in place that keeps size and mtime is sent (touch -r)', async () => {
    await editKeepingMtime(async (file, ref) => {
      await writeFile(file, 'B'.repeat(64));
      execFileSync('touch', ['-r', ref, file]);
    });
  });

  it.skipIf(kind.skip)('an edit written to a temp file with the old mtime and renamed over is sent', async () => {
    await editKeepingMtime(async (file, ref, f) => {
      const temp = join(f.base, 'edited.tmp');
      await writeFile(temp, 'C'.repeat(64));
      execFileSync('touch', ['-r', ref, temp]);
      await rename(temp, file);
    });
  });

  it.skipIf(kind.skip)('a first backup against a non-empty remote folder trusts size and content, not names', async () => {
    const f = await fixture();
    await f.write('same.txt', 'identical\n');
    await f.write('diff.txt', 'local one\n');
    await f.write('size.txt', 'local, longer than the remote\n');
    await f.write('new.txt', 'only local\n');
    const remoteDir = join(server.backupDir, f.device, 'Docs');
    await mkdir(remoteDir, { recursive: true });
    await writeFile(join(remoteDir, 'same.txt'), 'identical\n');
    await writeFile(join(remoteDir, 'diff.txt'), 'other one\n');
    await writeFile(join(remoteDir, 'size.txt'), 'short\n');
    await writeFile(join(remoteDir, 'gone.txt'), 'only remote\n');
    await server.grantServerAccess();

    const before = (await server.requests()).length;
    const summary = await f.backup();
    expect(summary.failed).toEqual([]);
    expect(summary.unchanged).toBe(1);
    expect(summary.sent.map((item) => item.path).sort()).toEqual(['diff.txt', 'new.txt', 'size.txt']);
    expect(summary.versioned.map((item) => item.path).sort()).toEqual(['diff.txt', 'gone.txt', 'size.txt']);
    expect(await f.serverTree('Docs')).toEqual(await readTree(f.sourceDir()));
    expect(await f.serverTree(`.versions/${summary.version}/Docs`)).toEqual({ 'diff.txt': 'other one\n', 'gone.txt': 'only remote\n', 'size.txt': 'short\n' });
    const requests = (await server.requests()).slice(before);
    const gets = requests.filter((request) => request.method === 'GET').map((request) => request.path.split('/').pop());
    expect(gets.sort()).toEqual(['diff.txt', 'same.txt']);
    expect(requests.some((request) => request.method === 'PUT' && request.path.endsWith('/same.txt'))).toBe(false);
  });

  it.skipIf(kind.skip)('restores a file and a folder from the latest copy and from a version, keeping local files aside', async () => {
    const f = await fixture();
    const clock = new FakeClock(Date.UTC(2025, 4, 1));
    await f.write('report.txt', 'report v1\n');
    await f.write('sub/one.txt', 'one v1\n');
    await f.write('sub/two.txt', 'two v1\n');
    await f.backup({ clock });
    await clock.advance(DAY);
    await f.write('report.txt', 'report v2\n');
    await f.write('sub/one.txt', 'one v2\n');
    const second = await f.backup({ clock });
    const version = second.version as string;

    const store = new WebDavRemoteStore({ url: server.backupUrl, auth: { kind: 'basic', user: server.user, password: server.password }, ...(server.ca ? { ca: server.ca } : {}) });
    const listing = await listSource(store, f.device, 'Docs').finally(() => store.dispose());
    expect(listing.latest.map((file) => file.path)).toEqual(['report.txt', 'sub/one.txt', 'sub/two.txt']);
    expect(listing.versions.map((entry) => [entry.version, entry.files.map((file) => file.path)])).toEqual([[version, ['report.txt', 'sub/one.txt']]]);

    // A file from the latest copy into a chosen folder.
    const chosen = join(f.base, 'restored');
    const file = await f.restore({ source: 'Docs', version: null, path: 'report.txt', target: join(chosen, 'report.txt') });
    expect(file.stopped).toBeNull();
    expect(file.restored).toEqual(['']);
    expect(await readFile(join(chosen, 'report.txt'), 'utf8')).toBe('report v2\n');

    // A folder from the version into a chosen folder: the copies that version holds.
    const folder = await f.restore({ source: 'Docs', version, path: 'sub', target: join(chosen, 'sub') });
    expect(folder.restored).toEqual(['one.txt']);
    expect(await readTree(join(chosen, 'sub'))).toEqual({ 'one.txt': 'one v1\n' });

    // The whole source to its original place: an identical file is left alone, a different
    // one is renamed aside, a missing one comes back.
    await f.write('report.txt', 'edited since\n');
    await rm(join(f.sourceDir(), 'sub/two.txt'));
    const whole = await f.restore({ source: 'Docs', version: null, path: '', target: f.sourceDir(), clock });
    expect(whole.stopped).toBeNull();
    expect(whole.restored.sort()).toEqual(['report.txt', 'sub/two.txt']);
    expect(whole.unchanged).toEqual(['sub/one.txt']);
    expect(whole.keptAside).toEqual([{ path: 'report.txt', copy: expect.stringMatching(/report \(restore conflict \d{4}-\d\d-\d\d \d{6}\)\.txt$/) }]);
    const local = await readTree(f.sourceDir());
    expect(local['report.txt']).toBe('report v2\n');
    expect(local['sub/two.txt']).toBe('two v1\n');
    const aside = Object.keys(local).find((name) => name.includes('restore conflict')) as string;
    expect(local[aside]).toBe('edited since\n');
    expect(Object.keys(local).some((name) => name.includes('.terasync-'))).toBe(false);

    // A file where a folder is to be restored is kept aside too.
    const clash = join(f.base, 'clash');
    await mkdir(clash);
    await writeFile(join(clash, 'sub'), 'a file in the way\n');
    const over = await f.restore({ source: 'Docs', version: null, path: 'sub', target: join(clash, 'sub'), clock });
    expect(over.keptAside).toEqual([{ path: '', copy: expect.stringContaining('sub (restore conflict ') }]);
    expect(await readTree(join(clash, 'sub'))).toEqual({ 'one.txt': 'one v2\n', 'two.txt': 'two v1\n' });

    await expect(f.restore({ source: 'Docs', version: null, path: 'missing.txt', target: join(chosen, 'missing.txt') })).rejects.toMatchObject({
      code: ErrorCode.NotFound,
    });
  });

  it.skipIf(kind.skip)('restores into a folder that does not exist yet, creating it with its parents', async () => {
    const f = await fixture();
    await f.write('a.txt', 'a\n');
    await f.write('sub/b.txt', 'b\n');
    await f.backup();
    const missing = join(f.base, 'not', 'made', 'yet');
    const whole = await f.restore({ source: 'Docs', version: null, path: '', target: join(missing, 'Docs') });
    expect(whole.stopped).toBeNull();
    expect(whole.failed).toEqual([]);
    expect(await readTree(join(missing, 'Docs'))).toEqual({ 'a.txt': 'a\n', 'sub/b.txt': 'b\n' });
    const one = await f.restore({ source: 'Docs', version: null, path: 'sub/b.txt', target: join(f.base, 'elsewhere', 'deep', 'b.txt') });
    expect(one.restored).toEqual(['']);
    expect(await readFile(join(f.base, 'elsewhere', 'deep', 'b.txt'), 'utf8')).toBe('b\n');
  });

  // The emulator (webdav-server) does not list such names at all; Apache, like the service, does.
  if (kind === backupServerKinds[0]) it.skipIf(kind.skip)('a restore reports server names it does not write (another client\'s "\\"), shown readably, and restores the rest', async () => {
    const f = await fixture();
    await f.write('ok.txt', 'fine\n');
    await f.write('sub/also.txt', 'also\n');
    await f.backup();
    // Another client put these into the backup: legal on the server, not names this client writes.
    await writeFile(join(server.backupDir, f.device, 'Docs', 'back\\slash.txt'), 'from elsewhere\n');
    await writeFile(join(server.backupDir, f.device, 'Docs', 'sub', 'a\\b.txt'), 'from elsewhere\n');
    await server.grantServerAccess();
    // Written after the hand-over (which reads names as UTF-8): Apache only needs to read it.
    const latin1 = true;
    const latin1File = Buffer.from(`${join(server.backupDir, f.device, 'Docs')}/caf\xe9.txt`, 'latin1');
    await writeFile(latin1File, 'latin-1 name\n');
    // Gone again at the end: the hand-over of later tests reads every name in the area as UTF-8.
    onTestFinished(() => rm(latin1File, { force: true }));

    const events: string[] = [];
    const target = join(f.base, 'out', 'Docs');
    const summary = await f.restore({ source: 'Docs', version: null, path: '', target, onEvent: (event) => event.type === 'skipped' && events.push(event.path) });
    expect(summary.stopped).toBeNull();
    expect(summary.failed).toEqual([]);
    expect(summary.restored.sort()).toEqual(['ok.txt', 'sub/also.txt']);
    const expected = ['back\\slash.txt', 'sub/a\\b.txt', ...(latin1 ? ['caf\\xE9.txt'] : [])].sort();
    expect(summary.skipped.map((item) => item.path).sort()).toEqual(expected);
    expect(events.sort()).toEqual(expected);
    const backslash = summary.skipped.find((item) => item.path === 'back\\slash.txt');
    expect(backslash).toEqual({
      path: 'back\\slash.txt',
      reason: 'invalid-name',
      message: '"back\\slash.txt" was not restored: TeraSync does not write names that contain "\\" (a folder separator on Windows). Download it from TeraCLOUD\'s web page, or rename it there and restore again.',
    });
    if (latin1) expect(summary.skipped.find((item) => item.path === 'caf\\xE9.txt')?.message).toContain('not valid UTF-8');
    expect(await readTree(target)).toEqual({ 'ok.txt': 'fine\n', 'sub/also.txt': 'also\n' });
  });

  it.skipIf(kind.skip)('files that cannot be read are listed, and the rest is backed up', async () => {
    const f = await fixture();
    await f.write('ok.txt', 'fine\n');
    await f.write('locked.txt', 'no access\n');
    await f.write('injected.txt', 'read fails\n');
    await f.write('vanishing.txt', 'here at the scan\n');
    await f.write('back\\slash.txt', 'a name the server cannot hold\n');
    execFileSync('mkfifo', [join(f.sourceDir(), 'pipe')]);
    await chmod(join(f.sourceDir(), 'locked.txt'), 0o000);
    const files = {
      openRead: (absolute: string): Readable => {
        if (absolute.endsWith('injected.txt')) {
          const stream = new Readable({ read() {} });
          process.nextTick(() => stream.destroy(Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' })));
          return stream;
        }
        return createReadStream(absolute);
      },
    };
    const onEvent = (event: BackupEvent): void => {
      // Removed between the scan and its upload.
      if (event.type === 'phase' && event.phase === 'sending') execFileSync('rm', ['-f', join(f.sourceDir(), 'vanishing.txt')]);
    };
    const summary = await f.backup({ files, onEvent });
    expect(summary.stopped).toBeNull();
    const failed = Object.fromEntries(summary.failed.map((failure) => [failure.path, failure.message]));
    expect(failed['injected.txt']).toMatch(/^Cannot read \/.*\/injected\.txt: permission denied \(EACCES\)\. Give your user read permission on it/);
    expect(failed['vanishing.txt']).toMatch(/vanished/);
    if (!isRoot) expect(failed['locked.txt']).toMatch(/^Cannot read \/.*\/locked\.txt: permission denied \(EACCES\)/);
    // A name with "\" is left out by the scan, as sync leaves it out, and said so with the name readable.
    expect(summary.skipped.map((entry) => [entry.path, entry.reason]).sort()).toEqual([
      ['back\\slash.txt', 'invalid-name'],
      ['pipe', 'special'],
    ]);
    expect(summary.sent.map((item) => item.path)).toContain('ok.txt');
    expect(Object.keys(await f.serverTree('Docs'))).toContain('ok.txt');
    expect(Object.keys(await f.serverTree('Docs'))).not.toContain('injected.txt');

    // Fixed: the next run sends what failed, and only that.
    await chmod(join(f.sourceDir(), 'locked.txt'), 0o644);
    const next = await f.backup();
    expect(next.sent.map((item) => item.path).sort()).toEqual(isRoot ? ['injected.txt'] : ['injected.txt', 'locked.txt']);
  });

  it.skipIf(kind.skip)('a 507 in the middle stops the backup cleanly; the next run sends only the rest', async () => {
    const f = await fixture();
    for (let index = 0; index < 8; index++) await f.write(`f${index}.txt`, `file ${index}\n`);
    let uploads = 0;
    const full = await f.backup({
      concurrency: 1,
      wrapRemote: (store) =>
        wrapStore(store, {
          upload: async (path, open, size, options) => {
            uploads++;
            if (uploads >= 4) throw new TeraSyncError(ErrorCode.InsufficientStorage, `The TeraCLOUD storage is full (507) for PUT "${path}".`, { status: 507 });
            return store.upload(path, open, size, options);
          },
        }),
    });
    expect(full.stopped).toMatchObject({ code: ErrorCode.InsufficientStorage, message: expect.stringContaining('507') });
    expect(full.sent).toHaveLength(3);
    expect(uploads).toBe(4);
    expect(full.failed).toEqual([]);

    const before = (await server.requests()).length;
    const next = await f.backup();
    expect(next.stopped).toBeNull();
    const sentFirst = full.sent.map((item) => `Docs/${item.path}`);
    const puts = await putsSince(before, f.device);
    expect(puts).toHaveLength(5);
    expect(puts.filter((path) => sentFirst.includes(path))).toEqual([]);
    expect(await f.serverTree('Docs')).toEqual(await readTree(f.sourceDir()));
  });

  it.skipIf(kind.skip)('a changed file uploaded but not yet moved into place is finished by the next run, not sent again', async () => {
    const f = await fixture();
    await f.write('a.txt', 'version 1\n');
    await f.backup();
    await f.write('a.txt', 'version 2, longer\n');
    const cut = await f.backup({
      wrapRemote: (store) =>
        wrapStore(store, {
          move: async (from, to, type, options) => {
            // The connection is lost right before the temp file is moved into place.
            if (from.includes('.terasync-')) throw new TeraSyncError(ErrorCode.Network, 'The connection was lost.');
            return store.move(from, to, type, options);
          },
        }),
    });
    expect(cut.stopped?.code).toBe(ErrorCode.Network);
    expect(cut.sent).toEqual([]);
    const before = (await server.requests()).length;
    const next = await f.backup();
    expect(next.stopped).toBeNull();
    expect(next.sent).toEqual([]);
    expect(next.unchanged).toBe(1);
    expect(await putsSince(before, f.device)).toEqual([]);
    expect(await f.serverTree('Docs')).toEqual({ 'a.txt': 'version 2, longer\n' });
    const versions = await f.serverTree('.versions');
    expect(Object.values(versions)).toEqual(['version 1\n']);
    expect(JSON.stringify(await f.serverTree(''))).not.toContain('.terasync-');
  });

  it.skipIf(kind.skip)('a cancelled backup resumes without sending again what completed', async () => {
    const f = await fixture();
    for (let index = 0; index < 10; index++) await f.write(`d/f${index}.bin`, Buffer.alloc(20_000, index));
    const controller = new AbortController();
    const cancelled = await f.backup({
      concurrency: 2,
      signal: controller.signal,
      onEvent: (event) => {
        if (event.type === 'file' && event.outcome === 'sent' && !controller.signal.aborted) controller.abort();
      },
    });
    expect(cancelled.stopped?.code).toBe(ErrorCode.Cancelled);
    expect(cancelled.sent.length).toBeGreaterThan(0);
    expect(cancelled.sent.length).toBeLessThan(10);
    const before = (await server.requests()).length;
    const resumed = await f.backup();
    expect(resumed.stopped).toBeNull();
    const puts = await putsSince(before, f.device);
    expect(puts.filter((path) => cancelled.sent.some((item) => `Docs/${item.path}` === path))).toEqual([]);
    expect(await f.serverTree('Docs')).toEqual(await readTree(f.sourceDir()));
  });

  it.skipIf(kind.skip)('versions older than the retention are pruned at the end of a backup (fake clock)', async () => {
    const f = await fixture();
    const start = Date.UTC(2025, 0, 1, 12, 0, 0);
    const clock = new FakeClock(start);
    await f.write('a.txt', 'a0\n');
    await f.write('b.txt', 'b0\n', 'Photos');
    await f.backup({ clock, sourceNames: ['Docs', 'Photos'] });

    await clock.advance(DAY);
    await f.write('a.txt', 'a1\n');
    await f.write('b.txt', 'b1\n', 'Photos');
    const day1 = await f.backup({ clock, sourceNames: ['Docs', 'Photos'] });
    await clock.advance(19 * DAY);
    await f.write('a.txt', 'a20\n');
    const day20 = await f.backup({ clock });
    expect(await f.serverNames('.versions')).toEqual([day1.version, day20.version]);
    const stranger = join(server.backupDir, f.device, '.versions', 'not-a-version');
    await mkdir(stranger);
    await server.grantServerAccess();

    // Day 32: day 1 is more than 30 days old, day 20 is not.
    await clock.advance(12 * DAY);
    await f.write('a.txt', 'a32\n');
    const day32 = await f.backup({ clock });
    expect(day32.stopped).toBeNull();
    expect(day32.pruned).toEqual([`${day1.version}/Docs`]);
    // Only this run's source was pruned: Photos keeps its history until a backup of Photos.
    expect(await f.serverNames('.versions')).toEqual([day1.version, day20.version, day32.version, 'not-a-version'].sort());
    expect(await f.serverNames(`.versions/${day1.version}`)).toEqual(['Photos']);
    expect(await f.serverTree(`.versions/${day20.version}/Docs`)).toEqual({ 'a.txt': 'a1\n' });

    const photos = await f.backup({ clock, sourceNames: ['Photos'] });
    expect(photos.pruned).toEqual([`${day1.version}/Photos`]);
    expect(await f.serverNames('.versions')).toEqual([day20.version, day32.version, 'not-a-version'].sort());

    // A retention of 0 keeps every version.
    await clock.advance(365 * DAY);
    await f.write('a.txt', 'a397\n');
    const keepAll = await f.backup({ clock, retentionDays: 0 });
    expect(keepAll.pruned).toEqual([]);
  });

  it.skipIf(kind.skip)('a source folder that is suddenly empty (an unmounted drive) leaves its backup alone', async () => {
    const f = await fixture();
    await f.write('a.txt', 'a\n');
    await f.write('b.txt', 'b\n');
    await f.write('keep.txt', 'k\n', 'Photos');
    await f.backup({ sourceNames: ['Docs', 'Photos'] });
    await rm(join(f.sourceDir(), 'a.txt'));
    await rm(join(f.sourceDir(), 'b.txt'));
    await f.write('new.txt', 'n\n', 'Photos');
    const summary = await f.backup({ sourceNames: ['Docs', 'Photos'] });
    expect(summary.failed).toEqual([expect.objectContaining({ source: 'Docs', path: '', code: ErrorCode.FailSafeTriggered, message: expect.stringContaining('is empty') })]);
    expect(summary.versioned).toEqual([]);
    expect(summary.sent).toEqual([{ source: 'Photos', path: 'new.txt', bytes: 2 }]);
    expect(await f.serverTree('Docs')).toEqual({ 'a.txt': 'a\n', 'b.txt': 'b\n' });
  });

  it.skipIf(kind.skip)('the fail-safe: a source that now holds 1 unrelated file where 50 were stops before changing anything, and goes ahead when allowed', async () => {
    const f = await fixture();
    const clock = new FakeClock(Date.UTC(2025, 6, 1, 9, 0, 0));
    const names = Array.from({ length: 50 }, (_, index) => `photo${String(index).padStart(2, '0')}.jpg`);
    for (const name of names) await f.write(`2024/${name}`, `${name}\n`);
    await f.write('other.txt', 'in the other folder\n', 'Notes');
    await f.backup({ clock, sourceNames: ['Docs', 'Notes'] });
    const backedUp = await f.serverTree('Docs');
    expect(Object.keys(backedUp)).toHaveLength(50);

    // Another drive at the same path: one unrelated file.
    await clock.advance(60_000);
    await rm(join(f.sourceDir(), '2024'), { recursive: true });
    await f.write('unrelated.txt', 'not the photos\n');
    await f.write('new.txt', 'a new note\n', 'Notes');
    const before = (await server.requests()).length;
    const stopped = await f.backup({ clock, sourceNames: ['Docs', 'Notes'] });
    expect(stopped.stopped).toMatchObject({ code: ErrorCode.FailSafeTriggered, message: expect.stringContaining('would move 50 of its 50 backed-up files out of the latest copy') });
    expect(stopped.stopped?.message).toContain(`${f.sourceDir()} now holds 1 file,`);
    expect(stopped.stopped?.message).toContain('--allow-mass-delete');
    expect(stopped.failSafe).toEqual({
      sources: [{ name: 'Docs', root: f.sourceDir(), backedUp: 50, wouldMove: 50, localFiles: 1, paths: names.map((name) => `2024/${name}`) }],
    });
    expect(stopped.sent).toEqual([]);
    expect(stopped.versioned).toEqual([]);
    // Nothing changed on the server, for either source: only listings were made.
    const requests = (await server.requests()).slice(before).filter((request) => request.path.startsWith(`/backup/${f.device}`));
    expect(requests.filter((request) => !['PROPFIND', 'MKCOL'].includes(request.method))).toEqual([]);
    expect(await f.serverTree('Docs')).toEqual(backedUp);
    expect(await f.serverNames('.versions')).toEqual([]);
    expect(await f.serverTree('Notes')).toEqual({ 'other.txt': 'in the other folder\n' });

    // A dry run says the same.
    const dry = await f.backup({ clock, dryRun: true });
    expect(dry.stopped?.code).toBe(ErrorCode.FailSafeTriggered);
    expect(dry.failSafe?.sources[0]?.wouldMove).toBe(50);

    // The user says go ahead: the 50 go to .versions, the new file is sent.
    const allowed = await f.backup({ clock, sourceNames: ['Docs', 'Notes'], allowMassDelete: true });
    expect(allowed.stopped).toBeNull();
    expect(allowed.failSafe).toBeNull();
    expect(allowed.versioned).toEqual([{ source: 'Docs', path: '2024' }]);
    expect(allowed.sent.map((item) => `${item.source}/${item.path}`).sort()).toEqual(['Docs/unrelated.txt', 'Notes/new.txt']);
    expect(await f.serverTree('Docs')).toEqual({ 'unrelated.txt': 'not the photos\n' });
    expect(Object.keys(await f.serverTree(`.versions/${allowed.version}/Docs`))).toHaveLength(50);
  });

  it.skipIf(kind.skip)('the fail-safe counts files: fewer than 10, or half or less, go; a renamed folder is not a mass move', async () => {
    const f = await fixture();
    const clock = new FakeClock(Date.UTC(2025, 6, 2, 9, 0, 0));
    for (let index = 0; index < 20; index++) await f.write(`a/f${index}.txt`, `a${index}\n`);
    for (let index = 0; index < 9; index++) await f.write(`b/f${index}.txt`, `b${index}\n`);
    await f.backup({ clock });

    // 9 of 29 moved away: fewer than 10.
    await clock.advance(60_000);
    await rm(join(f.sourceDir(), 'b'), { recursive: true });
    const nine = await f.backup({ clock });
    expect(nine.stopped).toBeNull();
    expect(nine.versioned).toEqual([{ source: 'Docs', path: 'b' }]);

    // 10 of 20: exactly half.
    await clock.advance(60_000);
    for (let index = 0; index < 10; index++) await rm(join(f.sourceDir(), `a/f${index}.txt`));
    const half = await f.backup({ clock });
    expect(half.stopped).toBeNull();
    expect(half.versioned).toHaveLength(10);

    // A renamed folder: every file goes up again under its new path, none is lost.
    await clock.advance(60_000);
    await rename(join(f.sourceDir(), 'a'), join(f.sourceDir(), 'renamed'));
    const renamed = await f.backup({ clock });
    expect(renamed.stopped).toBeNull();
    expect(renamed.sent).toHaveLength(10);
    expect(Object.keys(await f.serverTree('Docs')).sort()).toEqual(Array.from({ length: 10 }, (_, index) => `renamed/f${index + 10}.txt`).sort());

    // 10 of 19: more than half, and 10.
    await clock.advance(60_000);
    for (let index = 0; index < 9; index++) await f.write(`c/g${index}.txt`, `c${index}\n`);
    await f.backup({ clock });
    await clock.advance(60_000);
    await rm(join(f.sourceDir(), 'renamed'), { recursive: true });
    const most = await f.backup({ clock });
    expect(most.stopped?.code).toBe(ErrorCode.FailSafeTriggered);
    expect(most.failSafe?.sources[0]).toMatchObject({ backedUp: 19, wouldMove: 10, localFiles: 9 });
  });

  it.skipIf(kind.skip)('a dry run says what would be done and changes nothing', async () => {
    const f = await fixture();
    await f.write('a.txt', 'a\n');
    await f.backup();
    await f.write('a.txt', 'changed\n');
    await f.write('b.txt', 'new\n');
    const before = (await server.requests()).length;
    const dry = await f.backup({ dryRun: true });
    expect(dry.plan.map((item) => [item.path, item.action]).sort()).toEqual([
      ['a.txt', 'send-changed'],
      ['b.txt', 'send-new'],
    ]);
    const writes = (await server.requests()).slice(before).filter((request) => !['PROPFIND', 'GET'].includes(request.method));
    expect(writes).toEqual([]);
    expect(await f.serverTree('Docs')).toEqual({ 'a.txt': 'a\n' });
  });
});

describe('backup quota (emulator REST API)', () => {
  let server: BackupServer;
  beforeAll(async () => {
    server = await emulatorKind.start({ quotaBytes: 256 * 1024 });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('a backup that would not fit says so before it sends anything', async () => {
    const f = await createBackupFixture(server);
    try {
      for (let index = 0; index < 5; index++) await f.write(`big${index}.bin`, Buffer.alloc(100_000, index));
      const api = server.api as NonNullable<BackupServer['api']>;
      const rest = new TeraCloudApi({ apiBaseUrl: api.baseUrl, apiKey: api.key, credentials: { userId: server.user, password: server.password } });
      const quota = { getQuota: (signal?: AbortSignal) => rest.getQuota(api.origin, signal) };
      const before = (await server.requests()).length;
      const summary = await f.backup({ quota });
      expect(summary.stopped).toMatchObject({ code: ErrorCode.InsufficientStorage, message: expect.stringMatching(/would not fit: it needs to send 488\.3 KiB, but only 256\.0 KiB is free/) });
      expect(summary.sent).toEqual([]);
      expect((await server.requests()).slice(before).filter((request) => request.method === 'PUT')).toEqual([]);

      // What fits goes.
      for (let index = 1; index < 5; index++) await rm(join(f.sourceDir(), `big${index}.bin`));
      const fits = await f.backup({ quota });
      expect(fits.stopped).toBeNull();
      expect(fits.quota).toEqual({ neededBytes: 100_000, freeBytes: 256 * 1024 });
      expect(fits.sent.map((item) => item.path)).toEqual(['big0.bin']);
    } finally {
      await f.dispose();
    }
  });
});
