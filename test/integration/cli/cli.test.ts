/**
 * The built `terasync` command as a child process, the way a user or a script runs it: its
 * usage errors and exit codes, what it prints (JSON, one line per action, the dry-run plan),
 * conflicts, the fail-safes, a hostile server, and the one-run-per-pair lock. Against the
 * in-process webdav-server unless a test needs a server that misbehaves.
 *
 * Every test gets fresh temp local and state folders (`--state`), so no run ever touches
 * the user's own journals.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { journalFile } from '../../../electron/platform/paths.js';
import { Journal } from '../../../electron/sync/journal.js';
import { defaultRetryPolicy } from '../../../electron/net/retry.js';
import { ensureCliBuilt, runCli, startCli, type CliResult } from '../../support/cli.js';
import { davAnswer, startHostileServer, type FakeResource, type HostileServer } from '../../support/hostileServer.js';
import { createPair, type Pair } from '../../support/pair.js';
import { startWebDavServer, type WebDavTestServer } from '../../support/webdavServer.js';
import { until } from '../../support/until.js';

/** The waits for a running command: 15 s, and a failed status or tree read counts as "not yet". */
const WAIT = { timeoutMs: 15_000, retryErrors: true };

let server: WebDavTestServer;
let credentials: Record<string, string>;
const cleanups: Array<() => Promise<void>> = [];

beforeAll(async () => {
  ensureCliBuilt();
  server = await startWebDavServer();
  credentials = { TERASYNC_USER: server.user, TERASYNC_PASSWORD: server.password };
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A fresh pair on the webdav-server: temp local and state folders, an empty remote folder. */
async function pair(): Promise<Pair> {
  const created = await createPair(server);
  cleanups.push(() => created.dispose());
  return created;
}

/** Fresh temp folders for a run that does not use the webdav-server. */
async function freshDirs(): Promise<{ base: string; local: string; state: string }> {
  const base = await mkdtemp(join(tmpdir(), 'terasync-cli-'));
  cleanups.push(() => rm(base, { recursive: true, force: true }));
  const local = join(base, 'local');
  await mkdir(local);
  return { base, local, state: join(base, 'state') };
}

function syncArgs(target: { local: string; remoteUrl: string; stateDir: string }, ...extra: string[]): string[] {
  return ['sync', '--once', '--local', target.local, '--remote', target.remoteUrl, '--state', target.stateDir, '--device', 'testbox', ...extra];
}

interface JsonReport {
  uploaded: string[];
  downloaded: string[];
  deletedLocal: string[];
  deletedRemote: string[];
  createdLocalFolders: string[];
  createdRemoteFolders: string[];
  conflicts: Array<{ path: string; copy: string }>;
  skipped: Array<{ path: string; side: string; reason: string; message: string }>;
  errors: Array<{ path: string; code: string; message: string }>;
}

/** stdout must be exactly one JSON object. */
function parseJson<T = JsonReport>(result: CliResult): T {
  let parsed: unknown;
  try {
    parsed = JSON.parse(result.stdout);
  } catch (error) {
    throw new Error(`stdout is not one JSON value (${(error as Error).message}):\n${result.stdout}\nstderr:\n${result.stderr}`, { cause: error });
  }
  expect(typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)).toBe(true);
  return parsed as T;
}

const sorted = (values: readonly string[]): string[] => [...values].sort();

/** Fails with the command's output in the message, which is what one wants to read. */
function expectExit(result: CliResult, code: number): void {
  expect(result.code, `exit ${result.code} (signal ${result.signal})\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`).toBe(code);
}

const REPORT_ARRAYS = ['uploaded', 'downloaded', 'deletedLocal', 'deletedRemote', 'conflicts', 'skipped', 'errors'] as const;

describe('usage and configuration errors (exit 2)', () => {
  const USAGE = /Usage: terasync sync --local DIR --remote URL\|FOLDER \[--once\]/;

  it('no arguments: usage on stderr, exit 2', async () => {
    const result = await runCli([], credentials);
    expectExit(result, 2);
    expect(result.stderr).toMatch(USAGE);
    expect(result.stdout).toBe('');
  });

  it('--help: usage on stdout, exit 0', async () => {
    for (const args of [['--help'], ['-h'], ['sync', '--help']]) {
      const result = await runCli(args, {});
      expectExit(result, 0);
      expect(result.stdout).toMatch(USAGE);
      expect(result.stdout).toMatch(/--allow-mass-delete/);
      expect(result.stderr).toBe('');
    }
  });

  it('an unknown command or option: exit 2', async () => {
    const dirs = await freshDirs();
    const remote = `${server.url}x/`;
    for (const args of [
      ['frobnicate'],
      ['sync', '--once', '--local', dirs.local, '--remote', remote, '--state', dirs.state, '--bogus'],
      ['sync', '--once', '--local', dirs.local, '--remote', remote, '--state', dirs.state, 'extra-positional'],
    ]) {
      const result = await runCli(args, credentials);
      expectExit(result, 2);
      expect(result.stderr).not.toBe('');
    }
    expect(existsSync(dirs.state)).toBe(false);
  });

  it('--dry-run without --once: exit 2, says they go together', async () => {
    const dirs = await freshDirs();
    const result = await runCli(['sync', '--dry-run', '--local', dirs.local, '--remote', `${server.url}x/`, '--state', dirs.state], credentials);
    expectExit(result, 2);
    expect(result.stderr).toMatch(/--dry-run goes with --once/);
  });

  it('a bandwidth limit that is not a number: exit 2', async () => {
    const dirs = await freshDirs();
    for (const option of ['--limit-up', '--limit-down']) {
      const result = await runCli(['sync', '--once', option, 'fast', '--local', dirs.local, '--remote', `${server.url}x/`, '--state', dirs.state], credentials);
      expectExit(result, 2);
      expect(result.stderr).toMatch(new RegExp(`${option} must be a number of KiB/s`));
    }
  });

  it('missing --local or --remote: exit 2', async () => {
    const dirs = await freshDirs();
    const noLocal = await runCli(['sync', '--once', '--remote', `${server.url}x/`, '--state', dirs.state], credentials);
    expectExit(noLocal, 2);
    expect(noLocal.stderr).toMatch(/--local/);
    const noRemote = await runCli(['sync', '--once', '--local', dirs.local, '--state', dirs.state], credentials);
    expectExit(noRemote, 2);
    expect(noRemote.stderr).toMatch(/--remote/);
  });

  it('--concurrency 0 (or not a number): exit 2', async () => {
    const dirs = await freshDirs();
    for (const value of ['0', 'abc', '-3', '1.5']) {
      const result = await runCli(['sync', '--once', '--local', dirs.local, '--remote', `${server.url}x/`, '--state', dirs.state, '--concurrency', value], credentials);
      expectExit(result, 2);
      expect(result.stderr).toMatch(/--concurrency/);
    }
  });

  it('--download-streams outside 1 to 16: exit 2', async () => {
    const dirs = await freshDirs();
    for (const value of ['0', '17', 'two', '2.5']) {
      const result = await runCli(['sync', '--once', '--local', dirs.local, '--remote', `${server.url}x/`, '--state', dirs.state, '--download-streams', value], credentials);
      expectExit(result, 2);
      expect(result.stderr).toMatch(/--download-streams must be a whole number from 1 to 16/);
    }
  });

  it('a large file comes down in parallel ranges, or in one stream with --download-streams 1', async () => {
    // 32 MiB: the smallest file fetched in ranges (of 4 MiB: 8 of them).
    const content = Buffer.alloc(32 * 1024 * 1024);
    for (let offset = 0; offset < content.length; offset += 4096) content.writeUInt32BE(offset, offset);
    for (const streams of [undefined, '1']) {
      const name = `big-${streams ?? 'default'}`;
      await mkdir(join(server.dataDir, name));
      await writeFile(join(server.dataDir, name, 'big.bin'), content);
      // An old mtime: the server's ETag is then strong, which ranges need.
      const past = new Date('2024-01-01T00:00:00Z');
      await utimes(join(server.dataDir, name, 'big.bin'), past, past);
      const dirs = await freshDirs();
      const before = server.requests.length;
      const extra = streams === undefined ? [] : ['--download-streams', streams];
      const result = await runCli(['sync', '--once', '--local', dirs.local, '--remote', `${server.url}${name}/`, '--state', dirs.state, ...extra], credentials);
      expectExit(result, 0);
      expect((await readFile(join(dirs.local, 'big.bin'))).equals(content)).toBe(true);
      const gets = server.requests.slice(before).filter((request) => request.method === 'GET');
      if (streams === undefined) {
        expect(gets).toHaveLength(8);
        expect(gets.map((request) => request.status)).toEqual(Array.from({ length: 8 }, () => 206));
        expect(gets.every((request) => typeof request.headers['if-range'] === 'string')).toBe(true);
      } else {
        expect(gets.map((request) => [request.headers['range'], request.status])).toEqual([[undefined, 200]]);
      }
    }
  });

  it('no credentials in the environment: exit 2, naming TERASYNC_USER and TERASYNC_PASSWORD', async () => {
    const dirs = await freshDirs();
    const before = server.requests.length;
    for (const env of [{}, { TERASYNC_USER: server.user }, { TERASYNC_PASSWORD: server.password }]) {
      const result = await runCli(['sync', '--once', '--local', dirs.local, '--remote', `${server.url}x/`, '--state', dirs.state], env);
      expectExit(result, 2);
      expect(result.stderr).toMatch(/TERASYNC_USER/);
      expect(result.stderr).toMatch(/TERASYNC_PASSWORD/);
    }
    expect(server.requests.length).toBe(before);
    expect(existsSync(dirs.state)).toBe(false);
  });

  it('credentials in the URL: exit 2', async () => {
    const dirs = await freshDirs();
    const before = server.requests.length;
    const withCredentials = server.url.replace('http://', `http://${server.user}:${server.password}@`);
    const result = await runCli(['sync', '--once', '--local', dirs.local, '--remote', `${withCredentials}x/`, '--state', dirs.state], credentials);
    expectExit(result, 2);
    expect(result.stderr).toMatch(/TERASYNC_USER/);
    expect(server.requests.length).toBe(before);
  });

  it('--ca naming a missing file: exit 2', async () => {
    const dirs = await freshDirs();
    const missing = join(dirs.base, 'no-such-ca.pem');
    const result = await runCli(['sync', '--once', '--local', dirs.local, '--remote', `${server.url}x/`, '--state', dirs.state, '--ca', missing], credentials);
    expectExit(result, 2);
    expect(result.stderr).toContain(missing);
  });

  it('plain http:// to a host that is not this computer: exit 2, refused before any connection', async () => {
    const dirs = await freshDirs();
    const started = Date.now();
    const result = await runCli(['sync', '--once', '--local', dirs.local, '--remote', 'http://example.invalid/dav/', '--state', dirs.state], credentials);
    expectExit(result, 2);
    expect(result.stderr).toMatch(/refus\w* plain http/i);
    // Not a DNS or connection failure: it never tried.
    expect(result.stderr).not.toMatch(/ENOTFOUND|EAI_AGAIN|could not reach/i);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

describe('authentication', () => {
  it('a wrong password: exit 4, says what to check, and never prints the password', async () => {
    const p = await pair();
    await p.writeLocal('a.txt', 'a');
    const wrong = 'Wrong-Apps-Password-4711';
    const result = await runCli(syncArgs(p), { TERASYNC_USER: server.user, TERASYNC_PASSWORD: wrong });
    expectExit(result, 4);
    expect(result.stderr).toMatch(/Apps password/);
    expect(result.stderr).toMatch(/MyPage/);
    const basic = Buffer.from(`${server.user}:${wrong}`).toString('base64');
    for (const output of [result.stdout, result.stderr]) {
      expect(output).not.toContain(wrong);
      expect(output).not.toContain(basic);
    }
    // Nothing was uploaded.
    expect(await p.remoteTree()).toEqual({});
  });
});

describe('a sync', () => {
  it('--json: one JSON object with the right paths; a second run has empty arrays', async () => {
    const p = await pair();
    await p.writeLocal('a.txt', 'local a');
    await p.writeLocal('sub/c.txt', 'local c');
    await p.writeRemote('b.txt', 'remote b');
    await p.writeRemote('docs/d.txt', 'remote d');

    const first = await runCli(syncArgs(p, '--json'), credentials);
    expectExit(first, 0);
    const report = parseJson(first);
    for (const key of REPORT_ARRAYS) expect(Array.isArray(report[key]), key).toBe(true);
    expect(sorted(report.uploaded)).toEqual(['a.txt', 'sub/c.txt']);
    expect(sorted(report.downloaded)).toEqual(['b.txt', 'docs/d.txt']);
    expect(report.createdRemoteFolders).toEqual(['sub']);
    expect(report.createdLocalFolders).toEqual(['docs']);
    expect(report.deletedLocal).toEqual([]);
    expect(report.deletedRemote).toEqual([]);
    expect(report.conflicts).toEqual([]);
    expect(report.skipped).toEqual([]);
    expect(report.errors).toEqual([]);
    const expected = { 'a.txt': 'local a', sub: '<folder>', 'sub/c.txt': 'local c', 'b.txt': 'remote b', docs: '<folder>', 'docs/d.txt': 'remote d' };
    expect(await p.localTree()).toEqual(expected);
    expect(await p.remoteTree()).toEqual(expected);

    const second = await runCli(syncArgs(p, '--json'), credentials);
    expectExit(second, 0);
    const again = parseJson(second);
    for (const key of [...REPORT_ARRAYS, 'createdLocalFolders', 'createdRemoteFolders'] as const) expect(again[key], key).toEqual([]);
  });

  it('off a terminal without --json: one line per action and a summary line', async () => {
    const p = await pair();
    await p.writeLocal('a.txt', 'local a');
    await p.writeRemote('b.txt', 'remote b');

    const result = await runCli(syncArgs(p), credentials);
    expectExit(result, 0);
    const lines = result.stdout.split('\n').filter((line) => line !== '');
    expect(lines).toContain('uploaded: a.txt');
    expect(lines).toContain('downloaded: b.txt');
    expect(lines.at(-1)).toBe('In sync: 1 uploaded, 1 downloaded, 0 deleted, 0 conflicts, 0 skipped.');
    // No progress line (no terminal): no carriage returns or escape sequences.
    expect(result.stdout + result.stderr).not.toContain('\r');
    expect(result.stdout + result.stderr).not.toContain('\u001b[');
    expect(result.stderr).toBe('');
  });

  it('--dry-run prints the plan with rule ids and changes nothing on either side, nor in the journal', async () => {
    const p = await pair();
    await p.writeLocal('a.txt', 'local a');
    await p.writeRemote('b.txt', 'remote b');

    const before = server.requests.length;
    const dry = await runCli(syncArgs(p, '--dry-run'), credentials);
    expectExit(dry, 0);
    // It only listed: no request that changes (or fetches) anything reached the server.
    expect(new Set(server.requests.slice(before).map((request) => request.method))).toEqual(new Set(['PROPFIND']));
    const lines = dry.stdout.split('\n').filter((line) => line !== '');
    expect(lines).toContain('would upload: a.txt (R1)');
    expect(lines).toContain('would download: b.txt (R2)');
    for (const line of lines) expect(line).toMatch(/^would \w+: .+ \((R\d+b?|CASE)\)$/);

    expect(await p.localTree()).toEqual({ 'a.txt': 'local a' });
    expect(await p.remoteTree()).toEqual({ 'b.txt': 'remote b' });

    const journal = Journal.open(journalFile(p.stateDir, p.local, p.remoteUrl));
    try {
      expect(journal.all()).toEqual([]);
      expect(journal.pending()).toEqual([]);
    } finally {
      journal.close();
    }

    // A dry run that recorded nothing leaves the real run everything to do.
    const real = await runCli(syncArgs(p, '--json'), credentials);
    expectExit(real, 0);
    const report = parseJson(real);
    expect(report.uploaded).toEqual(['a.txt']);
    expect(report.downloaded).toEqual(['b.txt']);
  });

  it('a conflict: exit 0, conflicts [{path, copy}], both versions kept on both sides', async () => {
    const p = await pair();
    await p.writeLocal('c.txt', 'base');
    expectExit(await runCli(syncArgs(p), credentials), 0);
    expect(await p.remoteTree()).toEqual({ 'c.txt': 'base' });

    await p.writeLocal('c.txt', 'edited here, locally');
    await p.writeRemote('c.txt', 'edited on the server');

    const result = await runCli(syncArgs(p, '--json'), credentials);
    expectExit(result, 0);
    const report = parseJson(result);
    expect(report.errors).toEqual([]);
    expect(report.conflicts).toHaveLength(1);
    const [conflict] = report.conflicts;
    expect(conflict!.path).toBe('c.txt');
    expect(conflict!.copy).toMatch(/^c \(conflict \d{4}-\d{2}-\d{2} \d{6} testbox\)\.txt$/);

    const expected = { 'c.txt': 'edited on the server', [conflict!.copy]: 'edited here, locally' };
    expect(await p.localTree()).toEqual(expected);
    expect(await p.remoteTree()).toEqual(expected);
  });
});

describe('fail-safes (exit 3, nothing deleted)', () => {
  it('deleting 10 of 12 synced files stops the run until --allow-mass-delete', async () => {
    const p = await pair();
    const names = Array.from({ length: 12 }, (_, i) => `f${String(i).padStart(2, '0')}.txt`);
    for (const name of names) await p.writeLocal(name, name);
    expectExit(await runCli(syncArgs(p), credentials), 0);
    expect(Object.keys(await p.remoteTree()).sort()).toEqual(names);

    const doomed = names.slice(0, 10);
    for (const name of doomed) await p.removeLocal(name);

    const stopped = await runCli(syncArgs(p), credentials);
    expectExit(stopped, 3);
    expect(stopped.stderr).toMatch(/--allow-mass-delete/);
    expect(Object.keys(await p.remoteTree()).sort()).toEqual(names);

    const allowed = await runCli(syncArgs(p, '--json', '--allow-mass-delete'), credentials);
    expectExit(allowed, 0);
    expect(sorted(parseJson(allowed).deletedRemote)).toEqual(doomed);
    expect(Object.keys(await p.remoteTree()).sort()).toEqual(names.slice(10));
    expect(Object.keys(await p.localTree()).sort()).toEqual(names.slice(10));
  });

  it('a missing local folder whose journal has files stops the run; nothing is deleted on the server', async () => {
    const p = await pair();
    await p.writeLocal('one.txt', '1');
    await p.writeLocal('dir/two.txt', '2');
    expectExit(await runCli(syncArgs(p), credentials), 0);
    const synced = await p.remoteTree();
    expect(Object.keys(synced).sort()).toEqual(['dir', 'dir/two.txt', 'one.txt']);

    // An unmounted drive looks like this.
    await rename(p.local, `${p.local}-away`);
    const result = await runCli(syncArgs(p), credentials);
    expectExit(result, 3);
    expect(result.stderr).toMatch(/missing/i);
    expect(await p.remoteTree()).toEqual(synced);
    // And the folder was not recreated empty.
    expect(existsSync(p.local)).toBe(false);
  });
});

describe('against a hostile server', () => {
  let hostile: HostileServer;
  const ROOT = '/dav/Sync/';
  const self: FakeResource = { href: ROOT, collection: true, etag: '"root"' };

  beforeAll(async () => {
    hostile = await startHostileServer();
  });

  afterAll(async () => {
    await hostile?.stop();
  });

  afterEach(() => {
    hostile.requests.splice(0);
    hostile.setFallback({ status: 500, body: 'no scripted answer left' });
  });

  const target = (dirs: { local: string; state: string }): { local: string; remoteUrl: string; stateDir: string } => ({
    local: dirs.local,
    remoteUrl: `${hostile.url}dav/Sync/`,
    stateDir: dirs.state,
  });

  it('names that would leave the folder are skipped (invalid-name), ok.txt is downloaded, nothing lands outside', async () => {
    const dirs = await freshDirs();
    const evil = ['..%2Fescape.txt', 'a%2Fb.txt', 'back%5Cslash.txt'];
    hostile.setFallback((request) => {
      if (request.method === 'PROPFIND' && request.path === ROOT) {
        return davAnswer([
          self,
          { href: `${ROOT}ok.txt`, size: 2, etag: '"ok"' },
          ...evil.map((name) => ({ href: `${ROOT}${name}`, size: 4, etag: `"${name}"` })),
        ]);
      }
      if (request.method === 'GET') {
        // Whatever is asked for is served: a client that asked for an evil name would write it.
        const body = request.path === `${ROOT}ok.txt` ? 'ok' : 'evil';
        return { status: 200, headers: { 'Content-Type': 'text/plain', ETag: '"x"' }, body };
      }
      return { status: 500, body: 'unexpected request' };
    });

    const result = await runCli(syncArgs(target(dirs), '--json'), credentials);
    // Skipped names are reported, not failures: the run is in sync for everything it may touch.
    expectExit(result, 0);
    const report = parseJson(result);
    expect(report.downloaded).toEqual(['ok.txt']);
    expect(report.errors).toEqual([]);
    expect(report.uploaded).toEqual([]);
    expect(report.deletedLocal).toEqual([]);
    expect(report.deletedRemote).toEqual([]);
    // A name with "/" once decoded is shown as sent; one with a backslash as it reads, with why.
    for (const name of ['..%2Fescape.txt', 'a%2Fb.txt', 'back\\slash.txt']) {
      expect(report.skipped, name).toContainEqual(expect.objectContaining({ path: name, side: 'remote', reason: 'invalid-name' }));
    }
    expect(report.skipped.find((entry) => entry.path === 'back\\slash.txt')?.message).toMatch(/read as a folder separator.*rename it there without "\\"/);

    expect(await readFile(join(dirs.local, 'ok.txt'), 'utf8')).toBe('ok');
    expect((await readdir(dirs.local)).sort()).toEqual(['ok.txt']);
    // Nothing beside the local folder but the state folder.
    expect((await readdir(dirs.base)).sort()).toEqual(['local', 'state']);
    // The evil names were never asked for.
    const touched = hostile.requests.filter((request) => request.path !== ROOT && request.path !== `${ROOT}ok.txt`);
    expect(touched.map((request) => `${request.method} ${request.path}`)).toEqual([]);
  });

  it('malformed XML for the root PROPFIND: exit 1 with BadResponse, nothing deleted or written', async () => {
    const dirs = await freshDirs();
    await writeFile(join(dirs.local, 'keep.txt'), 'mine');
    hostile.setFallback((request) =>
      request.method === 'PROPFIND'
        ? {
            status: 207,
            headers: { 'Content-Type': 'application/xml' },
            body: `<?xml version="1.0"?><D:multistatus xmlns:D="DAV:"><D:response><D:href>${ROOT}</D:href><D:propstat><D:prop>`,
          }
        : { status: 500 },
    );

    const result = await runCli(syncArgs(target(dirs), '--json'), credentials);
    expectExit(result, 1);
    const output = parseJson<{ error: { code: string; message: string } }>(result);
    expect(output.error.code).toBe('BadResponse');
    expect(result.stderr).toContain(output.error.message);

    expect((await readdir(dirs.local)).sort()).toEqual(['keep.txt']);
    expect(await readFile(join(dirs.local, 'keep.txt'), 'utf8')).toBe('mine');
    expect(hostile.requests.map((request) => request.method)).toEqual(['PROPFIND']);
    const journal = Journal.open(journalFile(dirs.state, dirs.local, `${hostile.url}dav/Sync/`));
    try {
      expect(journal.all()).toEqual([]);
    } finally {
      journal.close();
    }
  });

  it('a server answering 500 to everything: exit 1 once the retries are used up', async () => {
    const dirs = await freshDirs();
    await writeFile(join(dirs.local, 'keep.txt'), 'mine');
    hostile.setFallback({ status: 500, body: 'Internal Server Error' });

    const started = Date.now();
    const result = await runCli(syncArgs(target(dirs)), credentials);
    const elapsed = Date.now() - started;
    expectExit(result, 1);
    expect(result.stderr).toMatch(/500/);
    // The default policy: every attempt made, then given up (backoff with jitter, under 8 s in all).
    expect(hostile.requests.map((request) => request.method)).toEqual(Array(defaultRetryPolicy.attempts).fill('PROPFIND'));
    expect(elapsed).toBeLessThan(20_000);
    expect((await readdir(dirs.local)).sort()).toEqual(['keep.txt']);
  }, 30_000);

  it('a second run on the same pair while the first is busy exits 5: another run is syncing this folder', async () => {
    const dirs = await freshDirs();
    let arrived!: () => void;
    const firstRequest = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    // The first PROPFIND hangs (until the test ends); the first run holds the journal meanwhile.
    hostile.setFallback(() => {
      arrived();
      return { ...davAnswer([self]), delayMs: 120_000 };
    });

    const first = startCli(syncArgs(target(dirs)), credentials);
    try {
      await firstRequest;
      const second = await runCli(syncArgs(target(dirs)), credentials);
      expect(second.code, second.stderr).toBe(5);
      expect(second.stderr).toContain(`Another TeraSync run (terasync sync) is syncing the folder ${dirs.local}: process ${first.child.pid}`);
      // It stopped before talking to the server.
      expect(hostile.requests).toHaveLength(1);
    } finally {
      first.child.kill('SIGKILL');
      await first.done;
    }
  });
});

describe('continuous mode and status', () => {
  it('keeps syncing until SIGTERM, reports its status while running, and stops cleanly', async () => {
    const target = await pair();
    const args = ['sync', '--local', target.local, '--remote', target.remoteUrl, '--state', target.stateDir, '--poll-interval', '1'];
    const running = startCli(args, credentials);
    try {
      const status = (): Promise<CliResult> =>
        runCli(['status', '--json', '--local', target.local, '--remote', target.remoteUrl, '--state', target.stateDir], credentials);
      await until('a first sync in the status', async () => {
        const result = await status();
        return result.code === 0 && parseJson<{ running: boolean; status: { state: string; lastSyncAt: number | null } }>(result).status.lastSyncAt !== null;
      }, WAIT);
      await target.writeLocal('saved-later.txt', 'arrives by itself');
      await until('saved-later.txt on the server', async () => (await target.remoteTree())['saved-later.txt'] === 'arrives by itself', WAIT);
      await target.writeRemote('from-elsewhere.txt', 'polled');
      await until('from-elsewhere.txt here', async () => (await target.localTree())['from-elsewhere.txt'] === 'polled', WAIT);
      const live = parseJson<{ running: boolean; pid: number }>(await status());
      expect(live.running).toBe(true);
      expect(live.pid).toBe(running.child.pid);
    } finally {
      running.child.kill('SIGTERM');
    }
    const ended = await running.done;
    expectExit(ended, 0);
    expect(ended.stdout).toMatch(/uploaded: saved-later\.txt/);
    expect(ended.stdout).toMatch(/downloaded: from-elsewhere\.txt/);
    expect(ended.stdout).toMatch(/Stopped\./);
    const after = parseJson<{ running: boolean; status: { state: string } }>(
      await runCli(['status', '--json', '--local', target.local, '--remote', target.remoteUrl, '--state', target.stateDir], credentials),
    );
    expect(after.running).toBe(false);
    expect(after.status.state).toBe('stopped');
  });

  it('status of a pair never synced: exit 1 with a sentence', async () => {
    const dirs = await freshDirs();
    const result = await runCli(['status', '--local', dirs.local, '--remote', `${server.url}never/`, '--state', dirs.state], credentials);
    expectExit(result, 1);
    expect(result.stderr).toMatch(/not been synced yet/);
  });
});

