/**
 * `npm run bench`: TeraSync against the lower bound (a raw PUT/GET loop with the same
 * parallelism) and rclone, side by side on one Apache httpd + mod_dav over HTTPS on loopback
 * (test/support/apache.ts, configured like the service). Prints one markdown table.
 *
 * Every tool reaches Apache through a delay proxy (bench/delayProxy.ts): at `--rtt 0` it only
 * forwards; a row at 50 or 200 ms holds every chunk half that long each way, as a far server
 * would. Synced pairs are set up at 0 ms (outside the timing) and measured at the row's.
 *
 * bench/run.mjs compiles this file, bench/rawloop.ts and the current `terasync` command, then
 * calls main(). Every child runs in its own process group and is ended, with Apache and the
 * temp folders, on exit, on an error and on Ctrl-C. See docs/BENCHMARKS.md.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { link, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { Agent, request as httpsRequest } from 'node:https';
import { cpus, freemem, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { apacheAvailable, startApache, type ApacheServer } from '../test/support/apache.js';
import {
  failureSummary,
  apacheGroup,
  killAllGroups,
  loadAverage,
  machineBusySeconds,
  measure,
  ourCpuSeconds,
  rssMethod,
  runQuiet,
  startBackground,
  succeeded,
  type Background,
  type Measurement,
} from './processes.js';
import { startDelayProxy, type DelayProxy } from './delayProxy.js';
import { copyTree, differingFiles, folderName, leafFolders, makeLargeFile, makeTree, rewriteFiles, sameFile, treeStats, type TreeShape } from './trees.js';

export interface BenchPaths {
  /** The terasync command to run (a bin/terasync.js over a fresh build of the CLI). */
  cli: string;
  /** The compiled raw loop. */
  rawloop: string;
  /** The compiled journal and planner row (bench/planner.ts). */
  planner: string;
  repoRoot: string;
  /** What was built, for the notes under the table. */
  buildNote: string;
  /** The Node that runs the measured terasync commands (default: this one). */
  node?: string | undefined;
}

const ROWS = ['upload-small', 'upload-large', 'nochange', 'changes', 'bigfile', 'latency', 'idle', 'startup', 'planner'] as const;
type RowId = (typeof ROWS)[number];
/** The rows that also run at a round trip above 0 (the others are about the client's CPU and memory). */
const FAR_ROWS: ReadonlySet<RowId> = new Set(['upload-small', 'nochange', 'changes']);

const USAGE = `Usage: npm run bench -- [options]     (or: node bench/run.mjs [options])

Runs TeraSync, a raw PUT/GET loop and rclone side by side against Apache + mod_dav over
HTTPS on loopback and prints one markdown table.

  --quick             small sizes for a smoke run: 200 and 2,000 files, a 64 MiB file, 10 s idle
  --big               the big tree instead: rows 2, 3, 4, 6, 7 over 100,000 files in 5,000 folders
                      (50 folders of 99 subfolders each) at 0 ms; long, not in the default run
  --files N           the 20,000-file tree (or --big's) with N files instead, as many per folder
  --million           row 9: the journal and the planner at 10,000, 100,000 and 1,000,000 entries
  --runs N            runs per timed row (default: 3 for the 2,000-file row, 1 for the
                      20,000-file and 1 GiB rows, 20 for start-up); the table shows medians
  --only ROWS         comma-separated rows by number (1-9) or name: ${ROWS.join(', ')}
  --concurrency N     terasync --concurrency, raw loop sockets, rclone --transfers and --checkers (default 6)
  --rtt MS[,MS...]    round trips to add between every tool and Apache, one set of rows each
                      (default 0,50,200; --quick, --big: 0); above 0 only rows ${[...FAR_ROWS].join(', ')}
  --idle-seconds S    length of the idle-CPU window (default 60, --quick 10)
  --samples N         latency samples (default 20)
  --out FILE          also write the table to FILE
  --tools LIST        which columns to run: terasync,raw,rclone (default all; the others say "not run")
  --details           print the requests each cell sent (from Apache's access log) after the table
  --profile DIR       run the measured terasync commands (continuous ones too) under node --cpu-prof, profiles in DIR
  --install           first apt-get install -y rclone time (and apache2 openssl when missing)
  --commit REV        measure a committed version (git archive REV, built apart) instead of the working tree
  --cli FILE          measure this terasync entry point instead of a fresh build (e.g. bin/terasync.js)
  --node PATH         run the measured terasync commands on this Node binary (better-sqlite3 built for it)
  -h, --help          this text`;

interface Options {
  quick: boolean;
  /** The big tree (--big): 100,000 files in 5,000 folders. */
  big: boolean;
  /** --files N: the large tree's file count. */
  files: number | undefined;
  /** --tools named rclone (in --big, rclone's first upload runs only then: about an hour). */
  rcloneAsked: boolean;
  runs: number | undefined;
  only: Set<RowId>;
  concurrency: number;
  idleSeconds: number;
  samples: number;
  out: string | undefined;
  details: boolean;
  profile: string | undefined;
  install: boolean;
  tools: Set<Tool>;
  /** Round trips (ms) to run the rows at, in order. */
  rtt: number[];
}

const TOOLS = ['terasync', 'raw', 'rclone'] as const;
type Tool = (typeof TOOLS)[number];

interface Sizes {
  small: TreeShape;
  large: TreeShape;
  changed: number;
  bigFile: number;
}

class UsageError extends Error {}

function parseOptions(argv: string[]): Options | 'help' {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      quick: { type: 'boolean', default: false },
      big: { type: 'boolean', default: false },
      files: { type: 'string' },
      million: { type: 'boolean', default: false },
      runs: { type: 'string' },
      only: { type: 'string' },
      concurrency: { type: 'string' },
      rtt: { type: 'string' },
      'idle-seconds': { type: 'string' },
      samples: { type: 'string' },
      out: { type: 'string' },
      details: { type: 'boolean', default: false },
      tools: { type: 'string' },
      profile: { type: 'string' },
      install: { type: 'boolean', default: false },
      cli: { type: 'string' },
      commit: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return 'help';
  const whole = (value: string | undefined, name: string, min: number, max: number): number | undefined => {
    if (value === undefined) return undefined;
    const number = Number(value);
    if (!Number.isInteger(number) || number < min || number > max) throw new UsageError(`--${name} must be a whole number from ${min} to ${max}`);
    return number;
  };
  const only = new Set<RowId>();
  for (const item of (values.only ?? '').split(',').map((part) => part.trim()).filter((part) => part !== '')) {
    const byNumber = /^\d+$/.test(item) ? ROWS[Number(item) - 1] : undefined;
    const row = byNumber ?? ROWS.find((name) => name === item);
    if (row === undefined) throw new UsageError(`--only: unknown row "${item}" (1-${ROWS.length} or ${ROWS.join(', ')})`);
    only.add(row);
  }
  const tools = new Set<Tool>();
  for (const item of (values.tools ?? TOOLS.join(',')).split(',').map((part) => part.trim()).filter((part) => part !== '')) {
    const tool = TOOLS.find((name) => name === item);
    if (tool === undefined) throw new UsageError(`--tools: unknown column "${item}" (${TOOLS.join(', ')})`);
    tools.add(tool);
  }
  const rtt: number[] = [];
  if (values.big && values.quick) throw new UsageError('--big and --quick cannot be combined (use --big --files N for a smaller big tree)');
  // Without --only: --big runs the rows over the big tree, --million adds row 9 (alone: only it).
  const bigRows: RowId[] = ['upload-large', 'nochange', 'changes', 'latency', 'idle'];
  const defaultRows: RowId[] = values.big ? bigRows : values.million ? [] : ROWS.filter((row) => row !== 'planner');
  if (only.size > 0 || values.million) {
    if (only.size === 0) for (const row of defaultRows) only.add(row);
    if (values.million) only.add('planner');
  }
  for (const item of (values.rtt ?? (values.quick || values.big ? '0' : '0,50,200')).split(',').map((part) => part.trim()).filter((part) => part !== '')) {
    const value = Number(item);
    if (!Number.isInteger(value) || value < 0 || value > 2_000) throw new UsageError(`--rtt: "${item}" is not a whole number of ms from 0 to 2000`);
    if (!rtt.includes(value)) rtt.push(value);
  }
  if (rtt.length === 0) throw new UsageError('--rtt: give at least one round trip in ms, e.g. --rtt 0,50,200');
  return {
    quick: values.quick,
    big: values.big,
    files: whole(values.files, 'files', 10, 1_000_000),
    rcloneAsked: values.tools?.split(',').some((item) => item.trim() === 'rclone') ?? false,
    tools,
    rtt,
    runs: whole(values.runs, 'runs', 1, 50),
    only: only.size > 0 ? only : new Set(defaultRows),
    concurrency: whole(values.concurrency, 'concurrency', 1, 32) ?? 6,
    idleSeconds: whole(values['idle-seconds'], 'idle-seconds', 1, 3600) ?? (values.quick ? 10 : 60),
    samples: whole(values.samples, 'samples', 1, 200) ?? 20,
    out: values.out,
    details: values.details,
    profile: values.profile,
    install: values.install,
  };
}

function sizesFor(options: Pick<Options, 'quick' | 'big' | 'files'>): Sizes {
  const sizes: Sizes = options.quick
    ? { small: { files: 200, folders: 10, size: 1024 }, large: { files: 2_000, folders: 20, size: 1024 }, changed: 100, bigFile: 64 * 1024 * 1024 }
    : { small: { files: 2_000, folders: 50, size: 1024 }, large: { files: 20_000, folders: 200, size: 1024 }, changed: 100, bigFile: 1024 * 1024 * 1024 };
  // 50 folders of 99 subfolders each: 5,000 folders, 4,950 of them with files (about 20 each).
  if (options.big) sizes.large = { files: 100_000, folders: 5_000, parents: 50, size: 1024 };
  if (options.files !== undefined) {
    const { files, folders, parents } = sizes.large;
    const leaves = Math.max(1, Math.round((options.files * (folders - (parents ?? 0))) / files));
    const scaledParents = parents === undefined ? undefined : Math.max(1, Math.round((leaves * parents) / (folders - parents)));
    sizes.large = { ...sizes.large, files: options.files, folders: leaves + (scaledParents ?? 0), ...(scaledParents === undefined ? {} : { parents: scaledParents }) };
    sizes.changed = Math.min(sizes.changed, options.files);
  }
  return sizes;
}

// ---- formatting ------------------------------------------------------------------------------

const number = (value: number): string => value.toLocaleString('en-US');
const seconds = (value: number): string => `${value < 10 ? value.toFixed(2) : value < 100 ? value.toFixed(1) : value.toFixed(0)} s`;
const megabytes = (kib: number | null): string => (kib === null ? 'RSS ?' : `${Math.round((kib * 1024) / 1e6)} MB`);
const mark = (ok: boolean): string => (ok ? '✓' : '✗');
const ratio = (a: number, b: number): string => `${(a / b).toFixed(2)}x`;
const bytesLabel = (bytes: number): string => (bytes >= 1024 ** 3 ? `${bytes / 1024 ** 3} GiB` : `${bytes / 1024 ** 2} MiB`);

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? NaN) : ((sorted[middle - 1] ?? NaN) + (sorted[middle] ?? NaN)) / 2;
}

/** The runs of one tool in one row (or one direction of the 1 GiB row). */
class Series {
  readonly times: number[] = [];
  private rss: number | null = null;
  private cpu: number[] = [];
  private other: number[] = [];
  private readonly warnings: string[] = [];
  failure: string | undefined;
  readonly requests = new Map<string, number>();

  add({ result, requests, otherCores, warnings }: Cell): void {
    if (!succeeded(result)) {
      this.failure ??= failureSummary(result);
      return;
    }
    this.warnings.push(...(warnings ?? []));
    if (Number.isFinite(otherCores)) this.other.push(otherCores);
    this.times.push(result.seconds);
    if (result.peakRssKiB !== null) this.rss = Math.max(this.rss ?? 0, result.peakRssKiB);
    if (result.cpuSeconds !== null) this.cpu.push(result.cpuSeconds);
    for (const [method, count] of requests) this.requests.set(method, (this.requests.get(method) ?? 0) + count);
  }

  fail(message: string): void {
    this.failure ??= message;
  }

  get ok(): boolean {
    return this.failure === undefined && this.times.length > 0;
  }

  get median(): number {
    return median(this.times);
  }

  get peakRssKiB(): number | null {
    return this.rss;
  }

  /** `4.21 s · 88 MB`, the RSS with a ✓/✗ when there is a limit. */
  describe(rssLimitMB?: number): string {
    if (!this.ok) return this.failure ?? NOT_RUN;
    const rss = megabytes(this.rss);
    const rssMark = rssLimitMB !== undefined && this.rss !== null ? ` ${mark((this.rss * 1024) / 1e6 < rssLimitMB)}` : '';
    return `${seconds(this.median)} · ${rss}${rssMark}`;
  }

  /** Requests per run, by method, from Apache's access log. */
  requestSummary(): string {
    const runs = Math.max(1, this.times.length);
    const perRun = (count: number): string => number(Math.round((count / runs) * 10) / 10);
    const parts = [...this.requests.entries()].sort((a, b) => b[1] - a[1]).map(([method, count]) => `${method} ${perRun(count)}`);
    const cpu = this.cpu.length > 0 ? `; its CPU ${seconds(median(this.cpu))} (user+sys)` : '';
    const other = this.other.length > 0 ? `; other processes on the machine meanwhile ${median(this.other).toFixed(2)} cores` : '';
    const warned = this.warnings.length > 0 ? `; ${this.warnings.length} warnings, first: ${this.warnings[0]?.slice(0, 300)}` : '';
    return `${parts.length > 0 ? parts.join(', ') : 'no requests'}${cpu}${other}${warned}`;
  }
}

/** One measured command, the requests Apache logged meanwhile, and the CPU others used. */
interface Cell {
  result: Measurement;
  requests: Map<string, number>;
  /** CPU used by processes that are not ours during the command, in cores (noise). */
  otherCores: number;
  /** terasync's `warn` lines on stderr (retries and the like). */
  warnings?: string[];
}

interface TableRow {
  label: string;
  terasync: string;
  raw: string;
  rclone: string;
  details: string[];
}

// ---- the benchmark ---------------------------------------------------------------------------

interface RcloneInfo {
  version: string;
  bisync: boolean;
  obscuredPassword: string;
}

interface SyncedPair {
  local: string;
  remote: string;
  state: string;
}

class Bench {
  private counter = 0;
  private sourceSmall: { root: string; paths: string[] } | undefined;
  private sourceLarge: { root: string; paths: string[] } | undefined;
  private sourceBig: string | undefined;
  private terasyncPair: SyncedPair | undefined;
  private rawPair: { local: string; remote: string } | undefined;
  private rclonePair: { local: string; remote: string; workdir: string } | undefined;
  private readonly agent: Agent;
  private readonly ca: string;
  private readonly authorization: string;
  /** The round trip the rows now run at; set up work runs at 0. */
  private rtt = 0;
  private terasyncSettled = false;

  constructor(
    private readonly options: Options,
    private readonly sizes: Sizes,
    private readonly server: ApacheServer,
    private readonly work: string,
    private readonly paths: BenchPaths,
    private readonly rclone: RcloneInfo | null,
    private readonly log: (line: string) => void,
    private readonly apacheGroup: number | undefined,
    private readonly proxy: DelayProxy,
  ) {
    this.ca = readFileSync(server.caFile, 'utf8');
    this.agent = new Agent({ keepAlive: true, maxSockets: 2, ca: this.ca });
    this.authorization = `Basic ${Buffer.from(`${server.user}:${server.password}`, 'utf8').toString('base64')}`;
  }

  dispose(): void {
    this.agent.destroy();
  }

  /** Rows run from now on add this round trip to every request (timed cells only). */
  atRtt(ms: number): void {
    this.rtt = ms;
  }

  /** ` · 50 ms RTT` for the labels of rows at a round trip above 0. */
  private get rttLabel(): string {
    return this.rtt > 0 ? ` · ${this.rtt} ms RTT` : '';
  }

  /** Set-up work (not timed) at loopback speed, whatever the row's round trip. */
  private async untimed<T>(work: () => Promise<T>): Promise<T> {
    const rtt = this.rtt;
    this.rtt = 0;
    try {
      return await work();
    } finally {
      this.rtt = rtt;
    }
  }

  /** Peak RSS target of the rows over the large tree (the big tree's is 300 MB). */
  private get largeRssLimit(): number {
    return this.options.big ? 300 : 250;
  }

  /** How long a continuous command may take to go quiet after its start-up sync. */
  private get settleMs(): number {
    return this.options.quick ? 60_000 : this.options.big ? 900_000 : 180_000;
  }

  private runsFor(row: RowId): number {
    return this.options.runs ?? (row === 'upload-small' ? 3 : row === 'startup' ? 20 : 1);
  }

  private fresh(prefix: string): string {
    this.counter += 1;
    return `${prefix}-${this.counter}`;
  }

  private remoteUrl(name: string): string {
    return `${this.server.url}${name}/`;
  }

  private async removeRemote(name: string): Promise<void> {
    await rm(join(this.server.dataDir, name), { recursive: true, force: true });
  }

  private async flush(): Promise<void> {
    // Dirty pages of the previous cell are written now, not during the next one.
    await runQuiet('sync', [], { timeoutMs: 120_000 });
  }

  // ---- the three tools, measured ----

  private baseEnv(): NodeJS.ProcessEnv {
    return { PATH: process.env['PATH'], HOME: join(this.work, 'home'), LANG: 'C.UTF-8' };
  }

  /** Runs `run`, with the requests Apache logged meanwhile. */
  private async withRequests(run: () => Promise<Measurement>): Promise<Cell> {
    await this.flush();
    const before = (await this.server.accessLog()).length;
    const machineBefore = machineBusySeconds();
    const oursBefore = this.ourCpu();
    this.proxy.setRtt(this.rtt);
    let result: Measurement;
    try {
      result = await run();
    } finally {
      this.proxy.setRtt(0);
    }
    const other = machineBusySeconds() - machineBefore - (this.ourCpu() - oursBefore);
    const lines = (await this.server.accessLog()).slice(before);
    const requests = new Map<string, number>();
    for (const line of lines) {
      requests.set(line.method, (requests.get(line.method) ?? 0) + 1);
      // Refusals are counted apart too ("PUT→412"): they show retries and conflicts.
      if (line.status >= 400) requests.set(`${line.method}→${line.status}`, (requests.get(`${line.method}→${line.status}`) ?? 0) + 1);
    }
    return { result, requests, otherCores: Math.max(0, other) / result.seconds };
  }

  /** CPU of the benchmark, its children and Apache (see ourCpuSeconds). */
  ourCpu(): number {
    return ourCpuSeconds(this.apacheGroup === undefined ? [] : [this.apacheGroup]);
  }

  private terasyncArgs(local: string, remote: string, state: string, once: boolean): string[] {
    return [
      'sync',
      ...(once ? ['--once'] : []),
      '--local',
      local,
      '--remote',
      this.remoteUrl(remote),
      '--ca',
      this.server.caFile,
      '--concurrency',
      String(this.options.concurrency),
      '--state',
      state,
      '--device',
      'bench',
    ];
  }

  private terasyncEnv(): NodeJS.ProcessEnv {
    return { ...this.baseEnv(), TERASYNC_USER: this.server.user, TERASYNC_PASSWORD: this.server.password };
  }

  private async runTerasync(tag: string, local: string, remote: string, state: string, timeoutMs: number, profiled = true): Promise<Cell> {
    const nodeArgs = profiled && this.options.profile ? ['--cpu-prof', '--cpu-prof-dir', join(this.options.profile, tag)] : [];
    const stderrFile = join(this.work, 'logs', `${tag}.err`);
    const cell = await this.withRequests(() =>
      measure({
        command: this.terasyncNode,
        args: [...nodeArgs, this.paths.cli, ...this.terasyncArgs(local, remote, state, true)],
        env: this.terasyncEnv(),
        timeoutMs,
        stdoutFile: join(this.work, 'logs', `${tag}.out`),
        stderrFile,
      }),
    );
    // Retries and other warnings explain extra requests in the details.
    const stderr = await readFile(stderrFile, 'utf8').catch(() => '');
    cell.warnings = stderr.split('\n').filter((line) => line.startsWith('terasync: warn'));
    return cell;
  }

  private async runRaw(tag: string, job: Record<string, unknown>, timeoutMs: number) {
    return this.withRequests(() =>
      measure({
        command: process.execPath,
        args: [this.paths.rawloop, JSON.stringify({ ca: this.server.caFile, concurrency: this.options.concurrency, ...job })],
        env: { ...this.baseEnv(), BENCH_USER: this.server.user, BENCH_PASSWORD: this.server.password },
        timeoutMs,
        stdoutFile: join(this.work, 'logs', `${tag}.out`),
        stderrFile: join(this.work, 'logs', `${tag}.err`),
      }),
    );
  }

  private rcloneEnv(info: RcloneInfo): NodeJS.ProcessEnv {
    return {
      ...this.baseEnv(),
      RCLONE_CONFIG_BENCH_TYPE: 'webdav',
      RCLONE_CONFIG_BENCH_URL: this.server.url,
      RCLONE_CONFIG_BENCH_VENDOR: 'owncloud',
      RCLONE_CONFIG_BENCH_USER: this.server.user,
      RCLONE_CONFIG_BENCH_PASS: info.obscuredPassword,
    };
  }

  private rcloneArgs(args: string[]): string[] {
    const parallel = String(this.options.concurrency);
    return [...args, '--config', join(this.work, 'rclone.conf'), '--ca-cert', this.server.caFile, '--transfers', parallel, '--checkers', parallel, '-q'];
  }

  private async runRclone(tag: string, args: string[], timeoutMs: number) {
    const info = this.rclone;
    if (info === null) throw new Error('rclone is not installed');
    return this.withRequests(() =>
      measure({
        command: 'rclone',
        args: this.rcloneArgs(args),
        env: this.rcloneEnv(info),
        timeoutMs,
        stdoutFile: join(this.work, 'logs', `${tag}.out`),
        stderrFile: join(this.work, 'logs', `${tag}.err`),
      }),
    );
  }

  private rcloneMissing(): string {
    return this.options.tools.has('rclone') ? 'not installed (apt-get install rclone)' : NOT_RUN;
  }

  // ---- data ----

  private async small(): Promise<{ root: string; paths: string[] }> {
    if (!this.sourceSmall) {
      const root = join(this.work, 'source-small');
      this.log(`making ${number(this.sizes.small.files)} files in ${this.sizes.small.folders} folders`);
      this.sourceSmall = { root, paths: await makeTree(root, this.sizes.small) };
    }
    return this.sourceSmall;
  }

  private async large(): Promise<{ root: string; paths: string[] }> {
    if (!this.sourceLarge) {
      const root = join(this.work, 'source-large');
      this.log(`making ${number(this.sizes.large.files)} files in ${this.sizes.large.folders} folders`);
      this.sourceLarge = { root, paths: await makeTree(root, this.sizes.large) };
    }
    return this.sourceLarge;
  }

  private async big(): Promise<string> {
    if (!this.sourceBig) {
      const folder = join(this.work, 'source-big');
      await mkdir(folder);
      this.log(`making a ${bytesLabel(this.sizes.bigFile)} file`);
      await makeLargeFile(join(folder, 'big.bin'), this.sizes.bigFile);
      this.sourceBig = folder;
    }
    return this.sourceBig;
  }

  private async checkUpload(series: Series, remote: string, shape: { files: number; bytes: number }): Promise<void> {
    const stats = await treeStats(join(this.server.dataDir, remote));
    if (stats.files !== shape.files || stats.bytes !== shape.bytes) {
      series.fail(`wrong result: the server holds ${number(stats.files)} files, ${number(stats.bytes)} bytes; expected ${number(shape.files)}, ${number(shape.bytes)}`);
    }
  }

  // ---- rows ----

  /** Rows 1 and 2: the first upload of a tree into an empty remote folder. */
  async firstUpload(row: 'upload-small' | 'upload-large'): Promise<TableRow> {
    const large = row === 'upload-large';
    const shape = large ? this.sizes.large : this.sizes.small;
    const source = large ? await this.large() : await this.small();
    const runs = this.runsFor(row);
    const timeoutMs = (large ? 40 : 10) * 60_000;
    const expected = { files: shape.files, bytes: shape.files * shape.size };
    const terasync = new Series();
    const raw = new Series();
    const rclone = new Series();
    for (let run = 0; run < runs; run += 1) {
      const last = run === runs - 1;
      const order = rotate(['terasync', 'raw', 'rclone'] as const, run);
      for (const tool of order) {
        if (!this.options.tools.has(tool)) continue;
        const remote = this.fresh(`${row}-${tool}`);
        this.log(`${row} run ${run + 1}/${runs}: ${tool}`);
        if (tool === 'terasync') {
          // Its own copy: the one of the last run stays as the synced pair for rows 3, 4, 6, 7.
          const local = join(this.work, `${remote}-local`);
          const state = join(this.work, `${remote}-state`);
          await copyTree(source.root, local);
          const cell = await this.runTerasync(`${row}-${run}`, local, remote, state, timeoutMs);
          terasync.add(cell);
          await this.checkUpload(terasync, remote, expected);
          if (large && last && terasync.ok) this.terasyncPair = { local, remote, state };
          else {
            await rm(local, { recursive: true, force: true });
            await rm(state, { recursive: true, force: true });
            await this.removeRemote(remote);
          }
        } else if (tool === 'raw') {
          const cell = await this.runRaw(`${row}-raw-${run}`, { mode: 'upload', local: source.root, url: this.remoteUrl(remote) }, timeoutMs);
          raw.add(cell);
          await this.checkUpload(raw, remote, expected);
          if (large && last && raw.ok) {
            const local = join(this.work, `${remote}-local`);
            await copyTree(source.root, local);
            this.rawPair = { local, remote };
          } else await this.removeRemote(remote);
        } else if (this.rclone && !this.rcloneUploadSkipped(row)) {
          const cell = await this.runRclone(`${row}-rclone-${run}`, ['copy', source.root, `BENCH:${remote}`], timeoutMs);
          rclone.add(cell);
          await this.checkUpload(rclone, remote, expected);
          await this.removeRemote(remote);
        }
      }
    }
    const rssLimit = large ? this.largeRssLimit : undefined;
    let terasyncCell = terasync.describe(rssLimit);
    if (terasync.ok && raw.ok) terasyncCell += ` · ${ratio(terasync.median, raw.median)} raw ${mark(terasync.median <= 1.3 * raw.median)}`;
    if (terasync.ok && rclone.ok) terasyncCell += ` · ${ratio(terasync.median, rclone.median)} rclone ${mark(terasync.median < rclone.median)}`;
    return {
      label: `first upload of ${number(shape.files)} files of 1 KiB in ${number(shape.folders)} folders${shape.parents ? ` (${shape.parents} with subfolders)` : ''}${runsLabel(runs)}${this.rttLabel}`,
      terasync: terasyncCell,
      raw: raw.describe(),
      rclone: !this.rclone
        ? this.rcloneMissing()
        : this.rcloneUploadSkipped(row)
          ? `\`rclone copy\` not run: about ${Math.round((shape.files * 3) / 100 / 60)} min at rclone 1.60's 100 requests a second, 3 per new file (\`--tools\` with rclone runs it)`
          : `\`rclone copy\` ${rclone.describe()}`,
      details: requestDetails({ terasync, raw, rclone }),
    };
  }

  /** In --big, rclone's paced upload of the big tree (about an hour) runs only when --tools names rclone. */
  private rcloneUploadSkipped(row: RowId): boolean {
    return row === 'upload-large' && this.options.big && !this.options.rcloneAsked;
  }

  private async ensureTerasyncPair(): Promise<SyncedPair> {
    if (!this.terasyncPair) {
      const source = await this.large();
      const remote = this.fresh('pair-terasync');
      const pair = { local: join(this.work, `${remote}-local`), remote, state: join(this.work, `${remote}-state`) };
      await copyTree(source.root, pair.local);
      this.log(`setting up the synced terasync pair (${number(this.sizes.large.files)} files, not timed)`);
      const { result } = await this.runTerasync('setup-terasync', pair.local, pair.remote, pair.state, 40 * 60_000, false);
      if (!succeeded(result)) throw new Error(`terasync could not make the synced pair: ${failureSummary(result)}`);
      this.terasyncPair = pair;
    }
    return this.terasyncPair;
  }

  /**
   * The synced pair after one more run with nothing to do (not timed), as a pair is after its
   * first sync, and again after the changes row: that run records the folder ETags the uploads
   * changed (the journal's folders carry the ETags of the last listing) and learns the files'
   * ETags, as rclone's pair gets its `--resync`.
   */
  private async settledTerasyncPair(): Promise<SyncedPair> {
    const pair = await this.ensureTerasyncPair();
    if (!this.terasyncSettled) {
      this.log('one untimed terasync run on the synced pair');
      const { result } = await this.runTerasync('settle-terasync', pair.local, pair.remote, pair.state, 30 * 60_000, false);
      if (!succeeded(result)) throw new Error(`terasync could not run on the synced pair: ${failureSummary(result)}`);
      this.terasyncSettled = true;
    }
    return pair;
  }

  private async ensureRawPair(): Promise<{ local: string; remote: string }> {
    if (!this.rawPair) {
      const source = await this.large();
      const remote = this.fresh('pair-raw');
      this.log('setting up the raw pair (not timed)');
      const { result } = await this.runRaw('setup-raw', { mode: 'upload', local: source.root, url: this.remoteUrl(remote) }, 40 * 60_000);
      if (!succeeded(result)) throw new Error(`the raw loop could not upload the pair: ${failureSummary(result)}`);
      const local = join(this.work, `${remote}-local`);
      await copyTree(source.root, local);
      this.rawPair = { local, remote };
    }
    return this.rawPair;
  }

  private async ensureRclonePair(): Promise<{ local: string; remote: string; workdir: string }> {
    if (!this.rclonePair) {
      const source = await this.large();
      const remote = this.fresh('pair-rclone');
      const pair = { local: join(this.work, `${remote}-local`), remote, workdir: join(this.work, `${remote}-bisync`) };
      await copyTree(source.root, pair.local);
      await mkdir(pair.workdir);
      // The files go up with the raw loop (rclone's own upload of 20,000 files takes ten
      // minutes, see firstUpload) and --resync --size-only then finds both sides equal: the
      // server cannot keep local mtimes, so a plain --resync would upload everything again.
      this.log('setting up the rclone bisync pair: raw upload, then bisync --resync --size-only (not timed)');
      const uploaded = await this.runRaw('setup-rclone-upload', { mode: 'upload', local: source.root, url: this.remoteUrl(remote) }, 40 * 60_000);
      if (!succeeded(uploaded.result)) throw new Error(`the raw loop could not upload the pair: ${failureSummary(uploaded.result)}`);
      const resync = await this.runRclone(
        'setup-rclone-resync',
        ['bisync', pair.local, `BENCH:${remote}`, '--workdir', pair.workdir, '--resync', '--size-only'],
        40 * 60_000,
      );
      if (!succeeded(resync.result)) throw new Error(`rclone bisync --resync failed: ${failureSummary(resync.result)}`);
      this.rclonePair = pair;
    }
    return this.rclonePair;
  }

  /** Rows 3 and 4: a run over the synced 20,000 files with nothing, or 100 files, changed. */
  async syncedRun(row: 'nochange' | 'changes'): Promise<TableRow> {
    const changes = row === 'changes';
    const runs = this.runsFor(row);
    const timeoutMs = 30 * 60_000;
    const terasync = new Series();
    const raw = new Series();
    const rclone = new Series();
    const source = await this.large();
    let rcloneNote: string | undefined;
    const tPair = this.options.tools.has('terasync') ? await this.untimed(() => this.settledTerasyncPair()) : undefined;
    const rPair = this.options.tools.has('raw') ? await this.untimed(() => this.ensureRawPair()) : undefined;
    let cPair: { local: string; remote: string; workdir: string } | undefined;
    if (this.rclone?.bisync) {
      try {
        cPair = await this.untimed(() => this.ensureRclonePair());
      } catch (error) {
        rcloneNote = `setup failed: ${(error as Error).message.slice(0, 200)}`;
      }
    }
    for (let run = 0; run < runs; run += 1) {
      // A different set of files each run, spread over the folders.
      const step = Math.max(1, Math.floor(source.paths.length / this.sizes.changed));
      const changed = changes ? source.paths.filter((_, index) => index % step === run % step).slice(0, this.sizes.changed) : [];
      for (const tool of rotate(['terasync', 'raw', 'rclone'] as const, run)) {
        this.log(`${row} run ${run + 1}/${runs}: ${tool}`);
        if (tool === 'terasync' && tPair) {
          await rewriteFiles(tPair.local, changed);
          const cell = await this.runTerasync(`${row}-${run}`, tPair.local, tPair.remote, tPair.state, timeoutMs);
          terasync.add(cell);
          await this.checkSynced(terasync, cell.requests, tPair.local, tPair.remote, changed);
        } else if (tool === 'raw' && rPair) {
          await rewriteFiles(rPair.local, changed);
          const job = changes ? { mode: 'changes', changed } : { mode: 'list' };
          const cell = await this.runRaw(`${row}-raw-${run}`, { ...job, local: rPair.local, url: this.remoteUrl(rPair.remote) }, timeoutMs);
          raw.add(cell);
          await this.checkSynced(raw, cell.requests, rPair.local, rPair.remote, changed);
        } else if (tool === 'rclone' && cPair) {
          await rewriteFiles(cPair.local, changed);
          const cell = await this.runRclone(`${row}-rclone-${run}`, ['bisync', cPair.local, `BENCH:${cPair.remote}`, '--workdir', cPair.workdir], timeoutMs);
          rclone.add(cell);
          await this.checkSynced(rclone, cell.requests, cPair.local, cPair.remote, changed);
        }
      }
    }
    // The run after uploads learns the ETags their answers did not carry (Apache's PUT sends
    // none) by listing those folders: a later no-change row gets its untimed run again.
    if (changes) this.terasyncSettled = false;
    let terasyncCell = terasync.describe(this.largeRssLimit);
    // Far away the no-change run has a floor to meet: the raw breadth-first walk (the big
    // tree's target is 2x of it on loopback).
    let rawTarget = '';
    if (!changes && this.rtt > 0) rawTarget = ` ${mark(terasync.median <= 1.3 * raw.median)}`;
    else if (!changes && this.options.big) rawTarget = ` ${mark(terasync.median <= 2 * raw.median)}`;
    if (terasync.ok && raw.ok) terasyncCell += ` · ${ratio(terasync.median, raw.median)} raw${rawTarget}`;
    if (terasync.ok && rclone.ok) terasyncCell += ` · ${ratio(terasync.median, rclone.median)} rclone${changes ? '' : ` ${mark(terasync.median < rclone.median)}`}`;
    let rcloneCell: string;
    if (!this.rclone) rcloneCell = this.rcloneMissing();
    else if (!this.rclone.bisync) rcloneCell = `rclone ${this.rclone.version} has no \`bisync\``;
    else rcloneCell = `\`rclone bisync\` ${rcloneNote ?? rclone.describe()}`;
    const files = number(this.sizes.large.files);
    return {
      label: changes
        ? `${this.sizes.changed} changed files in ${files}${runsLabel(runs)}${this.rttLabel}`
        : `no-change run over ${files} synced files${runsLabel(runs)}${this.rttLabel}`,
      terasync: terasyncCell,
      raw: raw.describe(),
      rclone: rcloneCell,
      details: requestDetails({ terasync, raw, rclone }),
    };
  }

  /** After a synced run: no writes when nothing changed, else the server holds the new content. */
  private async checkSynced(series: Series, requests: Map<string, number>, local: string, remote: string, changed: readonly string[]): Promise<void> {
    if (changed.length === 0) {
      const writes = ['PUT', 'DELETE', 'MKCOL', 'MOVE'].reduce((sum, method) => sum + (requests.get(method) ?? 0), 0);
      if (writes > 0) series.fail(`wrong result: ${writes} writes to the server with nothing changed`);
      return;
    }
    const differing = await differingFiles(local, join(this.server.dataDir, remote), changed);
    if (differing.length > 0) series.fail(`wrong result: ${differing.length} of ${changed.length} changed files not on the server`);
  }

  /** Row 5: one large file up into an empty folder, then down into an empty folder. */
  async bigFile(): Promise<TableRow> {
    const folder = await this.big();
    const original = join(folder, 'big.bin');
    const runs = this.runsFor('bigfile');
    const timeoutMs = 30 * 60_000;
    const size = this.sizes.bigFile;
    const series = {
      terasync: { up: new Series(), down: new Series() },
      raw: { up: new Series(), down: new Series() },
      rclone: { up: new Series(), down: new Series() },
    };
    for (let run = 0; run < runs; run += 1) {
      for (const tool of rotate(['terasync', 'raw', 'rclone'] as const, run)) {
        if (!this.options.tools.has(tool) || (tool === 'rclone' && !this.rclone)) continue;
        const { up, down } = series[tool];
        const remote = this.fresh(`big-${tool}`);
        const target = join(this.work, `${remote}-down`);
        this.log(`bigfile run ${run + 1}/${runs}: ${tool} up`);
        if (tool === 'terasync') {
          // A hard link: the same bytes in a folder of its own, without a copy.
          const local = join(this.work, `${remote}-up`);
          await mkdir(local);
          await link(original, join(local, 'big.bin'));
          const upResult = await this.runTerasync(`bigfile-up-${run}`, local, remote, join(this.work, `${remote}-state-up`), timeoutMs);
          up.add(upResult);
          this.log(`bigfile run ${run + 1}/${runs}: ${tool} down`);
          const downResult = await this.runTerasync(`bigfile-down-${run}`, target, remote, join(this.work, `${remote}-state-down`), timeoutMs);
          down.add(downResult);
          await rm(local, { recursive: true, force: true });
        } else if (tool === 'raw') {
          const upResult = await this.runRaw(`bigfile-raw-up-${run}`, { mode: 'upload', local: folder, url: this.remoteUrl(remote) }, timeoutMs);
          up.add(upResult);
          this.log(`bigfile run ${run + 1}/${runs}: ${tool} down`);
          await mkdir(target);
          const downResult = await this.runRaw(`bigfile-raw-down-${run}`, { mode: 'download', url: `${this.remoteUrl(remote)}big.bin`, out: join(target, 'big.bin') }, timeoutMs);
          down.add(downResult);
        } else {
          const upResult = await this.runRclone(`bigfile-rclone-up-${run}`, ['copy', folder, `BENCH:${remote}`], timeoutMs);
          up.add(upResult);
          this.log(`bigfile run ${run + 1}/${runs}: ${tool} down`);
          const downResult = await this.runRclone(`bigfile-rclone-down-${run}`, ['copy', `BENCH:${remote}/big.bin`, target], timeoutMs);
          down.add(downResult);
        }
        if (!(await sameFile(original, join(this.server.dataDir, remote, 'big.bin')))) up.fail('wrong result: the server copy differs');
        if (!(await sameFile(original, join(target, 'big.bin')))) down.fail('wrong result: the downloaded copy differs');
        await rm(target, { recursive: true, force: true });
        await this.removeRemote(remote);
      }
    }
    const describe = (pair: { up: Series; down: Series }, limit?: number): string =>
      pair.up.ok || pair.down.ok ? `up ${pair.up.describe(limit)} / down ${pair.down.describe(limit)}` : (pair.up.failure ?? NOT_RUN);
    let terasyncCell = describe(series.terasync, 150);
    const against = (other: { up: Series; down: Series }, name: string): string => {
      const up = series.terasync.up.ok && other.up.ok ? `up ${ratio(series.terasync.up.median, other.up.median)}` : undefined;
      const down = series.terasync.down.ok && other.down.ok ? `down ${ratio(series.terasync.down.median, other.down.median)}` : undefined;
      return up || down ? ` · ${[up, down].filter(Boolean).join(', ')} ${name}` : '';
    };
    terasyncCell += against(series.raw, 'raw') + against(series.rclone, 'rclone');
    return {
      label: `one ${bytesLabel(size)} file up, then down: time and peak RSS${runsLabel(runs)}`,
      terasync: terasyncCell,
      raw: describe(series.raw),
      rclone: this.rclone ? `\`rclone copy\` ${describe(series.rclone)}` : this.rcloneMissing(),
      details: requestDetails({
        'terasync up': series.terasync.up,
        'terasync down': series.terasync.down,
        'raw up': series.raw.up,
        'raw down': series.raw.down,
        'rclone up': series.rclone.up,
        'rclone down': series.rclone.down,
      }),
    };
  }

  // ---- the journal and the planner (row 9) ----

  /**
   * Row 9: the no-change plan over 10,000, 100,000 and 1,000,000 journal entries, each size in
   * a process of its own (bench/planner.ts: the real SQLite journal in a temp folder, the scan
   * and the listing in memory). Target at 1,000,000: under 10 s and 1 GB peak RSS.
   */
  async planner(): Promise<TableRow> {
    const label = 'no-change plan over 10,000 / 100,000 / 1,000,000 journal entries (SQLite journal; scan and listing in memory)';
    const cells: string[] = [];
    const details: string[] = [];
    for (const files of [10_000, 100_000, 1_000_000]) {
      const folder = join(this.work, this.fresh('planner'));
      this.log(`planner: journal of ${number(files)} files`);
      const result = await measure({
        command: process.execPath,
        args: [
          '--expose-gc',
          ...(this.options.profile ? ['--cpu-prof', '--cpu-prof-dir', join(this.options.profile, `planner-${files}`)] : []),
          this.paths.planner,
          JSON.stringify({ files, folder }),
        ],
        env: this.baseEnv(),
        timeoutMs: 30 * 60_000,
        stdoutFile: join(this.work, 'logs', `planner-${files}.out`),
        stderrFile: join(this.work, 'logs', `planner-${files}.err`),
      });
      await rm(folder, { recursive: true, force: true });
      const short = files >= 1_000_000 ? `${files / 1_000_000}M` : `${files / 1_000}k`;
      if (!succeeded(result)) {
        cells.push(`${short}: ${failureSummary(result)}`);
        continue;
      }
      const out = JSON.parse(result.stdout.trim().split('\n').pop() ?? '{}') as {
        entries: number;
        build: number;
        read: number;
        rules: number;
        plan: number;
        total: number;
        cpu: number;
        heapLiveKiB: number | null;
        rssBuild: number;
        rssListings: number;
        rssPeak: number;
      };
      const peak = result.peakRssKiB ?? out.rssPeak;
      const target = files === 1_000_000 ? ` ${mark(out.total < 10 && (peak * 1024) / 1e6 < 1000)}` : '';
      cells.push(`${short}: ${seconds(out.total)} (CPU ${seconds(out.cpu)}) · ${megabytes(peak)}${target}`);
      details.push(
        `${number(out.entries)} entries: journal read ${seconds(out.read)}, ignore rules ${seconds(out.rules)}, plan ${seconds(out.plan)}; ` +
          `live heap after the plan ${megabytes(out.heapLiveKiB)}; ` +
          `building the journal ${seconds(out.build)}; peak RSS after the build ${megabytes(out.rssBuild)}, with the listings ${megabytes(out.rssListings)}, at the end ${megabytes(out.rssPeak)}`,
      );
    }
    return { label, terasync: cells.join(' / '), raw: 'n/a', rclone: 'n/a', details };
  }

  // ---- start-up (row 8) ----

  /**
   * Row 8: `terasync --help` and `terasync status` (of a synced pair) against `node -e 0` on
   * the same Node, taking turns in every run. The target is --help within 0.15 s of the bare
   * Node: the command's own share of a short one-shot run. The difference is the median of
   * each run's difference, which the machine's load moves less than either time.
   */
  async startup(): Promise<TableRow> {
    const runs = this.runsFor('startup');
    const label = `start-up: \`terasync --help\` and \`terasync status\` against \`node -e 0\`${runsLabel(runs)}`;
    if (!this.options.tools.has('terasync')) return { label, terasync: NOT_RUN, raw: NOT_RUN, rclone: 'n/a', details: [] };
    // A pair with a status file for `status` to read: one file synced once, not timed.
    const remote = this.fresh('startup');
    const pair = { local: join(this.work, `${remote}-local`), remote, state: join(this.work, `${remote}-state`) };
    await mkdir(pair.local);
    await writeFile(join(pair.local, 'one.txt'), 'start-up\n');
    const setup = await this.runTerasync('startup-setup', pair.local, pair.remote, pair.state, 5 * 60_000, false);
    if (!succeeded(setup.result)) throw new Error(`terasync could not sync the start-up pair: ${failureSummary(setup.result)}`);
    const commands = {
      node: { args: ['-e', '0'], check: (out: string) => out === '' },
      help: { args: [this.paths.cli, '--help'], check: (out: string) => out.startsWith('Usage: terasync') },
      status: {
        args: [this.paths.cli, 'status', '--local', pair.local, '--remote', this.remoteUrl(pair.remote), '--state', pair.state],
        check: (out: string) => out.startsWith('In sync (not running)'),
      },
    };
    const series = { node: new Series(), help: new Series(), status: new Series() };
    const run = async (name: keyof typeof commands, tag: string): Promise<Measurement> => {
      const command = commands[name];
      const result = await measure({
        command: this.terasyncNode,
        args: command.args,
        env: this.terasyncEnv(),
        timeoutMs: 60_000,
        stdoutFile: join(this.work, 'logs', `${tag}.out`),
        stderrFile: join(this.work, 'logs', `${tag}.err`),
      });
      if (succeeded(result) && !command.check(result.stdout)) series[name].fail(`wrong result: ${JSON.stringify(result.stdout.slice(0, 80))}`);
      return result;
    };
    // Once each, not timed: the disk cache, and the compile cache where Node has one.
    for (const name of ['node', 'help', 'status'] as const) await run(name, `startup-warm-${name}`);
    const differences = { help: [] as number[], status: [] as number[] };
    for (let index = 0; index < runs; index += 1) {
      const times: Partial<Record<keyof typeof commands, number>> = {};
      for (const name of rotate(['node', 'help', 'status'] as const, index)) {
        const result = await run(name, `startup-${name}-${index}`);
        series[name].add({ result, requests: new Map(), otherCores: NaN });
        if (succeeded(result)) times[name] = result.seconds;
      }
      for (const name of ['help', 'status'] as const) {
        const own = times[name];
        if (own !== undefined && times.node !== undefined) differences[name].push(own - times.node);
      }
    }
    await this.removeRemote(remote);
    const over = (name: 'help' | 'status', target?: number): string => {
      if (!series[name].ok || !series.node.ok || differences[name].length === 0) return series[name].describe();
      const extra = median(differences[name]);
      return `${series[name].describe()} (+${extra.toFixed(3)} s${target === undefined ? '' : ` ${mark(extra <= target)}`})`;
    };
    const compileCache = await runQuiet(this.terasyncNode, ['-p', "typeof require('node:module').enableCompileCache"], { timeoutMs: 30_000 });
    const cacheNote = compileCache.stdout.trim() === 'function' ? 'compile cache on' : 'this Node has no compile cache';
    return {
      label,
      terasync: `\`--help\` ${over('help', 0.15)} / \`status\` ${over('status')}; ${cacheNote}`,
      raw: `\`node -e 0\` ${series.node.describe()}`,
      rclone: 'n/a',
      details: [],
    };
  }

  // ---- continuous mode (rows 6 and 7) ----

  /** Whether `terasync sync` without --once is the continuous mode (and not a usage error). */
  async continuousModeBuilt(): Promise<boolean> {
    const help = await runQuiet(this.terasyncNode, [this.paths.cli, 'sync', '--help'], { env: this.terasyncEnv(), timeoutMs: 30_000 });
    const text = `${help.stdout}\n${help.stderr}`;
    if (/continuous/i.test(text) && !/continuous sync is not available/i.test(text)) return true;
    const probe = join(this.work, 'probe');
    await mkdir(probe, { recursive: true });
    const process_ = startBackground({
      command: this.terasyncNode,
      args: [this.paths.cli, ...this.terasyncArgs(probe, 'probe', join(this.work, 'probe-state'), false)],
      env: this.terasyncEnv(),
      stdoutFile: join(this.work, 'logs', 'probe.out'),
      stderrFile: join(this.work, 'logs', 'probe.err'),
    });
    const deadline = Date.now() + 8_000;
    while (process_.exited() === null && Date.now() < deadline) await delay(100);
    const exit = process_.exited();
    await process_.stop();
    await this.removeRemote('probe');
    return exit === null || exit.code !== 2;
  }

  private get terasyncNode(): string {
    return this.paths.node ?? process.execPath;
  }

  /** The continuous process's peak RSS, marked against the large tree's target. */
  private continuousRss(process_: Background): string {
    const kib = process_.peakRssKiB();
    return kib === null ? megabytes(kib) : `${megabytes(kib)} ${mark((kib * 1024) / 1e6 < this.largeRssLimit)}`;
  }

  private startContinuous(tag: string, pair: SyncedPair): Background {
    // Sampled every 10 ms rather than every 1 ms, so that the profiler alone does not keep the
    // process from going quiet; the profile is written when the process ends on SIGTERM.
    const profile = this.options.profile ? ['--cpu-prof', '--cpu-prof-interval', '10000', '--cpu-prof-dir', join(this.options.profile, tag)] : [];
    return startBackground({
      command: this.terasyncNode,
      args: [...profile, this.paths.cli, ...this.terasyncArgs(pair.local, pair.remote, pair.state, false)],
      env: this.terasyncEnv(),
      stdoutFile: join(this.work, 'logs', `${tag}.out`),
      stderrFile: join(this.work, 'logs', `${tag}.err`),
    });
  }

  /**
   * Waits until the process has used under 2% of a core for two seconds in a row (its start-up
   * sync is over); gives up after `maxMs` and says so.
   */
  private async waitQuiet(process_: Background, maxMs: number): Promise<{ quiet: boolean; afterSeconds: number }> {
    const started = performance.now();
    let quietSeconds = 0;
    let previous = process_.cpuSeconds();
    while (performance.now() - started < maxMs) {
      await delay(1_000);
      if (process_.exited() !== null) throw new Error(`the continuous command exited (${JSON.stringify(process_.exited())})`);
      const now = process_.cpuSeconds();
      if (now !== null && previous !== null && now - previous < 0.02) quietSeconds += 1;
      else quietSeconds = 0;
      previous = now;
      if (quietSeconds >= 2) return { quiet: true, afterSeconds: (performance.now() - started) / 1000 };
    }
    return { quiet: false, afterSeconds: maxMs / 1000 };
  }

  private async get(url: string): Promise<{ status: number; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const req = httpsRequest(url, { agent: this.agent, headers: { Authorization: this.authorization, 'Accept-Encoding': 'identity' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      req.setTimeout(5_000, () => req.destroy(new Error('GET timed out')));
      req.on('error', reject);
      req.end();
    });
  }

  async latency(): Promise<TableRow> {
    const pair = await this.ensureTerasyncPair();
    const row: TableRow = {
      label: `latency: local save -> visible on server (median of ${this.options.samples}, ${number(this.sizes.large.files)} synced files)`,
      terasync: '',
      raw: 'n/a',
      rclone: 'n/a',
      details: [],
    };
    // The big tree's target is 1 s, the 20,000-file tree's 2 s.
    const target = this.options.big ? 1 : 2;
    const process_ = this.startContinuous('latency', pair);
    try {
      const settled = await this.waitQuiet(process_, this.settleMs);
      this.log(`latency: the continuous command settled after ${settled.afterSeconds.toFixed(0)} s${settled.quiet ? '' : ' (never quiet)'}`);
      const samples: number[] = [];
      let timeouts = 0;
      const folder = leafFolders(this.sizes.large)[0] ?? folderName(0);
      for (let sample = 0; sample < this.options.samples; sample += 1) {
        const name = `latency-${sample}-${randomBytes(3).toString('hex')}.dat`;
        const content = randomBytes(1024);
        const url = `${this.remoteUrl(pair.remote)}${folder}/${name}`;
        const started = performance.now();
        await writeFile(join(pair.local, folder, name), content);
        let seen: number | undefined;
        // Bounded: 30 s per sample, a GET every 50 ms.
        while (performance.now() - started < 30_000) {
          const pollStarted = performance.now();
          const reply = await this.get(url).catch(() => ({ status: 0, body: Buffer.alloc(0) }));
          if (reply.status === 200 && reply.body.equals(content)) {
            seen = performance.now() - started;
            break;
          }
          if (process_.exited() !== null) throw new Error(`the continuous command exited (${JSON.stringify(process_.exited())})`);
          await delay(Math.max(0, 50 - (performance.now() - pollStarted)));
        }
        if (seen === undefined) timeouts += 1;
        else samples.push(seen / 1000);
        this.log(`latency sample ${sample + 1}: ${seen === undefined ? 'not seen within 30 s' : seconds(seen / 1000)}`);
        if (timeouts >= 3 && samples.length === 0) break;
        await delay(1_000);
      }
      const rss = this.continuousRss(process_);
      if (samples.length === 0) row.terasync = `✗ not on the server within 30 s (${timeouts} tries) · ${rss}`;
      else {
        const value = median(samples);
        row.terasync =
          `${seconds(value)} ${mark(value < target && timeouts === 0)} (max ${seconds(Math.max(...samples))}` +
          `${timeouts > 0 ? `, ${timeouts} of ${samples.length + timeouts} not seen within 30 s` : ''}) · ${rss}`;
      }
    } catch (error) {
      row.terasync = `failed: ${(error as Error).message.slice(0, 200)}`;
    } finally {
      await process_.stop();
    }
    return row;
  }

  async idle(): Promise<TableRow> {
    const pair = await this.ensureTerasyncPair();
    const window = this.options.idleSeconds;
    const row: TableRow = { label: `idle CPU over ${window} s with nothing changing (${number(this.sizes.large.files)} synced files)`, terasync: '', raw: 'n/a', rclone: 'n/a', details: [] };
    const process_ = this.startContinuous('idle', pair);
    try {
      const settled = await this.waitQuiet(process_, this.settleMs);
      this.log(`idle: the continuous command settled after ${settled.afterSeconds.toFixed(0)} s${settled.quiet ? '' : ' (never quiet)'}; measuring ${window} s`);
      const before = (await this.server.accessLog()).length;
      const cpuBefore = process_.cpuSeconds();
      const started = performance.now();
      while (performance.now() - started < window * 1000) {
        await delay(Math.min(1_000, window * 1000 - (performance.now() - started)));
        if (process_.exited() !== null) throw new Error(`the continuous command exited (${JSON.stringify(process_.exited())})`);
      }
      const cpuAfter = process_.cpuSeconds();
      const elapsed = (performance.now() - started) / 1000;
      const lines = (await this.server.accessLog()).slice(before);
      if (cpuBefore === null || cpuAfter === null) throw new Error('could not read /proc/<pid>/stat');
      const percent = ((cpuAfter - cpuBefore) / elapsed) * 100;
      const requests = new Map<string, number>();
      for (const line of lines) requests.set(line.method, (requests.get(line.method) ?? 0) + 1);
      const summary = [...requests.entries()].map(([method, count]) => `${method} ${count}`).join(', ') || 'no requests';
      row.terasync = `${percent.toFixed(2)}% of one core ${mark(percent < 1)} · ${this.continuousRss(process_)} · ${summary}${settled.quiet ? '' : ' (start-up never went quiet)'}`;
    } catch (error) {
      row.terasync = `failed: ${(error as Error).message.slice(0, 200)}`;
    } finally {
      await process_.stop();
    }
    return row;
  }
}

const NOT_RUN = 'not run (--tools)';

function rotate<T>(items: readonly T[], by: number): T[] {
  const shift = by % items.length;
  return [...items.slice(shift), ...items.slice(0, shift)];
}

function runsLabel(runs: number): string {
  return runs > 1 ? ` (median of ${runs})` : ' (1 run)';
}

function requestDetails(series: Record<string, Series>): string[] {
  return Object.entries(series)
    .filter(([, item]) => item.ok)
    .map(([name, item]) => `${name}: ${item.requestSummary()}`);
}

function renderTable(rows: readonly TableRow[]): string {
  const lines = [
    '| case | terasync | raw PUT/GET loop, same parallelism (the limit) | rclone (apt) |',
    '| --- | --- | --- | --- |',
    ...rows.map((row) => `| ${row.label} | ${row.terasync} | ${row.raw} | ${row.rclone} |`),
  ];
  return `${lines.join('\n')}\n`;
}

// ---- set-up and tear-down ----------------------------------------------------------------------

async function install(log: (line: string) => void): Promise<void> {
  const packages = ['rclone', 'time', ...(apacheAvailable() ? [] : ['apache2', 'openssl'])];
  const sudo = process.getuid?.() === 0 ? [] : ['sudo'];
  const run = async (args: string[]): Promise<void> => {
    log(`running ${[...sudo, ...args].join(' ')}`);
    const [command, ...rest] = [...sudo, ...args];
    const result = await runQuiet(command ?? 'apt-get', rest, { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, timeoutMs: 15 * 60_000 });
    if (result.code !== 0) log(`${args.join(' ')} failed (exit ${result.code}): ${result.stderr.trim().split('\n').pop() ?? ''}`);
  };
  await run(['apt-get', 'update']);
  await run(['apt-get', 'install', '-y', ...packages]);
}

async function findRclone(password: string): Promise<RcloneInfo | null> {
  const version = await runQuiet('rclone', ['version'], { timeoutMs: 30_000 });
  if (version.code !== 0) return null;
  const bisync = await runQuiet('rclone', ['bisync', '--help'], { timeoutMs: 30_000 });
  const obscured = await runQuiet('rclone', ['obscure', password], { timeoutMs: 30_000 });
  return {
    version: version.stdout.split('\n')[0]?.replace(/^rclone\s+/, '') ?? '?',
    bisync: bisync.code === 0,
    obscuredPassword: obscured.stdout.trim(),
  };
}

function machineNote(server: ApacheServer, rclone: RcloneInfo | null, apacheVersion: string): string {
  const cpu = cpus()[0]?.model ?? '?';
  return (
    `${cpus().length} cores (${cpu}), ${Math.round(totalmem() / 1024 ** 3)} GiB RAM (${Math.round(freemem() / 1024 ** 3)} GiB free), ` +
    `Node ${process.version}, ${apacheVersion} on ${server.origin}, rclone ${rclone ? rclone.version : 'not installed'}`
  );
}

export async function main(argv: string[], paths: BenchPaths): Promise<number> {
  let options: Options | 'help';
  try {
    options = parseOptions(argv);
  } catch (error) {
    process.stderr.write(`bench: ${(error as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (options === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const opts = options;
  const started = performance.now();
  const log = (line: string): void => {
    const elapsed = (performance.now() - started) / 1000;
    process.stderr.write(`[bench ${elapsed.toFixed(0).padStart(4)} s] ${line}\n`);
  };

  if (opts.install) await install(log);
  if (!apacheAvailable()) {
    process.stderr.write('bench: apache2 is not usable here: apt-get install apache2 openssl (or run with --install)\n');
    return 2;
  }

  const work = await mkdtemp(join(tmpdir(), 'terasync-bench-'));
  let server: ApacheServer | undefined;
  let proxy: DelayProxy | undefined;
  let bench: Bench | undefined;
  let cleaning: Promise<void> | undefined;
  const cleanUp = (): Promise<void> => {
    cleaning ??= (async () => {
      killAllGroups();
      bench?.dispose();
      await proxy?.close().catch(() => undefined);
      await server?.stop().catch(() => undefined);
      await rm(work, { recursive: true, force: true });
    })();
    return cleaning;
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    process.stderr.write(`\nbench: ${signal}: stopping everything it started\n`);
    void cleanUp().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // A crash still ends the children and removes the temp folder (Apache's harness kills its own group).
  const onExit = (): void => {
    killAllGroups();
    if (existsSync(work)) rmSync(work, { recursive: true, force: true });
  };
  process.on('exit', onExit);

  try {
    await mkdir(join(work, 'logs'));
    await mkdir(join(work, 'home'));
    await writeFile(join(work, 'rclone.conf'), '');
    if (opts.profile) await mkdir(opts.profile, { recursive: true });
    log(`work folder ${work}; starting Apache`);
    server = await startApache();
    const apacheVersion = ((await runQuiet('/usr/sbin/apache2', ['-v'], { timeoutMs: 10_000 })).stdout.split('\n')[0] ?? '').replace(/^Server version:\s*/, '');
    const installed = await findRclone(server.password);
    const rclone = opts.tools.has('rclone') ? installed : null;
    if (!opts.tools.has('rclone')) log('rclone: not run (--tools)');
    else log(installed ? `rclone ${installed.version}${installed.bisync ? '' : ' (no bisync)'}` : 'rclone is not installed: its column will say so');
    const sizes = sizesFor(opts);
    const apache = apacheGroup(join(dirname(server.dataDir), 'conf', 'httpd.conf'));
    // Every tool talks to Apache through the delay proxy, at every round trip (0 included).
    proxy = await startDelayProxy({ port: Number(new URL(server.origin).port) });
    const farOrigin = `${new URL(server.origin).protocol}//127.0.0.1:${proxy.port}`;
    const far: ApacheServer = { ...server, origin: farOrigin, url: server.url.replace(server.origin, farOrigin), backupUrl: server.backupUrl.replace(server.origin, farOrigin) };
    bench = new Bench(opts, sizes, far, work, paths, rclone, log, apache, proxy);
    const machineAtStart = machineBusySeconds();
    const oursAtStart = bench.ourCpu();
    const wallAtStart = performance.now();

    const loads = [loadAverage()];
    const loadSampler = setInterval(() => loads.push(loadAverage()), 10_000);
    loadSampler.unref();
    const rows: TableRow[] = [];
    const wanted = (row: RowId): boolean => opts.only.has(row);
    const attempt = async (row: RowId, label: string, run: (b: Bench) => Promise<TableRow>): Promise<void> => {
      if (!wanted(row) || !bench) return;
      try {
        rows.push(await run(bench));
      } catch (error) {
        log(`${row} failed: ${(error as Error).stack ?? String(error)}`);
        const message = `failed: ${(error as Error).message.slice(0, 200)}`;
        rows.push({ label, terasync: message, raw: message, rclone: message, details: [] });
      }
    };
    for (const rtt of opts.rtt) {
      bench.atRtt(rtt);
      const here = (row: RowId): boolean => rtt === 0 || FAR_ROWS.has(row);
      const at = rtt > 0 ? ` at ${rtt} ms RTT` : '';
      if (rtt > 0) log(`rows at ${rtt} ms round trip`);
      if (here('upload-small')) await attempt('upload-small', `first upload (small)${at}`, (b) => b.firstUpload('upload-small'));
      if (here('upload-large')) await attempt('upload-large', `first upload (large)${at}`, (b) => b.firstUpload('upload-large'));
      if (here('nochange')) await attempt('nochange', `no-change run${at}`, (b) => b.syncedRun('nochange'));
      if (here('changes')) await attempt('changes', `changed files${at}`, (b) => b.syncedRun('changes'));
      if (here('bigfile')) await attempt('bigfile', `one large file${at}`, (b) => b.bigFile());
    }
    bench.atRtt(0);
    if ((wanted('latency') || wanted('idle')) && opts.tools.has('terasync')) {
      const built = await bench.continuousModeBuilt();
      log(built ? 'continuous mode: built' : 'continuous mode: not built');
      if (built) {
        await attempt('latency', 'latency', (b) => b.latency());
        await attempt('idle', 'idle CPU', (b) => b.idle());
      } else {
        const pending = 'pending: continuous mode not built';
        if (wanted('latency')) rows.push({ label: `latency: local save -> visible on server (median of ${opts.samples})`, terasync: pending, raw: 'n/a', rclone: 'n/a', details: [] });
        if (wanted('idle')) rows.push({ label: `idle CPU over ${opts.idleSeconds} s with nothing changing`, terasync: pending, raw: 'n/a', rclone: 'n/a', details: [] });
      }
    }
    await attempt('startup', 'start-up', (b) => b.startup());
    await attempt('planner', 'journal and planner', (b) => b.planner());

    clearInterval(loadSampler);
    const otherCpu = Math.max(0, machineBusySeconds() - machineAtStart - (bench.ourCpu() - oursAtStart));
    const otherShare = otherCpu / (((performance.now() - wallAtStart) / 1000) * cpus().length);
    loads.push(loadAverage());
    const totalSeconds = (performance.now() - started) / 1000;
    const notes = [
      '',
      `Machine: ${machineNote(server, installed, apacheVersion)}.`,
      `Every tool reaches Apache through a delay proxy (bench/delayProxy.ts) that holds each chunk half the round trip each way; rows marked "ms RTT" ran at that round trip, the others at 0. Synced pairs were set up at 0 ms.`,
      `terasync: ${paths.buildNote}. Parallelism ${opts.concurrency} everywhere (terasync --concurrency, raw loop sockets, rclone --transfers and --checkers); rclone remote from env vars, vendor owncloud.`,
      `Times are wall clock from spawn to exit; peak RSS by ${rssMethod()}; continuous mode: VmHWM and utime+stime from /proc/<pid>. ${opts.quick ? 'Quick sizes. ' : ''}Whole run: ${Math.floor(totalSeconds / 60)} min ${Math.round(totalSeconds % 60)} s; ` +
        `1-minute load average ${Math.min(...loads).toFixed(2)} to ${Math.max(...loads).toFixed(2)}; ` +
        `processes other than the benchmark, its commands and Apache used ${(otherShare * 100).toFixed(0)}% of the machine's CPU meanwhile.`,
    ];
    const table = renderTable(rows) + notes.join('\n') + '\n';
    let output = table;
    if (opts.details) {
      output += '\nRequests per run (Apache access log):\n';
      for (const row of rows) for (const detail of row.details) output += `- ${row.label}: ${detail}\n`;
    }
    process.stdout.write(output);
    if (opts.out) await writeFile(opts.out, output);
    return 0;
  } catch (error) {
    process.stderr.write(`bench: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  } finally {
    await cleanUp();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('exit', onExit);
  }
}
