/**
 * Looking at folders on disk from the adversarial suites (test/integration/cli/adversarial*.ts):
 * every path below a folder, the sync's temp files left anywhere, conflict copies, and a
 * program run that fails the test with its output.
 */
import { spawnSync } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { FOLDER_MARK, type Tree } from './pair.js';

/** Every path below `root` (files and folders), relative, `/`-separated; none when it cannot be read. */
export async function walk(root: string, path = ''): Promise<string[]> {
  const found: string[] = [];
  let entries;
  try {
    entries = await readdir(join(root, path), { withFileTypes: true });
  } catch {
    return found;
  }
  for (const entry of entries) {
    const relative = path === '' ? entry.name : `${path}/${entry.name}`;
    found.push(relative);
    if (entry.isDirectory()) found.push(...(await walk(root, relative)));
  }
  return found;
}

/** Whether the last name of `path` is one of the sync's temp files (`.terasync-*.tmp`). */
export function isTemp(path: string): boolean {
  const name = path.split('/').pop() ?? '';
  return name.startsWith('.terasync-') && name.endsWith('.tmp');
}

/** Our temp files anywhere below `roots`, as full paths. */
export async function tempFiles(...roots: string[]): Promise<string[]> {
  const found: string[] = [];
  for (const root of roots) for (const path of await walk(root)) if (isTemp(path)) found.push(join(root, path));
  return found;
}

export function withoutFolders(tree: Tree): Tree {
  return Object.fromEntries(Object.entries(tree).filter(([, body]) => body !== FOLDER_MARK));
}

/** A conflict copy's name (`name (conflict YYYY-MM-DD HHMMSS device).ext`). */
export const isConflictCopy = (path: string): boolean => / \(conflict \d{4}-\d{2}-\d{2} \d{6} [^)]*\)/.test(path);

/** Runs a program, failing the test with its output if it fails. */
export function sh(command: string, args: string[], options: { cwd?: string } = {}): string {
  const result = spawnSync(command, args, { encoding: 'utf8', cwd: options.cwd });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status}): ${result.stderr}`);
  return result.stdout;
}
