/**
 * What counts as a path, a name or a URL where the user types one: the rules the IPC
 * validators (shared/ipc/schemas.ts) enforce, and the window checks before it sends, so that
 * the window's message and main's refusal never disagree.
 */

// eslint-disable-next-line no-control-regex -- refusing control characters is the point
export const controlCharacters = /[\u0000-\u001f\u007f]/;

/** The longest name of one file or folder that file systems take. */
export const maxNameLength = 255;

/** An absolute path on any of the platforms the app runs on: `/…`, `C:\…` or `C:/…`, `\\server\share…`. */
export function isAbsolutePath(text: string): boolean {
  return text.startsWith('/') || /^[A-Za-z]:[\\/]/.test(text) || /^\\\\[^\\/]+[\\/][^\\/]+/.test(text);
}

/** One name on disk or on the server: not empty, no separator, not '.' or '..', no control character (the length is the caller's). */
export function isPlainName(text: string): boolean {
  return text !== '' && text !== '.' && text !== '..' && !text.includes('/') && !text.includes('\\') && !controlCharacters.test(text);
}

/** `scheme://...`: a folder name may hold a colon ("Notes: 2024"), but not followed by `//`. */
export function isUrlLike(text: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(text);
}

/**
 * A '/'-separated path below a folder: no leading, trailing or doubled '/', no '.' or '..', no
 * backslash or control character; not ''. What settings.json and the window's requests accept
 * as a selective-sync folder.
 */
export function isRelativePath(text: string): boolean {
  return text !== '' && !controlCharacters.test(text) && !text.includes('\\') && text.split('/').every((name) => name !== '' && name !== '.' && name !== '..');
}

/**
 * One line of an ignore pattern (gitignore syntax): no line break or other control character
 * (a paste accident far more often than part of a name), and not blank.
 */
export function isPatternLine(text: string): boolean {
  return !controlCharacters.test(text) && text.trim() !== '';
}
