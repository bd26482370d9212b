/**
 * `npm run emulator` (scripts/emulator.mjs) as a developer runs it: a child process that builds
 * dev/emulator, prints where everything is, answers requests, and stops cleanly on SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { basic, send } from './http.js';

const repoRoot = join(import.meta.dirname, '..', '..', '..');
const script = join(repoRoot, 'scripts', 'emulator.mjs');

interface Run {
  child: ChildProcess;
  output: () => string;
  errors: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

let workDir: string;
const children: ChildProcess[] = [];

beforeEach(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'terasync-emulator-command-'));
});
afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  await rm(workDir, { recursive: true, force: true });
});

function run(args: string[]): Run {
  const child = spawn(process.execPath, [script, ...args], { cwd: workDir, env: { PATH: process.env.PATH, HOME: process.env.HOME }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  return { child, output: () => stdout, errors: () => stderr, exit };
}

/** Resolves once the output holds `text`; fails if the process ends first. */
async function waitForOutput(started: Run, text: string): Promise<void> {
  let ended = false;
  void started.exit.then(() => (ended = true));
  while (!started.output().includes(text)) {
    if (ended) throw new Error(`the emulator ended before printing ${JSON.stringify(text)}:\n${started.output()}\n${started.errors()}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function printed(output: string, label: string): string {
  const line = output.split('\n').find((candidate) => candidate.trimStart().startsWith(label));
  if (line === undefined) throw new Error(`no "${label}" line in:\n${output}`);
  return line.trimStart().slice(label.length).trim();
}

describe('npm run emulator', () => {
  it('prints the URLs, account, key and data folder, answers requests, and exits 0 on SIGTERM', async () => {
    const started = run(['--port', '0', '--data', 'cloud']);
    await waitForOutput(started, 'npx terasync sync');
    const output = started.output();

    const davUrl = printed(output, 'WebDAV, files (BASIC)');
    expect(davUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/dav\/$/);
    const origin = davUrl.slice(0, -'/dav/'.length);
    expect(printed(output, 'WebDAV, files (OAuth2)')).toBe(`${origin}/v2/dav/`);
    expect(printed(output, 'WebDAV, backup (BASIC)')).toBe(`${origin}/backup/`);
    expect(printed(output, 'REST API base URL')).toMatch(new RegExp(`^${origin}/ `));
    expect(printed(output, 'OAuth2 issuer')).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(printed(output, 'OAuth2 client ID')).toMatch(/^terasync-desktop /);
    expect(printed(output, 'User ID')).toBe('demo');
    expect(printed(output, 'Apps password')).toBe('demo-apps-password');
    expect(printed(output, 'Node')).toBe('seto');
    expect(printed(output, 'API key')).toBe('0123456789ABCDEF0123456789ABCDEF');
    expect(printed(output, 'Data folder')).toMatch(new RegExp(`^${join(workDir, 'cloud').replaceAll('/', '\\/')} `));
    expect(output).toContain(
      `TERASYNC_USER=demo TERASYNC_PASSWORD=demo-apps-password npx terasync sync --once --local ./folder --remote ${origin}/dav/Sync/`,
    );

    const user = await send(`${origin}/v2/api/ba/user`, {
      headers: { Authorization: basic('demo', 'demo-apps-password'), 'X-TeraCLOUD-API-KEY': '0123456789ABCDEF0123456789ABCDEF' },
    });
    expect(user.status).toBe(200);
    expect(JSON.parse(user.text)).toMatchObject({ user: 'demo', node: 'seto', webdav_url: davUrl });
    const sync = await send(`${davUrl}Sync/`, { method: 'PROPFIND', headers: { Authorization: basic('demo', 'demo-apps-password'), Depth: '1' } });
    expect(sync.status).toBe(207);
    await waitForOutput(started, '207 PROPFIND /dav/Sync/');

    started.child.kill('SIGTERM');
    expect(await started.exit).toEqual({ code: 0, signal: null });
    expect(started.output()).toContain('Stopped.');
    expect(started.errors()).toBe('');
    await expect(send(davUrl)).rejects.toThrow(/ECONNREFUSED/);
    expect(existsSync(join(workDir, 'cloud', 'demo', 'files', 'Sync'))).toBe(true);
    expect(await readFile(join(workDir, 'cloud', '.gitignore'), 'utf8')).toBe('*\n');
  });

  it('runs without OAuth2 and without /v2/dav/ on request', async () => {
    const started = run(['--port', '0', '--data', 'cloud', '--no-oauth', '--no-v2', '--quiet']);
    await waitForOutput(started, 'npx terasync sync');
    expect(printed(started.output(), 'OAuth2 issuer')).toBe('(off: --no-oauth)');
    const v2DavUrl = printed(started.output(), 'WebDAV, files (OAuth2)').split(' ')[0]!;
    expect((await send(v2DavUrl, { method: 'PROPFIND', headers: { Depth: '0' } })).status).toBe(404);
    started.child.kill('SIGINT');
    expect((await started.exit).code).toBe(0);
    expect(started.output()).not.toContain('404 PROPFIND');
  });

  it('says clearly when the port is in use and exits 1', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as AddressInfo;
    try {
      const started = run(['--port', String(port), '--data', 'cloud']);
      expect((await started.exit).code).toBe(1);
      expect(started.errors()).toContain(`port ${port} on 127.0.0.1 (WebDAV and REST) is in use`);
      expect(started.errors()).toContain('--port');
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });

  it('refuses an unknown option with usage and exit 2', async () => {
    const started = run(['--prot', '9000']);
    expect((await started.exit).code).toBe(2);
    expect(started.errors()).toContain('Usage: npm run emulator');
  });
});
