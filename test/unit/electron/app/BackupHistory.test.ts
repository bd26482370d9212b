import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BackupHistory, backupHistoryFileName } from '../../../../electron/app/BackupHistory.js';
import type { Logger } from '../../../../electron/core/logger.js';
import { FakeClock } from '../../../support/fakeClock.js';
import { maxBackupHistory } from '../../../../shared/ipc/contract.js';
import type { BackupRunView } from '../../../../shared/types.js';

const folders: string[] = [];
afterEach(async () => {
  for (const folder of folders.splice(0)) await rm(folder, { recursive: true, force: true });
});

async function folder(): Promise<string> {
  const made = await mkdtemp(join(tmpdir(), 'terasync-history-'));
  folders.push(made);
  return made;
}

function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  const ignore = (): void => undefined;
  return { warnings, debug: ignore, info: ignore, warn: (message: string) => warnings.push(message), error: ignore } as unknown as Logger & { warnings: string[] };
}

function run(startedAt: number): BackupRunView {
  return { startedAt, endedAt: startedAt + 10, sources: ['/home/alice/Photos'], dryRun: false, filesSent: 2, bytesSent: 20, versioned: 0, failedTotal: 0, stopped: null, version: null };
}

describe('BackupHistory', () => {
  it('starts empty, lists newest first, keeps at most maxBackupHistory runs, and outlives a restart', async () => {
    const here = await folder();
    const history = new BackupHistory(here, recordingLogger(), new FakeClock(0));
    expect(await history.list()).toEqual([]);
    for (let index = 1; index <= maxBackupHistory + 3; index++) await history.add(run(index));
    const listed = await history.list();
    expect(listed).toHaveLength(maxBackupHistory);
    expect(listed[0]!.startedAt).toBe(maxBackupHistory + 3);
    expect(listed.at(-1)!.startedAt).toBe(4);
    expect(await new BackupHistory(here, recordingLogger(), new FakeClock(0)).list()).toEqual(listed);
  });

  it('sets a damaged file aside and starts a new history', async () => {
    const here = await folder();
    await writeFile(join(here, backupHistoryFileName), '{"version":1,"runs":[{"startedAt":"yesterday"}]}');
    const logger = recordingLogger();
    const history = new BackupHistory(here, logger, new FakeClock(1234));
    expect(await history.list()).toEqual([]);
    expect(await readdir(here)).toContain(`${backupHistoryFileName}.corrupt-1234`);
    expect(logger.warnings.join('\n')).toContain('moved to');
    await history.add(run(5));
    expect(JSON.parse(await readFile(join(here, backupHistoryFileName), 'utf8')).runs).toHaveLength(1);
  });

  it('logs a write that fails instead of failing the backup', async () => {
    const here = await folder();
    // A folder where the file should be: every write fails.
    await mkdir(join(here, backupHistoryFileName));
    const logger = recordingLogger();
    const history = new BackupHistory(here, logger, new FakeClock(0));
    await expect(history.add(run(1))).resolves.toBeUndefined();
    expect(await history.list()).toHaveLength(1);
    expect(logger.warnings.some((warning) => warning.includes('could not be saved'))).toBe(true);
  });
});
