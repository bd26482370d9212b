/**
 * `terasync deleted list|restore|purge`: the pair's server-side trash (electron/sync/
 * remoteTrash.ts), where a sync moves what it deletes on the server.
 *
 *   deleted list                         each run (its id, when, how many files, bytes) and its files
 *   deleted restore --run ID [--path P]  moves a run (or one file of it) back where it was; a
 *                                        taken name gives "name (restored).ext", never an overwrite
 *   deleted purge --run ID | --all       deletes a run (or every run) for good
 */
import { ErrorCode, TeraSyncError } from '../../shared/errors.js';
import { countOf, formatBytes } from '../../shared/format.js';
import { RemoteTrash } from '../sync/remoteTrash.js';
import type { RemoteStore } from '../sync/ports.js';

export type DeletedSubcommand = 'list' | 'restore' | 'purge';

export interface DeletedOptions {
  run?: string;
  path?: string;
  all: boolean;
  json: boolean;
}

export interface DeletedIo {
  stdout: { write(text: string): unknown };
}

/** Checks the options of a subcommand; a message for the user when they do not fit. */
export function deletedUsageProblem(subcommand: string | undefined, options: DeletedOptions): string | null {
  if (subcommand !== 'list' && subcommand !== 'restore' && subcommand !== 'purge') {
    return 'terasync deleted takes list, restore or purge';
  }
  if (subcommand === 'list' && (options.run !== undefined || options.path !== undefined || options.all)) return '"deleted list" takes no --run, --path or --all';
  if (subcommand === 'restore' && options.run === undefined) return '"deleted restore" needs --run ID (see "terasync deleted list")';
  if (subcommand === 'restore' && options.all) return '"deleted restore" restores one run: --run ID';
  if (subcommand === 'purge' && (options.run === undefined) === !options.all) return '"deleted purge" needs --run ID or --all';
  if (subcommand === 'purge' && options.path !== undefined) return '"deleted purge" takes no --path: it deletes whole runs';
  return null;
}

/** Runs the subcommand; resolves the exit code (0). Failures reject with a TeraSyncError. */
export async function runDeleted(subcommand: DeletedSubcommand, store: RemoteStore, options: DeletedOptions, io: DeletedIo, signal?: AbortSignal): Promise<number> {
  const trash = new RemoteTrash(store);
  const print = (line: string): void => void io.stdout.write(`${line}\n`);
  if (subcommand === 'list') {
    const runs = await trash.list({ signal });
    if (options.json) {
      print(JSON.stringify({ runs, bytes: runs.reduce((sum, run) => sum + run.bytes, 0) }));
      return 0;
    }
    if (runs.length === 0) {
      print('No deleted files are kept for this pair.');
      return 0;
    }
    for (const run of runs) {
      print(`${run.runId}  ${new Date(run.deletedAt).toISOString()}  ${countOf(run.files.length, 'file')}, ${formatBytes(run.bytes)}`);
      for (const file of run.files) print(`  ${file.path}  (${formatBytes(file.size)})`);
    }
    const total = runs.reduce((sum, run) => sum + run.bytes, 0);
    print(`Deleted files: ${formatBytes(total)} in ${countOf(runs.length, 'run')}.`);
    return 0;
  }
  if (subcommand === 'restore') {
    const restored = await trash.restore(options.run as string, options.path ?? null, { signal });
    if (options.json) {
      print(JSON.stringify({ restored }));
      return 0;
    }
    for (const entry of restored) {
      print(entry.restoredTo === entry.path ? `restored: ${entry.path}` : `restored: ${entry.path} as ${entry.restoredTo} (the name was taken)`);
    }
    print(`${countOf(restored.length, 'entry', 'entries')} restored on the server; the next sync brings them to this computer.`);
    return 0;
  }
  const purged = options.all ? await trash.purge(null, { signal }) : await purgeOne(trash, options.run as string, signal);
  if (options.json) print(JSON.stringify({ purged }));
  else print(purged.length === 0 ? 'Nothing to purge.' : `Purged for good: ${purged.join(', ')}`);
  return 0;
}

async function purgeOne(trash: RemoteTrash, runId: string, signal?: AbortSignal): Promise<string[]> {
  const runs = await trash.list({ signal });
  if (!runs.some((run) => run.runId === runId)) {
    throw new TeraSyncError(ErrorCode.NotFound, `There is no deleted-files run ${runId} for this pair (see "terasync deleted list").`);
  }
  await trash.purgeRun(runId, { signal });
  return [runId];
}
