import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { PositionalFile } from '../../../../electron/sync/ports.js';
import { checkRange, chunkBytesFor, hashInOrder, RangeLedger, writeFully } from '../../../../electron/webdav/rangedDownload.js';

const MiB = 1024 * 1024;

function headers(values: Record<string, string>): { get(name: string): string | null } {
  return { get: (name) => values[name.toLowerCase()] ?? null };
}

/** An in-memory file; `limit` caps the bytes one write or read moves (as a positional call may). */
function memoryFile(size: number, limit = Infinity): PositionalFile & { data: Buffer } {
  const data = Buffer.alloc(size);
  return {
    data,
    async write(buffer, offset, length, position) {
      const bytes = Math.min(length, limit);
      buffer.copy(data, position, offset, offset + bytes);
      return { bytesWritten: bytes };
    },
    async read(buffer, offset, length, position) {
      const bytes = Math.max(0, Math.min(length, limit, data.length - position));
      data.copy(buffer, offset, position, position + bytes);
      return { bytesRead: bytes };
    },
    async truncate() {
      throw new Error('not used');
    },
  };
}

describe('ranged download bookkeeping', () => {
  it('cuts a file into eight pieces per stream, between 4 and 64 MiB, unless told', () => {
    expect(chunkBytesFor(1024 * MiB, 4, undefined)).toBe(32 * MiB);
    expect(chunkBytesFor(64 * MiB, 4, undefined)).toBe(4 * MiB);
    expect(chunkBytesFor(64 * 1024 * MiB, 4, undefined)).toBe(64 * MiB);
    expect(chunkBytesFor(10 * MiB, 4, 65_536)).toBe(65_536);
  });

  it('hands out pieces in order and knows the good prefix as they fill out of order', () => {
    const ledger = new RangeLedger(250, 100);
    const [a, b, c] = [ledger.take()!, ledger.take()!, ledger.take()!];
    expect([a, b, c].map((piece) => [piece.start, piece.end])).toEqual([
      [0, 100],
      [100, 200],
      [200, 250],
    ]);
    expect(ledger.take()).toBeUndefined();
    ledger.wrote(b, 100);
    ledger.wrote(c, 20);
    expect(ledger.goodPrefix).toBe(0);
    ledger.wrote(a, 60);
    expect(ledger.goodPrefix).toBe(60);
    ledger.wrote(a, 40);
    expect(ledger.goodPrefix).toBe(220);
    ledger.wrote(c, 30);
    expect(ledger.goodPrefix).toBe(250);
  });

  it('hashes the file in order as the good prefix grows, and gives up once stopped', async () => {
    const content = randomBytes(3 * MiB + 5);
    const file = memoryFile(content.length, 100_000);
    const ledger = new RangeLedger(content.length, MiB);
    const hashing = hashInOrder(file, ledger);
    const pieces = [ledger.take()!, ledger.take()!, ledger.take()!, ledger.take()!];
    // Last piece first: nothing can be hashed until the first one is in.
    for (const piece of [...pieces].reverse()) {
      const bytes = content.subarray(piece.start, piece.end);
      await writeFully(file, bytes, bytes.length, piece.start);
      ledger.wrote(piece, bytes.length);
    }
    expect(await hashing).toBe(createHash('sha256').update(content).digest('hex'));

    const stopped = new RangeLedger(100, 10);
    const waiting = hashInOrder(memoryFile(100), stopped);
    stopped.stop();
    expect(await waiting).toBeNull();
    expect(stopped.take()).toBeUndefined();
  });

  it('accepts a 206 only for the range asked for, of the same version', () => {
    const same = (etag: string) => etag === '"v1"';
    const ok = { 'content-range': 'bytes 100-199/1000', 'content-length': '100', etag: '"v1"' };
    expect(checkRange(headers(ok), 100, 199, 1000, same)).toEqual({ last: 199 });
    // Fewer bytes than asked, and an unknown total: fine.
    expect(checkRange(headers({ 'content-range': 'bytes 100-149/*' }), 100, 199, 1000, same)).toEqual({ last: 149 });
    const refused: Array<[Record<string, string>, RegExp]> = [
      [{ ...ok, etag: '"v2"' }, /another version/],
      [{ ...ok, 'content-range': 'bytes 100-199/999' }, /changed/],
      [{ ...ok, 'content-range': 'bytes 0-199/1000', 'content-length': '200' }, /starts at byte 0/],
      [{ ...ok, 'content-range': 'bytes 100-299/1000', 'content-length': '200' }, /outside the range/],
      [{ ...ok, 'content-length': '99' }, /Content-Length/],
      [{ ...ok, 'content-encoding': 'gzip' }, /compressed/],
      [{ etag: '"v1"' }, /no usable Content-Range/],
    ];
    for (const [values, why] of refused) expect(checkRange(headers(values), 100, 199, 1000, same)).toMatch(why);
  });
});
