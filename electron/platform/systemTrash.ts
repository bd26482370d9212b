/**
 * The OS trash for the command line (the app uses Electron's shell.trashItem): macOS Trash,
 * the Windows Recycle Bin, and the freedesktop.org trash on Linux, through the `trash` package,
 * loaded on the first deletion: it brings globby and fast-glob, which a run that deletes
 * nothing locally never needs.
 */
import { ErrorCode, TeraSyncError } from '../../shared/errors.js';
import type { Trash } from '../sync/ports.js';

export const systemTrash: Trash = {
  async trash(absolutePath) {
    try {
      const { default: trash } = await import('trash');
      await trash(absolutePath, { glob: false });
    } catch (error) {
      throw new TeraSyncError(
        ErrorCode.LocalIo,
        `Could not move ${absolutePath} to the trash (${(error as Error).message}); the file was kept.`,
        { cause: error },
      );
    }
  },
};
