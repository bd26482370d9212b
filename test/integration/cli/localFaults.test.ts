/**
 * The built command meets an unfriendly local disk: a folder it may not write into (as a normal
 * user: root ignores permissions, so as root the command runs as `nobody`), and a full disk (a
 * 1 MiB tmpfs mounted over the local folder; mounting needs root, so elsewhere that test skips
 * with a notice, and fails under CI, which runs as root). Each failure is one entry in the
 * report with a sentence that says what to do, the rest of the run completes, nothing crashes
 * and no temp file is left anywhere.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmod, mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isContinuousIntegration } from '../../support/requirements.js';
import { ensureCliBuilt, repoRoot, runCli, type CliResult } from '../../support/cli.js';
import { createPair, type Pair } from '../../support/pair.js';
import { startWebDavServer, type WebDavTestServer } from '../../support/webdavServer.js';

const NOBODY = 65534;
const isRoot = process.getuid?.() === 0;

let server: WebDavTestServer;
const cleanups: Array<() => Promise<void>> = [];

beforeAll(async () => {
  ensureCliBuilt();
  server = await startWebDavServer();
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function pair(): Promise<Pair> {
  const created = await createPair(server);
  cleanups.push(() => created.dispose());
  return created;
}

interface Report {
  downloaded: string[];
  uploaded: string[];
  conflicts: Array<{ path: string; copy: string }>;
  errors: Array<{ path: string; code: string; message: string }>;
}

function syncArgs(target: Pair): string[] {
  return ['sync', '--once', '--json', '--local', target.local, '--remote', target.remoteUrl, '--state', target.stateDir, '--device', 'testbox'];
}

function credentials(): Record<string, string> {
  return { TERASYNC_USER: server.user, TERASYNC_PASSWORD: server.password };
}

/** Runs the command as `nobody` (when we are root) so that permissions apply, as for a person. */
async function runAsUser(target: Pair): Promise<CliResult> {
  if (!isRoot) return runCli(syncArgs(target), credentials());
  const base = join(target.local, '..');
  await chmod(base, 0o755);
  await mkdir(target.stateDir, { recursive: true });
  execFileSync('chown', ['-R', `${NOBODY}:${NOBODY}`, target.local, target.stateDir]);
  return new Promise<CliResult>((resolve) => {
    const child = spawn(process.execPath, [join(repoRoot, 'bin', 'terasync.js'), ...syncArgs(target)], {
      uid: NOBODY,
      gid: NOBODY,
      env: { PATH: process.env.PATH, HOME: base, ...credentials() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

function parse(result: CliResult): Report {
  try {
    return JSON.parse(result.stdout) as Report;
  } catch {
    throw new Error(`stdout is not one JSON report (exit ${result.code}):\n${result.stdout}\nstderr:\n${result.stderr}`);
  }
}

/** Every name under `folder` that looks like one of our temp files. */
async function tempFiles(folder: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(folder, { withFileTypes: true, recursive: true })) {
    if (entry.name.startsWith('.terasync-') && entry.name.endsWith('.tmp')) found.push(join(entry.parentPath, entry.name));
  }
  return found;
}

describe('a local folder the command may not write into', () => {
  it('is reported with what to do; the rest of the run completes; no crash, no temp file', async () => {
    if (isRoot) {
      const probe = spawnSync(process.execPath, [join(repoRoot, 'bin', 'terasync.js'), '--help'], { uid: NOBODY, gid: NOBODY, env: { PATH: process.env.PATH } });
      if (probe.status !== 0) {
        if (isContinuousIntegration()) throw new Error(`user ${NOBODY} cannot run ${repoRoot}/bin/terasync.js`);
        console.warn(`SKIPPED (unwritable folder as root): user ${NOBODY} cannot run ${repoRoot}/bin/terasync.js`);
        return;
      }
    }
    const target = await pair();
    await target.writeLocal('sub/both.txt', 'version 1');
    await target.writeLocal('top.txt', 'top');
    expect((await runAsUser(target)).code).toBe(0);
    // The server gains a file in the folder, the same file changes on both sides, and an
    // unrelated file arrives elsewhere.
    await target.writeRemote('sub/new.txt', 'new on the server');
    await target.writeRemote('sub/both.txt', 'their version');
    await target.writeRemote('elsewhere.txt', 'unrelated');
    await target.writeLocal('sub/both.txt', 'my version');
    await chmod(join(target.local, 'sub'), 0o555);
    cleanups.push(() => chmod(join(target.local, 'sub'), 0o755));

    const result = await runAsUser(target);
    expect(result.stderr).not.toMatch(/Unhandled|ERR_UNHANDLED|at .*\.js:\d+/);
    expect(result.code).toBe(1);
    const report = parse(result);
    expect(report.downloaded).toEqual(['elsewhere.txt']);
    const byPath = new Map(report.errors.map((error) => [error.path, error]));
    expect([...byPath.keys()].sort()).toEqual(['sub/both.txt', 'sub/new.txt']);
    for (const error of byPath.values()) {
      expect(error.code).toBe('LocalIo');
      expect(error.message).toMatch(/permission denied in the folder "sub"\. Give your user write permission to it/);
      expect(error.message).not.toMatch(/^E[A-Z]+:/);
    }
    // My version is still where it was; nothing of ours is left anywhere.
    expect(await readFile(join(target.local, 'sub', 'both.txt'), 'utf8')).toBe('my version');
    expect(await readFile(join(target.local, 'elsewhere.txt'), 'utf8')).toBe('unrelated');
    expect(await tempFiles(target.local)).toEqual([]);

    // Once the folder may be written again, both versions survive and the run converges.
    await chmod(join(target.local, 'sub'), 0o755);
    const after = parse(await runAsUser(target));
    expect(after.errors).toEqual([]);
    expect(after.conflicts.map((conflict) => conflict.path)).toEqual(['sub/both.txt']);
    expect(await readFile(join(target.local, 'sub', 'both.txt'), 'utf8')).toBe('their version');
    expect(await readFile(join(target.local, after.conflicts[0]!.copy), 'utf8')).toBe('my version');
    expect(await readFile(join(target.local, 'sub', 'new.txt'), 'utf8')).toBe('new on the server');
  }, 60_000);
});

describe('a full disk', () => {
  it('says the disk is full and how much the file needs; the rest completes; no temp file', async (context) => {
    if (!isRoot) {
      if (isContinuousIntegration()) throw new Error('mounting a tmpfs needs root (CI runs as root)');
      console.warn('SKIPPED (full disk): mounting a tmpfs needs root');
      context.skip();
    }
    const target = await pair();
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', target.local]);
    cleanups.push(async () => {
      execFileSync('umount', [target.local]);
    });
    await target.writeRemote('big.bin', 'x'.repeat(2 * 1024 * 1024));
    await target.writeRemote('small.txt', 'fits');

    const result = await runCli(syncArgs(target), credentials());
    expect(result.stderr).not.toMatch(/Unhandled|ERR_UNHANDLED/);
    expect(result.code).toBe(1);
    const report = parse(result);
    expect(report.downloaded).toEqual(['small.txt']);
    expect(report.errors).toHaveLength(1);
    expect(report.errors[0]).toMatchObject({ path: 'big.bin', code: 'LocalIo' });
    expect(report.errors[0]!.message).toMatch(/the disk is full \(the file needs 2(\.0)? MiB, .* is free\)\. Free up space and sync again\./);
    expect(await tempFiles(target.local)).toEqual([]);
    // The file never half-arrives under its own name.
    await expect(readFile(join(target.local, 'big.bin'))).rejects.toMatchObject({ code: 'ENOENT' });
  }, 60_000);
});
