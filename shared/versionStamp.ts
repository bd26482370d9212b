/**
 * The names of backup version folders, `2025-01-31T235959Z` (UTC, to the second): the backup
 * engine makes and reads them (electron/backup/backupNames.ts), the window shows them as times.
 */
const STAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** `2025-01-31T235959Z` for that instant (seconds truncated, UTC). */
export function formatVersionStamp(ms: number): string {
  const date = new Date(ms);
  const pad = (value: number, width = 2): string => String(value).padStart(width, '0');
  return (
    `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}` +
    `T${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}Z`
  );
}

/** The instant a version folder's name stands for, or null when the name is not one of ours. */
export function parseVersionStamp(name: string): number | null {
  const match = STAMP.exec(name);
  if (!match) return null;
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [number, number, number, number, number, number];
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  // Date.UTC rolls 2025-02-30 over into March: such a name is not a stamp we wrote.
  return formatVersionStamp(ms) === name ? ms : null;
}
