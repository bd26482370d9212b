/**
 * Real proxies on loopback for the proxy tests, each a normal process with its own files in a
 * temporary folder (nothing in /etc): tinyproxy (an HTTP proxy that opens CONNECT tunnels,
 * with or without BASIC proxy authentication, optionally only to some ports) and microsocks
 * (a SOCKS5 server, with or without a user name and password).
 *
 * `stop()` ends the proxy and `start()` brings it back on the same port, for the tests of a
 * proxy that goes down in the middle of a sync. tinyproxy's log (`log()`) shows each request
 * line it got: through a tunnel that is only `CONNECT host:port`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

const TINYPROXY = '/usr/bin/tinyproxy';
const MICROSOCKS = '/usr/bin/microsocks';

export function tinyproxyAvailable(): boolean {
  return existsSync(TINYPROXY);
}

export function microsocksAvailable(): boolean {
  return existsSync(MICROSOCKS);
}

export interface ProxyAuth {
  user: string;
  password: string;
}

export interface RunningProxy {
  port: number;
  /** `http://127.0.0.1:PORT` or `socks5h://127.0.0.1:PORT`, without credentials. */
  url: string;
  /** The same with the user and password in it (`url` when there are none). */
  urlWithAuth: string;
  /** Everything the proxy wrote to its log so far ('' for microsocks, which keeps none). */
  log(): Promise<string>;
  /** Ends the process (connections through it drop); the port stays reserved for start(). */
  stop(): Promise<void>;
  /** Starts it again on the same port. */
  start(): Promise<void>;
  /** Stops it and removes its folder. */
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, output: () => string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`the proxy exited (${child.exitCode ?? child.signalCode}) before listening on ${port}:\n${output()}`);
    }
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    await delay(50);
  }
  throw new Error(`the proxy did not listen on ${port} within 5 s:\n${output()}`);
}

async function stopChild(child: ChildProcess | null): Promise<void> {
  if (child === null || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGKILL');
  await exited;
}

interface ProxyProcess {
  command: string;
  args: string[];
  port: number;
}

async function runningProxy(
  directory: string,
  port: number,
  launch: () => ProxyProcess,
  urls: { url: string; urlWithAuth: string },
  logFile: string | null,
): Promise<RunningProxy> {
  let child: ChildProcess | null = null;
  let output = '';
  const start = async (): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      const { command, args } = launch();
      output = '';
      const started = spawn(command, args, { cwd: directory, stdio: ['ignore', 'pipe', 'pipe'] });
      started.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
      started.stderr?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
      child = started;
      try {
        await waitForPort(port, started, () => output);
        return;
      } catch (error) {
        await stopChild(started);
        // The port may still be held by the process just stopped: try again shortly.
        if (attempt >= 5) throw error;
        await delay(200);
      }
    }
  };
  await start();
  return {
    port,
    ...urls,
    async log() {
      return logFile === null ? '' : readFile(logFile, 'utf8').catch(() => '');
    },
    async stop() {
      await stopChild(child);
      child = null;
    },
    start,
    async close() {
      await stopChild(child);
      child = null;
      await rm(directory, { recursive: true, force: true });
    },
  };
}

export interface TinyproxyOptions {
  auth?: ProxyAuth;
  /** Ports CONNECT may open tunnels to (default: all). */
  connectPorts?: number[];
}

/** tinyproxy on a loopback port, in the foreground (`-d`), logging every request line. */
export async function startTinyproxy(options: TinyproxyOptions = {}): Promise<RunningProxy> {
  const directory = await mkdtemp(join(tmpdir(), 'terasync-tinyproxy-'));
  const port = await freePort();
  const logFile = join(directory, 'tinyproxy.log');
  const config = [
    `Port ${port}`,
    'Listen 127.0.0.1',
    'Timeout 120',
    `LogFile "${logFile}"`,
    'LogLevel Connect',
    `PidFile "${join(directory, 'tinyproxy.pid')}"`,
    'MaxClients 100',
    // Through a tunnel the proxy adds nothing to what it carries.
    'DisableViaHeader Yes',
    ...(options.auth === undefined ? [] : [`BasicAuth ${options.auth.user} ${options.auth.password}`]),
    ...(options.connectPorts ?? []).map((allowed) => `ConnectPort ${allowed}`),
  ].join('\n');
  const configFile = join(directory, 'tinyproxy.conf');
  await writeFile(configFile, `${config}\n`);
  const url = `http://127.0.0.1:${port}`;
  const urlWithAuth =
    options.auth === undefined ? url : `http://${encodeURIComponent(options.auth.user)}:${encodeURIComponent(options.auth.password)}@127.0.0.1:${port}`;
  return runningProxy(directory, port, () => ({ command: TINYPROXY, args: ['-d', '-c', configFile], port }), { url, urlWithAuth }, logFile);
}

/** microsocks (SOCKS5) on a loopback port. */
export async function startMicrosocks(options: { auth?: ProxyAuth } = {}): Promise<RunningProxy> {
  const directory = await mkdtemp(join(tmpdir(), 'terasync-microsocks-'));
  const port = await freePort();
  const auth = options.auth === undefined ? [] : ['-u', options.auth.user, '-P', options.auth.password];
  const url = `socks5h://127.0.0.1:${port}`;
  const urlWithAuth =
    options.auth === undefined ? url : `socks5h://${encodeURIComponent(options.auth.user)}:${encodeURIComponent(options.auth.password)}@127.0.0.1:${port}`;
  return runningProxy(directory, port, () => ({ command: MICROSOCKS, args: ['-i', '127.0.0.1', '-p', String(port), ...auth], port }), { url, urlWithAuth }, null);
}
