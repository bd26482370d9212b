/**
 * The built `terasync backup` / `backup list` / `restore` commands as child processes: kill -9
 * in the middle of a backup (first and incremental) and a resumed run that sends nothing twice
 * (Apache's access log), the quota refused before anything is sent (the emulator's REST API),
 * listing and restoring with --json, usage errors and exit codes, a file the user cannot read
 * and a restore into a folder the user cannot write (run as an unprivileged user when the tests
 * run as root, since root reads and writes anything), the fail-safe (exit 3), the quota note said
 * once, a restore into a folder not made yet, and server names a restore does not write.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, chown, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureCliBuilt, repoRoot, runCli, startCli, type CliResult } from '../../support/cli.js';
import { apacheKind, emulatorKind, type BackupServer } from './backupServers.js';
import { readTree } from './fixture.js';

const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface World {
  base: string;
  source: string;
  state: string;
  device: string;
}

async function world(): Promise<World> {
  const base = await mkdtemp(join(tmpdir(), 'terasync-backup-cli-'));
  cleanups.push(() => rm(base, { recursive: true, force: true }));
  const source = join(base, 'Docs');
  await mkdir(source);
  return { base, source, state: join(base, 'state'), device: `cli-${randomBytes(3).toString('hex')}` };
}

async function write(root: string, relative: string, content: string | Buffer): Promise<void> {
  await mkdir(dirname(join(root, relative)), { recursive: true });
  await writeFile(join(root, relative), content);
}

const nobody = 65534;
const isRoot = process.getuid?.() === 0;

/**
 * Runs the command as it is, or as user nobody when the tests run as root (root ignores
 * permissions); null when nobody cannot run it here (the caller skips with a notice).
 */
async function runAsUser(args: string[], env: Record<string, string>, home: string): Promise<CliResult | null> {
  if (!isRoot) return runCli(args, env);
  const probe = spawnSync(process.execPath, [join(repoRoot, 'bin', 'terasync.js'), '--help'], { uid: nobody, gid: nobody, env: { PATH: process.env.PATH } });
  if (probe.status !== 0) {
    console.warn(`SKIPPED (permission test as root): user ${nobody} cannot run ${repoRoot}/bin/terasync.js`);
    return null;
  }
  return new Promise<CliResult>((resolve) => {
    const child = spawn(process.execPath, [join(repoRoot, 'bin', 'terasync.js'), ...args], {
      uid: nobody,
      gid: nobody,
      env: { PATH: process.env.PATH, HOME: home, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** Hands `paths` to the user the command runs as (nobody under root). */
async function giveToUser(...paths: string[]): Promise<void> {
  if (!isRoot) return;
  for (const path of paths) await chown(path, nobody, nobody);
}

/** Every name below `root` (files and folders), relative. */
async function allNames(root: string, prefix = ''): Promise<string[]> {
  const names: string[] = [];
  for (const entry of await readdir(join(root, prefix), { withFileTypes: true })) {
    const relative = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    names.push(relative);
    if (entry.isDirectory()) names.push(...(await allNames(root, relative)));
  }
  return names;
}

function json<T>(result: CliResult): T {
  try {
    return JSON.parse(result.stdout) as T;
  } catch (error) {
    throw new Error(`stdout is not one JSON value:\n${result.stdout}\nstderr:\n${result.stderr}`, { cause: error });
  }
}

describe.skipIf(apacheKind.skip)('terasync backup killed with -9 (Apache)', () => {
  let server: BackupServer;

  beforeAll(async () => {
    ensureCliBuilt();
    server = await apacheKind.start();
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
  });

  it('resumes after kills without sending a completed file again, and loses nothing', async () => {
    const w = await world();
    const files: Record<string, string> = {};
    for (let index = 0; index < 40; index++) {
      const name = `f${String(index).padStart(2, '0')}.bin`;
      files[name] = `${name}\n${'x'.repeat(64 * 1024)}\n`;
      await write(w.source, name, files[name]);
    }
    const args = ['backup', '--source', w.source, '--remote', server.backupUrl, '--ca', server.caFile as string, '--state', w.state, '--device', w.device, '--concurrency', '2'];
    const env = { TERASYNC_USER: server.user, TERASYNC_PASSWORD: server.password };
    const prefix = `/backup/${w.device}/Docs/`;

    /** Kills a run after it reported `after` files sent (0: after 150 ms); the files it reported. */
    const killedRun = async (after: number): Promise<{ killed: boolean; sent: string[] }> => {
      const run = startCli(args, env);
      const sent: string[] = [];
      run.onLine((line) => {
        const match = /^sent: Docs\/(.*)$/.exec(line);
        if (!match) return;
        sent.push(match[1]!);
        if (sent.length >= after) run.child.kill('SIGKILL');
      });
      if (after === 0) setTimeout(() => run.child.kill('SIGKILL'), 150);
      const result = await run.done;
      return { killed: result.signal === 'SIGKILL', sent };
    };

    // A first backup, killed three times.
    const logStart = (await server.requests()).length;
    const completed: Array<{ logLength: number; sent: Set<string> }> = [];
    const all = new Set<string>();
    let kills = 0;
    for (const after of [0, 4, 15]) {
      const outcome = await killedRun(after);
      if (outcome.killed) kills++;
      for (const path of outcome.sent) all.add(path);
      completed.push({ logLength: (await server.requests()).length, sent: new Set(all) });
    }
    expect(kills).toBe(3);
    expect(all.size).toBeGreaterThan(0);
    expect(all.size).toBeLessThan(40);
    const final = await runCli(args, env);
    expect(final.code).toBe(0);
    const log = await server.requests();
    const okPuts = (from: number): string[] =>
      log.slice(from).filter((line) => line.method === 'PUT' && line.status < 300 && line.path.startsWith(prefix)).map((line) => line.path.slice(prefix.length));
    for (const checkpoint of completed) expect(okPuts(checkpoint.logLength).filter((path) => checkpoint.sent.has(path))).toEqual([]);
    const puts = okPuts(logStart);
    expect(puts.length).toBe(new Set(puts).size);
    expect(await readTree(join(server.backupDir, w.device, 'Docs'))).toEqual(files);

    // Every file changed: each run replaces copies through temp names; kill two of them.
    const changed: Record<string, string> = {};
    for (const name of Object.keys(files)) {
      changed[name] = `${name} changed\n${'y'.repeat(70 * 1024)}\n`;
      await write(w.source, name, changed[name]);
    }
    const changeStart = (await server.requests()).length;
    kills = 0;
    for (const after of [5, 20]) if ((await killedRun(after)).killed) kills++;
    expect(kills).toBe(2);
    const resumed = await runCli(args, env);
    expect(resumed.code).toBe(0);
    // Nothing lost: the latest copy is the local folder, and every old copy is in exactly one version.
    expect(await readTree(join(server.backupDir, w.device, 'Docs'))).toEqual(changed);
    const versions = await readTree(join(server.backupDir, w.device, '.versions'));
    const old = Object.entries(versions).map(([path, content]) => [path.replace(/^[^/]+\/Docs\//, ''), content]);
    expect(old.sort()).toEqual(Object.entries(files).sort());
    expect(JSON.stringify(await readTree(join(server.backupDir, w.device)))).not.toContain('.terasync-');
    // At most the uploads in flight at each kill (two at a time) went up twice.
    const changePuts = (await server.requests()).slice(changeStart).filter((line) => line.method === 'PUT' && line.status < 300);
    expect(changePuts.length).toBeGreaterThanOrEqual(40);
    expect(changePuts.length).toBeLessThanOrEqual(40 + 2 * 2);
  }, 240_000);
});

describe('terasync backup, backup list and restore (emulator)', () => {
  let server: BackupServer;
  let small: BackupServer;

  beforeAll(async () => {
    ensureCliBuilt();
    server = await emulatorKind.start();
    small = await emulatorKind.start({ quotaBytes: 128 * 1024 });
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    await small?.stop();
  });

  const env = (target: BackupServer): Record<string, string> => ({ TERASYNC_USER: target.user, TERASYNC_PASSWORD: target.password });

  it('refuses a backup that would not fit before sending anything (quota from the REST API)', async () => {
    const w = await world();
    for (let index = 0; index < 3; index++) await write(w.source, `big${index}.bin`, Buffer.alloc(60_000, index));
    const api = small.api as NonNullable<BackupServer['api']>;
    const before = (await small.requests()).length;
    const result = await runCli(
      ['backup', '--source', w.source, '--remote', small.backupUrl, '--state', w.state, '--device', w.device, '--api-key', api.key, '--api-url', api.baseUrl],
      env(small),
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/The backup would not fit: it needs to send 175\.8 KiB, but only 128\.0 KiB is free/);
    expect((await small.requests()).slice(before).filter((request) => request.method === 'PUT')).toEqual([]);
    expect(await readTree(join(small.backupDir, w.device))).toEqual({});
  });

  it('backs up, lists, and restores with --json; a local file in the way is kept aside', async () => {
    const w = await world();
    await write(w.source, 'a.txt', 'a v1\n');
    await write(w.source, 'sub/b.txt', 'b v1\n');
    const common = ['--remote', server.backupUrl, '--state', w.state, '--device', w.device];
    const first = await runCli(['backup', '--source', w.source, '--json', ...common], env(server));
    expect(first.code).toBe(0);
    const summary = json<{ sent: Array<{ path: string }>; device: string; stopped: unknown }>(first);
    expect(summary.sent.map((item) => item.path).sort()).toEqual(['a.txt', 'sub/b.txt']);
    expect(summary.device).toBe(w.device);

    await write(w.source, 'a.txt', 'a v2\n');
    const second = await runCli(['backup', '--source', w.source, ...common], env(server));
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('sent: Docs/a.txt');
    expect(second.stdout).toContain('versioned: Docs/a.txt');
    expect(second.stdout).toMatch(/Backup done to .*: 1 sent \(5 B\), 1 unchanged, 1 versioned, 0 failed/);

    const listed = await runCli(['backup', 'list', '--json', ...common], env(server));
    expect(listed.code).toBe(0);
    const listing = json<{ sources: Array<{ source: string; latest: Array<{ path: string }>; versions: Array<{ version: string; files: Array<{ path: string }> }> }> }>(listed);
    expect(listing.sources.map((source) => source.source)).toEqual(['Docs']);
    expect(listing.sources[0]!.latest.map((file) => file.path)).toEqual(['a.txt', 'sub/b.txt']);
    expect(listing.sources[0]!.versions.map((version) => version.files.map((file) => file.path))).toEqual([['a.txt']]);
    const version = listing.sources[0]!.versions[0]!.version;
    const human = await runCli(['backup', 'list', '--source', 'Docs', ...common], env(server));
    expect(human.stdout).toContain(`Docs, version ${version}: 1 file,`);

    // From the version into a chosen folder.
    const chosen = join(w.base, 'out');
    const fromVersion = await runCli(['restore', '--source', 'Docs', '--version', version, '--path', 'a.txt', '--to', chosen, '--json', ...common], env(server));
    expect(fromVersion.code).toBe(0);
    expect(await readFile(join(chosen, 'a.txt'), 'utf8')).toBe('a v1\n');

    // The whole folder to where it was backed up from: the edited file is kept aside.
    await write(w.source, 'sub/b.txt', 'edited locally\n');
    const back = await runCli(['restore', '--source', 'Docs', ...common], env(server));
    expect(back.code).toBe(0);
    expect(back.stdout).toMatch(/kept your file: sub\/b\.txt -> .*b \(restore conflict [^)]+\)\.txt/);
    const local = await readTree(w.source);
    expect(local['sub/b.txt']).toBe('b v1\n');
    expect(Object.values(local)).toContain('edited locally\n');
  });

  it('the fail-safe stops a backup that would move most of a folder away (exit 3) and lists it; --allow-mass-delete goes ahead', async () => {
    const w = await world();
    for (let index = 0; index < 25; index++) await write(w.source, `photos/p${String(index).padStart(2, '0')}.jpg`, `photo ${index}\n`);
    const common = ['backup', '--source', w.source, '--remote', server.backupUrl, '--state', w.state, '--device', w.device];
    expect((await runCli(common, env(server))).code).toBe(0);
    await rm(join(w.source, 'photos'), { recursive: true });
    await write(w.source, 'unrelated.txt', 'another drive\n');

    const stopped = await runCli(common, env(server));
    expect(stopped.code).toBe(3);
    expect(stopped.stdout).toContain('Backup stopped by the fail-safe: nothing was sent, moved or deleted.');
    expect(stopped.stdout).toContain(`Docs (${w.source}) holds 1 file now; 25 of its 25 backed-up files would be moved out of the latest copy into .versions/:`);
    expect(stopped.stdout).toContain('  Docs/photos/p00.jpg\n');
    expect(stopped.stdout).toContain('  Docs/photos/p19.jpg\n');
    expect(stopped.stdout).not.toContain('p20.jpg');
    expect(stopped.stdout).toContain('  ... and 5 more files (--json lists them)');
    expect(stopped.stderr).toContain('terasync: The backup stopped before changing anything:');
    expect(stopped.stderr).toContain('--allow-mass-delete');
    const asJson = await runCli([...common, '--json'], env(server));
    expect(asJson.code).toBe(3);
    const summary = json<{ failSafe: { sources: Array<{ paths: string[]; wouldMove: number }> }; stopped: { code: string } }>(asJson);
    expect(summary.stopped.code).toBe('FailSafeTriggered');
    expect(summary.failSafe.sources[0]!.paths).toHaveLength(25);
    expect(Object.keys(await readTree(join(server.backupDir, w.device, 'Docs')))).toHaveLength(25);

    const allowed = await runCli([...common, '--allow-mass-delete'], env(server));
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toMatch(/Backup done to .*: 1 sent \(\d+ B\), 0 unchanged, 1 versioned, 0 failed/);
    expect(await readTree(join(server.backupDir, w.device, 'Docs'))).toEqual({ 'unrelated.txt': 'another drive\n' });
  });

  it('says once, and only when something is sent, that the quota was not checked', async () => {
    const w = await world();
    const args = ['backup', '--source', w.source, '--remote', server.backupUrl, '--state', w.state, '--device', w.device];
    const note = 'terasync: note: the quota was not checked before this backup';
    // Nothing to send: nothing to say.
    const empty = await runCli(args, env(server));
    expect(empty.code).toBe(0);
    expect(empty.stderr).toBe('');
    await write(w.source, 'a.txt', 'a\n');
    // A dry run says it, and still leaves it for the first real run.
    expect((await runCli([...args, '--dry-run'], env(server))).stderr).toContain(note);
    const first = await runCli(args, env(server));
    expect(first.code).toBe(0);
    expect(first.stderr.split(note)).toHaveLength(2);
    await write(w.source, 'b.txt', 'b\n');
    const second = await runCli(args, env(server));
    expect(second.code).toBe(0);
    expect(second.stderr).toBe('');
    // Another state folder has not heard it.
    const other = await runCli(['backup', '--source', w.source, '--remote', server.backupUrl, '--state', join(w.base, 'state2'), '--device', w.device], env(server));
    expect(other.stderr).toBe('');
  });

  it('a folder to back up that the user cannot read is reported with what to do; the other folders are backed up (exit 1)', async () => {
    const w = await world();
    await write(w.source, 'ok.txt', 'fine\n');
    const locked = join(w.base, 'Locked');
    await write(locked, 'inside.txt', 'unseen\n');
    await chmod(w.base, 0o755);
    await mkdir(w.state);
    await giveToUser(w.state, w.source, join(w.source, 'ok.txt'), locked, join(locked, 'inside.txt'));
    await chmod(locked, 0o000);
    const result = await runAsUser(
      ['backup', '--source', w.source, '--source', locked, '--remote', server.backupUrl, '--state', w.state, '--device', w.device],
      env(server),
      w.base,
    );
    await chmod(locked, 0o755);
    if (result === null) return;
    expect(result.signal).toBeNull();
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `failed: Locked: The folder was not backed up, its backup was left as it is. Cannot read the folder ${locked}: permission denied (EACCES). ` +
        'Give your user read and search (x) permission on it and on the folders above it.',
    );
    expect(result.stdout).toContain('sent: Docs/ok.txt');
    expect(await readTree(join(server.backupDir, w.device))).toEqual({ 'Docs/ok.txt': 'fine\n' });
  });

  it('usage errors exit 2, and the backup area refuses a bearer token', async () => {
    const w = await world();
    const common = ['--remote', server.backupUrl, '--state', w.state];
    expect((await runCli(['backup', ...common], env(server))).code).toBe(2);
    expect((await runCli(['restore', ...common], env(server))).code).toBe(2);
    expect((await runCli(['restore', '--source', 'Docs', '--version', 'yesterday', ...common], env(server))).code).toBe(2);
    expect((await runCli(['backup', '--source', w.source, '--retention-days', '-3', ...common], env(server))).code).toBe(2);
    expect((await runCli(['backup', 'lsit', '--source', w.source, ...common], env(server))).code).toBe(2);
    expect((await runCli(['sync', '--once', '--source', w.source, ...common], env(server))).code).toBe(2);
    const missing = await runCli(['backup', '--source', join(w.base, 'nope'), ...common], env(server));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`The folder to back up ${join(w.base, 'nope')} does not exist: check the path, or mount the drive it is on.`);
    const bearer = await runCli(['backup', '--source', w.source, ...common], { TERASYNC_TOKEN: 'abc' });
    expect(bearer.code).toBe(2);
    expect(bearer.stderr).toContain('Apps password only (BASIC)');
    const wrong = await runCli(['backup', '--source', w.source, '--device', w.device, ...common], { TERASYNC_USER: server.user, TERASYNC_PASSWORD: 'wrong' });
    expect(wrong.code).toBe(4);
    // A state "folder" that is a file: said with what to do, not as a bare errno.
    await writeFile(join(w.base, 'not-a-folder'), 'x');
    const badState = await runCli(['backup', '--source', w.source, '--remote', server.backupUrl, '--state', join(w.base, 'not-a-folder'), '--device', w.device], env(server));
    expect(badState.code).toBe(1);
    expect(badState.stderr).toMatch(
      new RegExp(`^terasync: Cannot open the backup journal .* \\((ENOTDIR|EEXIST)\\): the state folder ${join(w.base, 'not-a-folder')} must be a folder your user can write to\\. Fix its permissions, or choose another with --state\\.\n$`),
    );
    const noWhere = await runCli(['restore', '--source', 'Docs', '--device', w.device, ...common], env(server));
    expect(noWhere.code).toBe(2);
    expect(noWhere.stderr).toContain('--to DIR');
  });

  it('a file the user cannot read is listed as failed (exit 1) and the rest is backed up', async () => {
    const w = await world();
    await write(w.source, 'ok.txt', 'fine\n');
    await write(w.source, 'secret.txt', 'not for you\n');
    await chmod(join(w.source, 'secret.txt'), 0o000);
    const args = ['backup', '--source', w.source, '--remote', server.backupUrl, '--state', w.state, '--device', w.device];
    await chmod(w.base, 0o755);
    await mkdir(w.state);
    await giveToUser(w.state, w.source, join(w.source, 'ok.txt'), join(w.source, 'secret.txt'));
    const result = await runAsUser(args, env(server), w.base);
    if (result === null) return;
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/failed: Docs\/secret\.txt: Cannot read \/.*\/secret\.txt: permission denied \(EACCES\)\. Give your user read permission on it/);
    expect(result.stdout).toContain('sent: Docs/ok.txt');
    expect(result.stdout).toMatch(/Backup finished with failures .*1 sent/);
    expect(await readTree(join(server.backupDir, w.device, 'Docs'))).toEqual({ 'ok.txt': 'fine\n' });
  });
});

describe.each([apacheKind, emulatorKind])('terasync restore into folders on $name', (kind) => {
  let server: BackupServer;

  beforeAll(async () => {
    if (kind.skip) return;
    ensureCliBuilt();
    server = await kind.start();
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
  });

  const common = (w: World): string[] => [
    '--remote',
    server.backupUrl,
    '--state',
    w.state,
    '--device',
    w.device,
    ...(server.caFile === undefined ? [] : ['--ca', server.caFile]),
  ];
  const credentials = (): Record<string, string> => ({ TERASYNC_USER: server.user, TERASYNC_PASSWORD: server.password });

  // The emulator (webdav-server) does not list such names at all; Apache, like the service, does.
  if (kind === apacheKind) it.skipIf(kind.skip)('reports server names a restore does not write, readably, in --json and in words', async () => {
    const w = await world();
    await write(w.source, 'ok.txt', 'ok\n');
    expect((await runCli(['backup', '--source', w.source, ...common(w)], credentials())).code).toBe(0);
    await writeFile(join(server.backupDir, w.device, 'Docs', 'back\\slash.txt'), 'from another client\n');
    await server.grantServerAccess();
    const message = '"back\\slash.txt" was not restored: TeraSync does not write names that contain "\\" (a folder separator on Windows).';
    const human = await runCli(['restore', '--source', 'Docs', '--to', join(w.base, 'out'), ...common(w)], credentials());
    expect(human.code).toBe(0);
    expect(human.stdout).toContain('1 restored');
    expect(human.stdout).toContain('1 skipped');
    expect(human.stdout).toContain(`  skipped: ${message}`);
    expect(human.stderr).toContain(`skipped: ${message}`);
    const asJson = await runCli(['restore', '--source', 'Docs', '--to', join(w.base, 'out2'), '--json', ...common(w)], credentials());
    expect(json<{ skipped: Array<{ path: string; message: string }> }>(asJson).skipped).toEqual([
      { path: 'back\\slash.txt', reason: 'invalid-name', message: expect.stringContaining(message) },
    ]);
  });

  it.skipIf(kind.skip)('creates a --to folder that does not exist yet, with its parents', async () => {
    const w = await world();
    await write(w.source, 'a.txt', 'a\n');
    await write(w.source, 'sub/b.txt', 'b\n');
    expect((await runCli(['backup', '--source', w.source, ...common(w)], credentials())).code).toBe(0);
    const restored = join(w.base, 'restored', 'not', 'made');
    const result = await runCli(['restore', '--source', 'Docs', '--to', restored, ...common(w)], credentials());
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Restored "Docs" from the latest backup to ${join(restored, 'Docs')}: 2 restored`);
    expect(await readTree(join(restored, 'Docs'))).toEqual({ 'a.txt': 'a\n', 'sub/b.txt': 'b\n' });
  });

  it.skipIf(kind.skip)('a folder the user cannot write into fails its files with what to do, the rest is restored, no temp file is left (exit 1)', async () => {
    const w = await world();
    await write(w.source, 'a.txt', 'a\n');
    await write(w.source, 'ro/b.txt', 'b\n');
    await write(w.source, 'ro/c.txt', 'c\n');
    await write(w.source, 'rw/d.txt', 'd\n');
    expect((await runCli(['backup', '--source', w.source, ...common(w)], credentials())).code).toBe(0);

    // The user's folder: Docs/ro is read-only (chmod 555), the rest writable.
    await chmod(w.base, 0o755);
    const out = join(w.base, 'out');
    await mkdir(join(out, 'Docs', 'ro'), { recursive: true });
    await mkdir(w.state, { recursive: true });
    await giveToUser(out, join(out, 'Docs'), join(out, 'Docs', 'ro'), w.state);
    await chmod(join(out, 'Docs', 'ro'), 0o555);
    const result = await runAsUser(['restore', '--source', 'Docs', '--to', out, '--json', ...common(w)], credentials(), w.base);
    if (result === null) return;
    expect(result.signal).toBeNull();
    expect(result.code).toBe(1);
    const summary = json<{ restored: string[]; failed: Array<{ path: string; code: string; message: string }>; stopped: unknown }>(result);
    expect(summary.stopped).toBeNull();
    expect(summary.restored.sort()).toEqual(['a.txt', 'rw/d.txt']);
    const ro = join(out, 'Docs', 'ro');
    expect(summary.failed.map((failure) => failure.path).sort()).toEqual(['ro/b.txt', 'ro/c.txt']);
    for (const failure of summary.failed) {
      expect(failure).toMatchObject({ code: 'LocalIo' });
      expect(failure.message).toBe(
        `Cannot write ${join(ro, failure.path.slice(3))}: permission denied in ${ro} (EACCES). Give your user write permission on ${ro}, or restore into another folder.`,
      );
    }
    expect(result.stderr).toContain(`failed: ro/b.txt: Cannot write ${join(ro, 'b.txt')}: permission denied in ${ro} (EACCES).`);
    expect(await readTree(join(out, 'Docs'))).toEqual({ 'a.txt': 'a\n', 'rw/d.txt': 'd\n' });
    expect((await allNames(out)).filter((name) => name.includes('.terasync-'))).toEqual([]);

    // A --to folder that cannot be made at all: the restore stops, saying where and what to do.
    const locked = join(w.base, 'locked');
    await mkdir(locked);
    await giveToUser(locked);
    await chmod(locked, 0o555);
    const refused = await runAsUser(['restore', '--source', 'Docs', '--to', locked, ...common(w)], credentials(), w.base);
    expect(refused?.code).toBe(1);
    expect(refused?.stderr).toContain(
      `terasync: Cannot create the folder ${join(locked, 'Docs')}: permission denied in ${locked} (EACCES). Give your user write permission on ${locked}, or restore into another folder.`,
    );
    expect(await allNames(locked)).toEqual([]);
  });
});
