import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LogFile, logFolderPath, nodeLogFileSystem, type LogFileDeps, type LogFileOptions, type LogFileSystem } from '../../../../electron/app/LogFile.js';
import { SecretRedactor } from '../../../../electron/auth/redact.js';
import { FakeClock } from '../../../support/fakeClock.js';

const fixedNow = Date.UTC(2026, 10, 28, 14, 5, 0, 0);

let appData: string;
let logs: LogFile[];
let stderr: string[];

beforeEach(async () => {
  appData = await mkdtemp(path.join(tmpdir(), 'terasync-log-'));
  logs = [];
  stderr = [];
});

afterEach(async () => {
  await Promise.all(logs.map((log) => log.dispose()));
  await rm(appData, { recursive: true, force: true });
});

const logFolder = (): string => path.join(appData, 'logs');
const logFile = (suffix = ''): string => path.join(logFolder(), `terasync.log${suffix}`);

function createLog(options: LogFileOptions = {}, deps: Partial<LogFileDeps> = {}): LogFile {
  const log = new LogFile(appData, { redactor: new SecretRedactor(), clock: new FakeClock(fixedNow), stderr: (text) => stderr.push(text), ...deps }, options);
  logs.push(log);
  return log;
}

interface Line {
  time: string;
  level: string;
  message: string;
  fields?: Record<string, unknown>;
}

async function readLines(file = logFile()): Promise<Line[]> {
  const text = await readFile(file, 'utf8');
  expect(text.endsWith('\n')).toBe(true);
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Line);
}

describe('LogFile', () => {
  it('writes one JSON line per message: time, level, message, fields', async () => {
    const log = createLog();
    log.info('Sync started', { pair: 'a1', files: 3 });
    log.warn('Slow server');
    log.error('Upload failed', { path: 'Docs/a.txt', error: new Error('503 Service Unavailable') });
    await log.flush();
    const lines = await readLines();
    expect(lines).toEqual([
      { time: '2026-11-28T14:05:00.000Z', level: 'info', message: 'Sync started', fields: { pair: 'a1', files: 3 } },
      { time: '2026-11-28T14:05:00.000Z', level: 'warn', message: 'Slow server' },
      { time: '2026-11-28T14:05:00.000Z', level: 'error', message: 'Upload failed', fields: { path: 'Docs/a.txt', error: expect.objectContaining({ name: 'Error', message: '503 Service Unavailable' }) } },
    ]);
  });

  it('leaves out debug lines unless asked for them', async () => {
    const quiet = createLog();
    quiet.debug('not written');
    quiet.info('written');
    await quiet.flush();
    expect((await readLines()).map((line) => line.message)).toEqual(['written']);

    const verbose = createLog({ level: 'debug' });
    verbose.debug('now written');
    const errorsOnly = createLog({ level: 'error' });
    errorsOnly.warn('not written either');
    await Promise.all([verbose.flush(), errorsOnly.flush()]);
    expect((await readLines()).map((line) => line.message)).toEqual(['written', 'now written']);
  });

  it('names the log folder for the window’s "Open log folder"', () => {
    expect(createLog().logFolder()).toBe(logFolder());
    expect(logFolderPath(appData)).toBe(logFolder());
  });

  it('keeps the order of many lines logged at once', async () => {
    const log = createLog();
    for (let index = 0; index < 500; index++) log.info(`line ${index}`);
    await log.flush();
    expect((await readLines()).map((line) => line.message)).toEqual(Array.from({ length: 500 }, (_, index) => `line ${index}`));
  });

  it('writes bigints and survives fields it cannot walk', async () => {
    const log = createLog();
    log.info('big', { size: 12n });
    const hostile = {
      get boom(): string {
        throw new Error('getter exploded');
      },
    };
    expect(() => log.info('hostile', hostile)).not.toThrow();
    await log.flush();
    const lines = await readLines();
    expect(lines[0]?.fields).toEqual({ size: '12' });
    expect(lines[1]).toMatchObject({ message: 'hostile', fields: { fieldsUnavailable: 'getter exploded' } });
  });

  it('ignores lines after dispose, having written those before', async () => {
    const log = createLog();
    log.info('before');
    await log.dispose();
    log.info('after');
    await log.flush();
    expect((await readLines()).map((line) => line.message)).toEqual(['before']);
  });

  if (process.platform !== 'win32') {
    it('creates the log readable by the user only', async () => {
      const log = createLog();
      log.info('x');
      await log.flush();
      expect((await stat(logFile())).mode & 0o777).toBe(0o600);
    });
  }
});

describe('LogFile rotation', () => {
  /** Each line is 100 bytes: a 350-byte file holds three. */
  const message = (index: number): string => `m${String(index).padStart(3, '0')}`.padEnd(100 - '{"time":"2026-11-28T14:05:00.000Z","level":"info","message":""}\n'.length, '.');

  it('rotates by size and keeps the newest `keep` files, every line whole and in order', async () => {
    const log = createLog({ maxBytes: 350, keep: 3 });
    for (let index = 0; index < 20; index++) log.info(message(index));
    await log.flush();

    expect((await readdir(logFolder())).sort()).toEqual(['terasync.log', 'terasync.log.1', 'terasync.log.2', 'terasync.log.3']);
    const files = ['.3', '.2', '.1', ''];
    for (const suffix of files) expect((await stat(logFile(suffix))).size).toBeLessThanOrEqual(350);
    const kept: string[] = [];
    for (const suffix of files) kept.push(...(await readLines(logFile(suffix))).map((line) => line.message));
    // 20 lines, three a file: 18..19 in the current file, 9..17 in the three before it.
    expect(kept).toEqual(Array.from({ length: 11 }, (_, index) => message(index + 9)));
  });

  it('rotates across separate flushes and new instances, starting from the size on disk', async () => {
    const first = createLog({ maxBytes: 350, keep: 2 });
    first.info(message(0));
    first.info(message(1));
    await first.dispose();
    const second = createLog({ maxBytes: 350, keep: 2 });
    second.info(message(2));
    second.info(message(3));
    await second.flush();
    expect((await readLines(logFile('.1'))).map((line) => line.message)).toEqual([message(0), message(1), message(2)]);
    expect((await readLines()).map((line) => line.message)).toEqual([message(3)]);
  });

  it('moves an oversized file aside before its first line, and writes a line longer than the limit on its own', async () => {
    await mkdir(logFolder(), { recursive: true });
    await writeFile(logFile(), 'x'.repeat(1000));
    const log = createLog({ maxBytes: 350, keep: 5 });
    log.info('y'.repeat(500));
    log.info('short');
    await log.flush();
    expect(await readFile(logFile('.2'), 'utf8')).toBe('x'.repeat(1000));
    expect((await readLines(logFile('.1'))).map((line) => line.message)).toEqual(['y'.repeat(500)]);
    expect((await readLines()).map((line) => line.message)).toEqual(['short']);
  });

  it('goes on in the same file when rotating fails, and says so once', async () => {
    const log = createLog({ maxBytes: 350, keep: 2 }, { fileSystem: { ...nodeLogFileSystem, rename: () => Promise.reject(new Error('EBUSY: resource busy')) } });
    for (let index = 0; index < 8; index++) log.info(message(index));
    await log.flush();
    expect((await readLines()).map((line) => line.message)).toEqual(Array.from({ length: 8 }, (_, index) => message(index)));
    expect(stderr).toEqual([`TeraSync could not rotate its log file ${logFile()}: EBUSY: resource busy. The file grows until rotating works again.\n`]);
  });
});

describe('LogFile redaction', () => {
  it('writes no password, bearer token or BASIC credentials, in messages or fields', async () => {
    const redactor = new SecretRedactor();
    const password = 'correct-horse-battery';
    redactor.add(password);
    const log = createLog({}, { redactor });
    const basic = Buffer.from('alice:s3cret-pass-word').toString('base64');
    const bearer = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl';

    log.info(`Signing in with ${password}`);
    log.warn(`Request sent: Authorization: Bearer ${bearer}`);
    log.error(`Server answered 401 to Basic ${basic}`);
    log.error('Request failed', {
      password: 'unknown-but-named-password',
      headers: { Authorization: `Basic ${basic}`, 'User-Agent': 'TeraSync' },
      url: 'https://alice:hunter2hunter2@seto.teracloud.jp/dav/',
      nested: [{ note: `the password was ${password}` }, new Error(`Bearer ${bearer} expired`, { cause: new Error(`again Bearer ${bearer}`) })],
      encoded: encodeURIComponent(password),
    });
    await log.flush();

    const text = await readFile(logFile(), 'utf8');
    for (const secret of [password, bearer, basic, 'unknown-but-named-password', 'hunter2hunter2', encodeURIComponent(password), 's3cret']) {
      expect(text).not.toContain(secret);
    }
    const lines = await readLines();
    expect(lines.map((line) => line.message)).toEqual([
      'Signing in with [redacted]',
      'Request sent: Authorization: Bearer [redacted]',
      'Server answered 401 to Basic [redacted]',
      'Request failed',
    ]);
    expect(lines[3]?.fields).toMatchObject({
      password: '[redacted]',
      headers: { Authorization: '[redacted]', 'User-Agent': 'TeraSync' },
      url: 'https://alice:[redacted]@seto.teracloud.jp/dav/',
    });
  });
});

describe('LogFile write failures', () => {
  function failingFileSystem(failures: { count: number }): LogFileSystem {
    return {
      ...nodeLogFileSystem,
      appendFile: (file, text) => {
        if (failures.count > 0) {
          failures.count--;
          return Promise.reject(new Error('ENOSPC: no space left on device'));
        }
        return nodeLogFileSystem.appendFile(file, text);
      },
    };
  }

  it('never throws into the caller, tells stderr once, and says later how many lines were lost', async () => {
    const failures = { count: 2 };
    const log = createLog({}, { fileSystem: failingFileSystem(failures) });
    expect(() => log.info('lost 1')).not.toThrow();
    await log.flush();
    log.info('lost 2');
    await log.flush();
    expect(stderr).toEqual([`TeraSync could not write its log file ${logFile()}: ENOSPC: no space left on device. Log lines are dropped until writing works again.\n`]);

    log.info('back');
    await log.flush();
    expect((await readLines()).map((line) => [line.level, line.message])).toEqual([
      ['warn', '2 earlier log lines could not be written and were dropped'],
      ['info', 'back'],
    ]);

    // A new failure after writing worked again is news: stderr hears of it again.
    failures.count = 1;
    log.info('lost 3');
    await log.flush();
    expect(stderr).toHaveLength(2);
  });

  it('survives a log folder it cannot create, and a stderr that throws', async () => {
    const log = createLog(
      {},
      {
        fileSystem: { ...nodeLogFileSystem, mkdir: () => Promise.reject(new Error('EACCES: permission denied')) },
        stderr: () => {
          throw new Error('stderr closed');
        },
      },
    );
    expect(() => log.error('nowhere to go')).not.toThrow();
    await expect(log.flush()).resolves.toBeUndefined();
    await expect(readdir(logFolder())).rejects.toThrow();
  });

  it('redacts what it tells stderr', async () => {
    const redactor = new SecretRedactor();
    redactor.add('folder-secret-value');
    const log = createLog({}, { redactor, fileSystem: { ...nodeLogFileSystem, appendFile: () => Promise.reject(new Error('cannot write folder-secret-value')) } });
    log.info('x');
    await log.flush();
    expect(stderr).toHaveLength(1);
    expect(stderr[0]).not.toContain('folder-secret-value');
  });
});
