/**
 * The first-sync preview against the in-process WebDAV server and Apache mod_dav over HTTPS:
 * its numbers are what the real first sync then does, and it changes nothing on either side:
 * the server is only listed (no PUT, MKCOL, DELETE, MOVE, nor any GET), a missing local folder
 * is not created, a missing server folder is not created, the journal stays empty.
 */
import { randomBytes } from 'node:crypto';
import { lstat, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../shared/errors.js';
import type { PairPreview } from '../../../shared/types.js';
import { Journal } from '../../../electron/sync/journal.js';
import { silentLogger } from '../../../electron/core/logger.js';
import { previewSync } from '../../../electron/sync/preview.js';
import { WebDavRemoteStore } from '../../../electron/webdav/WebDavRemoteStore.js';
import type { Pair } from '../../support/pair.js';
import { serverKinds, useServer, type AnsweredRequest } from './servers.js';

describe.each(serverKinds)('the first-sync preview against $name', (kind) => {
  const fixture = useServer(kind);

  function storeAt(url: string): WebDavRemoteStore {
    const server = fixture.server();
    return new WebDavRemoteStore({
      url,
      auth: { kind: 'basic', user: server.user, password: server.password },
      ca: server.ca,
      retry: { attempts: 2, baseDelayMs: 10, maxDelayMs: 50 },
    });
  }

  /** The preview of `localRoot` against `remoteUrl`, with the requests it sent. */
  async function preview(
    localRoot: string,
    remoteUrl: string,
    journalFile: string,
    excludedFolders?: string[],
  ): Promise<{ preview: PairPreview; requests: AnsweredRequest[] }> {
    const before = (await fixture.requests()).length;
    const store = storeAt(remoteUrl);
    const journal = Journal.open(journalFile);
    try {
      const result = await previewSync({ localRoot, remote: store, journal, logger: silentLogger, platform: 'linux', caseInsensitive: false, excludedFolders });
      expect(journal.all()).toEqual([]);
      const prefix = new URL(remoteUrl).pathname.slice(0, -1);
      const requests = (await fixture.requests()).slice(before).filter((request) => request.path.startsWith(prefix));
      return { preview: result, requests };
    } finally {
      journal.close();
      await store.dispose();
    }
  }

  /** Only listings: nothing written, moved, deleted or even downloaded. */
  function expectOnlyListed(requests: AnsweredRequest[]): void {
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.filter((request) => request.method !== 'PROPFIND')).toEqual([]);
  }

  async function populatedPair(): Promise<Pair> {
    const pair = await fixture.newPair();
    await pair.writeLocal('docs/a.txt', 'aaaa');
    await pair.writeLocal('docs/deep/b.txt', 'bbbbbbbb');
    await pair.writeLocal('same.txt', 'same content');
    await pair.writeLocal('same-size.txt', 'mine!');
    await pair.writeLocal('differs.txt', 'mine');
    await pair.writeLocal('.DS_Store', 'finder');
    await pair.writeLocal('private/diary.txt', 'excluded');
    await symlink('same.txt', join(pair.local, 'link'));
    await pair.writeRemote('photos/p.jpg', 'jpeg bytes');
    await pair.writeRemote('photos/2019/q.jpg', 'older jpeg');
    await pair.writeRemote('same.txt', 'same content');
    await pair.writeRemote('same-size.txt', 'yours');
    await pair.writeRemote('differs.txt', 'theirs, longer');
    await pair.writeRemote('private/notes.txt', 'excluded on the server');
    return pair;
  }

  it.skipIf(kind.skip)('counts what the first sync then does, and changes nothing', async () => {
    const pair = await populatedPair();
    const journalFile = join(pair.stateDir, 'journal.sqlite');
    const localBefore = await pair.localTree();
    const remoteBefore = await pair.remoteTree();
    const { preview: counts, requests } = await preview(pair.local, pair.remoteUrl, journalFile, ['private']);
    expect(counts).toEqual({
      upload: { files: 2, bytes: 4 + 8 },
      download: { files: 2, bytes: 'jpeg bytes'.length + 'older jpeg'.length },
      createLocalFolders: 2,
      createRemoteFolders: 2,
      conflicts: 1,
      onBoth: 2,
      skipped: 1,
      conflictPaths: ['differs.txt'],
    });
    expectOnlyListed(requests);
    expect(await pair.localTree()).toEqual(localBefore);
    expect(await pair.remoteTree()).toEqual(remoteBefore);

    const { report } = await pair.sync({ excludedFolders: ['private'] });
    expect(report.errors).toEqual([]);
    expect(report.uploaded.sort()).toEqual(['docs/a.txt', 'docs/deep/b.txt']);
    expect(report.downloaded.sort()).toEqual(['photos/2019/q.jpg', 'photos/p.jpg']);
    expect(report.createdLocalFolders).toHaveLength(counts.createLocalFolders);
    expect(report.createdRemoteFolders).toHaveLength(counts.createRemoteFolders);
    expect(report.skipped).toHaveLength(counts.skipped);
    // The conflicts kept both ways, and of the files on both sides of equal size the one that differs.
    expect(report.conflicts.map((conflict) => conflict.path).sort()).toEqual(['differs.txt', 'same-size.txt']);
    expect(await pair.readLocal('same.txt')).toBe('same content');
  });

  it.skipIf(kind.skip)('creates neither a missing local folder nor a missing server folder', async () => {
    const pair = await fixture.newPair();
    const localRoot = join(pair.stateDir, 'not-yet');
    const missing = `${fixture.server().url}missing-${randomBytes(4).toString('hex')}/`;
    const { preview: counts, requests } = await preview(localRoot, missing, join(pair.stateDir, 'preview.sqlite'));
    expect(counts).toMatchObject({ upload: { files: 0, bytes: 0 }, download: { files: 0, bytes: 0 }, createLocalFolders: 0, createRemoteFolders: 0 });
    expectOnlyListed(requests);
    await expect(lstat(localRoot)).rejects.toMatchObject({ code: 'ENOENT' });
    const store = storeAt(missing);
    try {
      await expect(store.list()).rejects.toMatchObject({ code: ErrorCode.NotFound });
    } finally {
      await store.dispose();
    }
  });

  it.skipIf(kind.skip)('previews the upload of a local folder into a server folder that does not exist yet', async () => {
    const pair = await fixture.newPair();
    await pair.writeLocal('a/b.txt', 'bee');
    await pair.writeLocal('c.txt', 'sea');
    const missing = `${fixture.server().url}missing-${randomBytes(4).toString('hex')}/`;
    const { preview: counts, requests } = await preview(pair.local, missing, join(pair.stateDir, 'preview.sqlite'));
    expect(counts).toMatchObject({ upload: { files: 2, bytes: 6 }, createRemoteFolders: 1, download: { files: 0, bytes: 0 } });
    expectOnlyListed(requests);
    const store = storeAt(missing);
    try {
      await expect(store.list()).rejects.toMatchObject({ code: ErrorCode.NotFound });
    } finally {
      await store.dispose();
    }
  });

  it.skipIf(kind.skip)('previews the download of a server folder into a local folder that does not exist yet', async () => {
    const pair = await fixture.newPair();
    await pair.writeRemote('x/y.txt', 'why');
    const localRoot = join(pair.stateDir, 'not-yet');
    const { preview: counts, requests } = await preview(localRoot, pair.remoteUrl, join(pair.stateDir, 'preview.sqlite'));
    expect(counts).toMatchObject({ download: { files: 1, bytes: 3 }, createLocalFolders: 1, upload: { files: 0, bytes: 0 } });
    expectOnlyListed(requests);
    await expect(lstat(localRoot)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
