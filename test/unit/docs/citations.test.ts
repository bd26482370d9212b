/**
 * Every document the repository cites is in the repository, and no comment points to a folder
 * of one machine: whoever picks the project up must be able to read what a comment refers to.
 *
 * The files are the tracked ones (`git ls-files`): source, tests, scripts, configuration and
 * documents. In code only the comments are read (strings hold test data, such as files named
 * after a readme); a Markdown document is read whole. This header follows its own rules too,
 * so its examples below cite only what exists and spell no machine path out.
 *
 * - A citation is a name ending in `.md`: bare (`SERVICE.md`) or a path (`docs/SERVICE.md`,
 *   or one relative to the citing file). A bare name must be a tracked file at the root, in
 *   docs/ or beside the citing file; a path must be one from the root or from the citing
 *   file's folder. A web address is not a citation.
 * - A machine path is an absolute path into a workspace or someone's home folder: one that
 *   starts with the folders `work` or `root` at the top of the file system, or with a user's
 *   folder under `home` or `Users` (or Windows' `C:` Users folder). The made-up users of the
 *   examples (alice, you, ...) are not machines and are allowed.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { describe, expect, it } from 'vitest';

const repo = join(import.meta.dirname, '..', '..', '..');

/** The users of made-up example paths in the docs and comments. */
const EXAMPLE_USERS = new Set(['alice', 'bob', 'you', 'me', 'a', 'user']);

const CODE = /\.(?:ts|tsx|js|mjs|cjs|css)$/;
const MARKDOWN = /\.md$/;
const HASH_COMMENTS = /\.(?:ya?ml|sh)$/;
const HTML = /\.html$/;

interface Finding {
  /** `path:line` */
  where: string;
  text: string;
}

/**
 * `text` with everything but its comments blanked out (newlines kept, so line numbers hold):
 * `//` and `/* *\/` comments of JavaScript, TypeScript and CSS. Strings, template literals and
 * regular expression literals are skipped, so a `//` or a quote inside them starts nothing.
 */
function jsComments(text: string): string {
  const out: string[] = text.split('').map((character) => (character === '\n' ? '\n' : ' '));
  let index = 0;
  /** The last character of code that is not blank: tells a regular expression from a division. */
  let previous = '';
  const keep = (from: number, to: number): void => {
    for (let position = from; position < to; position += 1) out[position] = text[position] ?? ' ';
  };
  while (index < text.length) {
    const character = text[index] ?? '';
    const next = text[index + 1] ?? '';
    if (character === '/' && next === '/') {
      const end = text.indexOf('\n', index);
      const stop = end < 0 ? text.length : end;
      keep(index, stop);
      index = stop;
    } else if (character === '/' && next === '*') {
      const end = text.indexOf('*/', index + 2);
      const stop = end < 0 ? text.length : end + 2;
      keep(index, stop);
      index = stop;
    } else if (character === '"' || character === "'" || character === '`') {
      index += 1;
      while (index < text.length && text[index] !== character) {
        // A quote string ends at the line's end at the latest (an unclosed one is not ours to fix).
        if (character !== '`' && text[index] === '\n') break;
        index += text[index] === '\\' ? 2 : 1;
      }
      index += 1;
      previous = character;
    } else if (character === '/' && (previous === '' || '(,=:[!&|?{};+-*%<>~^'.includes(previous))) {
      // A regular expression literal: up to the closing slash outside a character class.
      let inClass = false;
      index += 1;
      while (index < text.length && text[index] !== '\n') {
        const current = text[index];
        if (current === '\\') index += 1;
        else if (current === '[') inClass = true;
        else if (current === ']') inClass = false;
        else if (current === '/' && !inClass) break;
        index += 1;
      }
      index += 1;
      previous = '/';
    } else {
      if (!/\s/.test(character)) previous = character;
      index += 1;
    }
  }
  return out.join('');
}

/** The comments of a file as one text of the same lines, or the whole text for a document. */
function readableText(path: string, text: string): string {
  if (MARKDOWN.test(path)) return text;
  if (CODE.test(path)) return jsComments(text);
  if (HTML.test(path)) return text.replace(/<!--[^]*?-->|[^\n]/g, (match) => (match.startsWith('<!--') ? match : ' '));
  if (HASH_COMMENTS.test(path) || text.startsWith('#!')) {
    return text
      .split('\n')
      .map((line) => {
        const hash = line.search(/(?:^|\s)#/);
        return hash < 0 ? '' : ' '.repeat(hash) + line.slice(hash);
      })
      .join('\n');
  }
  return '';
}

const CITATION = /(?<![\w./\\-])(\/?(?:[\w.-]+\/)*[\w.-]+\.md)\b/g;

/** The `*.md` documents `text` (the readable text of a file) cites, with their lines. */
function citationsIn(text: string): Array<{ line: number; cited: string }> {
  const found: Array<{ line: number; cited: string }> = [];
  text.split('\n').forEach((line, index) => {
    for (const match of line.matchAll(CITATION)) found.push({ line: index + 1, cited: match[1] ?? '' });
  });
  return found;
}

/** Whether `cited`, as written in `from`, names a file of `files`. */
function resolvesTo(cited: string, from: string, files: ReadonlySet<string>): boolean {
  const folder = posix.dirname(from);
  const candidates = cited.includes('/')
    ? [posix.normalize(cited), posix.normalize(posix.join(folder, cited))]
    : [cited, `docs/${cited}`, posix.join(folder, cited)];
  return candidates.some((candidate) => files.has(candidate));
}

const MACHINE_PATH = /(?<![\w.~-])(\/(?:work|root)\/[^\s'"`)]*|\/(?:home|Users)\/([^\s/'"`)]+)[^\s'"`)]*|[A-Za-z]:\\+Users\\+([^\s\\'"`)]+)[^\s'"`)]*)/g;

/** The absolute paths of one machine in `text`. */
function machinePathsIn(text: string): Array<{ line: number; path: string }> {
  const found: Array<{ line: number; path: string }> = [];
  text.split('\n').forEach((line, index) => {
    for (const match of line.matchAll(MACHINE_PATH)) {
      const user = match[2] ?? match[3];
      if (user !== undefined && EXAMPLE_USERS.has(user)) continue;
      found.push({ line: index + 1, path: match[1] ?? '' });
    }
  });
  return found;
}

function trackedFiles(): string[] {
  const listing = execFileSync('git', ['ls-files', '-z'], { cwd: repo, encoding: 'utf8' });
  return listing.split('\0').filter((file) => file !== '' && existsSync(join(repo, file)));
}

const files = trackedFiles();
const fileSet = new Set(files);
const texts = files
  .filter((file) => !file.endsWith('package-lock.json'))
  .map((file) => ({ file, buffer: readFileSync(join(repo, file)) }))
  // Images, icons and other binaries: a NUL byte in the first 8 kB, as git decides.
  .filter(({ buffer }) => !buffer.subarray(0, 8000).includes(0))
  .map(({ file, buffer }) => ({ file, text: readableText(file, buffer.toString('utf8')) }));

describe('the scanner', () => {
  it('reads comments of code and skips strings, template literals and regular expressions', () => {
    const code = [
      "const name = 'readme.md'; // see docs/SERVICE.md",
      'const re = /"\\/\\/ NOT.md/; /* block',
      '   cites GONE.md */ const t = `a // NOPE.md`;',
    ].join('\n');
    const text = readableText('electron/x.ts', code);
    expect(citationsIn(text).map(({ cited, line }) => `${line}:${cited}`)).toEqual(['1:docs/SERVICE.md', '3:GONE.md']);
  });

  it('reads # comments of shell scripts and YAML, and a Markdown document whole', () => {
    expect(citationsIn(readableText('a.yml', 'key: value # from NOTES.md\nother: FILE.md'))).toEqual([{ line: 1, cited: 'NOTES.md' }]);
    expect(citationsIn(readableText('.ci/run', '#!/bin/sh\necho README.md # see TODO.md'))).toEqual([{ line: 2, cited: 'TODO.md' }]);
    expect(citationsIn(readableText('docs/A.md', 'See [B](B.md) and https://example.com/C.md.'))).toEqual([{ line: 1, cited: 'B.md' }]);
  });

  it('resolves bare names at the root, in docs/ and beside the file; paths from the root or the file', () => {
    const tracked = new Set(['README.md', 'docs/SERVICE.md', 'dev/emulator/NOTES.md']);
    expect(resolvesTo('README.md', 'electron/a.ts', tracked)).toBe(true);
    expect(resolvesTo('SERVICE.md', 'electron/a.ts', tracked)).toBe(true);
    expect(resolvesTo('docs/SERVICE.md', 'electron/a.ts', tracked)).toBe(true);
    expect(resolvesTo('../README.md', 'docs/SERVICE.md', tracked)).toBe(true);
    expect(resolvesTo('NOTES.md', 'dev/emulator/a.ts', tracked)).toBe(true);
    expect(resolvesTo('NOTES.md', 'electron/a.ts', tracked)).toBe(false);
    expect(resolvesTo('TERACLOUD.md', 'electron/a.ts', tracked)).toBe(false);
    expect(resolvesTo('/work/shared/TERACLOUD.md', 'electron/a.ts', tracked)).toBe(false);
  });

  it('finds the paths of one machine and lets the made-up example users pass', () => {
    const text = readableText(
      'electron/x.ts',
      [
        '/** See /work/shared/TERACLOUD.md and /home/dev/notes. */',
        '// e.g. /home/alice/TeraCLOUD, C:\\Users\\you\\TeraCLOUD, /Users/kim/Sync',
        "const sample = '/home/bob2/x'; // a string is test data",
      ].join('\n'),
    );
    expect(machinePathsIn(text)).toEqual([
      { line: 1, path: '/work/shared/TERACLOUD.md' },
      { line: 1, path: '/home/dev/notes.' },
      { line: 2, path: '/Users/kim/Sync' },
    ]);
  });
});

describe('the repository', () => {
  it('has its files listed by git', () => {
    expect(fileSet.has('README.md')).toBe(true);
    expect(fileSet.has('electron/main/index.ts')).toBe(true);
    expect(texts.length).toBeGreaterThan(100);
  });

  it('has every *.md document its files cite', () => {
    const missing: Finding[] = [];
    for (const { file, text } of texts) {
      for (const { line, cited } of citationsIn(text)) {
        if (!resolvesTo(cited, file, fileSet)) missing.push({ where: `${file}:${line}`, text: cited });
      }
    }
    expect(missing, 'Cited documents that are not in the repository: add them under docs/, or cite the one that is').toEqual([]);
  });

  it('cites docs/SERVICE.md and docs/ARCHITECTURE.md from the code that relies on them', () => {
    const cited = new Set(texts.flatMap(({ file, text }) => (CODE.test(file) ? citationsIn(text).map(({ cited }) => cited) : [])));
    expect(cited).toContain('docs/SERVICE.md');
    expect(cited).toContain('docs/ARCHITECTURE.md');
  });

  it('names no folder of one machine in a comment or a document', () => {
    const found: Finding[] = texts.flatMap(({ file, text }) =>
      machinePathsIn(text).map(({ line, path }) => ({ where: `${file}:${line}`, text: path })),
    );
    expect(found, 'Machine-specific paths: describe the fact in docs/ and cite the document instead').toEqual([]);
  });
});
