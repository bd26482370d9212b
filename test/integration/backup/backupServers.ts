/**
 * The two servers every backup test runs against: Apache httpd with mod_dav over HTTPS,
 * configured like the service (/backup/ beside /dav/), and the local TeraCLOUD emulator (its
 * /backup/ area, and its REST quota). Each gives the backup area's URL and credentials, the
 * folder behind /backup/ on disk, and the requests it answered (decoded paths).
 */
import { readFile } from 'node:fs/promises';
import { startEmulator, type EmulatorAccount } from '../../../dev/emulator/TeraCloudEmulator.js';
import { apacheAvailable, startApache } from '../../support/apache.js';
import { requireSystemTool } from '../../support/requirements.js';

export interface ServedRequest {
  method: string;
  /** Decoded URL path, e.g. `/backup/dev/Docs/a b.txt`. */
  path: string;
  status: number;
}

export interface BackupServer {
  backupUrl: string;
  user: string;
  password: string;
  /** PEM of the CA (Apache over HTTPS), else undefined. */
  ca: string | undefined;
  caFile: string | undefined;
  /** The folder served at /backup/. */
  backupDir: string;
  /** Every request answered so far. */
  requests(): Promise<ServedRequest[]>;
  /** Files a test wrote into backupDir become the server's (Apache runs as www-data under root). */
  grantServerAccess(): Promise<void>;
  /** The emulator: the REST API for the quota. */
  api?: { baseUrl: string; key: string; origin: string };
  stop(): Promise<void>;
}

export interface BackupServerKind {
  name: string;
  skip: boolean;
  start(options?: { quotaBytes?: number }): Promise<BackupServer>;
}

const apache = requireSystemTool('apache2', apacheAvailable(), 'apache2 openssl');

function decodePath(raw: string): string {
  const path = raw.split('?')[0] ?? raw;
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

export const apacheKind: BackupServerKind = {
  name: 'Apache mod_dav over HTTPS',
  skip: apache.skip,
  async start() {
    apache.assertAvailable();
    const server = await startApache();
    const ca = await readFile(server.caFile, 'utf8');
    return {
      backupUrl: server.backupUrl,
      user: server.user,
      password: server.password,
      ca,
      caFile: server.caFile,
      backupDir: server.backupDir,
      requests: async () => (await server.accessLog()).map((line) => ({ method: line.method, path: line.path, status: line.status })),
      grantServerAccess: () => server.grantServerAccess(),
      stop: () => server.stop(),
    };
  },
};

export const emulatorKind: BackupServerKind = {
  name: 'TeraCLOUD emulator',
  skip: false,
  async start(options = {}) {
    const account: EmulatorAccount = { userId: 'demo', appsPassword: 'demo-apps-password', node: 'seto', ...(options.quotaBytes === undefined ? {} : { quotaBytes: options.quotaBytes }) };
    const emulator = await startEmulator({ oauth: false, accounts: [account] });
    return {
      backupUrl: emulator.backupUrl,
      user: account.userId,
      password: account.appsPassword,
      ca: undefined,
      caFile: undefined,
      backupDir: emulator.backupDir(),
      requests: async () =>
        emulator.requests.filter((request) => request.status !== undefined).map((request) => ({ method: request.method, path: decodePath(request.path), status: request.status as number })),
      grantServerAccess: async () => undefined,
      api: { baseUrl: emulator.apiBaseUrl, key: emulator.apiKey, origin: emulator.origin },
      stop: () => emulator.close(),
    };
  },
};

export const backupServerKinds: BackupServerKind[] = [apacheKind, emulatorKind];
