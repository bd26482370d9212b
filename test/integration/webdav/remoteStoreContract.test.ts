/**
 * The RemoteStore contract (test/support/remoteStoreContract.ts) against every store the
 * tests use: the in-memory store of the engine tests (strong tags, and Apache-like weak tags
 * for fresh files), WebDavRemoteStore on webdav-server in process, and WebDavRemoteStore on
 * Apache mod_dav over HTTPS (skipped with a SKIPPED: notice without apache2, failed under CI).
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { WebDavRemoteStore } from '../../../electron/webdav/WebDavRemoteStore.js';
import { apacheAvailable, startApache } from '../../support/apache.js';
import { MemoryRemoteStore, type ServerBehaviour } from '../../support/memoryRemoteStore.js';
import { requireSystemTool } from '../../support/requirements.js';
import { describeRemoteStoreContract, type ContractFolder, type ContractServer } from '../../support/remoteStoreContract.js';
import { startWebDavServer } from '../../support/webdavServer.js';

const apache = requireSystemTool('apache2', apacheAvailable(), 'apache2 openssl');

/** What Apache mod_dav (the service) answers where servers differ; the memory store's default. */
const APACHE: ServerBehaviour = { etags: 'weak-when-fresh', strongIfMatchOnGone: 'missing', moveOfGone: 'NotFound' };
/** What webdav-server answers there. */
const WEBDAV_SERVER: ServerBehaviour = { etags: 'strong', strongIfMatchOnGone: 'refused', moveOfGone: 'Server' };

function memoryServer(options: Partial<ServerBehaviour>): ContractServer {
  return {
    async folder(): Promise<ContractFolder> {
      const store = new MemoryRemoteStore(options);
      return {
        store,
        putForeign: async (path) => store.putForeign(path),
        removeRoot: async () => store.removeRoot(),
      };
    },
    stop: async () => undefined,
  };
}

/** Folders on a real server: each under the server root, written behind the store's back on disk. */
function diskServer(setup: {
  url: string;
  user: string;
  password: string;
  dataDir: string;
  ca?: string;
  grantServerAccess?: () => Promise<void>;
  /** Whether the server lists names written on its disk behind its back (Apache does). */
  listsForeignNames: boolean;
  stop(): Promise<void>;
}): ContractServer {
  let count = 0;
  const storeAt = (url: string): WebDavRemoteStore =>
    new WebDavRemoteStore({
      url,
      auth: { kind: 'basic', user: setup.user, password: setup.password },
      ...(setup.ca === undefined ? {} : { ca: setup.ca }),
      retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 5 },
    });
  return {
    async folder(): Promise<ContractFolder> {
      count += 1;
      const name = `contract ${count}`;
      const admin = storeAt(setup.url);
      try {
        await admin.createFolder(name);
      } finally {
        await admin.dispose();
      }
      const root = join(setup.dataDir, name);
      return {
        store: storeAt(`${setup.url}${encodeURIComponent(name)}/`),
        ...(setup.listsForeignNames
          ? {
              async putForeign(path: string): Promise<void> {
                const file = join(root, ...path.split('/'));
                await mkdir(dirname(file), { recursive: true });
                await writeFile(file, 'written by another client');
                await setup.grantServerAccess?.();
              },
            }
          : {}),
        removeRoot: () => rm(root, { recursive: true, force: true }),
      };
    },
    stop: () => setup.stop(),
  };
}

describeRemoteStoreContract({
  name: 'the in-memory store, answering as Apache',
  behaviour: APACHE,
  foreignNames: true,
  start: async () => memoryServer(APACHE),
});

describeRemoteStoreContract({
  name: 'the in-memory store, answering as webdav-server',
  behaviour: WEBDAV_SERVER,
  foreignNames: true,
  start: async () => memoryServer(WEBDAV_SERVER),
});

describeRemoteStoreContract({
  name: 'the in-memory store as the engine tests build it (its defaults)',
  behaviour: { etags: 'strong', strongIfMatchOnGone: 'missing', moveOfGone: 'NotFound' },
  foreignNames: true,
  start: async () => memoryServer({}),
});

describeRemoteStoreContract({
  name: 'WebDavRemoteStore on webdav-server',
  behaviour: WEBDAV_SERVER,
  foreignNames: false,
  async start() {
    const server = await startWebDavServer();
    return diskServer({ ...server, listsForeignNames: false, stop: () => server.stop() });
  },
});

describeRemoteStoreContract({
  name: 'WebDavRemoteStore on Apache mod_dav over HTTPS',
  skip: apache.skip,
  behaviour: APACHE,
  foreignNames: true,
  async start() {
    apache.assertAvailable();
    const server = await startApache();
    const ca = await readFile(server.caFile, 'utf8');
    return diskServer({ ...server, ca, listsForeignNames: true, stop: () => server.stop() });
  },
});
