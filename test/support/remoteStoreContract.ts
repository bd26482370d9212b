/**
 * The RemoteStore contract: one set of cases, run against every store the tests use (the
 * in-memory store of the engine tests, WebDavRemoteStore on webdav-server and on Apache
 * mod_dav), so that the fake behaves as the real thing does and a difference fails a test.
 * test/integration/webdav/remoteStoreContract.test.ts runs it; docs/ARCHITECTURE.md (Testing)
 * says what it guarantees.
 *
 * Where the real servers differ, the subject says which of the allowed behaviours it shows
 * (`ServerBehaviour`, and the in-memory store can show each):
 * - `etags`: 'strong' (webdav-server: every tag strong) or 'weak-when-fresh' (Apache: a file
 *   written within the last second may show `W/"x"`, and shows `"x"` afterwards). A tag
 *   changes with a write on every store, but webdav-server makes it from the modification
 *   time alone, to the millisecond: two writes in one millisecond share a tag there, so the
 *   cases that write twice let the clock move on first;
 * - `strongIfMatchOnGone`: a DELETE or MOVE with a strong If-Match for a file that is gone is
 *   'missing' (Apache: a delete is success, a move NotFound) or 'refused' (webdav-server: 412,
 *   PreconditionFailed; callers that must tell it from a change ask `stat`);
 * - `moveOfGone`: a MOVE of a missing source is NotFound (Apache), or Server (webdav-server
 *   answers 500). Where a server can hold names this client does not take (Apache), the
 * listing is partial: those entries are left out and reported in `skipped`; the in-memory store
 * shows that with `putForeign`.
 *
 * Refusals are coded errors (TeraSyncError codes), the same on every store: PreconditionFailed
 * for a failed If-Match / If-None-Match or an existing MOVE destination, Conflict for a missing
 * parent or a file where a folder is asked for, NotFound for what is gone, InvalidName for a
 * path that leaves the folder. A weak If-Match is checked by the store against the file's
 * current state (see shared/etag.ts and RemoteStore in electron/sync/ports.ts).
 */
import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../shared/errors.js';
import { isStrongEtag, isWeakEtag, normaliseEtag, sameEtag } from '../../shared/etag.js';
import type { RemoteEntry, SkippedEntry } from '../../electron/sync/model.js';
import { backslashMessage } from '../../electron/sync/names.js';
import type { RemoteStore } from '../../electron/sync/ports.js';
import type { ServerBehaviour } from './memoryRemoteStore.js';
import { until } from './until.js';

/** One empty folder of its own on the server under test, and a store rooted there. */
export interface ContractFolder {
  store: RemoteStore;
  /**
   * Writes a file behind the store's back, as another client would, with a name this client
   * does not take (`relativePath` holds a `\` in its last name). Absent where the server
   * cannot hold such a name (webdav-server reads `\` as a separator and lists only what it
   * wrote itself): a partial listing is then not a case it can show.
   */
  putForeign?(relativePath: string): Promise<void>;
  /** Removes the folder itself behind the store's back (removed elsewhere, a wrong URL). */
  removeRoot(): Promise<void>;
}

export interface ContractServer {
  /** A fresh folder (each case gets one). */
  folder(): Promise<ContractFolder>;
  stop(): Promise<void>;
}

export interface ContractSubject {
  name: string;
  /** True when this machine cannot run it (a missing system package: the caller prints SKIPPED). */
  skip?: boolean;
  /** Which of the allowed answers it gives where the real servers differ (see the header). */
  behaviour: ServerBehaviour;
  /**
   * Whether it can hold a name this client does not take, written by another client (its
   * folders then have `putForeign`); webdav-server cannot, so the partial-listing case is not
   * part of its contract.
   */
  foreignNames: boolean;
  start(): Promise<ContractServer>;
}

const AWKWARD_FOLDERS = ['a b', 'a b/100% sure', 'a b/100% sure/日本語', 'ü #1'];
const AWKWARD_FILES: Record<string, string> = {
  'top.txt': 'top',
  'a b/space name.txt': 'space',
  'a b/100% sure/50% off %41.txt': 'percent',
  'a b/100% sure/日本語/ファイル.txt': 'japanese',
  'ü #1/größe & co.txt': 'umlaut',
};

function bytes(content: string | Buffer): () => Readable {
  return () => Readable.from([Buffer.from(content)]);
}

function sha256(content: string | Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

async function write(store: RemoteStore, path: string, content: string | Buffer, options: Parameters<RemoteStore['upload']>[3] = {}): Promise<RemoteEntry> {
  return (await store.upload(path, bytes(content), Buffer.byteLength(content), options)).entry;
}

async function read(store: RemoteStore, path: string): Promise<{ text: string; etag: string | null; size: number; hash: string }> {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk);
      callback();
    },
  });
  const result = await store.download(path, sink);
  return { text: Buffer.concat(chunks).toString('utf8'), etag: result.etag, size: result.size, hash: result.hash };
}

async function etagOf(store: RemoteStore, path: string): Promise<string> {
  const entry = await store.stat(path);
  if (entry?.etag === null || entry?.etag === undefined) throw new Error(`${path} has no ETag`);
  return entry.etag;
}

/** The weak spelling of a tag (`W/"x"` for `"x"` or `W/"x"`). */
function weakened(tag: string): string {
  return `W/"${normaliseEtag(tag) ?? ''}"`;
}

/** The strong spelling of a tag (`"x"` for `W/"x"` or `"x"`). */
function strengthened(tag: string): string {
  return `"${normaliseEtag(tag) ?? ''}"`;
}

/** A tag of the same form that names no version of anything. */
function stranger(tag: string): string {
  return `${isWeakEtag(tag) ? 'W/' : ''}"not-${normaliseEtag(tag) ?? ''}"`;
}

export function describeRemoteStoreContract(subject: ContractSubject): void {
  describe.skipIf(subject.skip === true)(`RemoteStore contract: ${subject.name}`, () => {
    let server: ContractServer | undefined;
    let current: ContractFolder | undefined;

    beforeAll(async () => {
      server = await subject.start();
    }, 60_000);

    afterAll(async () => {
      await server?.stop();
    });

    afterEach(async () => {
      await current?.store.dispose();
      current = undefined;
    });

    async function fresh(): Promise<ContractFolder> {
      if (server === undefined) throw new Error('the server did not start');
      current = await server.folder();
      return current;
    }

    async function awkwardTree(store: RemoteStore): Promise<void> {
      for (const folder of AWKWARD_FOLDERS) await store.createFolder(folder);
      for (const [path, content] of Object.entries(AWKWARD_FILES)) await write(store, path, content);
    }

    describe('list and listChildren', () => {
      it('lists an empty folder as empty', async () => {
        const { store } = await fresh();
        const listing = await store.list();
        expect(listing.entries.size).toBe(0);
        expect(listing.skipped).toEqual([]);
        expect(await store.listChildren('')).toEqual([]);
        expect(await store.isEmptyFolder('')).toBe(true);
      });

      it('lists the whole nested tree with names that need encoding: types, sizes, paths, tags', async () => {
        const { store } = await fresh();
        await awkwardTree(store);
        const listing = await store.list();
        expect(listing.skipped).toEqual([]);
        const expected: Record<string, [string, number, string]> = {};
        for (const folder of AWKWARD_FOLDERS) expected[folder] = ['dir', 0, folder];
        for (const [path, content] of Object.entries(AWKWARD_FILES)) expected[path] = ['file', Buffer.byteLength(content), path];
        expect(Object.fromEntries([...listing.entries].map(([key, entry]) => [key, [entry.type, entry.size, entry.remotePath]]))).toEqual(expected);
        for (const [key, entry] of listing.entries) {
          expect(entry.path).toBe(key);
          expect(entry.mtimeMs).toBeGreaterThan(0);
          if (entry.type === 'file') expect(normaliseEtag(entry.etag), `the tag of ${key}`).not.toBeNull();
        }
      });

      it('lists one folder one level deep (Depth: 1), the root as well as a nested folder', async () => {
        const { store } = await fresh();
        await awkwardTree(store);
        const names = async (path: string): Promise<string[]> => (await store.listChildren(path)).map((entry) => `${entry.type}:${entry.path}`).sort();
        expect(await names('')).toEqual(['dir:a b', 'dir:ü #1', 'file:top.txt']);
        expect(await names('a b')).toEqual(['dir:a b/100% sure', 'file:a b/space name.txt']);
        expect(await names('a b/100% sure')).toEqual(['dir:a b/100% sure/日本語', 'file:a b/100% sure/50% off %41.txt']);
        expect(await store.isEmptyFolder('a b')).toBe(false);
        await store.createFolder('empty');
        expect(await store.isEmptyFolder('empty')).toBe(true);
        await expect(store.listChildren('absent')).rejects.toMatchObject({ code: ErrorCode.NotFound });
        await expect(store.isEmptyFolder('absent')).rejects.toMatchObject({ code: ErrorCode.NotFound });
      });

      // Only a server that can hold such a name has a partial listing to show (Apache and the
      // in-memory store do); for one that cannot (webdav-server), the case does not exist.
      if (subject.foreignNames) it('leaves out a name this client does not take, and says so in skipped (a partial listing)', async () => {
        const folder = await fresh();
        const { store } = folder;
        if (folder.putForeign === undefined) throw new Error(`${subject.name} says it holds foreign names, but gives no putForeign`);
        await store.createFolder('docs');
        await write(store, 'docs/ok.txt', 'fine');
        await folder.putForeign('docs/back\\slash.txt');
        const foreign: SkippedEntry = { path: 'docs/back\\slash.txt', side: 'remote', reason: 'invalid-name', message: backslashMessage(false, 'remote') };
        const listing = await store.list();
        expect([...listing.entries.keys()].sort()).toEqual(['docs', 'docs/ok.txt']);
        expect(listing.skipped).toEqual([foreign]);
        const heard: SkippedEntry[] = [];
        const children = await store.listChildren('docs', { onSkipped: (entry) => heard.push(entry) });
        expect(children.map((entry) => entry.path)).toEqual(['docs/ok.txt']);
        expect(heard).toEqual([foreign]);
      });

      it('throws NotFound when the folder itself is gone', async () => {
        const folder = await fresh();
        await write(folder.store, 'a.txt', 'a');
        await folder.removeRoot();
        await expect(folder.store.list()).rejects.toMatchObject({ code: ErrorCode.NotFound });
      });
    });

    describe('stat', () => {
      it('describes a file, a folder and the root, and answers null for what is missing', async () => {
        const { store } = await fresh();
        await store.createFolder('folder');
        const written = await write(store, 'folder/f ü.txt', 'four');
        expect(written).toMatchObject({ path: 'folder/f ü.txt', remotePath: 'folder/f ü.txt', type: 'file', size: 4 });
        const file = await store.stat('folder/f ü.txt');
        expect(file).toMatchObject({ path: 'folder/f ü.txt', remotePath: 'folder/f ü.txt', type: 'file', size: 4 });
        expect(sameEtag(file?.etag, written.etag)).toBe(true);
        expect(await store.stat('folder')).toMatchObject({ path: 'folder', remotePath: 'folder', type: 'dir', size: 0 });
        expect(await store.stat('')).toMatchObject({ path: '', type: 'dir' });
        expect(await store.stat('missing.txt')).toBeNull();
        expect(await store.stat('missing/deeper.txt')).toBeNull();
      });

      it('refuses paths that leave the folder or that a listing would skip, as InvalidName', async () => {
        const { store } = await fresh();
        for (const path of ['../escape', 'a/../../b', 'a\\b', 'a/./b', 'nul\0.txt']) {
          await expect(store.stat(path), path).rejects.toMatchObject({ code: ErrorCode.InvalidName });
        }
        await expect(write(store, '../escape.txt', 'x')).rejects.toMatchObject({ code: ErrorCode.InvalidName });
      });
    });

    describe('upload', () => {
      it('creates a file with If-None-Match, then refuses to overwrite it (PreconditionFailed)', async () => {
        const { store } = await fresh();
        const entry = await write(store, 'new 100%.txt', 'first', { ifNoneMatch: true });
        expect(entry).toMatchObject({ path: 'new 100%.txt', type: 'file', size: 5 });
        await expect(write(store, 'new 100%.txt', 'second', { ifNoneMatch: true })).rejects.toMatchObject({ code: ErrorCode.PreconditionFailed });
        expect((await read(store, 'new 100%.txt')).text).toBe('first');
        await store.createFolder('a folder');
        // Refused, either way: webdav-server and the memory store answer 412, Apache redirects
        // the PUT to the folder's URL (BadResponse: the store follows no redirect).
        const refusal = await write(store, 'a folder', 'x', { ifNoneMatch: true }).then(
          () => null,
          (error: unknown) => error,
        );
        expect(refusal).toMatchObject({ code: expect.stringMatching(/^(PreconditionFailed|BadResponse)$/) });
        expect(await store.stat('a folder')).toMatchObject({ type: 'dir' });
      });

      it('overwrites with the current tag in If-Match, giving a new tag; refuses the old one', async () => {
        const { store } = await fresh();
        const first = await write(store, 'doc.txt', 'v1');
        const current = await etagOf(store, 'doc.txt');
        // webdav-server's tag is the modification time to the millisecond (see the header).
        await delay(2);
        const second = await write(store, 'doc.txt', 'version 2', { ifMatch: current });
        expect(second.size).toBe(9);
        expect(sameEtag(second.etag, first.etag), 'a write gives a new tag').toBe(false);
        expect(sameEtag(await etagOf(store, 'doc.txt'), second.etag)).toBe(true);
        await expect(write(store, 'doc.txt', 'v3', { ifMatch: current })).rejects.toMatchObject({ code: ErrorCode.PreconditionFailed });
        await expect(write(store, 'doc.txt', 'v3', { ifMatch: stranger(current) })).rejects.toMatchObject({ code: ErrorCode.PreconditionFailed });
        expect((await read(store, 'doc.txt')).text).toBe('version 2');
      });

      it('refuses an If-Match, strong or weak, for a file that is gone (PreconditionFailed), and does not create it', async () => {
        const { store } = await fresh();
        const tag = await etagOf(store, (await write(store, 'gone.txt', 'here')).path);
        await store.remove('gone.txt', 'file');
        for (const ifMatch of [strengthened(tag), weakened(tag)]) {
          await expect(write(store, 'gone.txt', 'again', { ifMatch }), ifMatch).rejects.toMatchObject({ code: ErrorCode.PreconditionFailed });
        }
        expect(await store.stat('gone.txt')).toBeNull();
      });

      it('fails with Conflict when the folder is missing, and with LocalIo when the source is not the size given', async () => {
        const { store } = await fresh();
        await expect(write(store, 'nowhere/file.txt', 'x')).rejects.toMatchObject({ code: ErrorCode.Conflict });
        await expect(store.upload('short.txt', bytes('abc'), 10)).rejects.toMatchObject({ code: ErrorCode.LocalIo });
        await expect(store.upload('long.txt', bytes('abcdef'), 2)).rejects.toMatchObject({ code: ErrorCode.LocalIo });
      });
    });

    describe('ETags', () => {
      it(
        subject.behaviour.etags === 'strong'
          ? 'gives a written file a strong tag at once'
          : 'gives a written file a strong tag, or a weak one that turns strong with the same value',
        async () => {
          const { store } = await fresh();
          await write(store, 'fresh.txt', 'fresh');
          const first = await etagOf(store, 'fresh.txt');
          if (subject.behaviour.etags === 'strong') {
            expect(isStrongEtag(first), first).toBe(true);
            return;
          }
          const strong = await until('a strong tag for fresh.txt', async () => {
            const tag = await etagOf(store, 'fresh.txt');
            return isStrongEtag(tag) ? tag : null;
          }, 10_000);
          expect(sameEtag(strong, first), `${first} then ${strong}`).toBe(true);
        },
      );

      it('names the same version in stat, in the listing and in the download', async () => {
        const { store } = await fresh();
        await write(store, 'same.txt', 'same');
        const stat = await etagOf(store, 'same.txt');
        const listed = (await store.list()).entries.get('same.txt')?.etag;
        const downloaded = (await read(store, 'same.txt')).etag;
        expect(sameEtag(listed, stat), `${listed} / ${stat}`).toBe(true);
        expect(sameEtag(downloaded, stat), `${downloaded} / ${stat}`).toBe(true);
      });

      it('checks a weak If-Match against the file as it is now: unchanged goes ahead, changed is refused', async () => {
        const { store } = await fresh();
        await write(store, 'weak.txt', 'one');
        const weak = weakened(await etagOf(store, 'weak.txt'));
        // webdav-server's tag is the modification time to the millisecond (see the header).
        await delay(2);
        await write(store, 'weak.txt', 'two', { ifMatch: weak });
        expect((await read(store, 'weak.txt')).text).toBe('two');
        // `weak` now names the old version: upload, remove and move refuse it.
        await expect(write(store, 'weak.txt', 'three', { ifMatch: weak })).rejects.toMatchObject({ code: ErrorCode.PreconditionFailed });
        await expect(store.remove('weak.txt', 'file', { ifMatch: weak })).rejects.toMatchObject({ code: ErrorCode.PreconditionFailed });
        await expect(store.move('weak.txt', 'moved.txt', 'file', { ifMatch: weak })).rejects.toMatchObject({ code: ErrorCode.PreconditionFailed });
        expect((await read(store, 'weak.txt')).text).toBe('two');
        expect(await store.stat('moved.txt')).toBeNull();
        // The weak spelling of the current tag guards remove and move too.
        const now = weakened(await etagOf(store, 'weak.txt'));
        await store.move('weak.txt', 'moved.txt', 'file', { ifMatch: now });
        await store.remove('moved.txt', 'file', { ifMatch: now });
        expect(await store.stat('moved.txt')).toBeNull();
      });
    });

    describe('download', () => {
      it('streams the content with its size and SHA-256', async () => {
        const { store } = await fresh();
        const content = Buffer.from(`héllo ${'0123456789'.repeat(3000)}\n`);
        await store.createFolder('日本 100%');
        await write(store, '日本 100%/hello #1.txt', content);
        const got = await read(store, '日本 100%/hello #1.txt');
        expect(got.text).toBe(content.toString('utf8'));
        expect(got.size).toBe(content.length);
        expect(got.hash).toBe(sha256(content));
      });

      it('throws NotFound for a missing file', async () => {
        const { store } = await fresh();
        await expect(read(store, 'nope.txt')).rejects.toMatchObject({ code: ErrorCode.NotFound });
      });
    });

    describe('move', () => {
      it('moves a file and a folder with what is in it, to names that need encoding', async () => {
        const { store } = await fresh();
        await store.createFolder('from');
        await store.createFolder('to');
        await write(store, 'from/a.txt', 'a');
        await store.move('from/a.txt', 'to/b #1 50%.txt', 'file');
        expect(await store.stat('from/a.txt')).toBeNull();
        expect(await store.stat('to/b #1 50%.txt')).toMatchObject({ type: 'file', size: 1 });
        await store.move('to', 'renamed 日本', 'dir');
        expect(await store.stat('to')).toBeNull();
        expect((await read(store, 'renamed 日本/b #1 50%.txt')).text).toBe('a');
      });

      it('moves with the current tag in If-Match, and refuses a tag that names no version of it', async () => {
        const { store } = await fresh();
        await write(store, 'guarded.txt', 'g');
        const tag = await etagOf(store, 'guarded.txt');
        await expect(store.move('guarded.txt', 'elsewhere.txt', 'file', { ifMatch: stranger(tag) })).rejects.toMatchObject({ code: ErrorCode.PreconditionFailed });
        expect(await store.stat('elsewhere.txt')).toBeNull();
        await store.move('guarded.txt', 'elsewhere.txt', 'file', { ifMatch: tag });
        expect((await read(store, 'elsewhere.txt')).text).toBe('g');
      });

      it('fails with PreconditionFailed when the destination exists, leaving both', async () => {
        const { store } = await fresh();
        await write(store, 'one.txt', '1');
        await write(store, 'two.txt', '2');
        await expect(store.move('one.txt', 'two.txt', 'file')).rejects.toMatchObject({ code: ErrorCode.PreconditionFailed });
        expect((await read(store, 'one.txt')).text).toBe('1');
        expect((await read(store, 'two.txt')).text).toBe('2');
      });

      it(`fails when the source is gone (${subject.behaviour.moveOfGone}; under a strong If-Match: ${subject.behaviour.strongIfMatchOnGone})`, async () => {
        const { store } = await fresh();
        const tag = await etagOf(store, (await write(store, 'was.txt', 'w')).path);
        await store.remove('was.txt', 'file');
        await expect(store.move('was.txt', 'now.txt', 'file')).rejects.toMatchObject({ code: ErrorCode[subject.behaviour.moveOfGone] });
        await expect(store.move('was.txt', 'now.txt', 'file', { ifMatch: weakened(tag) })).rejects.toMatchObject({ code: ErrorCode.NotFound });
        await expect(store.move('was.txt', 'now.txt', 'file', { ifMatch: strengthened(tag) })).rejects.toMatchObject({
          code: subject.behaviour.strongIfMatchOnGone === 'refused' ? ErrorCode.PreconditionFailed : ErrorCode.NotFound,
        });
        expect(await store.stat('now.txt')).toBeNull();
      });

      it('refuses to move the folder itself (InvalidName)', async () => {
        const { store } = await fresh();
        await expect(store.move('', 'x', 'dir')).rejects.toMatchObject({ code: ErrorCode.InvalidName });
      });
    });

    describe('remove', () => {
      it('deletes a file and a folder with what is in it; a missing entry is success', async () => {
        const { store } = await fresh();
        await store.createFolder('dir');
        await store.createFolder('dir/sub');
        await write(store, 'dir/sub/inside.txt', 'x');
        await write(store, 'file ü.txt', 'y');
        await store.remove('file ü.txt', 'file');
        await store.remove('dir', 'dir');
        await store.remove('dir', 'dir');
        await store.remove('never-was.txt', 'file');
        expect(await store.stat('file ü.txt')).toBeNull();
        expect(await store.stat('dir')).toBeNull();
        expect((await store.list()).entries.size).toBe(0);
      });

      it('deletes with the current tag in If-Match and refuses a tag that names no version', async () => {
        const { store } = await fresh();
        await write(store, 'guarded.txt', 'g');
        const tag = await etagOf(store, 'guarded.txt');
        await expect(store.remove('guarded.txt', 'file', { ifMatch: stranger(tag) })).rejects.toMatchObject({ code: ErrorCode.PreconditionFailed });
        expect(await store.stat('guarded.txt')).not.toBeNull();
        await store.remove('guarded.txt', 'file', { ifMatch: tag });
        expect(await store.stat('guarded.txt')).toBeNull();
      });

      it(`deletes a gone file under a weak If-Match (success); under a strong one: ${subject.behaviour.strongIfMatchOnGone}`, async () => {
        const { store } = await fresh();
        const tag = await etagOf(store, (await write(store, 'gone.txt', 'g')).path);
        await store.remove('gone.txt', 'file');
        await store.remove('gone.txt', 'file', { ifMatch: weakened(tag) });
        const strong = store.remove('gone.txt', 'file', { ifMatch: strengthened(tag) });
        if (subject.behaviour.strongIfMatchOnGone === 'refused') await expect(strong).rejects.toMatchObject({ code: ErrorCode.PreconditionFailed });
        else await expect(strong).resolves.toBeUndefined();
        expect(await store.stat('gone.txt')).toBeNull();
      });

      it('refuses to delete the folder itself (InvalidName)', async () => {
        const { store } = await fresh();
        await expect(store.remove('', 'dir')).rejects.toMatchObject({ code: ErrorCode.InvalidName });
      });
    });

    describe('createFolder', () => {
      it('creates a folder, and a second call is success', async () => {
        const { store } = await fresh();
        await store.createFolder('Docs 100% ü');
        await store.createFolder('Docs 100% ü');
        expect(await store.stat('Docs 100% ü')).toMatchObject({ type: 'dir' });
      });

      it('fails with Conflict when a FILE has that name, or when the parent is missing', async () => {
        const { store } = await fresh();
        await write(store, 'taken', 'a file');
        await expect(store.createFolder('taken')).rejects.toMatchObject({ code: ErrorCode.Conflict });
        await expect(store.createFolder('missing/child')).rejects.toMatchObject({ code: ErrorCode.Conflict });
        expect(await store.stat('missing')).toBeNull();
      });
    });
  });
}
