/** `terasync backup` and `terasync backup list` (see electron/cli/backupCommands.ts). */
import { backupCliValues, runBackupCommand } from '../backupCommands.js';
import type { CommandContext } from '../context.js';
import { exitCodeFor } from '../exitCodes.js';

export async function run({ io, values, subcommand, stateDir, ca, accountOptions }: CommandContext): Promise<number> {
  return runBackupCommand(subcommand === 'list' ? 'backup-list' : 'backup', backupCliValues(values), {
    env: io.env,
    stdout: io.stdout,
    stderr: io.stderr,
    stateDir,
    ca,
    accountOptions,
    exitCodeFor,
  });
}
