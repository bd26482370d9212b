/**
 * What a sync costs in requests on Apache (the service's server), read from its access log:
 * an upload is one PUT, its ETag is learnt with one listing per folder, and a run with
 * nothing to do only lists.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Journal } from '../../../electron/sync/journal.js';
import { serverKinds, useServer } from './servers.js';

const apacheKind = serverKinds.find((kind) => kind.name.startsWith('Apache'))!;

describe.skipIf(apacheKind.skip)('requests per sync on Apache', () => {
  const fixture = useServer(apacheKind);

  it('uploads cost one PUT each; ETags are learnt with one listing per folder', async () => {
    const pair = await fixture.newPair();
    for (const folder of ['a', 'b', 'c']) {
      for (let i = 0; i < 10; i++) await pair.writeLocal(`${folder}/f${i}.txt`, `${folder}${i}`);
    }
    const apache = fixture.apache()!;
    const mark = (await apache.accessLog()).length;
    const { report } = await pair.sync();
    expect(report.uploaded).toHaveLength(30);
    const log = (await apache.accessLog()).slice(mark);
    const count = (method: string): number => log.filter((line) => line.method === method).length;
    expect(count('PUT')).toBe(30);
    expect(count('MKCOL')).toBe(3);
    // The tree walk (root, and the three new folders are not listed yet: they did not exist)
    // plus one listing per folder that received uploads.
    expect(count('PROPFIND')).toBeLessThanOrEqual(1 + 3);

    const journal = Journal.open(join(pair.stateDir, 'journal.sqlite'));
    try {
      const files = journal.all().filter((entry) => entry.type === 'file');
      expect(files).toHaveLength(30);
      expect(files.filter((entry) => entry.remoteEtag === null)).toEqual([]);
    } finally {
      journal.close();
    }

    const quiet = (await apache.accessLog()).length;
    expect((await pair.sync()).planned).toEqual([]);
    const again = (await apache.accessLog()).slice(quiet);
    expect(again.every((line) => line.method === 'PROPFIND')).toBe(true);
    expect(again).toHaveLength(4);
  });
});
