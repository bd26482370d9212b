/**
 * Bookkeeping for a download fetched as parallel ranges (WebDavDownloads.downloadRanges):
 * the file cut into pieces, the prefix of it known good, and the sha256 of the file computed
 * in order by reading back what the ranges wrote. No requests here.
 *
 * A piece is one `Range` request's worth of the file (`chunkBytes`); its `next` byte moves on
 * as its bytes are written, so a range cut short (a short 206, a dropped connection) is asked
 * again from `next`. Pieces are handed out in file order, so the good prefix (every byte
 * before it written) grows steadily and the hash follows it closely.
 */
import { createHash } from 'node:crypto';
import type { PositionalFile } from '../sync/ports.js';

export interface RangedDownloadOptions {
  /** Range requests at once for one file, like rclone's multi-thread streams (default 4; 1 = never). */
  streams?: number;
  /** Smallest file fetched in ranges, in bytes (default 32 MiB). */
  minBytes?: number;
  /** Bytes per range request (default: the file in 8 pieces per stream, 4 to 64 MiB). */
  chunkBytes?: number;
}

export const DEFAULT_RANGE_STREAMS = 4;
export const DEFAULT_RANGE_MIN_BYTES = 32 * 1024 * 1024;
const MIN_CHUNK_BYTES = 4 * 1024 * 1024;
const MAX_CHUNK_BYTES = 64 * 1024 * 1024;
const PIECES_PER_STREAM = 8;
/** Bytes gathered from the socket before one positional write. */
export const WRITE_BYTES = 64 * 1024;
/** Bytes read back at once to hash. */
const HASH_READ_BYTES = 256 * 1024;

/** The bytes per range request for a file of `size` bytes. */
export function chunkBytesFor(size: number, streams: number, configured: number | undefined): number {
  if (configured !== undefined) return Math.max(1, Math.floor(configured));
  const even = Math.ceil(size / (Math.max(1, streams) * PIECES_PER_STREAM));
  return Math.min(MAX_CHUNK_BYTES, Math.max(MIN_CHUNK_BYTES, even));
}

export interface Piece {
  /** First byte of the piece. */
  readonly start: number;
  /** First byte not written yet. */
  next: number;
  /** One past the piece's last byte. */
  readonly end: number;
}

export class RangeLedger {
  private readonly pieces: Piece[] = [];
  private handedOut = 0;
  /** Index of the first piece not complete yet. */
  private firstOpen = 0;
  private waiters: Array<() => void> = [];
  private stopped = false;

  constructor(
    readonly size: number,
    chunkBytes: number,
  ) {
    for (let start = 0; start < size; start += chunkBytes) this.pieces.push({ start, next: start, end: Math.min(size, start + chunkBytes) });
  }

  /** The next piece nobody fetches yet, in file order; undefined when all are handed out. */
  take(): Piece | undefined {
    if (this.stopped) return undefined;
    const piece = this.pieces[this.handedOut];
    if (piece !== undefined) this.handedOut += 1;
    return piece;
  }

  /** `piece` has `bytes` more written at its `next`. */
  wrote(piece: Piece, bytes: number): void {
    piece.next += bytes;
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** Bytes from the start of the file that are all written. */
  get goodPrefix(): number {
    while (this.firstOpen < this.pieces.length) {
      const piece = this.pieces[this.firstOpen] as Piece;
      if (piece.next < piece.end) return piece.next;
      this.firstOpen += 1;
    }
    return this.size;
  }

  /** Resolves at the next write (or stop). */
  changed(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** No more pieces are handed out, and whoever waits for a change stops waiting. */
  stop(): void {
    this.stopped = true;
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  get isStopped(): boolean {
    return this.stopped;
  }
}

/** Writes all `length` bytes of `buffer` at `position` (a positional write may write fewer). */
export async function writeFully(file: PositionalFile, buffer: Buffer, length: number, position: number): Promise<void> {
  let done = 0;
  while (done < length) {
    const { bytesWritten } = await file.write(buffer, done, length - done, position + done);
    if (bytesWritten <= 0) throw new Error(`wrote nothing at byte ${position + done}`);
    done += bytesWritten;
  }
}

/**
 * The sha256 of the file's `ledger.size` bytes, read back in order as the good prefix grows.
 * Resolves null when the ledger is stopped first.
 */
export async function hashInOrder(file: PositionalFile, ledger: RangeLedger): Promise<string | null> {
  const hash = createHash('sha256');
  const buffer = Buffer.allocUnsafe(Math.min(HASH_READ_BYTES, Math.max(1, ledger.size)));
  let cursor = 0;
  while (cursor < ledger.size) {
    if (ledger.isStopped) return null;
    const good = ledger.goodPrefix;
    if (good <= cursor) {
      await ledger.changed();
      continue;
    }
    const { bytesRead } = await file.read(buffer, 0, Math.min(buffer.length, good - cursor), cursor);
    if (bytesRead <= 0) throw new Error(`the file ends at byte ${cursor}, before the ${good} bytes written`);
    hash.update(buffer.subarray(0, bytesRead));
    cursor += bytesRead;
  }
  return hash.digest('hex');
}

/** What a 206 to `Range: bytes=<first>-<last>` must be to be written; a string says why not. */
export function checkRange(
  headers: { get(name: string): string | null },
  first: number,
  last: number,
  size: number,
  sameVersion: (etag: string) => boolean,
): { last: number } | string {
  const encoding = (headers.get('content-encoding') ?? 'identity').trim().toLowerCase();
  if (encoding !== 'identity') return `is compressed (${encoding})`;
  const contentRange = headers.get('content-range');
  const match = contentRange === null ? null : /^bytes\s+(\d+)-(\d+)\/(\d+|\*)$/i.exec(contentRange.trim());
  if (match === null) return `has no usable Content-Range (${contentRange ?? 'none'})`;
  const from = Number(match[1]);
  const to = Number(match[2]);
  const total = match[3] === '*' ? null : Number(match[3]);
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || (total !== null && !Number.isSafeInteger(total))) {
    return `has no usable Content-Range (${contentRange ?? ''})`;
  }
  if (total !== null && total !== size) return `says the file has ${total} bytes, not ${size}: it changed`;
  if (from !== first) return `starts at byte ${from}, not at byte ${first} as asked`;
  if (to < from || to > last) return `ends at byte ${to}, outside the range asked for (${first}-${last})`;
  const lengthHeader = headers.get('content-length');
  if (lengthHeader !== null && /^\d+$/.test(lengthHeader.trim()) && Number(lengthHeader) !== to - from + 1) {
    return `says ${lengthHeader.trim()} bytes in Content-Length but ${to - from + 1} in Content-Range`;
  }
  const etag = headers.get('etag');
  if (etag !== null && !sameVersion(etag)) return `is of another version of the file (ETag ${etag})`;
  return { last: to };
}
