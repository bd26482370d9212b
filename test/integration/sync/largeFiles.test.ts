/**
 * Large files: an interrupted download resumes with Range (checked against the ETag) instead
 * of starting again, and the file that lands is exact.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../shared/errors.js';
import type { RemoteStore } from '../../../electron/sync/ports.js';
import { wrapStore } from '../../support/wrapStore.js';
import { serverKinds, useServer } from './servers.js';

async function sha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Deterministic, incompressible-enough content of `size` bytes. */
function content(size: number): Buffer {
  const block = createHash('sha256').update('terasync').digest();
  const buffer = Buffer.alloc(size);
  for (let offset = 0; offset < size; offset += block.length) block.copy(buffer, offset, 0, Math.min(block.length, size - offset));
  for (let offset = 0; offset < size; offset += 4096) buffer.writeUInt32BE(offset >>> 0, offset);
  return buffer;
}

/** Stops the first download once `cutAt` bytes have arrived, as a lost connection or a quit would. */
function cutFirstDownload(cutAt: number): { wrap: (store: RemoteStore) => RemoteStore; cut: () => boolean } {
  let done = false;
  return {
    cut: () => done,
    wrap: (store) =>
      wrapStore(store, {
        download: (path, destination, options = {}) => {
          if (done) return store.download(path, destination, options);
          const controller = new AbortController();
          options.signal?.addEventListener('abort', () => controller.abort(), { once: true });
          return store.download(path, destination, {
            ...options,
            signal: controller.signal,
            onProgress: (progress) => {
              options.onProgress?.(progress);
              if (progress.bytes >= cutAt && !done) {
                done = true;
                controller.abort();
              }
            },
          });
        },
      }),
  };
}

describe.each(serverKinds)('large files against $name', (kind) => {
  const { newPair, apache: apacheOf } = useServer(kind);

  it.skipIf(kind.skip)('an interrupted download resumes where it stopped and lands exact', async () => {
    const pair = await newPair();
    const apache = apacheOf();
    // 200 MB on Apache (the service's server); a smaller file keeps the in-process server quick.
    const size = apache ? 200 * 1024 * 1024 : 16 * 1024 * 1024;
    const body = content(size);
    const source = join(pair.stateDir, '..', 'source.bin');
    await writeFile(source, body);
    await pair.remote.putFileContents('big.bin', body);
    if (apache) {
      // Age the file so Apache's ETag is strong (a weak tag cannot be used in If-Range).
      const { utimes } = await import('node:fs/promises');
      const folder = new URL(pair.remoteUrl).pathname.split('/').filter(Boolean).pop()!;
      const past = new Date(Date.now() - 60_000);
      await utimes(join(apache.dataDir, folder, 'big.bin'), past, past);
    }
    const mark = apache ? (await apache.accessLog()).length : 0;

    const cutter = cutFirstDownload(Math.floor(size / 3));
    await expect(pair.sync({ wrapRemote: cutter.wrap })).rejects.toMatchObject({ code: ErrorCode.Cancelled });
    expect(cutter.cut()).toBe(true);
    // The bytes are kept (as our hidden temp file), not the target.
    const kept = (await readdir(pair.local)).filter((name) => name.startsWith('.terasync-'));
    expect(kept).toHaveLength(1);
    const { size: keptBytes } = await stat(join(pair.local, kept[0]!));
    expect(keptBytes).toBeGreaterThan(0);
    expect(keptBytes).toBeLessThan(size);
    const afterCut = apache ? (await apache.accessLog()).length : 0;

    const { report } = await pair.sync();
    expect(report.errors).toEqual([]);
    expect(report.downloaded).toEqual(['big.bin']);
    expect(await sha256(join(pair.local, 'big.bin'))).toBe(await sha256(source));
    expect((await readdir(pair.local)).filter((name) => name.startsWith('.terasync-'))).toEqual([]);

    if (apache) {
      const log = await apache.accessLog();
      const gets = (lines: typeof log) => lines.filter((line) => line.method === 'GET' && line.path.endsWith('/big.bin'));
      // A file this large came as parallel ranges (206 each) until the cut...
      const first = gets(log.slice(mark, afterCut));
      expect(first.length).toBeGreaterThan(1);
      expect(first.every((line) => line.status === 206)).toBe(true);
      // ...and the second run asked once, for exactly the bytes that were not kept.
      const second = gets(log.slice(afterCut));
      expect(second.map((line) => line.status)).toEqual([206]);
      expect(second[0]!.bytes).toBe(size - keptBytes);
    }
  }, 180_000);
});
