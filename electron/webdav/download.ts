/**
 * The WebDAV store's downloads: one GET streamed to the caller's destination (resumed with
 * `Range` + `If-Range` when the caller keeps a prefix), or a large file as parallel ranged
 * GETs written at their offsets (rangedDownload.ts has the pieces, the checks of each 206 and
 * the read-back hash). See docs/ARCHITECTURE.md (The WebDAV store) and docs/LARGE_FILES.md.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { ErrorCode, TeraSyncError, toTeraSyncError } from '../../shared/errors.js';
import { ifMatchHeader, sameEtag } from '../../shared/etag.js';
import type { DownloadOptions, DownloadResult, PositionalTarget, ResumeFrom } from '../sync/ports.js';
import { describePath, failureCode, type RequestDescription } from '../net/httpErrors.js';
import { isRetryable } from '../net/retry.js';
import { RequestSlots } from './RequestSlots.js';
import { pieces, type Throttle } from './Throttle.js';
import {
  checkRange,
  chunkBytesFor,
  DEFAULT_RANGE_MIN_BYTES,
  DEFAULT_RANGE_STREAMS,
  hashInOrder,
  RangeLedger,
  WRITE_BYTES,
  writeFully,
  type Piece,
  type RangedDownloadOptions,
} from './rangedDownload.js';
import { discard, localIo, type Attempt, type HttpResponse, type WebDavTransport } from './transport.js';

/** What a GET answer delivers, once its status and headers are checked. */
interface BodyStart {
  /** Bytes of the file before the body's first byte (the resumed prefix), else 0. */
  offset: number;
  /** Body length the answer announces (identity encoding only), or null. */
  expected: number | null;
  totalSize: number | null;
  etag: string | null;
}

/** A 200: the whole file from byte 0. */
function fullStart(response: HttpResponse): BodyStart {
  const encoding = (response.headers.get('content-encoding') ?? 'identity').trim().toLowerCase();
  const lengthHeader = response.headers.get('content-length');
  // send() decodes a compressed body the server sent anyway; the length is then the
  // compressed one and says nothing about what we write.
  const expected = encoding === 'identity' && lengthHeader !== null && /^\d+$/.test(lengthHeader.trim()) ? Number(lengthHeader) : null;
  return { offset: 0, expected, totalSize: expected, etag: response.headers.get('etag') };
}

/** Ranged downloads as the store runs them (RangedDownloadOptions with the defaults filled in). */
export interface RangedSettings {
  /** Streams at once per file; 1 = never ranged. */
  streams: number;
  minBytes: number;
  chunkBytes: number | undefined;
}

export function rangedSettings(options: RangedDownloadOptions | undefined): RangedSettings {
  return {
    streams: Math.max(1, Math.floor(options?.streams ?? DEFAULT_RANGE_STREAMS)),
    minBytes: Math.max(1, options?.minBytes ?? DEFAULT_RANGE_MIN_BYTES),
    chunkBytes: options?.chunkBytes,
  };
}

export class WebDavDownloads {
  /**
   * The extra streams of ranged downloads (streams - 1 for the whole store), on sockets of
   * their own: they never take a slot a listing or another transfer waits for.
   */
  private readonly rangeSlots: RequestSlots | null;

  constructor(
    private readonly transport: WebDavTransport,
    /** The store's bandwidth limits; downloads pay into `throttle.download`. */
    private readonly throttle: Throttle,
    private readonly ranged: RangedSettings,
  ) {
    this.rangeSlots = ranged.streams > 1 ? new RequestSlots(ranged.streams - 1) : null;
  }

  async download(path: string, destination: NodeJS.WritableStream, options: DownloadOptions = {}): Promise<DownloadResult> {
    this.transport.assertUsable();
    const names = this.transport.fileNames(path);
    const request: RequestDescription = { method: 'GET', path };
    const resumeFrom = options.resumeFrom;
    if (resumeFrom !== undefined && (!Number.isSafeInteger(resumeFrom.offset) || resumeFrom.offset < 0)) {
      throw localIo(`Invalid resume offset ${String(resumeFrom.offset)} for ${describePath(path)}.`);
    }
    // The If-Range value while a range may be asked for; null once it may not (see ports.ts).
    let ifRange = resumeFrom !== undefined && resumeFrom.offset > 0 ? ifMatchHeader(resumeFrom.etag) : null;
    if (resumeFrom !== undefined && resumeFrom.offset > 0 && ifRange === null) {
      this.transport.logger.debug('webdav: no strong ETag to resume with, downloading from the start', { path });
    }
    const positional = options.positional;
    if (resumeFrom === undefined && positional !== undefined) {
      const tag = this.rangeTag(positional);
      if (tag !== null) return this.downloadRanges(path, names, positional, tag, options);
    }
    const url = this.transport.urlFor(names, false);
    let prefixDiscarded = false;
    let written = 0;
    try {
      return await this.transport.run(
        request,
        options.signal,
        async (attempt) => {
          const ranged = ifRange !== null && resumeFrom !== undefined ? { resumeFrom, ifRange } : null;
          let response = await this.transport.send(
            attempt,
            'GET',
            url,
            ranged === null
              ? { 'Accept-Encoding': 'identity' }
              : { 'Accept-Encoding': 'identity', Range: `bytes=${ranged.resumeFrom.offset}-`, 'If-Range': ranged.ifRange },
          );
          let partial = ranged;
          if (ranged !== null && response.status === 416) {
            // The prefix is no prefix of this file (it is as long as the file, or longer).
            discard(response);
            this.transport.logger.debug('webdav: range not satisfiable, downloading from the start', { path });
            ifRange = null;
            partial = null;
            response = await this.transport.send(attempt, 'GET', url, { 'Accept-Encoding': 'identity' });
          }
          let start: BodyStart;
          if (response.status === 206) start = this.partialStart(response, partial?.resumeFrom, path);
          else if (response.status === 200) start = fullStart(response);
          else throw await this.transport.statusError(response, request);
          const resumed = start.offset > 0;

          if (resumeFrom !== undefined && !resumed && !prefixDiscarded) {
            if (ranged !== null) this.transport.logger.debug('webdav: the server sent the whole file, not the rest', { path, status: response.status });
            try {
              await attempt.whilePaused(async () => {
                await resumeFrom.discardPrefix();
              });
            } catch (error) {
              discard(response);
              throw localIo(`Could not discard the partial download of ${describePath(path)}.`, error);
            }
            // The prefix is gone: a retry must not ask for the rest of it.
            prefixDiscarded = true;
            ifRange = null;
          }
          try {
            options.onStart?.({ etag: start.etag, resumed, offset: start.offset, totalSize: start.totalSize });
          } catch (error) {
            discard(response);
            throw localIo(`The download of ${describePath(path)} was refused by its destination.`, error);
          }

          // Resumed: continue the caller's hash of the prefix; else hash the whole file here.
          const hash = resumed && resumeFrom !== undefined ? resumeFrom.hasher : createHash('sha256');
          const bucket = this.throttle.download;
          let received = 0;
          let destinationError: unknown;
          const onDestinationError = (error: unknown): void => {
            destinationError ??= error;
          };
          const writeOut = async (piece: Buffer): Promise<void> => {
            // Waiting for our own bandwidth limit is not a silent server.
            if (bucket.limited) await attempt.whilePaused(() => bucket.take(piece.length, attempt.signal));
            hash.update(piece);
            received += piece.length;
            let flowing: boolean;
            try {
              flowing = destination.write(piece);
            } catch (error) {
              throw localIo(`Could not write the download of ${describePath(path)}.`, error);
            }
            written += piece.length;
            options.onProgress?.({ bytes: start.offset + received });
            if (!flowing) {
              try {
                await attempt.whilePaused(() => once(destination, 'drain', { signal: attempt.signal }));
              } catch (error) {
                if (attempt.aborted) throw error;
                throw localIo(`Could not write the download of ${describePath(path)}.`, error);
              }
            }
          };
          destination.on('error', onDestinationError);
          try {
            if (response.body) {
              for await (const chunk of response.body as AsyncIterable<Buffer>) {
                attempt.touch();
                if (destinationError !== undefined) break;
                if (!bucket.limited) {
                  await writeOut(chunk);
                  continue;
                }
                for (const piece of pieces(chunk)) {
                  await writeOut(piece);
                  if (destinationError !== undefined) break;
                }
              }
            }
          } finally {
            destination.removeListener('error', onDestinationError);
          }
          if (destinationError !== undefined) {
            throw localIo(`Could not write the download of ${describePath(path)}.`, destinationError);
          }
          if (start.expected !== null && received !== start.expected) {
            const cause = Object.assign(new Error(`body ended after ${received} of ${start.expected} bytes`), { code: 'ERR_STREAM_PREMATURE_CLOSE' });
            throw new TeraSyncError(ErrorCode.Network, `The download of ${describePath(path)} ended early (${received} of ${start.expected} bytes).`, {
              cause,
            });
          }
          return { size: start.offset + received, hash: hash.digest('hex'), etag: start.etag, resumed, offset: start.offset };
        },
        () => written === 0,
      );
    } catch (error) {
      const failure = toTeraSyncError(error, ErrorCode.Network);
      if (written > 0 && isRetryable(failure)) {
        throw new TeraSyncError(
          ErrorCode.Network,
          `The download of ${describePath(path)} was interrupted after ${written} bytes; it will be fetched again.`,
          { cause: failure },
        );
      }
      throw failure;
    }
  }

  /**
   * Checks a 206 against the range asked for: the rest of the file from `resumeFrom.offset`,
   * to its end, unencoded, of the same version. Anything else is a BadResponse (body
   * discarded), never bytes appended to the caller's prefix.
   */
  private partialStart(response: HttpResponse, resumeFrom: ResumeFrom | undefined, path: string): BodyStart {
    const bad = (why: string): TeraSyncError => {
      discard(response);
      return new TeraSyncError(ErrorCode.BadResponse, `The server's partial answer (206) to GET ${describePath(path)} ${why}.`, { status: 206 });
    };
    if (resumeFrom === undefined) throw bad('came although no range was asked for');
    const encoding = (response.headers.get('content-encoding') ?? 'identity').trim().toLowerCase();
    if (encoding !== 'identity') throw bad(`is compressed (${encoding}), so its bytes are not the file's`);
    const contentRange = response.headers.get('content-range');
    const match = contentRange === null ? null : /^bytes\s+(\d+)-(\d+)\/(\d+|\*)$/i.exec(contentRange.trim());
    const first = match ? Number(match[1]) : NaN;
    const last = match ? Number(match[2]) : NaN;
    const total = match && match[3] !== '*' ? Number(match[3]) : null;
    if (!Number.isSafeInteger(first) || !Number.isSafeInteger(last) || (total !== null && !Number.isSafeInteger(total))) {
      throw bad(`has no usable Content-Range (${contentRange ?? 'none'})`);
    }
    if (first !== resumeFrom.offset) throw bad(`starts at byte ${first}, not at byte ${resumeFrom.offset} as asked (Content-Range: ${contentRange ?? ''})`);
    if (last < first || (total !== null && last !== total - 1)) {
      throw bad(`does not run to the end of the file (Content-Range: ${contentRange ?? ''})`);
    }
    const expected = last - first + 1;
    const lengthHeader = response.headers.get('content-length');
    if (lengthHeader !== null && /^\d+$/.test(lengthHeader.trim()) && Number(lengthHeader) !== expected) {
      throw bad(`says ${lengthHeader.trim()} bytes in Content-Length but ${expected} in Content-Range`);
    }
    const etag = response.headers.get('etag');
    if (etag !== null && !sameEtag(etag, resumeFrom.etag)) {
      throw bad(`is of another version of the file (ETag ${etag}, asked for ${resumeFrom.etag ?? 'none'})`);
    }
    return { offset: first, expected, totalSize: total, etag: etag ?? resumeFrom.etag };
  }

  /** The If-Range value when `target` is to be fetched in parallel ranges, else null. */
  private rangeTag(target: PositionalTarget): string | null {
    if (this.rangeSlots === null) return null;
    if (!Number.isSafeInteger(target.size) || target.size < this.ranged.minBytes) return null;
    return ifMatchHeader(target.etag);
  }

  /**
   * A large file as parallel `Range: bytes=a-b` requests, each with `If-Range: <tag>`, written
   * at their offsets into `target.file` (see PositionalTarget in ports.ts). The first range
   * goes out alone on the transfer's own request slot; once it is a good 206, up to streams - 1
   * more run beside it, each on a slot of `rangeSlots` that is free at that moment (none free:
   * fewer streams). Pieces are handed out in file order; a piece cut short is asked again
   * from its first missing byte (a short 206 is no error, a dropped body is retried).
   *
   * Never spliced: a 200 (the file changed since `tag`, or the server ignores Range), a 206 of
   * another version or size, a 416, or a 206 whose Content-Range is not the range asked for
   * makes that stream take over: it stops the others, waits until none writes any more, cuts
   * the file to 0 and writes the whole file from one answer (that 200, or a plain GET).
   *
   * The hash reads the file back behind the good prefix while the ranges run. On failure the
   * file is cut to the good prefix, so the caller keeps only bytes it may resume from.
   */
  private async downloadRanges(path: string, names: string[], target: PositionalTarget, tag: string, options: DownloadOptions): Promise<DownloadResult> {
    const request: RequestDescription = { method: 'GET', path };
    const url = this.transport.urlFor(names, false);
    const { file, size } = target;
    const rangeSlots = this.rangeSlots;
    const ledger = new RangeLedger(size, chunkBytesFor(size, this.ranged.streams, this.ranged.chunkBytes));
    const bucket = this.throttle.download;
    const state: {
      failure: TeraSyncError | null;
      /** The stream that took over with the whole file, and what it wrote. */
      wholeBy: number | null;
      wholeWritten: number;
      whole: DownloadResult | null;
      etag: string | null;
      started: boolean;
      extrasStarted: boolean;
      bytes: number;
    } = { failure: null, wholeBy: null, wholeWritten: 0, whole: null, etag: null, started: false, extrasStarted: false, bytes: 0 };
    const controllers = new Map<number, AbortController>();
    const running = new Map<number, Promise<void>>();
    const stopOthers = (me: number | null): void => {
      ledger.stop();
      for (const [id, controller] of controllers) if (id !== me) controller.abort(new Error('stopped'));
    };
    const hashing = hashInOrder(file, ledger).catch((error: unknown) => {
      if (state.failure === null && state.wholeBy === null) {
        state.failure = localIo(`Could not read back the download of ${describePath(path)}.`, error);
        stopOthers(null);
      }
      return null;
    });
    // Unhandled until awaited below: keep a rejection from surfacing early.
    void hashing;

    const progress = (bytes: number): void => {
      state.bytes += bytes;
      options.onProgress?.({ bytes: state.bytes });
    };
    const announce = (etag: string | null): void => {
      try {
        options.onStart?.({ etag, resumed: false, offset: 0, totalSize: size });
      } catch (error) {
        throw localIo(`The download of ${describePath(path)} was refused by its destination.`, error);
      }
    };

    /** Body bytes to `file` from `position` on, gathered into writes of WRITE_BYTES. */
    const writeBody = async (
      attempt: Attempt,
      body: Readable | null,
      expected: number | null,
      position: number,
      wrote: (bytes: number) => void,
      hash: ReturnType<typeof createHash> | null,
    ): Promise<number> => {
      const buffer = Buffer.allocUnsafe(expected === null ? WRITE_BYTES : Math.max(1, Math.min(WRITE_BYTES, expected)));
      let filled = 0;
      let received = 0;
      const flush = async (): Promise<void> => {
        if (filled === 0) return;
        try {
          await attempt.whilePaused(() => writeFully(file, buffer, filled, position));
        } catch (error) {
          throw localIo(`Could not write the download of ${describePath(path)}.`, error);
        }
        hash?.update(buffer.subarray(0, filled));
        position += filled;
        const bytes = filled;
        filled = 0;
        wrote(bytes);
        progress(bytes);
      };
      if (body) {
        for await (const chunk of body as AsyncIterable<Buffer>) {
          attempt.touch();
          if (expected !== null && received + chunk.length > expected) {
            throw new TeraSyncError(ErrorCode.BadResponse, `The server sent more of ${describePath(path)} than it announced (over ${expected} bytes).`);
          }
          received += chunk.length;
          for (const piece of bucket.limited ? pieces(chunk) : [chunk]) {
            if (bucket.limited) await attempt.whilePaused(() => bucket.take(piece.length, attempt.signal));
            let offset = 0;
            while (offset < piece.length) {
              const copied = piece.copy(buffer, filled, offset);
              filled += copied;
              offset += copied;
              if (filled === buffer.length) await flush();
            }
          }
        }
      }
      await flush();
      if (expected !== null && received !== expected) {
        const cause = Object.assign(new Error(`body ended after ${received} of ${expected} bytes`), { code: 'ERR_STREAM_PREMATURE_CLOSE' });
        throw new TeraSyncError(ErrorCode.Network, `The download of ${describePath(path)} ended early (${received} of ${expected} bytes).`, { cause });
      }
      return received;
    };

    /** This stream writes the whole file from one answer; every other stream stops first. */
    const takeWhole = async (attempt: Attempt, me: number, answer: HttpResponse | null, why: string): Promise<'whole' | 'stopped'> => {
      if (state.wholeBy === null) {
        if (state.failure !== null) {
          if (answer) discard(answer);
          return 'stopped';
        }
        state.wholeBy = me;
        state.bytes = 0;
        this.transport.logger.info('webdav: a range answer was not of the version asked for; downloading the whole file in one stream', { path, why });
        stopOthers(me);
        try {
          await attempt.whilePaused(async () => {
            await Promise.allSettled([...running].filter(([id]) => id !== me).map(([, task]) => task));
            await hashing;
            await file.truncate(0);
          });
        } catch (error) {
          if (answer) discard(answer);
          throw localIo(`Could not start the download of ${describePath(path)} again.`, error);
        }
      } else if (state.wholeBy !== me) {
        if (answer) discard(answer);
        return 'stopped';
      }
      let response = answer;
      if (response === null) {
        response = await this.transport.send(attempt, 'GET', url, { 'Accept-Encoding': 'identity' });
        if (response.status !== 200) throw await this.transport.statusError(response, request);
      }
      const start = fullStart(response);
      announce(start.etag);
      const hash = createHash('sha256');
      const received = await writeBody(attempt, response.body, start.expected, 0, (bytes) => (state.wholeWritten += bytes), hash);
      state.whole = { size: received, hash: hash.digest('hex'), etag: start.etag, resumed: false, offset: 0 };
      return 'whole';
    };

    const startExtras = (): void => {
      if (state.extrasStarted || rangeSlots === null) return;
      state.extrasStarted = true;
      for (let id = 1; id < this.ranged.streams; id += 1) {
        const release = rangeSlots.tryAcquire();
        if (release === null) break;
        launch(id, release);
      }
    };

    /** One piece, asked again from its first missing byte until it is complete. */
    const fetchPiece = async (attempt: Attempt, me: number, piece: Piece): Promise<'done' | 'whole' | 'stopped'> => {
      if (state.wholeBy !== null) return takeWhole(attempt, me, null, 'taken over');
      while (piece.next < piece.end) {
        const first = piece.next;
        const last = piece.end - 1;
        const response = await this.transport.send(attempt, 'GET', url, { 'Accept-Encoding': 'identity', Range: `bytes=${first}-${last}`, 'If-Range': tag });
        if (response.status === 200) return takeWhole(attempt, me, response, 'the server answered a ranged request with the whole file (200)');
        if (response.status === 416) {
          discard(response);
          return takeWhole(attempt, me, null, 'the server found the range outside the file (416)');
        }
        if (response.status !== 206) throw await this.transport.statusError(response, request);
        const checked = checkRange(response.headers, first, last, size, (etag) => sameEtag(etag, tag));
        if (typeof checked === 'string') {
          discard(response);
          return takeWhole(attempt, me, null, `its 206 ${checked}`);
        }
        if (state.wholeBy !== null || state.failure !== null) {
          discard(response);
          return state.wholeBy === me ? takeWhole(attempt, me, null, 'taken over') : 'stopped';
        }
        if (!state.started) {
          state.started = true;
          state.etag = response.headers.get('etag') ?? target.etag;
          announce(state.etag);
        }
        startExtras();
        await writeBody(attempt, response.body, checked.last - first + 1, first, (bytes) => ledger.wrote(piece, bytes), null);
      }
      return 'done';
    };

    const launch = (me: number, heldSlot: (() => void) | null): void => {
      const controller = new AbortController();
      controllers.set(me, controller);
      const signal = options.signal ? AbortSignal.any([options.signal, controller.signal]) : controller.signal;
      const stopping = (): boolean => controller.signal.aborted || (state.wholeBy !== null && state.wholeBy !== me);
      const task = (async () => {
        try {
          for (;;) {
            const piece = state.wholeBy === me ? ({ start: 0, next: 0, end: 0 } as Piece) : ledger.take();
            if (piece === undefined) return;
            const outcome = await this.transport.run(
              request,
              signal,
              (attempt) => fetchPiece(attempt, me, piece),
              // A piece restarts at its first missing byte; the whole file only before its first.
              () => !stopping() && (state.wholeBy !== me || state.wholeWritten === 0),
              heldSlot === null ? this.transport.slots : null,
            );
            if (outcome !== 'done') return;
          }
        } catch (error) {
          if (stopping() && !options.signal?.aborted) return;
          if (state.failure === null) {
            state.failure = toTeraSyncError(error, ErrorCode.Network);
            stopOthers(me);
          }
        } finally {
          heldSlot?.();
        }
      })();
      running.set(me, task);
    };

    launch(0, null);
    // Streams started later (startExtras) join `running`: wait until every one has ended.
    let launched: number;
    do {
      launched = running.size;
      await Promise.allSettled([...running.values()]);
    } while (running.size !== launched);
    if (state.failure === null && state.whole === null && ledger.goodPrefix < size) {
      state.failure = new TeraSyncError(ErrorCode.Network, `The download of ${describePath(path)} stopped before its end.`);
    }
    if (state.failure !== null) {
      ledger.stop();
      await hashing;
      const good = state.wholeBy !== null ? state.wholeWritten : ledger.goodPrefix;
      try {
        await file.truncate(good);
      } catch (error) {
        this.transport.logger.warn('webdav: could not cut a failed download to its good bytes', { path, code: failureCode(error) });
        await file.truncate(0).catch(() => undefined);
      }
      const failure = state.failure;
      if (good > 0 && isRetryable(failure)) {
        throw new TeraSyncError(ErrorCode.Network, `The download of ${describePath(path)} was interrupted after ${good} bytes; it will be fetched again.`, {
          cause: failure,
        });
      }
      throw failure;
    }
    if (state.whole !== null) return state.whole;
    const hash = await hashing;
    if (hash === null) throw localIo(`Could not read back the download of ${describePath(path)}.`);
    return { size, hash, etag: state.etag, resumed: false, offset: 0 };
  }
}
