import { describe, expect, it } from 'vitest';
import {
  baseName,
  caseConflictName,
  conflictName,
  isWithin,
  joinPath,
  localNameProblem,
  normalizePath,
  parentPath,
  pathKey,
  safeDeviceName,
} from '../../../../electron/sync/names.js';

const PLATFORMS = ['win32', 'darwin', 'linux'] as const;

describe('localNameProblem', () => {
  it.each(PLATFORMS)('refuses names that are not file names or could escape the root on %s', (platform) => {
    for (const name of ['', '.', '..', 'a/b', 'a\\b', 'a\u0000b', '../etc']) {
      expect(localNameProblem(name, platform), JSON.stringify(name)).not.toBeNull();
    }
  });

  it.each(PLATFORMS)('accepts ordinary names on %s', (platform) => {
    for (const name of ['Report.pdf', '.bashrc', 'a b', 'caf\u00e9.txt', '...x', 'CONSOLE.txt', 'con-tract.txt', 'Makefile', '日本語.txt']) {
      expect(localNameProblem(name, platform), name).toBeNull();
    }
  });

  it('on win32 refuses reserved device names, with or without an extension and in any case', () => {
    for (const name of ['CON', 'con', 'CON.txt', 'prn.log', 'AUX', 'NUL.tar.gz', 'COM1', 'com9.txt', 'LPT1', 'lpt3.doc', 'COM\u00b9']) {
      expect(localNameProblem('x', 'win32')).toBeNull();
      expect(localNameProblem(name, 'win32'), name).toMatch(/reserves/);
    }
  });

  it('on win32 refuses < > : " | ? * and control characters', () => {
    for (const name of ['a<b', 'a>b', 'a:b', 'a"b', 'a|b', 'a?b', 'a*b', 'a\u0001b', 'a\u001fb', 'tab\there']) {
      expect(localNameProblem(name, 'win32'), JSON.stringify(name)).toMatch(/Windows does not allow/);
    }
  });

  it('on win32 refuses a trailing dot or space', () => {
    expect(localNameProblem('trailing.', 'win32')).toMatch(/ends with a dot or a space/);
    expect(localNameProblem('trailing ', 'win32')).toMatch(/ends with a dot or a space/);
    expect(localNameProblem(' leading', 'win32')).toBeNull();
    expect(localNameProblem('.leading', 'win32')).toBeNull();
  });

  it('on darwin refuses only ":" beyond the common rules', () => {
    expect(localNameProblem('a:b', 'darwin')).toMatch(/macOS/);
    for (const name of ['CON.txt', 'a<b', 'a?b', 'trailing.', 'trailing ']) {
      expect(localNameProblem(name, 'darwin'), name).toBeNull();
    }
  });

  it('on linux accepts every name Windows or macOS refuse', () => {
    for (const name of ['CON.txt', 'a:b', 'a<b', 'a?b', 'a*b', 'a|b', 'a"b', 'trailing.', 'trailing ', 'a\u0001b']) {
      expect(localNameProblem(name, 'linux'), JSON.stringify(name)).toBeNull();
    }
  });
});

describe('conflictName', () => {
  const at = new Date(2026, 10, 28, 10, 15, 0);

  it('puts the conflict stamp before the extension of a file', () => {
    expect(conflictName('Report.pdf', true, at, 'laptop')).toBe('Report (conflict 2026-11-28 101500 laptop).pdf');
  });

  it('splits only the last extension', () => {
    expect(conflictName('archive.tar.gz', true, at, 'laptop')).toBe('archive.tar (conflict 2026-11-28 101500 laptop).gz');
  });

  it('appends to a dotfile and to a name without extension', () => {
    expect(conflictName('.bashrc', true, at, 'laptop')).toBe('.bashrc (conflict 2026-11-28 101500 laptop)');
    expect(conflictName('Makefile', true, at, 'laptop')).toBe('Makefile (conflict 2026-11-28 101500 laptop)');
  });

  it('never splits a folder name', () => {
    expect(conflictName('photos.2024', false, at, 'laptop')).toBe('photos.2024 (conflict 2026-11-28 101500 laptop)');
    expect(conflictName('Photos', false, at, 'laptop')).toBe('Photos (conflict 2026-11-28 101500 laptop)');
  });

  it('numbers further attempts from 2', () => {
    expect(conflictName('Report.pdf', true, at, 'laptop', 0)).toBe('Report (conflict 2026-11-28 101500 laptop).pdf');
    expect(conflictName('Report.pdf', true, at, 'laptop', 1)).toBe('Report (conflict 2026-11-28 101500 laptop 2).pdf');
    expect(conflictName('Report.pdf', true, at, 'laptop', 2)).toBe('Report (conflict 2026-11-28 101500 laptop 3).pdf');
    expect(conflictName('Photos', false, at, 'laptop', 1)).toBe('Photos (conflict 2026-11-28 101500 laptop 2)');
  });

  it('zero-pads month, day, hours, minutes and seconds', () => {
    expect(conflictName('a.txt', true, new Date(2027, 0, 5, 3, 4, 5), 'pc')).toBe('a (conflict 2027-01-05 030405 pc).txt');
  });

  it('gives a name with no problem on any platform', () => {
    const name = conflictName('Report.pdf', true, at, safeDeviceName('My Laptop: "work"'));
    for (const platform of PLATFORMS) expect(localNameProblem(name, platform)).toBeNull();
  });
});

describe('caseConflictName', () => {
  it('puts the marker before the extension of a file', () => {
    expect(caseConflictName('Readme.md', true)).toBe('Readme (case conflict).md');
  });

  it('appends to a folder, a dotfile and a name without extension', () => {
    expect(caseConflictName('Docs.old', false)).toBe('Docs.old (case conflict)');
    expect(caseConflictName('.env', true)).toBe('.env (case conflict)');
    expect(caseConflictName('LICENSE', true)).toBe('LICENSE (case conflict)');
  });

  it('numbers further attempts from 2', () => {
    expect(caseConflictName('Readme.md', true, 1)).toBe('Readme (case conflict 2).md');
    expect(caseConflictName('Docs', false, 3)).toBe('Docs (case conflict 4)');
  });
});

describe('safeDeviceName', () => {
  it('replaces whitespace by dashes', () => {
    expect(safeDeviceName('My  Laptop')).toBe('My-Laptop');
    expect(safeDeviceName('laptop')).toBe('laptop');
  });

  it('drops characters some platform refuses, and parentheses', () => {
    expect(safeDeviceName('a<b>:c"d/e\\f|g?h*i')).toBe('abcdefghi');
    expect(safeDeviceName('(work) pc')).toBe('work-pc');
    expect(safeDeviceName('tab\u0001ctl')).toBe('tabctl');
  });

  it('drops trailing dots, spaces and dashes', () => {
    expect(safeDeviceName('host. ')).toBe('host');
    expect(safeDeviceName('host...')).toBe('host');
    expect(safeDeviceName('host-')).toBe('host');
  });

  it('is NFC and at most 40 characters', () => {
    expect(safeDeviceName('Jose\u0301')).toBe('Jos\u00e9');
    expect(safeDeviceName('x'.repeat(100))).toBe('x'.repeat(40));
  });

  it('falls back on "device" when nothing is left', () => {
    expect(safeDeviceName('')).toBe('device');
    expect(safeDeviceName('???')).toBe('device');
    expect(safeDeviceName(' . ')).toBe('device');
  });

  it('gives conflict names with no problem on any platform', () => {
    const at = new Date(2026, 10, 28, 10, 15, 0);
    for (const raw of ['CON', 'a:b', 'trailing.', 'My Mac (2)', 'x'.repeat(100), `${'x'.repeat(39)}. y`]) {
      const device = safeDeviceName(raw);
      expect(device).not.toMatch(/[<>:"/\\|?*()\s]/);
      expect([...device].every((char) => char.charCodeAt(0) >= 0x20)).toBe(true);
      for (const name of [conflictName('Report.pdf', true, at, device), conflictName('Photos', false, at, device)]) {
        for (const platform of PLATFORMS) expect(localNameProblem(name, platform), `${raw} -> ${name}`).toBeNull();
      }
    }
  });
});

describe('isWithin', () => {
  it('is true for the path itself and what lies below it', () => {
    expect(isWithin('a', 'a')).toBe(true);
    expect(isWithin('a/b', 'a')).toBe(true);
    expect(isWithin('a/b/c.txt', 'a')).toBe(true);
    expect(isWithin('a/b/c.txt', 'a/b')).toBe(true);
  });

  it('treats the root as the ancestor of everything', () => {
    expect(isWithin('a', '')).toBe(true);
    expect(isWithin('', '')).toBe(true);
  });

  it('is false for siblings sharing a prefix, for ancestors and for unrelated paths', () => {
    expect(isWithin('ab', 'a')).toBe(false);
    expect(isWithin('a b/c', 'a')).toBe(false);
    expect(isWithin('a.txt', 'a')).toBe(false);
    expect(isWithin('a', 'a/b')).toBe(false);
    expect(isWithin('b/a', 'a')).toBe(false);
  });
});

describe('pathKey and path helpers', () => {
  it('normalises to NFC', () => {
    expect(pathKey('cafe\u0301.txt', false)).toBe('caf\u00e9.txt');
    expect(pathKey('dir/cafe\u0301/x', false)).toBe('dir/caf\u00e9/x');
    expect(normalizePath('cafe\u0301')).toBe('caf\u00e9');
  });

  it('keeps case when case-sensitive and folds it when case-insensitive', () => {
    expect(pathKey('Docs/README.md', false)).toBe('Docs/README.md');
    expect(pathKey('Docs/README.md', true)).toBe('docs/readme.md');
    expect(pathKey('Readme.md', true)).toBe(pathKey('README.md', true));
    expect(pathKey('Readme.md', false)).not.toBe(pathKey('README.md', false));
  });

  it('makes the NFD and NFC spellings of a name with different case one key when case-insensitive', () => {
    expect(pathKey('CAFE\u0301.TXT', true)).toBe(pathKey('caf\u00e9.txt', true));
  });

  it('splits and joins relative paths', () => {
    expect(parentPath('a/b/c.txt')).toBe('a/b');
    expect(parentPath('a')).toBe('');
    expect(baseName('a/b/c.txt')).toBe('c.txt');
    expect(baseName('c.txt')).toBe('c.txt');
    expect(joinPath('', 'a')).toBe('a');
    expect(joinPath('a/b', 'c')).toBe('a/b/c');
  });
});
