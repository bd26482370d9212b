/**
 * The test's side of the fake `electron` (electron.mjs): builds the app into a temporary
 * folder, starts its main bundle in a child Node process under the fake (host.mjs), and drives
 * it over the child's IPC channel. See test/integration/boot/boot.test.ts.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
export { until } from '../until.js';

const run = promisify(execFile);
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const hostScript = fileURLToPath(new URL('./host.mjs', import.meta.url));

/** One thing the app asked of Electron (see `note` in electron.mjs). */
export interface RecordEntry {
  api: string;
  [detail: string]: unknown;
}

export interface MenuItemView {
  type: string;
  label?: string;
  enabled?: boolean;
  clickable?: boolean;
  submenu?: MenuItemView[];
}

export interface FakeElectronState {
  ready: boolean;
  quitting: boolean;
  windows: Array<{ id: number; visible: boolean; focused: boolean; minimized: boolean; url: string; options: Record<string, unknown>; exposed: string[] }>;
  trays: Array<{ image: string; images: string[]; toolTip: string; menu: MenuItemView[] | null }>;
  handlers: string[];
  listeners: Record<string, number>;
  power: Record<string, number>;
}

/**
 * The app as Electron would lay it out: `<folder>/dist` from scripts/build.mjs, a package.json
 * (the app's name and ESM type) and node_modules (the repository's) beside it.
 */
export async function buildApp(folder: string): Promise<{ appPath: string; dist: string; main: string }> {
  const dist = path.join(folder, 'dist');
  await run(process.execPath, [path.join(repoRoot, 'scripts', 'build.mjs'), '--out-dir', dist], { cwd: repoRoot });
  const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { name: string; version: string };
  await writeFile(path.join(folder, 'package.json'), JSON.stringify({ name: pkg.name, version: pkg.version, type: 'module', main: 'dist/main/index.js' }));
  if (!existsSync(path.join(folder, 'node_modules'))) await symlink(path.join(repoRoot, 'node_modules'), path.join(folder, 'node_modules'), 'dir');
  return { appPath: folder, dist, main: path.join(dist, 'main', 'index.js') };
}

export interface StartOptions {
  appPath: string;
  main: string;
  /** $HOME of the app: its appData is $HOME/.config. */
  home: string;
  /** The app's arguments (`--hidden`). */
  args?: string[];
  env?: Record<string, string>;
  /** Answers of the system dialogs, in order. */
  script?: {
    messageBox?: Array<{ response: number }>;
    openDialog?: Array<{ canceled: boolean; filePaths: string[] }>;
    hang?: string[];
    /** What session.resolveProxy answers for every URL (a PAC answer); default DIRECT. */
    resolveProxy?: string;
  };
  /** Where the record is written (one JSON object a line). */
  recordFile: string;
}

export interface RunningApp {
  child: ChildProcess;
  /** Sends a command to the fake (electron.mjs `commands`) and waits for its answer. */
  command<T = unknown>(name: string, args?: Record<string, unknown>): Promise<T>;
  /** `window.terasync[method](...args)` in the window's page. */
  call<T = unknown>(method: string, ...args: unknown[]): Promise<T>;
  state(): Promise<FakeElectronState>;
  /** What the app asked of Electron so far (also after the process exited). */
  record(): RecordEntry[];
  /** Resolves once the process exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
  kill(): void;
}

export function startApp(options: StartOptions): RunningApp {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: options.home,
    XDG_CONFIG_HOME: path.join(options.home, '.config'),
    TMPDIR: process.env.TMPDIR ?? '/tmp',
    LANG: 'C.UTF-8',
    FAKE_ELECTRON_APP_PATH: options.appPath,
    FAKE_ELECTRON_RECORD: options.recordFile,
    FAKE_ELECTRON_SCRIPT: JSON.stringify(options.script ?? {}),
    ...options.env,
  };
  const child = fork(hostScript, [options.main, ...(options.args ?? [])], { cwd: options.appPath, env, execArgv: [], silent: true });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  child.on('message', (message: { id: number; ok: boolean; value?: unknown; error?: string }) => {
    const waiting = pending.get(message.id);
    if (waiting === undefined) return;
    pending.delete(message.id);
    if (message.ok) waiting.resolve(message.value);
    else waiting.reject(new Error(message.error));
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => {
      for (const waiting of pending.values()) waiting.reject(new Error(`the app exited (${code ?? signal}) before answering:\n${output}`));
      pending.clear();
      resolve({ code, signal });
    });
  });
  const command = <T>(name: string, args: Record<string, unknown> = {}): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (child.exitCode !== null || child.signalCode !== null) {
        reject(new Error(`the app has exited; it cannot answer ${name}`));
        return;
      }
      const id = nextId++;
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      child.send({ id, command: name, args });
    });
  return {
    child,
    command,
    call: <T>(method: string, ...args: unknown[]) => command<T>('call', { method, args }),
    state: () => command<FakeElectronState>('state'),
    record: () =>
      existsSync(options.recordFile)
        ? readFileSync(options.recordFile, 'utf8')
            .split('\n')
            .filter((line) => line !== '')
            .map((line) => JSON.parse(line) as RecordEntry)
        : [],
    exited,
    output: () => output,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

/** Polls `condition` every 50 ms; throws with `what` (and the app's output) after `timeoutMs`. */
export async function makeFolder(folder: string): Promise<string> {
  await mkdir(folder, { recursive: true });
  return folder;
}
