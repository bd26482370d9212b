/**
 * Names: how a path is keyed across both sides, which names a local file system refuses, and
 * how conflict copies are named. Pure functions, so the planner can use them.
 */

export type Platform = 'win32' | 'darwin' | 'linux' | string;

const NON_ASCII = /[\u0080-\uffff]/;

/**
 * NFC, so that macOS's NFD spelling and the server's NFC spelling are the same file. An ASCII
 * path is its own NFC form and is returned without asking ICU (most paths, each keyed several
 * times a run).
 */
export function normalizePath(path: string): string {
  return NON_ASCII.test(path) ? path.normalize('NFC') : path;
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

/**
 * `Report.pdf` -> `Report (conflict 2026-11-28 101500 laptop).pdf`; folders get no extension
 * split. The copy lands on both sides, so it is fitted to 255 UTF-8 bytes (see `fitName`).
 */
export function conflictName(name: string, isFile: boolean, at: Date, device: string, attempt = 0): string {
  const suffix = ` (conflict ${localStamp(at)} ${device}${attempt > 0 ? ` ${attempt + 1}` : ''})`;
  return withSuffix(name, isFile, suffix);
}

/** The server-side name of the loser of a case clash, fitted to 255 UTF-8 bytes as well. */
export function caseConflictName(name: string, isFile: boolean, attempt = 0): string {
  return withSuffix(name, isFile, ` (case conflict${attempt > 0 ? ` ${attempt + 1}` : ''})`);
}

/** `2026-11-28 101500`, in local time: the stamp in conflict copies' names. */
export function localStamp(at: Date): string {
  const pad = (value: number): string => String(value).padStart(2, '0');
  return (
    `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())} ` +
    `${pad(at.getHours())}${pad(at.getMinutes())}${pad(at.getSeconds())}`
  );
}

/**
 * `name` with `suffix` put before its extension (a file's last `.ext`, not a leading dot) or at
 * its end (a folder), fitted to the name limit of `platform` by `fitName`.
 */
export function withSuffix(name: string, isFile: boolean, suffix: string, platform?: Platform): string {
  const dot = name.lastIndexOf('.');
  if (!isFile || dot <= 0) return fitName(name, suffix, '', platform);
  return fitName(name.slice(0, dot), suffix, name.slice(dot), platform);
}

/**
 * The longest name a file system takes: 255 bytes of UTF-8 on Linux and macOS (ext4, APFS,
 * and the server's file system), 255 UTF-16 units on Windows (NTFS).
 */
export const NAME_LIMIT = 255;

/**
 * The length of `name` as the file system of `platform` counts it: UTF-16 units on Windows,
 * UTF-8 bytes elsewhere. Without a platform, UTF-8 bytes: a name within 255 bytes is within
 * 255 UTF-16 units too (no character takes more units than bytes), so it fits everywhere.
 */
export function nameLength(name: string, platform?: Platform): number {
  if (platform === 'win32') return name.length;
  let bytes = 0;
  for (let index = 0; index < name.length; index++) {
    const unit = name.charCodeAt(index);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && index + 1 < name.length) {
      const next = name.charCodeAt(index + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        index++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

/** Below this much room for the base name, a long "extension" is cut with the base instead. */
const MIN_BASE_ROOM = 16;

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * `base + suffix + ext` when it fits the name limit of `platform` (see `nameLength`);
 * otherwise the base name is shortened so that it does, and the suffix (the marker that says
 * what the name is) and the extension are kept whole. The cut falls between characters as a
 * reader sees them (grapheme clusters): never inside a surrogate pair, and never between a
 * letter and its combining accent unless one such character alone is longer than the room
 * left. Spaces left at the end of the cut base are dropped. An extension so long that the
 * base would have almost no room is cut with the base instead.
 */
export function fitName(base: string, suffix: string, ext: string, platform?: Platform): string {
  const whole = `${base}${suffix}${ext}`;
  if (nameLength(whole, platform) <= NAME_LIMIT) return whole;
  if (ext !== '' && NAME_LIMIT - nameLength(`${suffix}${ext}`, platform) < MIN_BASE_ROOM) {
    return fitName(`${base}${ext}`, suffix, '', platform);
  }
  const room = NAME_LIMIT - nameLength(`${suffix}${ext}`, platform);
  // Only with a suffix longer than the limit itself, which no caller makes: keep its start.
  if (room < 0) return cutToLength(whole, NAME_LIMIT, platform);
  return `${cutToLength(base, room, platform).trimEnd()}${suffix}${ext}`;
}

/** The longest start of `text` within `room` (see `fitName` for where it may be cut). */
function cutToLength(text: string, room: number, platform?: Platform): string {
  let kept = '';
  let used = 0;
  for (const { segment } of graphemes.segment(text)) {
    const length = nameLength(segment, platform);
    if (used + length <= room) {
      kept += segment;
      used += length;
      continue;
    }
    // One cluster longer than all the room (a letter with many accents): whole code points of it.
    if (kept === '') {
      for (const point of segment) {
        const pointLength = nameLength(point, platform);
        if (used + pointLength > room) break;
        kept += point;
        used += pointLength;
      }
    }
    break;
  }
  return kept;
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

// Names that are skipped -------------------------------------------------------------------

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * The name `bytes` spell (one name as a folder listing gives it) when they are valid UTF-8,
 * or null. Node decodes other bytes to U+FFFD, a name that then opens nothing: such a file
 * can be neither read nor sent, so it is skipped and reported (`invalidEncodingMessage`).
 */
export function decodeName(bytes: Uint8Array): string | null {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return null;
  }
}

/** The length of the valid UTF-8 sequence that starts at `at`, or 0 when there is none. */
function utf8SequenceLength(bytes: Uint8Array, at: number): number {
  const lead = bytes[at] ?? 0;
  if (lead < 0x80) return 1;
  let length: number;
  let low = 0x80;
  let high = 0xbf;
  if (lead >= 0xc2 && lead <= 0xdf) length = 2;
  else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
    if (lead === 0xe0) low = 0xa0; // overlong
    if (lead === 0xed) high = 0x9f; // surrogates
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
    if (lead === 0xf0) low = 0x90; // overlong
    if (lead === 0xf4) high = 0x8f; // beyond U+10FFFF
  } else return 0;
  for (let index = 1; index < length; index++) {
    const byte = bytes[at + index];
    if (byte === undefined || byte < (index === 1 ? low : 0x80) || byte > (index === 1 ? high : 0xbf)) return 0;
  }
  return length;
}

/**
 * A name's bytes as a reader can see them: what is valid UTF-8 as its characters, every other
 * byte as `\xHH` (`caf\xE9.txt` for Latin-1 `café.txt`).
 */
export function escapeNameBytes(bytes: Uint8Array): string {
  let shown = '';
  let start = 0;
  let at = 0;
  while (at < bytes.length) {
    const length = utf8SequenceLength(bytes, at);
    if (length > 0) {
      at += length;
      continue;
    }
    shown += strictUtf8.decode(bytes.subarray(start, at));
    shown += `\\x${(bytes[at] ?? 0).toString(16).toUpperCase().padStart(2, '0')}`;
    at += 1;
    start = at;
  }
  return shown + strictUtf8.decode(bytes.subarray(start));
}

/** What is left as it is, and what the user renames, for an entry skipped for its name. */
function leftAsItIs(isDir: boolean, side: 'local' | 'remote'): string {
  const where = side === 'remote' ? ' on the server' : '';
  const there = side === 'remote' ? ' there' : '';
  return isDir
    ? `the folder and everything in it are left as they are${where}; rename the folder${there}`
    : `the file is left as it is${where}; rename it${there}`;
}

/** Why a name that is not valid UTF-8 is skipped, and what to do. */
export function invalidEncodingMessage(isDir: boolean, side: 'local' | 'remote' = 'local'): string {
  return (
    'the name is not valid UTF-8 (each byte that is not is shown as \\xHH), so it cannot be ' +
    `synced: ${leftAsItIs(isDir, side)} to sync it`
  );
}

/** Why a name with a backslash is skipped on either side, and what to do. */
export function backslashMessage(isDir: boolean, side: 'local' | 'remote' = 'local'): string {
  return (
    'the name contains "\\", which Windows and other WebDAV clients read as a folder separator, ' +
    `so it is not synced: ${leftAsItIs(isDir, side)} without "\\" to sync it`
  );
}
