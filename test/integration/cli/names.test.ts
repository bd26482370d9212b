/**
 * Names that cannot be synced as they are, through the built `terasync` command against
 * Apache: local names that are not valid UTF-8 (made from raw bytes on the real file system)
 * and names with a backslash on either side are reported as skipped ('invalid-name') under a
 * readable name, in the JSON and in the human output, on every run, and never as an error; the
 * same local names are skipped by `terasync backup`. And a conflict on a name near the
 * 255-byte limit converges: the conflict copy's name is shortened, not refused.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { apacheAvailable, startApache, type ApacheServer } from '../../support/apache.js';
import { ensureCliBuilt, runCli, type CliResult } from '../../support/cli.js';
import { createPair, type Pair } from '../../support/pair.js';
import { requireSystemTool } from '../../support/requirements.js';
import { until as waitUntil } from '../../support/until.js';

const apache = requireSystemTool('apache2', apacheAvailable(), 'apache2 openssl');

/** Linux file systems take any bytes but `/` and NUL in a name; APFS and NTFS refuse these. */
function fileSystemTakesRawNames(): boolean {
  const probe = Buffer.concat([Buffer.from(join(tmpdir(), `terasync-probe-${process.pid}-`)), Buffer.from([0xff])]);
  try {
    writeFileSync(probe, '');
    rmSync(probe, { force: true });
    return true;
  } catch {
    return false;
  }
}
const rawNames = requireSystemTool('a file system that takes names that are not UTF-8 (Linux)', fileSystemTakesRawNames(), 'nothing: run on Linux');

interface Skipped {
  path: string;
  side: string;
  reason: string;
  message: string;
}
interface Report {
  uploaded: string[];
  downloaded: string[];
  conflicts: Array<{ path: string; copy: string }>;
  skipped: Skipped[];
  errors: Array<{ path: string; code: string; message: string }>;
}

function expectExit(result: CliResult, code: number): void {
  expect(result.code, `exit ${result.code} (signal ${result.signal})\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`).toBe(code);
}

function parseReport(result: CliResult): Report {
  try {
    return JSON.parse(result.stdout) as Report;
  } catch (error) {
    throw new Error(`stdout is not one JSON value:\n${result.stdout}\nstderr:\n${result.stderr}`, { cause: error });
  }
}

/** `base/<parts...>` as bytes: each part is a string (UTF-8) or raw bytes. */
function rawPath(base: string, ...parts: Array<string | number[]>): Buffer {
  const pieces: Buffer[] = [Buffer.from(base)];
  for (const part of parts) pieces.push(Buffer.from('/'), Buffer.from(part));
  return Buffer.concat(pieces);
}

const latin1 = (text: string): number[] => [...Buffer.from(text, 'latin1')];
const FF_NAME = [0x61, 0xff, 0x62, 0x2e, 0x62, 0x69, 0x6e]; // a\xFFb.bin
const CUT_OFF = [...Buffer.from('あ').subarray(0, 2), ...Buffer.from('.txt')]; // \xE3\x81.txt

const sortedPaths = (skipped: readonly Skipped[]): string[] => skipped.map((entry) => entry.path).sort();

describe.skipIf(apache.skip)('names the command cannot sync as they are (Apache)', () => {
  let server: ApacheServer;
  let ca: string;
  const cleanups: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    apache.assertAvailable();
    ensureCliBuilt();
    server = await startApache();
    ca = await readFile(server.caFile, 'utf8');
  }, 120_000);

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  afterAll(async () => {
    await server?.stop();
  });

  async function pair(): Promise<Pair> {
    const created = await createPair({ url: server.url, user: server.user, password: server.password, ca });
    cleanups.push(() => created.dispose());
    return created;
  }

  const env = (): Record<string, string> => ({ TERASYNC_USER: server.user, TERASYNC_PASSWORD: server.password });
  const syncArgs = (p: Pair, ...extra: string[]): string[] => [
    'sync',
    '--once',
    '--local',
    p.local,
    '--remote',
    p.remoteUrl,
    '--state',
    p.stateDir,
    '--ca',
    server.caFile,
    '--device',
    'testbox',
    ...extra,
  ];
  /** The pair's folder on Apache's disk. */
  const serverFolder = (p: Pair): string => join(server.dataDir, new URL(p.remoteUrl).pathname.split('/').filter(Boolean).pop()!);

  it.skipIf(rawNames.skip)('local names that are not UTF-8: skipped with the bytes shown as \\xHH, in the JSON and the human output, run after run', async () => {
    rawNames.assertAvailable();
    const p = await pair();
    await p.writeLocal('ok.txt', 'fine');
    await mkdir(join(p.local, 'sub'));
    writeFileSync(rawPath(p.local, latin1('caf\xe9.txt')), 'latin-1');
    writeFileSync(rawPath(p.local, FF_NAME), 'ff');
    writeFileSync(rawPath(p.local, 'sub', CUT_OFF), 'cut off');
    mkdirSync(rawPath(p.local, latin1('d\xe9j\xe0')));
    writeFileSync(rawPath(p.local, latin1('d\xe9j\xe0'), 'inside.txt'), 'inside');
    const expected = ['a\\xFFb.bin', 'caf\\xE9.txt', 'd\\xE9j\\xE0', 'sub/\\xE3\\x81.txt'];

    const first = await runCli(syncArgs(p, '--json'), env());
    expectExit(first, 0);
    const report = parseReport(first);
    expect(report.errors).toEqual([]);
    expect(report.uploaded).toEqual(['ok.txt']);
    expect(sortedPaths(report.skipped)).toEqual(expected);
    for (const entry of report.skipped) {
      expect(entry).toMatchObject({ side: 'local', reason: 'invalid-name' });
      expect(entry.message).toMatch(/not valid UTF-8.*rename/);
    }
    expect(report.skipped.find((entry) => entry.path === 'd\\xE9j\\xE0')!.message).toMatch(/the folder and everything in it are left as they are/);
    // Nothing of them reached the server, under any spelling.
    expect(await p.remoteTree()).toEqual({ 'ok.txt': 'fine', sub: '<folder>' });

    // The human output names each one readably, and says so again on the next run (exit 0).
    const second = await runCli(syncArgs(p), env());
    expectExit(second, 0);
    expect(second.stderr).toBe('');
    for (const path of expected) expect(second.stdout).toContain(`skipped (invalid-name): ${path}: the name is not valid UTF-8`);
    expect(second.stdout).not.toContain('\uFFFD');
  }, 60_000);

  it('a local name with a backslash: skipped with why and what to do on every run, never an error', async () => {
    const p = await pair();
    await p.writeLocal('ok.txt', 'fine');
    await writeFile(join(p.local, 'back\\slash.txt'), 'local');
    await mkdir(join(p.local, 'dir\\name'));
    await writeFile(join(p.local, 'dir\\name', 'inside.txt'), 'inside');
    for (let run = 0; run < 2; run++) {
      const result = await runCli(syncArgs(p, '--json'), env());
      expectExit(result, 0);
      const report = parseReport(result);
      expect(report.errors).toEqual([]);
      expect([...report.skipped].sort((a, b) => a.path.localeCompare(b.path))).toEqual([
        expect.objectContaining({ path: 'back\\slash.txt', side: 'local', reason: 'invalid-name', message: expect.stringMatching(/read as a folder separator.*the file is left as it is; rename it without "\\"/) }),
        expect.objectContaining({ path: 'dir\\name', side: 'local', reason: 'invalid-name', message: expect.stringMatching(/the folder and everything in it are left as they are/) }),
      ]);
    }
    expect(await p.remoteTree()).toEqual({ 'ok.txt': 'fine' });
    expect(readdirSync(serverFolder(p))).toEqual(['ok.txt']);
  }, 60_000);

  it('server names with a backslash or bytes that are not UTF-8: skipped under readable names, left on the server', async () => {
    const p = await pair();
    const folder = serverFolder(p);
    await p.writeRemote('ok.txt', 'fine');
    await writeFile(join(folder, 'back\\slash.txt'), 'from another client');
    await mkdir(join(folder, 'dir\\name'));
    await writeFile(join(folder, 'dir\\name', 'inside.txt'), 'inside');
    await server.grantServerAccess();
    // Written after the hand-over (which reads names as UTF-8): Apache only needs to read it.
    const withRawName = rawNames.available;
    if (withRawName) writeFileSync(rawPath(folder, latin1('caf\xe9.txt')), 'latin-1');

    for (let run = 0; run < 2; run++) {
      const result = await runCli(syncArgs(p, '--json'), env());
      expectExit(result, 0);
      const report = parseReport(result);
      expect(report.errors).toEqual([]);
      expect(report.downloaded).toEqual(run === 0 ? ['ok.txt'] : []);
      expect(sortedPaths(report.skipped)).toEqual(['back\\slash.txt', ...(withRawName ? ['caf\\xE9.txt'] : []), 'dir\\name']);
      const backslash = report.skipped.find((entry) => entry.path === 'back\\slash.txt')!;
      expect(backslash).toMatchObject({ side: 'remote', reason: 'invalid-name' });
      expect(backslash.message).toBe(
        'the name contains "\\", which Windows and other WebDAV clients read as a folder separator, so it is not synced: ' +
          'the file is left as it is on the server; rename it there without "\\" to sync it',
      );
      expect(report.skipped.find((entry) => entry.path === 'dir\\name')!.message).toMatch(/the folder and everything in it are left as they are on the server/);
      if (withRawName) expect(report.skipped.find((entry) => entry.path === 'caf\\xE9.txt')!.message).toMatch(/not valid UTF-8.*on the server; rename it there/);
      // Never percent-encoded.
      expect(JSON.stringify(report.skipped)).not.toMatch(/%5C|%E9/i);
    }
    expect((await readdir(p.local)).sort()).toEqual(['ok.txt']);
    expect(await readFile(join(folder, 'back\\slash.txt'), 'utf8')).toBe('from another client');

    const human = await runCli(syncArgs(p), env());
    expectExit(human, 0);
    expect(human.stdout).toContain('skipped (invalid-name): back\\slash.txt: the name contains "\\"');
  }, 60_000);

  it('a conflict on an 80-character Japanese name (244 bytes) converges: the copy is shortened, on both sides', async () => {
    const p = await pair();
    const name = `${'日本語のとても長いファイル名'.repeat(6).slice(0, 80)}.txt`;
    expect(Buffer.byteLength(name)).toBe(244);
    await p.writeLocal(name, 'original');
    expectExit(await runCli(syncArgs(p), env()), 0);
    await p.writeLocal(name, 'local edit');
    await p.writeRemote(name, 'remote edit');

    const first = await runCli(syncArgs(p, '--json'), env());
    expectExit(first, 0);
    const report = parseReport(first);
    expect(report.errors).toEqual([]);
    expect(report.conflicts).toHaveLength(1);
    const copy = report.conflicts[0]!.copy;
    expect(Buffer.byteLength(copy)).toBeLessThanOrEqual(255);
    expect(copy).toMatch(/^日本語.* \(conflict \d{4}-\d\d-\d\d \d{6} testbox\)\.txt$/);
    expect(name.startsWith(copy.slice(0, copy.indexOf(' (conflict')))).toBe(true);

    const second = await runCli(syncArgs(p, '--json'), env());
    expectExit(second, 0);
    const again = parseReport(second);
    expect(again.errors).toEqual([]);
    expect(again.conflicts).toEqual([]);
    const local = await p.localTree();
    expect(local).toEqual({ [name]: 'remote edit', [copy]: 'local edit' });
    expect(await p.remoteTree()).toEqual(local);
  }, 60_000);

  it.skipIf(rawNames.skip)('continuous sync: a name made while it runs reaches the status the window lists (lastRun.skips), by the real watcher', async () => {
    rawNames.assertAvailable();
    const p = await pair();
    await p.writeLocal('ok.txt', 'fine');
    const running = await p.startService({ options: { quietMs: 100, pollIntervalMs: 600_000, fullScanIntervalMs: 600_000, retryMinMs: 200, retryMaxMs: 1_000 } });
    cleanups.push(() => running.stop());
    const until = (what: string, predicate: () => boolean): Promise<true> =>
      waitUntil(what, predicate, { timeoutMs: 15_000, detail: () => `last status: ${JSON.stringify(running.service.getStatus())}` });
    await until('the first run', () => running.service.getStatus().lastRun !== null && running.service.getStatus().state === 'idle');
    expect(running.service.getStatus().lastRun).toMatchObject({ errors: 0, skipped: 0, skips: [] });

    writeFileSync(rawPath(p.local, latin1('caf\xe9.txt')), 'latin-1');
    await writeFile(join(p.local, 'back\\slash.txt'), 'backslash');
    await until('both skips in the status', () => (running.service.getStatus().lastRun?.skipped ?? 0) >= 2);
    const lastRun = running.service.getStatus().lastRun!;
    expect(lastRun.errors).toBe(0);
    expect([...lastRun.skips].sort((x, y) => x.path.localeCompare(y.path))).toEqual([
      { path: 'back\\slash.txt', side: 'local', reason: 'invalid-name', message: expect.stringMatching(/read as a folder separator/) },
      { path: 'caf\\xE9.txt', side: 'local', reason: 'invalid-name', message: expect.stringMatching(/not valid UTF-8/) },
    ]);
    expect(running.reports.flatMap((report) => report.errors)).toEqual([]);
  }, 60_000);

  it.skipIf(rawNames.skip)('terasync backup skips the same local names, with the same sentences, and backs up the rest', async () => {
    rawNames.assertAvailable();
    const base = await mkdtemp(join(tmpdir(), 'terasync-names-backup-'));
    cleanups.push(() => rm(base, { recursive: true, force: true }));
    const source = join(base, 'Docs');
    await mkdir(source);
    await writeFile(join(source, 'ok.txt'), 'fine');
    await writeFile(join(source, 'back\\slash.txt'), 'backslash');
    writeFileSync(rawPath(source, latin1('caf\xe9.txt')), 'latin-1');
    const device = `names-${process.pid}`;
    const args = ['backup', '--source', source, '--remote', server.backupUrl, '--ca', server.caFile, '--state', join(base, 'state'), '--device', device];
    for (let run = 0; run < 2; run++) {
      const result = await runCli([...args, '--json'], env());
      expectExit(result, 0);
      const summary = JSON.parse(result.stdout) as { skipped: Array<{ source: string; path: string; reason: string; message: string }> };
      expect(summary.skipped.map((entry) => [entry.source, entry.path, entry.reason]).sort()).toEqual([
        ['Docs', 'back\\slash.txt', 'invalid-name'],
        ['Docs', 'caf\\xE9.txt', 'invalid-name'],
      ]);
      expect(summary.skipped.find((entry) => entry.path === 'back\\slash.txt')!.message).toMatch(/read as a folder separator.*rename it without "\\"/);
      expect(summary.skipped.find((entry) => entry.path === 'caf\\xE9.txt')!.message).toMatch(/not valid UTF-8.*rename it/);
    }
    expect(readdirSync(join(server.backupDir, device, 'Docs'))).toEqual(['ok.txt']);
    const human = await runCli(args, env());
    expectExit(human, 0);
    expect(human.stdout).toContain('skipped (invalid-name): Docs/caf\\xE9.txt: the name is not valid UTF-8');
  }, 60_000);
});
