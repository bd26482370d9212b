#!/usr/bin/env node
// The `terasync` command: runs the CLI bundle that `npm run build` (or npm's `prepare`) writes
// from electron/cli/main.ts, whose main() parses process.argv and sets process.exitCode.
import { existsSync } from 'node:fs';

// The journal's SQLite module (better-sqlite3 13) needs Node 22.12 or later and crashes on
// older ones without a word: say so first (docs/NODE.md). The installed app's command runs on
// Electron's own Node, which is newer.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  process.stderr.write(
    `TeraSync's command needs Node.js 22.12 or later; this is Node.js ${process.versions.node}.\n` +
      'Install Node.js 22 or 24 LTS, or run it from the checkout with `npx terasync`, which uses the Node.js that `npm ci` installed.\n',
  );
  process.exit(2);
}

const cli = new URL('../dist/cli/terasync.js', import.meta.url);

if (!existsSync(cli)) {
  process.stderr.write("TeraSync's command is not built: run `npm run build`\n");
  process.exit(2);
}

const { main } = await import(cli.href);
await main();
