/**
 * The headless `terasync` command: parses the command line and answers `--help`, a missing or
 * unknown command and a malformed option itself. Once the command is known it loads that
 * command's module only (electron/cli/commands/<name>.ts, the composition root of one
 * command), checks the usage rules shared by all commands and the module's own
 * (`usageProblem`), and runs it. So `terasync --help` or a mistyped command loads no SQLite,
 * WebDAV client or keychain binding: scripts/build.mjs makes each command a chunk of its own
 * and fails a build whose entry would load one of those packages at start-up.
 *
 * Exit codes: 0 in sync (conflicts kept as copies count as success), 1 some paths failed,
 * 2 usage or configuration error, 3 fail-safe stop, 4 authentication refused, 5 another run
 * (or the app) is syncing this local folder.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { appDataDir } from '../platform/paths.js';
import { COMMAND_NAMES, parseCommandLine, type CliIo, type CommandContext, type CommandModule, type CommandName } from './context.js';
import { EXIT } from './exitCodes.js';
import { createReporter } from './reporter.js';

export { EXIT } from './exitCodes.js';
export type { CliIo } from './context.js';
import type { CommandProxy } from './proxyOption.js';

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
  --proxy URL            go through this proxy: http://[user:password@]host:port,
                         https://..., socks5://host:port (socks5h:// lets the proxy look up
                         names); "none" or "direct" goes direct. Default: HTTPS_PROXY,
                         http_proxy, ALL_PROXY and NO_PROXY as curl reads them
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

Proxy: --proxy, else the environment: HTTPS_PROXY (https addresses), http_proxy (http),
  ALL_PROXY (both, when those are unset), NO_PROXY (hosts, domains, IPs or networks that go
  direct; * for all), upper or lower case (lower case wins; HTTP_PROXY is not read). A proxy
  only carries an end-to-end TLS tunnel; a TLS-inspecting proxy needs its CA: --ca FILE.

Credentials: the signed-in account (terasync login), unless the environment has
  TERASYNC_USER and TERASYNC_PASSWORD   user ID and Apps password (BASIC)
  TERASYNC_TOKEN                        an OAuth2 bearer token

Exit codes: 0 in sync (or stopped cleanly), 1 some paths failed, 2 usage or configuration
error, 3 fail-safe stop (nothing deleted), 4 authentication refused, 5 another run (or the
app) is syncing this local folder (nothing done).`;

/** One loader per command: esbuild makes each its own chunk, loaded on first use. */
const COMMANDS: Record<CommandName, () => Promise<CommandModule>> = {
  sync: () => import('./commands/sync.js'),
  status: () => import('./commands/status.js'),
  login: () => import('./commands/login.js'),
  logout: () => import('./commands/logout.js'),
  whoami: () => import('./commands/whoami.js'),
  backup: () => import('./commands/backup.js'),
  restore: () => import('./commands/restore.js'),
  deleted: () => import('./commands/deleted.js'),
};

function isCommand(name: string): name is CommandName {
  return (COMMAND_NAMES as readonly string[]).includes(name);
}

export async function runCli(rawIo: CliIo): Promise<number> {
  let io = rawIo;
  const fail = (code: number, message: string): number => {
    io.stderr.write(`terasync: ${message}\n`);
    return code;
  };

  let parsed;
  try {
    parsed = parseCommandLine(io.argv);
  } catch (error) {
    return fail(EXIT.usage, `${(error as Error).message}\n\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  const command = positionals[0];
  if (values.help || command === 'help' || command === undefined) {
    (command === undefined && !values.help ? io.stderr : io.stdout).write(`${USAGE}\n`);
    return command === undefined && !values.help ? EXIT.usage : EXIT.ok;
  }
  if (!isCommand(command)) return fail(EXIT.usage, `unknown command "${command}"\n\n${USAGE}`);
  const subcommand = command === 'backup' && positionals[1] === 'list' ? 'list' : command === 'deleted' ? (positionals[1] ?? null) : null;
  const commandModule = await COMMANDS[command]();
  if (commandModule.usageProblem !== undefined) {
    const problem = commandModule.usageProblem(subcommand, values);
    if (problem !== null) return fail(EXIT.usage, problem);
  } else if (values.run !== undefined || values.all) {
    return fail(EXIT.usage, '--run and --all go with "terasync deleted"');
  }
  if (positionals.length > (subcommand === null ? 1 : 2)) return fail(EXIT.usage, `unexpected argument "${positionals[subcommand === null ? 1 : 2]}"`);
  if (command !== 'backup' && command !== 'restore' && (command !== 'deleted' || values.path === undefined) && (values.source !== undefined || values.to !== undefined || values.version !== undefined || values.path !== undefined)) {
    return fail(EXIT.usage, '--source, --to, --version and --path go with "terasync backup" and "terasync restore"');
  }

  let proxy: CommandProxy | null = null;
  if (command !== 'status') {
    const { setUpProxy } = await import('./proxySetup.js');
    const setUp = setUpProxy(values.proxy, io);
    if ('problem' in setUp) return fail(EXIT.usage, setUp.problem);
    ({ proxy, io } = setUp);
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
  const context: CommandContext = {
    io,
    command,
    subcommand,
    values,
    stateDir,
    ca,
    accountOptions: {
      stateDir,
      env: io.env,
      platform: io.platform,
      ca,
      logger: createReporter({ stdout: io.stdout, stderr: io.stderr, json: false }).logger,
      apiKey: values['api-key'],
      apiUrl: values['api-url'],
      apiKeyIn: values['api-key-in'],
    },
    proxy,
    fail,
  };
  return commandModule.run(context);
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
