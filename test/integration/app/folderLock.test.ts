/**
 * The app and the command never sync one local folder at once: AppServices (as the window
 * drives it, on the TeraCLOUD emulator with the real watcher) and the built `terasync`
 * command with its own state folder take the same lock, the one the folder carries.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../../dev/emulator/TeraCloudEmulator.js';
import type { AppServices } from '../../../electron/app/AppServices.js';
import { EXIT } from '../../../electron/cli/main.js';
import { LOCK_FILE, LOCK_HOLDER_FILE } from '../../../electron/sync/ignoreRules.js';
import type { SyncStatus } from '../../../shared/types.js';
import { ensureCliBuilt, runCli, startCli } from '../../support/cli.js';
import { untilWithin } from '../../support/until.js';
import { useAppOnEmulator } from '../../support/appServices.js';

const USER = 'demo';
const PASSWORD = 'demo-apps-password';
const POLL_MS = 500;

const until = untilWithin(10_000);

function statusOf(pairId: string): SyncStatus {
  const status = services.statuses().find((item) => item.pairId === pairId)?.status;
  if (status === undefined) throw new Error(`no status for ${pairId}`);
  return status;
}

beforeAll(() => {
  ensureCliBuilt();
}, 60_000);

const app = useAppOnEmulator({
  prefix: 'terasync-app-lock-',
  emulator: { oauth: false },
  deps: () => ({
    trash: { trash: async () => undefined },
    openBrowser: async () => {
      throw new Error('no browser in this test');
    },
    syncOptions: { quietMs: 50, pollIntervalMs: POLL_MS },
  }),
  signIn: true,
});
let emulator: RunningEmulator;
let folder: string;
let services: AppServices;

beforeAll(() => {
  ({ emulator, folder, services } = app);
});

describe('the app and the command on one local folder', () => {
  const env = (): Record<string, string> => ({ TERASYNC_USER: USER, TERASYNC_PASSWORD: PASSWORD });

  it('the command is refused (exit 5) while the app syncs the folder, and is let in once the pair is removed', async () => {
    const local = join(folder, 'AppSide');
    await mkdir(local, { recursive: true });
    await mkdir(join(emulator.filesDir(), 'AppSide'), { recursive: true });
    await writeFile(join(local, 'a.txt'), 'app side');
    const pair = await services.addPair(local, 'AppSide');
    await until('the app to sync the pair', () => statusOf(pair.id).lastSyncAt !== null);
    expect((await readdir(local)).filter((name) => name.startsWith('.terasync-lock')).sort()).toEqual([LOCK_FILE, LOCK_HOLDER_FILE]);

    const args = ['sync', '--once', '--local', local, '--remote', `${emulator.davUrl}AppSide/`, '--state', join(folder, 'command-state')];
    const refused = await runCli(args, env());
    expect(refused.code, refused.stderr).toBe(EXIT.busy);
    expect(refused.stderr).toContain(`terasync: The TeraSync app is syncing the folder ${local}: process ${process.pid}`);
    expect(existsSync(join(folder, 'command-state'))).toBe(false);

    await services.removePair(pair.id);
    expect(await readdir(local)).toEqual(['a.txt']);
    const allowed = await runCli(args, env());
    expect(allowed.code, allowed.stderr).toBe(EXIT.ok);
  });

  it('the app waits, saying who holds the folder, while the command syncs it, and goes on when it ends', async () => {
    const local = join(folder, 'CommandSide');
    await mkdir(local, { recursive: true });
    await mkdir(join(emulator.filesDir(), 'CommandSide'), { recursive: true });
    const command = startCli(['sync', '--local', local, '--remote', `${emulator.davUrl}CommandSide/`, '--state', join(folder, 'command-state-2'), '--poll-interval', '3600'], env());
    try {
      await until('the command to hold the folder', () => existsSync(join(local, LOCK_HOLDER_FILE)));
      await writeFile(join(local, 'from-app-side.txt'), 'while the command runs');
      const pair = await services.addPair(local, 'CommandSide');
      await until('the app to see the folder held', () => statusOf(pair.id).state === 'error');
      expect(statusOf(pair.id).problem?.message).toContain(`Another TeraSync run (terasync sync) is syncing the folder ${local}: process ${command.child.pid}`);
      expect(statusOf(pair.id).lastSyncAt).toBeNull();

      command.child.kill('SIGTERM');
      expect((await command.done).code).toBe(EXIT.ok);
      await until('the app to sync once the command ended', () => statusOf(pair.id).lastSyncAt !== null);
      expect(statusOf(pair.id).problem).toBeNull();
      expect(JSON.parse(await readFile(join(local, LOCK_HOLDER_FILE), 'utf8'))).toMatchObject({ program: 'the TeraSync app', pid: process.pid });
      await services.removePair(pair.id);
    } finally {
      command.child.kill('SIGKILL');
      await command.done;
    }
  });
});
