/**
 * The headless `terasync` command: the composition root for the command line. It builds the
 * same services the app uses and runs them once.
 *
 * Exit codes: 0 in sync (conflicts kept as copies count as success), 1 some paths failed,
 * 2 usage or configuration error, 3 fail-safe stop, 4 authentication refused.
 */
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ErrorCode, TeraSyncError, toTeraSyncError } from '../../shared/errors.js';
import { appDataDir, journalFile } from '../platform/paths.js';
import { systemTrash } from '../platform/systemTrash.js';
import { SyncEngine } from '../sync/engine.js';
import { Journal } from '../sync/journal.js';
import { safeDeviceName } from '../sync/names.js';
import { systemClock } from '../sync/ports.js';
import { WebDavRemoteStore } from '../webdav/WebDavRemoteStore.js';
import { createReporter, type Output } from './reporter.js';

export const EXIT = { ok: 0, partial: 1, usage: 2, failSafe: 3, auth: 4 } as const;

const USAGE = `Usage: terasync sync --once --local DIR --remote URL [options]

Syncs a local folder with a folder on TeraCLOUD / InfiniCLOUD (or any WebDAV server) once.

Options:
  --local DIR            the local folder
  --remote URL           the remote folder, e.g. https://<node>.teracloud.jp/dav/Sync/
  --once                 sync once and exit
  --state DIR            where the sync journal lives (default: ${appDataDir()})
  --ca FILE              trust this CA certificate (PEM), for a server with a private certificate
  --json                 print one JSON object with the result at the end
  --dry-run              print what would be done; change nothing
  --allow-mass-delete    go ahead although the run would delete many files
  --concurrency N        parallel transfers (default 6)
  --device NAME          name used in conflict copies (default: this computer's name)
  -h, --help             show this help

Credentials come from the environment:
  TERASYNC_USER and TERASYNC_PASSWORD   user ID and Apps password (BASIC)
  TERASYNC_TOKEN                        an OAuth2 bearer token

Exit codes: 0 in sync, 1 some paths failed, 2 usage or configuration error,
3 fail-safe stop (nothing deleted), 4 authentication refused.`;

export interface CliIo {
  argv: string[];
  env: NodeJS.ProcessEnv;
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
        state: { type: 'string' },
        ca: { type: 'string' },
        json: { type: 'boolean', default: false },
        'dry-run': { type: 'boolean', default: false },
        'allow-mass-delete': { type: 'boolean', default: false },
        concurrency: { type: 'string' },
        device: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
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
  if (command !== 'sync') return fail(EXIT.usage, `unknown command "${command}"\n\n${USAGE}`);
  if (positionals.length > 1) return fail(EXIT.usage, `unexpected argument "${positionals[1]}"`);
  if (!values.once) {
    return fail(EXIT.usage, 'continuous sync is not available in this version: add --once to sync once and exit');
  }
  if (!values.local) return fail(EXIT.usage, '--local DIR is required');
  if (!values.remote) return fail(EXIT.usage, '--remote URL is required');
  const concurrency = values.concurrency === undefined ? 6 : Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
    return fail(EXIT.usage, '--concurrency must be a whole number from 1 to 64');
  }

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

  const { TERASYNC_USER: user, TERASYNC_PASSWORD: password, TERASYNC_TOKEN: token } = io.env;
  let auth: { kind: 'basic'; user: string; password: string } | { kind: 'bearer'; token: string };
  if (token) auth = { kind: 'bearer', token };
  else if (user && password) auth = { kind: 'basic', user, password };
  else {
    return fail(
      EXIT.usage,
      'no credentials: set TERASYNC_USER and TERASYNC_PASSWORD (your user ID and Apps password from MyPage) or TERASYNC_TOKEN',
    );
  }

  let ca: string | undefined;
  if (values.ca) {
    try {
      ca = await readFile(values.ca, 'utf8');
    } catch (error) {
      return fail(EXIT.usage, `cannot read --ca ${values.ca}: ${(error as Error).message}`);
    }
  }

  const localRoot = resolve(values.local);
  const stateDir = resolve(values.state ?? appDataDir(io.platform, io.env));
  const device = safeDeviceName(values.device ?? io.env.TERASYNC_DEVICE ?? hostname());
  const reporter = createReporter({ stdout: io.stdout, stderr: io.stderr, json: values.json });

  let remote: WebDavRemoteStore | undefined;
  let journal: Journal | undefined;
  const controller = new AbortController();
  const onSignal = (): void => controller.abort(new TeraSyncError(ErrorCode.Cancelled, 'Sync cancelled.'));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    remote = new WebDavRemoteStore({ url: remoteUrl, auth, ca, concurrency });
    journal = Journal.open(journalFile(stateDir, localRoot, remoteUrl));
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
    });
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
    return report.errors.length > 0 ? EXIT.partial : EXIT.ok;
  } catch (error) {
    const coded = toTeraSyncError(error);
    reporter.fatal(coded);
    switch (coded.code) {
      case ErrorCode.FailSafeTriggered:
        return EXIT.failSafe;
      case ErrorCode.Unauthorized:
        return EXIT.auth;
      case ErrorCode.Configuration:
      case ErrorCode.Tls:
        return EXIT.usage;
      default:
        return EXIT.partial;
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    journal?.close();
    await remote?.dispose();
  }
}

/** Runs the command in this process and sets its exit code (called by bin/terasync.js). */
export async function main(): Promise<void> {
  try {
    process.exitCode = await runCli({
      argv: process.argv.slice(2),
      env: process.env,
      stdout: process.stdout,
      stderr: process.stderr,
      platform: process.platform,
    });
  } catch (error) {
    process.stderr.write(`terasync: unexpected failure: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = EXIT.partial;
  }
}
