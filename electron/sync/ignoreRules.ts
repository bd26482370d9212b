/**
 * What is never synced: files that operating systems and office suites leave behind, partial
 * downloads, our own temp files, the app's ignore patterns, the user's `.terasyncignore`
 * patterns (gitignore syntax, through the `ignore` library, which follows git's rules), and
 * the folders selective sync leaves out.
 */
import { createHash } from 'node:crypto';
import ignore, { type Ignore } from 'ignore';

/** Prefix of our own temp files: downloads land in one before they are renamed into place. */
export const TEMP_PREFIX = '.terasync-';
export const TEMP_SUFFIX = '.tmp';
export const IGNORE_FILE = '.terasyncignore';
/** The folder lock's files (electron/platform/folderLock.ts): never synced, never a change. */
export const LOCK_FILE = `${TEMP_PREFIX}lock`;
export const LOCK_HOLDER_FILE = `${TEMP_PREFIX}lock.json`;

/** True for the lock's own files (names relative to the folder, `/`-separated). */
export function isFolderLockPath(path: string): boolean {
  return path === LOCK_FILE || path === LOCK_HOLDER_FILE || path.startsWith(`${LOCK_FILE}-`);
}

/** The pair's trash on the server (remoteTrash.ts); kept here to avoid an import cycle. */
export const TRASH_FOLDER_NAME = '.terasync-trash';

export const BUILT_IN_IGNORES = [
  '.DS_Store',
  'Thumbs.db',
  'desktop.ini',
  '~$*',
  '.~lock.*',
  '*.part',
  `${TEMP_PREFIX}*`,
  // A sync folder at the root of its own disk holds that disk's trash: what we delete goes
  // there, and must not come back as new files.
  '.Trash-*',
  '.Trashes',
  '$RECYCLE.BIN',
  'System Volume Information',
];

export function isTempFileName(name: string): boolean {
  return name.startsWith(TEMP_PREFIX) && name.endsWith(TEMP_SUFFIX);
}

export interface IgnoreMatcher {
  /** `path` is relative with `/`; folders are asked with `isDir` true. */
  ignores(path: string, isDir: boolean): boolean;
  /**
   * The same for the same rules, else different (a hash of them). A matcher without one is
   * taken as new every run.
   */
  readonly fingerprint?: string;
}

/** What is left out besides the built-in patterns and `.terasyncignore`. */
export interface IgnoreScope {
  /** Gitignore lines from the app's settings, one pattern each. */
  appPatterns?: readonly string[];
  /** Folders (relative, `/`-separated) left out with everything below them, taken literally. */
  excludedFolders?: readonly string[];
}

/** Files asked of one copy of the rules before it is replaced (see createIgnoreMatcher). */
const FILES_PER_COPY = 8_192;

/**
 * The rules in rising precedence (the `ignore` library lets the last matching rule win): the
 * app's patterns come first so that a pair's `.terasyncignore` can re-include what they leave
 * out, as a repository's .gitignore overrides git's global excludes; the excluded folders come
 * last, so that no negation re-includes anything in them.
 */
export function createIgnoreMatcher(userPatterns = '', scope: IgnoreScope = {}): IgnoreMatcher {
  const excluded = (scope.excludedFolders ?? []).flatMap(excludedFolderPatterns);
  const rules: Ignore = ignore({ ignorecase: false })
    .add(BUILT_IN_IGNORES)
    .add([...(scope.appPatterns ?? [])])
    .add(userPatterns)
    .add(excluded);
  const fingerprint = createHash('sha256')
    .update(JSON.stringify([BUILT_IN_IGNORES, scope.appPatterns ?? [], userPatterns, excluded]))
    .digest('hex');
  // The library keeps every answer it gives, keyed by path, for as long as it lives: a run
  // asks about every path of the tree (the scan, the journal, the listing), so one instance
  // would hold a dictionary of every path and an answer object for each (about 100 bytes a
  // path in a heap snapshot, 100 MB at a million). Folders are asked of `rules`, which keeps
  // their answers (there are few); files are asked of a copy of the same rules that is
  // replaced after FILES_PER_COPY files, so that it holds that many answers (and their
  // folders') at most. The copy shares the compiled rules, and the library's answer for a
  // path does not depend on what it was asked before: the same whichever instance gives it.
  let files: Ignore = rules;
  let filesAsked = FILES_PER_COPY;
  const ignoresFile = (path: string): boolean => {
    if (filesAsked === FILES_PER_COPY) {
      files = ignore({ ignorecase: false }).add(rules);
      filesAsked = 0;
    }
    filesAsked += 1;
    return files.ignores(path);
  };
  return {
    fingerprint,
    // The pair's server-side trash is never synced, whatever a `.terasyncignore` re-includes.
    ignores: (path, isDir) =>
      path === TRASH_FOLDER_NAME || path.startsWith(`${TRASH_FOLDER_NAME}/`) || (isDir ? rules.ignores(`${path}/`) : ignoresFile(path)),
  };
}

/**
 * The pattern that matches `folder` (relative, `/`-separated) and nothing else: anchored at the
 * root, folders only, every character gitignore gives a meaning taken literally. A name the
 * server spells in NFD matches too.
 */
export function excludedFolderPatterns(folder: string): string[] {
  const segments = folder.split('/').filter((segment) => segment !== '');
  if (segments.length === 0) return [];
  const spellings = new Set([segments.join('/'), segments.join('/').normalize('NFC'), segments.join('/').normalize('NFD')]);
  return [...spellings].map((spelling) => `/${spelling.split('/').map(escapeGitignore).join('/')}/`);
}

/**
 * One path segment as a literal gitignore pattern: a backslash before each wildcard, bracket,
 * backslash, leading `!` or `#`, and every space (git drops unescaped trailing spaces).
 */
export function escapeGitignore(segment: string): string {
  return segment.replace(/[\\*?[\]!# ]/g, (character) => `\\${character}`);
}
