/**
 * `npm run emulator`: the local TeraCLOUD emulator for a developer, on fixed ports so its URLs
 * stay the same from one run to the next (scripts/emulator.mjs builds this file and calls
 * `main`). It prints where everything is and one line per request, and stops on Ctrl-C or
 * SIGTERM. Files are kept between runs in the data folder.
 *
 * Exit codes: 0 stopped cleanly, 1 could not start (e.g. a port in use), 2 usage error.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startEmulator, type RecordedEmulatorRequest, type RunningEmulator } from './TeraCloudEmulator.js';

export const DEFAULT_PORT = 8765;

const USAGE = `Usage: npm run emulator -- [--port N] [--data DIR] [--no-oauth] [--no-v2] [--quiet]

Runs a local TeraCLOUD (WebDAV, REST API and an OAuth2 authorization server) on 127.0.0.1.

Options:
  --port N      the WebDAV and REST port (default ${DEFAULT_PORT}; 0 = any free port); the OAuth2
                authorization server listens on N+1 (any free port when N is 0)
  --data DIR    where the files live, kept between runs (default ./.emulator-data)
  --no-oauth    no authorization server (then /v2/dav/ and /v2/api/user refuse every token)
  --no-v2       /v2/dav/ answers 404, like a node without the new API
  --quiet       do not print a line per request
  -h, --help    show this help`;

export interface EmulatorCommandIo {
  argv: string[];
  cwd: string;
  stdout(text: string): void;
  stderr(text: string): void;
}

interface Settings {
  port: number;
  dataDir: string;
  oauth: boolean;
  v2Dav: boolean;
  quiet: boolean;
}

function parse(io: EmulatorCommandIo): Settings | { exitCode: number } {
  let values;
  try {
    ({ values } = parseArgs({
      args: io.argv,
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string' },
        data: { type: 'string' },
        'no-oauth': { type: 'boolean', default: false },
        'no-v2': { type: 'boolean', default: false },
        quiet: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    io.stderr(`emulator: ${(error as Error).message}\n\n${USAGE}\n`);
    return { exitCode: 2 };
  }
  if (values.help) {
    io.stdout(`${USAGE}\n`);
    return { exitCode: 0 };
  }
  const port = values.port === undefined ? DEFAULT_PORT : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65534) {
    io.stderr(`emulator: --port must be a whole number from 0 to 65534\n\n${USAGE}\n`);
    return { exitCode: 2 };
  }
  return {
    port,
    dataDir: resolve(io.cwd, values.data ?? '.emulator-data'),
    oauth: !values['no-oauth'],
    v2Dav: !values['no-v2'],
    quiet: values.quiet,
  };
}

function summary(emulator: RunningEmulator, settings: Settings): string {
  const [account] = emulator.accounts;
  if (account === undefined) throw new Error('The emulator has no account.');
  const rows: Array<[string, string]> = [
    ['WebDAV, files (BASIC)', emulator.davUrl],
    ['WebDAV, files (OAuth2)', settings.v2Dav ? emulator.v2DavUrl : `${emulator.v2DavUrl} (off: --no-v2, answers 404)`],
    ['WebDAV, backup (BASIC)', emulator.backupUrl],
    ['REST API base URL', `${emulator.apiBaseUrl}  (GET ${emulator.apiBaseUrl}v2/api/ba/user)`],
    ['OAuth2 issuer', emulator.oauth === null ? '(off: --no-oauth)' : emulator.oauth.issuer],
    ['OAuth2 client ID', emulator.oauth === null ? '-' : `${emulator.oauth.clientId}  (scopes: ${emulator.oauth.scopes.join(' ')})`],
    ['User ID', account.userId],
    ['Apps password', account.appsPassword],
    ['Node', account.node],
    ['API key', emulator.apiKey],
    ['Data folder', `${emulator.dataDir}  (files: ${emulator.filesDir()}, backup: ${emulator.backupDir()})`],
  ];
  const width = Math.max(...rows.map(([label]) => label.length)) + 2;
  const credentials = `TERASYNC_USER=${account.userId} TERASYNC_PASSWORD=${account.appsPassword}`;
  return [
    'TeraCLOUD emulator running on 127.0.0.1. Ctrl-C stops it.',
    '',
    ...rows.map(([label, value]) => `  ${label.padEnd(width)}${value}`),
    '',
    'Try it:',
    `  curl -u ${account.userId}:${account.appsPassword} -H 'X-TeraCLOUD-API-KEY: ${emulator.apiKey}' ${emulator.apiBaseUrl}v2/api/ba/user`,
    `  ${credentials} npx terasync sync --once --local ./folder --remote ${emulator.davUrl}Sync/`,
    '',
  ].join('\n');
}

function logLine(request: RecordedEmulatorRequest): string {
  const time = new Date().toISOString().slice(11, 19);
  const who = [request.authorization === 'none' ? '' : request.authorization, request.apiKey === 'none' ? '' : `key:${request.apiKey}`].filter(Boolean).join(' ');
  return `${time} ${request.status ?? '-'} ${request.method} ${request.path}${who === '' ? '' : `  (${who})`}\n`;
}

/** Starts the emulator; resolves with the exit code once it has stopped (or could not start). */
export async function runEmulatorCommand(io: EmulatorCommandIo, stopSignal: Promise<unknown>): Promise<number> {
  const settings = parse(io);
  if ('exitCode' in settings) return settings.exitCode;

  const created = !existsSync(settings.dataDir);
  await mkdir(settings.dataDir, { recursive: true });
  // A data folder made inside a checkout stays out of git.
  if (created) await writeFile(join(settings.dataDir, '.gitignore'), '*\n');

  let emulator: RunningEmulator | undefined;
  try {
    emulator = await startEmulator({
      port: settings.port,
      dataDir: settings.dataDir,
      v2Dav: settings.v2Dav,
      oauth: settings.oauth ? (settings.port === 0 ? {} : { port: settings.port + 1 }) : false,
      onRequest: (request) => {
        if (!settings.quiet) io.stdout(logLine(request));
        // A developer's emulator may run for days: the log is the record, not memory.
        emulator?.requests.splice(0);
      },
    });
  } catch (error) {
    const { code, port } = error as { code?: string; port?: number };
    if (code === 'EADDRINUSE') {
      const what = port === settings.port ? 'WebDAV and REST' : 'OAuth2 authorization server';
      io.stderr(
        `emulator: port ${port ?? '?'} on 127.0.0.1 (${what}) is in use, perhaps by another emulator. ` +
          'Stop that, or choose another port with --port N (0 picks free ports).\n',
      );
      return 1;
    }
    io.stderr(`emulator: could not start: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  if (emulator === undefined) return 1;
  // A folder to sync into, so the example command works on a fresh data folder.
  await mkdir(join(emulator.filesDir(), 'Sync'), { recursive: true });
  io.stdout(`${summary(emulator, settings)}\n`);

  await stopSignal;
  io.stdout('Stopping the emulator...\n');
  await emulator.close();
  io.stdout('Stopped.\n');
  return 0;
}

/** The process entry: wires argv, stdout, stderr and the stop signals. */
export async function main(argv: string[]): Promise<void> {
  const stopSignal = new Promise<void>((resolveStop) => {
    process.once('SIGINT', () => resolveStop());
    process.once('SIGTERM', () => resolveStop());
  });
  const exitCode = await runEmulatorCommand(
    { argv, cwd: process.cwd(), stdout: (text) => process.stdout.write(text), stderr: (text) => process.stderr.write(text) },
    stopSignal,
  );
  // oidc-provider keeps timers of its own; the servers are closed, so end here.
  process.exit(exitCode);
}
