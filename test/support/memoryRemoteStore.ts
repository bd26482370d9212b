/**
 * A RemoteStore held in memory, for engine unit tests and as one subject of the RemoteStore
 * contract (test/integration/webdav/remoteStoreContract.test.ts), which runs the same cases
 * against it and against WebDavRemoteStore on webdav-server and on Apache, so that it cannot
 * drift from the real thing.
 *
 * - A folder tree; paths are refused as the real store refuses them (InvalidName for `..`,
 *   `\`, NUL, or the root where an entry is meant); a missing parent is Conflict, a FILE where
 *   a folder is asked for is Conflict.
 * - Where the real servers differ (`ServerBehaviour`), it answers like Apache (the service) by
 *   default and like webdav-server when told.
 * - ETags: strong by default (`"v<n>"`). With `etags: 'weak-when-fresh'` a file written less
 *   than `freshMs` ago shows `W/"v<n>"` and the strong tag afterwards, as Apache does within
 *   the second of a write. A weak `ifMatch` is checked against the file's current state
 *   (the opaque value, weakness ignored), as WebDavRemoteStore checks it with a PROPFIND; a
 *   strong one must equal the current tag, and a file showing a weak tag matches no strong one.
 *   A weak If-Match on a file that is gone is what the store's own check makes of it (upload:
 *   PreconditionFailed, remove: success, move: NotFound); a strong one is what the server
 *   answers (`strongIfMatchOnGone`).
 * - Partial listings: `putForeign` writes an entry another client could make but this one
 *   does not take (a name with `\`); listings leave it out and report it in `skipped`.
 * - The preconditions the executor relies on (If-None-Match: *, If-Match, MOVE without
 *   overwrite), a root that can be made to vanish, and a record of every call that changes the
 *   server.
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { ErrorCode, TeraSyncError } from '../../shared/errors.js';
import { isWeakEtag, sameEtag } from '../../shared/etag.js';
import { systemClock, type WallClock } from '../../electron/core/time.js';
import type { Listing, RemoteEntry, SkippedEntry } from '../../electron/sync/model.js';
import { backslashMessage } from '../../electron/sync/names.js';
import type { DownloadOptions, DownloadResult, RemoteStore, UploadOptions, UploadResult } from '../../electron/sync/ports.js';
import { splitRelativePath } from '../../electron/webdav/paths.js';

interface StoredFile {
  content: Buffer;
  version: number;
  mtimeMs: number;
  /** When it was written, on the clock. */
  writtenAt: number;
}

export interface StoreCall {
  method: 'upload' | 'createFolder' | 'remove' | 'move';
  path: string;
}

/**
 * Where the real servers answer differently, which way a store answers (the RemoteStore
 * contract allows each; test/support/remoteStoreContract.ts).
 */
export interface ServerBehaviour {
  /** 'strong': every file tag is strong (webdav-server). 'weak-when-fresh': weak for a while after a write (Apache). */
  etags: 'strong' | 'weak-when-fresh';
  /**
   * A DELETE or MOVE with a strong If-Match for a file that is gone: 'missing' (Apache: 404,
   * so a delete is success and a move NotFound) or 'refused' (webdav-server: 412,
   * PreconditionFailed).
   */
  strongIfMatchOnGone: 'missing' | 'refused';
  /** A MOVE of a missing source without If-Match: 'NotFound' (Apache) or 'Server' (webdav-server answers 500). */
  moveOfGone: 'NotFound' | 'Server';
}

export interface MemoryRemoteStoreOptions extends Partial<ServerBehaviour> {
  /** How long a written file shows a weak tag with 'weak-when-fresh' (default 1000 ms, as Apache). */
  freshMs?: number;
  /** The time for 'weak-when-fresh' (default systemClock). */
  clock?: WallClock;
}

export class MemoryRemoteStore implements RemoteStore {
  private readonly files = new Map<string, StoredFile>();
  private readonly folders = new Set<string>();
  /** Entries a listing skips, by path: what their listing says about them. */
  private readonly foreign = new Map<string, SkippedEntry>();
  private rootExists = true;
  private version = 0;
  private readonly etags: ServerBehaviour['etags'];
  private readonly strongIfMatchOnGone: ServerBehaviour['strongIfMatchOnGone'];
  private readonly moveOfGone: ServerBehaviour['moveOfGone'];
  private readonly freshMs: number;
  private readonly clock: WallClock;
  /** Every call that changed (or tried to change) the server, in order. */
  readonly changes: StoreCall[] = [];

  constructor(options: MemoryRemoteStoreOptions = {}) {
    this.etags = options.etags ?? 'strong';
    this.strongIfMatchOnGone = options.strongIfMatchOnGone ?? 'missing';
    this.moveOfGone = options.moveOfGone ?? 'NotFound';
    this.freshMs = options.freshMs ?? 1000;
    this.clock = options.clock ?? systemClock;
  }

  /** Writes a file as another device would, making its folders. */
  put(path: string, content: string | Buffer): void {
    this.makeParents(path);
    this.files.set(path, this.stored(Buffer.from(content)));
  }

  /**
   * Writes an entry another client could make but this one does not take (a name with `\`):
   * listings leave it out and report it in `skipped`, as the real store does.
   */
  putForeign(path: string, type: 'file' | 'dir' = 'file'): void {
    this.makeParents(path);
    this.foreign.set(path, { path, side: 'remote', reason: 'invalid-name', message: backslashMessage(type === 'dir', 'remote') });
  }

  /** Removes a file or a folder with everything in it, as another device would. */
  delete(path: string): void {
    for (const key of [...this.files.keys()]) if (key === path || key.startsWith(`${path}/`)) this.files.delete(key);
    for (const key of [...this.folders]) if (key === path || key.startsWith(`${path}/`)) this.folders.delete(key);
    for (const key of [...this.foreign.keys()]) if (key === path || key.startsWith(`${path}/`)) this.foreign.delete(key);
  }

  /** The whole pair folder disappears (removed on the server, a wrong URL). */
  removeRoot(): void {
    this.files.clear();
    this.folders.clear();
    this.foreign.clear();
    this.rootExists = false;
  }

  get hasRoot(): boolean {
    return this.rootExists;
  }

  /** Every file's content and every folder (as FOLDER), like the pair helper's trees. */
  tree(folderMark: string): Record<string, string> {
    const tree: Record<string, string> = {};
    for (const folder of this.folders) tree[folder] = folderMark;
    for (const [path, file] of this.files) tree[path] = file.content.toString('utf8');
    return tree;
  }

  async list(): Promise<Listing<RemoteEntry>> {
    if (!this.rootExists) throw new TeraSyncError(ErrorCode.NotFound, 'the folder is gone (memory store)');
    const entries = new Map<string, RemoteEntry>();
    for (const folder of this.folders) entries.set(folder, this.folderEntry(folder));
    for (const [path, file] of this.files) entries.set(path, this.fileEntry(path, file));
    return { entries, skipped: [...this.foreign.values()] };
  }

  async stat(path: string): Promise<RemoteEntry | null> {
    const names = splitRelativePath(path);
    if (names.length === 0) return this.rootExists ? this.folderEntry('') : null;
    const file = this.files.get(path);
    if (file) return this.fileEntry(path, file);
    return this.folders.has(path) ? this.folderEntry(path) : null;
  }

  async listChildren(path: string, options: { onSkipped?: (entry: SkippedEntry) => void } = {}): Promise<RemoteEntry[]> {
    splitRelativePath(path);
    if (!this.isFolder(path)) throw new TeraSyncError(ErrorCode.NotFound, `${path} is not a folder on the server (memory store)`);
    const listing = await this.list();
    for (const skipped of listing.skipped) if (parentOf(skipped.path) === path) options.onSkipped?.(skipped);
    return [...listing.entries.values()].filter((entry) => parentOf(entry.path) === path);
  }

  async isEmptyFolder(path: string): Promise<boolean> {
    return (await this.listChildren(path)).length === 0;
  }

  async download(path: string, destination: NodeJS.WritableStream, options: DownloadOptions = {}): Promise<DownloadResult> {
    this.fileNames(path);
    const file = this.files.get(path);
    if (!file) throw new TeraSyncError(ErrorCode.NotFound, `${path} is not on the server (memory store)`);
    const etag = this.etagOf(file);
    options.onStart?.({ etag, resumed: false, offset: 0, totalSize: file.content.length });
    await new Promise<void>((resolve, reject) => destination.write(file.content, (error) => (error ? reject(error) : resolve())));
    options.onProgress?.({ bytes: file.content.length });
    return { size: file.content.length, hash: sha256(file.content), etag, resumed: false, offset: 0 };
  }

  async upload(path: string, open: () => Readable, size: number, options: UploadOptions = {}): Promise<UploadResult> {
    this.changes.push({ method: 'upload', path });
    this.fileNames(path);
    const current = this.files.get(path);
    if (options.ifNoneMatch && (current || this.folders.has(path))) throw new TeraSyncError(ErrorCode.PreconditionFailed, `${path} exists`);
    if (options.ifMatch && !this.matches(current, options.ifMatch)) throw new TeraSyncError(ErrorCode.PreconditionFailed, `${path} changed`);
    if (!this.isFolder(parentOf(path))) throw new TeraSyncError(ErrorCode.Conflict, `the folder of ${path} is missing`);
    if (this.folders.has(path)) throw new TeraSyncError(ErrorCode.Conflict, `${path} is a folder`);
    const chunks: Buffer[] = [];
    for await (const chunk of open()) chunks.push(Buffer.from(chunk as Buffer));
    const content = Buffer.concat(chunks);
    if (content.length !== size) throw new TeraSyncError(ErrorCode.LocalIo, `announced ${size} bytes, read ${content.length}`);
    const stored = this.stored(content);
    this.files.set(path, stored);
    options.onProgress?.({ bytes: size });
    return { entry: this.fileEntry(path, stored) };
  }

  async createFolder(path: string): Promise<void> {
    this.changes.push({ method: 'createFolder', path });
    if (path === '') {
      this.rootExists = true;
      return;
    }
    splitRelativePath(path);
    if (!this.rootExists || !this.isFolder(parentOf(path))) throw new TeraSyncError(ErrorCode.Conflict, `the folder of ${path} is missing`);
    if (this.files.has(path)) throw new TeraSyncError(ErrorCode.Conflict, `${path} is a file`);
    this.folders.add(path);
  }

  async remove(path: string, type: 'file' | 'dir', options: { ifMatch?: string | null } = {}): Promise<void> {
    this.changes.push({ method: 'remove', path });
    this.fileNames(path);
    const current = this.files.get(path);
    if (type === 'file' && options.ifMatch && !this.matches(current, options.ifMatch)) {
      // Gone: a weak tag is checked by the store first (gone is what was wanted); a strong one
      // goes to the server, which may answer 412 to an If-Match on a missing resource.
      const refused = isWeakEtag(options.ifMatch) ? false : this.strongIfMatchOnGone === 'refused';
      if (current !== undefined || refused) throw new TeraSyncError(ErrorCode.PreconditionFailed, `${path} changed or is gone`);
    }
    this.delete(path);
  }

  async move(from: string, to: string, _type?: 'file' | 'dir', options: { ifMatch?: string | null } = {}): Promise<void> {
    this.changes.push({ method: 'move', path: from });
    this.fileNames(from);
    this.fileNames(to);
    const source = this.files.get(from);
    if (source === undefined && !this.folders.has(from)) {
      // As for remove: a strong If-Match reaches the server, which may answer 412.
      if (options.ifMatch && !isWeakEtag(options.ifMatch) && this.strongIfMatchOnGone === 'refused') {
        throw new TeraSyncError(ErrorCode.PreconditionFailed, `${from} is gone`);
      }
      if (!options.ifMatch && this.moveOfGone === 'Server') throw new TeraSyncError(ErrorCode.Server, `MOVE ${from} failed with 500 (memory store)`);
      throw new TeraSyncError(ErrorCode.NotFound, `${from} is gone`);
    }
    if (options.ifMatch && source !== undefined && !this.matches(source, options.ifMatch)) throw new TeraSyncError(ErrorCode.PreconditionFailed, `${from} changed`);
    if (this.files.has(to) || this.folders.has(to)) throw new TeraSyncError(ErrorCode.PreconditionFailed, `${to} exists`);
    if (!this.isFolder(parentOf(to))) throw new TeraSyncError(ErrorCode.Conflict, `the folder of ${to} is missing`);
    const rename = (path: string): string => to + path.slice(from.length);
    for (const [path, file] of [...this.files]) {
      if (path === from || path.startsWith(`${from}/`)) {
        this.files.delete(path);
        this.files.set(rename(path), file);
      }
    }
    for (const folder of [...this.folders]) {
      if (folder === from || folder.startsWith(`${from}/`)) {
        this.folders.delete(folder);
        this.folders.add(rename(folder));
      }
    }
    for (const [path, entry] of [...this.foreign]) {
      if (path.startsWith(`${from}/`)) {
        this.foreign.delete(path);
        this.foreign.set(rename(path), { ...entry, path: rename(path) });
      }
    }
  }

  async dispose(): Promise<void> {}

  /** The names of a path that must name an entry below the root (InvalidName otherwise). */
  private fileNames(path: string): string[] {
    const names = splitRelativePath(path);
    if (names.length === 0) throw new TeraSyncError(ErrorCode.InvalidName, 'the sync folder itself is not an entry (memory store)');
    return names;
  }

  private isFolder(path: string): boolean {
    return path === '' ? this.rootExists : this.folders.has(path);
  }

  /** Whether `ifMatch` guards `file` as it is now: weak tags by their opaque value, strong ones exactly. */
  private matches(file: StoredFile | undefined, ifMatch: string): boolean {
    if (file === undefined) return false;
    const current = this.etagOf(file);
    return isWeakEtag(ifMatch) ? sameEtag(current, ifMatch) : !isWeakEtag(current) && current === ifMatch;
  }

  private stored(content: Buffer): StoredFile {
    this.version++;
    // getlastmodified has one-second resolution.
    return { content, version: this.version, mtimeMs: 1_700_000_000_000 + this.version * 1000, writtenAt: this.clock.now() };
  }

  private etagOf(file: StoredFile): string {
    const weak = this.etags === 'weak-when-fresh' && this.clock.now() - file.writtenAt < this.freshMs;
    return `${weak ? 'W/' : ''}"v${file.version}"`;
  }

  private makeParents(path: string): void {
    for (let parent = parentOf(path); parent !== ''; parent = parentOf(parent)) this.folders.add(parent);
  }

  private fileEntry(path: string, file: StoredFile): RemoteEntry {
    return { path, remotePath: path, type: 'file', size: file.content.length, mtimeMs: file.mtimeMs, etag: this.etagOf(file) };
  }

  private folderEntry(path: string): RemoteEntry {
    return { path, remotePath: path, type: 'dir', size: 0, mtimeMs: 1_700_000_000_000, etag: null };
  }
}

function parentOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

function sha256(content: Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}
