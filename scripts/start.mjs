/**
 * `npm start`: builds everything, then runs Electron on this repository (package.json `main`
 * is dist/main/index.js). Arguments after `--` go to the app.
 *
 * The Electron binary: $ELECTRON_PATH when set; otherwise the one the electron package
 * downloads. `npm ci` never downloads it (Electron 45's package has no install script, and
 * package.json denies one should it come back); the first `npm start` runs
 * `node node_modules/electron/install.js` once (it needs internet access and Node 22.12 or
 * later) and tries again.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(fileURLToPath(new URL('..', import.meta.url)));
const require = createRequire(import.meta.url);

function fail(message) {
  console.error(message);
  process.exit(1);
}

/** Finds the Electron binary: `{ path }`, or `{ reason }` saying why there is none. */
function findElectron() {
  const fromEnvironment = process.env.ELECTRON_PATH;
  if (fromEnvironment) {
    return existsSync(fromEnvironment)
      ? { path: fromEnvironment }
      : { reason: `ELECTRON_PATH is set to ${fromEnvironment}, which does not exist`, final: true };
  }
  let packageEntry;
  try {
    packageEntry = require.resolve('electron');
  } catch {
    return { reason: 'the electron package is not installed (run `npm ci`)', final: true };
  }
  // Electron 45's package downloads the binary the first time it is required, which
  // installElectron() does on purpose with a message: so read what it would return (its
  // path.txt names the executable under dist/) without requiring it.
  const packageDir = path.dirname(packageEntry);
  const pathFile = path.join(packageDir, 'path.txt');
  if (!existsSync(pathFile)) return { reason: 'Electron has not been downloaded into node_modules/electron/dist' };
  const binary = path.join(packageDir, 'dist', readFileSync(pathFile, 'utf8').trim());
  if (existsSync(binary)) return { path: binary };
  return { reason: `the electron package points to ${binary}, which does not exist` };
}

function runBuild() {
  const build = spawnSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) fail('npm start: the build failed, so Electron was not started.');
}

function installElectron() {
  const installer = path.join(path.dirname(require.resolve('electron')), 'install.js');
  console.log('Electron is not downloaded yet: running node node_modules/electron/install.js once...');
  const install = spawnSync(process.execPath, [installer], { cwd: path.dirname(installer), stdio: 'inherit' });
  return install.status === 0;
}

function launch(binary) {
  const appArguments = process.argv.slice(2);
  const environment = { ...process.env };
  // Set, it would make Electron behave as plain Node and ignore our app.
  delete environment.ELECTRON_RUN_AS_NODE;
  const child = spawn(binary, [root, ...appArguments], { cwd: root, stdio: 'inherit', env: environment });
  const forward = (signal) => {
    if (child.exitCode === null) child.kill(signal);
  };
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  child.on('error', (error) => fail(`npm start: could not run Electron at ${binary}: ${error.message}`));
  child.on('exit', (code, signal) => {
    process.exitCode = code ?? (signal ? 1 : 0);
  });
}

runBuild();

let electron = findElectron();
if (!electron.path && !electron.final) {
  const installed = installElectron();
  electron = findElectron();
  if (!electron.path && !installed) electron.reason += '; node node_modules/electron/install.js failed too';
}
if (!electron.path) {
  fail(
    `npm start: cannot start Electron: ${electron.reason}.\n` +
      'Either set ELECTRON_PATH to an Electron 45 executable, or run `node node_modules/electron/install.js` ' +
      'on a machine with internet access (it downloads Electron into node_modules/electron/dist).',
  );
}
launch(electron.path);
