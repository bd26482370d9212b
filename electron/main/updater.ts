/**
 * electron-updater's autoUpdater as the UpdaterPort (electron/app/electronUpdaterPort.ts does
 * the mapping; electron/app/UpdateController.ts decides). Electron shell only.
 *
 * The feed is resources/app-update.yml, which electron-builder writes from the `publish`
 * section of electron-builder.yml. This copy updates itself only when it can:
 *
 *   | this copy                                      | updates                          |
 *   | ---------------------------------------------- | -------------------------------- |
 *   | run from a checkout (`npm start`)              | no: 'not-packaged'               |
 *   | packaged without a feed (no app-update.yml)    | no: 'no-feed'                    |
 *   | Linux, neither an AppImage nor a .deb          | no: 'unsupported' (unpacked dir, |
 *   |                                                | snap)                            |
 *   | Windows NSIS, macOS (dmg/zip), AppImage, .deb  | yes                              |
 *
 * TERASYNC_UPDATE_URL (development and testing) names a generic feed (https:, or http: on a
 * loopback address) to use instead, even when not packaged; it is written to an update config
 * file in the app's data folder, as app-update.yml would be.
 */
import { app } from 'electron';
import electronUpdater from 'electron-updater';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ErrorCode, TeraSyncError } from '../../shared/errors.js';
import { createElectronUpdaterPort, type AppUpdaterLike } from '../app/electronUpdaterPort.js';
import { unavailableUpdater, type UpdaterPort } from '../app/UpdateController.js';
import type { LoginChallenge } from '../app/proxySettings.js';
import type { Logger } from '../core/logger.js';

export const UPDATE_URL_VARIABLE = 'TERASYNC_UPDATE_URL';

/** The development feed, when the environment names a usable one. */
export function developmentFeed(env: Readonly<Record<string, string | undefined>>, log: Logger): string | null {
  const value = env[UPDATE_URL_VARIABLE];
  if (value === undefined || value === '') return null;
  try {
    const url = new URL(value);
    const loopback = url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]';
    if (url.protocol === 'https:' || (url.protocol === 'http:' && loopback)) return url.href.endsWith('/') ? url.href : `${url.href}/`;
  } catch {
    // Said below.
  }
  log.error(`${UPDATE_URL_VARIABLE} is not an https: address (or http: on this computer); updates use the built-in feed.`);
  return null;
}

export interface UpdaterPortDeps {
  env: Readonly<Record<string, string | undefined>>;
  logger: Logger;
  /** Stops every service as Quit does, then calls `install` instead of quitting (AppLifecycle.quitThen). */
  quitThen(install: () => void): Promise<void>;
  /** The user and password for a proxy that asks the feed's requests to sign in; null: none (ProxyLoginResponder). */
  proxyLogin?: (challenge: LoginChallenge) => { username: string; password: string } | null;
}

export function createUpdaterPort(deps: UpdaterPortDeps): UpdaterPort {
  const feed = developmentFeed(deps.env, deps.logger);
  let unavailable: UpdaterPort['unavailable'] = null;
  if (feed !== null) {
    // Below, once electron-updater is needed.
  } else if (!app.isPackaged) {
    unavailable = 'not-packaged';
  } else if (!existsSync(path.join(process.resourcesPath, 'app-update.yml'))) {
    unavailable = 'no-feed';
  } else if (process.platform === 'linux') {
    const appImage = deps.env.APPIMAGE !== undefined && deps.env.APPIMAGE !== '';
    const packageType = existsSync(path.join(process.resourcesPath, 'package-type'));
    if ((!appImage && !packageType) || deps.env.SNAP !== undefined) unavailable = 'unsupported';
  }
  if (unavailable !== null) return unavailableUpdater(app.getVersion(), unavailable);

  // Only now: reading autoUpdater creates the updater for this system.
  const { autoUpdater } = electronUpdater;
  if (feed !== null) {
    const file = path.join(app.getPath('userData'), 'dev-app-update.yml');
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, `provider: generic\nurl: ${JSON.stringify(feed)}\nupdaterCacheDirName: terasync-updater\n`);
    autoUpdater.forceDevUpdateConfig = true;
    autoUpdater.updateConfigPath = file;
    deps.logger.info(`updates: using the development feed ${feed}`);
  }

  // A proxy that wants a sign-in (407) asks through electron-updater's `login` event.
  // Called without a user and password, Electron's callback cancels the sign-in (the request
  // then fails with the proxy's 407); electron-updater's type asks for both.
  autoUpdater.on('login', (challenge: LoginChallenge, callback: (username: string, password: string) => void) => {
    const answer = deps.proxyLogin?.(challenge) ?? null;
    if (answer === null) (callback as () => void)();
    else callback(answer.username, answer.password);
  });

  let installing = false;
  autoUpdater.on('error', (error: Error) => {
    if (!installing) return;
    // The installer did not start (a .deb whose password prompt was cancelled): the services
    // are stopped already, so start TeraSync again as it was.
    installing = false;
    deps.logger.error(`updates: the installer did not start: ${error.message}; restarting as before`);
    app.relaunch();
    app.exit(0);
  });

  return createElectronUpdaterPort({
    updater: autoUpdater as unknown as AppUpdaterLike,
    unavailable: null,
    logger: deps.logger,
    install: async () => {
      if (installing) throw new TeraSyncError(ErrorCode.InvalidRequest, 'The update is being installed.');
      installing = true;
      await deps.quitThen(() => {
        // The new version starts while this one quits: it must not find the single-instance
        // lock still held, or it would quit at once.
        app.releaseSingleInstanceLock();
        // Silent installer (Windows), then start the new version.
        autoUpdater.quitAndInstall(true, true);
      });
    },
  });
}
