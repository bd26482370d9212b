/**
 * AppLifecycle against fakes of `app`, the window, the services and the file system, which
 * record what was asked of them and in what order: the hidden start at login, close to the
 * tray, a graceful quit (every service stopped before app.quit, even a slow one; a hung one
 * given up on after the timeout), the second instance, and start at login on all three systems.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  AppLifecycle,
  autostartDesktopEntry,
  autostartFolder,
  desktopExecArgument,
  type AppLifecycleDeps,
  type AppService,
  type AutostartFileSystem,
  type CancellableEvent,
  type StartAtLoginSetting,
} from '../../../../electron/app/AppLifecycle.js';
import { ErrorCode, TeraSyncError } from '../../../../shared/errors.js';
import type { Logger } from '../../../../electron/core/logger.js';
import { FakeClock, settle } from '../../../support/fakeClock.js';

/** One log of everything asked of every fake, in order. */
type Journal = string[];

class FakeService implements AppService {
  private finishStop: (() => void) | null = null;
  constructor(
    readonly name: string,
    private readonly journal: Journal,
    private readonly behaviour: { stop?: 'now' | 'slow' | 'fail' | 'hang'; start?: 'ok' | 'fail' } = {},
  ) {}
  async start(): Promise<void> {
    this.journal.push(`start ${this.name}`);
    if (this.behaviour.start === 'fail') throw new Error(`${this.name} cannot start`);
  }
  stop(): Promise<void> {
    this.journal.push(`stop ${this.name}`);
    switch (this.behaviour.stop ?? 'now') {
      case 'now':
        this.journal.push(`stopped ${this.name}`);
        return Promise.resolve();
      case 'fail':
        return Promise.reject(new Error(`${this.name} broke while stopping`));
      case 'slow':
        return new Promise<void>((resolve) => {
          this.finishStop = () => {
            this.journal.push(`stopped ${this.name}`);
            resolve();
          };
        });
      case 'hang':
        return new Promise<void>(() => undefined);
    }
  }
  /** Lets a slow stop finish. */
  finish(): void {
    this.finishStop?.();
  }
}

class FakeEvent implements CancellableEvent {
  prevented = false;
  preventDefault(): void {
    this.prevented = true;
  }
}

class MemorySetting implements StartAtLoginSetting {
  constructor(public value: boolean | null = null) {}
  async read(): Promise<boolean | null> {
    return this.value;
  }
  async write(enabled: boolean): Promise<void> {
    this.value = enabled;
  }
}

class MemoryFileSystem implements AutostartFileSystem {
  readonly files = new Map<string, string>();
  readonly folders = new Set<string>();
  failWith: Error | null = null;
  async mkdir(folder: string): Promise<void> {
    if (this.failWith !== null) throw this.failWith;
    this.folders.add(folder);
  }
  async writeFile(filePath: string, text: string): Promise<void> {
    if (this.failWith !== null) throw this.failWith;
    this.files.set(filePath, text);
  }
  async remove(filePath: string): Promise<void> {
    this.files.delete(filePath);
  }
}

function recordingLogger(journal: Journal): Logger {
  const log = (level: string) => (message: string, fields?: Record<string, unknown>) =>
    void journal.push(`${level}: ${message}${fields === undefined ? '' : ` ${JSON.stringify(fields)}`}`);
  return { debug: () => undefined, info: log('info'), warn: log('warn'), error: log('error') };
}

interface SetUpOptions {
  platform?: NodeJS.Platform;
  argv?: string[];
  env?: Record<string, string | undefined>;
  services?: (journal: Journal) => AppService[];
  wasOpenedAtLogin?: boolean;
  setting?: boolean | null;
  executableArgs?: string[];
}

function setUp(options: SetUpOptions = {}) {
  const journal: Journal = [];
  const clock = new FakeClock();
  const setting = new MemorySetting(options.setting ?? null);
  const fileSystem = new MemoryFileSystem();
  const loginItems: Array<{ openAtLogin: boolean; args: string[] }> = [];
  const services = options.services?.(journal) ?? [new FakeService('sync home', journal), new FakeService('sync work', journal)];
  const deps: AppLifecycleDeps = {
    platform: options.platform ?? 'linux',
    argv: options.argv ?? ['/opt/TeraSync/terasync'],
    env: options.env ?? {},
    homeDir: '/home/alice',
    executable: { path: '/opt/TeraSync/terasync', args: options.executableArgs ?? [] },
    app: {
      quit: () => void journal.push('app.quit'),
      setLoginItemSettings: (settings) => {
        loginItems.push(settings);
        journal.push('app.setLoginItemSettings');
      },
      wasOpenedAtLogin: () => options.wasOpenedAtLogin ?? false,
    },
    window: { show: () => void journal.push('window.show'), hide: () => void journal.push('window.hide') },
    services: () => services,
    startAtLogin: setting,
    autostart: fileSystem,
    scheduler: clock,
    logger: recordingLogger(journal),
    quitTimeoutMs: 10_000,
  };
  return { lifecycle: new AppLifecycle(deps), journal, clock, setting, fileSystem, loginItems, services };
}

describe('AppLifecycle: launch', () => {
  it('opens the window and starts every service on a normal launch', async () => {
    const { lifecycle, journal } = setUp();
    await lifecycle.launch();
    expect(lifecycle.startedHidden).toBe(false);
    expect(journal).toEqual(['window.show', 'start sync home', 'start sync work']);
  });

  it.each([
    ['linux', ['/opt/TeraSync/terasync', '--hidden'], false],
    ['win32', ['C:\\TeraSync\\TeraSync.exe', '--hidden'], false],
    ['darwin', ['/Applications/TeraSync.app/Contents/MacOS/TeraSync'], true],
  ] as const)('on %s, a start at login syncs without opening a window', async (platform, argv, wasOpenedAtLogin) => {
    const { lifecycle, journal } = setUp({ platform, argv: [...argv], wasOpenedAtLogin });
    await lifecycle.launch();
    expect(lifecycle.startedHidden).toBe(true);
    expect(journal).toEqual(['start sync home', 'start sync work']);
  });

  it('keeps starting the other services when one cannot start', async () => {
    const { lifecycle, journal } = setUp({
      services: (j) => [new FakeService('sync gone', j, { start: 'fail' }), new FakeService('sync work', j)],
    });
    await lifecycle.launch();
    expect(journal).toContain('start sync work');
    expect(journal).toContain('error: a service failed to start {"service":"sync gone","message":"sync gone cannot start"}');
  });
});

describe('AppLifecycle: window and second instance', () => {
  it('hides the window to the tray on close instead of closing it', () => {
    const { lifecycle, journal } = setUp();
    const close = new FakeEvent();
    lifecycle.handleWindowClose(close);
    expect(close.prevented).toBe(true);
    expect(journal).toEqual(['window.hide']);
    lifecycle.handleWindowAllClosed();
    expect(journal).toEqual(['window.hide']);
  });

  it('lets the window close while quitting', async () => {
    const { lifecycle } = setUp();
    const quitting = lifecycle.quit();
    const close = new FakeEvent();
    lifecycle.handleWindowClose(close);
    expect(close.prevented).toBe(false);
    await quitting;
  });

  it('shows and focuses the window on a second launch, but not on a second start at login', () => {
    const { lifecycle, journal } = setUp();
    lifecycle.handleSecondInstance(['/opt/TeraSync/terasync']);
    lifecycle.handleSecondInstance(['/opt/TeraSync/terasync', '--hidden']);
    lifecycle.handleActivate();
    expect(journal).toEqual(['window.show', 'window.show']);
  });
});

describe('AppLifecycle: quit', () => {
  it('stops every service, all at once, and only then quits, even when one is slow', async () => {
    let slow!: FakeService;
    const { lifecycle, journal, clock } = setUp({
      services: (j) => {
        slow = new FakeService('sync big', j, { stop: 'slow' });
        return [slow, new FakeService('sync work', j)];
      },
    });
    let done = false;
    const quitting = lifecycle.quit().then(() => {
      done = true;
    });
    await clock.advance(5_000);
    expect(journal).toEqual(['stop sync big', 'stop sync work', 'stopped sync work']);
    expect(done).toBe(false);
    slow.finish();
    await quitting;
    expect(journal).toEqual(['stop sync big', 'stop sync work', 'stopped sync work', 'stopped sync big', 'app.quit']);
    expect(clock.pending()).toBe(0);
  });

  it('holds back a quit started elsewhere (Cmd+Q, logout) until the services have stopped', async () => {
    const { lifecycle, journal } = setUp();
    const first = new FakeEvent();
    lifecycle.handleBeforeQuit(first);
    expect(first.prevented).toBe(true);
    expect(lifecycle.isQuitting).toBe(true);
    await settle();
    expect(journal).toEqual(['stop sync home', 'stopped sync home', 'stop sync work', 'stopped sync work', 'app.quit']);
    // app.quit() emits before-quit again: now it goes through.
    const second = new FakeEvent();
    lifecycle.handleBeforeQuit(second);
    expect(second.prevented).toBe(false);
  });

  it('installs an update only after every service has stopped, and lets the installer\'s quit through', async () => {
    const { lifecycle, journal } = setUp();
    await lifecycle.quitThen(() => void journal.push('install'));
    expect(journal).toEqual(['stop sync home', 'stopped sync home', 'stop sync work', 'stopped sync work', 'install']);
    // The installer quits the app: before-quit goes through, the services are not stopped twice.
    const quit = new FakeEvent();
    lifecycle.handleBeforeQuit(quit);
    expect(quit.prevented).toBe(false);
    expect(journal.filter((line) => line === 'stop sync home')).toHaveLength(1);
  });

  it('does not install when a quit is already under way', async () => {
    const { lifecycle, journal } = setUp();
    await Promise.all([lifecycle.quit(), lifecycle.quitThen(() => void journal.push('install'))]);
    expect(journal).not.toContain('install');
    expect(journal.filter((line) => line === 'app.quit')).toHaveLength(1);
  });

  it('stops each service once however often Quit is chosen', async () => {
    const { lifecycle, journal } = setUp();
    await Promise.all([lifecycle.quit(), lifecycle.quit()]);
    lifecycle.handleBeforeQuit(new FakeEvent());
    expect(journal.filter((line) => line === 'stop sync home')).toHaveLength(1);
    expect(journal.filter((line) => line === 'app.quit')).toHaveLength(1);
  });

  it('quits when a service fails to stop, after the others stopped', async () => {
    const { lifecycle, journal } = setUp({
      services: (j) => [new FakeService('sync broken', j, { stop: 'fail' }), new FakeService('sync work', j)],
    });
    await lifecycle.quit();
    expect(journal).toEqual([
      'stop sync broken',
      'stop sync work',
      'stopped sync work',
      'error: a service failed to stop {"service":"sync broken","message":"sync broken broke while stopping"}',
      'app.quit',
    ]);
  });

  it('gives up on a stop that hangs after the timeout, so that Quit always quits', async () => {
    const { lifecycle, journal, clock } = setUp({
      services: (j) => [new FakeService('sync hung', j, { stop: 'hang' }), new FakeService('sync work', j)],
    });
    const quitting = lifecycle.quit();
    await clock.advance(9_999);
    expect(journal).not.toContain('app.quit');
    await clock.advance(1);
    await quitting;
    expect(journal.slice(-2)).toEqual([
      'warn: quitting without waiting longer for services to stop {"timeoutMs":10000,"services":["sync hung"]}',
      'app.quit',
    ]);
  });

  it('on a system shutdown, lets the window close and stops the services before quitting', async () => {
    const { lifecycle, journal } = setUp();
    const shutdown = new FakeEvent();
    lifecycle.handleSystemShutdown(shutdown);
    expect(shutdown.prevented).toBe(true);
    const close = new FakeEvent();
    lifecycle.handleWindowClose(close);
    expect(close.prevented).toBe(false);
    lifecycle.handleSystemShutdown();
    await lifecycle.quit();
    expect(journal).toEqual(['stop sync home', 'stopped sync home', 'stop sync work', 'stopped sync work', 'app.quit']);
  });

  it('asks the services at quit time (a pair added while running is stopped too)', async () => {
    const journal: Journal = [];
    const services: AppService[] = [];
    const { lifecycle } = setUp({ services: () => services });
    services.push(new FakeService('added later', journal));
    await lifecycle.quit();
    expect(journal).toEqual(['stop added later', 'stopped added later']);
  });
});

describe('AppLifecycle: start at login', () => {
  it('is turned on by the first successful sign-in, and only while undecided', async () => {
    const first = setUp({ platform: 'win32' });
    await first.lifecycle.signedIn();
    expect(first.setting.value).toBe(true);
    expect(first.loginItems).toEqual([{ openAtLogin: true, args: ['--hidden'] }]);

    const declined = setUp({ platform: 'win32', setting: false });
    await declined.lifecycle.signedIn();
    expect(declined.setting.value).toBe(false);
    expect(declined.loginItems).toEqual([]);
  });

  it.each(['win32', 'darwin'] as const)('on %s, uses Electron login items with --hidden', async (platform) => {
    const { lifecycle, loginItems, setting, fileSystem } = setUp({ platform });
    await lifecycle.setStartAtLogin(true);
    await lifecycle.setStartAtLogin(false);
    expect(loginItems).toEqual([
      { openAtLogin: true, args: ['--hidden'] },
      { openAtLogin: false, args: ['--hidden'] },
    ]);
    expect(setting.value).toBe(false);
    expect(fileSystem.files.size).toBe(0);
  });

  it('passes the app folder first when running from a development checkout', async () => {
    const { lifecycle, loginItems } = setUp({ platform: 'win32', executableArgs: ['C:\\src\\terasync'] });
    await lifecycle.setStartAtLogin(true);
    expect(loginItems).toEqual([{ openAtLogin: true, args: ['C:\\src\\terasync', '--hidden'] }]);
  });

  it('on Linux, writes and removes ~/.config/autostart/terasync.desktop', async () => {
    const { lifecycle, fileSystem, loginItems } = setUp({ platform: 'linux' });
    const file = path.join('/home/alice/.config/autostart', 'terasync.desktop');
    await lifecycle.setStartAtLogin(true);
    expect(fileSystem.folders).toEqual(new Set([path.join('/home/alice/.config/autostart')]));
    expect(fileSystem.files.get(file)).toBe(
      [
        '[Desktop Entry]',
        'Type=Application',
        'Version=1.0',
        'Name=TeraSync',
        'Comment=Keeps your folders in sync with TeraCLOUD',
        'Exec="/opt/TeraSync/terasync" "--hidden"',
        'Icon=terasync',
        'Terminal=false',
        'StartupNotify=false',
        'X-GNOME-Autostart-enabled=true',
        '',
      ].join('\n'),
    );
    await lifecycle.setStartAtLogin(false);
    expect(fileSystem.files.has(file)).toBe(false);
    expect(loginItems).toEqual([]);
  });

  it('on Linux, starts the AppImage file rather than its temporary mount, and honours XDG_CONFIG_HOME', async () => {
    const { lifecycle, fileSystem } = setUp({
      platform: 'linux',
      env: { APPIMAGE: '/home/alice/Apps/TeraSync-1.0.AppImage', XDG_CONFIG_HOME: '/home/alice/.cfg' },
    });
    await lifecycle.setStartAtLogin(true);
    const text = fileSystem.files.get(path.join('/home/alice/.cfg/autostart', 'terasync.desktop'));
    expect(text).toContain('Exec="/home/alice/Apps/TeraSync-1.0.AppImage" "--hidden"\n');
  });

  it('reports a file that cannot be written as a LocalIo error, and signedIn() only logs it', async () => {
    const { lifecycle, fileSystem, journal } = setUp({ platform: 'linux' });
    fileSystem.failWith = Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
    await expect(lifecycle.setStartAtLogin(true)).rejects.toMatchObject({ code: ErrorCode.LocalIo });
    await expect(lifecycle.setStartAtLogin(true)).rejects.toBeInstanceOf(TeraSyncError);

    const fresh = setUp({ platform: 'linux' });
    fresh.fileSystem.failWith = new Error('EROFS: read-only file system');
    await expect(fresh.lifecycle.signedIn()).resolves.toBeUndefined();
    expect(fresh.journal.some((line) => line.startsWith('warn: start at login could not be turned on'))).toBe(true);
    expect(journal).toEqual([]);
  });
});

describe('desktop entry quoting', () => {
  it.each([
    ['/opt/TeraSync/terasync', '"/opt/TeraSync/terasync"'],
    ['/home/alice/My Apps/TeraSync.AppImage', '"/home/alice/My Apps/TeraSync.AppImage"'],
    ['/home/alice/a"b', '"/home/alice/a\\\\"b"'],
    ['/home/alice/$HOME`x`', '"/home/alice/\\\\$HOME\\\\`x\\\\`"'],
    ['/home/alice/back\\slash', '"/home/alice/back\\\\\\\\slash"'],
    ['/home/alice/100%', '"/home/alice/100%%"'],
  ])('quotes %s as %s', (argument, quoted) => {
    expect(desktopExecArgument(argument)).toBe(quoted);
  });

  it('refuses a line break, which a desktop entry cannot hold', () => {
    expect(() => desktopExecArgument('/tmp/a\nb')).toThrow(TeraSyncError);
    expect(() => autostartDesktopEntry('/tmp/a\nb', [])).toThrow(/line break/);
  });

  it('uses ~/.config when XDG_CONFIG_HOME is unset or not absolute', () => {
    expect(autostartFolder({}, '/home/alice')).toBe(path.join('/home/alice/.config/autostart'));
    expect(autostartFolder({ XDG_CONFIG_HOME: 'relative' }, '/home/alice')).toBe(path.join('/home/alice/.config/autostart'));
  });
});
