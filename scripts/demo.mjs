#!/usr/bin/env node
/**
 * `npm run demo`: a newcomer's first look. Starts the local TeraCLOUD emulator and a
 * continuous sync of a demo folder against it, and says where both sides are
 * (dev/demo/main.ts). `npm run demo -- --help` lists the options.
 */
import { runDevTool } from './devTool.mjs';

await runDevTool('dev/demo/main.ts', 'demo', process.argv.slice(2));
