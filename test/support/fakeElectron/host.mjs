/**
 * Runs an Electron main script under Node with the fake `electron` (electron.mjs):
 *
 *   node test/support/fakeElectron/host.mjs dist/main/index.js [app arguments...]
 *
 * Started with an IPC channel (child_process.fork), it answers the test's commands
 * ({ id, command, args } -> { id, ok, value | error }; see `commands` in electron.mjs).
 * As in Electron, process.argv is [executable, main script, ...arguments], and the app becomes
 * ready once the main script has run.
 */
import Module, { register } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

register('./hooks.mjs', import.meta.url);
const fake = await import('./electron.mjs');
const { app, runCommand } = fake;
// Packages that require('electron') from CommonJS (electron-updater does) get the same fake:
// the resolve hook covers import only, and node_modules/electron would answer a path.
const load = Module._load;
Module._load = function loadWithFakeElectron(request, ...rest) {
  return request === 'electron' ? fake : load.call(this, request, ...rest);
};

const [mainScript, ...rest] = process.argv.slice(2);
if (mainScript === undefined) {
  console.error('Usage: node host.mjs MAIN_SCRIPT [arguments...]');
  process.exit(2);
}
const mainPath = path.resolve(mainScript);
process.argv = [process.execPath, mainPath, ...rest];

if (process.send !== undefined) {
  process.on('message', (message) => {
    if (message === null || typeof message !== 'object' || typeof message.command !== 'string') return;
    Promise.resolve()
      .then(() => runCommand(message.command, message.args))
      .then(
        (value) => process.send?.({ id: message.id, ok: true, value: value === undefined ? null : value }),
        (error) => process.send?.({ id: message.id, ok: false, error: error instanceof Error ? error.message : String(error) }),
      );
  });
}

try {
  await import(pathToFileURL(mainPath).href);
} catch (error) {
  console.error('A JavaScript error occurred in the main process:', error);
  process.exit(1);
}
app._becomeReady();
