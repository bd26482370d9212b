/**
 * `npm run demo`: the newcomer's first command. Starts the emulator and a continuous sync of a
 * demo folder, says where both sides are, syncs both ways, and stops cleanly on Ctrl-C.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureCliBuilt, repoRoot } from '../../support/cli.js';
import { untilWithin } from '../../support/until.js';

const until = untilWithin(20_000, 100);

describe('npm run demo', () => {
  let folder: string | undefined;

  afterEach(async () => {
    if (folder !== undefined) await rm(folder, { recursive: true, force: true });
  });

  it('syncs a demo folder with the emulator both ways, says where they are, and stops cleanly on Ctrl-C', async () => {
    ensureCliBuilt();
    folder = await mkdtemp(join(tmpdir(), 'terasync-demo-'));
    const child = spawn(process.execPath, [join(repoRoot, 'scripts', 'demo.mjs'), '--folder', folder], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    try {
      const local = join(folder, 'local');
      const server = join(folder, 'server', 'demo', 'files', 'Demo');
      await until('the banner', () => stdout.includes('Ctrl-C stops the demo'));
      expect(stdout).toContain(`your folder         ${local}`);
      expect(stdout).toContain(`the server's files  ${server}`);
      // The welcome file goes up first, then a change on each side crosses over.
      await until('Welcome.txt on the server', () => existsSync(join(server, 'Welcome.txt')));
      await writeFile(join(local, 'mine.txt'), 'from the local side\n');
      await until('mine.txt on the server', () => existsSync(join(server, 'mine.txt')));
      expect(await readFile(join(server, 'mine.txt'), 'utf8')).toBe('from the local side\n');
      await writeFile(join(server, 'theirs.txt'), 'from the server side\n');
      await until('theirs.txt locally', () => existsSync(join(local, 'theirs.txt')));
      expect(await readFile(join(local, 'theirs.txt'), 'utf8')).toBe('from the server side\n');
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    expect(stdout).toContain('Stopped. Your files stay in');
    expect(stderr).toBe('');
  }, 60_000);
});
