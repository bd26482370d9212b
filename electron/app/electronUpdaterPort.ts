/**
 * The UpdaterPort on electron-updater's AppUpdater. Plain Node: it takes the updater object
 * (electron/main/updater.ts passes the `autoUpdater` for this platform; the integration test a
 * real AppImageUpdater with a test app adapter), so the real check and download are tested
 * without Electron.
 *
 * How the updater is set up:
 *
 * - `autoDownload` off: the controller downloads right after a check that found something,
 *   so it knows when the download starts and ends.
 * - `autoInstallOnAppQuit` off: nothing installs without the user's click (UpdateController).
 * - The channel: 'stable' reads `latest*.yml`, 'beta' reads `beta*.yml` (electron-builder
 *   writes those for pre-release versions, and for releases too with
 *   `generateUpdatesFilesForAllChannels`); `allowPrerelease` follows it (the GitHub provider's
 *   way of offering pre-releases). Downgrades stay off: going back from beta to stable waits
 *   for the next stable release rather than installing an older version.
 * - What electron-updater verifies: the downloaded file's sha512 against the one in the yml
 *   (a mismatch is refused and the file deleted), over HTTPS; on Windows also the installer's
 *   Authenticode signature against the publisher name of the running app, on macOS Squirrel's
 *   code-signature check.
 *
 * Its failures become TeraSyncErrors that say what happened and that nothing needs doing.
 */
import { ErrorCode, TeraSyncError } from '../../shared/errors.js';
import type { UpdateChannel } from '../../shared/types.js';
import type { Logger } from '../core/logger.js';
import type { UpdaterPort } from './UpdateController.js';

/** The part of electron-updater's AppUpdater the port uses. */
export interface AppUpdaterLike {
  autoDownload: boolean;
  autoInstallOnAppQuit: boolean;
  allowPrerelease: boolean;
  allowDowngrade: boolean;
  channel: string | null;
  logger: { info(message?: unknown): void; warn(message?: unknown): void; error(message?: unknown): void; debug?(message: string): void } | null;
  readonly currentVersion: { version: string };
  checkForUpdates(): Promise<{ isUpdateAvailable: boolean; updateInfo: { version: string } } | null>;
  downloadUpdate(): Promise<string[]>;
  on(event: 'download-progress', listener: (info: { percent: number }) => void): unknown;
  off(event: 'download-progress', listener: (info: { percent: number }) => void): unknown;
}

export interface ElectronUpdaterPortOptions {
  updater: AppUpdaterLike;
  /** Why this copy cannot update itself (main decides: packaged, AppImage, feed configured), or null. */
  unavailable: UpdaterPort['unavailable'];
  /** Stops the app as Quit does and runs the installer (main: AppLifecycle + quitAndInstall). */
  install(): Promise<void>;
  logger: Logger;
}

const networkCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);

function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined;
}

/** What went wrong, said for the Settings screen's one line; `cause` keeps the original for the log. */
export function updateError(error: unknown): TeraSyncError {
  if (error instanceof TeraSyncError) return error;
  const code = field(error, 'code');
  const message = error instanceof Error ? error.message : String(error);
  const statusCode = field(error, 'statusCode') ?? (/status (\d{3})/.exec(message)?.[1] === undefined ? undefined : Number(/status (\d{3})/.exec(message)?.[1]));
  const later = 'TeraSync tries again by itself later.';
  if (code === 'ERR_CHECKSUM_MISMATCH' || /checksum mismatch/i.test(message)) {
    return new TeraSyncError(ErrorCode.BadResponse, `The downloaded update did not match its published checksum (sha512), so it was discarded. ${later}`, { cause: error });
  }
  if (typeof code === 'string' && networkCodes.has(code)) {
    return new TeraSyncError(ErrorCode.Network, `The update server could not be reached (${code}). ${later}`, { cause: error });
  }
  if (typeof code === 'string' && (code.startsWith('ERR_TLS') || code.startsWith('CERT_') || code.includes('CERT') || code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE')) {
    return new TeraSyncError(ErrorCode.Tls, `The update server's certificate was not accepted (${code}). ${later}`, { cause: error });
  }
  if (code === 'ERR_UPDATER_CHANNEL_FILE_NOT_FOUND' || statusCode === 404) {
    return new TeraSyncError(ErrorCode.NotFound, `The update feed has no release for this channel and system yet. ${later}`, { cause: error });
  }
  if (typeof statusCode === 'number' && statusCode >= 500) {
    return new TeraSyncError(ErrorCode.Server, `The update server had a problem (HTTP ${statusCode}). ${later}`, { cause: error, status: statusCode });
  }
  if (typeof statusCode === 'number' && statusCode >= 400) {
    return new TeraSyncError(ErrorCode.BadResponse, `The update server refused the request (HTTP ${statusCode}). ${later}`, { cause: error, status: statusCode });
  }
  return new TeraSyncError(ErrorCode.BadResponse, `The update could not be checked or downloaded: ${message} ${later}`, { cause: error });
}

function text(message: unknown): string {
  return message instanceof Error ? message.message : String(message);
}

export function createElectronUpdaterPort(options: ElectronUpdaterPortOptions): UpdaterPort {
  const { updater, logger } = options;
  updater.autoDownload = false;
  updater.autoInstallOnAppQuit = false;
  updater.allowDowngrade = false;
  // electron-updater logs every step at info; ours keeps its warnings and errors only (the
  // controller logs what matters), and at debug the rest.
  updater.logger = {
    info: (message) => logger.debug(`updater: ${text(message)}`),
    debug: (message) => logger.debug(`updater: ${message}`),
    warn: (message) => logger.warn(`updater: ${text(message)}`),
    error: (message) => logger.debug(`updater: ${text(message)}`),
  };
  return {
    currentVersion: updater.currentVersion.version,
    unavailable: options.unavailable,
    setChannel(channel: UpdateChannel) {
      updater.channel = channel === 'beta' ? 'beta' : 'latest';
      updater.allowPrerelease = channel === 'beta';
      // Setting the channel turns downgrades on; an older version is never installed.
      updater.allowDowngrade = false;
    },
    async check() {
      let result: Awaited<ReturnType<AppUpdaterLike['checkForUpdates']>>;
      try {
        result = await updater.checkForUpdates();
      } catch (error) {
        throw updateError(error);
      }
      if (result === null) throw new TeraSyncError(ErrorCode.Configuration, 'This copy of TeraSync does not update itself.');
      return result.isUpdateAvailable ? result.updateInfo.version : null;
    },
    async download(onProgress) {
      const listener = (info: { percent: number }): void => onProgress(info.percent);
      updater.on('download-progress', listener);
      try {
        await updater.downloadUpdate();
      } catch (error) {
        throw updateError(error);
      } finally {
        updater.off('download-progress', listener);
      }
      onProgress(100);
    },
    install: () => options.install(),
  };
}
