/**
 * WebDavRemoteStore.list() keeps, per folder, the hash of the last PROPFIND body and returns
 * the SAME listing object when every folder's body is byte for byte the last one (the engine
 * skips its own work on that object). Against the in-process webdav-server and Apache mod_dav
 * over HTTPS:
 *
 * - nothing changed: the identical object;
 * - a file two levels down rewritten (same size, other content): a new object whose only
 *   difference is that file, equal to what a store without a cache lists;
 * - folders added, removed, or replaced by a file: equal to a store without a cache;
 * - a folder PROPFIND that fails in the middle of a walk (a forwarding proxy answers 403 for
 *   it) fails the listing and leaves the cache as it was: the next listing is right.
 *
 * Trees are written straight into the server's data folder with fixed past mtimes: Apache
 * hands out a weak ETag for a file less than a second old and a strong one afterwards, which
 * would change a body between two listings by the clock alone. A rewrite gets another past
 * mtime, so its ETag changes without waiting.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { Agent as HttpAgent, createServer, request as httpRequest, type Server } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../shared/errors.js';
import type { Listing, RemoteEntry } from '../../../electron/sync/model.js';
import { WebDavRemoteStore } from '../../../electron/webdav/WebDavRemoteStore.js';
import { apacheAvailable, startApache } from '../../support/apache.js';
import { requireSystemTool } from '../../support/requirements.js';
import { startWebDavServer } from '../../support/webdavServer.js';

interface Harness {
  /** The WebDAV root URL, with a trailing slash. */
  url: string;
  user: string;
  password: string;
  ca?: string;
  /** The folder on disk served at `url`. */
  dataDir: string;
  /** Hands files the test wrote into dataDir to the server's account (Apache under root). */
  grant(): Promise<void>;
  stop(): Promise<void>;
}

interface Kind {
  name: string;
  skip: boolean;
  /**
   * Whether a PUT that replaces a file changes its folder's ETag. Apache's mod_dav_fs writes
   * to a temporary file and renames it into place (the folder's mtime changes); webdav-server
   * writes the file in place.
   */
  putChangesFolderEtag: boolean;
  start(): Promise<Harness>;
}

const apache = requireSystemTool('apache2', apacheAvailable(), 'apache2 openssl');

const kinds: Kind[] = [
  {
    name: 'webdav-server (in-process)',
    skip: false,
    putChangesFolderEtag: false,
    async start() {
      const server = await startWebDavServer();
      return { url: server.url, user: server.user, password: server.password, dataDir: server.dataDir, grant: async () => undefined, stop: () => server.stop() };
    },
  },
  {
    name: 'Apache mod_dav over HTTPS',
    skip: apache.skip,
    putChangesFolderEtag: true,
    async start() {
      apache.assertAvailable();
      const server = await startApache();
      return {
        url: server.url,
        user: server.user,
        password: server.password,
        ca: await readFile(server.caFile, 'utf8'),
        dataDir: server.dataDir,
        grant: () => server.grantServerAccess(),
        stop: () => server.stop(),
      };
    },
  },
];

/** Seconds since the epoch for past mtimes: every call gives a later one. */
let clock = Date.UTC(2021, 5, 1) / 1000;
const past = (): number => (clock += 10);
/** Every folder gets this one: a folder's own mtime is not what these tests are about. */
const FOLDER_TIME = Date.UTC(2020, 0, 1) / 1000;

/**
 * A proxy in front of the server that forwards everything, remembers the PROPFIND paths it
 * saw (decoded) and answers 403 to a PROPFIND of a path in `failing`.
 */
interface Proxy {
  /** http://127.0.0.1:PORT */
  origin: string;
  failing: Set<string>;
  propfinds: string[];
  /** Milliseconds to hold the answer to a PROPFIND of this (decoded) path; default none. */
  hold: (path: string) => number;
  stop(): Promise<void>;
}

async function startProxy(target: string, ca: string | undefined): Promise<Proxy> {
  const upstream = new URL(target);
  const secure = upstream.protocol === 'https:';
  const agent = secure ? new HttpsAgent({ keepAlive: true, ca }) : new HttpAgent({ keepAlive: true });
  const failing = new Set<string>();
  const propfinds: string[] = [];
  const control = { hold: (_path: string): number => 0 };
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0] ?? '/');
    const hold = req.method === 'PROPFIND' ? control.hold(path) : 0;
    if (req.method === 'PROPFIND') {
      propfinds.push(path);
      if (failing.has(path)) {
        req.resume();
        res.writeHead(403, { 'Content-Length': '0' }).end();
        return;
      }
    }
    const send = secure ? httpsRequest : httpRequest;
    const forward = send(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host }, agent },
      (answer) => {
        const pass = (): void => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        };
        if (hold > 0) setTimeout(pass, hold);
        else pass();
      },
    );
    forward.on('error', (error) => res.destroy(error));
    req.pipe(forward);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    failing,
    propfinds,
    get hold() {
      return control.hold;
    },
    set hold(value: (path: string) => number) {
      control.hold = value;
    },
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      agent.destroy();
    },
  };
}

describe.each(kinds)('the listing cache against $name', (kind) => {
  let harness: Harness | undefined;
  const disposables: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    if (kind.skip) return;
    harness = await kind.start();
  }, 60_000);

  afterEach(async () => {
    for (const dispose of disposables.splice(0).reverse()) await dispose();
  });

  afterAll(async () => {
    await harness?.stop();
  });

  const running = (): Harness => {
    if (!harness) throw new Error(`${kind.name} is not running`);
    return harness;
  };

  /** A fresh folder on the server, with helpers that change it on the server's disk. */
  async function newFolder(files: Record<string, string>, folders: string[] = []) {
    const name = `cache-${randomBytes(5).toString('hex')}`;
    const base = join(running().dataDir, name);
    const at = (path: string): string => join(base, ...path.split('/').filter(Boolean));
    await mkdir(base);
    disposables.push(() => rm(base, { recursive: true, force: true }));

    /** Folders to FOLDER_TIME (deepest first, so a child's utimes does not move its parent). */
    const settleFolders = async (): Promise<void> => {
      const all: string[] = [''];
      const walk = async (relative: string): Promise<void> => {
        for (const child of await readdir(at(relative), { withFileTypes: true })) {
          if (!child.isDirectory()) continue;
          const path = relative === '' ? child.name : `${relative}/${child.name}`;
          all.push(path);
          await walk(path);
        }
      };
      await walk('');
      for (const path of all.sort((a, b) => b.split('/').length - a.split('/').length || (a < b ? 1 : -1))) {
        await utimes(at(path), FOLDER_TIME, FOLDER_TIME);
      }
      await running().grant();
    };
    const writeFileAt = async (path: string, content: string): Promise<void> => {
      await mkdir(join(at(path), '..'), { recursive: true });
      await writeFile(at(path), content);
      const when = past();
      await utimes(at(path), when, when);
    };

    for (const folder of folders) await mkdir(at(folder), { recursive: true });
    for (const [path, content] of Object.entries(files)) await writeFileAt(path, content);
    await settleFolders();

    return {
      url: `${running().url}${name}/`,
      path: new URL(`${running().url}${name}/`).pathname,
      /** Writes (or rewrites) files with a new past mtime each, then settles the folders. */
      async write(changes: Record<string, string>): Promise<void> {
        for (const [path, content] of Object.entries(changes)) await writeFileAt(path, content);
        await settleFolders();
      },
      async remove(path: string): Promise<void> {
        await rm(at(path), { recursive: true });
        await settleFolders();
      },
      async mkdir(path: string): Promise<void> {
        await mkdir(at(path), { recursive: true });
        await settleFolders();
      },
    };
  }

  function openStore(url: string): WebDavRemoteStore {
    const { user, password, ca } = running();
    const store = new WebDavRemoteStore({
      url,
      auth: { kind: 'basic', user, password },
      ca,
      retry: { attempts: 2, baseDelayMs: 10, maxDelayMs: 50 },
    });
    disposables.push(() => store.dispose());
    return store;
  }

  /** What a store that never listed before (no cache) lists now. */
  async function uncached(url: string): Promise<Listing<RemoteEntry>> {
    return openStore(url).list();
  }

  const TREE = {
    'top.txt': 'top',
    'a/one.txt': 'one',
    'a/b/two.txt': 'two',
    'a/b/c/three.txt': 'three',
    'd/four.txt': 'four',
  };

  it.skipIf(kind.skip)('with nothing changed, list() returns the identical object, and it is what a store without a cache lists', async () => {
    const folder = await newFolder(TREE, ['empty']);
    const store = openStore(folder.url);
    const first = await store.list();
    expect([...first.entries.keys()].sort()).toEqual(['a', 'a/b', 'a/b/c', 'a/b/c/three.txt', 'a/b/two.txt', 'a/one.txt', 'd', 'd/four.txt', 'empty', 'top.txt']);
    expect(await store.list()).toBe(first);
    expect(await store.list()).toBe(first);
    expect(first).toEqual(await uncached(folder.url));
  });

  it.skipIf(kind.skip)('a file two levels down rewritten with the same size: a new object, with that file\'s new ETag and nothing else changed', async () => {
    const folder = await newFolder(TREE);
    const store = openStore(folder.url);
    const first = await store.list();
    const before = first.entries.get('a/b/two.txt');
    expect(before?.etag).toBeTruthy();

    await folder.write({ 'a/b/two.txt': 'TWO' });
    const second = await store.list();
    expect(second).not.toBe(first);
    const after = second.entries.get('a/b/two.txt');
    expect(after?.size).toBe(3);
    expect(after?.etag).toBeTruthy();
    expect(after?.etag).not.toBe(before?.etag);
    expect(after?.mtimeMs).not.toBe(before?.mtimeMs);
    const others = (listing: Listing<RemoteEntry>): Array<[string, RemoteEntry]> =>
      [...listing.entries].filter(([key]) => key !== 'a/b/two.txt').sort(([a], [b]) => (a < b ? -1 : 1));
    expect(others(second)).toEqual(others(first));
    expect(second.skipped).toEqual(first.skipped);
    expect(second).toEqual(await uncached(folder.url));
    // The new listing is the one kept now.
    expect(await store.list()).toBe(second);
  });

  it.skipIf(kind.skip)('a file three levels down rewritten with another size, and one at the top: both seen', async () => {
    const folder = await newFolder(TREE);
    const store = openStore(folder.url);
    const first = await store.list();
    await folder.write({ 'a/b/c/three.txt': 'three, longer now', 'top.txt': 'TOP' });
    const second = await store.list();
    expect(second).not.toBe(first);
    expect(second.entries.get('a/b/c/three.txt')?.size).toBe('three, longer now'.length);
    expect(second.entries.get('top.txt')?.etag).not.toBe(first.entries.get('top.txt')?.etag);
    expect(second).toEqual(await uncached(folder.url));
  });

  it.skipIf(kind.skip)('a folder added with files and a subfolder: equal to a listing without a cache', async () => {
    const folder = await newFolder(TREE);
    const store = openStore(folder.url);
    const first = await store.list();
    await folder.write({ 'a/new/n1.txt': 'n1', 'a/new/sub/n2.txt': 'n2' });
    await folder.mkdir('a/new/sub/empty');
    const second = await store.list();
    expect(second).not.toBe(first);
    for (const key of ['a/new', 'a/new/n1.txt', 'a/new/sub', 'a/new/sub/n2.txt', 'a/new/sub/empty']) expect(second.entries.has(key), key).toBe(true);
    expect(second).toEqual(await uncached(folder.url));
    expect(await store.list()).toBe(second);
  });

  it.skipIf(kind.skip)('a folder removed with its contents: equal to a listing without a cache', async () => {
    const folder = await newFolder(TREE);
    const store = openStore(folder.url);
    const first = await store.list();
    await folder.remove('a/b');
    const second = await store.list();
    expect(second).not.toBe(first);
    expect([...second.entries.keys()].filter((key) => key.startsWith('a/b'))).toEqual([]);
    expect(second).toEqual(await uncached(folder.url));
    expect(await store.list()).toBe(second);
  });

  it.skipIf(kind.skip)('a folder replaced by a file of the same name, and back: equal to a listing without a cache', async () => {
    const folder = await newFolder(TREE);
    const store = openStore(folder.url);
    await store.list();
    await folder.remove('a/b');
    await folder.write({ 'a/b': 'now a file' });
    const asFile = await store.list();
    expect(asFile.entries.get('a/b')?.type).toBe('file');
    expect(asFile).toEqual(await uncached(folder.url));

    await folder.remove('a/b');
    await folder.write({ 'a/b/c/three.txt': 'three again' });
    const asFolder = await store.list();
    expect(asFolder.entries.get('a/b')?.type).toBe('dir');
    expect(asFolder.entries.get('a/b/c/three.txt')?.size).toBe('three again'.length);
    expect(asFolder).toEqual(await uncached(folder.url));
  });

  describe('reuseUnchangedFolders: folders without subfolders whose ETag did not change are not asked', () => {
    async function throughProxy() {
      const folder = await newFolder(TREE, ['empty']);
      const { ca } = running();
      const proxy = await startProxy(folder.url, ca);
      disposables.push(() => proxy.stop());
      const store = openStore(`${proxy.origin}${folder.path}`);
      const asked = async (work: () => Promise<unknown>): Promise<string[]> => {
        const before = proxy.propfinds.length;
        await work();
        return proxy.propfinds.slice(before).map((path) => path.slice(folder.path.length)).sort();
      };
      return { folder, store, asked };
    }

    it.skipIf(kind.skip)('with nothing changed: only folders that have subfolders are asked, and the listing is the identical object', async () => {
      const { store, asked } = await throughProxy();
      const first = await store.list();
      let again: Listing<RemoteEntry> | undefined;
      expect(await asked(async () => (again = await store.list({ reuseUnchangedFolders: true })))).toEqual(['', 'a/', 'a/b/']);
      expect(again).toBe(first);
      // Without the option, every folder is asked.
      expect(await asked(() => store.list())).toEqual(['', 'a/', 'a/b/', 'a/b/c/', 'd/', 'empty/']);
    });

    it.skipIf(kind.skip)(
      kind.putChangesFolderEtag
        ? 'a file replaced through WebDAV changes its folder\'s ETag: that folder is asked and the change is seen'
        : 'a file replaced in place keeps its folder\'s ETag: missed until the next full walk, which then turns the shortcut off',
      async () => {
        const { folder, store, asked } = await throughProxy();
        const first = await store.list();
        await openStore(folder.url).upload('d/four.txt', () => Readable.from([Buffer.from('FOUR, replaced')]), 'FOUR, replaced'.length);
        let next: Listing<RemoteEntry> | undefined;
        const folders = await asked(async () => (next = await store.list({ reuseUnchangedFolders: true })));
        if (!kind.putChangesFolderEtag) {
          expect(folders).not.toContain('d/');
          expect(next?.entries.get('d/four.txt')).toEqual(first.entries.get('d/four.txt'));
          // The full walk sees it, and from then on every folder is asked.
          expect((await store.list()).entries.get('d/four.txt')?.size).toBe('FOUR, replaced'.length);
          await openStore(folder.url).upload('d/four.txt', () => Readable.from([Buffer.from('FOUR, replaced again')]), 'FOUR, replaced again'.length);
          expect(await asked(async () => (next = await store.list({ reuseUnchangedFolders: true })))).toContain('d/');
          expect(next?.entries.get('d/four.txt')?.size).toBe('FOUR, replaced again'.length);
          return;
        }
        expect(folders).toContain('d/');
        expect(next?.entries.get('d/four.txt')?.size).toBe('FOUR, replaced'.length);
        expect(next?.entries.get('d/four.txt')?.etag).not.toBe(first.entries.get('d/four.txt')?.etag);
        expect(next).toEqual(await uncached(folder.url));
      },
    );

    it.skipIf(kind.skip)(
      kind.putChangesFolderEtag
        ? 'a file this store replaced: its folder is asked at the next walk, which sees the upload, and the shortcut stays on'
        : 'a file this store replaced in place: its folder is asked at the next walk, which sees the upload and turns the shortcut off',
      async () => {
        const { folder, store, asked } = await throughProxy();
        await store.list();
        const replaced = 'FOUR, replaced by this store';
        const { entry } = await store.upload('d/four.txt', () => Readable.from([Buffer.from(replaced)]), replaced.length);
        let next: Listing<RemoteEntry> | undefined;
        expect(await asked(async () => (next = await store.list({ reuseUnchangedFolders: true })))).toContain('d/');
        expect(next?.entries.get('d/four.txt')?.size).toBe(replaced.length);
        expect(next?.entries.get('d/four.txt')?.etag).toBe(entry.etag);
        expect(next).toEqual(await uncached(folder.url));
        expect(store.folderEtagsTrackEntries).toBe(kind.putChangesFolderEtag);
        // Asked once: with nothing written since, the folder is skipped again where ETags can be trusted.
        const again = await asked(() => store.list({ reuseUnchangedFolders: true }));
        if (kind.putChangesFolderEtag) expect(again).not.toContain('d/');
        else expect(again).toContain('d/');
      },
    );

    it.skipIf(kind.skip)('a server that keeps a folder\'s ETag when its entries change is found out by the next full walk, and no folder is skipped after it', async () => {
      const { folder, store, asked } = await throughProxy();
      const first = await store.list();
      // The folder's mtime is put back after the change: its ETag stays, like on such a server.
      await folder.write({ 'd/four.txt': 'FOUR' });
      const missed = await store.list({ reuseUnchangedFolders: true });
      // The shortcut trusts the ETag until a full walk shows it cannot (why it is not the only walk).
      expect(missed.entries.get('d/four.txt')).toEqual(first.entries.get('d/four.txt'));
      const full = await store.list();
      expect(full.entries.get('d/four.txt')?.etag).not.toBe(first.entries.get('d/four.txt')?.etag);
      await folder.write({ 'd/four.txt': 'four again' });
      let next: Listing<RemoteEntry> | undefined;
      expect(await asked(async () => (next = await store.list({ reuseUnchangedFolders: true })))).toEqual(['', 'a/', 'a/b/', 'a/b/c/', 'd/', 'empty/']);
      expect(next?.entries.get('d/four.txt')?.size).toBe('four again'.length);
      expect(next).toEqual(await uncached(folder.url));
    });
  });

  describe('parallel listing', () => {
    /** Entries and skips in path order: what a listing says, whatever order its answers came in. */
    const canonical = (listing: Listing<RemoteEntry>) => ({
      entries: [...listing.entries].sort(([a], [b]) => (a < b ? -1 : 1)),
      skipped: [...listing.skipped].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
    });

    it.skipIf(kind.skip)('gives the same tree at any concurrency, whatever order the answers come back in', async () => {
      const tree: Record<string, string> = {};
      for (let top = 0; top < 6; top += 1) {
        tree[`t${top}/file.txt`] = `file ${top}`;
        for (let sub = 0; sub < 3; sub += 1) {
          tree[`t${top}/s${sub}/leaf.txt`] = `leaf ${top}.${sub}`;
          if (sub === 0) tree[`t${top}/s${sub}/deep/deeper.txt`] = `deeper ${top}`;
        }
      }
      const folder = await newFolder(tree, ['empty', 't0/s1/empty']);
      const proxy = await startProxy(folder.url, running().ca);
      disposables.push(() => proxy.stop());
      const { user, password, ca } = running();
      const storeAt = (concurrency: number): WebDavRemoteStore => {
        const store = new WebDavRemoteStore({ url: `${proxy.origin}${folder.path}`, auth: { kind: 'basic', user, password }, ca, concurrency });
        disposables.push(() => store.dispose());
        return store;
      };
      const reference = canonical(await storeAt(1).list());
      expect(reference.entries).toHaveLength(Object.keys(tree).length + 6 * 5 + 2);
      // Answers held back by varying times, a different order each round: the first folders
      // asked come back last in one round and first in the next.
      for (const [round, concurrency] of [[0, 3], [1, 8], [2, 8], [3, 16]] as const) {
        proxy.hold = (path) => ((path.length * 7 + round * 13) % 5) * 4;
        const before = proxy.propfinds.length;
        const listing = await storeAt(concurrency).list();
        expect(proxy.propfinds.length - before).toBe(1 + 1 + 6 * (1 + 3 + 1) + 1);
        expect(canonical(listing)).toEqual(reference);
      }
    });
  });

  describe('known: a listing handed to a store that has none of its own (a new process)', () => {
    async function throughProxy() {
      const folder = await newFolder(TREE, ['empty']);
      const proxy = await startProxy(folder.url, running().ca);
      disposables.push(() => proxy.stop());
      const asked = async (work: () => Promise<unknown>): Promise<string[]> => {
        const before = proxy.propfinds.length;
        await work();
        return proxy.propfinds.slice(before).map((path) => path.slice(folder.path.length)).sort();
      };
      return { folder, asked, store: () => openStore(`${proxy.origin}${folder.path}`) };
    }

    it.skipIf(kind.skip)('with nothing changed: only folders that have subfolders are asked, and the listing is the same tree', async () => {
      const { store, asked } = await throughProxy();
      const known = await store().list();
      const fresh = store();
      let listing: Listing<RemoteEntry> | undefined;
      expect(await asked(async () => (listing = await fresh.list({ reuseUnchangedFolders: true, known })))).toEqual(['', 'a/', 'a/b/']);
      expect(listing).toEqual(known);
      expect(fresh.folderEtagsTrackEntries).toBe(true);
      // Handed in without the option, it only feeds the check: every folder is asked.
      expect(await asked(() => store().list({ known }))).toEqual(['', 'a/', 'a/b/', 'a/b/c/', 'd/', 'empty/']);
    });

    it.skipIf(kind.skip)('a folder without subfolders that changed under the same ETag is caught: another folder shows the ETags do not follow, and the walk is done again', async () => {
      const { folder, store, asked } = await throughProxy();
      const known = await store().list();
      // Both changes put the folders' mtimes back: their ETags stay, as on a server whose
      // folder ETags do not follow their entries. `a` has a subfolder, so it is asked and
      // shows it; `d` has none and is skipped at first.
      await folder.write({ 'a/one.txt': 'ONE, changed', 'd/four.txt': 'FOUR, changed' });
      const fresh = store();
      let listing: Listing<RemoteEntry> | undefined;
      const folders = await asked(async () => (listing = await fresh.list({ reuseUnchangedFolders: true, known })));
      expect(folders).toContain('d/');
      expect(listing?.entries.get('d/four.txt')?.size).toBe('FOUR, changed'.length);
      expect(listing?.entries.get('a/one.txt')?.size).toBe('ONE, changed'.length);
      expect(listing).toEqual(await uncached(folder.url));
      expect(fresh.folderEtagsTrackEntries).toBe(false);
      // The verdict stays: nothing is skipped by this store any more.
      expect(await asked(() => fresh.list({ reuseUnchangedFolders: true, known }))).toEqual(['', 'a/', 'a/b/', 'a/b/c/', 'd/', 'empty/']);
    });

    it.skipIf(kind.skip)('a store told to distrust folder ETags skips nothing', async () => {
      const { store, asked } = await throughProxy();
      const known = await store().list();
      const fresh = store();
      fresh.distrustFolderEtags();
      expect(fresh.folderEtagsTrackEntries).toBe(false);
      expect(await asked(() => fresh.list({ reuseUnchangedFolders: true, known }))).toEqual(['', 'a/', 'a/b/', 'a/b/c/', 'd/', 'empty/']);
    });
  });

  describe('a folder PROPFIND that fails in the middle of a walk', () => {
    async function throughProxy() {
      const folder = await newFolder(TREE);
      const { ca } = running();
      const proxy = await startProxy(folder.url, ca);
      disposables.push(() => proxy.stop());
      const store = openStore(`${proxy.origin}${folder.path}`);
      return { folder, proxy, store };
    }

    it.skipIf(kind.skip)('fails the listing, and the next listing sees a change the failed walk had read', async () => {
      const { folder, proxy, store } = await throughProxy();
      const first = await store.list();
      expect(await store.list()).toBe(first);

      // a/b/ is read (and its new body hashed) before a/b/c/ is asked for, and fails.
      await folder.write({ 'a/b/two.txt': 'TWO' });
      proxy.failing.add(`${folder.path}a/b/c/`);
      const seen = proxy.propfinds.length;
      await expect(store.list()).rejects.toMatchObject({ code: ErrorCode.Forbidden });
      expect(proxy.propfinds.slice(seen)).toEqual(expect.arrayContaining([`${folder.path}a/b/`, `${folder.path}a/b/c/`]));

      proxy.failing.clear();
      const next = await store.list();
      expect(next).not.toBe(first);
      expect(next.entries.get('a/b/two.txt')?.etag).not.toBe(first.entries.get('a/b/two.txt')?.etag);
      expect(next).toEqual(await uncached(folder.url));
      expect(await store.list()).toBe(next);
    });

    it.skipIf(kind.skip)('with nothing changed, the listing after the failed one is the one from before', async () => {
      const { folder, proxy, store } = await throughProxy();
      const first = await store.list();
      proxy.failing.add(`${folder.path}a/b/c/`);
      await expect(store.list()).rejects.toMatchObject({ code: ErrorCode.Forbidden });
      proxy.failing.clear();
      expect(await store.list()).toBe(first);
    });

    it.skipIf(kind.skip)('a failure on the very first listing leaves no cache behind: the next listing is complete', async () => {
      const { folder, proxy, store } = await throughProxy();
      proxy.failing.add(`${folder.path}a/`);
      await expect(store.list()).rejects.toMatchObject({ code: ErrorCode.Forbidden });
      proxy.failing.clear();
      const next = await store.list();
      expect(next).toEqual(await uncached(folder.url));
      expect(next.entries.has('a/b/c/three.txt')).toBe(true);
    });
  });
});
