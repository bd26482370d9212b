/**
 * The backup's words for people: plurals, a local failure as a sentence that says what failed,
 * where and what to do (never a bare errno), and server names shown readably.
 */
import { describe, expect, it } from 'vitest';
import { describeLocalError, plural, readableName } from '../../../../electron/backup/messages.js';

const errno = (code: string, message = `${code}: something, open '/x'`): NodeJS.ErrnoException => Object.assign(new Error(message), { code });

describe('backup messages', () => {
  it('counts with the right plural', () => {
    expect(plural(0, 'file')).toBe('0 files');
    expect(plural(1, 'file')).toBe('1 file');
    expect(plural(2, 'file')).toBe('2 files');
    expect(plural(1, 'copy', 'copies')).toBe('1 copy');
    expect(plural(3, 'copy', 'copies')).toBe('3 copies');
  });

  it('tells a local failure as a sentence: what, where, what to do; the errno only in parentheses', () => {
    expect(describeLocalError(errno('EACCES'), 'write', '/home/a/ro/.terasync-1.tmp')).toBe(
      'Cannot write /home/a/ro/.terasync-1.tmp: permission denied in /home/a/ro (EACCES). Give your user write permission on /home/a/ro, or restore into another folder.',
    );
    expect(describeLocalError(errno('EACCES'), 'read', '/home/a/Docs/secret.txt')).toBe(
      'Cannot read /home/a/Docs/secret.txt: permission denied (EACCES). Give your user read permission on it, or leave it out with .terasyncignore.',
    );
    expect(describeLocalError(errno('ENOSPC'), 'write', '/mnt/usb/big.bin')).toContain('the disk is full (ENOSPC). Free some space');
    expect(describeLocalError(errno('EROFS'), 'createFolder', '/media/cd/x')).toContain('read-only file system (EROFS)');
    expect(describeLocalError(errno('ENOENT'), 'createFolder', '/gone/x')).toContain('/gone does not exist');
    for (const code of ['EPERM', 'ENOTDIR', 'EISDIR', 'ENAMETOOLONG', 'EMFILE', 'EBUSY', 'EIO', 'EWHATEVER']) {
      const message = describeLocalError(errno(code), 'rename', '/a/b');
      expect(message).toMatch(/^Cannot rename \/a\/b: /);
      expect(message).not.toMatch(new RegExp(`^${code}`));
      expect(message.length).toBeGreaterThan(`Cannot rename /a/b: ${code}`.length + 10);
    }
  });

  it('shows a server name readably: percent-escapes decoded, bytes that are not UTF-8 as \\xNN', () => {
    expect(readableName('back%5Cslash.txt')).toBe('back\\slash.txt');
    expect(readableName('caf%C3%A9.txt')).toBe('café.txt');
    expect(readableName('caf%E9.txt')).toBe('caf\\xE9.txt');
    expect(readableName('%FF%C3%A9%E3%81')).toBe('\\xFFé\\xE3\\x81');
    expect(readableName('plain name.txt')).toBe('plain name.txt');
    expect(readableName('tab%09name')).toBe('tab\\u{9}name');
  });
});
