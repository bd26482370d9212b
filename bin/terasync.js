#!/usr/bin/env node
// The `terasync` command: runs the CLI bundle that `npm run build` (or npm's `prepare`) writes
// from electron/cli/main.ts, whose main() parses process.argv and sets process.exitCode. The
// bundle loads only the command asked for (see scripts/build.mjs).
import { existsSync } from 'node:fs';
import module from 'node:module';

// The journal's SQLite module (better-sqlite3 13) needs Node 22 or later and crashes the
// process on older ones, so say so before anything loads it. The app's Electron carries Node 24.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  process.stderr.write(
    `TeraSync's command needs Node.js 22.12 or later; this is Node.js ${process.versions.node}.\n` +
      'Install Node.js 24 LTS (or 22 LTS); in a checkout, `npx terasync` runs it on the Node of its devDependencies.\n',
  );
  process.exit(2);
}

const cli = new URL('../dist/cli/terasync.js', import.meta.url);

if (!existsSync(cli)) {
  process.stderr.write("TeraSync's command is not built: run `npm run build`\n");
  process.exit(2);
}

// Keep V8's compiled code of the modules loaded from here on (Node 22.1 and later, so every
// Node this runs on, the app's Electron too), so the next start skips most of the compiling:
// in NODE_COMPILE_CACHE when set, else <tmp>/node-compile-cache; NODE_DISABLE_COMPILE_CACHE=1
// turns it off. A cache that cannot be used is no error: it only costs time.
module.enableCompileCache?.();

const { main } = await import(cli.href);
await main();
