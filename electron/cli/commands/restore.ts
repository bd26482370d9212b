/** `terasync restore`: a backed-up file or folder back (see electron/cli/backupCommands.ts). */
import { backupCliValues, runBackupCommand } from '../backupCommands.js';
import type { CommandContext } from '../context.js';
import { exitCodeFor } from '../exitCodes.js';

export async function run({ io, values, stateDir, ca, accountOptions }: CommandContext): Promise<number> {
  return runBackupCommand('restore', backupCliValues(values), {
    env: io.env,
    stdout: io.stdout,
    stderr: io.stderr,
    stateDir,
    ca,
    accountOptions,
    exitCodeFor,
  });
}
