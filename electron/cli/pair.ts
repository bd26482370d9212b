/**
 * What `terasync sync`, `status` and `deleted` share: the options of a local folder and a
 * remote folder kept in sync (a "pair"), and the pair's identity (journal, status file). It
 * reads the signed-in account from account.json only, so `status` loads neither the keychain
 * binding nor the WebDAV client; a command that connects builds the account service itself.
 */
import { resolve } from 'node:path';
import { statusFile } from '../platform/paths.js';
import { nodeFromWebDavUrl } from '../teracloud/nodeUrls.js';
import type { WebDavAuth } from '../webdav/WebDavRemoteStore.js';
import type { CommandContext } from './context.js';
import { EXIT } from './exitCodes.js';

export interface PairOptions {
  localRoot: string;
  remote: string;
  failSafePercent: number;
  deletedRetentionDays: number;
  concurrency: number;
  /** KiB/s, 0 for no limit. */
  limits: Record<'up' | 'down', number>;
  pollSeconds: number;
  /** Parallel ranges per large download (--download-streams). */
  downloadStreams: number;
}

/** Checks the options every pair command takes; an exit code (after saying why) when one does not fit. */
export function pairOptions({ values, fail }: CommandContext): PairOptions | number {
  if (!values.local) return fail(EXIT.usage, '--local DIR is required');
  if (!values.remote) return fail(EXIT.usage, '--remote URL is required');
  if (values['dry-run'] && !values.once) return fail(EXIT.usage, '--dry-run goes with --once');
  const failSafePercent = wholeOption(values['fail-safe-percent'], 50, 1, 99);
  if (failSafePercent === null) return fail(EXIT.usage, '--fail-safe-percent must be a whole number from 1 to 99');
  const deletedRetentionDays = wholeOption(values['deleted-retention-days'], 30, 1, 365);
  if (deletedRetentionDays === null) return fail(EXIT.usage, '--deleted-retention-days must be a whole number from 1 to 365');
  const concurrency = values.concurrency === undefined ? 6 : Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
    return fail(EXIT.usage, '--concurrency must be a whole number from 1 to 64');
  }
  const limits: Record<'up' | 'down', number> = { up: 0, down: 0 };
  for (const direction of ['up', 'down'] as const) {
    const raw = values[`limit-${direction}`];
    if (raw === undefined) continue;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < 0) return fail(EXIT.usage, `--limit-${direction} must be a number of KiB/s (0 for no limit)`);
    limits[direction] = value;
  }
  const pollSeconds = values['poll-interval'] === undefined ? 30 : Number(values['poll-interval']);
  if (!Number.isFinite(pollSeconds) || pollSeconds < 1 || pollSeconds > 86_400) {
    return fail(EXIT.usage, '--poll-interval must be a number of seconds from 1 to 86400');
  }
  const downloadStreams = wholeOption(values['download-streams'], 4, 1, 16);
  if (downloadStreams === null) return fail(EXIT.usage, '--download-streams must be a whole number from 1 to 16');
  return { localRoot: resolve(values.local), remote: values.remote, failSafePercent, deletedRetentionDays, concurrency, limits, pollSeconds, downloadStreams };
}

export interface Pair {
  /**
   * The pair's identity (journal, status file): the URL as given, or for the signed-in
   * account its /dav/ form, so that a fallback between /v2/dav/ and /dav/ (the same files)
   * keeps the journal.
   */
  pairRemote: string;
  /** Credentials from the environment; null when the signed-in account's are used. */
  envAuth: WebDavAuth | null;
  /** For the signed-in account: the folder below its WebDAV root ('' for the root); else null. */
  folder: string | null;
  statusPath: string;
}

/** Works out the pair from --remote and the credentials; an exit code (after saying why) when it cannot. */
export async function resolvePair(context: CommandContext, options: PairOptions): Promise<Pair | number> {
  const { io, fail, command } = context;
  const { TERASYNC_USER: user, TERASYNC_PASSWORD: password, TERASYNC_TOKEN: token } = io.env;
  const envAuth: WebDavAuth | null = token ? { kind: 'bearer', token } : user && password ? { kind: 'basic', user, password } : null;
  const remoteIsUrl = /^[a-z][a-z0-9+.-]*:\/\//i.test(options.remote);

  let pairRemote: string;
  let folder: string | null = null;
  if (envAuth !== null || command === 'status' && remoteIsUrl) {
    if (!remoteIsUrl) return fail(EXIT.usage, '--remote must be a URL when credentials come from the environment');
    const remoteUrl = options.remote.endsWith('/') ? options.remote : `${options.remote}/`;
    let url: URL;
    try {
      url = new URL(remoteUrl);
    } catch {
      return fail(EXIT.usage, `--remote is not a URL: ${options.remote}`);
    }
    if (url.username || url.password) {
      return fail(EXIT.usage, 'put credentials in TERASYNC_USER / TERASYNC_PASSWORD, not in the URL');
    }
    pairRemote = remoteUrl;
  } else {
    // As AccountService.current() does: a damaged account file is reported, then treated as none.
    // Loaded here only: a pair given by --remote (and `status`) never reads the account file,
    // nor loads its schema.
    const { AccountFile } = await import('../auth/AccountRecord.js');
    const { record, problem } = await new AccountFile(context.stateDir).read();
    if (problem !== null) context.accountOptions.logger.warn(problem.message);
    if (record === null) {
      return fail(
        EXIT.usage,
        'not signed in: run "terasync login" first, or set TERASYNC_USER and TERASYNC_PASSWORD (your user ID and Apps password from MyPage) or TERASYNC_TOKEN',
      );
    }
    try {
      folder = accountFolder(options.remote, record.origin);
    } catch (error) {
      return fail(EXIT.usage, (error as Error).message);
    }
    pairRemote = `${record.origin}/dav/${encodeFolder(folder)}`;
  }
  return { pairRemote, envAuth, folder, statusPath: statusFile(context.stateDir, options.localRoot, pairRemote) };
}

/** 'Photos/2024' -> 'Photos/2024/' percent-encoded per segment; '' -> ''. */
export function encodeFolder(folder: string): string {
  return folder === '' ? '' : `${folder.split('/').map(encodeURIComponent).join('/')}/`;
}

/** A whole-number option within bounds; its default when left out; null when it does not fit. */
function wholeOption(raw: string | undefined, fallback: number, min: number, max: number): number | null {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  return /^\d+$/.test(raw.trim()) && Number.isInteger(value) && value >= min && value <= max ? value : null;
}

/** The folder below the account's WebDAV root that `--remote` names ('' for the root). */
function accountFolder(remote: string, origin: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(remote)) {
    const location = nodeFromWebDavUrl(remote, { allowCustomHost: true });
    if (location.origin !== origin) throw new Error(`--remote ${remote} is not on the signed-in account's node (${origin})`);
    if (location.area === 'backup') throw new Error('--remote: /backup/ is for backups, not for sync (see terasync backup)');
    return location.folder;
  }
  const segments = remote.split('/').filter((segment) => segment !== '');
  if (segments.some((segment) => segment === '.' || segment === '..' || segment.includes('\\'))) {
    throw new Error(`--remote ${remote}: a folder path may not contain ".", ".." or "\\"`);
  }
  return segments.join('/');
}
