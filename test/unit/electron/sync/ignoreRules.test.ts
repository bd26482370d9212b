/**
 * The ignore matcher: built-in names, the app's patterns, `.terasyncignore` lines and their
 * precedence, and excluded folders taken literally whatever characters their names hold.
 */
import { describe, expect, it } from 'vitest';
import { createIgnoreMatcher, escapeGitignore, excludedFolderPatterns } from '../../../../electron/sync/ignoreRules.js';

describe('the app patterns', () => {
  it('apply like .terasyncignore lines', () => {
    const matcher = createIgnoreMatcher('', { appPatterns: ['*.o', 'node_modules/', '# a comment', ''] });
    expect(matcher.ignores('main.o', false)).toBe(true);
    expect(matcher.ignores('src/deep/main.o', false)).toBe(true);
    expect(matcher.ignores('web/node_modules', true)).toBe(true);
    expect(matcher.ignores('node_modules', false)).toBe(false);
    expect(matcher.ignores('main.c', false)).toBe(false);
    expect(matcher.ignores('# a comment', false)).toBe(false);
  });

  it('give way to a pair .terasyncignore that re-includes a name', () => {
    const matcher = createIgnoreMatcher('!keep.o\n', { appPatterns: ['*.o'] });
    expect(matcher.ignores('keep.o', false)).toBe(false);
    expect(matcher.ignores('other.o', false)).toBe(true);
  });

  it('leave the built-in names ignored', () => {
    const matcher = createIgnoreMatcher('', { appPatterns: ['*.log'] });
    expect(matcher.ignores('.DS_Store', false)).toBe(true);
    expect(matcher.ignores('~$report.docx', false)).toBe(true);
  });
});

describe('excluded folders', () => {
  const odd = ['[draft] #1 !x* ?', 'trailing ', '  spaced  ', 'back\\slash', '#hash', '!bang', '**', 'a[bc]d', 'what?'];

  it.each(odd)('%j matches itself, anchored at the root, with everything below it', (name) => {
    const matcher = createIgnoreMatcher('', { excludedFolders: [name] });
    expect(matcher.ignores(name, true)).toBe(true);
    expect(matcher.ignores(`${name}/file.txt`, false)).toBe(true);
    expect(matcher.ignores(`${name}/deep/er`, true)).toBe(true);
    // A file of that name is not a folder; the same name deeper down is another folder.
    expect(matcher.ignores(name, false)).toBe(false);
    expect(matcher.ignores(`elsewhere/${name}`, true)).toBe(false);
  });

  it('match nothing a wildcard, class or dropped space would have matched', () => {
    const matcher = createIgnoreMatcher('', { excludedFolders: odd });
    const lookalikes = [
      'd] #1 !x* ?',
      '[draft] #1 !xyz ?',
      '[draft] #1 !x* !',
      'r',
      'trailing',
      'trailing  ',
      'spaced',
      '  spaced',
      'back/slash',
      'backslash',
      'hash',
      '#hashes',
      'bang',
      'anything',
      'a/b',
      'abd',
      'abcd',
      'a[bc]de',
      'whatx',
      'what',
    ];
    expect(lookalikes.filter((path) => matcher.ignores(path, true))).toEqual([]);
  });

  it('are paths below the pair root: only that folder, not one of the same name elsewhere', () => {
    const matcher = createIgnoreMatcher('', { excludedFolders: ['Photos/2019', '/Music/'] });
    expect(matcher.ignores('Photos/2019', true)).toBe(true);
    expect(matcher.ignores('Photos/2019/beach.jpg', false)).toBe(true);
    expect(matcher.ignores('Music/a.mp3', false)).toBe(true);
    expect(matcher.ignores('Photos', true)).toBe(false);
    expect(matcher.ignores('Photos/2020', true)).toBe(false);
    expect(matcher.ignores('2019', true)).toBe(false);
    expect(matcher.ignores('Old/Photos/2019', true)).toBe(false);
  });

  it('win over a .terasyncignore negation', () => {
    const matcher = createIgnoreMatcher('!Private/\n!Private/**\n', { excludedFolders: ['Private'] });
    expect(matcher.ignores('Private/notes.txt', false)).toBe(true);
  });

  it('match a name spelled in either Unicode form', () => {
    const nfc = 'Caf\u00e9';
    const nfd = 'Cafe\u0301';
    const matcher = createIgnoreMatcher('', { excludedFolders: [nfc] });
    expect(matcher.ignores(nfc, true)).toBe(true);
    expect(matcher.ignores(`${nfd}/menu.txt`, false)).toBe(true);
  });

  it('escape every character gitignore gives a meaning', () => {
    expect(escapeGitignore('[a] #1 !x* ?\\')).toBe('\\[a\\]\\ \\#1\\ \\!x\\*\\ \\?\\\\');
    expect(excludedFolderPatterns('A/[b]')).toEqual(['/A/\\[b\\]/']);
    expect(excludedFolderPatterns('')).toEqual([]);
  });
});
