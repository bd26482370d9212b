/** Test data for the benchmark: trees of small files, one large file, copies, checks. */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { lstat, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { once } from 'node:events';
import { runQuiet } from './processes.js';

export interface TreeShape {
  files: number;
  folders: number;
  /** Bytes per file. */
  size: number;
  /**
   * When set, `folders` counts these parent folders too: the files go into the other
   * (leaf) folders, spread evenly over the parents (`p00/d0000/...`), so that a walk has
   * folders with subfolders to list. Without it every folder sits in the root.
   */
  parents?: number;
}

async function mapLimit<T>(items: readonly T[], limit: number, worker: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const run = async (): Promise<void> => {
    while (next < items.length) {
      const index = next;
      next += 1;
      await worker(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, run));
}

export function folderName(index: number): string {
  return `d${String(index).padStart(3, '0')}`;
}

/** The folders that hold files (relative paths), in a stable order. */
export function leafFolders(shape: TreeShape): string[] {
  const parents = shape.parents ?? 0;
  const leaves = shape.folders - parents;
  if (leaves < 1) throw new Error(`a tree of ${shape.folders} folders cannot have ${parents} parent folders`);
  return Array.from({ length: leaves }, (_, index) =>
    parents > 0 ? `p${String(index % parents).padStart(2, '0')}/${folderName(index)}` : folderName(index),
  );
}

/**
 * Writes `shape.files` files of random (incompressible) bytes spread evenly over the leaf
 * folders (all of `shape.folders` without `parents`); returns their relative paths in a
 * stable order.
 */
export async function makeTree(root: string, shape: TreeShape): Promise<string[]> {
  await mkdir(root, { recursive: true });
  const leaves = leafFolders(shape);
  for (const folder of leaves) await mkdir(join(root, folder), { recursive: true });
  const paths = Array.from({ length: shape.files }, (_, index) => `${leaves[index % leaves.length]}/f${String(index).padStart(5, '0')}.dat`);
  await mapLimit(paths, 32, (path) => writeFile(join(root, path), randomBytes(shape.size)));
  return paths;
}

/** `size` bytes of random data, written in 8 MiB chunks. */
export async function makeLargeFile(file: string, size: number): Promise<void> {
  const out = createWriteStream(file);
  const chunk = 8 * 1024 * 1024;
  for (let written = 0; written < size; written += chunk) {
    if (!out.write(randomBytes(Math.min(chunk, size - written)))) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

/** `cp -a`: a copy with the same mtimes (new inodes). */
export async function copyTree(from: string, to: string): Promise<void> {
  const result = await runQuiet('cp', ['-a', from, to], { timeoutMs: 10 * 60_000 });
  if (result.code !== 0) throw new Error(`cp -a ${from} ${to} failed: ${result.stderr}`);
}

/** Rewrites each file with new random bytes of the same size (a typical edit). */
export async function rewriteFiles(root: string, paths: readonly string[]): Promise<void> {
  await mapLimit(paths, 16, async (path) => {
    const { size } = await lstat(join(root, path));
    await writeFile(join(root, path), randomBytes(size));
  });
}

export interface TreeStats {
  files: number;
  folders: number;
  bytes: number;
}

/** Counts what is in a folder on disk (the server's data directory, for checks). */
export async function treeStats(root: string): Promise<TreeStats> {
  const stats: TreeStats = { files: 0, folders: 0, bytes: 0 };
  let entries;
  try {
    entries = await readdir(root, { recursive: true, withFileTypes: true });
  } catch {
    return stats;
  }
  for (const entry of entries) {
    if (entry.isDirectory()) stats.folders += 1;
    else if (entry.isFile()) {
      stats.files += 1;
      stats.bytes += (await lstat(join(entry.parentPath, entry.name))).size;
    }
  }
  return stats;
}

/** Paths (of `paths`) whose content differs between the two roots. */
export async function differingFiles(a: string, b: string, paths: readonly string[]): Promise<string[]> {
  const differing: string[] = [];
  await mapLimit(paths, 16, async (path) => {
    const [left, right] = await Promise.all([readFile(join(a, path)).catch(() => null), readFile(join(b, path)).catch(() => null)]);
    if (left === null || right === null || !left.equals(right)) differing.push(path);
  });
  return differing;
}

/** Whether two (large) files are byte for byte the same, by `cmp`. */
export async function sameFile(a: string, b: string): Promise<boolean> {
  const result = await runQuiet('cmp', ['-s', a, b], { timeoutMs: 10 * 60_000 });
  return result.code === 0;
}
