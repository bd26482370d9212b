/**
 * One WebDAV area on disk (a user's files, or their backup area) answered the way a TeraCLOUD
 * node answers: Apache httpd 2.4 with mod_dav_fs, mod_dir and mod_deflate (see
 * docs/SERVICE.md, The WebDAV server). The caller has authenticated the request already.
 *
 * webdav-server v2 (on a PhysicalFileSystem) answers PROPFIND, PROPPATCH, MKCOL, DELETE,
 * MOVE, COPY, LOCK and UNLOCK. In front of it, this class does what Apache does and
 * webdav-server does not, each checked against Apache 2.4 (test/support/apache.ts):
 * - mod_dir: any method on an existing folder whose URL lacks the trailing slash answers 301
 *   with `Location: <url>/` (so MKCOL of an existing folder is 301 without the slash and 405
 *   with it).
 * - `PROPFIND` without Depth or with `Depth: infinity` is 403 (`DavDepthInfinity Off`).
 * - ETags as Apache makes them (apacheEtag.ts), in PROPFIND and on GET; weak within a second of
 *   the last write.
 * - `If-Match` (strong comparison: a weak tag never matches) and `If-None-Match` for every
 *   method; 412 when they fail, 304 for a GET or HEAD whose If-None-Match matches.
 * - GET and HEAD are answered here: with `Accept-Encoding: gzip` the body is gzip-encoded and
 *   the ETag gains `-gzip` inside the quotes. With gzip the Range header is ignored (a full 200
 *   without Content-Length: that is what the service does; the Apache of our tests would
 *   send a range of the compressed bytes). Without gzip, single ranges, `If-Range` (strong)
 *   and 416 behave as in Apache. A GET on a folder is 404 (no index pages).
 * - PUT is answered here: streamed to a temporary file outside the area and renamed into
 *   place once the body is complete (mod_dav_fs does the same), so an interrupted upload
 *   leaves the previous version intact; 201 with Location for a new file, 204 for a
 *   replaced one, 409 when the parent folder is missing, never an ETag in the answer.
 * - DELETE answers 204 (webdav-server says 200), so does a COPY that replaces a resource
 *   (webdav-server says 201). A PROPPATCH of a DAV: live property such as
 *   getlastmodified answers 409 in its propstat, as mod_dav's "Property is read-only."
 *   (webdav-server says 403).
 * - Locks: webdav-server never holds a lock against its own owner, Apache holds it against
 *   any request without the lock token in `If`: a write to a locked resource (or into a
 *   folder locked with Depth: infinity) without the token answers 423 here. The LOCK answer's
 *   Lock-Token gets its angle brackets.
 * - A MOVE or COPY whose Destination is in another area (/dav/ to /backup/) answers 502; the
 *   two spellings of the files area (/dav/ and /v2/dav/) are one area.
 *
 * Not emulated: quota (no 507), multipart byte ranges (several ranges give the whole file),
 * dead properties survive only while the emulator runs.
 */
import { randomUUID } from 'node:crypto';
import type { BigIntStats } from 'node:fs';
import { createWriteStream } from 'node:fs';
import { open, rename, rm, stat, utimes } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, extname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import webdavServer from 'webdav-server';
import type { v2 as WebDav } from 'webdav-server';
import { apacheEtag, formatEtag, ifMatchSatisfied, ifNoneMatchMatches, type ApacheEtag } from './apacheEtag.js';

const { v2 } = webdavServer;

/** Where an area is reached: the URL path it is served under, and other paths that name it. */
export interface DavMount {
  /** Without the trailing slash: `/dav`. */
  prefix: string;
  /** Prefixes that serve the same folder, so a Destination there stays in this area: `/v2/dav`. */
  aliases: readonly string[];
}

export interface ApacheDavAreaOptions {
  /** The folder served. */
  root: string;
  /** Uploads in progress live here: on the same file system as `root`, outside it. */
  uploadDir: string;
  /** The user every request of this area acts as (one area belongs to one user). */
  userId: string;
  now: () => number;
}

/** What mod_dav_fs says in its OPTIONS answer. */
const DAV_HEADER = '1,2, <http://apache.org/dav/propset/fs/1>';
const ALLOW = 'OPTIONS,GET,HEAD,POST,DELETE,TRACE,PROPFIND,PROPPATCH,COPY,MOVE,PUT,LOCK,UNLOCK';
const WRITE_METHODS = new Set(['PUT', 'DELETE', 'MOVE', 'PROPPATCH', 'MKCOL', 'LOCK']);

const CONTENT_TYPES: Record<string, string> = {
  '.txt': 'text/plain',
  '.md': 'text/markdown',
  '.html': 'text/html',
  '.htm': 'text/html',
  '.css': 'text/css',
  '.js': 'text/javascript',
  '.json': 'application/json',
  '.xml': 'application/xml',
  '.csv': 'text/csv',
  '.pdf': 'application/pdf',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.svg': 'image/svg+xml',
  '.zip': 'application/zip',
  '.gz': 'application/gzip',
  '.mp3': 'audio/mpeg',
  '.mp4': 'video/mp4',
};

/** PhysicalFileSystem with Apache's ETags, so PROPFIND's getetag is the tag GET sends. */
class ApacheFileSystem extends v2.PhysicalFileSystem {
  constructor(
    root: string,
    private readonly now: () => number,
  ) {
    super(root);
  }

  protected override _etag(path: WebDav.Path, _info: WebDav.ETagInfo, callback: WebDav.ReturnCallback<string>): void {
    stat(join(this.rootPath, ...path.paths), { bigint: true }).then(
      (stats) => callback(undefined, formatEtag(apacheEtag(stats, this.now()))),
      () => callback(v2.Errors.ResourceNotFound),
    );
  }

  /** The unexpired locks held on exactly this path (webdav-server keeps them in memory): depth by token. */
  locks(names: readonly string[]): Promise<Map<string, number>> {
    const resource = this.resources[names.length === 0 ? '/' : `/${names.join('/')}`];
    if (resource === undefined) return Promise.resolve(new Map());
    return new Promise((resolve) => {
      resource.locks.getLocks((error, locks) => {
        resolve(new Map(error || !locks ? [] : locks.map((lock) => [lock.uuid, lock.depth])));
      });
    });
  }
}

type Decoded = { names: string[] } | { status: 400 | 404 };

/** The names of a path below the mount, decoded; Apache refuses `%2F` (404) and `..` (400). */
function decodeNames(relative: string): Decoded {
  const names: string[] = [];
  for (const segment of relative.split('/')) {
    if (segment === '') continue;
    let name: string;
    try {
      name = decodeURIComponent(segment);
    } catch {
      return { status: 400 };
    }
    if (name === '.' || name === '..') return { status: 400 };
    if (name.includes('/') || name.includes('\0')) return { status: 404 };
    names.push(name);
  }
  return { names };
}

async function statOrNull(path: string): Promise<BigIntStats | null> {
  try {
    return await stat(path, { bigint: true });
  } catch {
    return null;
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

function acceptsGzip(acceptEncoding: string | undefined): boolean {
  if (acceptEncoding === undefined) return false;
  return acceptEncoding.split(',').some((item) => {
    const [coding, ...parameters] = item.trim().toLowerCase().split(';');
    if (coding?.trim() !== 'gzip' && coding?.trim() !== 'x-gzip') return false;
    const quality = parameters.map((parameter) => /^\s*q=([\d.]+)\s*$/.exec(parameter)).find((match) => match !== null);
    return quality === undefined || Number(quality?.[1]) > 0;
  });
}

/** An HTML error page like Apache's, so a client that shows the body shows something sensible. */
function sendStatus(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  const title = `${status} ${httpReason(status)}`;
  const body = `<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html><head>\n<title>${title}</title>\n</head><body>\n<h1>${httpReason(status)}</h1>\n<p>${escapeHtml(message)}</p>\n</body></html>\n`;
  res.writeHead(status, { ...headers, 'Content-Type': 'text/html; charset=iso-8859-1', 'Content-Length': String(Buffer.byteLength(body)) });
  res.end(body);
}

function httpReason(status: number): string {
  const reasons: Record<number, string> = {
    201: 'Created',
    301: 'Moved Permanently',
    400: 'Bad Request',
    403: 'Forbidden',
    404: 'Not Found',
    405: 'Method Not Allowed',
    409: 'Conflict',
    412: 'Precondition Failed',
    416: 'Range Not Satisfiable',
    423: 'Locked',
    500: 'Internal Server Error',
    502: 'Bad Gateway',
  };
  return reasons[status] ?? 'Error';
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (character) => `&#${character.charCodeAt(0)};`);
}

/** The answer to a request whose body we do not read: drain it so the connection stays usable. */
function refuse(req: IncomingMessage, res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  req.resume();
  sendStatus(res, status, message, headers);
}

export class ApacheDavArea {
  private readonly fileSystem: ApacheFileSystem;
  private readonly server: WebDav.WebDAVServer;

  constructor(private readonly options: ApacheDavAreaOptions) {
    this.fileSystem = new ApacheFileSystem(options.root, options.now);
    const user: WebDav.IUser = { uid: options.userId, username: options.userId, isAdministrator: false, isDefaultUser: false };
    this.server = new v2.WebDAVServer({
      // The caller authenticated the request; inside the area it always acts as its owner.
      httpAuthentication: {
        askForAuthentication: () => ({}),
        getUser: (_context, callback) => callback(undefined as unknown as Error, user),
      },
      rootFileSystem: this.fileSystem,
      respondWithPaths: true,
      maxRequestDepth: 1,
      headers: { DAV: DAV_HEADER, Server: 'Apache' },
    });
  }

  /**
   * Answers one request. `req.url` is the URL as sent (it starts with `mount.prefix`);
   * `origin` (`http://127.0.0.1:PORT`) builds Location headers.
   */
  async handle(req: IncomingMessage, res: ServerResponse, mount: DavMount, origin: string): Promise<void> {
    const rawUrl = req.url ?? '/';
    const queryStart = rawUrl.indexOf('?');
    const rawPath = queryStart >= 0 ? rawUrl.slice(0, queryStart) : rawUrl;
    const query = queryStart >= 0 ? rawUrl.slice(queryStart) : '';
    const relative = rawPath.slice(mount.prefix.length);
    const decoded = decodeNames(relative);
    if ('status' in decoded) return refuse(req, res, decoded.status, 'Your browser sent a request that this server could not understand.');
    const { names } = decoded;
    const method = (req.method ?? 'GET').toUpperCase();
    const diskPath = join(this.options.root, ...names);
    const trailingSlash = rawPath.endsWith('/');
    let stats = await statOrNull(diskPath);

    if (stats?.isDirectory() && !trailingSlash) {
      // mod_dir (DirectorySlash On) redirects every method, MKCOL and PROPFIND included.
      const location = `${origin}${rawPath}/${query}`;
      return refuse(req, res, 301, `The document has moved to ${location}.`, { Location: location });
    }
    if (stats?.isFile() && trailingSlash) {
      // `file.txt/` is not the file: the path goes through a non-folder.
      if (method === 'MKCOL') return refuse(req, res, 405, 'The requested method MKCOL is not allowed for this URL.', { Allow: 'TRACE' });
      if (method !== 'PUT') return refuse(req, res, 404, 'The requested URL was not found on this server.');
      stats = null;
    }

    if (method === 'OPTIONS') {
      req.resume();
      res.writeHead(200, { DAV: DAV_HEADER, 'MS-Author-Via': 'DAV', Allow: ALLOW, 'Content-Length': '0', Server: 'Apache' });
      res.end();
      return;
    }
    if (method === 'GET' || method === 'HEAD') return this.serveFile(req, res, diskPath, method === 'HEAD');

    const etag = stats === null ? null : apacheEtag(stats, this.options.now());
    const ifMatch = header(req, 'if-match');
    const ifNoneMatch = header(req, 'if-none-match');
    if (ifMatch !== undefined && !ifMatchSatisfied(ifMatch, etag)) return refuse(req, res, 412, 'The precondition on the request for this URL evaluated to false.');
    if (ifNoneMatch !== undefined && ifNoneMatchMatches(ifNoneMatch, etag)) return refuse(req, res, 412, 'The precondition on the request for this URL evaluated to false.');

    if (method === 'PROPFIND') {
      const depth = header(req, 'depth')?.trim().toLowerCase();
      if (depth === undefined || depth === 'infinity') {
        return refuse(req, res, 403, `PROPFIND requests with a Depth of "infinity" are not allowed for ${rawPath}.`);
      }
      if (depth !== '0' && depth !== '1') return refuse(req, res, 400, 'An invalid Depth header was specified.');
    }
    if (method === 'MKCOL' && stats !== null) {
      return refuse(req, res, 405, 'The requested method MKCOL is not allowed for this URL.', { Allow: 'TRACE' });
    }
    if (names.length === 0 && (method === 'DELETE' || method === 'MOVE')) {
      return refuse(req, res, 403, `You don't have permission to ${method} the root of this area.`);
    }
    if (method === 'POST') return refuse(req, res, 405, 'The requested method POST is not allowed for this URL.', { Allow: ALLOW });

    let destination: { names: string[]; exists: boolean } | null = null;
    if (method === 'MOVE' || method === 'COPY') {
      const parsed = this.destination(req, mount, origin);
      if ('status' in parsed) return refuse(req, res, parsed.status, parsed.message);
      destination = { names: parsed.names, exists: (await statOrNull(join(this.options.root, ...parsed.names))) !== null };
      req.headers['destination'] = parsed.rewritten;
    }

    if (WRITE_METHODS.has(method) || destination !== null) {
      const locked =
        (method !== 'COPY' && !(await this.mayWrite(req, names, stats !== null))) ||
        (destination !== null && !(await this.mayWrite(req, destination.names, destination.exists)));
      if (locked) return refuse(req, res, 423, 'The lock must be released or proper identification given before the method can be applied.');
    }

    if (method === 'PUT') return this.put(req, res, diskPath, trailingSlash || names.length === 0, `${origin}${rawPath}`);

    if (method === 'DELETE') replaceStatus(res, 200, 204, 'No Content');
    // webdav-server says 201 for a COPY over an existing resource too.
    if (method === 'COPY' && destination?.exists) replaceStatus(res, 201, 204, 'No Content');
    if (method === 'PROPPATCH') reportReadOnlyProperties(res);
    if (method === 'LOCK') bracketLockToken(res);
    // webdav-server resolves the path below its root and prefixes hrefs with rootPath.
    req.url = `${relative === '' ? '/' : relative}${query}`;
    this.server.executeRequest(req, res, mount.prefix);
  }

  /** The Destination of a MOVE or COPY as names below this area, or why it is refused. */
  private destination(
    req: IncomingMessage,
    mount: DavMount,
    origin: string,
  ): { names: string[]; rewritten: string } | { status: 400 | 404 | 502; message: string } {
    const value = header(req, 'destination');
    if (value === undefined) return { status: 400, message: 'The request is missing a Destination header.' };
    let path: string;
    try {
      path = new URL(value, origin).pathname;
    } catch {
      return { status: 400, message: 'The Destination header does not contain a valid URI.' };
    }
    const prefix = [mount.prefix, ...mount.aliases].find((candidate) => path === candidate || path.startsWith(`${candidate}/`));
    if (prefix === undefined) return { status: 502, message: 'Destination URI refers to a different area of this server.' };
    const rest = path.slice(prefix.length);
    const decoded = decodeNames(rest);
    if ('status' in decoded) return { status: decoded.status, message: 'The Destination header does not name a valid resource.' };
    return { names: decoded.names, rewritten: `${mount.prefix}${rest === '' ? '/' : rest}` };
  }

  /**
   * False when a lock covers the resource and the If header does not carry its token: a lock
   * on the resource itself, on its parent when the request would create it, or with Depth
   * infinity on any folder above it.
   */
  private async mayWrite(req: IncomingMessage, names: readonly string[], exists: boolean): Promise<boolean> {
    const ifHeader = header(req, 'if') ?? '';
    const required: string[] = [...(await this.fileSystem.locks(names)).keys()];
    for (let length = names.length - 1; length >= 0; length -= 1) {
      for (const [token, depth] of await this.fileSystem.locks(names.slice(0, length))) {
        const isParent = length === names.length - 1;
        if (depth === -1 || (isParent && !exists)) required.push(token);
      }
    }
    return required.every((token) => ifHeader.includes(`<${token}>`));
  }

  private async serveFile(req: IncomingMessage, res: ServerResponse, diskPath: string, headOnly: boolean): Promise<void> {
    req.resume();
    let handle;
    try {
      handle = await open(diskPath, 'r');
    } catch {
      return sendStatus(res, 404, 'The requested URL was not found on this server.');
    }
    let streaming = false;
    try {
      const stats = await handle.stat({ bigint: true });
      if (!stats.isFile()) return sendStatus(res, 404, 'The requested URL was not found on this server.');
      const tag = apacheEtag(stats, this.options.now());
      const gzip = acceptsGzip(header(req, 'accept-encoding'));
      const size = Number(stats.size);
      const lastModified = new Date(Number(stats.mtimeMs)).toUTCString();
      const headers: Record<string, string> = {
        'Last-Modified': lastModified,
        ETag: formatEtag(tag, gzip ? '-gzip' : ''),
        'Accept-Ranges': 'bytes',
        Vary: 'Accept-Encoding',
        'Content-Type': CONTENT_TYPES[extname(diskPath).toLowerCase()] ?? 'application/octet-stream',
      };

      const ifMatch = header(req, 'if-match');
      if (ifMatch !== undefined && !ifMatchSatisfied(ifMatch, tag)) {
        return sendStatus(res, 412, 'The precondition on the request for this URL evaluated to false.');
      }
      const ifNoneMatch = header(req, 'if-none-match');
      const ifModifiedSince = header(req, 'if-modified-since');
      const notModified =
        ifNoneMatch !== undefined
          ? ifNoneMatchMatches(ifNoneMatch, tag)
          : ifModifiedSince !== undefined && Date.parse(ifModifiedSince) >= Math.floor(Number(stats.mtimeMs) / 1000) * 1000;
      if (notModified) {
        res.writeHead(304, { ETag: formatEtag(tag, gzip ? '-gzip' : ''), 'Last-Modified': lastModified, Vary: 'Accept-Encoding' });
        res.end();
        return;
      }

      if (gzip) {
        // The service ignores Range when it compresses, and cannot know the length beforehand.
        res.writeHead(200, { ...headers, 'Content-Encoding': 'gzip' });
        if (headOnly) {
          res.end();
          return;
        }
        streaming = true;
        await pipeline(handle.createReadStream(), createGzip(), res).catch(() => res.destroy());
        return;
      }

      const range = this.range(req, tag, lastModified, size);
      if (range === 'unsatisfiable') {
        return sendStatus(res, 416, 'None of the range-specifier values in the Range request-header field overlap the current extent of the selected resource.', {
          'Content-Range': `bytes */${size}`,
        });
      }
      if (range !== null) {
        res.writeHead(206, { ...headers, 'Content-Range': `bytes ${range.start}-${range.end}/${size}`, 'Content-Length': String(range.end - range.start + 1) });
      } else {
        res.writeHead(200, { ...headers, 'Content-Length': String(size) });
      }
      if (headOnly || size === 0) {
        res.end();
        return;
      }
      streaming = true;
      const body = handle.createReadStream(range === null ? {} : { start: range.start, end: range.end });
      await pipeline(body, res).catch(() => res.destroy());
    } finally {
      if (!streaming) await handle.close();
    }
  }

  /** The one byte range to send, null for the whole file. */
  private range(req: IncomingMessage, tag: ApacheEtag, lastModified: string, size: number): { start: number; end: number } | 'unsatisfiable' | null {
    const value = header(req, 'range');
    if (value === undefined) return null;
    const ifRange = header(req, 'if-range')?.trim();
    if (ifRange !== undefined) {
      // RFC 9110 13.1.5: a strong validator that is not the current one drops the Range.
      const valid = ifRange.startsWith('"') ? !tag.weak && ifRange === `"${tag.opaque}"` : !tag.weak && ifRange === lastModified;
      if (!valid) return null;
    }
    const match = /^bytes=(\d*)-(\d*)$/.exec(value.trim());
    if (match === null) return null;
    const [, first = '', last = ''] = match;
    if (first === '' && last === '') return null;
    if (first === '') {
      const suffix = Number(last);
      if (suffix === 0) return 'unsatisfiable';
      return { start: Math.max(0, size - suffix), end: size - 1 };
    }
    const start = Number(first);
    if (start >= size) return 'unsatisfiable';
    const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
    if (end < start) return null;
    return { start, end };
  }

  private async put(req: IncomingMessage, res: ServerResponse, diskPath: string, namesFolder: boolean, location: string): Promise<void> {
    if (namesFolder) return refuse(req, res, 409, 'Cannot PUT to a collection.');
    const parent = await statOrNull(dirname(diskPath));
    if (parent === null || !parent.isDirectory()) return refuse(req, res, 409, 'The parent folder does not exist.');
    const upload = join(this.options.uploadDir, `put-${randomUUID()}`);
    try {
      await pipeline(req, createWriteStream(upload, { flags: 'wx' }));
    } catch {
      // The client went away mid-body: the previous version stays, as with mod_dav_fs.
      await rm(upload, { force: true });
      if (!res.headersSent && !res.destroyed) sendStatus(res, 400, 'The request body was incomplete.');
      return;
    }
    const previous = await statOrNull(diskPath);
    try {
      await keepEtagsDistinct(upload, previous);
      await rename(upload, diskPath);
    } catch {
      await rm(upload, { force: true });
      return sendStatus(res, 409, 'The parent folder does not exist any more.');
    }
    if (previous !== null) {
      res.writeHead(204);
      res.end();
    } else {
      sendStatus(res, 201, `Resource ${new URL(location).pathname} has been created.`, { Location: location });
    }
  }
}

/**
 * Linux stamps files with a coarse clock (one tick is a few milliseconds), so a same-sized
 * rewrite right after the last write could get the same mtime, hence the same ETag as the
 * content it replaced. Apache has that flaw; a test server must not: such an upload's mtime
 * moves one millisecond past the previous one.
 */
async function keepEtagsDistinct(upload: string, previous: BigIntStats | null): Promise<void> {
  if (previous === null || !previous.isFile()) return;
  const written = await stat(upload, { bigint: true });
  if (written.size !== previous.size || written.mtimeNs / 1000n > previous.mtimeNs / 1000n) return;
  const later = new Date(Number(previous.mtimeNs / 1_000_000n) + 1);
  await utimes(upload, later, later);
}

/** webdav-server answers some requests with another status than Apache: change it on the way out. */
function replaceStatus(res: ServerResponse, from: number, to: number, reason: string): void {
  const writeHead = res.writeHead.bind(res) as (status: number, ...rest: unknown[]) => ServerResponse;
  res.writeHead = ((status: number, ...rest: unknown[]) => {
    if (status !== from) return writeHead(status, ...rest);
    res.statusMessage = reason;
    return writeHead(to, ...rest.filter((item) => typeof item !== 'string'));
  }) as ServerResponse['writeHead'];
}

/** RFC 4918 and Apache send `Lock-Token: <urn:...>`; webdav-server leaves out the brackets. */
function bracketLockToken(res: ServerResponse): void {
  const setHeader = res.setHeader.bind(res);
  res.setHeader = ((name: string, value: number | string | readonly string[]) =>
    setHeader(name, name.toLowerCase() === 'lock-token' && typeof value === 'string' && !value.startsWith('<') ? `<${value}>` : value)) as ServerResponse['setHeader'];
}

/**
 * webdav-server refuses a PROPPATCH of a DAV: property (getlastmodified, getetag, ...) with
 * 403 in the propstat; mod_dav answers 409 "Property is read-only." Its multistatus body goes
 * out in one write after Content-Length is set, so the status line inside is swapped there.
 */
function reportReadOnlyProperties(res: ServerResponse): void {
  const write = res.write.bind(res) as (chunk: unknown, ...rest: unknown[]) => boolean;
  res.write = ((chunk: unknown, ...rest: unknown[]) => {
    if (typeof chunk !== 'string' || res.headersSent) return write(chunk, ...rest);
    const patched = chunk.replaceAll('HTTP/1.1 403 Forbidden', 'HTTP/1.1 409 Conflict');
    res.setHeader('Content-Length', String(Buffer.byteLength(patched)));
    return write(patched, ...rest);
  }) as ServerResponse['write'];
}
