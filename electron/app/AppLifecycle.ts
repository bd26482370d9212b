/**
 * The decisions of the app's main process, as plain logic with ports so that they are tested
 * under Node (electron/main wires the ports to `app`, the window and the services):
 *
 * - Launch: the services (one per sync pair, and whatever else runs all day) start at once.
 *   The window opens unless the app was started at login: `--hidden` on the command line (the
 *   login item's arguments on Windows, the autostart file's on Linux) or, on macOS, where login
 *   items take no arguments, `app.getLoginItemSettings().wasOpenedAtLogin`.
 * - Closing the window hides it: the app lives on in the tray. Only while quitting does the
 *   window really close.
 * - Quit (the tray's, the menu's, Cmd+Q, logout): every service is stopped and awaited, all at
 *   once, and only then is `app.quit()` called. Stopping aborts transfers cleanly and closes
 *   the journals; a stop that hangs (a request the server never answers) is given up on after
 *   `quitTimeoutMs` so that Quit always quits. Electron's `before-quit` is held back until
 *   then, so a quit started anywhere takes the same path.
 * - A shutdown or logout takes the same path as Quit (handleSystemShutdown), and so does
 *   "Restart to update" (quitThen: the update's installer quits the app once the services
 *   have stopped).
 * - A second launch focuses the first instance's window (the second quits: main's
 *   single-instance lock), unless the second was itself a login start.
 * - Start at login is a setting (`app.startAtLogin` in settings.json: null until decided),
 *   turned on by the first successful sign-in when still undecided, and applied when it
 *   changes: Electron's login items on macOS and Windows, an XDG autostart file on Linux
 *   (Electron has no login items there), `$XDG_CONFIG_HOME/autostart/terasync.desktop`.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode, TeraSyncError } from '../../shared/errors.js';
import type { Scheduler } from '../core/time.js';
import type { Logger } from '../core/logger.js';

/** The argument that marks a start at login. */
export const HIDDEN_ARGUMENT = '--hidden';
export const AUTOSTART_FILE_NAME = 'terasync.desktop';
export const DEFAULT_QUIT_TIMEOUT_MS = 10_000;

/** What the lifecycle needs of Electron's `app`. */
export interface LifecycleAppPort {
  /** app.quit(): emits before-quit, closes the windows, quits. */
  quit(): void;
  /** app.setLoginItemSettings (macOS and Windows). */
  setLoginItemSettings(settings: { openAtLogin: boolean; args: string[] }): void;
  /** macOS: app.getLoginItemSettings().wasOpenedAtLogin; false elsewhere. */
  wasOpenedAtLogin(): boolean;
}

export interface MainWindowPort {
  /** Shows the window, creating it when there is none, restoring it when minimised, focusing it. */
  show(): void;
  hide(): void;
}

/** Anything that runs from launch to quit (a pair's SyncService, the backup scheduler, ...). */
export interface AppService {
  /** For the log when it fails or is slow to stop. */
  name?: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** The `app.startAtLogin` setting: null while undecided. */
export interface StartAtLoginSetting {
  read(): Promise<boolean | null>;
  write(enabled: boolean): Promise<void>;
}

export interface AutostartFileSystem {
  mkdir(folder: string): Promise<void>;
  writeFile(filePath: string, text: string): Promise<void>;
  /** Removes a file; a missing one is success. */
  remove(filePath: string): Promise<void>;
}

export const nodeAutostartFileSystem: AutostartFileSystem = {
  mkdir: async (folder) => {
    await mkdir(folder, { recursive: true });
  },
  writeFile: (filePath, text) => writeFile(filePath, text, 'utf8'),
  remove: (filePath) => rm(filePath, { force: true }),
};

/** An event Electron lets us cancel (`close`, `before-quit`). */
export interface CancellableEvent {
  preventDefault(): void;
}

export interface AppLifecycleDeps {
  platform: NodeJS.Platform;
  /** process.argv of this launch. */
  argv: readonly string[];
  /** process.env: XDG_CONFIG_HOME, and APPIMAGE when run from an AppImage. */
  env: Readonly<Record<string, string | undefined>>;
  /** os.homedir() */
  homeDir: string;
  /**
   * What the login item starts: process.execPath, plus the app's folder when running from a
   * development checkout (`electron .`), where the executable alone would open Electron's
   * default app.
   */
  executable: { path: string; args: readonly string[] };
  app: LifecycleAppPort;
  window: MainWindowPort;
  /** The services now (pairs come and go while the app runs). */
  services(): readonly AppService[];
  startAtLogin: StartAtLoginSetting;
  autostart: AutostartFileSystem;
  scheduler: Scheduler;
  logger: Logger;
  quitTimeoutMs?: number;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * One argument of a desktop entry's Exec key: quoted, with `"`, `` ` ``, `$` and `\` escaped
 * inside the quotes, then every `\` escaped again (Exec is a string value, whose escapes are
 * undone first), and `%` doubled (field codes). Desktop Entry Specification 1.5, "The Exec key".
 */
export function desktopExecArgument(argument: string): string {
  if (/[\n\r]/.test(argument)) throw new TeraSyncError(ErrorCode.InvalidRequest, 'A path with a line break cannot be started at login.');
  const quoted = `"${argument.replace(/["`$\\]/g, (character) => `\\${character}`)}"`;
  return quoted.replace(/\\/g, '\\\\').replace(/%/g, '%%');
}

/** The autostart entry that starts TeraSync hidden at login. */
export function autostartDesktopEntry(executable: string, args: readonly string[]): string {
  const exec = [executable, ...args, HIDDEN_ARGUMENT].map(desktopExecArgument).join(' ');
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Version=1.0',
    'Name=TeraSync',
    'Comment=Keeps your folders in sync with TeraCLOUD',
    `Exec=${exec}`,
    'Icon=terasync',
    'Terminal=false',
    'StartupNotify=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

/** $XDG_CONFIG_HOME/autostart (only an absolute XDG_CONFIG_HOME counts), else ~/.config/autostart. */
export function autostartFolder(env: Readonly<Record<string, string | undefined>>, homeDir: string): string {
  const configHome = env.XDG_CONFIG_HOME;
  const base = configHome !== undefined && path.isAbsolute(configHome) ? configHome : path.join(homeDir, '.config');
  return path.join(base, 'autostart');
}

export class AppLifecycle {
  private readonly deps: AppLifecycleDeps;
  private quitting = false;
  private servicesStopped = false;
  private quitPromise: Promise<void> | null = null;

  constructor(deps: AppLifecycleDeps) {
    this.deps = deps;
  }

  /** True when this launch was a start at login: no window. */
  get startedHidden(): boolean {
    if (this.deps.argv.includes(HIDDEN_ARGUMENT)) return true;
    return this.deps.platform === 'darwin' && this.deps.app.wasOpenedAtLogin();
  }

  get isQuitting(): boolean {
    return this.quitting;
  }

  /** After app.whenReady(): the window (unless started at login), then every service. */
  async launch(): Promise<void> {
    if (!this.startedHidden) this.deps.window.show();
    await Promise.all(
      this.deps.services().map(async (service) => {
        try {
          await service.start();
        } catch (error) {
          // One pair that cannot start (its folder is gone) must not keep the others from syncing.
          this.deps.logger.error('a service failed to start', { service: service.name, message: messageOf(error) });
        }
      }),
    );
  }

  /** The window's `close` event. */
  handleWindowClose(event: CancellableEvent): void {
    if (this.quitting) return;
    event.preventDefault();
    this.deps.window.hide();
  }

  /**
   * `window-all-closed`: nothing. Main must still listen to it, since without a listener
   * Electron quits when the last window closes; the app lives in the tray.
   */
  handleWindowAllClosed(): void {}

  /** `second-instance`, with the second launch's argv. */
  handleSecondInstance(argv: readonly string[]): void {
    if (this.quitting || argv.includes(HIDDEN_ARGUMENT)) return;
    this.deps.window.show();
  }

  /** macOS `activate` (the Dock icon clicked). */
  handleActivate(): void {
    if (this.quitting) return;
    this.deps.window.show();
  }

  /** `before-quit`: held back until every service has stopped, then let through. */
  handleBeforeQuit(event: CancellableEvent): void {
    if (this.servicesStopped) return;
    event.preventDefault();
    void this.quit();
  }

  /**
   * The system is shutting down or the user logs out. On Windows Electron emits no before-quit
   * then, only the window's `session-end` (not cancellable); on macOS and Linux powerMonitor's
   * `shutdown`, where preventDefault() makes Electron delay the shutdown until the app quits.
   * Either way the window must not hide itself, or it would hold the shutdown up, and the
   * services stop as they would on Quit, as far as the system lets them (the journal is
   * transactional, so being cut short loses nothing it recorded).
   */
  handleSystemShutdown(event?: CancellableEvent): void {
    event?.preventDefault();
    void this.quit();
  }

  /** Stops every service, then quits. Calling it again joins the quit under way. */
  quit(): Promise<void> {
    return this.quitThen(() => this.deps.app.quit());
  }

  /**
   * Stops every service as Quit does, then calls `finish` instead of quitting: installing an
   * update (which quits the app itself). A quit already under way is joined, and `finish`
   * not called: the app is quitting anyway.
   */
  quitThen(finish: () => void): Promise<void> {
    this.quitPromise ??= this.stopServices().then(() => {
      this.servicesStopped = true;
      finish();
    });
    return this.quitPromise;
  }

  /** Call after every successful sign-in: the first one turns start at login on, if undecided. */
  async signedIn(): Promise<void> {
    try {
      if ((await this.deps.startAtLogin.read()) !== null) return;
      await this.setStartAtLogin(true);
    } catch (error) {
      this.deps.logger.warn('start at login could not be turned on', { message: messageOf(error) });
    }
  }

  /** The user's choice: saved, then applied. Rejects with a coded error when either fails. */
  async setStartAtLogin(enabled: boolean): Promise<void> {
    await this.deps.startAtLogin.write(enabled);
    await this.applyStartAtLogin(enabled);
  }

  /** Makes the system start TeraSync at login, or not. */
  async applyStartAtLogin(enabled: boolean): Promise<void> {
    const { platform, executable } = this.deps;
    if (platform === 'darwin' || platform === 'win32') {
      // Windows stores the arguments with the login item; macOS ignores them and reports
      // wasOpenedAtLogin instead. The executable is process.execPath by default on both.
      this.deps.app.setLoginItemSettings({ openAtLogin: enabled, args: [...executable.args, HIDDEN_ARGUMENT] });
      return;
    }
    const folder = autostartFolder(this.deps.env, this.deps.homeDir);
    const file = path.join(folder, AUTOSTART_FILE_NAME);
    try {
      if (!enabled) {
        await this.deps.autostart.remove(file);
        return;
      }
      // An AppImage runs from a mount point that changes at every start: the login entry must
      // start the AppImage file itself, which the runtime names in $APPIMAGE.
      const appImage = this.deps.env.APPIMAGE;
      const program = appImage !== undefined && appImage !== '' ? appImage : executable.path;
      const text = autostartDesktopEntry(program, executable.args);
      await this.deps.autostart.mkdir(folder);
      await this.deps.autostart.writeFile(file, text);
    } catch (error) {
      if (error instanceof TeraSyncError) throw error;
      throw new TeraSyncError(ErrorCode.LocalIo, `Start at login could not be ${enabled ? 'set up' : 'removed'} in ${file}: ${messageOf(error)}`, {
        cause: error,
      });
    }
  }

  private async stopServices(): Promise<void> {
    this.quitting = true;
    const services = this.deps.services();
    const stopped = services.map(() => false);
    const stops = Promise.all(
      services.map(async (service, index) => {
        try {
          await service.stop();
        } catch (error) {
          this.deps.logger.error('a service failed to stop', { service: service.name, message: messageOf(error) });
        } finally {
          stopped[index] = true;
        }
      }),
    );
    const timeoutMs = this.deps.quitTimeoutMs ?? DEFAULT_QUIT_TIMEOUT_MS;
    let cancelTimer: () => void = () => undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      cancelTimer = this.deps.scheduler.schedule(timeoutMs, () => resolve('timeout'));
    });
    const outcome = await Promise.race([stops.then(() => 'stopped' as const), timedOut]);
    cancelTimer();
    if (outcome === 'timeout') {
      const slow = services.flatMap((service, index) => (stopped[index] === true ? [] : [service.name ?? `service ${index + 1}`]));
      this.deps.logger.warn('quitting without waiting longer for services to stop', { timeoutMs, services: slow });
    }
  }
}
