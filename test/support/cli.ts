/**
 * Runs the built `terasync` command as a child process, the way a user or a script would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export const repoRoot = join(import.meta.dirname, '..', '..');
const bin = join(repoRoot, 'bin', 'terasync.js');

/** The command runs from dist/: build it once if a test run starts without it. */
export function ensureCliBuilt(): void {
  if (!existsSync(join(repoRoot, 'dist', 'cli', 'terasync.js'))) {
    execFileSync(process.execPath, [join(repoRoot, 'scripts', 'build.mjs'), '--node-only'], { stdio: 'inherit' });
  }
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunningCli {
  child: ChildProcess;
  /** Resolves when the process has ended. */
  done: Promise<CliResult>;
  /** Calls `listener` with every complete stdout line as it arrives. */
  onLine(listener: (line: string) => void): void;
}

/**
 * Starts the command. Standard input is closed (not a terminal, nothing to read) unless
 * `input` is given: it is then written to a pipe and the pipe is closed, as `echo ... |` would.
 */
export function startCli(args: string[], env: Record<string, string | undefined>, input?: string): RunningCli {
  const child = spawn(process.execPath, [bin, ...args], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  if (input !== undefined) {
    // The command may exit before reading everything (a usage error): that is not the test's failure.
    child.stdin!.on('error', () => undefined);
    child.stdin!.end(input);
  }
  let stdout = '';
  let stderr = '';
  let partial = '';
  const listeners: Array<(line: string) => void> = [];
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    partial += chunk;
    let newline: number;
    while ((newline = partial.indexOf('\n')) >= 0) {
      const line = partial.slice(0, newline);
      partial = partial.slice(newline + 1);
      for (const listener of listeners) listener(line);
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const done = new Promise<CliResult>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done, onLine: (listener) => listeners.push(listener) };
}

export function runCli(args: string[], env: Record<string, string | undefined>, input?: string): Promise<CliResult> {
  return startCli(args, env, input).done;
}
