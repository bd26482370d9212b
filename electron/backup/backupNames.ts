/**
 * Names in the backup area, pure functions:
 *
 *   <root>/<device>/<source>/...                               the latest copy of each source
 *   <root>/<device>/.versions/<YYYY-MM-DDTHHMMSSZ>/<source>/...  copies replaced or removed by
 *                                                               the backup that ran at that time
 *
 * A version folder is named after the run that moved the copies into it (UTC, to the second),
 * not after the time the copies were made: retention then counts from the moment a copy stopped
 * being the latest, so a file deleted locally stays restorable for the whole retention period
 * however old it was.
 */
import { ErrorCode, TeraSyncError } from '../../shared/errors.js';
import { formatVersionStamp, parseVersionStamp } from '../../shared/versionStamp.js';
import { localStamp, safeDeviceName, withSuffix, type Platform } from '../sync/names.js';

export { formatVersionStamp, parseVersionStamp } from '../../shared/versionStamp.js';

/** The folder beside the sources that holds the versions. */
export const VERSIONS_FOLDER = '.versions';

const DAY_MS = 86_400_000;
/**
 * The version folders to prune: those whose stamp is more than `retentionDays` before `now`.
 * Names that are not stamps are never chosen (the user may have put something there). A
 * retention of 0 keeps every version.
 */
export function versionsToPrune(names: readonly string[], now: number, retentionDays: number): string[] {
  if (retentionDays <= 0) return [];
  const cutoff = now - retentionDays * DAY_MS;
  return names.filter((name) => {
    const at = parseVersionStamp(name);
    return at !== null && at < cutoff;
  });
}

/**
 * The run's version folder: the stamp of `now`, or the next free second when a run in the same
 * second already used it (two runs never share a version folder).
 */
export function freeVersionStamp(now: number, taken: ReadonlySet<string>): string {
  for (let offset = 0; ; offset += 1000) {
    const stamp = formatVersionStamp(now + offset);
    if (!taken.has(stamp)) return stamp;
  }
}

/**
 * The device folder's name: the user's choice or the computer's name, made safe for a path on
 * every platform, and never hidden (a leading dot would hide it, or make it look like ours).
 */
export function backupDeviceName(raw: string): string {
  const safe = safeDeviceName(raw.trim()).replace(/^\.+/, '');
  return safe === '' ? 'device' : safe;
}

/** Why a folder name cannot be a source in the backup area, or null. */
export function sourceNameProblem(name: string): string | null {
  if (name === '' || name === '.' || name === '..') return 'a source must be a named folder (not the root of a drive)';
  if (name === VERSIONS_FOLDER) return `"${VERSIONS_FOLDER}" is where versions are kept: rename the folder to back it up`;
  const invalid = serverNameProblem(name);
  if (invalid !== null) return invalid;
  return null;
}

/**
 * Why a name (one path segment) cannot be stored and listed back on the server, or null. The
 * WebDAV store refuses such names in listings (they could escape a folder on some system), so a
 * file so named would look missing on every run and be sent again and again.
 */
export function serverNameProblem(name: string): string | null {
  if (name === '' || name === '.' || name === '..') return `"${name}" is not a valid name on the server`;
  if (name.includes('/') || name.includes('\\')) return `"${name}" contains "/" or "\\", which the backup area cannot hold`;
  if (name.includes('\0')) return `"${name}" contains a NUL character`;
  return null;
}

/** The first segment of `path` that the server cannot hold, with the reason; null when all can. */
export function pathNameProblem(path: string): string | null {
  for (const name of path.split('/')) {
    const problem = serverNameProblem(name);
    if (problem !== null) return problem;
  }
  return null;
}

/**
 * `Report.pdf` -> `Report (restore conflict 2026-11-28 101500).pdf`: the name a local file gets
 * when a restore puts the backed-up copy in its place (local time, like sync's conflict copies).
 * It stays on this computer, so it is fitted to the name limit of `platform` (255 UTF-16 units
 * on Windows, 255 UTF-8 bytes elsewhere) by shortening the base name (`fitName`).
 */
export function restoreConflictName(name: string, isFile: boolean, at: Date, attempt = 0, platform: Platform = process.platform): string {
  return withSuffix(name, isFile, ` (restore conflict ${localStamp(at)}${attempt > 0 ? ` ${attempt + 1}` : ''})`, platform);
}

/** Checks a retention given by the user (days, a whole number, 0 = keep forever). */
export function parseRetentionDays(raw: string | undefined, fallback = 30): number {
  if (raw === undefined) return fallback;
  const value = raw.trim() === '' ? Number.NaN : Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 36_500) {
    throw new TeraSyncError(ErrorCode.InvalidRequest, '--retention-days must be a whole number of days (0 keeps every version)');
  }
  return value;
}
