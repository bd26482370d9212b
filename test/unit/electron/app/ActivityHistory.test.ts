import * as fs from 'node:fs/promises';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ActivityHistory, activityHistoryFileName, type ActivityHistoryFileSystem } from '../../../../electron/app/ActivityHistory.js';
import type { ActivityRunDraft } from '../../../../electron/app/activityRuns.js';
import type { Logger } from '../../../../electron/core/logger.js';
import { FakeClock } from '../../../support/fakeClock.js';
import { ErrorCode } from '../../../../shared/errors.js';
import { activityRetentionMs, maxActivityRuns } from '../../../../shared/ipc/contract.js';
import { validateResponse } from '../../../../shared/ipc/schemas.js';
import type { ActivityGroup } from '../../../../shared/types.js';

const folders: string[] = [];
afterEach(async () => {
  for (const folder of folders.splice(0)) await rm(folder, { recursive: true, force: true });
});

async function folder(): Promise<string> {
  const made = await mkdtemp(join(tmpdir(), 'terasync-activity-'));
  folders.push(made);
  return made;
}

function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  const ignore = (): void => undefined;
  return { warnings, debug: ignore, info: ignore, warn: (message: string) => warnings.push(message), error: ignore } as unknown as Logger & { warnings: string[] };
}

const day = 24 * 60 * 60 * 1000;

function draft(endedAt: number, change: Partial<ActivityRunDraft> = {}): ActivityRunDraft {
  return {
    pairId: 'pair-1',
    startedAt: endedAt - 10,
    endedAt,
    outcome: 'completed',
    groups: [{ kind: 'addedRemote', count: 1, files: [{ path: `file-${endedAt}.txt`, from: null, error: null }] }],
    ...change,
  };
}

const nodeFs: ActivityHistoryFileSystem = {
  readFile: (file, encoding) => fs.readFile(file, encoding),
  writeFile: (file, text, encoding) => fs.writeFile(file, text, encoding),
  rename: (from, to) => fs.rename(from, to),
  mkdir: (folder, options) => fs.mkdir(folder, options),
};

describe('ActivityHistory', () => {
  it('gives each run an id, lists newest first and outlives a restart, ids going on where they stopped', async () => {
    const here = await folder();
    const now = 100 * day;
    const history = new ActivityHistory(here, { logger: recordingLogger(), clock: new FakeClock(now) });
    expect(await history.list({ limit: 10 })).toEqual({ runs: [], more: false });
    const first = await history.add(draft(now - 2));
    const second = await history.add(draft(now - 1, { pairId: 'pair-2' }));
    expect([first.id, second.id]).toEqual([1, 2]);
    const page = await history.list({ limit: 10 });
    expect(page.runs.map((run) => run.id)).toEqual([2, 1]);
    expect(validateResponse('activity:list', page).ok).toBe(true);

    const reopened = new ActivityHistory(here, { logger: recordingLogger(), clock: new FakeClock(now) });
    expect(await reopened.list({ limit: 10 })).toEqual(page);
    expect((await reopened.add(draft(now))).id).toBe(3);
  });

  it('keeps at most maxActivityRuns runs and none older than 30 days', async () => {
    const here = await folder();
    const clock = new FakeClock(100 * day);
    const history = new ActivityHistory(here, { logger: recordingLogger(), clock });
    for (let index = 0; index < maxActivityRuns + 5; index++) await history.add(draft(clock.now() - (maxActivityRuns - index)));
    const ids: number[] = [];
    let page = await history.list({ limit: 100 });
    ids.push(...page.runs.map((run) => run.id));
    while (page.more) {
      page = await history.list({ limit: 100, before: page.runs.at(-1)!.id });
      ids.push(...page.runs.map((run) => run.id));
    }
    expect(ids).toHaveLength(maxActivityRuns);
    expect(ids[0]).toBe(maxActivityRuns + 5);
    expect(ids.at(-1)).toBe(6);
    const saved = JSON.parse(await readFile(join(here, activityHistoryFileName), 'utf8')) as { runs: unknown[] };
    expect(saved.runs).toHaveLength(maxActivityRuns);

    // A month later, only what happened since is left (on disk too, at the next write).
    clock.setTime(clock.now() + activityRetentionMs + 1_000);
    await history.add(draft(clock.now()));
    expect((await history.list({ limit: 100 })).runs.map((run) => run.endedAt)).toEqual([clock.now()]);
    expect((JSON.parse(await readFile(join(here, activityHistoryFileName), 'utf8')) as { runs: unknown[] }).runs).toHaveLength(1);
    // And a restart a month after that finds nothing left to show.
    const later = new ActivityHistory(here, { logger: recordingLogger(), clock: new FakeClock(clock.now() + activityRetentionMs + 1) });
    expect(await later.list({ limit: 10 })).toEqual({ runs: [], more: false });
  });

  it('filters by pair and by kind (only the asked groups), and pages with before', async () => {
    const here = await folder();
    const history = new ActivityHistory(here, { logger: recordingLogger(), clock: new FakeClock(10 * day) });
    const failed: ActivityGroup = { kind: 'failed', count: 1, files: [{ path: 'big.iso', from: null, error: { code: ErrorCode.InsufficientStorage, message: 'full' } }] };
    const deleted: ActivityGroup = { kind: 'deletedRemote', count: 122, files: [{ path: 'old/a.txt', from: null, error: null }] };
    await history.add(draft(1000, { pairId: 'photos' }));
    await history.add(draft(2000, { pairId: 'docs', groups: [draft(0).groups[0]!, failed] }));
    await history.add(draft(3000, { pairId: 'photos', groups: [deleted] }));
    await history.add(draft(4000, { pairId: 'photos', groups: [draft(0).groups[0]!, failed] }));

    expect((await history.list({ limit: 10, pairId: 'photos' })).runs.map((run) => run.id)).toEqual([4, 3, 1]);
    const failures = await history.list({ limit: 10, kinds: ['failed'] });
    expect(failures.runs.map((run) => [run.id, run.groups.map((group) => group.kind)])).toEqual([
      [4, ['failed']],
      [2, ['failed']],
    ]);
    expect((await history.list({ limit: 10, pairId: 'photos', kinds: ['failed', 'deletedRemote'] })).runs.map((run) => run.id)).toEqual([4, 3]);

    const first = await history.list({ limit: 2, pairId: 'photos' });
    expect(first.runs.map((run) => run.id)).toEqual([4, 3]);
    expect(first.more).toBe(true);
    const second = await history.list({ limit: 2, pairId: 'photos', before: 3 });
    expect(second).toMatchObject({ more: false });
    expect(second.runs.map((run) => run.id)).toEqual([1]);
    // Exactly a page left: no "more".
    expect((await history.list({ limit: 3, pairId: 'photos' })).more).toBe(false);
  });

  it('moves a damaged file aside, never throws, and starts a new history', async () => {
    for (const damaged of ['{"version":1,"runs":[{"id":"one"}]}', 'not json at all', '{"version":99,"runs":[]}', '']) {
      const here = await folder();
      await writeFile(join(here, activityHistoryFileName), damaged);
      const logger = recordingLogger();
      const history = new ActivityHistory(here, { logger, clock: new FakeClock(1234) });
      expect(await history.list({ limit: 10 })).toEqual({ runs: [], more: false });
      expect(await readdir(here)).toEqual([`${activityHistoryFileName}.corrupt-1234`]);
      expect(await readFile(join(here, `${activityHistoryFileName}.corrupt-1234`), 'utf8')).toBe(damaged);
      expect(logger.warnings.join('\n')).toContain('moved to');
      expect((await history.add(draft(1000))).id).toBe(1);
      expect((await history.list({ limit: 10 })).runs).toHaveLength(1);
    }
  });

  it('writes atomically: a write cut short leaves the previous history whole, and a failed write is logged, not thrown', async () => {
    const here = await folder();
    let crash = false;
    const fileSystem: ActivityHistoryFileSystem = {
      ...nodeFs,
      writeFile: async (file, text, encoding) => {
        if (!crash) return nodeFs.writeFile(file, text, encoding);
        // The process dies half-way through writing.
        await nodeFs.writeFile(file, text.slice(0, text.length / 2), encoding);
        throw new Error('ENOSPC: no space left on device');
      },
    };
    const logger = recordingLogger();
    const history = new ActivityHistory(here, { logger, clock: new FakeClock(10 * day), fileSystem });
    await history.add(draft(1000));
    crash = true;
    await expect(history.add(draft(2000))).resolves.toMatchObject({ id: 2 });
    expect(logger.warnings.join('\n')).toContain('could not be saved: ENOSPC');

    const reopened = new ActivityHistory(here, { logger: recordingLogger(), clock: new FakeClock(10 * day) });
    expect((await reopened.list({ limit: 10 })).runs.map((run) => run.id)).toEqual([1]);
    expect(await readdir(here)).not.toContain(expect.stringContaining('corrupt'));
  });

  it('writes through a temporary file renamed over the history', async () => {
    const here = await folder();
    const calls: string[] = [];
    const fileSystem: ActivityHistoryFileSystem = {
      ...nodeFs,
      writeFile: (file, text, encoding) => {
        calls.push(`write ${file.slice(here.length + 1)}`);
        return nodeFs.writeFile(file, text, encoding);
      },
      rename: (from, to) => {
        calls.push(`rename ${from.slice(here.length + 1)} ${to.slice(here.length + 1)}`);
        return nodeFs.rename(from, to);
      },
    };
    const history = new ActivityHistory(here, { logger: recordingLogger(), clock: new FakeClock(10 * day), fileSystem });
    await history.add(draft(1000));
    expect(calls).toEqual([`write ${activityHistoryFileName}.tmp`, `rename ${activityHistoryFileName}.tmp ${activityHistoryFileName}`]);
    expect(await readdir(here)).toEqual([activityHistoryFileName]);
  });
});
