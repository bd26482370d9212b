/** `terasync restore`: a backed-up file or folder back (see electron/cli/backupCommands.ts). */
import { runBackupCommandIn } from '../backupCommands.js';
import type { CommandContext } from '../context.js';

export function run(context: CommandContext): Promise<number> {
  return runBackupCommandIn('restore', context);
}
