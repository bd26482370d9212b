/**
 * `npm run demo`: the first command after `npm ci`. Starts the local TeraCLOUD emulator and a
 * continuous sync of a demo folder against it, prints where the local folder and the
 * server's files are, and stops both cleanly on Ctrl-C.
 *
 * The sync side is the `terasync` command (bin/terasync.js), run as a child process with the
 * emulator's test account in its environment: it is what runs everywhere, including machines
 * where Electron cannot start. Files are kept in the demo folder between runs.
 *
 * Exit codes: 0 stopped cleanly, 1 could not start, 2 usage error.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startEmulator, type RunningEmulator } from '../emulator/TeraCloudEmulator.js';

const USAGE = `Usage: npm run demo -- [--folder DIR] [--port N]

Starts a local TeraCLOUD (the emulator) and keeps a demo folder in sync with it until Ctrl-C.

Options:
  --folder DIR  where the demo lives: DIR/local is your side, DIR/server the server's disk
                (default ./terasync-demo, kept between runs)
  --port N      the emulator's port (default 0: any free port)
  -h, --help    show this help`;

const REMOTE_FOLDER = 'Demo';

function repositoryRoot(): string {
  // The bundle runs from node_modules/.cache/terasync-dev/; the source from dev/demo/.
  let folder = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(folder, 'bin', 'terasync.js'))) {
    const parent = dirname(folder);
    if (parent === folder) throw new Error('cannot find bin/terasync.js above the demo');
    folder = parent;
  }
  return folder;
}

export async function main(argv: string[]): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: { folder: { type: 'string' }, port: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } },
    }));
  } catch (error) {
    process.stderr.write(`demo: ${(error as Error).message}\n\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    process.stderr.write('demo: --port must be a port number (0 for any free port)\n');
    process.exitCode = 2;
    return;
  }
  const folder = resolve(values.folder ?? 'terasync-demo');
  const local = join(folder, 'local');
  const serverData = join(folder, 'server');
  const state = join(folder, 'state');
  await mkdir(local, { recursive: true });
  if ((await readdir(local)).length === 0) {
    await writeFile(
      join(local, 'Welcome.txt'),
      'This folder is kept in sync with the local TeraCLOUD emulator.\n' +
        'Add, change, rename or delete files here or on the server side, and watch them sync.\n',
    );
  }

  let emulator: RunningEmulator;
  try {
    emulator = await startEmulator({ port, dataDir: serverData });
  } catch (error) {
    process.stderr.write(`demo: the emulator could not start: ${(error as Error).message}\n`);
    process.exitCode = 1;
    return;
  }
  const account = emulator.accounts[0];
  if (account === undefined) throw new Error('the emulator has no account');
  const serverFolder = join(emulator.filesDir(account.userId), REMOTE_FOLDER);
  const remoteUrl = `${emulator.davUrl}${REMOTE_FOLDER}/`;
  process.stdout.write(
    [
      'TeraSync demo',
      '',
      `  your folder         ${local}`,
      `  the server's files  ${serverFolder}  (what the emulator keeps on disk)`,
      `  WebDAV address      ${remoteUrl}  (user ${account.userId}, Apps password ${account.appsPassword})`,
      '',
      'Change files on either side: they sync within seconds. Ctrl-C stops the demo.',
      'This runs the terasync command; the desktop app (npm start) needs Electron, which this',
      'machine may not be able to download.',
      '',
      '',
    ].join('\n'),
  );

  const root = repositoryRoot();
  const child: ChildProcess = spawn(
    process.execPath,
    [join(root, 'bin', 'terasync.js'), 'sync', '--local', local, '--remote', remoteUrl, '--state', state, '--poll-interval', '5'],
    {
      env: { ...process.env, TERASYNC_USER: account.userId, TERASYNC_PASSWORD: account.appsPassword },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('\nStopping the demo...\n');
    // The command finishes or abandons its transfers and leaves a journal the next run trusts.
    child.kill('SIGTERM');
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const code = await exited;
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
  await emulator.close();
  if (!stopping) {
    process.stderr.write(`demo: the sync command ended on its own (exit ${code ?? 'signal'})\n`);
    process.exitCode = 1;
    return;
  }
  process.stdout.write(`Stopped. Your files stay in ${folder}; run npm run demo again to continue.\n`);
}
