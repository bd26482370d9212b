#!/usr/bin/env node
// The `terasync` command: runs the CLI bundle that `npm run build` (or npm's `prepare`) writes
// from electron/cli/main.ts, whose main() parses process.argv and sets process.exitCode.
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli/terasync.js', import.meta.url);

if (!existsSync(cli)) {
  process.stderr.write("TeraSync's command is not built: run `npm run build`\n");
  process.exit(2);
}

const { main } = await import(cli.href);
await main();
