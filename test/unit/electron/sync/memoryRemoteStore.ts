/**
 * A RemoteStore held in memory, for engine unit tests: a folder tree with strong ETags, the
 * preconditions the executor relies on (If-None-Match: *, If-Match, MOVE without overwrite), a
 * root that can be made to vanish, and a record of every call that changes the server.
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { ErrorCode, TeraSyncError } from '../../../../shared/errors.js';
import type { Listing, RemoteEntry } from '../../../../electron/sync/model.js';
import type { DownloadOptions, DownloadResult, RemoteStore, UploadOptions, UploadResult } from '../../../../electron/sync/ports.js';

interface StoredFile {
  content: Buffer;
  etag: string;
  mtimeMs: number;
}

export interface StoreCall {
  method: 'upload' | 'createFolder' | 'remove' | 'move';
  path: string;
}

export class MemoryRemoteStore implements RemoteStore {
  private readonly files = new Map<string, StoredFile>();
  private readonly folders = new Set<string>();
  private rootExists = true;
  private version = 0;
  /** Every call that changed (or tried to change) the server, in order. */
  readonly changes: StoreCall[] = [];

  /** Writes a file as another device would, making its folders. */
  put(path: string, content: string): void {
    this.makeParents(path);
    this.files.set(path, this.stored(Buffer.from(content)));
  }

  /** Removes a file or a folder with everything in it, as another device would. */
  delete(path: string): void {
    for (const key of [...this.files.keys()]) if (key === path || key.startsWith(`${path}/`)) this.files.delete(key);
    for (const key of [...this.folders]) if (key === path || key.startsWith(`${path}/`)) this.folders.delete(key);
  }

  /** The whole pair folder disappears (removed on the server, a wrong URL). */
  removeRoot(): void {
    this.files.clear();
    this.folders.clear();
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
    return { entries, skipped: [] };
  }

  async stat(path: string): Promise<RemoteEntry | null> {
    const file = this.files.get(path);
    if (file) return this.fileEntry(path, file);
    return this.folders.has(path) ? this.folderEntry(path) : null;
  }

  async listChildren(path: string): Promise<RemoteEntry[]> {
    const listing = await this.list();
    return [...listing.entries.values()].filter((entry) => parentOf(entry.path) === path);
  }

  async isEmptyFolder(path: string): Promise<boolean> {
    return (await this.listChildren(path)).length === 0;
  }

  async download(path: string, destination: NodeJS.WritableStream, options: DownloadOptions = {}): Promise<DownloadResult> {
    const file = this.files.get(path);
    if (!file) throw new TeraSyncError(ErrorCode.NotFound, `${path} is not on the server (memory store)`);
    options.onStart?.({ etag: file.etag, resumed: false, offset: 0, totalSize: file.content.length });
    await new Promise<void>((resolve, reject) => destination.write(file.content, (error) => (error ? reject(error) : resolve())));
    options.onProgress?.({ bytes: file.content.length });
    return { size: file.content.length, hash: sha256(file.content), etag: file.etag, resumed: false, offset: 0 };
  }

  async upload(path: string, open: () => Readable, size: number, options: UploadOptions = {}): Promise<UploadResult> {
    this.changes.push({ method: 'upload', path });
    const current = this.files.get(path);
    if (options.ifNoneMatch && (current || this.folders.has(path))) throw new TeraSyncError(ErrorCode.PreconditionFailed, `${path} exists`);
    if (options.ifMatch && current?.etag !== options.ifMatch) throw new TeraSyncError(ErrorCode.PreconditionFailed, `${path} changed`);
    if (!this.folders.has(parentOf(path)) && parentOf(path) !== '') throw new TeraSyncError(ErrorCode.Conflict, `the folder of ${path} is missing`);
    const chunks: Buffer[] = [];
    for await (const chunk of open()) chunks.push(Buffer.from(chunk as Buffer));
    const content = Buffer.concat(chunks);
    if (content.length !== size) throw new TeraSyncError(ErrorCode.BadResponse, `announced ${size} bytes, sent ${content.length}`);
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
    if (!this.rootExists) throw new TeraSyncError(ErrorCode.Conflict, 'the pair folder is missing');
    this.folders.add(path);
  }

  async remove(path: string, type: 'file' | 'dir', options: { ifMatch?: string | null } = {}): Promise<void> {
    this.changes.push({ method: 'remove', path });
    const current = this.files.get(path);
    if (type === 'file' && options.ifMatch && current && current.etag !== options.ifMatch) {
      throw new TeraSyncError(ErrorCode.PreconditionFailed, `${path} changed`);
    }
    this.delete(path);
  }

  async move(from: string, to: string, _type?: 'file' | 'dir', options: { ifMatch?: string | null } = {}): Promise<void> {
    this.changes.push({ method: 'move', path: from });
    const source = this.files.get(from);
    if (options.ifMatch && source === undefined && !this.folders.has(from)) throw new TeraSyncError(ErrorCode.NotFound, `${from} is gone`);
    if (options.ifMatch && source !== undefined && source.etag !== options.ifMatch) throw new TeraSyncError(ErrorCode.PreconditionFailed, `${from} changed`);
    if (this.files.has(to) || this.folders.has(to)) throw new TeraSyncError(ErrorCode.PreconditionFailed, `${to} exists`);
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
  }

  async dispose(): Promise<void> {}

  private stored(content: Buffer): StoredFile {
    this.version++;
    // getlastmodified has one-second resolution.
    return { content, etag: `"v${this.version}"`, mtimeMs: 1_700_000_000_000 + this.version * 1000 };
  }

  private makeParents(path: string): void {
    for (let parent = parentOf(path); parent !== ''; parent = parentOf(parent)) this.folders.add(parent);
  }

  private fileEntry(path: string, file: StoredFile): RemoteEntry {
    return { path, remotePath: path, type: 'file', size: file.content.length, mtimeMs: file.mtimeMs, etag: file.etag };
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
