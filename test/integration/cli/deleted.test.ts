/**
 * `terasync deleted list|restore|purge` and the sync options `--fail-safe-percent` and
 * `--deleted-retention-days`, as a child process against the in-process WebDAV server.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureCliBuilt, runCli } from '../../support/cli.js';
import { createPair, type Pair } from '../../support/pair.js';
import { startWebDavServer, type WebDavTestServer } from '../../support/webdavServer.js';

let server: WebDavTestServer;
let env: Record<string, string>;
const pairs: Pair[] = [];

beforeAll(async () => {
  ensureCliBuilt();
  server = await startWebDavServer();
  env = { TERASYNC_USER: server.user, TERASYNC_PASSWORD: server.password };
}, 120_000);
afterAll(async () => {
  await server?.stop();
});
afterEach(async () => {
  for (const pair of pairs.splice(0)) await pair.dispose();
});

async function newPair(): Promise<Pair> {
  const pair = await createPair(server);
  pairs.push(pair);
  return pair;
}

const target = (pair: Pair): string[] => ['--local', pair.local, '--remote', pair.remoteUrl, '--state', pair.stateDir];

describe('terasync deleted', () => {
  it('a deletion lands in the trash, is listed, restored by the command and kept by the next sync; purge deletes it for good', async () => {
    const pair = await newPair();
    await pair.writeLocal('docs/a file%20.txt', 'alpha');
    await pair.writeLocal('keep.txt', 'kept');
    expect((await runCli(['sync', '--once', ...target(pair)], env)).code).toBe(0);
    await pair.removeLocal('docs/a file%20.txt');
    const synced = await runCli(['sync', '--once', '--json', ...target(pair)], env);
    expect(synced.code).toBe(0);
    const report = JSON.parse(synced.stdout) as { deletedToTrash: { runId: string; count: number; bytes: number } };
    expect(report.deletedToTrash).toMatchObject({ count: 1, bytes: 5 });
    const runId = report.deletedToTrash.runId;

    const listed = await runCli(['deleted', 'list', '--json', ...target(pair)], env);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toMatchObject({ runs: [{ runId, files: [{ path: 'docs/a file%20.txt', size: 5 }], bytes: 5 }], bytes: 5 });
    expect((await runCli(['deleted', 'list', ...target(pair)], env)).stdout).toContain(`${runId}  `);

    const restored = await runCli(['deleted', 'restore', '--run', runId, '--path', 'docs/a file%20.txt', ...target(pair)], env);
    expect(restored.code).toBe(0);
    expect(restored.stdout).toContain('restored: docs/a file%20.txt');
    expect((await runCli(['sync', '--once', ...target(pair)], env)).code).toBe(0);
    expect(await pair.readLocal('docs/a file%20.txt')).toBe('alpha');
    expect((await runCli(['sync', '--once', ...target(pair)], env)).code).toBe(0);
    expect(await pair.readLocal('docs/a file%20.txt')).toBe('alpha');

    await pair.removeLocal('keep.txt');
    const again = JSON.parse((await runCli(['sync', '--once', '--json', ...target(pair)], env)).stdout) as typeof report;
    const purged = await runCli(['deleted', 'purge', '--run', again.deletedToTrash.runId, ...target(pair)], env);
    expect(purged.code).toBe(0);
    expect(await pair.remoteTrashTree()).toEqual({});
  }, 60_000);

  it('refuses what does not fit, with exit code 2', async () => {
    const pair = await newPair();
    for (const args of [
      ['deleted', ...target(pair)],
      ['deleted', 'restore', ...target(pair)],
      ['deleted', 'purge', ...target(pair)],
      ['deleted', 'purge', '--run', '2026-01-01T000000Z', '--all', ...target(pair)],
      ['sync', '--once', '--fail-safe-percent', '100', ...target(pair)],
      ['sync', '--once', '--deleted-retention-days', '0', ...target(pair)],
      ['sync', '--once', '--run', '2026-01-01T000000Z', ...target(pair)],
    ]) {
      const result = await runCli(args, env);
      expect(result.code, args.join(' ')).toBe(2);
    }
    expect((await runCli(['--help'], env)).stdout).toContain('--fail-safe-percent N');
  }, 60_000);

  it('--fail-safe-percent sets the share at which a run stops', async () => {
    const pair = await newPair();
    for (let i = 0; i < 40; i++) await pair.writeLocal(`f${i}.txt`, `f${i}`);
    expect((await runCli(['sync', '--once', ...target(pair)], env)).code).toBe(0);
    for (let i = 0; i < 12; i++) await pair.removeLocal(`f${i}.txt`);
    // 12 of 40 is 30%: more than 25% stops (nothing deleted), the default 50% goes ahead.
    expect((await runCli(['sync', '--once', '--fail-safe-percent', '25', ...target(pair)], env)).code).toBe(3);
    expect(Object.keys(await pair.remoteTree())).toHaveLength(40);
    expect((await runCli(['sync', '--once', ...target(pair)], env)).code).toBe(0);
    expect(Object.keys(await pair.remoteTree())).toHaveLength(28);
  }, 60_000);
});
