/**
 * The decisions about updating the app itself, as plain logic with ports so that they are
 * tested under Node (electron/main/updater.ts wires the port to electron-updater):
 *
 * - When: the feed is asked `startDelayMs` (30 s) after start, so that the launch and the first
 *   sync runs come first, then every `intervalMs` (4 hours), and when the user asks
 *   (`checkNow`). A newer version is downloaded in the background at once.
 * - Failures stay quiet: a feed that is down, a refused certificate or a download that fails
 *   its sha512 is kept as `problem` (the Settings screen shows one line) and tried again after
 *   `retryDelaysMs` (5 min, 15 min, 1 h, then every 4 h). Never a dialog, never a notification.
 * - Ready: the downloaded, verified version is offered as "Restart to update" (window and tray).
 *   Nothing installs without that click: not at quit either (electron-updater's install on
 *   quit is off), since an installer then may ask for an administrator password while the
 *   computer shuts down. The download stays in the updater's cache, and is offered again at
 *   the next start without downloading it again (electron-updater checks the cached file's
 *   sha512 before using it).
 * - Never during a run: "Restart to update" while a sync run or a backup (or restore) is in
 *   progress waits for the end of it (`restartPending`; the window says so) and restarts as
 *   soon as the services are idle: AppServices calls `activityChanged` when a run starts or
 *   ends. Installing goes through the port, which stops the services as Quit does.
 * - Settings: `update.enabled` false stops every check (state disabled, reason 'setting');
 *   `update.channel` 'beta' asks for pre-releases too. A copy that cannot update itself (run
 *   from a checkout, an unpacked folder) is disabled with the port's reason.
 */
import { ErrorCode, TeraSyncError, toTeraSyncError, type ErrorInfo } from '../../shared/errors.js';
import type { UpdateBusyReason, UpdateChannel, UpdateDisabledReason, UpdateStateView } from '../../shared/types.js';
import type { Clock, Scheduler } from '../core/time.js';
import type { Logger } from '../core/logger.js';

export const UPDATE_START_DELAY_MS = 30_000;
export const UPDATE_INTERVAL_MS = 4 * 60 * 60_000;
/** After a failure: 5 min, 15 min, 1 h, then the regular interval. */
export const UPDATE_RETRY_DELAYS_MS: readonly number[] = [5 * 60_000, 15 * 60_000, 60 * 60_000];

/** What the controller needs of electron-updater (electron/app/electronUpdaterPort.ts). */
export interface UpdaterPort {
  /** The version running now (semver). */
  readonly currentVersion: string;
  /** Why this copy cannot update itself, or null when it can. */
  readonly unavailable: Exclude<UpdateDisabledReason, 'setting'> | null;
  /** Which releases the feed offers: applied before the next check. */
  setChannel(channel: UpdateChannel): void;
  /** Asks the feed: the newer version, or null when the running one is the latest. */
  check(): Promise<string | null>;
  /** Downloads the version `check` found and verifies its sha512; rejects when it does not match. */
  download(onProgress: (percent: number) => void): Promise<void>;
  /** Stops the app (as Quit does) and installs the downloaded version, then starts it again. */
  install(): Promise<void>;
}

export interface UpdateSettingsInput {
  enabled: boolean;
  channel: UpdateChannel;
}

export interface UpdateControllerDeps {
  port: UpdaterPort;
  clock: Clock;
  scheduler: Scheduler;
  logger: Logger;
  /** A run in progress now (a restart waits for it), or null. */
  busy(): UpdateBusyReason | null;
  /** Told of every change of the state (for the window and the tray). */
  onChange(state: UpdateStateView): void;
  startDelayMs?: number;
  intervalMs?: number;
  retryDelaysMs?: readonly number[];
}

/** An updater for a build or a test that has none: always disabled. */
export function unavailableUpdater(currentVersion: string, reason: Exclude<UpdateDisabledReason, 'setting'> = 'not-packaged'): UpdaterPort {
  const refuse = (): Promise<never> => Promise.reject(new TeraSyncError(ErrorCode.Configuration, 'This copy of TeraSync does not update itself.'));
  return { currentVersion, unavailable: reason, setChannel: () => undefined, check: refuse, download: refuse, install: refuse };
}

type Phase = UpdateStateView['phase'];

export class UpdateController {
  private readonly deps: UpdateControllerDeps;
  private phase: Phase = 'disabled';
  private disabledReason: UpdateDisabledReason | null;
  private version: string | null = null;
  private percent: number | null = null;
  private lastCheckedAt: number | null = null;
  private problem: ErrorInfo | null = null;
  private nextCheckAt: number | null = null;
  private restartPending = false;
  private failures = 0;
  private cancelTimer: (() => void) | null = null;
  private settings: UpdateSettingsInput | null = null;
  private started = false;
  private disposed = false;
  /** Bumped whenever a check in flight must be forgotten (disabled, channel changed, disposed). */
  private generation = 0;
  /** `busy` as last told, so that a run starting or ending is told while an update is ready. */
  private lastBusy: UpdateBusyReason | null = null;

  constructor(deps: UpdateControllerDeps) {
    this.deps = deps;
    this.disabledReason = deps.port.unavailable ?? 'setting';
  }

  /** The state as the window sees it. */
  get state(): UpdateStateView {
    const busy = this.deps.busy();
    return {
      phase: this.phase,
      disabledReason: this.phase === 'disabled' ? this.disabledReason ?? 'setting' : null,
      currentVersion: this.deps.port.currentVersion,
      version: this.version,
      percent: this.phase === 'downloading' ? this.percent ?? 0 : null,
      lastCheckedAt: this.lastCheckedAt,
      problem: this.problem,
      nextCheckAt: this.nextCheckAt,
      restartPending: this.restartPending,
      busy,
    };
  }

  /** At launch, with the settings: the first check after the start delay. */
  start(settings: UpdateSettingsInput): void {
    if (this.started || this.disposed) return;
    this.started = true;
    this.apply(settings, this.deps.startDelayMs ?? UPDATE_START_DELAY_MS);
  }

  /** The settings changed (or not: nothing happens then). */
  applySettings(settings: UpdateSettingsInput): void {
    if (!this.started || this.disposed) return;
    const before = this.settings;
    if (before !== null && before.enabled === settings.enabled && before.channel === settings.channel) return;
    this.apply(settings, 0);
  }

  /** The user asked: check now (a download in progress or a ready update is left as it is). */
  checkNow(): UpdateStateView {
    this.assertUsable();
    if (this.phase === 'idle') {
      this.failures = 0;
      this.schedule(0);
    }
    return this.state;
  }

  /** "Restart to update": installs now, or as soon as no run is in progress. */
  restartToUpdate(): UpdateStateView {
    this.assertUsable();
    if (this.phase === 'installing') return this.state;
    if (this.phase !== 'ready') throw new TeraSyncError(ErrorCode.InvalidRequest, 'No update is ready to install yet: it is installed once it has been downloaded.');
    this.restartPending = true;
    if (this.deps.busy() === null) this.install();
    else this.changed();
    return this.state;
  }

  /** A sync run or a backup started or ended: a pending restart goes ahead once none runs. */
  activityChanged(): void {
    if (this.disposed || this.phase !== 'ready') return;
    const busy = this.deps.busy();
    if (this.restartPending && busy === null) this.install();
    // While an update is ready the window says whether a restart would wait.
    else if (busy !== this.lastBusy) this.changed();
  }

  dispose(): void {
    this.disposed = true;
    this.generation++;
    this.cancelTimer?.();
    this.cancelTimer = null;
  }

  private assertUsable(): void {
    if (this.phase !== 'disabled') return;
    const reason = this.disabledReason;
    throw new TeraSyncError(
      ErrorCode.InvalidRequest,
      reason === 'setting' ? 'Updates are turned off: turn them on in Settings first.' : 'This copy of TeraSync does not update itself.',
    );
  }

  private apply(settings: UpdateSettingsInput, delayMs: number): void {
    const channelChanged = this.settings !== null && this.settings.channel !== settings.channel;
    this.settings = { ...settings };
    const unavailable = this.deps.port.unavailable;
    if (unavailable !== null || !settings.enabled) {
      this.generation++;
      this.cancelTimer?.();
      this.cancelTimer = null;
      this.phase = 'disabled';
      this.disabledReason = unavailable ?? 'setting';
      this.version = null;
      this.percent = null;
      this.problem = null;
      this.nextCheckAt = null;
      this.restartPending = false;
      this.changed();
      return;
    }
    this.deps.port.setChannel(settings.channel);
    if (this.phase === 'installing') return;
    if (this.phase === 'disabled' || channelChanged) {
      // A check or download for the other channel is forgotten; so is what it found.
      this.generation++;
      this.phase = 'idle';
      this.disabledReason = null;
      this.version = null;
      this.percent = null;
      this.problem = null;
      this.restartPending = false;
      this.failures = 0;
      this.schedule(delayMs);
    }
  }

  private schedule(delayMs: number): void {
    this.cancelTimer?.();
    this.nextCheckAt = this.deps.clock.now() + delayMs;
    this.cancelTimer = this.deps.scheduler.schedule(delayMs, () => {
      this.cancelTimer = null;
      void this.check();
    });
    this.changed();
  }

  private async check(): Promise<void> {
    if (this.disposed || this.phase !== 'idle') return;
    const generation = ++this.generation;
    this.phase = 'checking';
    this.nextCheckAt = null;
    this.changed();
    try {
      const found = await this.deps.port.check();
      if (generation !== this.generation) return;
      this.lastCheckedAt = this.deps.clock.now();
      if (found === null) {
        this.phase = 'idle';
        this.problem = null;
        this.failures = 0;
        this.schedule(this.deps.intervalMs ?? UPDATE_INTERVAL_MS);
        return;
      }
      this.deps.logger.info('update: a newer version was found, downloading it', { version: found });
      this.phase = 'downloading';
      this.version = found;
      this.percent = 0;
      this.changed();
      await this.deps.port.download((percent) => {
        if (generation !== this.generation || this.phase !== 'downloading') return;
        const rounded = Math.max(0, Math.min(100, Math.floor(percent)));
        if (rounded === this.percent) return;
        this.percent = rounded;
        this.changed();
      });
      if (generation !== this.generation) return;
      this.deps.logger.info('update: downloaded and verified', { version: found });
      this.phase = 'ready';
      this.percent = null;
      this.problem = null;
      this.failures = 0;
      this.changed();
    } catch (error) {
      if (generation !== this.generation) return;
      const info = toTeraSyncError(error, ErrorCode.Network).toInfo();
      const delays = this.deps.retryDelaysMs ?? UPDATE_RETRY_DELAYS_MS;
      const delay = delays[this.failures] ?? this.deps.intervalMs ?? UPDATE_INTERVAL_MS;
      this.failures++;
      // Quiet: the log and one line in Settings, nothing that interrupts the user.
      this.deps.logger.warn('update: the check or download failed; trying again later', { code: info.code, message: info.message, retryInMs: delay });
      this.phase = 'idle';
      this.version = null;
      this.percent = null;
      this.problem = info;
      this.schedule(delay);
    }
  }

  private install(): void {
    this.phase = 'installing';
    this.restartPending = false;
    this.changed();
    this.deps.port.install().catch((error: unknown) => {
      if (this.disposed) return;
      const info = toTeraSyncError(error).toInfo();
      this.deps.logger.error('update: installing failed', { code: info.code, message: info.message });
      this.phase = 'ready';
      this.problem = info;
      this.changed();
    });
  }

  private changed(): void {
    if (this.disposed) return;
    const state = this.state;
    this.lastBusy = state.busy;
    this.deps.onChange(state);
  }
}
