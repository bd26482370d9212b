/**
 * Folders a run need not list: where the server's folder ETags follow their entries (Apache's
 * mod_dav_fs renames every PUT into place, so a folder's ETag changes whenever an entry directly
 * in it is added, removed, renamed or replaced), a folder without subfolders whose ETag in its
 * parent's listing is the one the journal recorded holds what the journal says it holds.
 *
 * The store does the skipping and the checking (WebDavRemoteStore.list, webdav/listing.ts,
 * with `reuseUnchangedFolders` and `known`); this module gives it the journal's view and keeps
 * what it learns across runs:
 * - the journal's folder entries carry the ETag each folder had in the listing of the last
 *   clean run (recorded only then, and only for folders none of whose entries was skipped);
 * - `known` is the journal as a listing: each folder with that ETag and its entries;
 * - a one-shot run (a new process each time) lets the store skip only when the last run ended
 *   clean (no error, conflict or deferred path: a refused precondition is a sign of a listing
 *   that missed something) and the ignore rules are those the ETags were recorded under, and
 *   walks everything once an hour (the continuous mode walks every 10 minutes): a change a
 *   skipped folder hid is then found;
 * - a store that found a folder whose entries changed under the same ETag does not skip any
 *   more (and lists again what it skipped in that walk); the journal keeps that verdict, so
 *   later runs on the pair never skip either.
 * A change a skip misses is never lost in between: every write carries a precondition on the
 * version the journal knows (If-Match, If-None-Match), so the server's newer file turns into a
 * conflict or a retry, not an overwrite.
 */
import { isStrongEtag, isWeakEtag, sameEtag } from '../../shared/etag.js';
import type { IgnoreMatcher } from './ignoreRules.js';
import type { Journal } from './journal.js';
import type { JournalEntry, Listing, RemoteEntry } from './model.js';
import { parentPath } from './names.js';
import type { Logger } from '../core/logger.js';
import type { RemoteStore } from './ports.js';

/** Journal meta: 'static' once the server kept a folder's ETag while its entries changed. */
export const FOLDER_ETAGS_META = 'remoteFolderEtags';
/** Journal meta: when a run last listed every remote folder (ms since the epoch). */
export const FULL_WALK_AT_META = 'remoteFullWalkAt';
/** Journal meta: the ignore rules' fingerprint the folder ETags were recorded under. */
export const FOLDER_ETAG_RULES_META = 'folderEtagRules';
/** Journal meta: '1' when the last run that was not a dry run ended clean. */
export const RUN_CLEAN_META = 'lastRunEndedClean';
/** A one-shot run lists every folder when the last full walk is older than this. */
export const ONE_SHOT_FULL_WALK_MS = 60 * 60_000;

/**
 * At the start of a run: whether the one before ended clean. A run that is not a dry run
 * counts as unclean until endRunClean (a crash or a thrown error leaves it so).
 */
export function startRun(journal: Journal, dryRun: boolean): boolean {
  const clean = journal.getMeta(RUN_CLEAN_META) === '1';
  if (!dryRun && clean) journal.transaction(() => journal.setMeta(RUN_CLEAN_META, '0'));
  return clean;
}

export function endRunClean(journal: Journal): void {
  journal.transaction(() => journal.setMeta(RUN_CLEAN_META, '1'));
}

/** Tells the store a verdict an earlier run kept; true when the store may skip folders at all. */
export function applyFolderEtagVerdict(journal: Journal, remote: RemoteStore): boolean {
  if (journal.getMeta(FOLDER_ETAGS_META) === 'static') {
    remote.distrustFolderEtags?.();
    return false;
  }
  return remote.folderEtagsTrackEntries !== false;
}

/**
 * What a one-shot run hands the store: the journal as the last listing (always, so that the
 * store's check compares every folder it lists), and whether it may skip folders.
 */
export function oneShotListing(
  journal: Journal,
  entries: readonly JournalEntry[],
  remote: RemoteStore,
  ignore: IgnoreMatcher,
  now: number,
  lastRunClean: boolean,
): { reuseUnchangedFolders: boolean; known?: Listing<RemoteEntry> } {
  const allowed = applyFolderEtagVerdict(journal, remote);
  if (entries.length === 0) return { reuseUnchangedFolders: false };
  const walkedAt = Number(journal.getMeta(FULL_WALK_AT_META) ?? NaN);
  const reuse =
    allowed &&
    lastRunClean &&
    remote.distrustFolderEtags !== undefined &&
    ignore.fingerprint !== undefined &&
    journal.getMeta(FOLDER_ETAG_RULES_META) === ignore.fingerprint &&
    Number.isFinite(walkedAt) &&
    walkedAt <= now &&
    now - walkedAt < ONE_SHOT_FULL_WALK_MS;
  return { reuseUnchangedFolders: reuse, known: knownListing(entries) };
}

/**
 * The journal as a remote listing. A folder holding a file whose ETag the journal has not
 * learned yet (an upload whose answer carried none) gets no ETag: it is always listed, so the
 * next listing teaches the journal that file's ETag.
 */
export function knownListing(entries: readonly JournalEntry[]): Listing<RemoteEntry> {
  const unlearned = new Set<string>();
  for (const entry of entries) if (entry.type === 'file' && entry.remoteEtag === null) unlearned.add(parentPath(entry.path));
  const listing = new Map<string, RemoteEntry>();
  for (const entry of entries) {
    listing.set(entry.path, {
      path: entry.path,
      remotePath: entry.remotePath,
      type: entry.type,
      size: entry.remoteSize,
      mtimeMs: entry.remoteMtimeMs,
      etag: entry.type === 'dir' && unlearned.has(entry.path) ? null : entry.remoteEtag,
    });
  }
  return { entries: listing, skipped: [] };
}

/** After a listing: keeps the store's verdict, and when it was a full walk, when it was. */
export function keepFolderEtagVerdict(journal: Journal, remote: RemoteStore, fullWalk: boolean, now: number, logger: Logger): void {
  const distrusted = remote.folderEtagsTrackEntries === false && journal.getMeta(FOLDER_ETAGS_META) !== 'static';
  if (!distrusted && !fullWalk) return;
  journal.transaction(() => {
    if (distrusted) journal.setMeta(FOLDER_ETAGS_META, 'static');
    if (fullWalk) journal.setMeta(FULL_WALK_AT_META, String(now));
  });
  if (distrusted) logger.info('this server keeps folder ETags when their entries change: every run of this pair lists every folder');
}

/**
 * After a clean run: each synced folder's ETag as `listed` showed it, now that the journal
 * holds every entry of that listing (and a file's strong tag where the journal has the weak
 * one of the same version). Folders with an entry that was skipped (a name this
 * computer cannot hold, an entry without properties, a case conflict) keep the ETag they had,
 * so they are always listed and the skip is reported every time. `entries`: the journal
 * entries to look at, all by default; a run planned in scope passes those of its scope (a
 * folder or file whose listing entry changed is one of them), as they are after its actions.
 */
export function recordFolderEtags(
  journal: Journal,
  listed: Listing<RemoteEntry>,
  skippedPaths: Iterable<string>,
  ignore: IgnoreMatcher,
  entries?: Iterable<JournalEntry>,
): number {
  const blocked = new Set<string>();
  // The folder that held a skipped entry, and the entry itself when it is a folder (an
  // unreadable local folder: what is in it on the server was not taken in).
  for (const path of skippedPaths) {
    blocked.add(parentPath(path));
    blocked.add(path);
  }
  const updates: JournalEntry[] = [];
  // The whole journal one entry at a time (the run still holds its own entries); the updates
  // are written once the iteration is over.
  for (const entry of entries ?? journal.each()) {
    if (entry.type === 'file') {
      // A tag Apache gave weak (a file less than a second old) that the listing now gives
      // strong, for the same version: kept strong, so that a skipped folder's files still
      // carry a tag If-Match can send, as a listing of that folder would give them.
      const now = listed.entries.get(entry.path);
      if (now?.type === 'file' && isWeakEtag(entry.remoteEtag) && isStrongEtag(now.etag) && sameEtag(entry.remoteEtag, now.etag)) {
        updates.push({ ...entry, remoteEtag: now.etag });
      }
      continue;
    }
    if (blocked.has(entry.path)) continue;
    const now = listed.entries.get(entry.path);
    if (now === undefined || now.type !== 'dir' || now.etag === null || now.etag === entry.remoteEtag) continue;
    updates.push({ ...entry, remoteEtag: now.etag, remoteMtimeMs: now.mtimeMs });
  }
  const rules = ignore.fingerprint;
  journal.transaction(() => {
    for (const entry of updates) journal.put(entry);
    if (rules !== undefined && journal.getMeta(FOLDER_ETAG_RULES_META) !== rules) journal.setMeta(FOLDER_ETAG_RULES_META, rules);
  });
  return updates.length;
}
