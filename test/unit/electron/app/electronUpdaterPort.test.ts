/**
 * How the port sets electron-updater up and says its failures, with a stand-in AppUpdater (the
 * real one is run against an HTTPS feed in test/integration/app/updater.test.ts).
 */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { ErrorCode, TeraSyncError } from '../../../../shared/errors.js';
import { createElectronUpdaterPort, updateError, type AppUpdaterLike } from '../../../../electron/app/electronUpdaterPort.js';
import { silentLogger } from '../../../../electron/core/logger.js';

class StandInUpdater extends EventEmitter implements AppUpdaterLike {
  autoDownload = true;
  autoInstallOnAppQuit = true;
  allowPrerelease = false;
  allowDowngrade = false;
  private currentChannel: string | null = null;
  logger: AppUpdaterLike['logger'] = null;
  readonly currentVersion = { version: '0.1.0' };
  answer: Awaited<ReturnType<AppUpdaterLike['checkForUpdates']>> = null;

  get channel(): string | null {
    return this.currentChannel;
  }

  set channel(value: string | null) {
    // As electron-updater does: setting the channel allows downgrades.
    this.currentChannel = value;
    this.allowDowngrade = true;
  }

  async checkForUpdates() {
    return this.answer;
  }

  async downloadUpdate(): Promise<string[]> {
    this.emit('download-progress', { percent: 12.5 });
    this.emit('download-progress', { percent: 80 });
    return ['/cache/pending/TeraSync-0.2.0.AppImage'];
  }
}

function port(updater = new StandInUpdater()) {
  return { updater, port: createElectronUpdaterPort({ updater, unavailable: null, install: async () => undefined, logger: silentLogger }) };
}

describe('the electron-updater port', () => {
  it('downloads only when asked and never installs on quit', () => {
    const { updater } = port();
    expect(updater.autoDownload).toBe(false);
    expect(updater.autoInstallOnAppQuit).toBe(false);
    expect(updater.logger).not.toBeNull();
  });

  it('maps the channels to the feed files, pre-releases only on beta, never a downgrade', () => {
    const { updater, port: updates } = port();
    updates.setChannel('beta');
    expect([updater.channel, updater.allowPrerelease, updater.allowDowngrade]).toEqual(['beta', true, false]);
    updates.setChannel('stable');
    expect([updater.channel, updater.allowPrerelease, updater.allowDowngrade]).toEqual(['latest', false, false]);
  });

  it('answers the newer version, or null when the running one is the latest', async () => {
    const { updater, port: updates } = port();
    updater.answer = { isUpdateAvailable: true, updateInfo: { version: '0.2.0' } };
    expect(await updates.check()).toBe('0.2.0');
    updater.answer = { isUpdateAvailable: false, updateInfo: { version: '0.1.0' } };
    expect(await updates.check()).toBeNull();
    updater.answer = null;
    await expect(updates.check()).rejects.toMatchObject({ code: ErrorCode.Configuration });
  });

  it('passes the download progress on, and leaves no listener behind', async () => {
    const { updater, port: updates } = port();
    const seen: number[] = [];
    await updates.download((percent) => seen.push(percent));
    expect(seen).toEqual([12.5, 80, 100]);
    expect(updater.listenerCount('download-progress')).toBe(0);
  });

  it.each([
    [Object.assign(new Error('sha512 checksum mismatch, expected a, got b'), { code: 'ERR_CHECKSUM_MISMATCH' }), ErrorCode.BadResponse, /sha512/],
    [Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }), ErrorCode.Network, /could not be reached/],
    [Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }), ErrorCode.Tls, /certificate/],
    [Object.assign(new Error('Cannot find channel "beta-linux.yml"'), { code: 'ERR_UPDATER_CHANNEL_FILE_NOT_FOUND' }), ErrorCode.NotFound, /no release for this channel/],
    [Object.assign(new Error('503 Service Unavailable'), { statusCode: 503 }), ErrorCode.Server, /HTTP 503/],
    [new Error('Cannot download "https://example.com/a.AppImage", status 502: Bad Gateway'), ErrorCode.Server, /HTTP 502/],
    [Object.assign(new Error('Forbidden'), { statusCode: 403 }), ErrorCode.BadResponse, /refused/],
  ])('says %s in words, and that nothing needs doing', (error, code, message) => {
    const said = updateError(error);
    expect(said).toBeInstanceOf(TeraSyncError);
    expect(said.code).toBe(code);
    expect(said.message).toMatch(message);
    expect(said.message).toMatch(/tries again by itself later/);
  });
});
