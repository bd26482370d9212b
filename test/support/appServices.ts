/**
 * AppServices under test, on this machine.
 *
 * `testServicesDeps`: the dependencies an AppServices needs: a keychain in memory, the real
 * clock, watcher and file system, a trash that deletes, and no shell, dialog or browser. A
 * test passes what it cares about (the emulator's API, a fake clock, short intervals) as
 * overrides.
 *
 * `useAppOnEmulator`: the harness of the app's integration tests, in one place. For the
 * enclosing describe block (or file) it starts the TeraCLOUD emulator, a temp folder and an
 * AppServices on them (started), the IPC handlers the window calls, and records the events sent
 * to the window and what `dispatchIpc` reports as a bug (a handler that threw a stray error,
 * an answer that broke the contract); afterwards it stops all of it and removes the folder.
 * `call` and `value` go through `dispatchIpc` as the window's calls do.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../dev/emulator/TeraCloudEmulator.js';
import { AppServices, type AppServicesDeps } from '../../electron/app/AppServices.js';
import { createIpcHandlers } from '../../electron/app/createIpcHandlers.js';
import { dispatchIpc, type IpcHandlers } from '../../electron/app/dispatchIpc.js';
import { SessionSecretStore } from '../../electron/auth/SessionSecretStore.js';
import { watchFolders } from '../../electron/platform/folderWatcher.js';
import { systemClock, systemScheduler } from '../../electron/core/time.js';
import { silentLogger } from '../../electron/core/logger.js';
import type { IpcChannel, IpcEventMessage, IpcRequest, IpcResponse, IpcResult } from '../../shared/ipc/contract.js';

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

/** The emulator's one account. */
export const DEMO_USER = 'demo';
export const DEMO_PASSWORD = 'demo-apps-password';

export interface AppOnEmulatorOptions {
  /** The temp folder's name prefix (`terasync-app-`). */
  prefix: string;
  /** For the emulator (default: its own defaults, OAuth2 server included). */
  emulator?: EmulatorOptions;
  /** Overrides of `testServicesDeps`, given the temp folder and the running emulator. */
  deps?: (context: { folder: string; emulator: RunningEmulator }) => Partial<AppServicesDeps>;
  /** Sign in as the demo account with its apps password, through IPC, once started. */
  signIn?: boolean;
  /**
   * What a bug `dispatchIpc` reports does: 'record' (default) keeps it in `internalErrors` for
   * the test to assert on; 'throw' fails the call at once.
   */
  internalErrors?: 'record' | 'throw';
}

export interface AppOnEmulator {
  readonly emulator: RunningEmulator;
  /** The temp folder; the app data is `<folder>/appdata`. */
  readonly folder: string;
  readonly services: AppServices;
  readonly handlers: IpcHandlers;
  /** Every event sent to the window, in order. */
  readonly events: IpcEventMessage[];
  /** What dispatchIpc reported as a bug, with 'record'. */
  readonly internalErrors: Array<{ where: string; error: unknown }>;
  /** One IPC call as the window makes it: its Result. */
  call<C extends IpcChannel>(channel: C, ...request: IpcRequest<C> extends undefined ? [] : [IpcRequest<C>]): Promise<IpcResult<C>>;
  /** One IPC call whose answer must be ok: its value (throws with the code and message otherwise). */
  value<C extends IpcChannel>(channel: C, ...request: IpcRequest<C> extends undefined ? [] : [IpcRequest<C>]): Promise<IpcResponse<C>>;
}

interface Running {
  emulator: RunningEmulator;
  folder: string;
  services: AppServices;
  handlers: IpcHandlers;
}

/** Starts the harness before the enclosing block's tests and stops it after them (see the header). */
export function useAppOnEmulator(options: AppOnEmulatorOptions): AppOnEmulator {
  let running: Running | undefined;
  let emulator: RunningEmulator | undefined;
  let folder: string | undefined;
  let services: AppServices | undefined;
  const events: IpcEventMessage[] = [];
  const internalErrors: Array<{ where: string; error: unknown }> = [];
  const started = (): Running => {
    if (running === undefined) throw new Error('the app harness is not running (used outside its describe block, or it failed to start)');
    return running;
  };

  const app: AppOnEmulator = {
    get emulator() {
      return started().emulator;
    },
    get folder() {
      return started().folder;
    },
    get services() {
      return started().services;
    },
    get handlers() {
      return started().handlers;
    },
    events,
    internalErrors,
    call: (channel, ...request) =>
      dispatchIpc(channel, request, started().handlers, {
        onInternalError: (where, error) => {
          if (options.internalErrors === 'throw') throw new Error(`${where}: ${String(error)}`);
          internalErrors.push({ where, error });
        },
      }),
    async value(channel, ...request) {
      const result = await app.call(channel, ...request);
      if (!result.ok) throw new Error(`${channel} failed: ${result.error.code} ${result.error.message}`);
      return result.value;
    },
  };

  beforeAll(async () => {
    emulator = await startEmulator(options.emulator);
    folder = await mkdtemp(join(tmpdir(), options.prefix));
    services = new AppServices(testServicesDeps(folder, options.deps?.({ folder, emulator }) ?? {}));
    const handlers = createIpcHandlers(services);
    services.events.subscribe((message) => events.push(message));
    running = { emulator, folder, services, handlers };
    await services.start();
    if (options.signIn === true) await app.value('account:signInWithPassword', { userId: DEMO_USER, password: DEMO_PASSWORD, location: emulator.davUrl });
  }, 60_000);

  afterAll(async () => {
    running = undefined;
    await services?.stop();
    await emulator?.close();
    if (folder !== undefined) await rm(folder, { recursive: true, force: true });
  });

  return app;
}
