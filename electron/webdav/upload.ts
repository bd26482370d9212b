/**
 * The WebDAV store's uploads: a conditional PUT (conditions.ts) streamed from a source opened
 * again for each try, paced by the bandwidth limit and checked against the announced size,
 * then the entry as the server now has it (a PROPFIND, or the PUT answer alone with
 * `statAfter: false`). See docs/ARCHITECTURE.md (The WebDAV store).
 */
import { Transform, type Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { ErrorCode, TeraSyncError } from '../../shared/errors.js';
import { sameEtag } from '../../shared/etag.js';
import type { UploadOptions, UploadResult } from '../sync/ports.js';
import { conditionHeaders } from './conditions.js';
import { describePath, failureCode, type RequestDescription } from '../net/httpErrors.js';
import type { WebDavListing } from './listing.js';
import { nfc } from './paths.js';
import { pieces, type Throttle } from './Throttle.js';
import { discard, isSuccess, localIo, type Attempt, type WebDavTransport } from './transport.js';

/**
 * A body up to this size (without a bandwidth limit) is read into memory first and sent in one
 * write with the request's headers; a larger one streams.
 */
const WHOLE_BODY_UP_TO = 1024 * 1024;

export class WebDavUploads {
  constructor(
    private readonly transport: WebDavTransport,
    /** For the entry after the PUT, and the checks of a weak If-Match. */
    private readonly listing: WebDavListing,
    /** The store's bandwidth limits; uploads pay into `throttle.upload`. */
    private readonly throttle: Throttle,
  ) {}

  async upload(path: string, open: () => Readable, size: number, options: UploadOptions = {}): Promise<UploadResult> {
    this.transport.assertUsable();
    const names = this.transport.fileNames(path);
    if (!Number.isSafeInteger(size) || size < 0) throw localIo(`Invalid size ${size} for ${describePath(path)}.`);
    const request: RequestDescription = { method: 'PUT', path };
    const conditions = await conditionHeaders(this.listing, this.transport.logger, path, options);
    const answer = await this.transport.run(request, options.signal, async (attempt) => {
      let source: Readable;
      try {
        source = open();
      } catch (error) {
        throw localIo(`Could not open ${describePath(path)} for upload.`, error);
      }
      let sent = 0;
      let passed = 0;
      let localError: TeraSyncError | undefined;
      const fail = (error: TeraSyncError): TeraSyncError => {
        localError ??= error;
        return localError;
      };
      const bucket = this.throttle.upload;
      if (!bucket.limited && size <= WHOLE_BODY_UP_TO) {
        try {
          return await this.putWhole(attempt, request, names, path, source, size, conditions, options);
        } finally {
          source.destroy();
        }
      }
      // Ends a wait for bandwidth once this attempt is over, whatever ended it; made at the
      // first wait (without a limit there is none, and each upload's pair of signals cost).
      let pacing: AbortController | undefined;
      let paceSignal: AbortSignal | undefined;
      const pace = async (chunk: Buffer): Promise<void> => {
        pacing ??= new AbortController();
        paceSignal ??= AbortSignal.any([attempt.signal, pacing.signal]);
        for (const piece of pieces(chunk)) {
          // Waiting for our own bandwidth limit is not a silent server.
          await attempt.whilePaused(() => bucket.take(piece.length, paceSignal));
          passed += piece.length;
          options.onProgress?.({ bytes: passed });
          counter.push(piece);
        }
      };
      const counter = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          attempt.touch();
          sent += chunk.length;
          if (sent > size) {
            callback(fail(localIo(`${describePath(path)} grew while it was being uploaded.`)));
            return;
          }
          if (!bucket.limited) {
            passed += chunk.length;
            options.onProgress?.({ bytes: passed });
            callback(null, chunk);
            return;
          }
          // The callback waits for the bandwidth: the source is paused meanwhile (backpressure).
          pace(chunk).then(
            () => callback(),
            (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
          );
        },
        flush(callback) {
          if (sent !== size) callback(fail(localIo(`${describePath(path)} changed size while it was being uploaded (${sent} of ${size} bytes).`)));
          else callback();
        },
      });
      source.on('error', (error: unknown) => {
        fail(localIo(`Could not read ${describePath(path)} for upload.`, error));
        counter.destroy(localError);
      });
      source.pipe(counter);
      try {
        const response = await this.transport.send(
          attempt,
          'PUT',
          this.transport.urlFor(names, false),
          { 'Content-Length': String(size), 'Content-Type': 'application/octet-stream', ...conditions },
          counter,
        );
        if (localError) {
          discard(response);
          throw localError;
        }
        if (!isSuccess(response.status)) throw await this.transport.statusError(response, request);
        discard(response);
        // Apache answers once it has Content-Length bytes, possibly before the source has
        // reported its end: wait for it, so that bytes beyond `size` (a file that grew) are
        // noticed and the source is never cut off before its 'end'.
        try {
          await finished(counter, { readable: false });
        } catch (error) {
          if (localError) throw localError;
          // The server answered success with all Content-Length bytes in hand, then closed the
          // connection (Apache does after MaxKeepAliveRequests) before our body stream saw its
          // end, which tears that stream down. The upload is done: retrying it would send the
          // file twice (and with If-None-Match, take our own copy for a conflict). A file that
          // grew meanwhile is the caller's to notice (the executor stats it again).
          this.transport.logger.debug('webdav: connection closed after the PUT was answered', { path, code: failureCode(error) });
        }
        return { etag: response.headers.get('etag'), date: response.headers.get('date') };
      } catch (error) {
        throw localError ?? error;
      } finally {
        pacing?.abort();
        source.unpipe(counter);
        source.destroy();
      }
    });
    const putEtag = answer.etag;
    if (options.statAfter === false) {
      // The caller learns the tag from its next listing: on Apache, whose PUT answers carry no
      // ETag, this saves one PROPFIND per file. The server's Date stands in for the mtime.
      const date = answer.date === null ? Number.NaN : Date.parse(answer.date);
      return {
        entry: {
          path: nfc(path),
          remotePath: path,
          type: 'file',
          size,
          mtimeMs: Number.isFinite(date) ? date : this.transport.clock.now(),
          etag: putEtag,
        },
      };
    }
    const stat = await this.listing.stat(path, { signal: options.signal });
    if (stat === null || stat.type !== 'file') {
      throw new TeraSyncError(ErrorCode.BadResponse, `${describePath(path)} is not on the server right after its upload.`);
    }
    if (putEtag !== null && stat.etag !== null && !sameEtag(putEtag, stat.etag)) {
      // Someone wrote the file between our PUT and PROPFIND: remember our version's tag so
      // the next sync sees theirs as a remote change instead of taking it for ours.
      this.transport.logger.warn('webdav: file changed right after upload', { path });
      return { entry: { ...stat, etag: putEtag } };
    }
    if (stat.size !== size) this.transport.logger.warn('webdav: uploaded size differs from the server size', { path, size, remoteSize: stat.size });
    return { entry: { ...stat, etag: stat.etag ?? putEtag } };
  }

  /**
   * The PUT of a small body: the source read whole (exactly `size` bytes, or LocalIo as the
   * streamed path reports it), then sent with its Content-Length in one write.
   */
  private async putWhole(
    attempt: Attempt,
    request: RequestDescription,
    names: string[],
    path: string,
    source: Readable,
    size: number,
    conditions: Record<string, string>,
    options: UploadOptions,
  ): Promise<{ etag: string | null; date: string | null }> {
    const chunks: Buffer[] = [];
    let read = 0;
    // Reading the local file is not waiting on the server.
    await attempt.whilePaused(async () => {
      try {
        for await (const chunk of source as AsyncIterable<Buffer | string>) {
          const piece = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
          read += piece.length;
          if (read > size) throw localIo(`${describePath(path)} grew while it was being uploaded.`);
          chunks.push(piece);
          if (attempt.aborted) break;
        }
      } catch (error) {
        if (error instanceof TeraSyncError) throw error;
        throw localIo(`Could not read ${describePath(path)} for upload.`, error);
      }
    });
    attempt.throwIfAborted();
    if (read !== size) throw localIo(`${describePath(path)} changed size while it was being uploaded (${read} of ${size} bytes).`);
    const body = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size);
    const response = await this.transport.send(
      attempt,
      'PUT',
      this.transport.urlFor(names, false),
      { 'Content-Type': 'application/octet-stream', ...conditions },
      body,
    );
    if (!isSuccess(response.status)) throw await this.transport.statusError(response, request);
    discard(response);
    options.onProgress?.({ bytes: size });
    return { etag: response.headers.get('etag'), date: response.headers.get('date') };
  }
}
