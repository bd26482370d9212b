/**
 * Child processes for the benchmark: each measured command runs in its own process group
 * (so a timeout or Ctrl-C ends it with everything it started), its wall time is taken from
 * spawn to exit, and its peak RSS comes from `/usr/bin/time -f %M` (the kernel's ru_maxrss of
 * the command) or, without GNU time, from polling VmHWM in /proc/<pid>/status.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants as fsConstants, closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';

const GNU_TIME = '/usr/bin/time';
const KILL_GRACE_MS = 5_000;

/** Process groups we started and have not seen end: Ctrl-C and exit kill them. */
const liveGroups = new Set<number>();

/** Set once the benchmark is stopping: nothing new may start after the last kill. */
let stopping = false;

export function killAllGroups(): void {
  stopping = true;
  for (const group of liveGroups) signalGroup(group, 'SIGKILL');
  liveGroups.clear();
}

function assertNotStopping(command: string): void {
  if (stopping) throw new Error(`not starting ${command}: the benchmark is stopping`);
}

function signalGroup(group: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-group, signal);
    return true;
  } catch {
    return false;
  }
}

export function gnuTimeAvailable(): boolean {
  try {
    accessSync(GNU_TIME, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export const rssMethod = (): string =>
  gnuTimeAvailable() ? '`/usr/bin/time -f %M` (ru_maxrss of the command)' : 'VmHWM polled every 50 ms from /proc/<pid>/status';

/** CPU seconds the whole machine spent busy (all cores), from /proc/stat. */
export function machineBusySeconds(): number {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    // cpu user nice system idle iowait irq softirq steal ...
    const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
    return ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) / ticksPerSecond();
  } catch {
    return NaN;
  }
}

/**
 * CPU seconds of everything the benchmark runs: this process and the children it reaped,
 * plus every live process in Apache's group or in one of our command groups. The machine's
 * busy time minus this is other people's work sharing the cores (noise).
 */
export function ourCpuSeconds(extraGroups: readonly number[]): number {
  const groups = new Set([...liveGroups, ...extraGroups]);
  let total = 0;
  const add = (stat: string): void => {
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime stime cutime cstime are fields 14-17; after the name, index 11-14.
    total += [11, 12, 13, 14].reduce((sum, index) => sum + Number(fields[index] ?? 0), 0);
  };
  try {
    add(readFileSync('/proc/self/stat', 'utf8'));
  } catch {
    return NaN;
  }
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const processGroup = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
      if (groups.has(processGroup)) add(stat);
    } catch {
      // Gone between readdir and read.
    }
  }
  return total / ticksPerSecond();
}

/** The process group of the Apache that serves `configFile` (our child), if found. */
export function apacheGroup(configFile: string): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (!cmdline.includes(configFile)) continue;
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
    } catch {
      // Gone between readdir and read.
    }
  }
  return undefined;
}

/** The 1-minute load average. */
export function loadAverage(): number {
  try {
    return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
  } catch {
    return NaN;
  }
}

export interface CommandSpec {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  /** Kills the command (and its group) after this long; the result then says timedOut. */
  timeoutMs: number;
  /** stdout and stderr go to these files (cheaper for the parent than pipes). */
  stdoutFile: string;
  stderrFile: string;
}

export interface Measurement {
  seconds: number;
  peakRssKiB: number | null;
  /** User + system CPU of the command (GNU time only). */
  cpuSeconds: number | null;
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
}

export function succeeded(result: Measurement): boolean {
  return result.code === 0 && !result.timedOut;
}

/** The last non-empty line of the command's stderr, or its exit status, for a table cell. */
export function failureSummary(result: Measurement): string {
  const lastLine = result.stderr
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !/^Command (exited|terminated)/.test(line))
    .pop();
  const status = result.timedOut ? 'timed out' : result.signal ? `killed by ${result.signal}` : `exit ${result.code}`;
  return `failed (${status}${lastLine ? `: ${lastLine.slice(0, 160).replaceAll('|', '\\|')}` : ''})`;
}

/** Runs one command to its end and measures it. */
export async function measure(spec: CommandSpec): Promise<Measurement> {
  assertNotStopping(spec.command);
  const useTime = gnuTimeAvailable();
  const rssFile = `${spec.stdoutFile}.rss`;
  const [command, args] = useTime ? [GNU_TIME, ['-f', '%M %U %S', '-o', rssFile, spec.command, ...spec.args]] : [spec.command, spec.args];
  const stdoutFd = openSync(spec.stdoutFile, 'w');
  const stderrFd = openSync(spec.stderrFile, 'w');
  let child: ChildProcess;
  const started = performance.now();
  try {
    child = spawn(command, args, { env: spec.env, detached: true, stdio: ['ignore', stdoutFd, stderrFd] });
  } finally {
    closeSync(stdoutFd);
    closeSync(stderrFd);
  }
  const group = child.pid;
  if (group === undefined) throw new Error(`could not start ${spec.command}`);
  liveGroups.add(group);

  let polledHwm = 0;
  const poller = useTime
    ? undefined
    : setInterval(() => {
        polledHwm = Math.max(polledHwm, readStatusKiB(group, 'VmHWM') ?? 0);
      }, 50);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    signalGroup(group, 'SIGTERM');
    setTimeout(() => signalGroup(group, 'SIGKILL'), KILL_GRACE_MS).unref();
  }, spec.timeoutMs);

  const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('error', () => resolve({ code: null, signal: null }));
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const seconds = (performance.now() - started) / 1000;
  clearTimeout(timer);
  if (poller) clearInterval(poller);
  // Anything the command left behind in its group goes with it.
  signalGroup(group, 'SIGKILL');
  liveGroups.delete(group);

  let peakRssKiB: number | null = polledHwm > 0 ? polledHwm : null;
  let cpuSeconds: number | null = null;
  let code = exit.code;
  if (useTime) {
    const report = await readFile(rssFile, 'utf8').catch(() => '');
    await rm(rssFile, { force: true });
    const lines = report.trim().split('\n');
    const [rss, user, system] = (lines[lines.length - 1] ?? '').split(' ').map(Number);
    peakRssKiB = rss !== undefined && Number.isFinite(rss) && rss > 0 ? rss : null;
    if (user !== undefined && system !== undefined && Number.isFinite(user + system)) cpuSeconds = user + system;
    // GNU time exits with the command's status, or 128+signal, and says so in its report.
    const signalled = /Command terminated by signal (\d+)/.exec(report);
    if (signalled) code = 128 + Number(signalled[1]);
  }
  return {
    seconds,
    peakRssKiB,
    cpuSeconds,
    code,
    signal: exit.signal,
    timedOut,
    stdout: await tail(spec.stdoutFile),
    stderr: await tail(spec.stderrFile),
  };
}

async function tail(file: string): Promise<string> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.length > 8_000 ? text.slice(-8_000) : text;
}

function readStatusKiB(pid: number, field: string): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

let clockTicks: number | undefined;
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** A long-running command (continuous sync): started, sampled, stopped. */
export interface Background {
  pid: number;
  /** Whether it has exited, and how. */
  exited(): { code: number | null; signal: NodeJS.Signals | null } | null;
  /** utime + stime so far, in seconds of CPU. */
  cpuSeconds(): number | null;
  peakRssKiB(): number | null;
  /** SIGTERM, then SIGKILL after a grace period; resolves once it is gone. */
  stop(): Promise<void>;
}

export function startBackground(spec: Omit<CommandSpec, 'timeoutMs'>): Background {
  assertNotStopping(spec.command);
  const stdoutFd = openSync(spec.stdoutFile, 'w');
  const stderrFd = openSync(spec.stderrFile, 'w');
  let child: ChildProcess;
  try {
    child = spawn(spec.command, spec.args, { env: spec.env, detached: true, stdio: ['ignore', stdoutFd, stderrFd] });
  } finally {
    closeSync(stdoutFd);
    closeSync(stderrFd);
  }
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${spec.command}`);
  liveGroups.add(pid);
  let exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  const ended = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      resolve();
    });
  });
  let lastHwm: number | null = null;
  return {
    pid,
    exited: () => exit,
    cpuSeconds: () => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        // Fields after the command name (which may hold spaces) start at field 3, "state".
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond();
      } catch {
        return null;
      }
    },
    peakRssKiB: () => {
      lastHwm = readStatusKiB(pid, 'VmHWM') ?? lastHwm;
      return lastHwm;
    },
    stop: async () => {
      if (exit === null) {
        signalGroup(pid, 'SIGTERM');
        const gone = await Promise.race([ended.then(() => true), delay(KILL_GRACE_MS).then(() => false)]);
        if (!gone) signalGroup(pid, 'SIGKILL');
        await Promise.race([ended, delay(KILL_GRACE_MS)]);
      }
      signalGroup(pid, 'SIGKILL');
      liveGroups.delete(pid);
    },
  };
}

/** Runs a short helper command (no measurement) and returns its output; throws on failure. */
export async function runQuiet(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs: number; input?: string },
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  assertNotStopping(command);
  const child = spawn(command, args, { env: options.env ?? process.env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
  const group = child.pid;
  if (group !== undefined) liveGroups.add(group);
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    if (stdout.length < 1_000_000) stdout += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    if (stderr.length < 1_000_000) stderr += chunk;
  });
  // A command that exits before it reads its input (`sync` does) makes this write fail with
  // EPIPE: not an error of the command, whose exit code tells.
  child.stdin?.on('error', () => undefined);
  child.stdin?.end(options.input ?? '');
  const timer = setTimeout(() => {
    if (group !== undefined) signalGroup(group, 'SIGKILL');
  }, options.timeoutMs);
  const code = await new Promise<number | null>((resolve) => {
    child.once('error', (error) => {
      stderr += String(error);
      resolve(null);
    });
    child.once('close', (exitCode) => resolve(exitCode));
  });
  clearTimeout(timer);
  if (group !== undefined) {
    signalGroup(group, 'SIGKILL');
    liveGroups.delete(group);
  }
  return { code, stdout, stderr };
}
