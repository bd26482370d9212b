/**
 * What the dispatcher (electron/cli/main.ts) hands each command module under
 * electron/cli/commands/: the parsed command line and what every command shares. Only types
 * and node:util here, so that loading it costs nothing.
 */
import { parseArgs } from 'node:util';
import type { AccountOptions, Terminal } from './accountCommands.js';
import type { CommandProxy } from './proxyOption.js';
import type { Output } from './reporter.js';

/** Every option of every command: one parse, so an unknown option is a usage error everywhere. */
const OPTIONS = {
  local: { type: 'string' },
  remote: { type: 'string' },
  once: { type: 'boolean', default: false },
  'poll-interval': { type: 'string' },
  state: { type: 'string' },
  ca: { type: 'string' },
  json: { type: 'boolean', default: false },
  'dry-run': { type: 'boolean', default: false },
  'allow-mass-delete': { type: 'boolean', default: false },
  concurrency: { type: 'string' },
  'limit-up': { type: 'string' },
  'limit-down': { type: 'string' },
  'download-streams': { type: 'string' },
  device: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
  user: { type: 'string' },
  node: { type: 'string' },
  url: { type: 'string' },
  'password-stdin': { type: 'boolean', default: false },
  challenge: { type: 'boolean', default: false },
  oauth: { type: 'boolean', default: false },
  issuer: { type: 'string' },
  'client-id': { type: 'string' },
  scopes: { type: 'string' },
  'api-key': { type: 'string' },
  'api-key-in': { type: 'string' },
  'api-url': { type: 'string' },
  source: { type: 'string', multiple: true },
  'retention-days': { type: 'string' },
  version: { type: 'string' },
  path: { type: 'string' },
  to: { type: 'string' },
  'fail-safe-percent': { type: 'string' },
  'deleted-retention-days': { type: 'string' },
  run: { type: 'string' },
  all: { type: 'boolean', default: false },
  proxy: { type: 'string' },
} as const;

/** Parses the arguments after `terasync`; throws (TypeError) on an unknown or malformed option. */
export function parseCommandLine(argv: string[]) {
  return parseArgs({ args: argv, allowPositionals: true, strict: true, options: OPTIONS });
}

export type CliValues = ReturnType<typeof parseCommandLine>['values'];

export interface CliIo {
  argv: string[];
  env: NodeJS.ProcessEnv;
  stdin: Terminal['input'];
  stdout: Output;
  stderr: Output;
  platform: NodeJS.Platform;
}

export const COMMAND_NAMES = ['sync', 'status', 'login', 'logout', 'whoami', 'backup', 'restore', 'deleted'] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];

export interface CommandContext {
  io: CliIo;
  command: CommandName;
  /** `list` for `backup list`; list, restore or purge for `deleted`; otherwise null. */
  subcommand: string | null;
  values: CliValues;
  /** --state, or the default state folder, resolved. */
  stateDir: string;
  /** The PEM text of --ca. */
  ca: string | undefined;
  accountOptions: AccountOptions;
  /** --proxy or the environment's proxy; null for a command that makes no request (status). */
  proxy: CommandProxy | null;
  /** Writes `terasync: <message>` to stderr and returns `code`. */
  fail(code: number, message: string): number;
}

/** What each module under electron/cli/commands/ exports. */
export interface CommandModule {
  /** A command with subcommands checks them (and the options that go with them) first. */
  usageProblem?(subcommand: string | null, values: CliValues): string | null;
  run(context: CommandContext): Promise<number>;
}
