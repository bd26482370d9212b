/**
 * Names: how a path is keyed across both sides, which names a local file system refuses, and
 * how conflict copies are named. Pure functions, so the planner can use them.
 */

export type Platform = 'win32' | 'darwin' | 'linux' | string;

/** NFC, so that macOS's NFD spelling and the server's NFC spelling are the same file. */
export function normalizePath(path: string): string {
  return path.normalize('NFC');
}

/** The identity of a path for matching the two sides and the journal. */
export function pathKey(path: string, caseInsensitive: boolean): string {
  const nfc = normalizePath(path);
  return caseInsensitive ? nfc.toLowerCase() : nfc;
}

export function parentPath(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

export function joinPath(parent: string, name: string): string {
  return parent === '' ? name : `${parent}/${name}`;
}

/** True when `path` is `ancestor` or lies below it. */
export function isWithin(path: string, ancestor: string): boolean {
  return ancestor === '' || path === ancestor || path.startsWith(`${ancestor}/`);
}

const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;
// eslint-disable-next-line no-control-regex
const WINDOWS_FORBIDDEN = /[<>:"|?*\u0000-\u001f\\/]/;

/**
 * Why `name` (one path segment) cannot exist on the local file system of `platform`, or null.
 * A name that could escape the sync root (`..`, separators) is refused everywhere.
 */
export function localNameProblem(name: string, platform: Platform): string | null {
  if (name === '' || name === '.' || name === '..') return `"${name}" is not a file name`;
  if (name.includes('/') || name.includes('\\') || name.includes('\u0000')) {
    return `"${name}" contains a path separator`;
  }
  if (platform === 'win32') {
    if (WINDOWS_FORBIDDEN.test(name)) return `"${name}" contains a character Windows does not allow (< > : " | ? * or a control character)`;
    if (WINDOWS_RESERVED.test(name)) return `"${name}" is a name Windows reserves for a device`;
    if (/[. ]$/.test(name)) return `"${name}" ends with a dot or a space, which Windows does not allow`;
  }
  if (platform === 'darwin' && name.includes(':')) return `"${name}" contains ":", which macOS does not allow`;
  return null;
}

/** `Report.pdf` -> `Report (conflict 2026-11-28 101500 laptop).pdf`; folders get no extension split. */
export function conflictName(name: string, isFile: boolean, at: Date, device: string, attempt = 0): string {
  const pad = (value: number): string => String(value).padStart(2, '0');
  const stamp =
    `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())} ` +
    `${pad(at.getHours())}${pad(at.getMinutes())}${pad(at.getSeconds())}`;
  const suffix = ` (conflict ${stamp} ${device}${attempt > 0 ? ` ${attempt + 1}` : ''})`;
  return withSuffix(name, isFile, suffix);
}

export function caseConflictName(name: string, isFile: boolean, attempt = 0): string {
  return withSuffix(name, isFile, ` (case conflict${attempt > 0 ? ` ${attempt + 1}` : ''})`);
}

function withSuffix(name: string, isFile: boolean, suffix: string): string {
  const dot = name.lastIndexOf('.');
  if (!isFile || dot <= 0) return `${name}${suffix}`;
  return `${name.slice(0, dot)}${suffix}${name.slice(dot)}`;
}

/** A device name that is safe inside a file name on every platform. */
export function safeDeviceName(raw: string): string {
  const cleaned = raw
    .normalize('NFC')
    // eslint-disable-next-line no-control-regex
    .replace(/[<>:"/\\|?*\u0000-\u001f()]/g, '')
    .replace(/\s+/g, '-')
    .replace(/[. -]+$/, '')
    .slice(0, 40);
  return cleaned === '' ? 'device' : cleaned;
}
