/** `terasync backup` and `terasync backup list` (see electron/cli/backupCommands.ts). */
import { runBackupCommandIn } from '../backupCommands.js';
import type { CommandContext } from '../context.js';

export function run(context: CommandContext): Promise<number> {
  return runBackupCommandIn(context.subcommand === 'list' ? 'backup-list' : 'backup', context);
}
