/**
 * An in-process WebDAV server (webdav-server v2) on loopback for fast integration tests:
 * BASIC authentication, one user with every right, files on disk (PhysicalFileSystem on a
 * temporary folder, so PUT and GET stream through real files and `dataDir` can be inspected).
 *
 * webdav-server does not implement `If-Match` / `If-None-Match` (only the WebDAV `If` header),
 * while Apache mod_dav does and the store relies on them. This wrapper evaluates both headers
 * for PUT, DELETE and MOVE before handing the request over, with webdav-server's own ETag for
 * the resource, so the preconditions behave as on Apache. It also records every request.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import webdavServer from 'webdav-server';

const { v2 } = webdavServer;

export interface RecordedRequest {
  method: string;
  /** The request path as sent (still percent-encoded). */
  path: string;
  headers: Record<string, string | string[] | undefined>;
}

export interface WebDavTestServer {
  /** http://127.0.0.1:PORT/ : the root of the WebDAV tree. */
  url: string;
  user: string;
  password: string;
  /** The folder on disk that backs the tree. */
  dataDir: string;
  requests: RecordedRequest[];
  stop(): Promise<void>;
}

export async function startWebDavServer(): Promise<WebDavTestServer> {
  const user = 'alice';
  const password = 'Apps-Password-0123';
  const dataDir = await mkdtemp(join(tmpdir(), 'terasync-webdav-'));

  const users = new v2.SimpleUserManager();
  const alice = users.addUser(user, password, false);
  const privileges = new v2.SimplePathPrivilegeManager();
  privileges.setRights(alice, '/', ['all']);
  const dav = new v2.WebDAVServer({
    httpAuthentication: new v2.HTTPBasicAuthentication(users, 'TeraSync test'),
    privilegeManager: privileges,
    requireAuthentification: true,
    rootFileSystem: new v2.PhysicalFileSystem(dataDir),
  });
  const expectedAuthorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

  const requests: RecordedRequest[] = [];
  const execute = dav.executeRequest.bind(dav) as (req: IncomingMessage, res: ServerResponse) => void;

  const server: Server = createServer((req, res) => {
    requests.push({ method: req.method ?? '', path: req.url ?? '', headers: { ...req.headers } });
    void preconditionFailed(req, dataDir, expectedAuthorization).then(
      (failed) => {
        if (failed) {
          req.resume();
          res.writeHead(412, { 'Content-Length': '0' }).end();
          return;
        }
        execute(req, res);
      },
      () => execute(req, res),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/`,
    user,
    password,
    dataDir,
    requests,
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** webdav-server's default ETag: md5 of the last-modified time in ms, quoted (FileSystem.etag). */
async function currentEtag(dataDir: string, requestPath: string): Promise<string | null> {
  const names = requestPath
    .split('?')[0]!
    .split('/')
    .filter((segment) => segment !== '')
    .map((segment) => decodeURIComponent(segment));
  if (names.some((name) => name === '..' || name === '.' || name.includes('/') || name.includes('\\'))) return null;
  try {
    const info = await stat(join(dataDir, ...names));
    return `"${createHash('md5').update(info.mtime.valueOf().toString()).digest('hex')}"`;
  } catch {
    return null;
  }
}

function matchesAny(header: string, etag: string): boolean {
  return header
    .split(',')
    .map((tag) => tag.trim())
    .some((tag) => tag === '*' || tag === etag);
}

async function preconditionFailed(req: IncomingMessage, dataDir: string, authorization: string): Promise<boolean> {
  if (!['PUT', 'DELETE', 'MOVE'].includes(req.method ?? '')) return false;
  if (req.headers.authorization !== authorization) return false;
  const ifMatch = req.headers['if-match'];
  const ifNoneMatch = req.headers['if-none-match'];
  if (ifMatch === undefined && ifNoneMatch === undefined) return false;
  const etag = await currentEtag(dataDir, req.url ?? '/');
  // RFC 9110 13.1.1: If-Match compares strongly, so a weak tag never matches.
  if (ifMatch !== undefined && (etag === null || !matchesAny(ifMatch, etag))) return true;
  if (ifNoneMatch !== undefined && etag !== null && matchesAny(ifNoneMatch, etag)) return true;
  return false;
}
