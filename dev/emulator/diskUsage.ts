/**
 * The usage the REST quota answer reports. The service counts space on disk (ZFS, with
 * compression and snapshots), so its number differs from the sum of file sizes; the
 * emulator imitates that by counting each file in whole 4 KiB blocks.
 */
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

export const BLOCK_BYTES = 4096;

/** Bytes used by the files under these folders, each file rounded up to whole blocks. */
export async function diskUsage(folders: readonly string[]): Promise<number> {
  let total = 0;
  const pending = [...folders];
  for (let folder = pending.pop(); folder !== undefined; folder = pending.pop()) {
    let entries;
    try {
      entries = await readdir(folder, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) pending.push(path);
      else if (entry.isFile()) {
        try {
          const { size } = await lstat(path);
          total += Math.ceil(size / BLOCK_BYTES) * BLOCK_BYTES;
        } catch {
          // Deleted while we walked: it no longer counts.
        }
      }
    }
  }
  return total;
}
