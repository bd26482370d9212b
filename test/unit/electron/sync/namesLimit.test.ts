/**
 * Names at the file system's limit (255 UTF-8 bytes on Linux and macOS and on the server, 255
 * UTF-16 units on Windows): conflict copies, case-conflict names and restore-conflict names
 * shorten the base name and keep the marker and the extension, cutting between characters.
 */
import { describe, expect, it } from 'vitest';
import { restoreConflictName } from '../../../../electron/backup/backupNames.js';
import { caseConflictName, conflictName, fitName, NAME_LIMIT, nameLength } from '../../../../electron/sync/names.js';

const bytes = (name: string): number => Buffer.byteLength(name, 'utf8');
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const at = new Date(2026, 11, 5, 7, 32, 30);
const SUFFIX = ' (conflict 2026-12-05 073230 device)';

describe('nameLength', () => {
  it('counts UTF-8 bytes, or UTF-16 units on win32', () => {
    for (const name of ['a', 'é', 'あ', '😀', 'e\u0301', 'a😀bあ', '\uD800x']) {
      expect(nameLength(name), name).toBe(bytes(name));
      expect(nameLength(name, 'linux'), name).toBe(bytes(name));
      expect(nameLength(name, 'darwin'), name).toBe(bytes(name));
      expect(nameLength(name, 'win32'), name).toBe(name.length);
    }
  });
});

describe('fitName at the boundary', () => {
  it('keeps a name of 254 or 255 bytes whole and cuts one of 256 by one character', () => {
    const suffix = ' (x)';
    const ext = '.txt';
    const base = (total: number): string => 'b'.repeat(total - suffix.length - ext.length);
    expect(fitName(base(254), suffix, ext)).toBe(`${base(254)}${suffix}${ext}`);
    expect(fitName(base(255), suffix, ext)).toBe(`${base(255)}${suffix}${ext}`);
    expect(bytes(fitName(base(255), suffix, ext))).toBe(255);
    const cut = fitName(base(256), suffix, ext);
    expect(cut).toBe(`${base(255)}${suffix}${ext}`);
    expect(bytes(cut)).toBe(255);
  });

  it('cuts 3-byte characters whole: 80 Japanese characters + .txt get a conflict copy of at most 255 bytes', () => {
    const base = 'あ'.repeat(80);
    const name = `${base}.txt`;
    expect(bytes(name)).toBe(244);
    const copy = conflictName(name, true, at, 'device');
    // 255 - the marker (36 bytes) - ".txt" = 215 bytes of room: 71 whole characters (213 bytes).
    expect(copy).toBe(`${'あ'.repeat(71)}${SUFFIX}.txt`);
    expect(bytes(copy)).toBe(253);
  });

  it('never cuts a 4-byte character (a surrogate pair) in two, at every room left', () => {
    for (let prefix = 0; prefix < 4; prefix++) {
      const base = `${'a'.repeat(prefix)}${'😀'.repeat(80)}`;
      const fitted = fitName(base, SUFFIX, '.txt');
      expect(fitted.endsWith(`${SUFFIX}.txt`)).toBe(true);
      expect(fitted).not.toMatch(LONE_SURROGATE);
      expect(bytes(fitted)).toBeLessThanOrEqual(NAME_LIMIT);
      // Maximal: one more character would not fit.
      expect(bytes(fitted) + 4).toBeGreaterThan(NAME_LIMIT);
      expect(base.startsWith(fitted.slice(0, -`${SUFFIX}.txt`.length))).toBe(true);
    }
  });

  it('never leaves a letter without its combining accent at the cut', () => {
    const base = 'e\u0301'.repeat(120); // 360 bytes, each "é" 3 bytes as two code points
    for (const suffix of [' (x)', ' (xy)', ' (xyz)']) {
      const fitted = fitName(base, suffix, '.txt');
      const kept = fitted.slice(0, -`${suffix}.txt`.length);
      expect(kept).toMatch(/^(e\u0301)+$/);
      expect(bytes(fitted)).toBeLessThanOrEqual(NAME_LIMIT);
      expect(bytes(fitted) + 3).toBeGreaterThan(NAME_LIMIT);
    }
  });

  it('on win32 counts UTF-16 units: 255 fit, 256 are cut, and a pair is never split', () => {
    const suffix = ' (x)';
    expect(fitName('あ'.repeat(247), suffix, '.txt', 'win32')).toBe(`${'あ'.repeat(247)}${suffix}.txt`); // 255 units, 749 bytes
    expect(fitName('あ'.repeat(248), suffix, '.txt', 'win32')).toBe(`${'あ'.repeat(247)}${suffix}.txt`);
    const emoji = fitName('😀'.repeat(200), suffix, '.txt', 'win32');
    expect(emoji).not.toMatch(LONE_SURROGATE);
    expect(emoji.length).toBe(254); // 247 units of room: 123 pairs, not 123.5
    expect(emoji).toBe(`${'😀'.repeat(123)}${suffix}.txt`);
  });

  it('drops spaces left at the end of the cut base', () => {
    // 215 bytes of room: the 210 a's and 5 of the 6 spaces.
    const base = `${'a'.repeat(210)}      ${'b'.repeat(100)}`;
    expect(fitName(base, SUFFIX, '.txt')).toBe(`${'a'.repeat(210)}${SUFFIX}.txt`);
  });

  it('cuts an extension so long that the base would have almost no room with the base', () => {
    const name = `x.${'y'.repeat(300)}`;
    const copy = conflictName(name, true, at, 'device');
    expect(bytes(copy)).toBe(NAME_LIMIT);
    expect(copy.endsWith(SUFFIX)).toBe(true);
    expect(copy.startsWith('x.yyy')).toBe(true);
  });

  it('keeps every kind of name within the limit, the marker and extension whole and the base a maximal prefix', () => {
    const alphabets = ['a', 'é', 'あ', '😀', 'aé', 'あ😀a', 'e\u0301'];
    for (const alphabet of alphabets) {
      for (let count = 1; count < 400; count += 7) {
        const base = alphabet.repeat(count);
        for (const platform of ['linux', 'win32'] as const) {
          const fitted = fitName(base, SUFFIX, '.txt', platform);
          const kept = fitted.slice(0, -`${SUFFIX}.txt`.length);
          expect(fitted.endsWith(`${SUFFIX}.txt`)).toBe(true);
          expect(nameLength(fitted, platform)).toBeLessThanOrEqual(NAME_LIMIT);
          expect(base.startsWith(kept)).toBe(true);
          expect(fitted).not.toMatch(LONE_SURROGATE);
          if (kept !== base) {
            const next = [...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(base.slice(kept.length))][0]!.segment;
            expect(nameLength(fitted, platform) + nameLength(next, platform)).toBeGreaterThan(NAME_LIMIT);
          }
        }
      }
    }
  });
});

describe('the names that use fitName', () => {
  const long = `${'写'.repeat(80)}.txt`;

  it('conflict copies of files and folders, with the attempt number kept', () => {
    const second = conflictName(long, true, at, 'device', 1);
    expect(second).toBe(`${'写'.repeat(71)} (conflict 2026-12-05 073230 device 2).txt`);
    const folder = conflictName('写'.repeat(84), false, at, 'device');
    expect(folder).toBe(`${'写'.repeat(73)}${SUFFIX}`);
    expect(bytes(folder)).toBe(255);
    // A short name is as it always was.
    expect(conflictName('Report.pdf', true, at, 'device')).toBe(`Report${SUFFIX}.pdf`);
  });

  it('case-conflict names', () => {
    const name = caseConflictName(`${'写'.repeat(84)}.md`, true, 2);
    expect(name).toBe(`${'写'.repeat(78)} (case conflict 3).md`);
    expect(bytes(name)).toBeLessThanOrEqual(NAME_LIMIT);
  });

  it('restore-conflict names, by the limit of the platform the restore runs on', () => {
    const name = `${'写'.repeat(100)}.txt`; // 304 bytes, 104 units
    const linux = restoreConflictName(name, true, at, 0, 'linux');
    expect(linux).toBe(`${'写'.repeat(71)} (restore conflict 2026-12-05 073230).txt`);
    expect(bytes(linux)).toBeLessThanOrEqual(NAME_LIMIT);
    expect(restoreConflictName(name, true, at, 0, 'darwin')).toBe(linux);
    // Windows counts 141 units here: nothing to cut.
    expect(restoreConflictName(name, true, at, 0, 'win32')).toBe(`${'写'.repeat(100)} (restore conflict 2026-12-05 073230).txt`);
    expect(restoreConflictName(name, true, at, 0)).toBe(restoreConflictName(name, true, at, 0, process.platform));
  });
});
