/**
 * The handler of every IPC channel, each calling the real service in AppServices. dispatchIpc
 * has validated the request before a handler runs and validates its answer after, so these
 * only decide what to do.
 */
import { ErrorCode, TeraSyncError } from '../../shared/errors.js';
import type { AppServices } from './AppServices.js';
import type { IpcHandlers } from './dispatchIpc.js';

/** Only https: URLs reach the browser (docs/ARCHITECTURE.md, Electron security). */
function httpsUrl(text: string): string {
  const url = URL.parse(text);
  if (url === null) throw new TeraSyncError(ErrorCode.InvalidRequest, 'That is not a web address.');
  if (url.protocol !== 'https:') throw new TeraSyncError(ErrorCode.InvalidRequest, 'Only https: addresses are opened.');
  return url.href;
}

/** Every channel of the contract, each on the real services. */
export function createIpcHandlers(services: AppServices): IpcHandlers {
  return {
    'app:getOverview': () => services.overview(),

    'account:get': () => services.accountInfo(),
    'account:signInWithPassword': (request) => services.signInWithPassword(request),
    'account:signInWithOAuth': (request) => services.signInWithOAuth(request),
    'account:signOut': () => services.signOut(),
    'account:cancelSignIn': async () => {
      services.cancelSignIn();
      return undefined;
    },

    'pairs:list': async () => services.pairs(),
    'pairs:add': (request) => services.addPair(request.localFolder, request.remoteFolder, request.excludedFolders ?? []),
    'pairs:update': (request) =>
      services.updatePair(request.id, {
        ...(request.bandwidth === undefined ? {} : { bandwidth: request.bandwidth }),
        ...(request.excludedFolders === undefined ? {} : { excludedFolders: request.excludedFolders }),
      }),
    'pairs:remove': async (request) => {
      await services.removePair(request.id);
      return undefined;
    },
    'pairs:pause': (request) => services.setPaused(request.id, true),
    'pairs:resume': (request) => services.setPaused(request.id, false),
    'pairs:syncNow': async (request) => {
      services.syncNow(request.id);
      return undefined;
    },
    'pairs:preview': (request) => services.previewPair(request.localFolder, request.remoteFolder, request.excludedFolders ?? []),
    'remote:listFolders': (request) => services.listRemoteFolders(request.path),
    'remote:folderSize': (request) => services.measureRemoteFolder(request.path),
    'local:freeSpace': (request) => services.localFreeSpace(request.path),

    'status:get': async () => services.statuses(),
    'activity:list': (request) => services.activityList(request),
    'conflicts:list': () => services.conflicts(),
    'conflicts:resolve': async (request) => {
      await services.resolveConflict(request.pairId, request.id, request.keep);
      return undefined;
    },
    'conflicts:open': async (request) => {
      await services.openConflictVersion(request.pairId, request.id, request.side);
      return undefined;
    },
    'failsafe:decide': async (request) => {
      services.decideFailSafe(request.pairId, request.decision);
      return undefined;
    },

    'backup:run': (request) => services.runBackup(request),
    'backup:cancel': async () => {
      services.cancelBackup();
      return undefined;
    },
    'backup:list': (request) => services.listBackups(request),
    'restore:run': (request) => services.runRestore(request),
    'backup:getState': () => services.backupState(),
    'backup:decideFailSafe': (request) => services.decideBackupFailSafe(request.decision),

    'deleted:list': () => services.deletedFiles(),
    'deleted:restore': (request) => services.restoreDeletedFiles(request.pairId, request.runId, request.path ?? null),
    'deleted:purge': async (request) => {
      await services.purgeDeletedFiles(request.pairId, request.runId);
      return undefined;
    },
    'deleted:usage': () => services.deletedFilesUsage(),

    'settings:get': async () => services.settingsView(),
    'settings:update': (request) => services.updateSettings(request),
    'proxy:get': () => services.proxySettings(),
    'proxy:save': (request) => services.saveProxySettings(request),
    'proxy:test': (request) => services.testProxySettings(request),

    'shell:openFolder': async (request) => {
      if (request.kind === 'logs') {
        if (request.pairId !== undefined) throw new TeraSyncError(ErrorCode.InvalidRequest, 'The logs folder belongs to no pair.');
        await services.openPath(services.logFolder);
        return undefined;
      }
      if (request.pairId === undefined) throw new TeraSyncError(ErrorCode.InvalidRequest, 'Say which pair\'s folder to open.');
      await services.openPath(services.folderOf(request.pairId));
      return undefined;
    },
    'shell:openUrl': async (request) => {
      await services.openExternal(httpsUrl(request.url));
      return undefined;
    },
    'shell:showFile': async (request) => {
      await services.showFile(request.pairId, request.path);
      return undefined;
    },
    'dialog:pickPath': (request) => services.pickPath(request.purpose),

    'update:getState': async () => services.updateState(),
    'update:check': async () => services.updates.checkNow(),
    'update:restart': async () => services.updates.restartToUpdate(),
  };
}
