/**
 * The headless `terasync` command: the composition root for the command line. It builds the
 * same services the app uses and runs them once.
 *
 * Exit codes: 0 in sync (conflicts kept as copies count as success), 1 some paths failed,
 * 2 usage or configuration error, 3 fail-safe stop, 4 authentication refused, 5 another run
 * (or the app) is syncing this local folder.
 */
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { deletedUsageProblem, runDeleted, type DeletedOptions, type DeletedSubcommand } from './deletedCommands.js';
import { ErrorCode, TeraSyncError, toTeraSyncError } from '../../shared/errors.js';
import { appDataDir, journalFile, statusFile } from '../platform/paths.js';
import { FolderBusyError, FolderLock } from '../platform/folderLock.js';
import { watchFolders } from '../platform/folderWatcher.js';
import { readStatusFile, writeStatusFile } from '../platform/statusFile.js';
import { SyncService } from '../sync/SyncService.js';
import type { SyncStatus } from '../../shared/types.js';
import { systemTrash } from '../platform/systemTrash.js';
import { SyncEngine } from '../sync/engine.js';
import { Journal } from '../sync/journal.js';
import { safeDeviceName } from '../sync/names.js';
import { systemClock, systemScheduler } from '../sync/ports.js';
import { lastRunSummary } from '../sync/report.js';
import { WebDavRemoteStore, type WebDavAuth } from '../webdav/WebDavRemoteStore.js';
import type { AccountService } from '../auth/AccountService.js';
import { nodeFromWebDavUrl } from '../teracloud/nodeUrls.js';
import { accountService, describeAccount, login, logout, whoami, type AccountOptions, type Terminal } from './accountCommands.js';
import { runBackupCommand } from './backupCommands.js';
import { createReporter, describeStatus, type Output, type Reporter } from './reporter.js';

export const EXIT = { ok: 0, partial: 1, usage: 2, failSafe: 3, auth: 4, busy: 5 } as const;

const USAGE = `Usage: terasync sync --local DIR --remote URL|FOLDER [--once] [options]
       terasync status --local DIR --remote URL|FOLDER [--state DIR] [--json]
       terasync login [--user ID] [--node NAME | --url URL] [--password-stdin] [--challenge]
       terasync login --oauth --issuer URL --client-id ID [--scopes "..."] [--node NAME | --url URL]
       terasync logout
       terasync whoami [--json]
       terasync backup --source DIR [--source DIR ...] [--dry-run] [--retention-days N] [options]
       terasync backup list [--source NAME] [--version TIMESTAMP] [options]
       terasync restore --source NAME [--version TIMESTAMP] [--path P] [--to DIR] [options]
       terasync deleted list|restore|purge --local DIR --remote URL|FOLDER [--run ID] [--path P] [--all]

sync    keeps a local folder and a folder on TeraCLOUD / InfiniCLOUD (or any WebDAV
        server) in sync: continuously (watching the folder, polling the server) until
        Ctrl-C, or once with --once.
status  tells what the engine of that pair is doing, or how its last run ended.
login   signs in and keeps the account for later syncs: the Apps password or the OAuth2
        tokens go to the system keychain, never to a file.
logout  revokes the OAuth2 tokens and removes the account and its secrets.
whoami  the signed-in user, node, WebDAV path and method in use, and the quota.
backup  copies folders one way to the backup area (https://<node>.teracloud.jp/backup/
        <device>/<folder>/), sending only what is new or changed; replaced and deleted
        files are kept under <device>/.versions/<time>/ for --retention-days (default 30).
        "backup list" shows what is backed up, latest and each version.
restore gets a file or folder (--path, default all) of a backed-up folder back, from the
        latest copy or --version, to where it was or into --to DIR; a local file in the
        way is renamed "name (restore conflict <time>).ext", never overwritten.
deleted what a sync deleted on the server is moved, not destroyed, into the pair's trash,
        <remote folder>/.terasync-trash/<run id>/, and kept --deleted-retention-days.
        "deleted list" shows each run and its files; "deleted restore --run ID [--path P]"
        moves them back where they were (a taken name gives "name (restored).ext"; the next
        sync brings them here); "deleted purge --run ID | --all" deletes them for good.

Options:
  --local DIR            the local folder
  --remote URL|FOLDER    the remote folder: a URL such as https://<node>.teracloud.jp/dav/Sync/,
                         or, for the signed-in account, a folder such as Sync
  --once                 sync once and exit
  --poll-interval SEC    continuous mode: how often to look for changes on the server (default 30)
  --state DIR            where the sync journal lives (default: ${appDataDir()})
  --ca FILE              trust this CA certificate (PEM), for a server with a private certificate
  --json                 sync --once: print one JSON object with the result at the end;
                         status: print the status as JSON
  --dry-run              print what would be done; change nothing (with --once)
  --allow-mass-delete    go ahead although the run would delete many files (backup: move most
                         of a folder's backed-up files out of its latest copy)
  --concurrency N        parallel transfers (default 6)
  --fail-safe-percent N  stop before a run that would delete more than N% of the synced
                         files, and at least 10 (1 to 99, default 50)
  --deleted-retention-days N
                         keep files deleted on the server in the pair's trash for N days
                         (1 to 365, default 30); older runs are purged once a day
  --limit-up KIBPS       upload bandwidth limit in KiB/s (default: none)
  --limit-down KIBPS     download bandwidth limit in KiB/s (default: none)
  --download-streams N   parallel ranges per large download (32 MiB and more), 1 to 16
                         (default 4; 1 = one stream per file)
  --device NAME          name used in conflict copies, and the device folder of backups
                         (default: this computer's name)
  -h, --help             show this help

Deleted-files options (--local, --remote, --state, --ca, --json as for sync):
  --run ID               restore, purge: one run of the trash (as "deleted list" shows it)
  --path P               restore: one file or folder of that run (default: all of it)
  --all                  purge: every run

Backup options (--remote, --device, --ca, --json, --state, --concurrency as above):
  --remote URL           the backup area (default: the account's https://<node>.teracloud.jp/backup/)
  --source DIR|NAME      backup: a folder to back up (repeat for more); list, restore: a
                         backed-up folder's name
  --retention-days N     backup: prune versions older than N days (default 30; 0 keeps all)
  --version TIMESTAMP    list, restore: one version (e.g. 2025-01-31T235959Z)
  --path P               restore: a file or folder inside the backed-up folder (default: all)
  --to DIR               restore: put it in DIR (default: where it was backed up from)
  --api-key KEY          backup: check the quota first (with TERASYNC_USER/TERASYNC_PASSWORD)

Login options:
  --user ID              your TeraCLOUD user ID
  --node NAME            your storage node (e.g. seto), or
  --url URL              the WebDAV Connection URL from MyPage
                         (neither: found through the REST API when an API key is set)
  --password-stdin       read the Apps password from standard input (scripts)
  --challenge            send the password only when the server asks (non-preemptive BASIC)
  --oauth, --issuer URL, --client-id ID, --scopes LIST
                         sign in with OAuth2 in the browser (TERASYNC_OAUTH_ISSUER,
                         TERASYNC_OAUTH_CLIENT_ID, TERASYNC_OAUTH_SCOPES)
  --api-key KEY          the application's TeraCLOUD API key, 32 hex digits (TERASYNC_API_KEY)
  --api-key-in header|matrix   send it as X-TeraCLOUD-API-KEY (default) or ;api_key=
  --api-url URL          the REST API (default https://api.teracloud.jp/; TERASYNC_API_URL)

Credentials: the signed-in account (terasync login), unless the environment has
  TERASYNC_USER and TERASYNC_PASSWORD   user ID and Apps password (BASIC)
  TERASYNC_TOKEN                        an OAuth2 bearer token

Exit codes: 0 in sync (or stopped cleanly), 1 some paths failed, 2 usage or configuration
error, 3 fail-safe stop (nothing deleted), 4 authentication refused, 5 another run (or the
app) is syncing this local folder (nothing done).`;

export interface CliIo {
  argv: string[];
  env: NodeJS.ProcessEnv;
  stdin: Terminal['input'];
  stdout: Output;
  stderr: Output;
  platform: NodeJS.Platform;
}


export async function runCli(io: CliIo): Promise<number> {
  const fail = (code: number, message: string): number => {
    io.stderr.write(`terasync: ${message}\n`);
    return code;
  };

  let parsed;
  try {
    parsed = parseArgs({
      args: io.argv,
      allowPositionals: true,
      strict: true,
      options: {
        local: { type: 'string' },
        remote: { type: 'string' },
        once: { type: 'boolean', default: false },
        'poll-interval': { type: 'string' },
        state: { type: 'string' },
        ca: { type: 'string' },
        json: { type: 'boolean', default: false },
        'dry-run': { type: 'boolean', default: false },
        'allow-mass-delete': { type: 'boolean', default: false },
        concurrency: { type: 'string' },
        'limit-up': { type: 'string' },
        'limit-down': { type: 'string' },
        'download-streams': { type: 'string' },
        device: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
        user: { type: 'string' },
        node: { type: 'string' },
        url: { type: 'string' },
        'password-stdin': { type: 'boolean', default: false },
        challenge: { type: 'boolean', default: false },
        oauth: { type: 'boolean', default: false },
        issuer: { type: 'string' },
        'client-id': { type: 'string' },
        scopes: { type: 'string' },
        'api-key': { type: 'string' },
        'api-key-in': { type: 'string' },
        'api-url': { type: 'string' },
        source: { type: 'string', multiple: true },
        'retention-days': { type: 'string' },
        version: { type: 'string' },
        path: { type: 'string' },
        to: { type: 'string' },
        'fail-safe-percent': { type: 'string' },
        'deleted-retention-days': { type: 'string' },
        run: { type: 'string' },
        all: { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    return fail(EXIT.usage, `${(error as Error).message}\n\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  const command = positionals[0];
  if (values.help || command === 'help' || command === undefined) {
    (command === undefined && !values.help ? io.stderr : io.stdout).write(`${USAGE}\n`);
    return command === undefined && !values.help ? EXIT.usage : EXIT.ok;
  }
  if (!['sync', 'status', 'login', 'logout', 'whoami', 'backup', 'restore', 'deleted'].includes(command)) return fail(EXIT.usage, `unknown command "${command}"\n\n${USAGE}`);
  const subcommand = command === 'backup' && positionals[1] === 'list' ? 'list' : command === 'deleted' ? (positionals[1] ?? null) : null;
  const deletedOptions: DeletedOptions = { run: values.run, path: values.path, all: values.all, json: values.json };
  if (command === 'deleted') {
    const problem = deletedUsageProblem(subcommand ?? undefined, deletedOptions);
    if (problem !== null) return fail(EXIT.usage, problem);
  } else if (values.run !== undefined || values.all) {
    return fail(EXIT.usage, '--run and --all go with "terasync deleted"');
  }
  if (positionals.length > (subcommand === null ? 1 : 2)) return fail(EXIT.usage, `unexpected argument "${positionals[subcommand === null ? 1 : 2]}"`);
  if (command !== 'backup' && command !== 'restore' && (command !== 'deleted' || values.path === undefined) && (values.source !== undefined || values.to !== undefined || values.version !== undefined || values.path !== undefined)) {
    return fail(EXIT.usage, '--source, --to, --version and --path go with "terasync backup" and "terasync restore"');
  }

  let ca: string | undefined;
  if (values.ca) {
    try {
      ca = await readFile(values.ca, 'utf8');
    } catch (error) {
      return fail(EXIT.usage, `cannot read --ca ${values.ca}: ${(error as Error).message}`);
    }
  }
  const stateDir = resolve(values.state ?? appDataDir(io.platform, io.env));
  const accountOptions: AccountOptions = {
    stateDir,
    env: io.env,
    platform: io.platform,
    ca,
    logger: createReporter({ stdout: io.stdout, stderr: io.stderr, json: false }).logger,
    apiKey: values['api-key'],
    apiUrl: values['api-url'],
    apiKeyIn: values['api-key-in'],
  };
  if (command === 'backup' || command === 'restore') {
    return runBackupCommand(
      command === 'restore' ? 'restore' : subcommand === 'list' ? 'backup-list' : 'backup',
      {
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
      },
      { env: io.env, stdout: io.stdout, stderr: io.stderr, stateDir, ca, accountOptions, exitCodeFor },
    );
  }
  if (command === 'login' || command === 'logout' || command === 'whoami') {
    try {
      if (command === 'login') {
        const message = await login(
          accountOptions,
          {
            user: values.user,
            node: values.node,
            url: values.url,
            passwordStdin: values['password-stdin'],
            challenge: values.challenge,
            oauth: values.oauth,
            issuer: values.issuer,
            clientId: values['client-id'],
            scopes: values.scopes,
          },
          { input: io.stdin, output: io.stderr },
        );
        io.stdout.write(`${message}\n`);
      } else if (command === 'logout') {
        io.stdout.write(`${await logout(accountOptions)}\n`);
      } else {
        const info = await whoami(accountOptions);
        io.stdout.write(values.json ? `${JSON.stringify(info, null, 2)}\n` : `${describeAccount(info)}\n`);
      }
      return EXIT.ok;
    } catch (error) {
      const coded = toTeraSyncError(error);
      const sessionOnly =
        coded.code === ErrorCode.KeychainUnavailable
          ? '\nFor this session only, set TERASYNC_USER and TERASYNC_PASSWORD (or TERASYNC_TOKEN) instead of signing in.'
          : '';
      return fail(exitCodeFor(coded.code), `${coded.message}${sessionOnly}`);
    }
  }

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
  const downloadStreams = wholeOption(values['download-streams'], 4, 1, 16);
  if (downloadStreams === null) return fail(EXIT.usage, '--download-streams must be a whole number from 1 to 16');
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

  const localRoot = resolve(values.local);
  const { TERASYNC_USER: user, TERASYNC_PASSWORD: password, TERASYNC_TOKEN: token } = io.env;
  const envAuth: WebDavAuth | null = token ? { kind: 'bearer', token } : user && password ? { kind: 'basic', user, password } : null;
  const remoteIsUrl = /^[a-z][a-z0-9+.-]*:\/\//i.test(values.remote);

  // The pair's identity (journal, status file): the URL as given, or for the signed-in
  // account its /dav/ form, so that a fallback between /v2/dav/ and /dav/ (the same files)
  // keeps the journal.
  let pairRemote: string;
  let folder: string | null = null;
  let accounts: AccountService | null = null;
  if (envAuth !== null || command === 'status' && remoteIsUrl) {
    if (!remoteIsUrl) return fail(EXIT.usage, '--remote must be a URL when credentials come from the environment');
    const remoteUrl = values.remote.endsWith('/') ? values.remote : `${values.remote}/`;
    let url: URL;
    try {
      url = new URL(remoteUrl);
    } catch {
      return fail(EXIT.usage, `--remote is not a URL: ${values.remote}`);
    }
    if (url.username || url.password) {
      return fail(EXIT.usage, 'put credentials in TERASYNC_USER / TERASYNC_PASSWORD, not in the URL');
    }
    pairRemote = remoteUrl;
  } else {
    accounts = accountService(accountOptions);
    const record = await accounts.current();
    if (record === null) {
      return fail(
        EXIT.usage,
        'not signed in: run "terasync login" first, or set TERASYNC_USER and TERASYNC_PASSWORD (your user ID and Apps password from MyPage) or TERASYNC_TOKEN',
      );
    }
    try {
      folder = accountFolder(values.remote, record.origin);
    } catch (error) {
      return fail(EXIT.usage, (error as Error).message);
    }
    pairRemote = `${record.origin}/dav/${encodeFolder(folder)}`;
  }
  const statusPath = statusFile(stateDir, localRoot, pairRemote);

  if (command === 'status') return printStatus(io, statusPath, values.json);

  if (command === 'deleted') {
    let store: WebDavRemoteStore | undefined;
    try {
      let url = pairRemote;
      let deletedAuth: WebDavAuth;
      if (envAuth !== null) deletedAuth = envAuth;
      else {
        const connection = await (accounts as AccountService).connect();
        url = `${connection.rootUrl}${encodeFolder(folder ?? '')}`;
        deletedAuth = connection.auth;
      }
      store = new WebDavRemoteStore({ url, auth: deletedAuth, ca, concurrency });
      return await runDeleted(subcommand as DeletedSubcommand, store, deletedOptions, { stdout: io.stdout });
    } catch (error) {
      const coded = toTeraSyncError(error);
      return fail(exitCodeFor(coded.code), coded.message);
    } finally {
      await store?.dispose();
    }
  }

  const reporter = createReporter({ stdout: io.stdout, stderr: io.stderr, json: values.json && values.once });
  // One sync per local folder, whatever its state folder: refused before anything is done.
  const lock = new FolderLock(localRoot, { program: 'terasync sync', warn: (message) => reporter.logger.warn(message), platform: io.platform });
  try {
    lock.ensure();
  } catch (error) {
    reporter.fatal(toTeraSyncError(error));
    return EXIT.busy;
  }

  let remoteUrl: string;
  let auth: WebDavAuth;
  if (envAuth !== null) {
    remoteUrl = pairRemote;
    auth = envAuth;
  } else {
    try {
      const connection = await (accounts as AccountService).connect();
      remoteUrl = `${connection.rootUrl}${encodeFolder(folder ?? '')}`;
      auth = connection.auth;
      if (connection.fallbackReason !== null) io.stderr.write(`terasync: note: ${connection.fallbackReason}\n`);
    } catch (error) {
      lock.release();
      const coded = toTeraSyncError(error);
      return fail(exitCodeFor(coded.code), coded.message);
    }
  }

  const device = safeDeviceName(values.device ?? io.env.TERASYNC_DEVICE ?? hostname());
  const saveStatus = (status: SyncStatus, running: boolean): void => {
    try {
      writeStatusFile(statusPath, { pid: process.pid, running, updatedAt: Date.now(), localRoot, remoteUrl: pairRemote, status });
    } catch (error) {
      reporter.logger.warn(`cannot write the status file ${statusPath}: ${(error as Error).message}`);
    }
  };

  let remote: WebDavRemoteStore | undefined;
  let journal: Journal | undefined;
  const controller = new AbortController();
  const onSignal = (): void => controller.abort(new TeraSyncError(ErrorCode.Cancelled, 'Sync cancelled.'));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    remote = new WebDavRemoteStore({
      url: remoteUrl,
      auth,
      ca,
      concurrency,
      bandwidth: { uploadKiBps: limits.up, downloadKiBps: limits.down },
      rangedDownloads: { streams: downloadStreams },
      // Retries and server quirks are worth a line: without it they were invisible.
      logger: reporter.logger,
    });
    try {
      journal = Journal.open(journalFile(stateDir, localRoot, pairRemote));
    } catch (error) {
      // The same pair's journal in use: the folder could not carry the lock (missing, read-only).
      if (!isBusy(error)) throw error;
      reporter.fatal(toTeraSyncError(error));
      return EXIT.busy;
    }
    const engine = new SyncEngine({
      localRoot,
      remote,
      journal,
      trash: systemTrash,
      clock: systemClock,
      logger: reporter.logger,
      device,
      platform: io.platform,
      concurrency,
      failSafePercent,
      deletedRetentionDays,
    });
    if (!values.once) {
      return await runContinuously(engine, {
        localRoot,
        lock,
        pollIntervalMs: pollSeconds * 1000,
        allowMassDelete: values['allow-mass-delete'],
        reporter,
        saveStatus,
        stop: new Promise<void>((done) => controller.signal.addEventListener('abort', () => done(), { once: true })),
      });
    }
    const { report, planned } = await engine.runOnce({
      dryRun: values['dry-run'],
      allowMassDelete: values['allow-mass-delete'],
      signal: controller.signal,
      onEvent: reporter.onEvent,
    });
    if (values['dry-run']) {
      reporter.plan(planned, report.skipped);
      return EXIT.ok;
    }
    reporter.finish(report);
    saveStatus(
      {
        state: 'idle',
        lastSyncAt: Date.now(),
        progress: null,
        problem: null,
        retryAt: null,
        watcherFallback: false,
        lastRun: lastRunSummary(report),
        failSafe: null,
        pending: report.deferred.length,
      },
      false,
    );
    return report.errors.length > 0 ? EXIT.partial : EXIT.ok;
  } catch (error) {
    const coded = toTeraSyncError(error);
    reporter.fatal(coded);
    if (values.once && !values['dry-run']) {
      saveStatus(
        {
          state: coded.code === ErrorCode.FailSafeTriggered ? 'failsafe' : 'error',
          lastSyncAt: null,
          progress: null,
          problem: coded.toInfo(),
          retryAt: null,
          watcherFallback: false,
          lastRun: null,
          failSafe: null,
          pending: 0,
        },
        false,
      );
    }
    return exitCodeFor(coded.code);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    journal?.close();
    lock.release();
    await remote?.dispose();
  }
}

/** A whole-number option within bounds; its default when left out; null when it does not fit. */
function wholeOption(raw: string | undefined, fallback: number, min: number, max: number): number | null {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  return /^\d+$/.test(raw.trim()) && Number.isInteger(value) && value >= min && value <= max ? value : null;
}

/** A run refused because another holds the folder's lock or the pair's journal. */
function isBusy(error: unknown): boolean {
  if (error instanceof FolderBusyError) return true;
  const cause = error instanceof Error ? error.cause : undefined;
  const code = typeof cause === 'object' && cause !== null && 'code' in cause ? String(cause.code) : '';
  return code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED');
}

function exitCodeFor(code: ErrorCode): number {
  switch (code) {
    case ErrorCode.FailSafeTriggered:
      return EXIT.failSafe;
    case ErrorCode.Unauthorized:
      return EXIT.auth;
    case ErrorCode.Configuration:
    case ErrorCode.Tls:
    case ErrorCode.InvalidRequest:
    case ErrorCode.KeychainUnavailable:
    case ErrorCode.InvalidAddress:
    case ErrorCode.NodeNotFound:
      return EXIT.usage;
    default:
      return EXIT.partial;
  }
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

/** 'Photos/2024' -> 'Photos/2024/' percent-encoded per segment; '' -> ''. */
function encodeFolder(folder: string): string {
  return folder === '' ? '' : `${folder.split('/').map(encodeURIComponent).join('/')}/`;
}

interface ContinuousOptions {
  localRoot: string;
  /** The folder's lock, held already (or not while the folder is missing): the service keeps it. */
  lock: FolderLock;
  pollIntervalMs: number;
  allowMassDelete: boolean;
  reporter: Reporter;
  saveStatus: (status: SyncStatus, running: boolean) => void;
  stop: Promise<void>;
}

/** What --allow-mass-delete goes ahead with; a missing folder or a server folder gone stays a stop. */
const ALLOWED_BY_FLAG: ReadonlySet<string> = new Set(['massDelete', 'localEmpty']);

/**
 * Syncs until asked to stop; the status goes to the terminal and to the status file. A
 * fail-safe stop is said once on stderr (and once when it clears); nobody can answer it here,
 * so the run looks again at the poll interval: a drive mounted again, or the files back,
 * and it goes on by itself.
 */
async function runContinuously(engine: SyncEngine, options: ContinuousOptions): Promise<number> {
  const { reporter } = options;
  const service = new SyncService({
    localRoot: options.localRoot,
    engine,
    watch: watchFolders,
    clock: systemClock,
    scheduler: systemScheduler,
    logger: reporter.logger,
    options: { pollIntervalMs: options.pollIntervalMs },
    onEvent: reporter.onEvent,
    folderLock: options.lock,
  });
  let lastWrite = 0;
  let lastState = '';
  service.onDidChangeStatus((status) => {
    reporter.status(status);
    // Progress changes many times a second; the file is for humans and scripts.
    const now = Date.now();
    if (status.state !== lastState || now - lastWrite > 1000) {
      lastState = status.state;
      lastWrite = now;
      options.saveStatus(status, true);
    }
  });
  let stoppedAtFailSafe = false;
  const recheck: { cancel: (() => void) | null } = { cancel: null };
  service.onDidChangeStatus((status) => {
    if (status.state === 'failsafe') {
      if (options.allowMassDelete && ALLOWED_BY_FLAG.has(status.failSafe?.reason ?? '')) {
        service.allowMassDelete();
        return;
      }
      if (!stoppedAtFailSafe) reporter.failSafeStopped(status.problem?.message ?? 'the fail-safe stopped the sync', options.pollIntervalMs);
      stoppedAtFailSafe = true;
      recheck.cancel?.();
      recheck.cancel = systemScheduler.schedule(options.pollIntervalMs, () => {
        recheck.cancel = null;
        service.syncNow();
      });
    } else if (stoppedAtFailSafe && (status.state === 'syncing' || status.state === 'idle')) {
      stoppedAtFailSafe = false;
      reporter.failSafeCleared();
    }
  });
  await service.start();
  await options.stop;
  recheck.cancel?.();
  const final = service.getStatus();
  await service.stop();
  options.saveStatus({ ...final, state: 'stopped', progress: null }, false);
  reporter.stopped();
  return EXIT.ok;
}

function printStatus(io: CliIo, path: string, json: boolean): number {
  const record = readStatusFile(path);
  if (!record) {
    io.stderr.write('terasync: this pair has not been synced yet (no status recorded)\n');
    return EXIT.partial;
  }
  if (json) {
    io.stdout.write(`${JSON.stringify(record, null, 2)}\n`);
    return EXIT.ok;
  }
  io.stdout.write(`${describeStatus(record.status)}${record.running ? ` (running, pid ${record.pid})` : ' (not running)'}\n`);
  io.stdout.write(`  ${record.localRoot} <-> ${record.remoteUrl}\n`);
  if (record.status.lastSyncAt) io.stdout.write(`  last in sync: ${new Date(record.status.lastSyncAt).toLocaleString()}\n`);
  return EXIT.ok;
}

/** Runs the command in this process and sets its exit code (called by bin/terasync.js). */
export async function main(): Promise<void> {
  try {
    process.exitCode = await runCli({
      argv: process.argv.slice(2),
      env: process.env,
      stdin: process.stdin,
      stdout: process.stdout,
      stderr: process.stderr,
      platform: process.platform,
    });
  } catch (error) {
    process.stderr.write(`terasync: unexpected failure: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = EXIT.partial;
  }
}
