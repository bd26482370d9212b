/**
 * The executor's writes to the local folder go through the LocalFs port handed to the engine:
 * a download is written, timed and linked into place through it, and a write that fails as on
 * a full disk gives the sentence with the free space the port reports.
 */
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../../shared/errors.js';
import { SyncEngine, type RunResult } from '../../../../electron/sync/engine.js';
import { Journal } from '../../../../electron/sync/journal.js';
import { nodeLocalFs, type LocalFs } from '../../../../electron/sync/localFs.js';
import { silentLogger } from '../../../../electron/core/logger.js';
import type { Trash } from '../../../../electron/sync/ports.js';
import { FakeClock } from '../../../support/fakeClock.js';
import { MemoryRemoteStore } from '../../../support/memoryRemoteStore.js';

let base: string;
let root: string;
let store: MemoryRemoteStore;

beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), 'terasync-localfs-'));
  root = join(base, 'local');
  await mkdir(root);
  store = new MemoryRemoteStore();
});

afterEach(async () => {
  await rm(base, { recursive: true, force: true });
});

const trash: Trash = {
  async trash(absolutePath) {
    await rm(absolutePath, { recursive: true, force: true });
  },
};

async function sync(fs: LocalFs): Promise<RunResult> {
  const journal = Journal.open(join(base, 'state', 'journal.sqlite'));
  try {
    const engine = new SyncEngine({
      localRoot: root,
      remote: store,
      journal,
      trash,
      clock: new FakeClock(),
      logger: silentLogger,
      device: 'testbox',
      platform: 'linux',
      concurrency: 2,
      caseInsensitive: false,
      fs,
    });
    return await engine.runOnce();
  } finally {
    journal.close();
  }
}

/** Node's file system, with each call written down as "method path" (relative to the root). */
function recording(calls: string[], overrides: Partial<LocalFs> = {}): LocalFs {
  const name = (path: string): string => {
    const rel = relative(root, path).split('\\').join('/');
    return rel.includes('.terasync-') ? '<temp>' : rel;
  };
  const fs: LocalFs = { ...nodeLocalFs, ...overrides };
  return {
    ...fs,
    mkdir: (path, options) => (calls.push(`mkdir ${name(path)}`), fs.mkdir(path, options)),
    open: (path, flags) => (calls.push(`open ${name(path)}`), fs.open(path, flags)),
    utimes: (path, atime, mtime) => (calls.push(`utimes ${name(path)}`), fs.utimes(path, atime, mtime)),
    rename: (from, to) => (calls.push(`rename ${name(from)} ${name(to)}`), fs.rename(from, to)),
    link: (from, to) => (calls.push(`link ${name(from)} ${name(to)}`), fs.link(from, to)),
    statfs: (path) => (calls.push(`statfs ${name(path)}`), fs.statfs(path)),
  };
}

describe('the executor through its LocalFs port', () => {
  it('writes a download into a temp file and puts it in place through the port', async () => {
    store.put('docs/a.txt', 'hello');
    const calls: string[] = [];
    const { report } = await sync(recording(calls));
    expect(report.errors).toEqual([]);
    expect(await readFile(join(root, 'docs', 'a.txt'), 'utf8')).toBe('hello');
    expect(calls).toContain('mkdir docs');
    expect(calls).toContain('open <temp>');
    expect(calls).toContain('utimes <temp>');
    // A new file is linked into place (never over a file that appeared meanwhile).
    expect(calls.filter((call) => call.endsWith(' docs/a.txt'))).toEqual(['link <temp> docs/a.txt']);
  });

  it('a full disk fails the download with the free space the port reports', async () => {
    store.put('big.bin', 'x'.repeat(3000));
    const calls: string[] = [];
    const full = Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
    const fs = recording(calls, {
      // A real write stream on the temp file whose writes fail as on a full disk.
      createWriteStream: (path, options) => {
        const stream = nodeLocalFs.createWriteStream(path, options);
        stream._write = (_chunk, _encoding, callback) => callback(full);
        return stream;
      },
      statfs: async (path) => ({ ...(await nodeLocalFs.statfs(path)), bavail: 1, bsize: 1024 }),
    });
    const { report } = await sync(fs);
    expect(report.errors).toEqual([
      {
        path: 'big.bin',
        code: ErrorCode.LocalIo,
        message: 'Cannot write "big.bin": the disk is full (the file needs 2.9 KiB, 1.0 KiB is free). Free up space and sync again.',
      },
    ]);
    expect(calls).toContain('statfs ');
  });
});
