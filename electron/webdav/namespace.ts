/**
 * The WebDAV store's changes to the tree: MKCOL, DELETE and MOVE, each safe to retry (an
 * earlier try that reached the server is recognised by a PROPFIND afterwards), and DELETE and
 * MOVE of a file guarded by the tag the caller knows (conditions.ts). See docs/ARCHITECTURE.md
 * (The WebDAV store).
 */
import { ErrorCode, TeraSyncError } from '../../shared/errors.js';
import { strongGuard } from './conditions.js';
import { describePath, errorFromStatus, type RequestDescription } from '../net/httpErrors.js';
import type { WebDavListing } from './listing.js';
import { splitRelativePath } from './paths.js';
import { discard, isSuccess, type WebDavTransport } from './transport.js';

export class WebDavNamespace {
  constructor(
    private readonly transport: WebDavTransport,
    /** For the PROPFINDs that settle an ambiguous answer, and the checks of a weak If-Match. */
    private readonly listing: WebDavListing,
  ) {}

  async createFolder(path: string, options: { signal?: AbortSignal } = {}): Promise<void> {
    this.transport.assertUsable();
    const names = splitRelativePath(path);
    const request: RequestDescription = { method: 'MKCOL', path };
    const outcome = await this.transport.run(request, options.signal, async (attempt) => {
      const response = await this.transport.send(attempt, 'MKCOL', this.transport.urlFor(names, true), {});
      if (isSuccess(response.status)) {
        discard(response);
        return 'created' as const;
      }
      // mod_dav: 405 on an existing collection with a trailing slash, 301 without one. When a
      // FILE has that name, RFC 4918 servers answer 405 too and Apache 2.4 answers 400 (the
      // trailing slash on a file): look before calling any of them success.
      if (response.status === 405 || response.status === 301 || response.status === 400) {
        discard(response);
        return response.status;
      }
      throw await this.transport.statusError(response, request);
    });
    if (outcome === 'created') return;
    const existing = await this.listing.stat(path, options);
    if (existing?.type === 'dir') return;
    if (existing?.type === 'file') {
      throw new TeraSyncError(ErrorCode.Conflict, `Cannot create the folder ${describePath(path)}: a file with that name exists on the server.`, {
        status: outcome,
      });
    }
    throw errorFromStatus(outcome, request, { authKind: this.transport.authKind });
  }

  async remove(path: string, type: 'file' | 'dir', options: { signal?: AbortSignal; ifMatch?: string | null } = {}): Promise<void> {
    this.transport.assertUsable();
    const names = splitRelativePath(path);
    if (names.length === 0) throw new TeraSyncError(ErrorCode.InvalidName, 'Refusing to delete the sync folder itself.');
    const request: RequestDescription = { method: 'DELETE', path };
    let guard: string | null = null;
    if (type === 'file' && options.ifMatch !== undefined && options.ifMatch !== null && options.ifMatch.trim() !== '') {
      const checked = await strongGuard(this.listing, this.transport.logger, path, options.ifMatch, options.signal);
      // Gone already: what the caller wanted.
      if (checked === 'gone') return;
      guard = checked;
    }
    await this.transport.run(request, options.signal, async (attempt) => {
      const response = await this.transport.send(attempt, 'DELETE', this.transport.urlFor(names, type === 'dir'), guard === null ? {} : { 'If-Match': guard });
      if (isSuccess(response.status) || response.status === 404) {
        discard(response);
        return;
      }
      if (response.status === 207) throw await this.transport.multiStatusError(attempt, response, request);
      throw await this.transport.statusError(response, request);
    });
  }

  async move(from: string, to: string, type: 'file' | 'dir', options: { signal?: AbortSignal; ifMatch?: string | null } = {}): Promise<void> {
    this.transport.assertUsable();
    const fromNames = splitRelativePath(from);
    const toNames = splitRelativePath(to);
    if (fromNames.length === 0 || toNames.length === 0) throw new TeraSyncError(ErrorCode.InvalidName, 'Cannot move the sync folder itself.');
    const request: RequestDescription = { method: 'MOVE', path: from };
    const collection = type === 'dir';
    // The same guard as a DELETE's: only the version the caller knows may move.
    let guard: string | null = null;
    if (type === 'file' && options.ifMatch !== undefined && options.ifMatch !== null && options.ifMatch.trim() !== '') {
      const checked = await strongGuard(this.listing, this.transport.logger, from, options.ifMatch, options.signal);
      if (checked === 'gone') throw new TeraSyncError(ErrorCode.NotFound, `${describePath(from)} is not on the server any more.`, { status: 404 });
      guard = checked;
    }
    const outcome = await this.transport.run(request, options.signal, async (attempt, attemptNumber) => {
      const response = await this.transport.send(attempt, 'MOVE', this.transport.urlFor(fromNames, collection), {
        Destination: this.transport.urlFor(toNames, collection),
        Overwrite: 'F',
        ...(guard === null ? {} : { 'If-Match': guard }),
      });
      if (isSuccess(response.status)) {
        discard(response);
        return null;
      }
      if (response.status === 207) throw await this.transport.multiStatusError(attempt, response, request);
      const error = await this.transport.statusError(response, request);
      // An earlier attempt may have moved it before its answer got lost.
      if (attemptNumber > 1 && (response.status === 404 || response.status === 412)) return error;
      if (response.status === 412) {
        throw new TeraSyncError(ErrorCode.PreconditionFailed, `Cannot move ${describePath(from)} to ${describePath(to)}: the destination exists.`, {
          status: 412,
        });
      }
      throw error;
    });
    if (outcome === null) return;
    const [source, target] = await Promise.all([this.listing.stat(from, options), this.listing.stat(to, options)]);
    if (source === null && target !== null) return;
    throw outcome;
  }
}
