/**
 * The WebDAV store's listings: `PROPFIND` (Depth 0 for one entry, Depth 1 for a folder), the
 * multistatus answer sorted into entries and skipped names, and the walk of the whole tree
 * with its per-folder cache (unchanged answers are not parsed again; with
 * `reuseUnchangedFolders`, folders whose ETag did not change are not asked). See
 * docs/ARCHITECTURE.md (The WebDAV store).
 */
import { ErrorCode, TeraSyncError, toTeraSyncError } from '../../shared/errors.js';
import { sameEtag } from '../../shared/etag.js';
import type { Listing, RemoteEntry, SkippedEntry } from '../sync/model.js';
import { TRASH_FOLDER } from '../sync/remoteTrash.js';
import { backslashMessage, escapeNameBytes, invalidEncodingMessage } from '../sync/names.js';
import { describePath, errorFromStatus, type RequestDescription } from '../net/httpErrors.js';
import { multistatusHash, parseMultistatus, type DavResource } from './multistatus.js';
import { decodeSegment, hrefRawSegments, invalidNameReason, joinRelative, nfc, percentDecodeBytes, splitRelativePath } from './paths.js';
import { discard, type Attempt, type WebDavTransport } from './transport.js';

interface FolderRef {
  /** Server spelling of each name below the root. */
  names: string[];
  /** NFC relative path (the key). */
  key: string;
}

interface ChildResource {
  name: string;
  resource: DavResource;
}

/** What a GET answer delivers, once its status and headers are checked. */

interface FolderContents {
  self: DavResource;
  children: ChildResource[];
  skipped: SkippedEntry[];
}

/** One folder of the last listing: the hash of its PROPFIND body and what came of it. */
interface CachedFolder {
  hash: string;
  /** The folder's own ETag in its own answer. */
  selfEtag: string | null;
  childKeys: string[];
  childFolders: FolderRef[];
  skipped: SkippedEntry[];
}

interface ListingCache {
  listing: Listing<RemoteEntry>;
  folders: Map<string, CachedFolder>;
}

export interface ListOptions {
  signal?: AbortSignal;
  reuseUnchangedFolders?: boolean;
  /** The last complete listing the caller knows of, for a store without one (see `list`). */
  known?: Listing<RemoteEntry>;
}

/**
 * A listing the caller kept, as the per-folder record `list` compares with. No body hash is
 * known, so every folder that is asked is parsed; entries skipped back then are not known
 * either, so a caller only hands in folders whose every entry it took in.
 */
function knownFolders(known: Listing<RemoteEntry>): ListingCache {
  const folders = new Map<string, CachedFolder>();
  folders.set('', { hash: '', selfEtag: null, childKeys: [], childFolders: [], skipped: [] });
  for (const entry of known.entries.values()) {
    if (entry.type === 'dir') folders.set(entry.path, { hash: '', selfEtag: entry.etag, childKeys: [], childFolders: [], skipped: [] });
  }
  for (const entry of known.entries.values()) {
    const parent = folders.get(parentKey(entry.path));
    if (parent === undefined) continue;
    parent.childKeys.push(entry.path);
    if (entry.type === 'dir') parent.childFolders.push({ names: entry.remotePath.split('/'), key: entry.path });
  }
  return { listing: known, folders };
}

/** The key of the folder that holds `key` ('' for the root). */
function parentKey(key: string): string {
  const slash = key.lastIndexOf('/');
  return slash < 0 ? '' : key.slice(0, slash);
}

/** Folder ETags compared exactly (a weak and a strong spelling count as different: safe). */
function sameFolderEtag(a: string | null | undefined, b: string | null | undefined): boolean {
  return typeof a === 'string' && a !== '' && a === b;
}

const PROPFIND_BODY =
  '<?xml version="1.0" encoding="utf-8"?>\n' +
  '<d:propfind xmlns:d="DAV:"><d:prop>' +
  '<d:resourcetype/><d:getcontentlength/><d:getlastmodified/><d:getetag/>' +
  '</d:prop></d:propfind>';

/** Listing and stat over one transport; keeps the last full listing for the next walk. */
export class WebDavListing {
  /** The last full listing and, per folder, what its PROPFIND body said (see `list`). */
  private listingCache: ListingCache | null = null;
  /**
   * Whether a folder's ETag has changed with every change of its direct entries so far. Set
   * false for good (for this store) the first time a listing shows otherwise.
   */
  private folderEtagsTrackChildren = true;
  /**
   * Folders this store wrote into (a PUT, MKCOL, DELETE or MOVE of an entry directly in them)
   * since they were last listed: the next walk asks them whatever their ETag says. On a server
   * whose folder ETags do not change when a file is replaced in place, the walk would
   * otherwise hand back our own upload's folder as it was before the upload, forever; listed
   * again, the folder shows that the server's ETags cannot be trusted (`checkFolderEtag`).
   */
  private readonly written = new Set<string>();

  constructor(
    private readonly transport: WebDavTransport,
    /** Parallel PROPFINDs while walking. */
    private readonly concurrency: number,
  ) {}

  /**
   * Walks the tree with `Depth: 1` PROPFINDs, `concurrency` at a time.
   *
   * A poll walks the tree (Apache's folder ETags do not change for changes below their direct
   * entries), so the walk must be cheap when nothing changed:
   * - a folder whose PROPFIND body is byte for byte the one of the last listing is not parsed
   *   again, and when every folder's is, the last listing itself is returned (the same
   *   object: callers may skip their own work on it);
   * - with `reuseUnchangedFolders`, a folder without subfolders whose ETag (in its parent's
   *   answer) is the one of the last listing is not asked at all. Apache's mod_dav_fs writes
   *   a PUT to a temporary file and renames it into place, so a folder's ETag (from its
   *   mtime) changes whenever an entry directly in it is added, removed, renamed or replaced.
   *   Each listed folder checks that this holds (its ETag unchanged but its entries changed
   *   means it does not), and the shortcut is off for good once it did not. Callers still
   *   ask for a full walk now and then (SyncService: with every full local scan).
   *
   * `known` stands in for the last listing while this store has none of its own (a new
   * process): the tree as the caller last saw it complete, each folder with the ETag it had
   * in its parent's answer (the sync journal). It feeds the same shortcut and the same check.
   * When the check finds, during a walk that skipped folders, that this server's folder ETags
   * do not track their entries, the walk is done again without skipping: what a skipped
   * folder may hide is found in the same call.
   */
  async list(options: ListOptions = {}): Promise<Listing<RemoteEntry>> {
    this.transport.assertUsable();
    const trusted = this.folderEtagsTrackChildren;
    const { listing, reusedFolders } = await this.walk(options);
    if (reusedFolders > 0 && trusted && !this.folderEtagsTrackChildren) {
      this.transport.logger.info('webdav: listing again without skipping folders', { skipped: reusedFolders });
      return (await this.walk({ ...options, reuseUnchangedFolders: false })).listing;
    }
    return listing;
  }

  /**
   * False once a listing showed a folder whose entries changed while its ETag stayed the same:
   * `reuseUnchangedFolders` is then off for good (for this store). A caller may keep the
   * verdict (the sync journal does) and hand it to the next store with `distrustFolderEtags`.
   */
  get folderEtagsTrackEntries(): boolean {
    return this.folderEtagsTrackChildren;
  }

  /** Turns `reuseUnchangedFolders` off for good, as a failed check does. */
  distrustFolderEtags(): void {
    this.folderEtagsTrackChildren = false;
  }

  /** This store wrote (or tried to write) the entry at `path`: its folder is listed next time. */
  wrote(path: string): void {
    this.written.add(parentKey(nfc(path)));
  }

  private async walk(options: ListOptions): Promise<{ listing: Listing<RemoteEntry>; reusedFolders: number }> {
    // A write made while this walk runs is marked for the next one.
    const written = new Set(this.written);
    this.written.clear();
    try {
      return await this.walkOnce(options, written);
    } catch (error) {
      for (const key of written) this.written.add(key);
      throw error;
    }
  }

  private async walkOnce(options: ListOptions, written: ReadonlySet<string>): Promise<{ listing: Listing<RemoteEntry>; reusedFolders: number }> {
    const previous = this.listingCache ?? (options.known === undefined ? null : knownFolders(options.known));
    let reusedFolders = 0;
    const entries = new Map<string, RemoteEntry>();
    const skipped: SkippedEntry[] = [];
    const folders = new Map<string, CachedFolder>();
    let unchanged = previous !== null;
    const internal = new AbortController();
    const signal = options.signal ? AbortSignal.any([options.signal, internal.signal]) : internal.signal;
    const state: { failure: TeraSyncError | undefined } = { failure: undefined };
    const queue: FolderRef[] = [{ names: [], key: '' }];
    const running = new Set<Promise<void>>();

    const absorb = (folder: FolderRef, hash: string, contents: FolderContents): CachedFolder => {
      const cached: CachedFolder = { hash, selfEtag: contents.self.props?.etag ?? null, childKeys: [], childFolders: [], skipped: [...contents.skipped] };
      for (const { name, resource } of contents.children) {
        // The pair's trash is never synced: its (maybe large) tree is not walked either.
        if (folder.key === '' && name === TRASH_FOLDER) continue;
        const remotePath = [...folder.names, name].join('/');
        // Nearly always the same name: then one string serves as both, not two per entry.
        const normalized = joinRelative(folder.key, nfc(name));
        const key = normalized === remotePath ? remotePath : normalized;
        if (entries.has(key)) {
          cached.skipped.push({
            path: key,
            side: 'remote',
            reason: 'case-conflict',
            message: `"${remotePath}" has the same name as another entry once Unicode-normalised (NFC); only the first is synced.`,
          });
          continue;
        }
        const entry = this.toEntry(key, remotePath, resource);
        entries.set(key, entry);
        cached.childKeys.push(key);
        if (entry.type === 'dir') cached.childFolders.push({ names: [...folder.names, name], key });
      }
      skipped.push(...cached.skipped);
      queue.push(...cached.childFolders);
      return cached;
    };
    /**
     * Folders whose body did not change: their children are the last listing's, copied into
     * `entries` only when the walk ends with a new listing. A poll that finds nothing changed
     * returns the last listing and copies nothing (at 100,000 files that copy was the largest
     * part of an idle poll's work in a profile of the idle row, and most of what it allocated).
     */
    const reused: CachedFolder[] = [];
    /** Keys of the folders in `reused`: their children are looked up in the last listing. */
    const reusedKeys = new Set<string>();
    const reuse = (key: string, cached: CachedFolder): void => {
      reused.push(cached);
      reusedKeys.add(key);
      skipped.push(...cached.skipped);
      queue.push(...cached.childFolders);
    };
    /** An entry of this walk so far, its folder listed or reused. */
    const current = (key: string): RemoteEntry | undefined => {
      const found = entries.get(key);
      if (found !== undefined || previous === null) return found;
      return reusedKeys.has(parentKey(key)) ? previous.listing.entries.get(key) : undefined;
    };

    while (queue.length > 0 || running.size > 0) {
      while (state.failure === undefined && running.size < this.concurrency) {
        const folder = queue.shift();
        if (folder === undefined) break;
        const before = previous?.folders.get(folder.key);
        if (
          options.reuseUnchangedFolders === true &&
          this.folderEtagsTrackChildren &&
          previous !== null &&
          before !== undefined &&
          before.childFolders.length === 0 &&
          folder.key !== '' &&
          !written.has(folder.key) &&
          sameFolderEtag(previous.listing.entries.get(folder.key)?.etag, current(folder.key)?.etag)
        ) {
          folders.set(folder.key, before);
          reuse(folder.key, before);
          reusedFolders += 1;
          continue;
        }
        const task: Promise<void> = this.listFolder(folder, signal, before?.hash)
          .then(
            (result) => {
              if (state.failure !== undefined) return;
              if (result.contents === null && before !== undefined && previous !== null) {
                folders.set(folder.key, before);
                reuse(folder.key, before);
              } else if (result.contents !== null) {
                unchanged = false;
                const cached = absorb(folder, result.hash, result.contents);
                folders.set(folder.key, cached);
                if (before !== undefined && previous !== null) this.checkFolderEtag(folder.key, before, cached, previous.listing, entries);
              }
            },
            (error: unknown) => {
              if (state.failure !== undefined) return;
              state.failure = toTeraSyncError(error, ErrorCode.BadResponse);
              internal.abort();
            },
          )
          .finally(() => running.delete(task));
        running.add(task);
      }
      if (running.size === 0) break;
      await Promise.race(running);
    }
    if (state.failure !== undefined) throw state.failure;
    if (unchanged && previous !== null && folders.size === previous.folders.size) return { listing: previous.listing, reusedFolders };
    if (previous !== null) {
      for (const cached of reused) {
        for (const key of cached.childKeys) {
          const entry = previous.listing.entries.get(key);
          if (entry !== undefined) entries.set(key, entry);
        }
      }
    }
    const listing = { entries, skipped };
    this.listingCache = { listing, folders };
    return { listing, reusedFolders };
  }

  /**
   * A folder listed again with other entries than last time must have another ETag too, or
   * this server's folder ETags do not track their entries and `reuseUnchangedFolders` is off.
   */
  private checkFolderEtag(
    key: string,
    before: CachedFolder,
    after: CachedFolder,
    previous: Listing<RemoteEntry>,
    current: Map<string, RemoteEntry>,
  ): void {
    if (!this.folderEtagsTrackChildren || !sameFolderEtag(before.selfEtag, after.selfEtag)) return;
    const changed =
      before.childKeys.length !== after.childKeys.length ||
      after.childKeys.some((child) => {
        const old = previous.entries.get(child);
        const now = current.get(child);
        if (old === undefined || now === undefined || old.type !== now.type) return true;
        // A subfolder's ETag follows its own entries, not its parent's.
        return now.type === 'file' && (old.size !== now.size || !sameEtag(old.etag, now.etag));
      });
    if (!changed) return;
    this.folderEtagsTrackChildren = false;
    this.transport.logger.info('webdav: this server keeps a folder ETag when its entries change; every poll lists every folder', { folder: key });
  }

  async stat(path: string, options: { signal?: AbortSignal } = {}): Promise<RemoteEntry | null> {
    this.transport.assertUsable();
    const names = splitRelativePath(path);
    const request: RequestDescription = { method: 'PROPFIND', path };
    return this.transport.run(request, options.signal, async (attempt) => {
      const resources = await this.propfind(attempt, request, names, names.length === 0, '0');
      if (resources === null) return null;
      const target = this.transport.fullNames(names);
      // A relative href resolves against the URL's directory (RFC 3986): the parent here.
      const base = this.transport.rawSegmentsFor(names.length === 0 ? names : names.slice(0, -1));
      const self = resources.find((resource) => this.transport.matches(resource.href, target, base));
      if (!self) {
        throw new TeraSyncError(ErrorCode.BadResponse, `The server's answer to PROPFIND ${describePath(path)} does not describe it.`);
      }
      if (self.status === 404) return null;
      const serverNames = this.transport.serverNames(self.href, names, base);
      return this.toEntry(nfc(path), serverNames.join('/'), self);
    });
  }

  async listChildren(path: string, options: { signal?: AbortSignal; onSkipped?: (entry: SkippedEntry) => void } = {}): Promise<RemoteEntry[]> {
    this.transport.assertUsable();
    const names = splitRelativePath(path);
    const key = nfc(path);
    const contents = await this.listFolder({ names, key }, options.signal);
    for (const skipped of contents.skipped) options.onSkipped?.(skipped);
    return contents.children.map(({ name, resource }) => this.toEntry(joinRelative(key, nfc(name)), [...names, name].join('/'), resource));
  }

  async isEmptyFolder(path: string, options: { signal?: AbortSignal } = {}): Promise<boolean> {
    this.transport.assertUsable();
    const names = splitRelativePath(path);
    const contents = await this.listFolder({ names, key: nfc(path) }, options.signal);
    return contents.children.length === 0 && contents.skipped.length === 0;
  }

  /** PROPFIND; null on 404, the resources on 207 (or a 200 carrying a multistatus). */
  private async propfind(
    attempt: Attempt,
    request: RequestDescription,
    names: readonly string[],
    collection: boolean,
    depth: '0' | '1',
  ): Promise<DavResource[] | null> {
    const body = await this.propfindText(attempt, request, names, collection, depth);
    return body === null ? null : parseMultistatus(body, request);
  }

  /** PROPFIND; null on 404, the multistatus body's text on 207 (or 200). */
  private async propfindText(
    attempt: Attempt,
    request: RequestDescription,
    names: readonly string[],
    collection: boolean,
    depth: '0' | '1',
  ): Promise<string | null> {
    const response = await this.transport.send(
      attempt,
      'PROPFIND',
      this.transport.urlFor(names, collection),
      { Depth: depth, 'Content-Type': 'application/xml; charset=utf-8' },
      PROPFIND_BODY,
    );
    if (response.status === 404) {
      discard(response);
      return null;
    }
    if (response.status !== 207 && response.status !== 200) throw await this.transport.statusError(response, request);
    return this.transport.readText(attempt, response);
  }

  private async listFolder(folder: FolderRef, signal: AbortSignal | undefined): Promise<FolderContents>;
  private async listFolder(
    folder: FolderRef,
    signal: AbortSignal | undefined,
    knownHash: string | undefined,
  ): Promise<{ hash: string; contents: FolderContents | null }>;
  /**
   * One folder's `Depth: 1` PROPFIND. With `knownHash` (a string or undefined): also the body's
   * hash, and contents null when the body hashes to `knownHash` (not parsed again).
   */
  private async listFolder(
    folder: FolderRef,
    signal: AbortSignal | undefined,
    ...known: [string | undefined] | []
  ): Promise<FolderContents | { hash: string; contents: FolderContents | null }> {
    const path = folder.names.join('/');
    const request: RequestDescription = { method: 'PROPFIND', path };
    return this.transport.run(request, signal, async (attempt) => {
      const body = await this.propfindText(attempt, request, folder.names, true, '1');
      if (body === null) throw errorFromStatus(404, request, { authKind: this.transport.authKind });
      if (known.length === 0) return this.sortFolder(folder, await parseMultistatus(body, request), request);
      const hash = multistatusHash(body);
      if (hash === known[0]) return { hash, contents: null };
      return { hash, contents: this.sortFolder(folder, await parseMultistatus(body, request), request) };
    });
  }

  /** Tells the folder itself from its children, and keeps unsafe names out of the children. */
  private sortFolder(folder: FolderRef, resources: DavResource[], request: RequestDescription): FolderContents {
    const target = this.transport.fullNames(folder.names);
    const baseRaw = this.transport.rawSegmentsFor(folder.names);
    let self: DavResource | undefined;
    const children: ChildResource[] = [];
    const skipped: SkippedEntry[] = [];
    for (const resource of resources) {
      const raw = hrefRawSegments(resource.href, baseRaw);
      const decoded = raw.map(decodeSegment);
      const prefixMatches = target.every((name, index) => {
        const other = decoded[index];
        return other !== null && other !== undefined && nfc(other) === name;
      });
      if (prefixMatches && decoded.length === target.length) {
        self ??= resource;
        continue;
      }
      const rawName = raw[raw.length - 1] ?? '';
      if (!prefixMatches || decoded.length !== target.length + 1) {
        skipped.push({
          path: joinRelative(folder.key, rawName),
          side: 'remote',
          reason: 'invalid-name',
          message: `The server listed "${resource.href}" in ${describePath(folder.key)}, but it is not directly inside that folder.`,
        });
        continue;
      }
      const name = decoded[decoded.length - 1] ?? null;
      const isDir = resource.props?.isCollection ?? false;
      if (name === null) {
        // Not UTF-8 (or broken percent-encoding): shown as local names are, bad bytes as \xHH.
        const bytes = percentDecodeBytes(rawName);
        const shown = bytes === null ? rawName : escapeNameBytes(bytes);
        const why =
          bytes === null
            ? `Skipped the remote entry "${rawName}" in ${describePath(folder.key)}: the server sent a name that is not valid percent-encoding; it is left on the server.`
            : invalidEncodingMessage(isDir, 'remote');
        skipped.push({ path: joinRelative(folder.key, shown), side: 'remote', reason: 'invalid-name', message: why });
        continue;
      }
      if (name.includes('\\') && !name.includes('/') && !name.includes('\0')) {
        // Shown as it is, not percent-encoded: the rule and the sentence are the local side's.
        skipped.push({ path: joinRelative(folder.key, nfc(name)), side: 'remote', reason: 'invalid-name', message: backslashMessage(isDir, 'remote') });
        continue;
      }
      const reason = invalidNameReason(name);
      if (reason !== null) {
        skipped.push({
          path: joinRelative(folder.key, rawName),
          side: 'remote',
          reason: 'invalid-name',
          message: `Skipped the remote entry "${rawName}" in ${describePath(folder.key)}: ${reason}.`,
        });
        continue;
      }
      if (resource.props === null) {
        skipped.push({
          path: joinRelative(folder.key, nfc(name)),
          side: 'remote',
          reason: 'unreadable',
          message: `The server gave no properties for "${name}" (status ${resource.status}).`,
        });
        continue;
      }
      children.push({ name, resource });
    }
    if (!self) {
      throw new TeraSyncError(
        ErrorCode.BadResponse,
        `The server's answer to ${request.method} ${describePath(request.path)} does not include the folder itself ` +
          '(is the WebDAV URL spelled exactly as the server spells it?).',
      );
    }
    if (self.props !== null && !self.props.isCollection) {
      throw new TeraSyncError(ErrorCode.Conflict, `${describePath(folder.key)} is a file on the server, not a folder.`);
    }
    return { self, children, skipped };
  }

  private toEntry(key: string, remotePath: string, resource: DavResource): RemoteEntry {
    const props = resource.props;
    if (props === null) {
      throw new TeraSyncError(ErrorCode.BadResponse, `The server gave no properties for ${describePath(remotePath)} (status ${resource.status}).`);
    }
    const type = props.isCollection ? 'dir' : 'file';
    return {
      path: key,
      remotePath,
      type,
      size: type === 'dir' ? 0 : (props.size ?? 0),
      mtimeMs: props.mtimeMs ?? 0,
      etag: props.etag,
    };
  }

}
