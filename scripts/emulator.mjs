#!/usr/bin/env node
/**
 * `npm run emulator`: builds the local TeraCLOUD emulator (dev/emulator/, TypeScript) and runs
 * it. Options go after `--`: `npm run emulator -- --port 9000 --data /tmp/cloud --no-oauth`;
 * `npm run emulator -- --help` lists them (dev/emulator/main.ts).
 *
 * The bundle goes to node_modules/.cache/terasync-emulator/ (ignored by git and ESLint), never
 * to dist/. Packages stay external and resolve from the repository's node_modules above it.
 * It is written to a temporary name and renamed, so two starts at once never load a
 * half-written file.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const repoRoot = path.resolve(fileURLToPath(new URL('..', import.meta.url)));
const buildDir = path.join(repoRoot, 'node_modules', '.cache', 'terasync-emulator');
const bundle = path.join(buildDir, 'emulator.mjs');

let result;
try {
  result = await build({
    absWorkingDir: repoRoot,
    entryPoints: ['dev/emulator/main.ts'],
    outfile: bundle,
    write: false,
    bundle: true,
    packages: 'external',
    platform: 'node',
    target: 'node20',
    format: 'esm',
    sourcemap: 'inline',
    logLevel: 'warning',
  });
} catch {
  // esbuild has printed the errors with file and line.
  process.stderr.write('emulator: building dev/emulator failed (see above)\n');
  process.exit(1);
}

mkdirSync(buildDir, { recursive: true });
const [output] = result.outputFiles;
const temporary = `${bundle}.${process.pid}.tmp`;
writeFileSync(temporary, output.contents);
renameSync(temporary, bundle);

const { main } = await import(pathToFileURL(bundle).href);
await main(process.argv.slice(2));
