/**
 * Paths on the wire: relative sync paths to URLs, and multistatus hrefs back to names.
 *
 * Hrefs are parsed by hand instead of with `new URL()`, on purpose: the WHATWG parser resolves
 * `..` and `%2e%2e` segments, which would hide a hostile or broken answer instead of letting us
 * refuse it, and it treats `#` / `?` as delimiters, while some servers (webdav-server, which
 * encodes hrefs with `encodeURI`) leave those characters raw inside names. A multistatus href
 * names a resource, never a fragment or a query, so every character after the authority is
 * path.
 */
import { ErrorCode, TeraSyncError } from '../../shared/errors.js';

/** Why a name (one decoded path segment) cannot be a file or folder name, or null when it can. */
export function invalidNameReason(name: string): string | null {
  if (name === '') return 'the name is empty';
  if (name === '.' || name === '..') return `"${name}" is not a file name`;
  if (name.includes('/')) return 'the name contains "/"';
  if (name.includes('\\')) return 'the name contains "\\", which Windows and other WebDAV clients read as a folder separator';
  if (name.includes('\0')) return 'the name contains a NUL character';
  return null;
}

/**
 * Splits a relative sync path ('' is the root) into names, refusing anything that could leave
 * the sync root or that a listing would skip as invalid.
 */
export function splitRelativePath(path: string): string[] {
  if (path === '') return [];
  const names = path.split('/');
  for (const name of names) {
    const reason = invalidNameReason(name);
    if (reason !== null) {
      throw new TeraSyncError(ErrorCode.InvalidName, `Invalid path "${path}": ${reason}.`);
    }
  }
  return names;
}

export function encodeSegment(name: string): string {
  return encodeURIComponent(name);
}

/**
 * The bytes one percent-encoded segment stands for (other characters as their UTF-8), or null
 * when a `%` is not followed by two hex digits. For showing a name that is not valid UTF-8.
 */
export function percentDecodeBytes(raw: string): Uint8Array | null {
  const bytes: number[] = [];
  const encoder = new TextEncoder();
  for (let index = 0; index < raw.length; index++) {
    if (raw[index] === '%') {
      const hex = raw.slice(index + 1, index + 3);
      if (!/^[0-9a-f]{2}$/i.test(hex)) return null;
      bytes.push(Number.parseInt(hex, 16));
      index += 2;
      continue;
    }
    const point = raw.codePointAt(index) ?? 0;
    const character = String.fromCodePoint(point);
    bytes.push(...encoder.encode(character));
    index += character.length - 1;
  }
  return Uint8Array.from(bytes);
}

/** Decodes one percent-encoded segment; null when it is not valid UTF-8 percent-encoding. */
export function decodeSegment(raw: string): string | null {
  try {
    return decodeURIComponent(raw);
  } catch {
    return null;
  }
}

const ABSOLUTE_URL = /^[a-z][a-z0-9+.-]*:\/\/[^/]*/i;
const NETWORK_PATH = /^\/\/[^/]*/;

/**
 * The raw (still percent-encoded) path segments an href names. An absolute URL or a
 * network-path reference loses its scheme and authority (only the path is compared: servers
 * behind proxies often answer with another host or scheme); a relative reference is taken
 * relative to `baseSegments` (the raw segments of the URL requested). Empty segments (`//`) are
 * dropped; `.` and `..` are kept as they are, for the caller to refuse.
 */
export function hrefRawSegments(href: string, baseSegments: readonly string[]): string[] {
  let path = href.trim();
  const absolute = ABSOLUTE_URL.exec(path) ?? NETWORK_PATH.exec(path);
  if (absolute) path = path.slice(absolute[0].length);
  const segments = path.split('/').filter((segment) => segment !== '');
  if (absolute || path.startsWith('/')) return segments;
  return [...baseSegments, ...segments];
}

export { isLoopbackHost } from '../net/tls.js';

/** NFC form used for keys and comparisons. */
export function nfc(name: string): string {
  return name.normalize('NFC');
}

export function joinRelative(parent: string, name: string): string {
  return parent === '' ? name : `${parent}/${name}`;
}
