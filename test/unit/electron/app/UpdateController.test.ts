/**
 * The update decisions under a fake clock with a fake updater: when the feed is asked, what a
 * failure does (a quiet retry with backoff), when a restart happens (only on the user's word,
 * never during a sync run or a backup), and what the settings switch.
 */
import { describe, expect, it } from 'vitest';
import { ErrorCode, TeraSyncError } from '../../../../shared/errors.js';
import type { UpdateBusyReason, UpdateChannel, UpdateStateView } from '../../../../shared/types.js';
import { validateUpdateState } from '../../../../shared/ipc/schemas.js';
import {
  UPDATE_INTERVAL_MS,
  UPDATE_RETRY_DELAYS_MS,
  UPDATE_START_DELAY_MS,
  UpdateController,
  unavailableUpdater,
  type UpdaterPort,
} from '../../../../electron/app/UpdateController.js';
import { silentLogger } from '../../../../electron/core/logger.js';
import { FakeClock, settle } from '../../../support/fakeClock.js';

/** A scripted updater: each check answers the next item of `answers` (a version, null, or an error). */
class FakeUpdater implements UpdaterPort {
  readonly currentVersion = '1.0.0';
  unavailable: UpdaterPort['unavailable'] = null;
  answers: Array<string | null | Error> = [];
  downloadFailures: Error[] = [];
  checks = 0;
  downloads = 0;
  installs = 0;
  channels: UpdateChannel[] = [];
  progress: number[] = [25, 50.7, 100];
  /** When set, a download waits for it. */
  downloadGate: Promise<void> | null = null;
  installResult: Error | null = null;

  setChannel(channel: UpdateChannel): void {
    this.channels.push(channel);
  }

  async check(): Promise<string | null> {
    this.checks++;
    const answer = this.answers.shift() ?? null;
    if (answer instanceof Error) throw answer;
    return answer;
  }

  async download(onProgress: (percent: number) => void): Promise<void> {
    this.downloads++;
    for (const percent of this.progress) onProgress(percent);
    if (this.downloadGate !== null) await this.downloadGate;
    const failure = this.downloadFailures.shift();
    if (failure !== undefined) throw failure;
  }

  async install(): Promise<void> {
    this.installs++;
    if (this.installResult !== null) throw this.installResult;
  }
}

function setup(options: { busy?: () => UpdateBusyReason | null; enabled?: boolean; channel?: UpdateChannel } = {}) {
  const clock = new FakeClock();
  const port = new FakeUpdater();
  const states: UpdateStateView[] = [];
  let busy: UpdateBusyReason | null = null;
  const controller = new UpdateController({
    port,
    clock,
    scheduler: clock,
    logger: silentLogger,
    busy: options.busy ?? (() => busy),
    onChange: (state) => {
      // Every state told to the window keeps the IPC contract.
      const checked = validateUpdateState(state);
      if (!checked.ok) throw new Error(checked.error.message);
      states.push(state);
    },
  });
  const start = (): void => controller.start({ enabled: options.enabled ?? true, channel: options.channel ?? 'stable' });
  return {
    clock,
    port,
    states,
    controller,
    start,
    setBusy: (value: UpdateBusyReason | null) => {
      busy = value;
      controller.activityChanged();
    },
    phases: () => states.map((state) => state.phase),
  };
}

describe('UpdateController', () => {
  it('checks a short while after start, then every 4 hours', async () => {
    const { clock, port, controller, start } = setup();
    start();
    expect(controller.state.phase).toBe('idle');
    expect(controller.state.nextCheckAt).toBe(clock.now() + UPDATE_START_DELAY_MS);
    await clock.advance(UPDATE_START_DELAY_MS - 1);
    expect(port.checks).toBe(0);
    await clock.advance(1);
    expect(port.checks).toBe(1);
    expect(controller.state).toMatchObject({ phase: 'idle', problem: null, lastCheckedAt: clock.now(), nextCheckAt: clock.now() + UPDATE_INTERVAL_MS });
    await clock.advance(UPDATE_INTERVAL_MS);
    expect(port.checks).toBe(2);
    // One timer at a time.
    expect(clock.pending()).toBe(1);
  });

  it('downloads a newer version in the background and offers it when verified', async () => {
    const { clock, port, controller, start, states } = setup();
    port.answers = ['1.1.0'];
    start();
    await clock.advance(UPDATE_START_DELAY_MS);
    expect(port.downloads).toBe(1);
    expect(controller.state).toMatchObject({ phase: 'ready', version: '1.1.0', percent: null, problem: null, restartPending: false });
    const downloading = states.filter((state) => state.phase === 'downloading').map((state) => state.percent);
    expect(downloading).toEqual([0, 25, 50, 100]);
    // Ready: no more checks until it is installed.
    await clock.advance(UPDATE_INTERVAL_MS * 3);
    expect(port.checks).toBe(1);
    expect(port.installs).toBe(0);
  });

  it('installs only when the user says so', async () => {
    const { clock, port, controller, start } = setup();
    port.answers = ['1.1.0'];
    start();
    await clock.advance(UPDATE_START_DELAY_MS);
    await clock.advance(UPDATE_INTERVAL_MS);
    expect(port.installs).toBe(0);
    const state = controller.restartToUpdate();
    expect(state.phase).toBe('installing');
    expect(port.installs).toBe(1);
  });

  it('waits for the sync run or backup in progress, then restarts', async () => {
    const { clock, port, controller, start, setBusy, states } = setup();
    port.answers = ['1.1.0'];
    start();
    await clock.advance(UPDATE_START_DELAY_MS);
    setBusy('sync');
    // While ready, the window hears that a restart would wait.
    expect(states.at(-1)).toMatchObject({ phase: 'ready', busy: 'sync', restartPending: false });
    const state = controller.restartToUpdate();
    expect(state).toMatchObject({ phase: 'ready', restartPending: true, busy: 'sync' });
    expect(port.installs).toBe(0);
    setBusy('backup');
    expect(port.installs).toBe(0);
    expect(states.at(-1)).toMatchObject({ restartPending: true, busy: 'backup' });
    setBusy(null);
    expect(port.installs).toBe(1);
    expect(controller.state.phase).toBe('installing');
    // Asking again while installing changes nothing.
    controller.restartToUpdate();
    expect(port.installs).toBe(1);
  });

  it('refuses a restart when nothing is ready', async () => {
    const { clock, controller, start } = setup();
    start();
    await clock.advance(UPDATE_START_DELAY_MS);
    expect(() => controller.restartToUpdate()).toThrow(TeraSyncError);
  });

  it('keeps a feed that is down quiet: one problem line, retried with backoff', async () => {
    const { clock, port, controller, start, states } = setup();
    const down = new TeraSyncError(ErrorCode.Network, 'The update server could not be reached.');
    port.answers = [down, down, down, down, down];
    start();
    await clock.advance(UPDATE_START_DELAY_MS);
    expect(controller.state).toMatchObject({ phase: 'idle', problem: { code: ErrorCode.Network } });
    const delays: number[] = [];
    for (let attempt = 0; attempt < 4; attempt++) {
      const before = clock.now();
      const next = controller.state.nextCheckAt!;
      delays.push(next - before);
      await clock.advance(next - before);
      expect(port.checks).toBe(attempt + 2);
      // Never more than one timer: no storm of retries.
      expect(clock.pending()).toBe(1);
    }
    expect(delays).toEqual([...UPDATE_RETRY_DELAYS_MS, UPDATE_INTERVAL_MS]);
    // The states told are only the background phases: nothing asks the user anything.
    expect(new Set(states.map((state) => state.phase))).toEqual(new Set(['idle', 'checking']));
    // Back up: the problem goes, the regular interval again.
    port.answers = [null];
    await clock.advance(controller.state.nextCheckAt! - clock.now());
    expect(controller.state).toMatchObject({ phase: 'idle', problem: null, nextCheckAt: clock.now() + UPDATE_INTERVAL_MS });
  });

  it('drops a download that fails verification and downloads again later', async () => {
    const { clock, port, controller, start } = setup();
    port.answers = ['1.1.0', '1.1.0'];
    port.downloadFailures = [new TeraSyncError(ErrorCode.BadResponse, 'sha512 checksum mismatch')];
    start();
    await clock.advance(UPDATE_START_DELAY_MS);
    expect(controller.state).toMatchObject({ phase: 'idle', version: null, problem: { code: ErrorCode.BadResponse } });
    expect(() => controller.restartToUpdate()).toThrow(/No update is ready/);
    await clock.advance(UPDATE_RETRY_DELAYS_MS[0]!);
    expect(port.downloads).toBe(2);
    expect(controller.state).toMatchObject({ phase: 'ready', version: '1.1.0', problem: null });
  });

  it('checks now when asked, and not twice at once', async () => {
    const { clock, port, controller, start } = setup();
    start();
    controller.checkNow();
    await settle();
    expect(port.checks).toBe(0);
    await clock.advance(0);
    expect(port.checks).toBe(1);
    let release!: () => void;
    port.answers = ['1.1.0'];
    port.downloadGate = new Promise((resolve) => {
      release = resolve;
    });
    controller.checkNow();
    await clock.advance(0);
    expect(controller.state.phase).toBe('downloading');
    controller.checkNow();
    await clock.advance(0);
    expect(port.checks).toBe(2);
    release();
    await settle();
    expect(controller.state.phase).toBe('ready');
  });

  it('turned off: no checks, and the window is told why; turned on: checks again', async () => {
    const { clock, port, controller, start } = setup({ enabled: false });
    start();
    expect(controller.state).toMatchObject({ phase: 'disabled', disabledReason: 'setting' });
    await clock.advance(UPDATE_INTERVAL_MS);
    expect(port.checks).toBe(0);
    expect(clock.pending()).toBe(0);
    expect(() => controller.checkNow()).toThrow(/turn them on/);
    controller.applySettings({ enabled: true, channel: 'stable' });
    await clock.advance(0);
    expect(port.checks).toBe(1);
    controller.applySettings({ enabled: false, channel: 'stable' });
    expect(controller.state.phase).toBe('disabled');
    expect(clock.pending()).toBe(0);
  });

  it('a copy that cannot update itself stays disabled with the reason', async () => {
    const clock = new FakeClock();
    const controller = new UpdateController({
      port: unavailableUpdater('1.0.0', 'not-packaged'),
      clock,
      scheduler: clock,
      logger: silentLogger,
      busy: () => null,
      onChange: () => undefined,
    });
    controller.start({ enabled: true, channel: 'beta' });
    expect(controller.state).toMatchObject({ phase: 'disabled', disabledReason: 'not-packaged', currentVersion: '1.0.0' });
    expect(clock.pending()).toBe(0);
    expect(() => controller.checkNow()).toThrow(/does not update itself/);
  });

  it('a channel change applies at once and forgets what the other channel found', async () => {
    const { clock, port, controller, start } = setup({ channel: 'beta' });
    port.answers = ['1.1.0-beta.1'];
    start();
    expect(port.channels).toEqual(['beta']);
    await clock.advance(UPDATE_START_DELAY_MS);
    expect(controller.state).toMatchObject({ phase: 'ready', version: '1.1.0-beta.1' });
    controller.applySettings({ enabled: true, channel: 'stable' });
    expect(port.channels).toEqual(['beta', 'stable']);
    expect(controller.state).toMatchObject({ phase: 'idle', version: null });
    await clock.advance(0);
    expect(port.checks).toBe(2);
    // The same settings again change nothing.
    controller.applySettings({ enabled: true, channel: 'stable' });
    expect(port.channels).toEqual(['beta', 'stable']);
  });

  it('an install that fails leaves the update ready, with the problem', async () => {
    const { clock, port, controller, start } = setup();
    port.answers = ['1.1.0'];
    port.installResult = new TeraSyncError(ErrorCode.LocalIo, 'The installer could not be started.');
    start();
    await clock.advance(UPDATE_START_DELAY_MS);
    controller.restartToUpdate();
    await settle();
    expect(controller.state).toMatchObject({ phase: 'ready', problem: { code: ErrorCode.LocalIo } });
  });

  it('stops every timer when disposed', async () => {
    const { clock, port, controller, start } = setup();
    start();
    controller.dispose();
    await clock.advance(UPDATE_INTERVAL_MS);
    expect(port.checks).toBe(0);
    expect(clock.pending()).toBe(0);
  });
});
