/**
 * What the built `terasync` command loads before it does anything: the dispatcher answers
 * `--help`, a missing or unknown command and `status` without the SQLite addon, the WebDAV
 * client, the keychain binding or Node's networking modules (each is loaded by the module of
 * a command that uses it), and it asks Node for its compile cache where the runtime has one.
 *
 * Each run is preloaded with test/support/recordLoads.mjs (`node --import`), whose loader
 * hooks write every module the process resolves to a log file; a command that does load
 * those packages is checked too, so an empty or broken log cannot pass for a light one.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import module from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureCliBuilt, repoRoot } from '../../support/cli.js';

const bin = join(repoRoot, 'bin', 'terasync.js');
const preload = join(repoRoot, 'test', 'support', 'recordLoads.mjs');

/** The packages that make start-up slow; none of them may load before a command needs it. */
const HEAVY = ['better-sqlite3', 'webdav', '@napi-rs/keyring', 'trash', 'react', 'react-dom'];

let scratch: string;
let runs = 0;

beforeAll(async () => {
  ensureCliBuilt();
  scratch = await mkdtemp(join(tmpdir(), 'terasync-startup-'));
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

interface Recorded {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Resolved module URLs, in order. */
  loaded: string[];
  /** The packages among them (`@scope/name` or `name`). */
  packages: Set<string>;
  /** Arguments of each module.enableCompileCache call. */
  compileCacheCalls: string[];
  /** The log as written: resolutions and calls in order. */
  lines: string[];
}

/** Runs `node --import recordLoads.mjs bin/terasync.js ARGS` with its own HOME and state. */
async function runRecorded(args: string[], env: Record<string, string> = {}): Promise<Recorded> {
  runs += 1;
  const log = join(scratch, `loads-${runs}.log`);
  await writeFile(log, '');
  const home = join(scratch, `home-${runs}`);
  await mkdir(home);
  const child = spawn(process.execPath, ['--import', preload, bin, ...args], {
    env: { PATH: process.env.PATH, HOME: home, TERASYNC_TEST_LOAD_LOG: log, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const lines = (await readFile(log, 'utf8')).split('\n').filter((line) => line !== '');
  const loaded = lines.filter((line) => line.startsWith('resolve ')).map((line) => line.slice('resolve '.length));
  const packages = new Set(
    loaded.map((url) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1]).filter((name): name is string => name !== undefined),
  );
  const compileCacheCalls = lines.filter((line) => line.startsWith('enableCompileCache ')).map((line) => line.slice('enableCompileCache '.length));
  return { code, stdout, stderr, loaded, packages, compileCacheCalls, lines };
}

function heavyIn(recorded: Recorded): string[] {
  return HEAVY.filter((name) => recorded.packages.has(name));
}

/** Node's networking modules: loading them alone costs 10 to 20 ms, and status connects nowhere. */
function networkingIn(recorded: Recorded): string[] {
  return ['node:http', 'node:https', 'node:tls', 'node:net'].filter((name) => recorded.loaded.includes(name));
}

/** Our own bundle files the run loaded, relative to dist/cli. */
function ourChunks(recorded: Recorded): string[] {
  const prefix = new URL('dist/cli/', `file://${repoRoot}/`).href;
  return recorded.loaded.filter((url) => url.startsWith(prefix)).map((url) => url.slice(prefix.length));
}

describe('start-up of the terasync command', () => {
  it('answers --help with the dispatcher alone: no SQLite, WebDAV, keychain or command module', async () => {
    const result = await runRecorded(['--help']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Usage: terasync sync /);
    // The log works: it saw the bundle's entry.
    expect(ourChunks(result)).toContain('terasync.js');
    expect(heavyIn(result)).toEqual([]);
    expect(networkingIn(result)).toEqual([]);
    expect(ourChunks(result).filter((file) => /^chunks\/(sync|status|login|logout|whoami|backup|restore|deleted)-/.test(file))).toEqual([]);
  });

  it('loads nothing heavy for no command, an unknown command or a malformed option', async () => {
    for (const args of [[], ['frobnicate'], ['sync', '--no-such-option']]) {
      const result = await runRecorded(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toContain('Usage: terasync');
      expect(ourChunks(result)).toContain('terasync.js');
      expect(heavyIn(result), args.join(' ')).toEqual([]);
    }
  });

  it('runs status for a URL pair without SQLite, WebDAV or the keychain', async () => {
    const state = join(scratch, 'status-url-state');
    const result = await runRecorded(['status', '--local', join(scratch, 'somewhere'), '--remote', 'https://seto.teracloud.jp/dav/Sync/', '--state', state]);
    expect(result.stderr).toBe('terasync: this pair has not been synced yet (no status recorded)\n');
    expect(result.code).toBe(1);
    expect(ourChunks(result).some((file) => file.startsWith('chunks/status-'))).toBe(true);
    expect(heavyIn(result)).toEqual([]);
    expect(networkingIn(result)).toEqual([]);
    // No account file to read: its schema's library stays unloaded too.
    expect(result.packages.has('valibot')).toBe(false);
  });

  it('runs status for a folder of the signed-in account without the keychain', async () => {
    const state = join(scratch, 'status-account-state');
    await mkdir(state);
    const account = { version: 1, userId: 'alice', origin: 'https://seto.teracloud.jp', node: 'seto', method: 'basic', basicPreemptive: true, basicSignIn: true, oauth: null, api: null };
    await writeFile(join(state, 'account.json'), JSON.stringify(account));
    const local = join(scratch, 'somewhere');
    const result = await runRecorded(['status', '--local', local, '--remote', 'Sync', '--state', state]);
    expect(result.stderr).toBe('terasync: this pair has not been synced yet (no status recorded)\n');
    expect(heavyIn(result)).toEqual([]);
    expect(networkingIn(result)).toEqual([]);

    // Not signed in: the same answer as before, still without the keychain.
    const unsigned = await runRecorded(['status', '--local', local, '--remote', 'Sync', '--state', join(scratch, 'status-nobody')]);
    expect(unsigned.code).toBe(2);
    expect(unsigned.stderr).toContain('not signed in: run "terasync login" first');
    expect(heavyIn(unsigned)).toEqual([]);
  });

  it('loads a command\'s packages once that command runs (the log sees them)', async () => {
    // A usage error found by sync's own checks: its module, and with it the journal and the WebDAV client, is loaded.
    const sync = await runRecorded(['sync', '--local', join(scratch, 'l'), '--remote', 'https://seto.teracloud.jp/dav/Sync/', '--concurrency', '0']);
    expect(sync.code).toBe(2);
    expect(sync.stderr).toBe('terasync: --concurrency must be a whole number from 1 to 64\n');
    expect(ourChunks(sync).some((file) => file.startsWith('chunks/sync-'))).toBe(true);
    expect(sync.packages.has('better-sqlite3')).toBe(true);
    expect(sync.packages.has('webdav')).toBe(true);
    expect(networkingIn(sync)).toContain('node:https');
    // The OS trash is loaded on the first local deletion only.
    expect(sync.packages.has('trash')).toBe(false);

    // login without a user ID and no terminal: refused by the account code, which has the keychain loaded.
    const login = await runRecorded(['login', '--state', join(scratch, 'login-state')]);
    expect(login.code).toBe(2);
    expect(login.stderr).toContain('give your user ID with --user ID');
    expect(login.packages.has('@napi-rs/keyring')).toBe(true);
  });

  it('asks for the compile cache before it loads the bundle, on every runtime that has one', async () => {
    // The preload puts a recorder in place of module.enableCompileCache.
    const result = await runRecorded(['--help']);
    expect(result.code).toBe(0);
    expect(result.compileCacheCalls).toEqual(['(default)']);
    const asked = result.lines.indexOf('enableCompileCache (default)');
    const bundle = result.lines.indexOf(`resolve ${new URL('dist/cli/terasync.js', `file://${repoRoot}/`).href}`);
    expect(bundle).toBeGreaterThan(0);
    expect(asked).toBeLessThan(bundle);
  });
});

const nodeHasCompileCache = typeof (module as { enableCompileCache?: unknown }).enableCompileCache === 'function';
if (!nodeHasCompileCache) console.warn(`SKIPPED: the compile cache check needs Node 22.1 or later (this is ${process.version})`);

describe.runIf(nodeHasCompileCache)('the compile cache on this Node', () => {
  it('is written to <tmp>/node-compile-cache by a plain run of the command', async () => {
    const temp = join(scratch, 'tmp-for-cache');
    await mkdir(temp);
    const child = spawn(process.execPath, [bin, '--help'], { env: { PATH: process.env.PATH, HOME: scratch, TMPDIR: temp }, stdio: 'ignore' });
    expect(await new Promise<number | null>((resolve) => child.on('close', resolve))).toBe(0);
    const entries = await readdir(join(temp, 'node-compile-cache'), { recursive: true });
    expect(entries.length).toBeGreaterThan(0);
  });
});
