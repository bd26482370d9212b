/**
 * The status of a pair's engine on disk, so that `terasync status` (another process) can tell
 * what a running engine is doing, or how the last run ended. Written atomically (temp file +
 * rename), never with a secret in it.
 */
import { mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { SyncStatus } from '../../shared/types.js';

export interface StatusRecord {
  pid: number;
  /** True while the engine's process is running (checked against `pid` when read). */
  running: boolean;
  updatedAt: number;
  localRoot: string;
  remoteUrl: string;
  status: SyncStatus;
}

/**
 * Throws an Error whose message says what happened (a full disk as such); a temp file it
 * could not finish is removed.
 */
export function writeStatusFile(file: string, record: StatusRecord): void {
  const temp = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(temp, `${JSON.stringify(record, null, 2)}\n`);
    renameSync(temp, file);
  } catch (error) {
    try {
      unlinkSync(temp);
    } catch {
      // Never made.
    }
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOSPC' || code === 'EDQUOT') throw new Error(`the disk is full (${dirname(file)}): free up space on it`, { cause: error });
    throw error;
  }
}

/** The record, with `running` corrected when the process that wrote it is gone; null if none. */
export function readStatusFile(file: string): StatusRecord | null {
  let record: StatusRecord;
  try {
    record = JSON.parse(readFileSync(file, 'utf8')) as StatusRecord;
  } catch {
    return null;
  }
  if (record.running && !processAlive(record.pid)) record = { ...record, running: false };
  return record;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
