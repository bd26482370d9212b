/**
 * Conflicts the user resolves outside the app, against the in-process WebDAV server and Apache
 * mod_dav over HTTPS: deleting the conflict copy (or renaming it over the original) marks the
 * conflict resolved at the end of the next run, which lists it in the report; the copy goes
 * from the server too, and the version that stays is untouched on both sides.
 */
import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Journal } from '../../../electron/sync/journal.js';
import type { ConflictRecord } from '../../../electron/sync/journal.js';
import { FOLDER_MARK, type Pair } from '../../support/pair.js';
import { serverKinds, useServer } from './servers.js';

describe.each(serverKinds)('conflicts resolved outside the app against $name', (kind) => {
  const { newPair } = useServer(kind);

  function openConflicts(pair: Pair): ConflictRecord[] {
    const journal = Journal.open(join(pair.stateDir, 'journal.sqlite'));
    try {
      return journal.openConflicts();
    } finally {
      journal.close();
    }
  }

  /** A file edited on both sides and synced: a real conflict, its copy on both sides. */
  async function conflicted(): Promise<{ pair: Pair; copy: string; id: number }> {
    const pair = await newPair();
    await pair.writeLocal('docs/plan.txt', 'the plan');
    await pair.writeLocal('other.txt', 'unrelated');
    await pair.sync();
    await pair.writeLocal('docs/plan.txt', 'the plan, edited here');
    await pair.writeRemote('docs/plan.txt', 'the plan, edited elsewhere');
    const { report } = await pair.sync();
    expect(report.conflicts).toHaveLength(1);
    const copy = report.conflicts[0]!.copy;
    expect(await pair.readRemote(copy)).toBe('the plan, edited here');
    const [open] = openConflicts(pair);
    expect(open).toMatchObject({ path: 'docs/plan.txt', copy, state: 'open' });
    return { pair, copy, id: open!.id };
  }

  it.skipIf(kind.skip)('deleting the conflict copy here resolves the conflict; the copy goes from the server, the original stays', async () => {
    const { pair, copy, id } = await conflicted();
    await pair.removeLocal(copy);
    const { report } = await pair.sync();
    expect(report.errors).toEqual([]);
    expect(report.resolvedConflicts).toEqual([{ id, path: 'docs/plan.txt' }]);
    expect(report.deletedRemote).toEqual([copy]);
    expect(openConflicts(pair)).toEqual([]);
    const expected = { docs: FOLDER_MARK, 'docs/plan.txt': 'the plan, edited elsewhere', 'other.txt': 'unrelated' };
    expect(await pair.localTree()).toEqual(expected);
    expect(await pair.remoteTree()).toEqual(expected);
    // Reported once: the next run has nothing to resolve and nothing to do.
    const next = await pair.sync();
    expect(next.report.resolvedConflicts).toEqual([]);
    expect(next.planned).toEqual([]);
  });

  it.skipIf(kind.skip)('renaming the conflict copy over the original resolves the conflict; that version goes up', async () => {
    const { pair, copy, id } = await conflicted();
    await rename(join(pair.local, copy), join(pair.local, 'docs/plan.txt'));
    const { report } = await pair.sync();
    expect(report.errors).toEqual([]);
    expect(report.resolvedConflicts).toEqual([{ id, path: 'docs/plan.txt' }]);
    expect(openConflicts(pair)).toEqual([]);
    expect(await pair.readRemote('docs/plan.txt')).toBe('the plan, edited here');
    expect(Object.keys(await pair.remoteTree()).sort()).toEqual(['docs', 'docs/plan.txt', 'other.txt']);
  });

  it.skipIf(kind.skip)('a conflict whose copy is still there stays open', async () => {
    const { pair, id } = await conflicted();
    const { report } = await pair.sync();
    expect(report.resolvedConflicts).toEqual([]);
    expect(openConflicts(pair).map((conflict) => conflict.id)).toEqual([id]);
  });
});
