/**
 * The dependencies an AppServices under test needs, on this machine: a keychain in memory,
 * the real clock, watcher and file system, a trash that deletes, and no shell, dialog or
 * browser. A test passes what it cares about (the emulator's API, a fake clock, short
 * intervals) as overrides.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { AppServicesDeps } from '../../electron/app/AppServices.js';
import { SessionSecretStore } from '../../electron/auth/SessionSecretStore.js';
import { watchFolders } from '../../electron/platform/folderWatcher.js';
import { systemClock, systemScheduler } from '../../electron/core/time.js';
import { silentLogger } from '../../electron/core/logger.js';

export function testServicesDeps(folder: string, overrides: Partial<AppServicesDeps> = {}): AppServicesDeps {
  return {
    appDataFolder: join(folder, 'appdata'),
    secrets: new SessionSecretStore(),
    clock: systemClock,
    scheduler: systemScheduler,
    logger: silentLogger,
    watch: watchFolders,
    trash: { trash: (file) => rm(file, { recursive: true, force: true }) },
    platform: process.platform,
    device: 'testbox',
    openPath: async () => undefined,
    showItemInFolder: async () => undefined,
    pickPath: async () => null,
    openExternal: async () => undefined,
    openBrowser: async () => undefined,
    allowCustomHost: true,
    concurrency: 2,
    ...overrides,
  };
}
