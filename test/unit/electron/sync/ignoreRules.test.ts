/**
 * The ignore matcher: built-in names, the app's patterns, `.terasyncignore` lines and their
 * precedence, and excluded folders taken literally whatever characters their names hold.
 */
import ignore from 'ignore';
import { describe, expect, it } from 'vitest';
import { BUILT_IN_IGNORES, createIgnoreMatcher, escapeGitignore, excludedFolderPatterns } from '../../../../electron/sync/ignoreRules.js';
import { mulberry32 } from '../../../support/prng.js';

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

describe('a big tree', () => {
  // The matcher asks files of copies of the rules that it replaces as it goes (so that no
  // instance of the library holds an answer for every path): the answers must be those of one
  // instance asked everything, in any order, however many copies the questions span.
  it('gets the answers one instance of the library gives, in any order', () => {
    const user = ['*.tmp', '!keep.tmp', 'build/', '/top.txt', 'docs/**/draft*', '!docs/a/draft1', 'n1/', '!n1/', 'f3*'].join('\n');
    const appPatterns = ['*.bak', 'cache/'];
    const excludedFolders = ['d2/private'];
    const reference = ignore({ ignorecase: false })
      .add(BUILT_IN_IGNORES)
      .add(appPatterns)
      .add(user)
      .add(excludedFolders.flatMap(excludedFolderPatterns));
    const random = mulberry32(15);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    // Other cases too: the rules are case-sensitive, and a copy must be as well.
    const folders = ['d1', 'd2', 'docs', 'build', 'Build', 'n1', 'cache', 'private', 'a'];
    const names = ['x.txt', 'keep.tmp', 'y.tmp', 'Y.TMP', 'draft1', 'draft2', 'top.txt', 'f3.dat', 'z.bak', '.DS_Store', 'Thumbs.db', 'thumbs.db', 'ok.jpg'];
    const questions: Array<[path: string, isDir: boolean]> = [];
    for (let index = 0; index < 30_000; index++) {
      const depth = 1 + Math.floor(random() * 4);
      const segments = Array.from({ length: depth }, () => pick(folders));
      const isDir = random() < 0.2;
      if (!isDir) segments.push(random() < 0.5 ? pick(names) : `file${index}.txt`);
      questions.push([segments.join('/'), isDir]);
    }
    // Every question twice, the second round in another order, as the scan, the journal and
    // the listing each ask.
    const shuffled = [...questions].sort(() => random() - 0.5);
    const matcher = createIgnoreMatcher(user, { appPatterns, excludedFolders });
    const got = [...questions, ...shuffled].map(([path, isDir]) => matcher.ignores(path, isDir));
    const expected = [...questions, ...shuffled].map(([path, isDir]) => reference.ignores(isDir ? `${path}/` : path));
    expect(got).toEqual(expected);
    // Both answers occur, for files and for folders.
    const all = [...questions, ...shuffled];
    expect(new Set(got.filter((_, index) => !all[index]?.[1]))).toEqual(new Set([true, false]));
    expect(new Set(got.filter((_, index) => all[index]?.[1]))).toEqual(new Set([true, false]));
  });
});
