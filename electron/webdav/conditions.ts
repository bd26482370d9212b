/**
 * The conditions a change on the server is sent with: `If-None-Match: *` for a new file, and
 * `If-Match` with the strong form of the tag the caller knows. A weak tag is never sent
 * (mod_dav compares strongly): the file is looked at first. See docs/ARCHITECTURE.md (The
 * WebDAV store).
 */
import { ErrorCode, TeraSyncError } from '../../shared/errors.js';
import { ifMatchHeader, sameEtag } from '../../shared/etag.js';
import type { Logger } from '../core/logger.js';
import type { UploadOptions } from '../sync/ports.js';
import { describePath } from '../net/httpErrors.js';
import type { WebDavListing } from './listing.js';

/** If-Match / If-None-Match for an upload (see strongGuard for weak tags). */
export async function conditionHeaders(
  listing: WebDavListing,
  logger: Logger,
  path: string,
  options: UploadOptions,
): Promise<Record<string, string>> {
  const headers: Record<string, string> = {};
  if (options.ifNoneMatch) headers['If-None-Match'] = '*';
  if (options.ifMatch === undefined || options.ifMatch === null || options.ifMatch.trim() === '') return headers;
  const guard = await strongGuard(listing, logger, path, options.ifMatch, options.signal);
  if (guard === 'gone') {
    throw new TeraSyncError(ErrorCode.PreconditionFailed, `${describePath(path)} changed on the server since it was last synced.`, {
      status: 412,
    });
  }
  if (guard !== null) headers['If-Match'] = guard;
  return headers;
}

/**
 * The `If-Match` value that guards a change of `path` known by `etag`. mod_dav compares
 * strongly, and Apache hands out a weak tag for a file written within the last second, so a
 * weak tag is never sent: the file's current state is asked for instead. Resolves 'gone' when
 * the file is not there any more, null when it is unchanged but still only has a weak tag
 * (the change then goes out unguarded, right after this check); rejects with
 * PreconditionFailed when it changed.
 */
export async function strongGuard(
  listing: WebDavListing,
  logger: Logger,
  path: string,
  etag: string,
  signal: AbortSignal | undefined,
): Promise<string | 'gone' | null> {
  const strong = ifMatchHeader(etag);
  if (strong !== null) return strong;
  const current = await listing.stat(path, { signal });
  if (current === null) return 'gone';
  if (current.type !== 'file' || !sameEtag(current.etag, etag)) {
    throw new TeraSyncError(ErrorCode.PreconditionFailed, `${describePath(path)} changed on the server since it was last synced.`, {
      status: 412,
    });
  }
  const currentStrong = ifMatchHeader(current.etag);
  if (currentStrong === null) logger.debug('webdav: weak ETag, sending without If-Match after checking the file', { path });
  return currentStrong;
}
