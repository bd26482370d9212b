/**
 * updateScan on real temp folders: a scan brought up to date for the paths a watcher reported
 * must be the scan a full `scanLocal` of the changed tree gives, for every kind of change
 * (files and folders created, deleted, renamed, replaced by the other type, rewritten;
 * symlinks, special files, ignored paths, our temp files, NFD names), whether the watcher
 * reported only the top path of a change or every path below it too, and in a randomised
 * run of chained changes (seeded; the seed is in the failure message). It gives up (null)
 * when only a full scan will do, and never changes the scan it was given.
 *
 * Folder mtimes: a watcher reports the file added to or removed from a folder, not the folder,
 * so the folder's mtime in an updated scan is the one last seen while a full scan reads the
 * new one. The planner never reads a folder's mtime (`localState` is 'unchanged' for any
 * folder the journal knows), so the comparisons leave folder mtimes out unless the folders
 * themselves were reported too; the 'with parents' variant of every scenario reports them
 * and compares everything.
 */
import { execFileSync } from 'node:child_process';
import { lstat, mkdir, mkdtemp, readdir, rename, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IGNORE_FILE, TEMP_PREFIX, TEMP_SUFFIX } from '../../../../electron/sync/ignoreRules.js';
import type { LocalEntry, SkippedEntry } from '../../../../electron/sync/model.js';
import { loadIgnoreMatcher, MAX_INCREMENTAL_CHANGES, scanLocal, updateScan, type LocalScan } from '../../../../electron/sync/scanner.js';
import { requireSystemTool } from '../../../support/requirements.js';
import { mulberry32 } from '../../../support/prng.js';

function commandAvailable(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const mkfifo = requireSystemTool('mkfifo', process.platform !== 'win32' && commandAvailable('mkfifo'), 'coreutils');

const TEMP = `${TEMP_PREFIX}0123456789ab${TEMP_SUFFIX}`;
const NFD_NAME = 'e\u0301te\u0301.txt';

let base: string;
let root: string;

beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), 'terasync-update-scan-'));
  root = join(base, 'root');
  await mkdir(root);
});

afterEach(async () => {
  await rm(base, { recursive: true, force: true });
});

const at = (path: string): string => join(root, ...path.split('/'));

async function write(path: string, content = 'x'): Promise<void> {
  const parts = path.split('/');
  if (parts.length > 1) await mkdir(at(parts.slice(0, -1).join('/')), { recursive: true });
  await writeFile(at(path), content);
}

/** Gives a file an mtime no other write has, so a rewrite of the same size is seen. */
let stamp = Date.UTC(2020, 0, 1) / 1000;
async function freshTime(path: string): Promise<void> {
  stamp += 7;
  await utimes(at(path), stamp, stamp);
}

async function fullScan(): Promise<LocalScan> {
  return scanLocal(root, await loadIgnoreMatcher(root));
}

async function update(previous: LocalScan, changed: Iterable<string>): Promise<LocalScan | null> {
  return updateScan(root, await loadIgnoreMatcher(root), previous, changed);
}

interface Comparable {
  entries: Array<[string, Omit<LocalEntry, 'mtimeMs' | 'ctimeMs'> & { mtimeMs?: number; ctimeMs?: number }]>;
  skipped: SkippedEntry[];
  tempFiles: string[];
}

/** A scan in a fixed order; folder mtimes only with `folderTimes` (see the header). */
function comparable(scan: LocalScan, folderTimes: boolean): Comparable {
  return {
    entries: [...scan.entries.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, entry]) => {
        if (folderTimes || entry.type === 'file') return [key, { ...entry }];
        const { mtimeMs: _mtimeMs, ctimeMs: _ctimeMs, ...rest } = entry;
        return [key, rest];
      }),
    skipped: [...scan.skipped].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
    tempFiles: [...scan.tempFiles].sort(),
  };
}

/** A deep copy that a later mutation of the original cannot reach. */
function frozenCopy(scan: LocalScan): LocalScan {
  return structuredClone(scan);
}

/** updateScan(previous, changed) must equal a fresh full scan, and leave `previous` alone. */
async function expectUpToDate(previous: LocalScan, changed: readonly string[], folderTimes: boolean, context = ''): Promise<LocalScan> {
  const before = frozenCopy(previous);
  const updated = await update(previous, changed);
  expect(updated, `updateScan gave up (null) for ${JSON.stringify(changed)} ${context}`).not.toBeNull();
  const fresh = await fullScan();
  expect(comparable(updated!, folderTimes), `changed: ${JSON.stringify(changed)} ${context}`).toEqual(comparable(fresh, folderTimes));
  expect(previous, 'the previous scan was changed').toEqual(before);
  return updated!;
}

/** Every folder above each path (not the root), deepest last. */
function withParents(paths: readonly string[]): string[] {
  const all = new Set<string>();
  for (const path of paths) {
    const parts = path.split('/');
    for (let depth = 1; depth < parts.length; depth++) all.add(parts.slice(0, depth).join('/'));
  }
  for (const path of paths) all.add(path);
  return [...all];
}

/**
 * The tree every scenario starts from: files at three depths, an empty folder, an ignore file
 * with a folder and a file pattern (and an ignored folder with content), a symlink to a
 * folder, and a leftover temp file.
 */
async function baseTree(): Promise<void> {
  await write('top.txt', 'top');
  await write('a/f.txt', 'f');
  await write('a/b/g.txt', 'g');
  await write('a/b/c/h.txt', 'h');
  await write('x.txt', 'x');
  await mkdir(at('empty'));
  await write(IGNORE_FILE, 'build/\n*.log\n');
  await write('build/old.o', 'object');
  await write(`a/${TEMP}`, 'partial');
  await symlink(at('a'), at('link-to-a'));
  for (const path of ['top.txt', 'a/f.txt', 'a/b/g.txt', 'a/b/c/h.txt', 'x.txt']) await freshTime(path);
}

interface Scenario {
  name: string;
  change(): Promise<void>;
  /** What a watcher reports when it names only the top of each change. */
  top: string[];
  /** ... and when it names every path below it too (a watcher that reports every entry). */
  all: string[];
  skip?: boolean;
}

const scenarios: Scenario[] = [
  {
    name: 'a file created at the root',
    change: () => write('new.txt', 'new'),
    top: ['new.txt'],
    all: ['new.txt'],
  },
  {
    name: 'a file created three folders down',
    change: () => write('a/b/c/new.txt', 'new'),
    top: ['a/b/c/new.txt'],
    all: ['a/b/c/new.txt'],
  },
  {
    name: 'nested folders created with files (and an empty one)',
    async change() {
      await write('n/x/f.txt', 'f');
      await write('n/g.txt', 'g');
      await mkdir(at('n/empty'));
      await write('a/n2/deep/er/k.txt', 'k');
    },
    top: ['n', 'a/n2'],
    all: ['n', 'n/x', 'n/x/f.txt', 'n/g.txt', 'n/empty', 'a/n2', 'a/n2/deep', 'a/n2/deep/er', 'a/n2/deep/er/k.txt'],
  },
  {
    name: 'a file deleted',
    change: () => rm(at('a/f.txt')),
    top: ['a/f.txt'],
    all: ['a/f.txt'],
  },
  {
    name: 'a folder deleted with its contents',
    change: () => rm(at('a/b'), { recursive: true }),
    top: ['a/b'],
    all: ['a/b/c/h.txt', 'a/b/c', 'a/b/g.txt', 'a/b'],
  },
  {
    name: 'the folder holding our temp file deleted',
    change: () => rm(at('a'), { recursive: true }),
    top: ['a'],
    all: ['a/b/c/h.txt', 'a/b/c', 'a/b/g.txt', 'a/b', 'a/f.txt', `a/${TEMP}`, 'a'],
  },
  {
    name: 'a file renamed in its folder',
    change: () => rename(at('a/f.txt'), at('a/f2.txt')),
    top: ['a/f.txt', 'a/f2.txt'],
    all: ['a/f.txt', 'a/f2.txt'],
  },
  {
    name: 'a file moved into another folder',
    change: () => rename(at('top.txt'), at('a/b/top.txt')),
    top: ['top.txt', 'a/b/top.txt'],
    all: ['top.txt', 'a/b/top.txt'],
  },
  {
    name: 'a folder renamed',
    change: () => rename(at('a/b'), at('a/z')),
    top: ['a/b', 'a/z'],
    all: ['a/b/c/h.txt', 'a/b/c', 'a/b/g.txt', 'a/b', 'a/z', 'a/z/g.txt', 'a/z/c', 'a/z/c/h.txt'],
  },
  {
    name: 'a folder moved up to the root',
    change: () => rename(at('a/b/c'), at('c2')),
    top: ['a/b/c', 'c2'],
    all: ['a/b/c/h.txt', 'a/b/c', 'c2', 'c2/h.txt'],
  },
  {
    name: 'a file replaced by a folder of the same name',
    async change() {
      await rm(at('x.txt'));
      await write('x.txt/in.txt', 'inside');
    },
    top: ['x.txt'],
    all: ['x.txt', 'x.txt/in.txt'],
  },
  {
    name: 'a folder replaced by a file of the same name',
    async change() {
      await rm(at('a/b'), { recursive: true });
      await write('a/b', 'now a file');
    },
    top: ['a/b'],
    all: ['a/b/c/h.txt', 'a/b/c', 'a/b/g.txt', 'a/b'],
  },
  {
    name: 'a file rewritten with the same size',
    async change() {
      await write('a/f.txt', 'F');
      await freshTime('a/f.txt');
    },
    top: ['a/f.txt'],
    all: ['a/f.txt'],
  },
  {
    name: 'a file rewritten with another size',
    change: () => write('a/b/g.txt', 'a longer content'),
    top: ['a/b/g.txt'],
    all: ['a/b/g.txt'],
  },
  {
    name: 'a symlink to a file added',
    change: () => symlink(at('top.txt'), at('a/link.txt')),
    top: ['a/link.txt'],
    all: ['a/link.txt'],
  },
  {
    name: 'a symlink to a folder added, with a path reported below it',
    change: () => symlink(at('a/b'), at('link-to-b')),
    top: ['link-to-b'],
    all: ['link-to-b', 'link-to-b/g.txt', 'link-to-b/c', 'link-to-b/c/h.txt'],
  },
  {
    name: 'a path reported below an existing symlink',
    change: () => write('a/b/c/other.txt', 'o'),
    top: ['link-to-a/b/c/other.txt', 'a/b/c/other.txt'],
    all: ['link-to-a/b/c/other.txt', 'a/b/c/other.txt'],
  },
  {
    name: 'a symlink removed',
    change: () => rm(at('link-to-a')),
    top: ['link-to-a'],
    all: ['link-to-a'],
  },
  {
    name: 'a symlink replaced by a folder with a file',
    async change() {
      await rm(at('link-to-a'));
      await write('link-to-a/real.txt', 'real');
    },
    top: ['link-to-a'],
    all: ['link-to-a', 'link-to-a/real.txt'],
  },
  {
    name: 'a file replaced by a symlink',
    async change() {
      await rm(at('a/f.txt'));
      await symlink(at('x.txt'), at('a/f.txt'));
    },
    top: ['a/f.txt'],
    all: ['a/f.txt'],
  },
  {
    name: 'a file added inside a folder .terasyncignore ignores',
    change: () => write('build/new.o', 'object'),
    top: ['build/new.o'],
    all: ['build', 'build/new.o'],
  },
  {
    name: 'an ignored folder created below a new folder',
    change: () => write('deep/build/sub/out.o', 'object'),
    top: ['deep'],
    all: ['deep', 'deep/build', 'deep/build/sub', 'deep/build/sub/out.o'],
  },
  {
    name: 'a file matching an ignore pattern, and a built-in ignored name',
    async change() {
      await write('a/debug.log', 'log');
      await write('a/b/.DS_Store', 'finder');
      await write('a/~$report.docx', 'lock');
    },
    top: ['a/debug.log', 'a/b/.DS_Store', 'a/~$report.docx'],
    all: ['a/debug.log', 'a/b/.DS_Store', 'a/~$report.docx'],
  },
  {
    name: 'a temp file of ours appears in a folder',
    change: () => write(`a/b/${TEMP_PREFIX}fedcba987654${TEMP_SUFFIX}`, 'partial'),
    top: [`a/b/${TEMP_PREFIX}fedcba987654${TEMP_SUFFIX}`],
    all: [`a/b/${TEMP_PREFIX}fedcba987654${TEMP_SUFFIX}`],
  },
  {
    name: 'our temp file renamed into place (a finished download)',
    change: () => rename(at(`a/${TEMP}`), at('a/downloaded.txt')),
    top: [`a/${TEMP}`, 'a/downloaded.txt'],
    all: [`a/${TEMP}`, 'a/downloaded.txt'],
  },
  {
    name: 'a temp file of ours inside an ignored folder',
    change: () => write(`build/${TEMP}`, 'partial'),
    top: [`build/${TEMP}`],
    all: ['build', `build/${TEMP}`],
  },
  {
    name: 'a name spelled NFD on disk',
    change: () => write(`a/${NFD_NAME}`, 'accents'),
    top: [`a/${NFD_NAME}`],
    all: [`a/${NFD_NAME}`],
  },
  {
    name: 'paths that came and went before the run',
    async change() {
      await write('gone/inner.txt', 'brief');
      await rm(at('gone'), { recursive: true });
      await write('a/gone.txt', 'brief');
      await rm(at('a/gone.txt'));
    },
    top: ['gone', 'a/gone.txt'],
    all: ['gone', 'gone/inner.txt', 'a/gone.txt'],
  },
  {
    name: 'paths reported that did not change',
    change: async () => undefined,
    top: ['a/b', 'top.txt', 'empty'],
    all: ['a/b', 'a/b/g.txt', 'a/b/c', 'a/b/c/h.txt', 'top.txt', 'empty'],
  },
  {
    name: 'a FIFO created',
    skip: mkfifo.skip,
    async change() {
      mkfifo.assertAvailable();
      execFileSync('mkfifo', [at('a/pipe')]);
    },
    top: ['a/pipe'],
    all: ['a/pipe'],
  },
  {
    name: 'many changes at once',
    async change() {
      await rm(at('a/b/c'), { recursive: true });
      await rename(at('x.txt'), at('empty/x.txt'));
      for (let i = 0; i < 40; i++) await write(`many/m${i % 4}/f${i}.txt`, `file ${i}`);
      await write('a/b/g.txt', 'changed');
    },
    top: ['a/b/c', 'x.txt', 'empty/x.txt', 'many', 'a/b/g.txt'],
    all: [
      'a/b/c/h.txt',
      'a/b/c',
      'x.txt',
      'empty/x.txt',
      'many',
      ...[0, 1, 2, 3].map((i) => `many/m${i}`),
      ...Array.from({ length: 40 }, (_, i) => `many/m${i % 4}/f${i}.txt`),
      'a/b/g.txt',
    ],
  },
];

const variants = [
  { variant: 'only the top path', pick: (s: Scenario) => s.top, folderTimes: false },
  { variant: 'parent and child paths', pick: (s: Scenario) => s.all, folderTimes: false },
  { variant: 'with parents (folder mtimes compared too)', pick: (s: Scenario) => withParents(s.top), folderTimes: true },
];

describe('updateScan equals a full scan of the changed tree', () => {
  const cases = scenarios.flatMap((scenario) => variants.map((variant) => ({ ...variant, scenario, title: `${scenario.name}; ${variant.variant}` })));

  const check = async ({ scenario, pick, folderTimes }: (typeof cases)[number]): Promise<void> => {
    await baseTree();
    const previous = await fullScan();
    await scenario.change();
    await expectUpToDate(previous, pick(scenario), folderTimes);
  };
  it.each(cases.filter((c) => !c.scenario.skip))('$title', check);
  const unavailable = cases.filter((c) => c.scenario.skip);
  if (unavailable.length > 0) it.skip.each(unavailable)('$title', check);

  it('the base tree has what the scenarios rely on (entries, a skipped symlink, a temp file, an ignored folder)', async () => {
    await baseTree();
    const scan = await fullScan();
    expect(scan.entries.get('a/b/c/h.txt')?.type).toBe('file');
    expect(scan.entries.get('empty')?.type).toBe('dir');
    expect(scan.entries.has('build')).toBe(false);
    expect(scan.skipped.map((entry) => [entry.path, entry.reason])).toEqual([['link-to-a', 'symlink']]);
    expect(scan.tempFiles).toEqual([`a/${TEMP}`]);
  });

  it('an NFD name is keyed by its NFC form and keeps its spelling on disk', async () => {
    await baseTree();
    const previous = await fullScan();
    await write(`a/${NFD_NAME}`, 'accents');
    const updated = await update(previous, [`a/${NFD_NAME}`]);
    const entry = updated?.entries.get(`a/${NFD_NAME.normalize('NFC')}`);
    expect(entry?.localPath).toBe(`a/${NFD_NAME}`);
    expect(updated?.entries.has(`a/${NFD_NAME}`)).toBe(false);
  });

  it('a folder that is reported gets its new mtime', async () => {
    await baseTree();
    await utimes(at('a'), 1_000_000, 1_000_000);
    const previous = await fullScan();
    await write('a/new.txt', 'new');
    const withFolder = await update(previous, ['a', 'a/new.txt']);
    expect(withFolder?.entries.get('a')?.mtimeMs).toBe((await lstat(at('a'))).mtimeMs);
    expect(withFolder?.entries.get('a')?.mtimeMs).not.toBe(1_000_000_000);
  });

  it('chained updates stay equal to a full scan', async () => {
    await baseTree();
    let scan = await fullScan();
    await write('n/one.txt', '1');
    scan = await expectUpToDate(scan, ['n', 'n/one.txt'], false, 'step 1');
    await rename(at('n'), at('a/n'));
    scan = await expectUpToDate(scan, ['n', 'a/n'], false, 'step 2');
    await write('a/n/one.txt', 'one, longer');
    scan = await expectUpToDate(scan, ['a/n/one.txt'], false, 'step 3');
    await rm(at('a'), { recursive: true });
    await expectUpToDate(scan, ['a'], false, 'step 4');
  });
});

describe('updateScan gives up (null) when only a full scan will do', () => {
  it('the ignore file is among the changes', async () => {
    await baseTree();
    const previous = await fullScan();
    await write(IGNORE_FILE, '*.txt\n');
    expect(await update(previous, [IGNORE_FILE])).toBeNull();
    expect(await update(previous, ['a/f.txt', IGNORE_FILE, 'top.txt'])).toBeNull();
  });

  it(`more than MAX_INCREMENTAL_CHANGES (${MAX_INCREMENTAL_CHANGES}) distinct paths; exactly that many still work`, async () => {
    await baseTree();
    const previous = await fullScan();
    const names = Array.from({ length: MAX_INCREMENTAL_CHANGES + 1 }, (_, i) => `bulk/f${i}.txt`);
    await mkdir(at('bulk'));
    await Promise.all(names.map((name) => writeFile(at(name), name)));
    expect(await update(previous, ['bulk', ...names.slice(0, MAX_INCREMENTAL_CHANGES)])).toBeNull();
    await expectUpToDate(previous, ['bulk', ...names.slice(0, MAX_INCREMENTAL_CHANGES - 1)], false);
  });

  it('a path reported many times counts once', async () => {
    await baseTree();
    const previous = await fullScan();
    await write('a/f.txt', 'again and again');
    await expectUpToDate(previous, Array.from({ length: MAX_INCREMENTAL_CHANGES * 2 }, () => 'a/f.txt'), false);
  });

  it("a path whose new parent folder was not reported (the folder's event was missed)", async () => {
    await baseTree();
    const previous = await fullScan();
    await write('n/x/f.txt', 'f');
    expect(await update(previous, ['n/x/f.txt'])).toBeNull();
    expect(await update(previous, ['n/x', 'n/x/f.txt'])).toBeNull();
    expect(await update(previous, ['top.txt', 'n/x/f.txt'])).toBeNull();
  });

  it('a path below what the previous scan had as a file', async () => {
    await baseTree();
    const previous = await fullScan();
    await rm(at('x.txt'));
    await write('x.txt/in.txt', 'inside');
    expect(await update(previous, ['x.txt/in.txt'])).toBeNull();
  });

  it('does not change the previous scan when it gives up either', async () => {
    await baseTree();
    const previous = await fullScan();
    const before = frozenCopy(previous);
    await write('n/x/f.txt', 'f');
    await write('a/f.txt', 'changed');
    expect(await update(previous, ['a/f.txt', 'n/x/f.txt'])).toBeNull();
    expect(previous).toEqual(before);
  });

  it('the root itself reported (as "" or ".") changes nothing', async () => {
    await baseTree();
    const previous = await fullScan();
    await expectUpToDate(previous, ['', '.'], true);
  });
});

// ---- randomised ---------------------------------------------------------------------------


interface RealEntry {
  path: string;
  kind: 'file' | 'dir' | 'symlink';
}

/** The tree as it is on disk, without following symlinks; the ignore file left out. */
async function realTree(): Promise<RealEntry[]> {
  const out: RealEntry[] = [];
  const walk = async (relative: string): Promise<void> => {
    for (const child of await readdir(relative === '' ? root : at(relative), { withFileTypes: true })) {
      const path = relative === '' ? child.name : `${relative}/${child.name}`;
      if (path === IGNORE_FILE) continue;
      if (child.isSymbolicLink()) out.push({ path, kind: 'symlink' });
      else if (child.isDirectory()) {
        out.push({ path, kind: 'dir' });
        await walk(path);
      } else out.push({ path, kind: 'file' });
    }
  };
  await walk('');
  return out;
}

const NAMES = ['a', 'b', 'c', 'd.txt', 'e.txt', 'build', 'x.log', NFD_NAME, `${TEMP_PREFIX}aaaaaaaaaaaa${TEMP_SUFFIX}`, '.DS_Store', 'k'];

function describeOp(op: string, paths: readonly string[]): string {
  return `${op} ${paths.join(' -> ')}`;
}

describe('updateScan against a full scan, randomised', () => {
  const seed = Number(process.env['TERASYNC_SEED'] ?? 20_250_101);
  const TREES = 40;
  const ROUNDS = 5;

  it(`${TREES * ROUNDS} rounds of random changes on small trees (seed ${seed}; set TERASYNC_SEED to replay)`, async () => {
    const random = mulberry32(seed);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    let iteration = 0;

    for (let tree = 0; tree < TREES; tree++) {
      await rm(root, { recursive: true, force: true });
      await mkdir(root);
      await write(IGNORE_FILE, 'build/\n*.log\n');
      // A small random start: a few folders and files.
      for (let i = 0; i < 4 + Math.floor(random() * 8); i++) {
        const folders = ['', ...(await realTree()).filter((e) => e.kind === 'dir').map((e) => e.path)];
        const parent = pick(folders);
        const name = pick(NAMES);
        const path = parent === '' ? name : `${parent}/${name}`;
        try {
          if (random() < 0.35) await mkdir(at(path));
          else await writeFile(at(path), `start ${i}`);
        } catch {
          // Taken already.
        }
      }
      let scan = await fullScan();

      for (let round = 0; round < ROUNDS; round++, iteration++) {
        const log: string[] = [];
        const reported: string[] = [];
        const operations = 1 + Math.floor(random() * 4);
        for (let n = 0; n < operations; n++) {
          const entries = await realTree();
          const folders = ['', ...entries.filter((e) => e.kind === 'dir').map((e) => e.path)];
          const descendants = (path: string): string[] => entries.filter((e) => e.path.startsWith(`${path}/`)).map((e) => e.path);
          const report = (paths: string[]): void => {
            reported.push(...paths);
          };
          const freeName = (parent: string): string | null => {
            const taken = new Set(entries.map((e) => e.path));
            for (let attempt = 0; attempt < 8; attempt++) {
              const name = pick(NAMES);
              const path = parent === '' ? name : `${parent}/${name}`;
              if (!taken.has(path)) return path;
            }
            return null;
          };
          const everyPath = random() < 0.5;
          const op = pick(['create', 'create', 'mkdir', 'modify', 'modify', 'delete', 'rename', 'replace', 'symlink', 'noop']);
          const target = entries.length > 0 ? pick(entries) : null;
          switch (op) {
            case 'create': {
              const path = freeName(pick(folders));
              if (path === null) break;
              await writeFile(at(path), 'c'.repeat(Math.floor(random() * 5)));
              report([path]);
              log.push(describeOp(op, [path]));
              break;
            }
            case 'mkdir': {
              const path = freeName(pick(folders));
              if (path === null) break;
              await mkdir(at(path));
              const inside: string[] = [];
              for (let i = 0; i < Math.floor(random() * 3); i++) {
                const child = `${path}/${pick(NAMES)}`;
                if (inside.includes(child)) continue;
                if (random() < 0.3) {
                  await mkdir(at(child));
                  await writeFile(at(`${child}/inner.txt`), 'inner');
                  inside.push(child, `${child}/inner.txt`);
                } else {
                  await writeFile(at(child), 'child');
                  inside.push(child);
                }
              }
              report(everyPath ? [path, ...inside] : [path]);
              log.push(describeOp(op, [path, ...inside]));
              break;
            }
            case 'modify': {
              if (target === null || target.kind !== 'file') break;
              await writeFile(at(target.path), 'm'.repeat(Math.floor(random() * 5)));
              if (random() < 0.5) await freshTime(target.path);
              report([target.path]);
              log.push(describeOp(op, [target.path]));
              break;
            }
            case 'delete': {
              if (target === null) break;
              const below = descendants(target.path);
              await rm(at(target.path), { recursive: true, force: true });
              report(everyPath ? [...below.reverse(), target.path] : [target.path]);
              log.push(describeOp(op, [target.path]));
              break;
            }
            case 'rename': {
              if (target === null) break;
              const parents = folders.filter((folder) => folder !== target.path && !folder.startsWith(`${target.path}/`));
              const to = freeName(pick(parents));
              if (to === null) break;
              const below = descendants(target.path);
              await rename(at(target.path), at(to));
              const moved = below.map((path) => to + path.slice(target.path.length));
              report(everyPath ? [target.path, ...below, to, ...moved] : [target.path, to]);
              log.push(describeOp(op, [target.path, to]));
              break;
            }
            case 'replace': {
              if (target === null || target.kind === 'symlink') break;
              const below = descendants(target.path);
              await rm(at(target.path), { recursive: true, force: true });
              if (target.kind === 'file') {
                await mkdir(at(target.path));
                await writeFile(at(`${target.path}/now.txt`), 'now a folder');
                report(everyPath ? [target.path, `${target.path}/now.txt`] : [target.path]);
              } else {
                await writeFile(at(target.path), 'now a file');
                report(everyPath ? [...below, target.path] : [target.path]);
              }
              log.push(describeOp(`${op} ${target.kind}`, [target.path]));
              break;
            }
            case 'symlink': {
              const path = freeName(pick(folders));
              if (path === null) break;
              await symlink(random() < 0.5 ? root : at('missing'), at(path));
              report([path]);
              log.push(describeOp(op, [path]));
              break;
            }
            default: {
              if (target !== null) report([target.path]);
              log.push(describeOp('noop', target ? [target.path] : []));
            }
          }
        }
        scan = await expectUpToDate(scan, reported, false, `(seed ${seed}, tree ${tree}, round ${round}, iteration ${iteration}: ${log.join('; ')})`);
      }
    }
    expect(iteration).toBe(TREES * ROUNDS);
  });
});
