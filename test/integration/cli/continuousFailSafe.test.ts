/**
 * A continuous `terasync sync` whose local folder vanishes says so on stderr, once (not once
 * per poll), keeps everything on the server, and says once more when the folder is back and
 * it syncs again: the built command against Apache.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../../electron/cli/main.js';
import { apacheAvailable, startApache, type ApacheServer } from '../../support/apache.js';
import { ensureCliBuilt, startCli } from '../../support/cli.js';
import { createPair, type Pair } from '../../support/pair.js';
import { requireSystemTool } from '../../support/requirements.js';
import { untilWithin } from '../../support/until.js';

const apache = requireSystemTool('apache2', apacheAvailable(), 'apache2 openssl');

const until = untilWithin(15_000);

const count = (text: string, part: string): number => text.split(part).length - 1;

describe.skipIf(apache.skip)('the fail-safe of a continuous run, on stderr', () => {
  let server: ApacheServer;
  let pair: Pair;

  beforeAll(async () => {
    apache.assertAvailable();
    ensureCliBuilt();
    server = await startApache();
    pair = await createPair({ url: server.url, user: server.user, password: server.password, ca: await readFile(server.caFile, 'utf8') });
  }, 120_000);

  afterAll(async () => {
    await pair?.dispose();
    await server?.stop();
  });

  it('says once that the vanished folder stopped the sync, and once that it goes on when the folder is back', async () => {
    const files = { 'a.txt': 'one', 'b.txt': 'two', 'docs/c.txt': 'three' };
    for (const [path, content] of Object.entries(files)) await pair.writeLocal(path, content);
    const run = startCli(
      ['sync', '--local', pair.local, '--remote', pair.remoteUrl, '--state', pair.stateDir, '--ca', server.caFile, '--poll-interval', '1'],
      { TERASYNC_USER: server.user, TERASYNC_PASSWORD: server.password },
    );
    let stderr = '';
    run.child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    let stdout = '';
    run.onLine((line) => {
      stdout += `${line}\n`;
    });
    try {
      await until('the first sync', () => /^In sync/m.test(stdout));
      expect(stderr).toBe('');

      await rm(pair.local, { recursive: true });
      const stopLine = `terasync: fail-safe: The local folder ${pair.local} is missing, but 3 files were synced into it.`;
      await until('the fail-safe line', () => stderr.includes(stopLine));
      expect(stderr).toMatch(/Syncing waits, and looks again every 1 second; it goes on by itself once that is resolved\.\n$/);
      // Several polls later: still the one line, and nothing deleted on the server.
      await new Promise((resolve) => setTimeout(resolve, 3500));
      expect(count(stderr, 'terasync: fail-safe:')).toBe(1);
      expect(stderr.split('\n').filter((line) => line !== '')).toHaveLength(1);
      expect(await pair.remoteTree()).toMatchObject(files);

      // The folder is back (a drive mounted again): the next look goes on by itself.
      await mkdir(join(pair.local, 'docs'), { recursive: true });
      for (const [path, content] of Object.entries(files)) await writeFile(join(pair.local, path), content);
      await pair.writeLocal('after.txt', 'new once the folder is back');
      await until('the cleared line', () => stderr.includes('terasync: the fail-safe no longer holds: syncing again.\n'));
      await until('the upload after it', () => stdout.includes('uploaded: after.txt\n'));
      expect(count(stderr, 'terasync: fail-safe:')).toBe(1);
      expect(count(stderr, 'no longer holds')).toBe(1);
      expect(await pair.remoteTree()).toMatchObject({ ...files, 'after.txt': 'new once the folder is back' });
    } finally {
      run.child.kill('SIGTERM');
    }
    const ended = await run.done;
    expect(ended.code).toBe(EXIT.ok);
  }, 60_000);
});
