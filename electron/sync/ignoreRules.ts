/**
 * What is never synced: files that operating systems and office suites leave behind, partial
 * downloads, our own temp files, and the user's `.terasyncignore` patterns (gitignore syntax,
 * through the `ignore` library, which follows git's rules).
 */
import ignore, { type Ignore } from 'ignore';

/** Prefix of our own temp files: downloads land in one before they are renamed into place. */
export const TEMP_PREFIX = '.terasync-';
export const TEMP_SUFFIX = '.tmp';
export const IGNORE_FILE = '.terasyncignore';

export const BUILT_IN_IGNORES = [
  '.DS_Store',
  'Thumbs.db',
  'desktop.ini',
  '~$*',
  '.~lock.*',
  '*.part',
  `${TEMP_PREFIX}*`,
];

export function isTempFileName(name: string): boolean {
  return name.startsWith(TEMP_PREFIX) && name.endsWith(TEMP_SUFFIX);
}

export interface IgnoreMatcher {
  /** `path` is relative with `/`; folders are asked with `isDir` true. */
  ignores(path: string, isDir: boolean): boolean;
}

export function createIgnoreMatcher(userPatterns = ''): IgnoreMatcher {
  const rules: Ignore = ignore({ ignorecase: false }).add(BUILT_IN_IGNORES).add(userPatterns);
  return {
    ignores: (path, isDir) => rules.ignores(isDir ? `${path}/` : path),
  };
}
