/**
 * One sync per local folder, whatever the state folder: the built command against Apache.
 * A second run on a folder another run syncs exits 5 with who holds it and changes nothing;
 * a holder killed with SIGKILL leaves no lock that stops the next run; the lock's files are
 * never sent to the server and are gone after a run.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../../electron/cli/main.js';
import { LOCK_FILE, LOCK_HOLDER_FILE } from '../../../electron/sync/ignoreRules.js';
import { apacheAvailable, startApache, type ApacheServer } from '../../support/apache.js';
import { ensureCliBuilt, runCli, startCli, type RunningCli } from '../../support/cli.js';
import { createPair, type Pair, type Tree } from '../../support/pair.js';
import { requireSystemTool } from '../../support/requirements.js';

const apache = requireSystemTool('apache2', apacheAvailable(), 'apache2 openssl');

/** The tree without the lock's own files. */
function withoutLock(tree: Tree): Tree {
  return Object.fromEntries(Object.entries(tree).filter(([path]) => !path.startsWith('.terasync-lock')));
}

async function lockFiles(folder: string): Promise<string[]> {
  return (await readdir(folder)).filter((name) => name.startsWith('.terasync-lock')).sort();
}

/** Resolves with the first stdout line that matches, or rejects when the process ends first. */
function lineOf(run: RunningCli, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    run.onLine((line) => {
      if (pattern.test(line)) resolve(line);
    });
    void run.done.then((result) => reject(new Error(`the command ended (${result.code}) before printing ${pattern}:\n${result.stdout}\n${result.stderr}`)));
  });
}

describe.skipIf(apache.skip)('one sync per local folder (the built command against Apache)', () => {
  let server: ApacheServer;
  let env: Record<string, string>;
  const pairs: Pair[] = [];
  const running: RunningCli[] = [];

  beforeAll(async () => {
    apache.assertAvailable();
    ensureCliBuilt();
    server = await startApache();
    env = { TERASYNC_USER: server.user, TERASYNC_PASSWORD: server.password };
  }, 120_000);

  afterEach(async () => {
    for (const run of running.splice(0)) {
      run.child.kill('SIGKILL');
      await run.done;
    }
    for (const pair of pairs.splice(0)) await pair.dispose();
  });

  afterAll(async () => {
    await server?.stop();
  });

  async function pair(): Promise<Pair> {
    const created = await createPair({ url: server.url, user: server.user, password: server.password, ca: await readFile(server.caFile, 'utf8') });
    pairs.push(created);
    return created;
  }

  const args = (target: Pair, stateDir: string, ...extra: string[]): string[] => [
    'sync',
    '--local',
    target.local,
    '--remote',
    target.remoteUrl,
    '--state',
    stateDir,
    '--ca',
    server.caFile,
    ...extra,
  ];

  it('refuses a second run on the folder with another --state: exit 5, who holds it, nothing changed', async () => {
    const target = await pair();
    await target.writeLocal('mine.txt', 'from this computer');
    // The first run syncs continuously and would not poll again during the test.
    const first = startCli(args(target, join(target.stateDir, 'first'), '--poll-interval', '3600'), env);
    running.push(first);
    await lineOf(first, /^In sync/);
    expect(await lockFiles(target.local)).toEqual([LOCK_FILE, LOCK_HOLDER_FILE]);
    const holder = JSON.parse(await readFile(join(target.local, LOCK_HOLDER_FILE), 'utf8')) as { pid: number; program: string };
    expect(holder).toMatchObject({ pid: first.child.pid, program: 'terasync sync' });

    // Something a second run would download, were it let in.
    await target.writeRemote('new-on-server.txt', 'waits');
    const localBefore = withoutLock(await target.localTree());
    const requestsBefore = (await server.accessLog()).length;
    const secondState = join(target.stateDir, 'second');

    const second = await runCli(args(target, secondState, '--once'), env);
    expect(second.code, second.stderr).toBe(EXIT.busy);
    expect(second.stderr).toContain(`Another TeraSync run (terasync sync) is syncing the folder ${target.local}: process ${first.child.pid}`);
    expect(second.stderr).toMatch(/wait for that one to end, or stop it/);
    expect(second.stdout).toBe('');

    const json = await runCli(args(target, secondState, '--once', '--json'), env);
    expect(json.code).toBe(EXIT.busy);
    expect(JSON.parse(json.stdout)).toMatchObject({ error: { code: 'LocalIo', message: expect.stringContaining(`process ${first.child.pid}`) } });

    // Continuous too.
    const continuous = await runCli(args(target, secondState), env);
    expect(continuous.code).toBe(EXIT.busy);

    // Nothing changed: not the folder, not the server (not even asked), not the second state folder.
    expect(withoutLock(await target.localTree())).toEqual(localBefore);
    expect((await server.accessLog()).length).toBe(requestsBefore);
    expect(existsSync(secondState)).toBe(false);
    // And the first still holds its lock.
    expect(await lockFiles(target.local)).toEqual([LOCK_FILE, LOCK_HOLDER_FILE]);
  });

  it('a holder killed with SIGKILL leaves no stale lock: the next run proceeds and removes the lock', async () => {
    const target = await pair();
    await target.writeLocal('a.txt', 'first');
    const first = startCli(args(target, join(target.stateDir, 'first'), '--poll-interval', '3600'), env);
    running.push(first);
    await lineOf(first, /^In sync/);
    first.child.kill('SIGKILL');
    expect((await first.done).signal).toBe('SIGKILL');
    // The files stay behind; the OS let go of the lock itself.
    expect(await lockFiles(target.local)).toEqual([LOCK_FILE, LOCK_HOLDER_FILE]);

    await target.writeRemote('b.txt', 'from the server');
    await target.writeLocal('c.txt', 'written after the kill');
    // The killed run's own state folder: its journal's lock went with it too.
    const next = await runCli(args(target, join(target.stateDir, 'first'), '--once', '--json'), env);
    expect(next.code, next.stderr).toBe(EXIT.ok);
    // No warning, no refusal: only the per-action lines.
    expect(next.stderr).not.toMatch(/terasync:/);
    const report = JSON.parse(next.stdout) as { uploaded: string[]; downloaded: string[] };
    expect(report.uploaded).toEqual(['c.txt']);
    expect(report.downloaded).toEqual(['b.txt']);
    expect(await lockFiles(target.local)).toEqual([]);
  });

  it('never sends the lock to the server, nor takes one from it', async () => {
    const target = await pair();
    await target.writeLocal('a.txt', 'local');
    // Another client's lock on the server side is left alone too.
    await target.writeRemote(LOCK_FILE, 'not ours');
    const logStart = (await server.accessLog()).length;
    const first = startCli(args(target, join(target.stateDir, 'first'), '--poll-interval', '1'), env);
    running.push(first);
    await lineOf(first, /^In sync/);
    expect(await lockFiles(target.local)).toEqual([LOCK_FILE, LOCK_HOLDER_FILE]);
    // A few polls and a local change while the lock is held.
    await target.writeLocal('later.txt', 'later');
    await lineOf(first, /^uploaded: later\.txt/);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    first.child.kill('SIGTERM');
    expect((await first.done).code).toBe(EXIT.ok);

    const log = (await server.accessLog()).slice(logStart);
    expect(log.filter((line) => line.method === 'PUT').map((line) => line.path.split('/').pop())).toEqual(expect.arrayContaining(['a.txt', 'later.txt']));
    // No request ever named it: not sent, not fetched, not deleted.
    expect(log.filter((line) => line.path.includes('.terasync-lock'))).toEqual([]);
    expect(Object.keys(await target.remoteTree()).sort()).toEqual([LOCK_FILE, 'a.txt', 'later.txt']);
    expect(await target.readRemote(LOCK_FILE)).toBe('not ours');
    expect(await lockFiles(target.local)).toEqual([]);
  });
});
