/**
 * An in-process WebDAV server (webdav-server v2) on loopback for fast integration tests:
 * BASIC authentication, one user with every right, files on disk (PhysicalFileSystem on a
 * temporary folder, so PUT and GET stream through real files and `dataDir` can be inspected).
 *
 * webdav-server does not implement `If-Match` / `If-None-Match` (only the WebDAV `If` header),
 * while Apache mod_dav does and the store relies on them. This wrapper evaluates both headers
 * for PUT, DELETE and MOVE before handing the request over, with webdav-server's own ETag for
 * the resource, so the preconditions behave as on Apache. It also records every request.
 *
 * For GET it does what Apache does and webdav-server does not (webdav-server does honour
 * `Range`, answering `Content-Range: bytes a-b/*`): it sends the ETag, evaluates `If-Range`
 * (strong comparison: a tag other than the current one, a weak tag or a date drops the
 * `Range`, so the answer is the whole file), and answers 416 with `Content-Range: bytes
 * *\/size` to an open range that starts at or beyond the end of the file.
 */
import { createHash } from 'node:crypto';
import type { Stats } from 'node:fs';
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
  /** The status answered, once the answer is sent. */
  status?: number;
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

export interface WebDavServerOptions {
  /** Listen on this loopback port (default: any free one). */
  port?: number;
  /**
   * Serve this folder instead of a fresh temp folder. The caller owns it: stop() leaves it in
   * place, so a new server can serve the same files again (a server that goes down and comes
   * back on the same port).
   */
  dataDir?: string;
}

export async function startWebDavServer(options: WebDavServerOptions = {}): Promise<WebDavTestServer> {
  const user = 'alice';
  const password = 'Apps-Password-0123';
  const ownsDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'terasync-webdav-')));

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
    const record: RecordedRequest = { method: req.method ?? '', path: req.url ?? '', headers: { ...req.headers } };
    requests.push(record);
    res.on('finish', () => {
      record.status = res.statusCode;
    });
    void preconditionFailed(req, dataDir, expectedAuthorization).then(
      async (failed) => {
        if (failed) {
          req.resume();
          res.writeHead(412, { 'Content-Length': '0' }).end();
          return;
        }
        if (req.method === 'GET' && req.headers.authorization === expectedAuthorization) {
          const unsatisfiable = await prepareGet(req, res, dataDir);
          if (unsatisfiable !== null) {
            res.writeHead(416, { 'Content-Length': '0', 'Content-Range': `bytes */${unsatisfiable}` }).end();
            return;
          }
        }
        execute(req, res);
      },
      () => execute(req, res),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
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
      if (ownsDataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** The file a request path names on disk, or null for a path that leaves dataDir. */
function diskPath(dataDir: string, requestPath: string): string | null {
  const names = requestPath
    .split('?')[0]!
    .split('/')
    .filter((segment) => segment !== '')
    .map((segment) => decodeURIComponent(segment));
  if (names.some((name) => name === '..' || name === '.' || name.includes('/') || name.includes('\\'))) return null;
  return join(dataDir, ...names);
}

function etagOf(info: Stats): string {
  return `"${createHash('md5').update(info.mtime.valueOf().toString()).digest('hex')}"`;
}

/** webdav-server's default ETag: md5 of the last-modified time in ms, quoted (FileSystem.etag). */
async function currentEtag(dataDir: string, requestPath: string): Promise<string | null> {
  const file = diskPath(dataDir, requestPath);
  if (file === null) return null;
  try {
    return etagOf(await stat(file));
  } catch {
    return null;
  }
}

/**
 * Apache's GET behaviour on top of webdav-server's: ETag header, If-Range, 416. Returns the
 * file size when the answer must be 416, else null (the request goes on to webdav-server,
 * its Range header dropped when If-Range does not match).
 */
async function prepareGet(req: IncomingMessage, res: ServerResponse, dataDir: string): Promise<number | null> {
  let info: Stats;
  try {
    const file = diskPath(dataDir, req.url ?? '/');
    if (file === null) return null;
    info = await stat(file);
  } catch {
    // A missing file, or a path that is not valid percent-encoding: webdav-server answers.
    return null;
  }
  if (!info.isFile()) return null;
  const etag = etagOf(info);
  res.setHeader('ETag', etag);
  const range = req.headers.range;
  if (range === undefined) return null;
  const header = req.headers['if-range'];
  const ifRange = Array.isArray(header) ? header.join(', ') : header;
  if (ifRange !== undefined && ifRange.trim() !== etag) {
    // RFC 9110 13.1.5: the condition fails, so the Range is ignored: the whole file.
    delete req.headers.range;
    return null;
  }
  const open = /^bytes=(\d+)-$/.exec(range.trim());
  if (open && Number(open[1]) >= info.size) return info.size;
  return null;
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
