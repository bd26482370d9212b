/**
 * `terasync backup`, `terasync backup list` and `terasync restore`: the composition root of the
 * backup on the command line. It builds the store (rooted at the backup area), the backup
 * journal and the quota source, runs the engine from electron/backup, and prints.
 *
 * Credentials: TERASYNC_USER / TERASYNC_PASSWORD, else the signed-in account's Apps password.
 * The backup area takes BASIC only: an OAuth2 bearer token does not open it.
 */
import { hostname } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { ErrorCode, TeraSyncError, toTeraSyncError } from '../../shared/errors.js';
import type { AccountRecord, ApiSettings } from '../auth/AccountRecord.js';
import { BackupEngine, type BackupSource } from '../backup/BackupEngine.js';
import { BackupJournal, backupJournalFile } from '../backup/BackupJournal.js';
import { backupDeviceName, parseRetentionDays, parseVersionStamp } from '../backup/backupNames.js';
import { plural } from '../backup/messages.js';
import type { BackupEvent, BackupSummary, Progress } from '../backup/model.js';
import type { QuotaSource } from '../backup/quota.js';
import { listSource, listSources, Restore, type RestoreEvent, type RestoreSummary, type SourceListing } from '../backup/Restore.js';
import { systemClock } from '../core/time.js';
import type { Logger } from '../core/logger.js';
import { TeraCloudApi } from '../teracloud/TeraCloudApi.js';
import { WebDavRemoteStore, type WebDavAuth } from '../webdav/WebDavRemoteStore.js';
import { accountService, apiSettings, type AccountOptions } from './accountCommands.js';
import type { CliValues, CommandContext } from './context.js';
import { exitCodeFor } from './exitCodes.js';
import { formatBytes } from '../../shared/format.js';
import { createReporter, type Output } from './reporter.js';

export interface BackupCliValues {
  /** `--source`, as many as given. */
  sources: string[];
  dryRun: boolean;
  /** `--allow-mass-delete`: go ahead although the backup would move most of a folder's files away. */
  allowMassDelete: boolean;
  json: boolean;
  remote: string | undefined;
  device: string | undefined;
  retentionDays: string | undefined;
  to: string | undefined;
  version: string | undefined;
  path: string | undefined;
  concurrency: string | undefined;
}

export interface BackupCliContext {
  env: NodeJS.ProcessEnv;
  stdout: Output;
  stderr: Output;
  stateDir: string;
  ca: string | undefined;
  accountOptions: AccountOptions;
  /** The command's exit code for an error code (as for `terasync sync`). */
  exitCodeFor: (code: ErrorCode) => number;
}

/** Runs `command` with what the dispatcher gives every command (electron/cli/commands/). */
export function runBackupCommandIn(command: BackupCommand, { io, values, stateDir, ca, accountOptions }: CommandContext): Promise<number> {
  return runBackupCommand(command, backupCliValues(values), { env: io.env, stdout: io.stdout, stderr: io.stderr, stateDir, ca, accountOptions, exitCodeFor });
}

/** The backup options of the command line, as runBackupCommand takes them. */
export function backupCliValues(values: CliValues): BackupCliValues {
  return {
    sources: values.source ?? [],
    dryRun: values['dry-run'],
    allowMassDelete: values['allow-mass-delete'],
    json: values.json,
    remote: values.remote,
    device: values.device,
    retentionDays: values['retention-days'],
    to: values.to,
    version: values.version,
    path: values.path,
    concurrency: values.concurrency,
  };
}

export type BackupCommand = 'backup' | 'backup-list' | 'restore';

const EXIT_OK = 0;
const EXIT_PARTIAL = 1;
const EXIT_USAGE = 2;

/** Said (once) when the free space cannot be known before a backup sends something. */
const QUOTA_NOT_CHECKED =
  'the quota was not checked before this backup: that needs the REST API (give the application key with --api-key). ' +
  'A full storage still stops a backup cleanly (507). This note is not repeated for this backup area.';
/** The backup journal's note that the quota note was given (see quotaNote). */
const QUOTA_NOTE_SHOWN = 'quotaNoteShownAt';
/** How many of the files a fail-safe stop would move are printed per folder (all of them in --json). */
const SHOWN_MOVES = 20;

interface BackupConnection {
  /** The backup area's root, ending in '/'. */
  rootUrl: string;
  auth: WebDavAuth;
  quota: QuotaSource | null;
  /** Why the quota is not checked; null when it is. */
  quotaNote: string | null;
}

export async function runBackupCommand(command: BackupCommand, values: BackupCliValues, context: BackupCliContext): Promise<number> {
  const fail = (code: number, message: string): number => {
    context.stderr.write(`terasync: ${message}\n`);
    return code;
  };
  const logger = createReporter({ stdout: context.stdout, stderr: context.stderr, json: false }).logger;
  let concurrency = 4;
  let retentionDays = 30;
  try {
    if (command === 'backup' && values.sources.length === 0) return fail(EXIT_USAGE, 'backup: give the folders to back up with --source DIR (as many as you like)');
    if (command !== 'backup' && values.sources.length > 1) return fail(EXIT_USAGE, `${command === 'restore' ? 'restore' : 'backup list'}: give one --source NAME`);
    if (command === 'restore' && values.sources.length === 0) return fail(EXIT_USAGE, 'restore: name the backed-up folder with --source NAME (see "terasync backup list")');
    if (values.version !== undefined && parseVersionStamp(values.version) === null) {
      return fail(EXIT_USAGE, `--version ${values.version}: versions look like 2025-01-31T235959Z (see "terasync backup list")`);
    }
    if (command === 'backup' && (values.to !== undefined || values.version !== undefined || values.path !== undefined)) {
      return fail(EXIT_USAGE, '--to, --version and --path go with "terasync restore"');
    }
    retentionDays = parseRetentionDays(values.retentionDays);
    if (values.concurrency !== undefined) {
      concurrency = Number(values.concurrency);
      if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) return fail(EXIT_USAGE, '--concurrency must be a whole number from 1 to 64');
    }
  } catch (error) {
    return fail(EXIT_USAGE, (error as Error).message);
  }
  const device = backupDeviceName(values.device ?? context.env.TERASYNC_DEVICE ?? hostname());

  let connection: BackupConnection;
  try {
    connection = await connect(values, context);
  } catch (error) {
    const coded = toTeraSyncError(error);
    return fail(context.exitCodeFor(coded.code), coded.message);
  }

  const controller = new AbortController();
  const onSignal = (): void => controller.abort(new TeraSyncError(ErrorCode.Cancelled, 'Cancelled.'));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let remote: WebDavRemoteStore | undefined;
  try {
    remote = new WebDavRemoteStore({ url: connection.rootUrl, auth: connection.auth, ca: context.ca, concurrency, logger });
    if (command === 'backup') {
      return await runBackup(values, context, { remote, connection, device, concurrency, retentionDays, logger, signal: controller.signal });
    }
    if (command === 'backup-list') return await runList(values, context, { remote, connection, device, concurrency, signal: controller.signal });
    return await runRestore(values, context, { remote, rootUrl: connection.rootUrl, device, concurrency, logger, signal: controller.signal });
  } catch (error) {
    const coded = toTeraSyncError(error);
    if (values.json) context.stdout.write(`${JSON.stringify({ error: coded.toInfo() }, null, 2)}\n`);
    return fail(context.exitCodeFor(coded.code), coded.message);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await remote?.dispose();
  }
}

// Credentials --------------------------------------------------------------------------------

function backupRootFrom(remote: string): string {
  let url: URL;
  try {
    url = new URL(remote.endsWith('/') ? remote : `${remote}/`);
  } catch {
    throw new TeraSyncError(ErrorCode.InvalidRequest, `--remote is not a URL: ${remote}`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new TeraSyncError(ErrorCode.InvalidRequest, 'put credentials in TERASYNC_USER / TERASYNC_PASSWORD, not in the URL');
  }
  return url.href;
}

function quotaFrom(context: BackupCliContext, api: ApiSettings, userId: string, password: string, origin: string): QuotaSource {
  const rest = new TeraCloudApi({
    apiBaseUrl: api.baseUrl,
    apiKey: api.applicationKey,
    apiKeyPlacement: api.keyPlacement,
    credentials: { userId, password },
    ...(context.ca === undefined ? {} : { ca: context.ca }),
  });
  return { getQuota: (signal) => rest.getQuota(origin, signal) };
}

async function connect(values: BackupCliValues, context: BackupCliContext): Promise<BackupConnection> {
  const { env } = context;
  const accounts = accountService(context.accountOptions);
  const { TERASYNC_USER: user, TERASYNC_PASSWORD: password, TERASYNC_TOKEN: token } = env;
  if (user && password) {
    let record: AccountRecord | null = null;
    if (values.remote === undefined) record = await accounts.current();
    if (values.remote === undefined && record === null) {
      throw new TeraSyncError(ErrorCode.InvalidRequest, '--remote URL is required (the backup area, e.g. https://<node>.teracloud.jp/backup/) when credentials come from the environment');
    }
    const rootUrl = backupRootFrom(values.remote ?? `${(record as AccountRecord).origin}/backup/`);
    const api = apiSettings(context.accountOptions);
    return {
      rootUrl,
      auth: { kind: 'basic', user, password },
      quota: api === null ? null : quotaFrom(context, api, user, password, new URL(rootUrl).origin),
      quotaNote: api === null ? QUOTA_NOT_CHECKED : null,
    };
  }
  if (token) {
    throw new TeraSyncError(
      ErrorCode.Configuration,
      'The backup area (/backup/) takes your user ID and Apps password only (BASIC), not an OAuth2 token: set TERASYNC_USER and TERASYNC_PASSWORD.',
    );
  }
  const record = await accounts.current();
  if (record === null) {
    throw new TeraSyncError(
      ErrorCode.InvalidRequest,
      'not signed in: run "terasync login" first, or set TERASYNC_USER and TERASYNC_PASSWORD (your user ID and Apps password from MyPage)',
    );
  }
  if (!record.basicSignIn) {
    throw new TeraSyncError(
      ErrorCode.Unauthorized,
      `You signed in with OAuth2, but the backup area (${record.origin}/backup/) needs your Apps password (BASIC): ` +
        `add it with "terasync login --user ${record.userId}" (the OAuth2 sign-in is kept).`,
    );
  }
  const rootUrl = backupRootFrom(values.remote ?? `${record.origin}/backup/`);
  if (new URL(rootUrl).origin !== record.origin) {
    throw new TeraSyncError(ErrorCode.InvalidRequest, `--remote ${values.remote ?? ''} is not on the signed-in account's node (${record.origin})`);
  }
  const auth = await accounts.basicCredentials(record);
  const api = apiSettings(context.accountOptions) ?? record.api;
  return {
    rootUrl,
    auth,
    quota: api === null ? null : quotaFrom(context, api, auth.user, auth.password, record.origin),
    quotaNote: api === null ? QUOTA_NOT_CHECKED : null,
  };
}

// backup ---------------------------------------------------------------------------------------

/** Opens the backup journal; a state folder that cannot hold it is told with what to do. */
function openJournal(context: BackupCliContext, file: string): BackupJournal {
  try {
    return BackupJournal.open(file);
  } catch (error) {
    const cause = error instanceof TeraSyncError ? error.cause : error;
    const code = (cause as NodeJS.ErrnoException | undefined)?.code;
    if (code === undefined) throw error;
    throw new TeraSyncError(
      ErrorCode.LocalIo,
      `Cannot open the backup journal ${file} (${code}): the state folder ${context.stateDir} must be a folder your user can write to. ` +
        'Fix its permissions, or choose another with --state.',
      { cause: error },
    );
  }
}

interface BackupRunSetup {
  remote: WebDavRemoteStore;
  connection: BackupConnection;
  device: string;
  concurrency: number;
  retentionDays: number;
  logger: Logger;
  signal: AbortSignal;
}

async function runBackup(values: BackupCliValues, context: BackupCliContext, setup: BackupRunSetup): Promise<number> {
  const sources: BackupSource[] = values.sources.map((dir) => ({ name: basename(resolve(dir)), root: resolve(dir) }));
  const journal = openJournal(context, backupJournalFile(context.stateDir, setup.connection.rootUrl, setup.device));
  // Said once for this backup area and device, and only by a run that has something to send.
  const quotaNote = setup.connection.quotaNote;
  const onUncheckedQuota = (bytes: number): void => {
    if (quotaNote === null || bytes === 0 || journal.meta(QUOTA_NOTE_SHOWN) !== null) return;
    context.stderr.write(`terasync: note: ${quotaNote}\n`);
    if (!values.dryRun) journal.setMeta(QUOTA_NOTE_SHOWN, String(systemClock.now()));
  };
  const reporter = backupReporter(context, values.json, onUncheckedQuota);
  let summary: BackupSummary;
  try {
    const engine = new BackupEngine({
      remote: setup.remote,
      journal,
      clock: systemClock,
      logger: setup.logger,
      device: setup.device,
      concurrency: setup.concurrency,
      quota: setup.connection.quota,
    });
    summary = await engine.run({
      sources,
      retentionDays: setup.retentionDays,
      dryRun: values.dryRun,
      allowMassDelete: values.allowMassDelete,
      signal: setup.signal,
      onEvent: reporter.onEvent,
    });
  } finally {
    journal.close();
  }
  reporter.clear();
  if (values.json) context.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  else printBackupSummary(context.stdout, summary, setup.connection.rootUrl);
  if (summary.stopped !== null) {
    context.stderr.write(`terasync: ${summary.stopped.code === ErrorCode.Cancelled ? 'backup cancelled; run it again to resume' : summary.stopped.message}\n`);
    return Math.max(EXIT_PARTIAL, context.exitCodeFor(summary.stopped.code));
  }
  return summary.failed.length > 0 ? EXIT_PARTIAL : EXIT_OK;
}

function printBackupSummary(out: Output, summary: BackupSummary, rootUrl: string): void {
  if (summary.failSafe !== null) {
    // What the stop would have moved away: the user decides from this.
    out.write(`Backup stopped by the fail-safe${summary.dryRun ? ' (dry run)' : ''}: nothing was sent, moved or deleted.\n`);
    for (const source of summary.failSafe.sources) {
      out.write(
        `${source.name} (${source.root}) holds ${plural(source.localFiles, 'file')} now; ` +
          `${source.wouldMove} of its ${plural(source.backedUp, 'backed-up file')} would be moved out of the latest copy into .versions/:\n`,
      );
      for (const path of source.paths.slice(0, SHOWN_MOVES)) out.write(`  ${source.name}/${path}\n`);
      if (source.wouldMove > SHOWN_MOVES) out.write(`  ... and ${plural(source.wouldMove - SHOWN_MOVES, 'more file')} (--json lists them)\n`);
    }
    return;
  }
  if (summary.dryRun) {
    if (summary.plan.length === 0) out.write('Nothing to do: the backup is up to date.\n');
    for (const item of summary.plan) out.write(`would ${item.action.replace('-', ' ')}: ${item.source}/${item.path} (${item.rule})\n`);
    for (const entry of summary.skipped) out.write(`skipped (${entry.reason}): ${entry.source}/${entry.path}: ${entry.message}\n`);
    if (summary.quota !== null) out.write(`Quota: ${formatBytes(summary.quota.neededBytes)} to send, ${formatBytes(summary.quota.freeBytes)} free.\n`);
    return;
  }
  for (const entry of summary.skipped) out.write(`skipped (${entry.reason}): ${entry.source}/${entry.path}: ${entry.message}\n`);
  const parts = [
    `${summary.sent.length} sent (${formatBytes(summary.bytesSent)})`,
    `${summary.unchanged} unchanged`,
    `${summary.versioned.length} versioned`,
    `${summary.failed.length} failed`,
  ];
  if (summary.pruned.length > 0) parts.push(`${plural(summary.pruned.length, 'old version')} pruned`);
  const where = `${rootUrl}${summary.device}/`;
  const took = `${(summary.durationMs / 1000).toFixed(1)} s`;
  if (summary.stopped !== null) out.write(`Backup stopped: ${parts.join(', ')}, in ${took}.\n`);
  else out.write(`Backup ${summary.failed.length > 0 ? 'finished with failures' : 'done'} to ${where}: ${parts.join(', ')}, in ${took}.\n`);
  for (const failure of summary.failed) out.write(`  ${failure.source}${failure.path === '' ? '' : `/${failure.path}`}: ${failure.code}: ${failure.message}\n`);
}

function describeProgress(verb: string, progress: Progress): string {
  const left = progress.remainingMs === null ? '' : `, about ${formatDuration(progress.remainingMs)} left`;
  const current = progress.currentFile === null ? '' : ` - ${progress.currentFile}`;
  return `${verb}: ${progress.filesDone}/${plural(progress.filesTotal, 'file')}, ${formatBytes(progress.bytesDone)} of ${formatBytes(progress.bytesTotal)}${left}${current}`;
}

function formatDuration(ms: number): string {
  const seconds = Math.ceil(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.ceil(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

/**
 * On a terminal a progress line; off one a line per file; with --json the lines go to stderr.
 * `onUncheckedQuota` hears the bytes to send when the quota could not be checked.
 */
function backupReporter(
  context: BackupCliContext,
  json: boolean,
  onUncheckedQuota: (bytes: number) => void,
): { onEvent: (event: BackupEvent) => void; clear: () => void } {
  const interactive = Boolean(context.stderr.isTTY) && !json;
  const lines: Output = json ? context.stderr : context.stdout;
  let lastDraw = 0;
  const clear = (): void => {
    if (interactive) context.stderr.write('\r\x1b[2K');
  };
  return {
    clear,
    onEvent(event) {
      switch (event.type) {
        case 'progress': {
          if (!interactive) return;
          const now = systemClock.now();
          if (now - lastDraw < 100 && event.filesDone < event.filesTotal) return;
          lastDraw = now;
          context.stderr.write(`\r\x1b[2K${describeProgress('Backing up', event)}`);
          return;
        }
        case 'file':
          if (event.outcome === 'unchanged') return;
          if (interactive && event.outcome !== 'versioned') return;
          clear();
          lines.write(`${event.outcome}: ${event.source}/${event.path}\n`);
          return;
        case 'file-failed':
          clear();
          context.stderr.write(`failed: ${event.source}${event.path === '' ? '' : `/${event.path}`}: ${event.message}\n`);
          return;
        case 'quota':
          if (event.message !== null) {
            clear();
            context.stderr.write(`terasync: note: ${event.message}\n`);
          } else if (!event.checked) {
            clear();
            onUncheckedQuota(event.neededBytes);
          }
          return;
        default:
          return;
      }
    },
  };
}

// backup list -----------------------------------------------------------------------------------

interface ListSetup {
  remote: WebDavRemoteStore;
  connection: BackupConnection;
  device: string;
  concurrency: number;
  signal: AbortSignal;
}

async function runList(values: BackupCliValues, context: BackupCliContext, setup: ListSetup): Promise<number> {
  const options = { concurrency: setup.concurrency, signal: setup.signal };
  const names = values.sources.length > 0 ? values.sources : await listSources(setup.remote, setup.device, options);
  const listings: SourceListing[] = [];
  for (const name of names) {
    const listing = await listSource(setup.remote, setup.device, name, options);
    if (values.version !== undefined) listing.versions = listing.versions.filter((version) => version.version === values.version);
    listings.push(listing);
  }
  const out = context.stdout;
  if (values.json) {
    out.write(`${JSON.stringify({ device: setup.device, root: setup.connection.rootUrl, sources: listings }, null, 2)}\n`);
    return EXIT_OK;
  }
  if (listings.length === 0) {
    out.write(`No backups of device "${setup.device}" in ${setup.connection.rootUrl}.\n`);
    return EXIT_OK;
  }
  const total = (files: SourceListing['latest']): string => `${plural(files.length, 'file')}, ${formatBytes(files.reduce((sum, file) => sum + file.size, 0))}`;
  out.write(`Backups of device "${setup.device}" in ${setup.connection.rootUrl}${setup.device}/\n`);
  for (const listing of listings) {
    const detailed = values.sources.length > 0;
    if (values.version === undefined) {
      out.write(`${listing.source} (latest): ${total(listing.latest)}\n`);
      if (detailed) for (const file of listing.latest) out.write(`  ${file.path}  ${formatBytes(file.size)}  ${new Date(file.modifiedMs).toISOString()}\n`);
    }
    for (const version of listing.versions) {
      out.write(`${listing.source}, version ${version.version}: ${total(version.files)}\n`);
      if (detailed) for (const file of version.files) out.write(`  ${file.path}  ${formatBytes(file.size)}\n`);
    }
  }
  return EXIT_OK;
}

// restore ---------------------------------------------------------------------------------------

interface RestoreSetup {
  remote: WebDavRemoteStore;
  rootUrl: string;
  device: string;
  concurrency: number;
  logger: Logger;
  signal: AbortSignal;
}

async function runRestore(values: BackupCliValues, context: BackupCliContext, setup: RestoreSetup): Promise<number> {
  const source = values.sources[0] as string;
  const path = (values.path ?? '').split('/').filter((segment) => segment !== '').join('/');
  let target: string;
  if (values.to !== undefined) {
    target = join(resolve(values.to), path === '' ? source : (path.split('/').pop() as string));
  } else {
    const journal = openJournal(context, backupJournalFile(context.stateDir, setup.rootUrl, setup.device));
    let localRoot: string | null;
    try {
      localRoot = journal.source(source)?.localRoot ?? null;
    } finally {
      journal.close();
    }
    if (localRoot === null) {
      throw new TeraSyncError(ErrorCode.InvalidRequest, `This computer has not backed up a folder named "${source}" (as device "${setup.device}"): say where to restore with --to DIR.`);
    }
    target = path === '' ? localRoot : join(localRoot, ...path.split('/'));
  }
  const interactive = Boolean(context.stderr.isTTY) && !values.json;
  const lines: Output = values.json ? context.stderr : context.stdout;
  let lastDraw = 0;
  const clear = (): void => {
    if (interactive) context.stderr.write('\r\x1b[2K');
  };
  const onEvent = (event: RestoreEvent): void => {
    switch (event.type) {
      case 'progress':
        if (!interactive || systemClock.now() - lastDraw < 100) return;
        lastDraw = systemClock.now();
        context.stderr.write(`\r\x1b[2K${describeProgress('Restoring', event)}`);
        return;
      case 'file':
        if (interactive) return;
        lines.write(`${event.outcome}: ${event.path === '' ? basename(target) : event.path}\n`);
        return;
      case 'kept-aside':
        clear();
        lines.write(`kept your file: ${event.path === '' ? basename(target) : event.path} -> ${event.copy}\n`);
        return;
      case 'skipped':
        clear();
        context.stderr.write(`skipped: ${event.message}\n`);
        return;
      case 'file-failed':
        clear();
        context.stderr.write(`failed: ${event.path === '' ? basename(target) : event.path}: ${event.message}\n`);
        return;
    }
  };
  const restore = new Restore({ remote: setup.remote, clock: systemClock, logger: setup.logger, device: setup.device, concurrency: setup.concurrency });
  const summary = await restore.run({ source, version: values.version ?? null, path, target, signal: setup.signal, onEvent });
  clear();
  if (values.json) context.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  else printRestoreSummary(context.stdout, summary);
  if (summary.stopped !== null) {
    context.stderr.write(`terasync: ${summary.stopped.message}\n`);
    return Math.max(EXIT_PARTIAL, context.exitCodeFor(summary.stopped.code));
  }
  return summary.failed.length > 0 ? EXIT_PARTIAL : EXIT_OK;
}

function printRestoreSummary(out: Output, summary: RestoreSummary): void {
  const from = summary.version === null ? 'the latest backup' : `version ${summary.version}`;
  const parts = [
    `${summary.restored.length} restored (${formatBytes(summary.bytes)})`,
    `${summary.unchanged.length} already there`,
    `${plural(summary.keptAside.length, 'local file')} kept aside`,
    `${summary.failed.length} failed`,
  ];
  if (summary.skipped.length > 0) parts.push(`${summary.skipped.length} skipped`);
  out.write(`${summary.stopped === null ? 'Restored' : 'Restore stopped:'} "${summary.source}${summary.path === '' ? '' : `/${summary.path}`}" from ${from} to ${summary.target}: ${parts.join(', ')}.\n`);
  for (const kept of summary.keptAside) out.write(`  your ${kept.path === '' ? 'file' : kept.path} was kept as ${kept.copy}\n`);
  for (const skipped of summary.skipped) out.write(`  skipped: ${skipped.message}\n`);
  for (const failure of summary.failed) out.write(`  ${failure.path === '' ? basename(summary.target) : failure.path}: ${failure.message}\n`);
}
