/**
 * The package layout, checked with electron-builder itself (`--dir`, no installer). Electron's
 * binary cannot be downloaded here, so a stand-in folder is given as `electronDist`; what is
 * checked is what TeraSync controls: the asar holds the built main, preload, renderer and tray
 * icons and nothing of the repository's development side, and the native modules are
 * unpacked beside it (a `.node` file cannot be loaded from inside an asar).
 *
 * Both native modules are N-API with prebuilt binaries in their packages (better-sqlite3 13,
 * @napi-rs/keyring), so nothing is rebuilt for Electron's ABI: the package holds exactly the
 * binaries a real build packs.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../support/cli.js';

const run = promisify(execFile);
const require = createRequire(import.meta.url);
const asar = require('@electron/asar') as { listPackage(archive: string, options?: object): string[] };

function withoutVitest(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => name !== 'VITEST'));
}

describe('electron-builder --dir', () => {
  let folder: string;
  let unpacked: string;
  let builderLog: string;
  let files: string[];

  beforeAll(async () => {
    if (!existsSync(join(repoRoot, 'dist', 'main', 'index.js')) || !existsSync(join(repoRoot, 'dist', 'renderer', 'index.html'))) {
      await run(process.execPath, [join(repoRoot, 'scripts', 'build.mjs')], { cwd: repoRoot });
    }
    folder = await mkdtemp(join(tmpdir(), 'terasync-package-'));
    const electronDist = join(folder, 'electron-dist');
    await mkdir(join(electronDist, 'resources'), { recursive: true });
    await writeFile(join(electronDist, 'electron'), '#!/bin/sh\necho "a stand-in for the Electron binary"\n');
    await chmod(join(electronDist, 'electron'), 0o755);
    const output = join(folder, 'release');
    const built = await run(
      process.execPath,
      [
        join(repoRoot, 'node_modules', 'electron-builder', 'cli.js'),
        '--dir',
        '--linux',
        '--x64',
        `-c.electronDist=${electronDist}`,
        `-c.directories.output=${output}`,
      ],
      // electron-builder logs nothing under vitest (it looks for VITEST); its log is checked below.
      { cwd: repoRoot, env: { ...withoutVitest(process.env), CI: 'true' }, maxBuffer: 16 * 1024 * 1024 },
    );
    builderLog = `${built.stdout}\n${built.stderr}`;
    unpacked = join(output, 'linux-unpacked');
    files = asar.listPackage(join(unpacked, 'resources', 'app.asar'));
  }, 180_000);

  afterAll(async () => {
    if (folder !== undefined) await rm(folder, { recursive: true, force: true });
  });

  it('names the executable after the app', () => {
    expect(existsSync(join(unpacked, 'terasync'))).toBe(true);
  });

  it('packs the built main, preload, renderer and tray icons', () => {
    for (const file of ['/dist/main/index.js', '/dist/preload/index.cjs', '/dist/renderer/index.html', '/dist/cli/terasync.js', '/package.json']) {
      expect(files, file).toContain(file);
    }
    expect(files.filter((file) => /^\/dist\/tray\/[^/]+\.png$/.test(file)).length).toBeGreaterThanOrEqual(100);
    expect(files.some((file) => /^\/dist\/renderer\/assets\/.+\.js$/.test(file))).toBe(true);
    // The command's entry loads each command from its own chunk beside it.
    expect(files.some((file) => /^\/dist\/cli\/chunks\/sync-[A-Z0-9]+\.js$/.test(file))).toBe(true);
  });

  it('leaves the development side out: no sources, tests, emulator or dev dependencies', () => {
    const outside = files.filter((file) =>
      /^\/(electron|shared|renderer|test|dev|bench|scripts|docs)\//.test(file) ||
      /^\/node_modules\/(oidc-provider|webdav-server|ws|vitest|vite|typescript|electron|electron-builder|esbuild)\//.test(file),
    );
    expect(outside).toEqual([]);
    // The production dependencies are there.
    for (const name of ['webdav', 'better-sqlite3', '@napi-rs/keyring', 'ignore', 'react', 'electron-updater', 'builder-util-runtime']) {
      expect(files.some((file) => file.startsWith(`/node_modules/${name}/`)), name).toBe(true);
    }
  });

  it('carries the update feed of electron-builder.yml for electron-updater (resources/app-update.yml)', async () => {
    const config = await readFile(join(unpacked, 'resources', 'app-update.yml'), 'utf8');
    expect(config).toMatch(/^provider: generic$/m);
    expect(config).toMatch(/^url: https:\/\/updates\.terasync\.jp\/desktop\/?$/m);
    // electron-updater keeps its downloads in a cache folder of this name.
    expect(config).toMatch(/^updaterCacheDirName: \S+$/m);
  });

  it('installs a terasync launcher that runs the command from the asar with the app\'s Electron', async () => {
    expect(files).toContain('/bin/terasync.js');
    const launcher = join(unpacked, 'resources', 'bin', 'terasync');
    expect(((await stat(launcher)).mode & 0o111) !== 0).toBe(true);
    const script = await readFile(launcher, 'utf8');
    expect(script).toContain('ELECTRON_RUN_AS_NODE=1');
    expect(script).toContain('"$resources/app.asar/bin/terasync.js"');
    expect(script).toContain('"$resources/../terasync"');
    expect(await readFile(join(unpacked, 'resources', 'bin', 'terasync.cmd'), 'utf8')).toContain('app.asar\\bin\\terasync.js');
  });

  it('unpacks the native modules next to the asar, where they can be loaded', async () => {
    const beside = join(unpacked, 'resources', 'app.asar.unpacked', 'node_modules');
    expect(existsSync(join(beside, 'better-sqlite3', 'prebuilds', 'linux-x64.node'))).toBe(true);
    const keyring = (await readdir(join(beside, '@napi-rs'))).filter((name) => name.startsWith('keyring-linux-x64'));
    expect(keyring.length).toBeGreaterThan(0);
    expect((await readdir(join(beside, '@napi-rs', keyring[0]!))).some((name) => name.endsWith('.node'))).toBe(true);
    // Inside the asar they are only listed, not packed.
    expect(files.some((file) => file.endsWith('.node'))).toBe(true);
  });

  it('has no native module besides the N-API better-sqlite3 and keyring, and only Linux binaries', () => {
    // A new one would need its own answer for Electron's ABI: N-API, or npmRebuild again.
    const natives = files.filter((file) => file.endsWith('.node'));
    const owners = new Set(natives.map((file) => /^\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(file)?.[1] ?? file));
    expect([...owners].sort()).toEqual(['@napi-rs/keyring-linux-x64-gnu', 'better-sqlite3']);
    // better-sqlite3 ships every system's binary; a Linux package keeps the glibc ones.
    expect(natives.filter((file) => file.startsWith('/node_modules/better-sqlite3/')).sort()).toEqual([
      '/node_modules/better-sqlite3/prebuilds/linux-arm64.node',
      '/node_modules/better-sqlite3/prebuilds/linux-x64.node',
    ]);
    // Its sources (the SQLite amalgamation, the C++ binding) are not packed.
    expect(files.filter((file) => /^\/node_modules\/better-sqlite3\/(deps|src)\//.test(file))).toEqual([]);
  });

  it('packages for the Electron version of electron-builder.yml, the electron devDependency', async () => {
    const devDependencies = (JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }).devDependencies;
    const version = devDependencies.electron!.replace(/^\^/, '');
    // electron-builder logs `packaging platform=linux arch=x64 electron=<version> ...`.
    expect(builderLog).toMatch(new RegExp(`\\belectron=${version.replaceAll('.', '\\.')}\\s`));
    // Nothing to rebuild for Electron: every native module is N-API (see the test above).
    expect(await readFile(join(repoRoot, 'electron-builder.yml'), 'utf8')).toMatch(/^npmRebuild: false$/m);
  });
});
