/**
 * The planner takes the listings as it finds them: a map in any order, or keyed otherwise than
 * by each entry's path, plans as the same entries keyed by path in path order would.
 */
import { describe, expect, it } from 'vitest';
import type { JournalEntry, Listing, LocalEntry, RemoteEntry } from '../../../../electron/sync/model.js';
import { plan, type Plan } from '../../../../electron/sync/planner.js';
import { journalDir, journalFile, listing, localDir, localFile, remoteDir, remoteFile, summary } from './fixtures.js';

function planOf(local: Listing<LocalEntry>, remote: Listing<RemoteEntry>, journal: JournalEntry[], platform = 'linux', caseInsensitive = false): Plan {
  return plan({ local, remote, journal, caseInsensitive, platform });
}

/** The same entries in a map keyed by made-up names, in reverse order. */
function keyedOtherwise<T extends { path: string }>(entries: readonly T[]): Listing<T> {
  return { entries: new Map([...entries].reverse().map((entry, index) => [`entry ${index}`, entry])), skipped: [] };
}

describe('planner: the listings as given', () => {
  const local = [localDir('m'), localFile('m/kept.txt'), localFile('m/new.txt'), localDir('z')];
  const remote = [
    remoteDir('z'),
    remoteFile('z/CON.txt'),
    remoteFile('a:b'),
    remoteDir('m'),
    remoteFile('m/kept.txt'),
    remoteFile('m/aux'),
    remoteFile('m/down.txt'),
  ];
  const journal = [journalDir('m'), journalFile('m/kept.txt'), journalDir('z')];

  it('reports refused server names in path order, parents first, whatever the listing order', () => {
    const result = planOf(listing(local), keyedOtherwise(remote), journal, 'win32');
    expect(result.skipped.map((entry) => [entry.path, entry.reason])).toEqual([
      ['a:b', 'invalid-name'],
      ['m/aux', 'invalid-name'],
      ['z/CON.txt', 'invalid-name'],
    ]);
    expect(summary(result.actions)).toEqual(['download m/down.txt R2', 'upload m/new.txt R1']);
  });

  it.each(['win32', 'linux'])('plans on %s as for the same entries keyed by path in path order', (platform) => {
    const sorted = <T extends { path: string }>(entries: readonly T[]): T[] => [...entries].sort((a, b) => (a.path < b.path ? -1 : 1));
    const expected = planOf(listing(sorted(local)), listing(sorted(remote)), journal, platform);
    const reversed = planOf(keyedOtherwise(local), keyedOtherwise(remote), [...journal].reverse(), platform);
    expect(reversed).toEqual(expected);
    expect(expected.actions.length).toBeGreaterThan(0);
  });

  it('plans nothing and skips nothing when every path is as the journal has it', () => {
    const same = planOf(listing([localDir('m'), localFile('m/kept.txt')]), listing([remoteDir('m'), remoteFile('m/kept.txt')]), [journalDir('m'), journalFile('m/kept.txt')]);
    expect(same).toEqual({ actions: [], skipped: [], needsAnotherPass: false });
  });

  it('still sees a deletion among unchanged paths, and a move among them', () => {
    const result = planOf(
      listing([localDir('m'), localFile('m/kept.txt'), localFile('m/moved.txt', { ino: journalFile('m/gone.txt').localIno })]),
      listing([remoteDir('m'), remoteFile('m/kept.txt'), remoteFile('m/gone.txt'), remoteFile('m/deleted.txt')]),
      [journalDir('m'), journalFile('m/kept.txt'), journalFile('m/gone.txt'), journalFile('m/deleted.txt')],
    );
    expect(summary(result.actions)).toEqual(['moveRemote m/moved.txt M1', 'deleteRemote m/deleted.txt R12']);
  });
});
