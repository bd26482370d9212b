/**
 * Builds the app the way `npm run build` does, into a temporary folder, and checks what
 * Electron will load: an ESM main, a CommonJS preload that needs nothing but 'electron' (the
 * sandbox allows no more), and a renderer page whose CSP holds and which has nothing inline
 * for that CSP to block. Also the `terasync` launcher's two cases.
 */
import { execFile } from 'node:child_process';
import { chmod, copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('../../../', import.meta.url));
const buildScript = path.join(repo, 'scripts', 'build.mjs');

let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'terasync-build-'));
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp
      .split(';')
      .map((part) => part.trim().split(/\s+/))
      .filter((words) => words[0])
      .map(([name, ...values]) => [name!, values]),
  );
}

describe('node scripts/build.mjs', () => {
  let out: string;
  let stdout: string;

  beforeAll(async () => {
    out = path.join(scratch, 'full');
    ({ stdout } = await run(process.execPath, [buildScript, '--out-dir', out], { cwd: repo }));
  });

  it('prints a summary of every output', () => {
    for (const name of ['main', 'preload', 'cli', 'renderer']) expect(stdout).toMatch(new RegExp(`^\\s+${name}\\s+\\S`, 'm'));
    expect(stdout).toMatch(/^Built in [\d.]+ s\.$/m);
  });

  it('writes an ESM main process that imports electron', async () => {
    const main = await readFile(path.join(out, 'main', 'index.js'), 'utf8');
    expect(main).toMatch(/^import \{[^}]*\bapp\b[^}]*\} from "electron";$/m);
    // esbuild's shim for a require() it could not turn into an import throws at run time in ESM.
    expect(main).not.toContain('Dynamic require of');
    expect(existsSync(path.join(out, 'main', 'index.js.map'))).toBe(true);
  });

  it('writes a CommonJS preload that requires only electron', async () => {
    const preload = await readFile(path.join(out, 'preload', 'index.cjs'), 'utf8');
    const required = [...preload.matchAll(/\brequire\(\s*([^)]*)\)/g)].map((match) => match[1]);
    expect(required).toEqual(['"electron"']);
    expect(preload).not.toMatch(/^\s*(import|export)\b/m);
    expect(preload).toContain('exposeInMainWorld("terasync"');
  });

  it('writes the command line bundle that bin/terasync.js imports, each command a chunk of its own', async () => {
    expect(existsSync(path.join(out, 'cli', 'terasync.js'))).toBe(true);
    const chunks = await readdir(path.join(out, 'cli', 'chunks'));
    for (const command of ['sync', 'status', 'login', 'logout', 'whoami', 'backup', 'restore', 'deleted']) {
      expect(chunks.filter((file) => new RegExp(`^${command}-[A-Z0-9]+\\.js$`).test(file)), command).toHaveLength(1);
    }
    // The entry imports them only when a command runs (test/integration/cli/startup.test.ts runs it).
    const entry = await readFile(path.join(out, 'cli', 'terasync.js'), 'utf8');
    expect(entry).toMatch(/import\("\.\/chunks\/sync-[A-Z0-9]+\.js"\)/);
    expect(entry).not.toMatch(/from "(better-sqlite3|webdav|@napi-rs\/keyring)"/);
  });

  describe('the renderer page', () => {
    let html: string;

    beforeAll(async () => {
      html = await readFile(path.join(out, 'renderer', 'index.html'), 'utf8');
    });

    it('carries the strict Content-Security-Policy', () => {
      const meta = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]+)"/i.exec(html);
      expect(meta).not.toBeNull();
      const policy = directives(meta![1]!);
      expect(policy.get('default-src')).toEqual(["'self'"]);
      expect(policy.get('script-src')).toEqual(["'self'"]);
      expect(policy.get('style-src')).toEqual(["'self'"]);
      expect(policy.get('img-src')).toEqual(["'self'", 'data:']);
      expect(policy.get('connect-src')).toEqual(["'none'"]);
      expect(policy.get('object-src')).toEqual(["'none'"]);
      expect(policy.get('base-uri')).toEqual(["'none'"]);
      expect(policy.get('form-action')).toEqual(["'none'"]);
      expect(meta![1]).not.toMatch(/unsafe-|\*/);
    });

    it('has no inline script or style, which the policy would block', () => {
      const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
      expect(scripts.length).toBeGreaterThan(0);
      for (const [, attributes, body] of scripts) {
        expect(attributes).toMatch(/\bsrc="[^"]+"/);
        expect(body!.trim()).toBe('');
      }
      expect(html).not.toMatch(/<style\b/i);
      expect(html).not.toMatch(/\sstyle\s*=/i);
      expect(html).not.toMatch(/\son[a-z]+\s*=/i);
    });

    it('loads its script and style by relative paths that exist, as file:// needs', () => {
      const references = [...html.matchAll(/\s(?:src|href)="([^"]+)"/g)].map((match) => match[1]!);
      expect(references.some((reference) => reference.endsWith('.js'))).toBe(true);
      expect(references.some((reference) => reference.endsWith('.css'))).toBe(true);
      for (const reference of references) {
        expect(reference).toMatch(/^\.\//);
        expect(existsSync(path.join(out, 'renderer', reference))).toBe(true);
      }
    });

    it('is titled TeraSync', () => {
      expect(html).toContain('<title>TeraSync</title>');
    });
  });
});

describe('node scripts/build.mjs --node-only', () => {
  it('builds the command line bundle and nothing else', async () => {
    const out = path.join(scratch, 'node-only');
    const { stdout } = await run(process.execPath, [buildScript, '--node-only', '--out-dir', out], { cwd: repo });
    expect(stdout).toMatch(/^\s+cli\s+\S/m);
    expect(existsSync(path.join(out, 'cli', 'terasync.js'))).toBe(true);
    expect(existsSync(path.join(out, 'main'))).toBe(false);
    expect(existsSync(path.join(out, 'renderer'))).toBe(false);
  });

  it('refuses an unknown option', async () => {
    await expect(run(process.execPath, [buildScript, '--frobnicate'], { cwd: repo })).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('Unknown option --frobnicate'),
    });
  });
});

describe('bin/terasync.js', () => {
  /** A copy of the launcher in a scratch package, so that its ../dist is ours to arrange. */
  async function launcherIn(folder: string): Promise<string> {
    await mkdir(path.join(folder, 'bin'), { recursive: true });
    const launcher = path.join(folder, 'bin', 'terasync.js');
    await copyFile(path.join(repo, 'bin', 'terasync.js'), launcher);
    await writeFile(path.join(folder, 'package.json'), '{ "type": "module" }\n');
    return launcher;
  }

  it('is executable, with a node shebang', async () => {
    const launcher = path.join(repo, 'bin', 'terasync.js');
    expect((await stat(launcher)).mode & 0o111).toBe(0o111);
    expect(await readFile(launcher, 'utf8')).toMatch(/^#!\/usr\/bin\/env node\n/);
  });

  it('says how to build when the command is not built', async () => {
    const launcher = await launcherIn(path.join(scratch, 'unbuilt'));
    await expect(run(process.execPath, [launcher, 'sync'])).rejects.toMatchObject({
      code: 2,
      stderr: "TeraSync's command is not built: run `npm run build`\n",
    });
  });

  it("runs the built command's main() with the arguments and keeps its exit code", async () => {
    const folder = path.join(scratch, 'built');
    const launcher = await launcherIn(folder);
    await chmod(launcher, 0o755);
    await mkdir(path.join(folder, 'dist', 'cli'), { recursive: true });
    await writeFile(
      path.join(folder, 'dist', 'cli', 'terasync.js'),
      'export async function main() {\n  console.log(`ran ${process.argv.slice(2).join(" ")}`);\n  process.exitCode = 3;\n}\n',
    );
    await expect(run(launcher, ['sync', '--once'])).rejects.toMatchObject({ code: 3, stdout: 'ran sync --once\n' });
  });
});
