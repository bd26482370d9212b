#!/usr/bin/env node
/**
 * `npm run bench`: compiles the benchmark and the current `terasync` command, then runs it.
 *
 *   node bench/run.mjs [--quick] [--runs N] [--only ROWS] [--install] [--out FILE] ...
 *
 * Everything compiled goes to node_modules/.cache/terasync-bench/ (ignored by git and ESLint),
 * never to dist/, so a benchmark does not race a build or a test run that uses dist/:
 *   bench.mjs, rawloop.mjs,   bench/bench.ts, bench/rawloop.ts and bench/planner.ts (esbuild)
 *   planner.mjs
 *   dist/cli/terasync.js      scripts/build.mjs --node-only --out-dir <there>/dist
 *   bin/terasync.js           a copy of bin/terasync.js, which loads ../dist/cli/terasync.js
 * Packages stay external and resolve from the repository's node_modules above it.
 *
 * `--commit REV` measures a committed version instead of the working tree (to compare before
 * and after a change): `git archive REV` is unpacked to <there>/rev-<sha>/ beside a link to
 * node_modules and built there. `--cli FILE` measures an entry point built elsewhere (e.g.
 * bin/terasync.js for dist/) and builds nothing.
 *
 * `--node PATH` runs the measured terasync commands on that Node binary (22.12 or later; for
 * example the Node of the `node` devDependency, node_modules/node/bin/node). better-sqlite3 is
 * N-API, so the same build loads on any of them.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

// The measured commands run on this Node unless --node says otherwise; better-sqlite3 13
// crashes on Node older than 22. `npm run bench` runs on the `node` devDependency's Node 24.
const [major, minor] = process.versions.node.split('.').map(Number);
if ((major < 22 || (major === 22 && minor < 12)) && !process.argv.some((argument) => argument === '--node' || argument.startsWith('--node='))) {
  process.stderr.write(`bench: the benchmark needs Node.js 22.12 or later (this is ${process.version}): run it with \`npm run bench\`, or give --node PATH\n`);
  process.exit(2);
}

const repoRoot = path.resolve(fileURLToPath(new URL('..', import.meta.url)));
const buildDir = path.join(repoRoot, 'node_modules', '.cache', 'terasync-bench');
const argv = process.argv.slice(2);

function optionValue(name) {
  const index = argv.indexOf(name);
  if (index >= 0) return argv[index + 1];
  const inline = argv.find((argument) => argument.startsWith(`${name}=`));
  return inline === undefined ? undefined : inline.slice(name.length + 1);
}

function gitNote() {
  const head = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' });
  const status = spawnSync('git', ['status', '--porcelain', '--', 'electron', 'shared'], { cwd: repoRoot, encoding: 'utf8' });
  if (head.status !== 0) return 'not a git checkout';
  const dirty = status.stdout.split('\n').filter((line) => line.trim() !== '').length;
  return `commit ${head.stdout.trim()}${dirty > 0 ? ` plus ${dirty} uncommitted files under electron/ and shared/` : ''}`;
}

mkdirSync(buildDir, { recursive: true });
await build({
  absWorkingDir: repoRoot,
  entryPoints: { bench: 'bench/bench.ts', rawloop: 'bench/rawloop.ts', planner: 'bench/planner.ts' },
  outdir: buildDir,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  packages: 'external',
  platform: 'node',
  target: 'node22.12',
  format: 'esm',
  sourcemap: 'inline',
  logLevel: 'warning',
});

function buildCommand(sourceRoot, outDir) {
  const built = spawnSync(process.execPath, [path.join(sourceRoot, 'scripts', 'build.mjs'), '--node-only', '--out-dir', outDir], {
    cwd: sourceRoot,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (built.status !== 0) {
    process.stderr.write('bench: building the terasync command failed (see above)\n');
    process.exit(1);
  }
}

/** Unpacks and builds a commit once; later runs reuse it. */
function buildCommit(revision) {
  const resolved = spawnSync('git', ['rev-parse', '--short', `${revision}^{commit}`], { cwd: repoRoot, encoding: 'utf8' });
  if (resolved.status !== 0) {
    process.stderr.write(`bench: --commit ${revision}: ${resolved.stderr.trim()}\n`);
    process.exit(2);
  }
  const sha = resolved.stdout.trim();
  const folder = path.join(buildDir, `rev-${sha}`);
  if (!existsSync(path.join(folder, 'dist', 'cli', 'terasync.js'))) {
    rmSync(folder, { recursive: true, force: true });
    mkdirSync(folder, { recursive: true });
    const archive = spawnSync('sh', ['-c', `git archive ${sha} | tar -x -C "${folder}"`], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] });
    if (archive.status !== 0) {
      process.stderr.write(`bench: could not unpack commit ${sha}\n`);
      process.exit(1);
    }
    symlinkSync(path.join(repoRoot, 'node_modules'), path.join(folder, 'node_modules'));
    buildCommand(folder, path.join(folder, 'dist'));
  }
  return { cli: path.join(folder, 'bin', 'terasync.js'), sha };
}

/** For `--node PATH`: the version of that Node, or exits with a message. */
function probeNode(nodePath) {
  const probe = spawnSync(nodePath, ['-p', 'process.version'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    process.stderr.write(`bench: --node ${nodePath} does not run: ${probe.error?.message ?? probe.stderr.trim()}\n`);
    process.exit(2);
  }
  return probe.stdout.trim();
}

let cli = optionValue('--cli');
const commit = optionValue('--commit');
const nodeOption = optionValue('--node');
const node = nodeOption === undefined ? undefined : { path: path.resolve(nodeOption), version: probeNode(path.resolve(nodeOption)) };
let buildNote;
if (commit !== undefined) {
  const built = buildCommit(commit);
  cli = built.cli;
  buildNote = `\`node bin/terasync.js sync --once\` built from commit ${built.sha} (git archive)`;
} else if (cli === undefined) {
  buildCommand(repoRoot, path.join(buildDir, 'dist'));
  mkdirSync(path.join(buildDir, 'bin'), { recursive: true });
  cli = path.join(buildDir, 'bin', 'terasync.js');
  copyFileSync(path.join(repoRoot, 'bin', 'terasync.js'), cli);
  buildNote = `\`node bin/terasync.js sync --once\` over a fresh build of ${gitNote()}`;
} else {
  cli = path.resolve(cli);
  const shown = cli.startsWith(`${repoRoot}${path.sep}`) ? path.relative(repoRoot, cli) : cli;
  buildNote = `\`node ${shown} sync --once\`, built outside the benchmark`;
}

if (node !== undefined) buildNote += `, run by Node ${node.version} (${node.path})`;

const { main } = await import(pathToFileURL(path.join(buildDir, 'bench.mjs')).href);
process.exitCode = await main(
  argv.filter((argument, index) => {
    const ours = (name) => argument === name || argv[index - 1] === name || argument.startsWith(`${name}=`);
    return !ours('--cli') && !ours('--commit') && !ours('--node');
  }),
  { cli, rawloop: path.join(buildDir, 'rawloop.mjs'), planner: path.join(buildDir, 'planner.mjs'), repoRoot, buildNote, node: node?.path },
);
