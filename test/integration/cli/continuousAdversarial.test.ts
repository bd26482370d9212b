/**
 * Continuous mode (`terasync sync` without --once) attacked from the machine's side, against
 * Apache mod_dav over HTTPS. After its first run, a continuous run plans only the paths that
 * changed since the last clean run (electron/sync/scope.ts): what the folder watcher
 * reported, the server paths whose listing entry changed at a poll, what the last actions
 * touched, what was skipped. A path that scope misses is a change never synced, or an old
 * state that wins. Each test starts ONE continuous process on a tree of a few hundred files in
 * nested folders, lets it reach idle, attacks it, and waits (bounded) for the local folder and
 * the server to reach the state the attack calls for. Then the process is stopped and a
 * one-shot `sync --once --json` is the referee: a full plan over everything must find nothing
 * left to do, no `.terasync-*.tmp` file may be left, and no version may be lost.
 *
 * A test marked `it.fails` documents a defect (its comment starts with DEFECT), as in
 * adversarial.test.ts: it asserts the promise, which does not hold yet.
 *
 * Every scenario runs against Apache mod_dav over HTTPS (configured like TeraCLOUD: the truth;
 * skipped with a notice where apache2 is not installed, a failure under CI) and against the
 * in-process webdav-server over loopback HTTP (test/support/webdavServer.ts: runs anywhere).
 * The server side is read straight from the server's folder on disk while waiting (a WebDAV
 * walk of a few hundred files every few hundred ms would load the two cores), and through
 * WebDAV by the referee. Polls are every second (--poll-interval 1).
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { lstat, mkdir, readdir, readFile, rename, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { apacheAvailable, startApache } from '../../support/apache.js';
import { ensureCliBuilt, startCli, type CliResult, type RunningCli } from '../../support/cli.js';
import { createPair, type Pair, type Tree } from '../../support/pair.js';
import { requireSystemTool } from '../../support/requirements.js';
import { untilWithin } from '../../support/until.js';
import { startWebDavServer } from '../../support/webdavServer.js';
import { mulberry32 } from '../../support/prng.js';
import { isConflictCopy, sh, tempFiles, walk, withoutFolders } from '../../support/localTree.js';

const apache = requireSystemTool('apache2', apacheAvailable(), 'apache2 openssl');
const until = untilWithin(30_000, 100);

interface Report {
  uploaded: string[];
  downloaded: string[];
  deletedLocal: string[];
  deletedRemote: string[];
  createdLocalFolders: string[];
  createdRemoteFolders: string[];
  conflicts: Array<{ path: string; copy: string }>;
  renamedRemote: unknown[];
  moved: unknown[];
  skipped: Array<{ path: string; side: string; reason: string; message: string }>;
  deferred: Array<{ path: string; message: string }>;
  errors: Array<{ path: string; code: string; message: string }>;
}

interface StatusRecord {
  pid: number;
  running: boolean;
  status: { state: string; lastSyncAt: number | null; problem: { message: string } | null; progress: { bytesTotal: number } | null };
}

/** A pair on Apache with its own HOME (and so its own trash) for the command. */
interface Subject extends Pair {
  home: string;
  /** The pair's folder on Apache's disk. */
  serverDir: string;
  env: Record<string, string>;
  args(once: boolean, extra?: string[]): string[];
}

/** One continuous `terasync sync` process. */
interface Continuous {
  cli: RunningCli;
  /** stdout and stderr so far (their ends), for failure messages. */
  output(): string;
  /** Every stdout line so far (an action done, a status). */
  lines(): string[];
  /** SIGINT, then its end (it must end by itself, exit 0). */
  stop(): Promise<CliResult>;
}

/**
 * Files only (folders and symlinks left out), with their content, keyed by their NFC name:
 * NFC and NFD spellings of a name are the same file (README "Names"). `leave` drops paths.
 */
async function filesOf(root: string, leave: (path: string) => boolean = () => false): Promise<Tree> {
  const tree: Tree = {};
  for (const path of await walk(root)) {
    // A name that is not UTF-8 reads as U+FFFD and cannot be opened by that spelling.
    if (leave(path) || path.includes('\uFFFD')) continue;
    const stats = await lstat(join(root, path));
    if (stats.isFile()) tree[path.normalize('NFC')] = await readFile(join(root, path), 'utf8');
  }
  return tree;
}

/** The local folder as the user sees it: without the folder lock a running sync holds. */
const localFiles = (target: Subject): Promise<Tree> => filesOf(target.local, (path) => path.startsWith('.terasync-lock'));

/** The synced part of the server folder, read on Apache's disk (its trash and temp files left out). */
const serverFiles = (target: Subject): Promise<Tree> =>
  filesOf(target.serverDir, (path) => path === '.terasync-trash' || path.startsWith('.terasync-trash/') || (path.split('/').pop() ?? '').startsWith('.davfs.tmp'));

/** Same length as `base`, different content: an edit that keeps the size. */
function sameSize(base: string, tag: string): string {
  expect(tag.length).toBeLessThanOrEqual(base.length);
  return tag + base.slice(tag.length);
}

const hasProgram = (name: string): boolean => spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;

/** Differences between two trees, one line each (empty when equal). */
function differences(actual: Tree, expected: Tree): string[] {
  const lines: string[] = [];
  for (const [path, body] of Object.entries(expected)) {
    if (!(path in actual)) lines.push(`missing ${path}`);
    else if (actual[path] !== body) lines.push(`${path}: ${JSON.stringify(actual[path]!.slice(0, 60))} (${actual[path]!.length} chars) instead of ${JSON.stringify(body.slice(0, 60))} (${body.length} chars)`);
  }
  for (const path of Object.keys(actual)) if (!(path in expected)) lines.push(`unexpected ${path}`);
  return lines;
}

/** The seeded tree: FOLDERS x SUBFOLDERS x FILES files, plus a few at the top. */
const FOLDERS = 4;
const SUBFOLDERS = 5;
const FILES = 10;
const seedBody = (path: string): string => `${path} v1 `.padEnd(63, '.') + '\n';

/** A whole second well in the past: what tools that keep mtimes (tar, zip, rsync) can put back. */
const AGED = Math.floor(Date.now() / 1000) - 7200;

/** A WebDAV server for the scenarios, with the folder on disk that backs it. */
interface Server {
  url: string;
  user: string;
  password: string;
  /** PEM of the CA (HTTPS only). */
  ca?: string;
  caFile?: string;
  dataDir: string;
  /** Hands files a test wrote into dataDir over to the server's user. */
  grantServerAccess(): Promise<void>;
  stop(): Promise<void>;
}

interface ServerKind {
  name: string;
  skip: boolean;
  /**
   * A PUT writes a temp file and renames it over the target (mod_dav_fs): a PUT cut off
   * leaves the old file. webdav-server writes the target in place: a PUT cut off leaves it
   * truncated.
   */
  atomicPut: boolean;
  /**
   * A folder's ETag changes when a file in it is overwritten (mod_dav_fs: the rename changes
   * the folder's mtime). webdav-server's does not (it is the folder's mtime, and an in-place
   * write leaves that alone).
   */
  folderEtagTracksOverwrites: boolean;
  start(): Promise<Server>;
}

const serverKinds: ServerKind[] = [
  {
    name: 'Apache mod_dav over HTTPS',
    skip: apache.skip,
    atomicPut: true,
    folderEtagTracksOverwrites: true,
    async start() {
      apache.assertAvailable();
      const server = await startApache();
      return { ...server, ca: await readFile(server.caFile, 'utf8'), caFile: server.caFile };
    },
  },
  {
    name: 'webdav-server over loopback HTTP',
    skip: false,
    atomicPut: false,
    folderEtagTracksOverwrites: false,
    async start() {
      const server = await startWebDavServer();
      return { ...server, grantServerAccess: () => Promise.resolve() };
    },
  },
];

for (const kind of serverKinds) describe.skipIf(kind.skip)(`continuous mode attacked from the machine (built command, ${kind.name})`, () => {
  let server: Server;
  const cleanups: Array<() => Promise<void> | void> = [];

  beforeAll(async () => {
    ensureCliBuilt();
    server = await kind.start();
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
  });

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function subject(): Promise<Subject> {
    const pair = await createPair({ url: server.url, user: server.user, password: server.password, ca: server.ca });
    const home = join(pair.local, '..', 'home');
    await mkdir(join(home, 'data'), { recursive: true });
    cleanups.push(() => pair.dispose());
    const serverDir = join(server.dataDir, new URL(pair.remoteUrl).pathname.split('/').filter(Boolean).pop()!);
    const env = { TERASYNC_USER: server.user, TERASYNC_PASSWORD: server.password, HOME: home, XDG_DATA_HOME: join(home, 'data') };
    const args = (once: boolean, extra: string[] = []): string[] => [
      'sync',
      ...(once ? ['--once', '--json'] : ['--poll-interval', '1']),
      '--local', pair.local,
      '--remote', pair.remoteUrl,
      '--state', pair.stateDir,
      '--device', 'adv',
      ...(server.caFile === undefined ? [] : ['--ca', server.caFile]),
      ...extra,
    ];
    return { ...pair, home, serverDir, env, args };
  }

  /** Writes the seeded tree locally, every file with an old whole-second mtime; returns it. */
  async function seed(target: Subject, more: Tree = {}): Promise<Tree> {
    const tree: Tree = { ...more };
    for (let top = 0; top < 3; top++) tree[`top${top}.txt`] = seedBody(`top${top}.txt`);
    for (let d = 0; d < FOLDERS; d++) {
      for (let s = 0; s < SUBFOLDERS; s++) {
        for (let f = 0; f < FILES; f++) {
          const path = `d${d}/s${s}/f${f}.txt`;
          tree[path] = seedBody(path);
        }
      }
    }
    for (const [path, body] of Object.entries(tree)) {
      await target.writeLocal(path, body);
      await utimes(join(target.local, path), AGED, AGED);
    }
    return Object.fromEntries(Object.entries(tree).map(([path, body]) => [path.normalize('NFC'), body]));
  }

  async function statusOf(target: Subject): Promise<StatusRecord | null> {
    const folder = join(target.stateDir, 'status');
    let names: string[];
    try {
      names = (await readdir(folder)).filter((name) => name.endsWith('.json'));
    } catch {
      return null;
    }
    if (names.length === 0) return null;
    try {
      return JSON.parse(await readFile(join(folder, names[0]!), 'utf8')) as StatusRecord;
    } catch {
      // Between two writes (the file is replaced by a rename): the next look sees it.
      return null;
    }
  }

  function startContinuous(target: Subject, extra: string[] = []): Continuous {
    const cli = startCli(target.args(false, extra), target.env);
    let stdout = '';
    let stderr = '';
    cli.child.stdout!.on('data', (chunk: string) => (stdout += chunk));
    cli.child.stderr!.on('data', (chunk: string) => (stderr += chunk));
    let ended = false;
    void cli.done.then(() => (ended = true));
    cleanups.push(async () => {
      if (!ended) {
        cli.child.kill('SIGKILL');
        await cli.done;
      }
    });
    return {
      cli,
      output: () => `pid ${cli.child.pid}${ended ? ' (ended)' : ''}\nstdout:\n${stdout.slice(-3000)}\nstderr:\n${stderr.slice(-3000)}`,
      lines: () => stdout.split('\n').filter((line) => line !== ''),
      async stop() {
        cli.child.kill('SIGINT');
        const result = await cli.done;
        expect(result.code, `exit ${result.code} (signal ${result.signal})\n${stdout}\n${stderr}`).toBe(0);
        expect(result.stderr).not.toMatch(/Unhandled|ERR_UNHANDLED|TypeError|at .*\.js:\d+/);
        return result;
      },
    };
  }

  /** Waits until the process has ended a run after `since` (ms) and is idle. */
  async function idle(target: Subject, running: Continuous, since = 0): Promise<void> {
    let last: StatusRecord | null = null;
    await until(
      'the continuous sync to be idle',
      async () => {
        if (running.cli.child.exitCode !== null || running.cli.child.signalCode !== null) throw new Error(`the continuous sync ended\n${running.output()}`);
        last = await statusOf(target);
        return last !== null && last.status.state === 'idle' && last.status.lastSyncAt !== null && last.status.lastSyncAt > since;
      },
      { detail: () => `status ${JSON.stringify(last?.status)}\n${running.output()}` },
    );
  }

  /**
   * Waits until `check` passes on both sides (it returns what is wrong, or nothing), then for
   * one more run to end after that, so the process is idle on the state checked.
   */
  async function settle(target: Subject, running: Continuous, what: string, check: (local: Tree, server: Tree) => string[], timeoutMs = 30_000): Promise<void> {
    let wrong: string[] = [];
    await until(
      what,
      async () => {
        if (running.cli.child.exitCode !== null || running.cli.child.signalCode !== null) throw new Error(`the continuous sync ended\n${running.output()}`);
        const local = await localFiles(target);
        const remote = await serverFiles(target);
        wrong = check(local, remote);
        return wrong.length === 0;
      },
      { timeoutMs, retryErrors: true, detail: () => `still wrong:\n${wrong.slice(0, 30).join('\n')}\n${running.output()}` },
    );
    await idle(target, running, Date.now());
  }

  /** Both sides equal to `expected` (files only). */
  const both =
    (expected: Tree) =>
    (local: Tree, remote: Tree): string[] => [
      ...differences(local, expected).map((line) => `local: ${line}`),
      ...differences(remote, expected).map((line) => `server: ${line}`),
    ];

  /** What the command moved to the local trash, and what it moved to the server's pair trash. */
  async function trashed(target: Subject): Promise<string[]> {
    const local = await filesOf(join(target.home, 'data', 'Trash', 'files'));
    const remote = await filesOf(join(target.serverDir, '.terasync-trash'));
    return [...Object.values(local), ...Object.values(remote)];
  }

  /**
   * Stops the process, then a one-shot run over everything must find nothing to do: no
   * transfer, no deletion, no folder to make, no conflict, no error; no temp file left; both
   * sides equal through WebDAV; every body of `versions` still somewhere (a side or a trash).
   */
  async function referee(target: Subject, running: Continuous, versions: Iterable<string> = [], skipped: string[] = []): Promise<Report> {
    await running.stop();
    const result = await startCli(target.args(true), target.env).done;
    let report: Report;
    try {
      report = JSON.parse(result.stdout) as Report;
    } catch {
      throw new Error(`the referee's stdout is not one JSON report (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
    }
    const described = `referee: exit ${result.code}\n${result.stdout}\n${result.stderr}`;
    expect(result.code, described).toBe(0);
    expect(result.stderr, described).not.toMatch(/Unhandled|ERR_UNHANDLED|TypeError|at .*\.js:\d+/);
    const done = {
      uploaded: report.uploaded,
      downloaded: report.downloaded,
      deletedLocal: report.deletedLocal,
      deletedRemote: report.deletedRemote,
      createdLocalFolders: report.createdLocalFolders,
      createdRemoteFolders: report.createdRemoteFolders,
      conflicts: report.conflicts,
      renamedRemote: report.renamedRemote,
      moved: report.moved,
      deferred: report.deferred,
      errors: report.errors,
    };
    expect(done, `a full plan found work the continuous runs left undone\n${described}`).toEqual({
      uploaded: [],
      downloaded: [],
      deletedLocal: [],
      deletedRemote: [],
      createdLocalFolders: [],
      createdRemoteFolders: [],
      conflicts: [],
      renamedRemote: [],
      moved: [],
      deferred: [],
      errors: [],
    });
    expect(report.skipped.map((entry) => entry.path).sort(), described).toEqual([...skipped].sort());
    expect(await tempFiles(target.local, target.serverDir)).toEqual([]);
    const viaWebDav = Object.fromEntries(Object.entries(withoutFolders(await target.remoteTree())).map(([path, body]) => [path.normalize('NFC'), body]));
    expect(viaWebDav).toEqual(await localFiles(target));
    const everywhere = new Set([...Object.values(viaWebDav), ...Object.values(await localFiles(target)), ...(await trashed(target))]);
    for (const version of versions) expect(everywhere.has(version), `version lost: ${JSON.stringify(version.slice(0, 80))}`).toBe(true);
    return report;
  }

  /** Seeds the tree, starts the process, waits for its first (full) run and one poll after it. */
  async function started(target: Subject, options: { more?: Tree; extra?: string[] } = {}): Promise<{ tree: Tree; running: Continuous }> {
    const tree = await seed(target, options.more);
    const running = startContinuous(target, options.extra);
    await settle(target, running, 'the seeded tree on the server', both(tree));
    // One more poll after it: from here on, runs plan only what changed.
    await idle(target, running, Date.now());
    return { tree, running };
  }

  // 1. edits that keep size and mtime ------------------------------------------------------------

  it('1. cp -p, touch -r after a same-size edit, rsync -t, unzip over existing files: every edit goes up', async () => {
    const target = await subject();
    const { tree, running } = await started(target);
    const expected = { ...tree };
    const staging = join(target.home, 'staging');
    await mkdir(staging, { recursive: true });

    /** An edit of `path` that keeps its size and mtime, checked to have kept them. */
    const sneaky = async (path: string, tag: string, edit: (absolute: string, content: string) => Promise<void> | void): Promise<void> => {
      const absolute = join(target.local, path);
      const before = await stat(absolute);
      const content = sameSize(tree[path]!, tag);
      await edit(absolute, content);
      const after = await stat(absolute);
      expect(after.size).toBe(before.size);
      expect(after.mtimeMs).toBe(before.mtimeMs);
      expect(await readFile(absolute, 'utf8')).toBe(content);
      expected[path] = content;
    };

    await sneaky('d0/s0/f0.txt', 'EDIT cp -p', async (absolute, content) => {
      const other = join(staging, `cp-${randomBytes(3).toString('hex')}`);
      await writeFile(other, content);
      sh('touch', ['-r', absolute, other]);
      sh('cp', ['-p', other, absolute]);
    });
    await sneaky('d1/s2/f3.txt', 'EDIT touch -r', async (absolute, content) => {
      const reference = join(staging, `ref-${randomBytes(3).toString('hex')}`);
      sh('touch', ['-r', absolute, reference]);
      await writeFile(absolute, content);
      sh('touch', ['-r', reference, absolute]);
    });
    // rsync is not installed everywhere: without it, what `rsync -t` does (a temp file next to
    // the target, its mtime set, renamed over the target) is done by hand.
    await sneaky('d2/s4/f9.txt', 'EDIT rsync -t', async (absolute, content) => {
      const source = join(staging, `rsync-${randomBytes(3).toString('hex')}`);
      await writeFile(source, content);
      sh('touch', ['-r', absolute, source]);
      if (hasProgram('rsync')) {
        sh('rsync', ['-t', source, absolute]);
      } else {
        const temp = join(dirname(absolute), `.${absolute.split('/').pop()}.XyZ123`);
        await writeFile(temp, content);
        sh('touch', ['-r', absolute, temp]);
        await rename(temp, absolute);
      }
    });
    // unzip -o of an archive that holds three of the files with their mtimes (the UT field).
    const zipped = ['d3/s1/f1.txt', 'd3/s1/f2.txt', 'd0/s3/f5.txt'];
    const archiveDir = join(staging, 'zip');
    for (const path of zipped) {
      await mkdir(dirname(join(archiveDir, path)), { recursive: true });
      await writeFile(join(archiveDir, path), sameSize(tree[path]!, 'EDIT unzip'));
      sh('touch', ['-r', join(target.local, path), join(archiveDir, path)]);
    }
    sh('zip', ['-q', '-r', join(staging, 'edits.zip'), ...zipped], { cwd: archiveDir });
    const before = await Promise.all(zipped.map((path) => stat(join(target.local, path))));
    sh('unzip', ['-o', '-q', join(staging, 'edits.zip'), '-d', target.local]);
    for (const [index, path] of zipped.entries()) {
      const after = await stat(join(target.local, path));
      expect([after.size, after.mtimeMs]).toEqual([before[index]!.size, before[index]!.mtimeMs]);
      expected[path] = sameSize(tree[path]!, 'EDIT unzip');
    }

    await settle(target, running, 'every metadata-preserving edit on the server', both(expected));
    await referee(target, running, Object.values(expected));
  });

  // 2. folders ---------------------------------------------------------------------------------

  it('2. folder renamed then a file in it edited; folder moved into another; folder deleted; case-only renames', async () => {
    const target = await subject();
    const { tree, running } = await started(target);
    const expected = { ...tree };
    const move = (from: string, to: string): void => {
      for (const path of Object.keys(expected)) {
        if (path === from || path.startsWith(`${from}/`)) {
          expected[to + path.slice(from.length)] = expected[path]!;
          Reflect.deleteProperty(expected, path);
        }
      }
    };

    // Wave 1: a rename, and at once an edit and a new file in the renamed folder.
    await rename(join(target.local, 'd0/s1'), join(target.local, 'd0/s1-renamed'));
    move('d0/s1', 'd0/s1-renamed');
    await writeFile(join(target.local, 'd0/s1-renamed/f0.txt'), 'edited right after the rename\n');
    expected['d0/s1-renamed/f0.txt'] = 'edited right after the rename\n';
    await writeFile(join(target.local, 'd0/s1-renamed/new.txt'), 'new in the renamed folder\n');
    expected['d0/s1-renamed/new.txt'] = 'new in the renamed folder\n';
    await settle(target, running, 'the renamed folder and the edit inside it', both(expected));

    // Wave 2: a folder moved into another, a folder deleted, case-only renames of a file and a folder.
    await rename(join(target.local, 'd1/s0'), join(target.local, 'd2/s0-moved'));
    move('d1/s0', 'd2/s0-moved');
    await rm(join(target.local, 'd1/s3'), { recursive: true });
    for (const path of Object.keys(expected)) if (path.startsWith('d1/s3/')) Reflect.deleteProperty(expected, path);
    await rename(join(target.local, 'd2/s2/f4.txt'), join(target.local, 'd2/s2/F4.txt'));
    move('d2/s2/f4.txt', 'd2/s2/F4.txt');
    await rename(join(target.local, 'd3/s4'), join(target.local, 'd3/S4'));
    move('d3/s4', 'd3/S4');
    await settle(target, running, 'the moved, deleted and case-renamed folders', both(expected));

    // Wave 3: edits inside the folders that moved (their watchers are new ones).
    await writeFile(join(target.local, 'd2/s0-moved/f1.txt'), 'edited in the moved folder\n');
    expected['d2/s0-moved/f1.txt'] = 'edited in the moved folder\n';
    await writeFile(join(target.local, 'd3/S4/f2.txt'), 'edited in the case-renamed folder\n');
    expected['d3/S4/f2.txt'] = 'edited in the case-renamed folder\n';
    await writeFile(join(target.local, 'd2/s2/F4.txt'), 'edited after its case-only rename\n');
    expected['d2/s2/F4.txt'] = 'edited after its case-only rename\n';
    // A folder brought in from outside, and at once a file deep in it edited.
    const outside = join(target.home, 'outside');
    await mkdir(join(outside, 'inner', 'deeper'), { recursive: true });
    await writeFile(join(outside, 'inner', 'deeper', 'x.txt'), 'from outside\n');
    await rename(outside, join(target.local, 'd0/brought-in'));
    await writeFile(join(target.local, 'd0/brought-in/inner/deeper/x.txt'), 'from outside, edited once in\n');
    expected['d0/brought-in/inner/deeper/x.txt'] = 'from outside, edited once in\n';
    await settle(target, running, 'the edits inside moved folders', both(expected));

    // Wave 4: a folder renamed and a new one made under its old name at once; a file moved out
    // of a folder that is then deleted.
    await rename(join(target.local, 'd2/s3'), join(target.local, 'd2/s3-old'));
    move('d2/s3', 'd2/s3-old');
    await mkdir(join(target.local, 'd2/s3'));
    await writeFile(join(target.local, 'd2/s3/f0.txt'), 'a new folder under the old name\n');
    expected['d2/s3/f0.txt'] = 'a new folder under the old name\n';
    await rename(join(target.local, 'd1/s4/f0.txt'), join(target.local, 'd1/f0-rescued.txt'));
    move('d1/s4/f0.txt', 'd1/f0-rescued.txt');
    await rm(join(target.local, 'd1/s4'), { recursive: true });
    for (const path of Object.keys(expected)) if (path.startsWith('d1/s4/')) Reflect.deleteProperty(expected, path);
    await settle(target, running, 'the old name reused, the rescued file', both(expected));

    // Every change was made here: nothing of this side went to its trash.
    expect(await filesOf(join(target.home, 'data', 'Trash', 'files'))).toEqual({});
    await referee(target, running, Object.values(expected));
  });

  // 3. another client on the server ---------------------------------------------------------------

  it('3. PUT, DELETE and MOVE by another client between polls, local edits next to them, one file edited on both sides', async () => {
    const target = await subject();
    const { tree, running } = await started(target);
    const expected = { ...tree };
    const mine = 'MINE: edited here\n';
    const theirs = 'THEIRS: edited on the server by another client\n';

    // Local edits first, the server's right after, all within a poll interval.
    await target.writeLocal('d1/s1/f2.txt', 'neighbour edited here\n');
    expected['d1/s1/f2.txt'] = 'neighbour edited here\n';
    await target.writeLocal('d2/s2/f3.txt', 'neighbour of a deleted file, edited here\n');
    expected['d2/s2/f3.txt'] = 'neighbour of a deleted file, edited here\n';
    await target.writeLocal('d3/s3/f4.txt', 'neighbour of a moved file, edited here\n');
    expected['d3/s3/f4.txt'] = 'neighbour of a moved file, edited here\n';
    await target.writeLocal('d0/s2/f0.txt', mine);

    await target.remote.putFileContents('d0/s0/new-there.txt', 'new on the server\n');
    expected['d0/s0/new-there.txt'] = 'new on the server\n';
    await target.remote.putFileContents('d1/s1/f1.txt', 'overwritten on the server\n', { overwrite: true });
    expected['d1/s1/f1.txt'] = 'overwritten on the server\n';
    await target.remote.deleteFile('d2/s2/f2.txt');
    delete expected['d2/s2/f2.txt'];
    await target.remote.moveFile('d3/s3/f3.txt', 'd3/s3/f3-moved.txt');
    expected['d3/s3/f3-moved.txt'] = expected['d3/s3/f3.txt']!;
    delete expected['d3/s3/f3.txt'];
    await target.remote.moveFile('d2/s1/', 'd0/s1/from-d2/');
    for (const path of Object.keys(expected)) {
      if (path.startsWith('d2/s1/')) {
        expected[`d0/s1/from-d2/${path.slice('d2/s1/'.length)}`] = expected[path]!;
        Reflect.deleteProperty(expected, path);
      }
    }
    await target.remote.putFileContents('d0/s2/f0.txt', theirs, { overwrite: true });
    delete expected['d0/s2/f0.txt'];

    const conflictOk = (side: Tree): string[] => {
      const versions = Object.entries(side)
        .filter(([path]) => path === 'd0/s2/f0.txt' || (path.startsWith('d0/s2/f0 (conflict') && isConflictCopy(path)))
        .map(([, body]) => body)
        .sort();
      return JSON.stringify(versions) === JSON.stringify([mine, theirs].sort()) ? [] : [`d0/s2/f0.txt and its conflict copy hold ${JSON.stringify(versions)}`];
    };
    const rest = (side: Tree): Tree => Object.fromEntries(Object.entries(side).filter(([path]) => !path.startsWith('d0/s2/f0')));
    await settle(target, running, 'the server changes here, the local ones there, the conflict kept both', (local, remote) => [
      ...both(expected)(rest(local), rest(remote)),
      ...conflictOk(local).map((line) => `local: ${line}`),
      ...conflictOk(remote).map((line) => `server: ${line}`),
    ]);

    // Wave 2: intents that cross. The server moves a folder in which a file is edited here;
    // a folder deleted here gets a new file on the server.
    await target.writeLocal('d2/s3/f0.txt', 'edited here while the server moved its folder\n');
    await target.remote.moveFile('d2/s3/', 'd1/s3-moved-there/');
    await rm(join(target.local, 'd3/s2'), { recursive: true });
    await target.remote.putFileContents('d3/s2/new-there.txt', 'new on the server in a folder deleted here\n');
    delete expected['d2/s3/f0.txt'];
    const crossed = ['edited here while the server moved its folder\n', 'new on the server in a folder deleted here\n'];
    await settle(target, running, 'both crossed intents resolved, nothing lost', (local, remote) => [
      ...differences(remote, local).map((line) => `server against local: ${line}`),
      ...crossed.filter((body) => !Object.values(local).includes(body)).map((body) => `nowhere here: ${JSON.stringify(body)}`),
    ]);
    await referee(target, running, [...Object.values(expected), mine, theirs, tree['d2/s2/f2.txt']!, ...crossed]);
  });

  // 4. more changed subtrees than a scope takes -----------------------------------------------------

  it('4. more than MAX_SCOPE_ROOTS new server entries at once, with local edits: the full plan takes them all', async () => {
    const { MAX_SCOPE_ROOTS } = await import('../../../electron/sync/scope.js');
    const target = await subject();
    const { tree, running } = await started(target);
    const expected = { ...tree };
    // Another client's files, each its own changed subtree (top level: no folder above them
    // changes), written straight into Apache's folder: PUTs one by one would take minutes.
    const count = MAX_SCOPE_ROOTS + 50;
    for (let index = 0; index < count; index++) {
      const path = `bulk-${String(index).padStart(5, '0')}.txt`;
      writeFileSync(join(target.serverDir, path), `bulk ${index}\n`);
      expected[path] = `bulk ${index}\n`;
    }
    await server.grantServerAccess();
    await target.writeLocal('d0/s0/f0.txt', 'edited here while the server got thousands\n');
    expected['d0/s0/f0.txt'] = 'edited here while the server got thousands\n';
    await target.writeLocal('d3/s4/new.txt', 'new here while the server got thousands\n');
    expected['d3/s4/new.txt'] = 'new here while the server got thousands\n';
    await settle(target, running, `${count} new server files down, the local edits up`, both(expected), 90_000);
    await referee(target, running, Object.values(expected));
  }, 150_000);

  it('4b. more local changes than the watcher keeps (MAX_INCREMENTAL_CHANGES) with server changes: all synced', async () => {
    const { MAX_INCREMENTAL_CHANGES } = await import('../../../electron/sync/scanner.js');
    const target = await subject();
    const { tree, running } = await started(target);
    const expected = { ...tree };
    const count = MAX_INCREMENTAL_CHANGES + 20;
    for (let index = 0; index < count; index++) {
      const path = `many/m${index % 20}/n${index}.txt`;
      await target.writeLocal(path, `many ${index}\n`);
      expected[path] = `many ${index}\n`;
    }
    // A new file and a deletion: every server tells them by its folder's ETag (see test 10b).
    await target.remote.putFileContents('d2/s2/new-there.txt', 'made on the server meanwhile\n');
    expected['d2/s2/new-there.txt'] = 'made on the server meanwhile\n';
    await target.remote.deleteFile('d2/s3/f3.txt');
    Reflect.deleteProperty(expected, 'd2/s3/f3.txt');
    await settle(target, running, `${count} new local files up, the server changes down`, both(expected), 90_000);
    await referee(target, running, Object.values(expected));
  }, 150_000);

  // 5. an edit during a run; a file replaced by a folder and back ------------------------------------

  it('5. edits while an upload is in flight, then a file replaced by a folder of its name and a folder by a file', async () => {
    const target = await subject();
    // 128 KiB/s: a 512 KiB file takes about 4 s to go up.
    const { tree, running } = await started(target, { extra: ['--limit-up', '128'] });
    const expected = { ...tree };
    const size = 512 * 1024;
    const first = `big v1 ${'a'.repeat(size - 8)}\n`;
    const second = sameSize(first, 'big v2 EDITED DURING ITS UPLOAD');
    await target.writeLocal('d0/big.bin', first);
    let seen: StatusRecord | null = null;
    await until('the upload of d0/big.bin to be in flight', async () => {
      seen = await statusOf(target);
      return seen?.status.state === 'syncing';
    }, { detail: () => `status ${JSON.stringify(seen)}\n${running.output()}` });
    // In place, same size, while it goes up; and neighbours.
    await writeFile(join(target.local, 'd0/big.bin'), second);
    expected['d0/big.bin'] = second;
    await target.writeLocal('d0/s0/f1.txt', 'edited during the upload\n');
    expected['d0/s0/f1.txt'] = 'edited during the upload\n';
    await target.writeLocal('d0/during.txt', 'made during the upload\n');
    expected['d0/during.txt'] = 'made during the upload\n';
    await settle(target, running, 'the last version of the big file and the edits made during its upload', both(expected));

    // A file replaced by a folder of the same name, a folder by a file.
    await rm(join(target.local, 'd1/s0/f0.txt'));
    await mkdir(join(target.local, 'd1/s0/f0.txt'));
    await writeFile(join(target.local, 'd1/s0/f0.txt/inside.txt'), 'a folder where a file was\n');
    delete expected['d1/s0/f0.txt'];
    expected['d1/s0/f0.txt/inside.txt'] = 'a folder where a file was\n';
    await rm(join(target.local, 'd1/s1'), { recursive: true });
    await writeFile(join(target.local, 'd1/s1'), 'a file where a folder was\n');
    for (const path of Object.keys(expected)) if (path.startsWith('d1/s1/')) Reflect.deleteProperty(expected, path);
    expected['d1/s1'] = 'a file where a folder was\n';
    // And the same on the server by another client.
    await target.remote.deleteFile('d2/s0/f0.txt');
    await target.remote.createDirectory('d2/s0/f0.txt/');
    await target.remote.putFileContents('d2/s0/f0.txt/inside.txt', 'a server folder where a file was\n');
    delete expected['d2/s0/f0.txt'];
    expected['d2/s0/f0.txt/inside.txt'] = 'a server folder where a file was\n';
    await target.remote.deleteFile('d2/s1/');
    await target.remote.putFileContents('d2/s1', 'a server file where a folder was\n');
    for (const path of Object.keys(expected)) if (path.startsWith('d2/s1/')) Reflect.deleteProperty(expected, path);
    expected['d2/s1'] = 'a server file where a folder was\n';
    await settle(target, running, 'the files made folders and the folders made files, both ways', both(expected));
    await referee(target, running, Object.values(expected));
  }, 90_000);

  // 6. names -----------------------------------------------------------------------------------------

  it('6. NFD and NFC names, a 255-byte name, a name that is not UTF-8, symlinks: synced or skipped, never lost', async () => {
    const target = await subject();
    const accented = 'Résumé café.txt'.normalize('NFC');
    const { tree, running } = await started(target, { more: { [`d0/${accented}`]: 'accented, synced in NFC\n' } });
    const expected = { ...tree };

    // A new NFD name, and a rename that only changes the normalization (NFC -> NFD).
    const nfdNew = 'd1/Ångström naïve.txt'.normalize('NFD');
    await target.writeLocal(nfdNew, 'new under an NFD name\n');
    expected[nfdNew.normalize('NFC')] = 'new under an NFD name\n';
    await rename(join(target.local, `d0/${accented}`), join(target.local, `d0/${accented.normalize('NFD')}`));
    // 255 bytes of UTF-8 (é is two): the longest name Linux takes, made here and on the server.
    const long = `${'é'.repeat(126)}.tx`;
    expect(Buffer.byteLength(long)).toBe(255);
    await target.writeLocal(`d2/${long}`, 'a 255-byte name made here\n');
    expected[`d2/${long}`] = 'a 255-byte name made here\n';
    const longThere = `${'ü'.repeat(126)}.tx`;
    await target.remote.putFileContents(`d2/s1/${longThere}`, 'a 255-byte name made on the server\n');
    expected[`d2/s1/${longThere}`] = 'a 255-byte name made on the server\n';
    // A name that is not UTF-8, and symbolic links to a file, a folder and outside.
    writeFileSync(Buffer.concat([Buffer.from(join(target.local, 'd3/s0')), Buffer.from('/a'), Buffer.from([0xff]), Buffer.from('b.bin')]), 'not UTF-8\n');
    await symlink('f0.txt', join(target.local, 'd3/s1/link-to-file'));
    await symlink('../s2', join(target.local, 'd3/s1/link-to-folder'));
    await symlink(target.home, join(target.local, 'd3/link-outside'));
    // Neighbours edited meanwhile must still go up.
    await target.writeLocal('d3/s0/f0.txt', 'next to a name that is not UTF-8\n');
    expected['d3/s0/f0.txt'] = 'next to a name that is not UTF-8\n';
    await target.writeLocal('d3/s1/f1.txt', 'next to symlinks\n');
    expected['d3/s1/f1.txt'] = 'next to symlinks\n';

    await settle(target, running, 'the odd names synced, the others left alone', (local, remote) => {
      const localOnly = Object.fromEntries(Object.entries(local).filter(([path]) => !path.startsWith('d3/s0/a')));
      return both(expected)(localOnly, remote);
    });
    // One spelling of the accented name on the server.
    const names = await readdir(join(target.serverDir, 'd0'));
    expect(names.filter((name) => name.normalize('NFC') === accented)).toHaveLength(1);
    await referee(target, running, Object.values(expected), ['d3/link-outside', 'd3/s0/a\\xFFb.bin', 'd3/s1/link-to-file', 'd3/s1/link-to-folder']);
  });

  // 7. kill -9 -------------------------------------------------------------------------------------

  it('7. kill -9 right after a change, and while its upload is in flight: after a restart the change goes up', async () => {
    const target = await subject();
    const { tree, running } = await started(target, { extra: ['--limit-up', '128'] });
    const expected = { ...tree };

    // Right after the change: before the watcher's quiet time is over.
    await target.writeLocal('d0/s0/f0.txt', 'edited, then the process killed\n');
    expected['d0/s0/f0.txt'] = 'edited, then the process killed\n';
    await rm(join(target.local, 'd1/s1/f1.txt'));
    delete expected['d1/s1/f1.txt'];
    await rename(join(target.local, 'd2/s2'), join(target.local, 'd2/s2-renamed'));
    for (const path of Object.keys(expected)) {
      if (path.startsWith('d2/s2/')) {
        expected[`d2/s2-renamed/${path.slice('d2/s2/'.length)}`] = expected[path]!;
        Reflect.deleteProperty(expected, path);
      }
    }
    running.cli.child.kill('SIGKILL');
    expect((await running.cli.done).signal).toBe('SIGKILL');

    const again = startContinuous(target, ['--limit-up', '128']);
    await settle(target, again, 'the changes made just before the kill', both(expected));

    // While an upload is in flight.
    const size = 512 * 1024;
    const big = `big ${'b'.repeat(size - 5)}\n`;
    await target.writeLocal('d3/big.bin', big);
    expected['d3/big.bin'] = big;
    await target.writeLocal('d3/s3/f3.txt', 'edited with the big file\n');
    expected['d3/s3/f3.txt'] = 'edited with the big file\n';
    let seen: StatusRecord | null = null;
    await until('an upload in flight', async () => {
      seen = await statusOf(target);
      return seen?.status.state === 'syncing';
    }, { detail: () => `status ${JSON.stringify(seen)}\n${again.output()}` });
    again.cli.child.kill('SIGKILL');
    expect((await again.cli.done).signal).toBe('SIGKILL');

    const third = startContinuous(target, ['--limit-up', '128']);
    if (kind.atomicPut) {
      await settle(target, third, 'the changes whose run was killed', both(expected));
    } else {
      // The PUT cut off left a truncated d3/big.bin on this server, which the restart cannot
      // tell from another client's file: a conflict, both kept (the whole file as one of them).
      const isBig = (path: string): boolean => path === 'd3/big.bin' || (path.startsWith('d3/big (conflict') && isConflictCopy(path));
      const rest = (side: Tree): Tree => Object.fromEntries(Object.entries(side).filter(([path]) => !isBig(path)));
      const bigs = (side: Tree): Tree => Object.fromEntries(Object.entries(side).filter(([path]) => isBig(path)));
      const others = rest(expected);
      await settle(target, third, 'the changes whose run was killed (the whole big file kept)', (local, remote) => [
        ...both(others)(rest(local), rest(remote)),
        ...(Object.values(bigs(local)).includes(big) ? [] : ['local: the whole d3/big.bin is nowhere']),
        ...differences(bigs(remote), bigs(local)).map((line) => `server against local: ${line}`),
      ]);
    }
    await referee(target, third, Object.values(expected));
  }, 90_000);

  // 8. the journal wiped ---------------------------------------------------------------------------

  it('8. the state folder wiped while stopped, edits on both sides meanwhile: nothing deleted, nothing lost', async () => {
    const target = await subject();
    const { tree, running } = await started(target);
    await running.stop();

    await target.writeLocal('d0/s0/f0.txt', 'edited here while stopped\n');
    await target.remote.putFileContents('d0/s0/f1.txt', 'edited there while stopped\n', { overwrite: true });
    await target.writeLocal('d1/s1/f1.txt', 'same on both\n');
    await target.remote.putFileContents('d1/s1/f1.txt', 'same on both\n', { overwrite: true });
    await target.removeLocal('d2/s2/f2.txt');
    await target.remote.deleteFile('d3/s3/f3.txt');
    await target.writeLocal('d3/new-here.txt', 'new here\n');
    await target.remote.putFileContents('d2/new-there.txt', 'new there\n');
    await rm(target.stateDir, { recursive: true, force: true });

    const again = startContinuous(target);
    // Without a journal, a path whose sides differ is a conflict: both versions kept.
    const required = [
      'edited here while stopped\n',
      tree['d0/s0/f0.txt']!,
      'edited there while stopped\n',
      tree['d0/s0/f1.txt']!,
      'same on both\n',
      tree['d2/s2/f2.txt']!,
      tree['d3/s3/f3.txt']!,
      'new here\n',
      'new there\n',
    ];
    await settle(target, again, 'every version on both sides', (local, remote) => {
      const wrong: string[] = [];
      for (const [name, side] of [['local', local], ['server', remote]] as const) {
        const bodies = Object.values(side);
        for (const body of required) if (bodies.filter((found) => found === body).length !== 1) wrong.push(`${name}: ${JSON.stringify(body)} ${bodies.filter((found) => found === body).length} times`);
      }
      wrong.push(...differences(remote, local).map((line) => `server against local: ${line}`));
      return wrong;
    });
    const report = await referee(target, again, required);
    expect(report.deletedLocal).toEqual([]);
  });

  // 9. hard links (the scope follows a new file's inode to the other paths that hold it) -----------

  it('9. a hard link made inside the folder, then the original removed, then an edit through the link', async () => {
    const target = await subject();
    const { tree, running } = await started(target);
    const expected = { ...tree };
    sh('ln', [join(target.local, 'd0/s0/f0.txt'), join(target.local, 'd1/s1/linked.txt')]);
    expected['d1/s1/linked.txt'] = tree['d0/s0/f0.txt']!;
    await settle(target, running, 'the hard link on the server as a file of its own', both(expected));

    await rm(join(target.local, 'd0/s0/f0.txt'));
    delete expected['d0/s0/f0.txt'];
    await settle(target, running, 'the original gone, the link kept', both(expected));

    // Through a link from outside the folder, keeping size and mtime.
    const outside = join(target.home, 'outside-link.txt');
    sh('ln', [join(target.local, 'd1/s1/linked.txt'), outside]);
    const when = (await stat(outside)).mtime;
    const edited = sameSize(tree['d0/s0/f0.txt']!, 'EDITED through an outside link');
    await writeFile(outside, edited);
    await utimes(outside, when, when);
    // inotify does not see a write through another link in an unwatched folder; a touch of the
    // folder's copy (what an editor's save does next) is reported.
    sh('touch', ['-c', '-m', '-d', `@${when.getTime() / 1000}`, join(target.local, 'd1/s1/linked.txt')]);
    expected['d1/s1/linked.txt'] = edited;
    await settle(target, running, 'the edit through the link on the server', both(expected));
    await referee(target, running, Object.values(expected));
  });

  // 11. ignore rules (a scoped run filters only the server paths that changed) ------------------

  it('11. ignored files on either side stay there; when another client changes .terasyncignore, they sync', async () => {
    const target = await subject();
    const rules = 'build/\n*.log\n';
    const { tree, running } = await started(target, { more: { '.terasyncignore': rules } });
    const expected = { ...tree };
    const localOnly: Tree = {};
    const serverOnly: Tree = {};
    const sides = (local: Tree, remote: Tree): string[] => [
      ...differences(local, { ...expected, ...localOnly }).map((line) => `local: ${line}`),
      ...differences(remote, { ...expected, ...serverOnly }).map((line) => `server: ${line}`),
    ];

    // Ignored paths written on both sides, next to edits that must sync.
    for (const [path, body] of Object.entries({ 'd0/build/a.o': 'object a\n', 'd0/build/deep/b.o': 'object b\n', 'd0/s0/x.log': 'log here\n' })) {
      await target.writeLocal(path, body);
      localOnly[path] = body;
    }
    await target.writeLocal('d0/s0/f0.txt', 'edited next to ignored files\n');
    expected['d0/s0/f0.txt'] = 'edited next to ignored files\n';
    await target.remote.createDirectory('d1/build/');
    await target.remote.putFileContents('d1/build/x.o', 'object x there\n');
    serverOnly['d1/build/x.o'] = 'object x there\n';
    await target.remote.putFileContents('d1/s1/y.log', 'log there\n');
    serverOnly['d1/s1/y.log'] = 'log there\n';
    await target.remote.putFileContents('d1/s1/f1.txt', 'edited there next to ignored files\n', { overwrite: true });
    expected['d1/s1/f1.txt'] = 'edited there next to ignored files\n';
    await settle(target, running, 'the edits synced, the ignored files left on their side', sides);

    // Another client drops `build/` from the rules: the build folders now sync both ways.
    await target.remote.putFileContents('.terasyncignore', '*.log\n', { overwrite: true });
    expected['.terasyncignore'] = '*.log\n';
    for (const side of [localOnly, serverOnly]) {
      for (const path of Object.keys(side)) {
        if (path.includes('/build/')) {
          expected[path] = side[path]!;
          Reflect.deleteProperty(side, path);
        }
      }
    }
    await settle(target, running, 'the build folders synced once the rule is gone', sides);

    // And here the logs' rule goes: they sync too.
    await target.writeLocal('.terasyncignore', '# nothing ignored\n');
    expected['.terasyncignore'] = '# nothing ignored\n';
    Object.assign(expected, localOnly, serverOnly);
    for (const side of [localOnly, serverOnly]) for (const path of Object.keys(side)) Reflect.deleteProperty(side, path);
    await settle(target, running, 'the logs synced once their rule is gone', sides);
    await referee(target, running, Object.values(expected));
  });

  // 12. how editors and tools save (inodes move: the scope follows them for move detection) -----

  it('12. editor saves, sed -i, a browser download, two files and two folders swapping names', async () => {
    const target = await subject();
    const { tree, running } = await started(target);
    const expected = { ...tree };
    const at = (path: string): string => join(target.local, path);

    // vim without backupcopy: the old file renamed to a backup, the new one written in its place.
    await rename(at('d0/s0/f0.txt'), at('d0/s0/f0.txt~'));
    await writeFile(at('d0/s0/f0.txt'), 'saved by an editor that keeps a backup\n');
    expected['d0/s0/f0.txt~'] = tree['d0/s0/f0.txt']!;
    expected['d0/s0/f0.txt'] = 'saved by an editor that keeps a backup\n';
    // The same, backup removed once written.
    await rename(at('d0/s0/f1.txt'), at('d0/s0/f1.txt~'));
    await writeFile(at('d0/s0/f1.txt'), 'saved by an editor that drops its backup\n');
    await rm(at('d0/s0/f1.txt~'));
    expected['d0/s0/f1.txt'] = 'saved by an editor that drops its backup\n';
    // sed -i: a temp file in the folder renamed over the file.
    sh('sed', ['-i', 's/v1/SED/', at('d1/s1/f1.txt')]);
    expected['d1/s1/f1.txt'] = tree['d1/s1/f1.txt']!.replace('v1', 'SED');
    // An office suite's lock file while a file is open, and a browser's partial download.
    await writeFile(at('d1/s2/.~lock.f2.txt#'), 'locked by someone');
    await writeFile(at('d1/s2/download.bin.part'), 'half');
    await writeFile(at('d1/s2/download.bin.part'), 'half and the rest\n');
    await rename(at('d1/s2/download.bin.part'), at('d1/s2/download.bin'));
    await rm(at('d1/s2/.~lock.f2.txt#'));
    expected['d1/s2/download.bin'] = 'half and the rest\n';
    // Two files swap names, and two folders.
    await rename(at('d2/s0/f0.txt'), at('d2/s0/swap.tmp'));
    await rename(at('d2/s0/f1.txt'), at('d2/s0/f0.txt'));
    await rename(at('d2/s0/swap.tmp'), at('d2/s0/f1.txt'));
    expected['d2/s0/f0.txt'] = tree['d2/s0/f1.txt']!;
    expected['d2/s0/f1.txt'] = tree['d2/s0/f0.txt']!;
    await rename(at('d3/s0'), at('d3/swap'));
    await rename(at('d3/s1'), at('d3/s0'));
    await rename(at('d3/swap'), at('d3/s1'));
    for (let f = 0; f < FILES; f++) {
      expected[`d3/s0/f${f}.txt`] = tree[`d3/s1/f${f}.txt`]!;
      expected[`d3/s1/f${f}.txt`] = tree[`d3/s0/f${f}.txt`]!;
    }
    await settle(target, running, 'every save and swap on the server', both(expected));
    await referee(target, running, Object.values(expected));
  });

  // 13. sustained churn on both sides while runs go on -------------------------------------------

  const churn = async (): Promise<void> => {
    const target = await subject();
    const { tree, running } = await started(target);
    const expected = { ...tree };
    // A seeded generator: the same operations every time; their timing against the runs varies.
    const random = mulberry32(20261206);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    /** Local changes in d0 and d1, the other client's in d2 and d3: no path is changed on both sides. */
    const owned = (tops: string[]): string[] => Object.keys(expected).filter((path) => tops.some((top) => path.startsWith(`${top}/`)));
    /** An overwrite the way the server at hand shows it in the folder's ETag (see 10b). */
    const serverWrite = async (path: string, body: string): Promise<void> => {
      if (kind.folderEtagTracksOverwrites) {
        await target.remote.putFileContents(path, body, { overwrite: true });
      } else {
        const temp = `${path}.upload-${Math.floor(random() * 1e9)}`;
        await target.remote.putFileContents(temp, body);
        await target.remote.moveFile(temp, path);
      }
    };
    const deadline = Date.now() + 12_000;
    let step = 0;
    while (Date.now() < deadline) {
      step++;
      const body = `step ${step} ${'x'.repeat(Math.floor(random() * 200))}\n`;
      const mine = owned(['d0', 'd1']);
      const theirs = owned(['d2', 'd3']);
      switch (Math.floor(random() * 8)) {
        case 0:
        case 1: {
          const path = pick(mine);
          await writeFile(join(target.local, path), body);
          expected[path] = body;
          break;
        }
        case 2: {
          const path = `${pick(['d0', 'd1'])}/s${Math.floor(random() * SUBFOLDERS)}/new-${step}.txt`;
          await target.writeLocal(path, body);
          expected[path] = body;
          break;
        }
        case 3: {
          const path = pick(mine);
          await rm(join(target.local, path));
          Reflect.deleteProperty(expected, path);
          break;
        }
        case 4: {
          const from = pick(mine);
          const to = `${from.slice(0, from.lastIndexOf('/'))}/renamed-${step}.txt`;
          await rename(join(target.local, from), join(target.local, to));
          expected[to] = expected[from]!;
          Reflect.deleteProperty(expected, from);
          break;
        }
        case 5: {
          const path = pick(theirs);
          await serverWrite(path, body);
          expected[path] = body;
          break;
        }
        case 6: {
          const path = `${pick(['d2', 'd3'])}/s${Math.floor(random() * SUBFOLDERS)}/there-${step}.txt`;
          await target.remote.putFileContents(path, body);
          expected[path] = body;
          break;
        }
        default: {
          const from = pick(theirs);
          if (random() < 0.5) {
            await target.remote.deleteFile(from);
            Reflect.deleteProperty(expected, from);
          } else {
            const to = `${from.slice(0, from.lastIndexOf('/'))}/moved-${step}.txt`;
            await target.remote.moveFile(from, to);
            expected[to] = expected[from]!;
            Reflect.deleteProperty(expected, from);
          }
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 30 + Math.floor(random() * 150)));
    }
    await settle(target, running, `both sides after ${step} operations`, both(expected));
    await referee(target, running, Object.values(expected));
  };
  // On a server that overwrites in place (webdav-server), this failed until the store listed
  // again every folder it wrote into: the polls' stale entries of our own uploads turned later
  // local changes into conflicts with a phantom server edit, and files deleted here came back.
  it('13. twelve seconds of edits, new files, deletions and renames on both sides (separate folders) while it syncs', churn, 90_000);

  // 10. no transfers once in sync ------------------------------------------------------------------

  /**
   * After an edit went up, the polls that follow must find nothing to do. An edit made then
   * must go up as an edit, not as a conflict with our own previous upload.
   */
  const noTransfersOnceInSync = async (): Promise<void> => {
    const target = await subject();
    const { tree, running } = await started(target);
    const expected = { ...tree };
    await target.writeLocal('d0/s0/f0.txt', 'edited once\n');
    expected['d0/s0/f0.txt'] = 'edited once\n';
    await settle(target, running, 'the edit on the server', both(expected));
    const before = running.lines().length;
    // Three polls of a folder in sync.
    for (let poll = 0; poll < 3; poll++) await idle(target, running, Date.now());
    await target.writeLocal('d0/s0/f0.txt', 'edited twice\n');
    expected['d0/s0/f0.txt'] = 'edited twice\n';
    await settle(target, running, 'the second edit on the server', both(expected), 15_000);
    for (let poll = 0; poll < 2; poll++) await idle(target, running, Date.now());
    const transfers = running.lines().slice(before).filter((line) => /^(uploaded|downloaded|deleted|compared|kept as)/.test(line));
    expect(transfers, running.output()).toEqual(['uploaded: d0/s0/f0.txt']);
    await referee(target, running, Object.values(expected));
  };
  /** Another client's overwrite of a file (nothing else changes) reaches this side by the polls. */
  const serverOverwriteSeen = async (): Promise<void> => {
    const target = await subject();
    const { tree, running } = await started(target);
    const expected = { ...tree };
    await target.remote.putFileContents('d1/s1/f1.txt', 'overwritten by another client\n', { overwrite: true });
    expected['d1/s1/f1.txt'] = 'overwritten by another client\n';
    await settle(target, running, 'the server overwrite here', both(expected), 15_000);
    await referee(target, running, Object.values(expected));
  };
  if (kind.folderEtagTracksOverwrites) {
    it('10b. another client overwrites a file: the next polls bring it here', serverOverwriteSeen);
  } else {
    // DEFECT (not from the scoped planning: the same on branch main): on a server whose folder
    // ETag stays the same when a file in it is overwritten in place (webdav-server), the polls'
    // listing (`reuseUnchangedFolders`, listing.ts) skips the leaf folder d1/s1 because its
    // ETag did not change, and reuses the cached entry of d1/s1/f1.txt: another client's
    // overwrite is never seen; the local file keeps "d1/s1/f1.txt v1" (15 s of 1 s polls
    // here; until the next full local scan's full walk, every 10 minutes, in the app). The
    // store's check that folder ETags track their entries only runs on a folder it lists
    // (since the store lists again every folder it wrote into, our own first overwrite turns the
    // shortcut off; another client's, with no write of ours, waits for the full walk).
    it.fails('10b. another client overwrites a file: the next polls bring it here', serverOverwriteSeen);
  }
  // On webdav-server this failed until the store listed again every folder it wrote into: the
  // polls handed back our upload's folder as it was before the upload, the file was downloaded
  // at every poll, and the next edit became a conflict copy (listing.ts, `wrote`).
  it('10. after an edit went up, the polls transfer nothing, and the next edit goes up as an edit', noTransfersOnceInSync);
});
