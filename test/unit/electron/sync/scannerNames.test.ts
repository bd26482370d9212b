/**
 * The local scanner on real temp folders, for names it cannot sync as they are: names that are
 * not valid UTF-8 (created from raw bytes), names with a backslash, and one name twice in NFC
 * and NFD. Each is reported as
 * skipped ('invalid-name') under a readable name, never dropped silently and never an entry,
 * by a full scan and by an incremental update alike.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SkippedEntry } from '../../../../electron/sync/model.js';
import { loadIgnoreMatcher, scanLocal, twinNameMessage, updateScan, type LocalScan } from '../../../../electron/sync/scanner.js';
import { requireSystemTool } from '../../../support/requirements.js';

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

let base: string;
let root: string;

beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), 'terasync-scan-names-'));
  root = join(base, 'root');
  await mkdir(root);
});

afterEach(async () => {
  await rm(base, { recursive: true, force: true });
});

/** `root/<parts...>` as bytes: each part is a string (UTF-8) or raw bytes. */
function rawPath(...parts: Array<string | number[]>): Buffer {
  const pieces: Buffer[] = [Buffer.from(root)];
  for (const part of parts) {
    pieces.push(Buffer.from('/'));
    pieces.push(typeof part === 'string' ? Buffer.from(part) : Buffer.from(part));
  }
  return Buffer.concat(pieces);
}

const bytes = (text: string): number[] => [...Buffer.from(text, 'latin1')];
const LATIN1_CAFE = bytes('caf\xe9.txt');
const FF = [0x61, 0xff, 0x62, 0x2e, 0x62, 0x69, 0x6e]; // a\xFFb.bin
const CUT_OFF = [...Buffer.from('あ').subarray(0, 2), ...Buffer.from('.txt')]; // \xE3\x81.txt
const BAD_FOLDER = bytes('d\xe9j\xe0');

async function scan(): Promise<LocalScan> {
  return scanLocal(root, await loadIgnoreMatcher(root));
}

const skippedOf = (result: LocalScan): SkippedEntry[] => [...result.skipped].sort((a, b) => a.path.localeCompare(b.path));

describe.skipIf(rawNames.skip)('names that are not valid UTF-8', () => {
  it('are each reported as skipped with the bad bytes shown as \\xHH, files and folders, at any depth', async () => {
    rawNames.assertAvailable();
    await writeFile(join(root, 'ok.txt'), 'fine');
    await mkdir(join(root, 'sub'));
    writeFileSync(rawPath(LATIN1_CAFE), 'latin-1');
    writeFileSync(rawPath(FF), 'ff');
    writeFileSync(rawPath('sub', CUT_OFF), 'cut off');
    mkdirSync(rawPath(BAD_FOLDER));
    writeFileSync(rawPath(BAD_FOLDER, 'inside.txt'), 'inside');
    mkdirSync(rawPath(BAD_FOLDER, 'deeper'));

    const result = await scan();
    expect([...result.entries.keys()].sort()).toEqual(['ok.txt', 'sub']);
    const skipped = skippedOf(result);
    expect(skipped.map((entry) => [entry.path, entry.side, entry.reason])).toEqual([
      ['a\\xFFb.bin', 'local', 'invalid-name'],
      ['caf\\xE9.txt', 'local', 'invalid-name'],
      ['d\\xE9j\\xE0', 'local', 'invalid-name'],
      ['sub/\\xE3\\x81.txt', 'local', 'invalid-name'],
    ]);
    const message = (path: string): string => skipped.find((entry) => entry.path === path)!.message;
    expect(message('caf\\xE9.txt')).toMatch(/not valid UTF-8.*the file is left as it is; rename it to sync it/);
    expect(message('d\\xE9j\\xE0')).toMatch(/the folder and everything in it are left as they are; rename the folder to sync it/);
    // Nothing decoded to U+FFFD, which names no file, reaches the entries or the skipped list.
    for (const path of [...result.entries.keys(), ...skipped.map((entry) => entry.path)]) expect(path).not.toContain('\uFFFD');
  });

  it('are left out silently when the ignore rules leave that name out', async () => {
    rawNames.assertAvailable();
    await writeFile(join(root, '.terasyncignore'), '*.log\n');
    writeFileSync(rawPath(bytes('caf\xe9.log')), 'ignored');
    writeFileSync(rawPath(LATIN1_CAFE), 'reported');
    const result = await scan();
    expect(result.skipped.map((entry) => entry.path)).toEqual(['caf\\xE9.txt']);
  });

  it('are found by an incremental update: a path the watcher spells with U+FFFD asks for a full scan', async () => {
    rawNames.assertAvailable();
    await mkdir(join(root, 'sub'));
    const matcher = await loadIgnoreMatcher(root);
    const previous = await scanLocal(root, matcher);
    writeFileSync(rawPath('sub', LATIN1_CAFE), 'new');
    // What fs.watch (utf8) reports for that name.
    const reported = `sub/${Buffer.from(LATIN1_CAFE).toString('utf8')}`;
    expect(reported).toContain('\uFFFD');
    expect(await updateScan(root, matcher, previous, [reported])).toBeNull();
    // The folder reported instead: its walk (as bytes) finds the name.
    const updated = await updateScan(root, matcher, previous, ['sub']);
    expect(updated).not.toBeNull();
    expect(skippedOf(updated!)).toEqual(skippedOf(await scanLocal(root, matcher)));
    expect(updated!.skipped.map((entry) => entry.path)).toEqual(['sub/caf\\xE9.txt']);
  });
});

describe('names with a backslash', () => {
  it.skipIf(process.platform === 'win32')('are skipped with a sentence that says why and what to do, a folder with what is in it', async () => {
    await writeFile(join(root, 'back\\slash.txt'), 'x');
    await mkdir(join(root, 'dir\\name'));
    await writeFile(join(root, 'dir\\name', 'inside.txt'), 'x');
    await writeFile(join(root, 'plain.txt'), 'x');
    const result = await scan();
    expect([...result.entries.keys()]).toEqual(['plain.txt']);
    expect(skippedOf(result)).toEqual([
      {
        path: 'back\\slash.txt',
        side: 'local',
        reason: 'invalid-name',
        message:
          'the name contains "\\", which Windows and other WebDAV clients read as a folder separator, so it is not synced: ' +
          'the file is left as it is; rename it without "\\" to sync it',
      },
      {
        path: 'dir\\name',
        side: 'local',
        reason: 'invalid-name',
        message:
          'the name contains "\\", which Windows and other WebDAV clients read as a folder separator, so it is not synced: ' +
          'the folder and everything in it are left as they are; rename the folder without "\\" to sync it',
      },
    ]);
  });

  it.skipIf(process.platform === 'win32')('are skipped by an incremental update too', async () => {
    const matcher = await loadIgnoreMatcher(root);
    const previous = await scanLocal(root, matcher);
    await writeFile(join(root, 'back\\slash.txt'), 'x');
    const updated = await updateScan(root, matcher, previous, ['back\\slash.txt']);
    expect(updated!.entries.size).toBe(0);
    expect(updated!.skipped.map((entry) => [entry.path, entry.reason])).toEqual([['back\\slash.txt', 'invalid-name']]);
  });
});

/** Whether this file system keeps "é" as NFC and NFD side by side (Linux does; APFS does not). */
function fileSystemKeepsTwins(): boolean {
  const folder = join(tmpdir(), `terasync-twins-${process.pid}`);
  try {
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'é'.normalize('NFC')), '');
    writeFileSync(join(folder, 'é'.normalize('NFD')), '');
    return readdirSync(folder).length === 2;
  } catch {
    return false;
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

const twins = requireSystemTool('a file system that keeps NFC and NFD names apart (Linux)', fileSystemKeepsTwins(), 'nothing: run on Linux');

describe.skipIf(twins.skip)('one name twice, in NFC and in NFD', () => {
  const nfc = 'café'.normalize('NFC');
  const nfd = nfc.normalize('NFD');

  it('files: neither is an entry, the path is reported once; the rest is scanned', async () => {
    await writeFile(join(root, `${nfc}.txt`), 'the NFC twin');
    await writeFile(join(root, `${nfd}.txt`), 'the NFD twin');
    await writeFile(join(root, 'plain.txt'), 'plain');
    // Many times: which twin's lstat finishes last must not matter.
    for (let i = 0; i < 5; i++) {
      const result = await scan();
      expect([...result.entries.keys()]).toEqual(['plain.txt']);
      expect(result.skipped).toEqual([{ path: `${nfc}.txt`, side: 'local', reason: 'invalid-name', message: twinNameMessage(false) }]);
    }
  });

  it('folders: both left alone with everything in them, reported once', async () => {
    await mkdir(join(root, nfc));
    await mkdir(join(root, nfd));
    await writeFile(join(root, nfc, 'a.txt'), 'in the NFC folder');
    await writeFile(join(root, nfd, 'a.txt'), 'in the NFD folder');
    await writeFile(join(root, nfd, 'b.txt'), 'only in the NFD folder');
    const result = await scan();
    expect([...result.entries.keys()]).toEqual([]);
    expect(result.skipped).toEqual([{ path: nfc, side: 'local', reason: 'invalid-name', message: twinNameMessage(true) }]);
  });

  it('a twin made after the last scan: the incremental update asks for a full scan', async () => {
    await writeFile(join(root, `${nfc}.txt`), 'the NFC twin');
    const matcher = await loadIgnoreMatcher(root);
    const previous = await scanLocal(root, matcher);
    expect([...previous.entries.keys()]).toEqual([`${nfc}.txt`]);
    await writeFile(join(root, `${nfd}.txt`), 'the NFD twin');
    expect(await updateScan(root, matcher, previous, [`${nfd}.txt`])).toBeNull();
  });
});
