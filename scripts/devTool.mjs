/**
 * Builds and runs a development tool written in TypeScript under dev/ (the emulator, the
 * demo): esbuild bundles it into node_modules/.cache/terasync-dev/ (ignored by git and ESLint,
 * never dist/), packages stay external and resolve from the repository's node_modules. The
 * bundle is written to a temporary name and renamed, so two starts at once never load a
 * half-written file.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

export const repoRoot = path.resolve(fileURLToPath(new URL('..', import.meta.url)));

/**
 * @param {string} entry the tool's main file, relative to the repository (exports `main(argv)`)
 * @param {string} name for messages and the bundle's file name
 * @param {string[]} argv the tool's arguments
 */
export async function runDevTool(entry, name, argv) {
  const buildDir = path.join(repoRoot, 'node_modules', '.cache', 'terasync-dev');
  const bundle = path.join(buildDir, `${name}.mjs`);
  let result;
  try {
    result = await build({
      absWorkingDir: repoRoot,
      entryPoints: [entry],
      outfile: bundle,
      write: false,
      bundle: true,
      packages: 'external',
      platform: 'node',
      target: 'node22.12',
      format: 'esm',
      sourcemap: 'inline',
      logLevel: 'warning',
    });
  } catch {
    // esbuild has printed the errors with file and line.
    process.stderr.write(`${name}: building ${entry} failed (see above)\n`);
    process.exit(1);
  }
  mkdirSync(buildDir, { recursive: true });
  const [output] = result.outputFiles;
  const temporary = `${bundle}.${process.pid}.tmp`;
  writeFileSync(temporary, output.contents);
  renameSync(temporary, bundle);
  const { main } = await import(pathToFileURL(bundle).href);
  await main(argv);
}
