#!/usr/bin/env node
/**
 * `npm run emulator`: builds the local TeraCLOUD emulator (dev/emulator/, TypeScript) and runs
 * it. Options go after `--`: `npm run emulator -- --port 9000 --data /tmp/cloud --no-oauth`;
 * `npm run emulator -- --help` lists them (dev/emulator/main.ts).
 */
import { runDevTool } from './devTool.mjs';

await runDevTool('dev/emulator/main.ts', 'emulator', process.argv.slice(2));
