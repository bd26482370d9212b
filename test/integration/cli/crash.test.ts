/**
 * kill -9 in the middle of a sync, several times, then a run to the end: nothing is lost, no
 * temp file is left in view, and nothing that had completed is transferred again.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apacheAvailable, startApache, type AccessLogLine, type ApacheServer } from '../../support/apache.js';
import { ensureCliBuilt, runCli, startCli } from '../../support/cli.js';
import { createPair, type Pair } from '../../support/pair.js';
import { requireSystemTool } from '../../support/requirements.js';

const apache = requireSystemTool('apache2', apacheAvailable(), 'apache2 openssl');

async function walk(root: string, path = ''): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(join(root, path), { withFileTypes: true })) {
    const relative = path === '' ? entry.name : `${path}/${entry.name}`;
    found.push(relative);
    if (entry.isDirectory()) found.push(...(await walk(root, relative)));
  }
  return found;
}

describe.skipIf(apache.skip)('crash safety of the command (kill -9)', () => {
  let server: ApacheServer;
  let pair: Pair;
  let ca: string;

  beforeAll(async () => {
    apache.assertAvailable();
    ensureCliBuilt();
    server = await startApache();
    ca = await readFile(server.caFile, 'utf8');
    pair = await createPair({ url: server.url, user: server.user, password: server.password, ca });
  }, 120_000);

  afterAll(async () => {
    await pair?.dispose();
    await server?.stop();
  });

  it('finishes after repeated kills with nothing lost and nothing completed sent twice', async () => {
    const content = (name: string): string => `${name}\n${'x'.repeat(64 * 1024)}\n`;
    const expected: Record<string, string> = {};
    for (let i = 0; i < 40; i++) {
      const name = `up/u${String(i).padStart(2, '0')}.bin`;
      await pair.writeLocal(name, content(name));
      expected[name] = content(name);
    }
    for (let i = 0; i < 40; i++) {
      const name = `down/d${String(i).padStart(2, '0')}.bin`;
      await pair.writeRemote(name, content(name));
      expected[name] = content(name);
    }
    const logBefore = (await server.accessLog()).length;
    const args = ['sync', '--once', '--local', pair.local, '--remote', pair.remoteUrl, '--state', pair.stateDir, '--ca', server.caFile, '--concurrency', '2'];
    const env = { TERASYNC_USER: server.user, TERASYNC_PASSWORD: server.password };

    // Paths each run reported as done before it was killed.
    const completed = new Set<string>();
    const completedBefore: Array<{ logLength: number; paths: Set<string> }> = [];
    let kills = 0;
    for (const killAfter of [0, 3, 15, 30]) {
      const run = startCli(args, env);
      const seen: string[] = [];
      run.onLine((line) => {
        const match = /^(uploaded|downloaded): (.*)$/.exec(line);
        if (!match) return;
        seen.push(match[2]!);
        if (seen.length >= killAfter) run.child.kill('SIGKILL');
      });
      if (killAfter === 0) setTimeout(() => run.child.kill('SIGKILL'), 150);
      const result = await run.done;
      expect(result.signal === 'SIGKILL' || result.code === 0).toBe(true);
      if (result.signal === 'SIGKILL') kills++;
      for (const path of seen) completed.add(path);
      completedBefore.push({ logLength: (await server.accessLog()).length, paths: new Set(completed) });
    }

    // The kills must really have landed mid-sync, or this test proves nothing.
    expect(kills).toBe(4);
    expect(completed.size).toBeGreaterThan(0);
    expect(completed.size).toBeLessThan(Object.keys(expected).length);

    const final = await runCli(args, env);
    expect(final.stderr).toBe('');
    expect(final.code).toBe(0);
    // Read before the checks below, which download every file themselves.
    const log = (await server.accessLog()).slice(0);

    // Nothing lost: both sides hold every file with its content.
    const local = await pair.localTree();
    const remote = await pair.remoteTree();
    expect(remote).toEqual(local);
    for (const [path, body] of Object.entries(expected)) expect(local[path]).toBe(body);
    // No temp file left in view.
    expect((await walk(pair.local)).filter((name) => name.includes('.terasync-'))).toEqual([]);

    // Nothing that a run had completed was transferred again by a later run.
    const transfersAfter = (start: number): AccessLogLine[] =>
      log.slice(start).filter((line) => (line.method === 'PUT' || line.method === 'GET') && line.status < 300);
    for (const checkpoint of completedBefore) {
      const again = transfersAfter(checkpoint.logLength)
        .map((line) => line.path.replace(/^.*?\/pair-[0-9a-f]+\//, ''))
        .filter((path) => checkpoint.paths.has(path));
      expect(again).toEqual([]);
    }
    // And no file was uploaded successfully twice in all the runs (a pending record bridges
    // a kill between the server's answer and the journal's commit).
    const puts = log.slice(logBefore).filter((line) => line.method === 'PUT' && line.status < 300).map((line) => line.path);
    expect(puts.length).toBe(new Set(puts).size);
  }, 240_000);
});
