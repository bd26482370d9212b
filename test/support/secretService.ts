/**
 * A real Secret Service for the keychain tests: gnome-keyring-daemon on a private D-Bus
 * session bus, in a temporary HOME, so the tests never see (or touch) the keyring of the
 * person running them.
 *
 *   dbus-daemon --config-file=<tmp>/bus.conf --print-address=1 --nofork
 *     bus.conf: a session bus listening in <tmp>/bus, with NO <servicedir>: nothing is
 *     started on demand, so a bus without gnome-keyring really has no Secret Service (the
 *     stock session config would activate /usr/share/dbus-1/services/org.freedesktop.secrets
 *     with the real HOME), and gnome-keyring cannot start a password prompter: an unlock
 *     prompt is dismissed at once instead of waiting for a human.
 *   gnome-keyring-daemon --foreground --components=secrets [--unlock]
 *     env: DBUS_SESSION_BUS_ADDRESS=<bus>, HOME/XDG_DATA_HOME/XDG_CONFIG_HOME/XDG_CACHE_HOME/
 *     XDG_RUNTIME_DIR under <tmp>, no DISPLAY; with --unlock the password comes on stdin and
 *     creates (or unlocks) the `login` collection, which becomes the `default` alias.
 *
 * `@napi-rs/keyring` (libdbus underneath) opens the session bus once per process and keeps it:
 * changing DBUS_SESSION_BUS_ADDRESS afterwards changes nothing. So the store under test runs in
 * a child process per scenario (`startKeyringClient`), a small esbuild bundle of
 * `KeyringSecretStore` that answers JSON requests on stdin/stdout.
 */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import { ErrorCode, TeraSyncError } from '../../shared/errors.js';
import type { KeyringProbeResult, KeyringSecretStoreOptions } from '../../electron/auth/KeyringSecretStore.js';

const execFileAsync = promisify(execFile);

const SECRETS_NAME = 'org.freedesktop.secrets';
const STARTUP_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 5_000;
/** A keychain call the client does not answer within this is a hang: the test fails on it. */
const REQUEST_TIMEOUT_MS = 30_000;

function onPath(tool: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status === 0;
}

/** dbus-daemon, dbus-send (apt: dbus) and gnome-keyring-daemon (apt: gnome-keyring), on Linux. */
export function secretServiceToolsAvailable(): boolean {
  return process.platform === 'linux' && ['dbus-daemon', 'dbus-send', 'gnome-keyring-daemon'].every(onPath);
}

/** The environment a process gets to use the private session: nothing of the real one. */
export interface SessionEnvironment {
  [name: string]: string;
  DBUS_SESSION_BUS_ADDRESS: string;
  HOME: string;
  XDG_RUNTIME_DIR: string;
}

export interface PrivateSecretService {
  /** The private bus, `unix:path=...`. */
  readonly address: string;
  /** For a child that should use this bus (and whatever keyring runs on it). */
  readonly env: SessionEnvironment;
  /** The same temporary HOME, with a bus address that leads nowhere (a socket that does not exist). */
  readonly envWithoutBus: SessionEnvironment;
  /** Starts gnome-keyring-daemon on the bus; `unlock` (default true) creates and unlocks the login collection. */
  startKeyring(options?: { unlock?: boolean }): Promise<void>;
  /** Ends the daemon; its keyring files stay, so `startKeyring` again finds what was stored. */
  stopKeyring(): Promise<void>;
  /** Locks the default collection through the Secret Service API (`Service.Lock`), as a screen lock or the user would. */
  lockDefaultCollection(): Promise<void>;
  isDefaultCollectionLocked(): Promise<boolean>;
  /** Object paths of the items whose attributes include all of `attributes` (`Service.SearchItems`, unlocked and locked). */
  searchItems(attributes: Record<string, string>): Promise<string[]>;
  /** SIGSTOP / SIGCONT the daemon: it keeps its name on the bus and answers nothing. */
  freezeKeyring(): void;
  thawKeyring(): void;
  /** Kills the daemons, removes the temporary folder. Safe to call twice. */
  dispose(): Promise<void>;
}

function busConfig(socketDirectory: string): string {
  return `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir=${socketDirectory}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`;
}

/** Ends a process group started with `detached: true`, then waits for the leader. */
async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = once(child, 'exit');
  const signalGroup = (signal: NodeJS.Signals): void => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // Already gone.
    }
  };
  // A stopped process does not act on SIGTERM until continued.
  signalGroup('SIGCONT');
  signalGroup('SIGTERM');
  const timer = setTimeout(() => signalGroup('SIGKILL'), STOP_TIMEOUT_MS);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
}

export async function startPrivateSecretService(): Promise<PrivateSecretService> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'terasync-keyring-'));
  const socketDirectory = path.join(root, 'bus');
  const home = path.join(root, 'home');
  const runtime = path.join(root, 'run');
  await mkdir(socketDirectory);
  await mkdir(home);
  await mkdir(runtime, { mode: 0o700 });
  const configFile = path.join(root, 'bus.conf');
  await writeFile(configFile, busConfig(socketDirectory));

  let bus: ChildProcess | undefined;
  let keyring: ChildProcess | undefined;
  let keyringErrors = '';
  const dispose = async (): Promise<void> => {
    if (keyring) await stopProcess(keyring);
    if (bus) await stopProcess(bus);
    keyring = undefined;
    bus = undefined;
    await rm(root, { recursive: true, force: true });
  };

  try {
    bus = spawn('dbus-daemon', [`--config-file=${configFile}`, '--print-address=1', '--nofork'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const address = await firstLine(bus, 'dbus-daemon');
    const base = {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      HOME: home,
      XDG_DATA_HOME: path.join(home, '.local', 'share'),
      XDG_CONFIG_HOME: path.join(home, '.config'),
      XDG_CACHE_HOME: path.join(home, '.cache'),
      XDG_RUNTIME_DIR: runtime,
      LANG: 'C.UTF-8',
    };
    const env: SessionEnvironment = { ...base, DBUS_SESSION_BUS_ADDRESS: address };
    const envWithoutBus: SessionEnvironment = { ...base, DBUS_SESSION_BUS_ADDRESS: `unix:path=${path.join(root, 'no-bus-here')}` };

    const dbusSend = async (destination: string, objectPath: string, method: string, ...args: string[]): Promise<string> => {
      const { stdout } = await execFileAsync(
        'dbus-send',
        ['--session', '--print-reply', `--dest=${destination}`, objectPath, method, ...args],
        { env, timeout: 10_000 },
      );
      return stdout;
    };
    const secretsOwned = async (): Promise<boolean> =>
      (
        await dbusSend('org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus.NameHasOwner', `string:${SECRETS_NAME}`)
      ).includes('boolean true');
    const defaultCollection = async (): Promise<string | null> => {
      const reply = await dbusSend(SECRETS_NAME, '/org/freedesktop/secrets', 'org.freedesktop.Secret.Service.ReadAlias', 'string:default');
      const objectPath = /object path "([^"]+)"/.exec(reply)?.[1];
      return objectPath === undefined || objectPath === '/' ? null : objectPath;
    };
    const isDefaultCollectionLocked = async (): Promise<boolean> => {
      const collection = await defaultCollection();
      if (collection === null) throw new Error('The Secret Service has no default collection');
      const reply = await dbusSend(
        SECRETS_NAME,
        collection,
        'org.freedesktop.DBus.Properties.Get',
        'string:org.freedesktop.Secret.Collection',
        'string:Locked',
      );
      return reply.includes('boolean true');
    };
    const waitFor = async (what: string, condition: () => Promise<boolean>): Promise<void> => {
      const deadline = Date.now() + STARTUP_TIMEOUT_MS;
      for (;;) {
        if (keyring && keyring.exitCode !== null) {
          throw new Error(`gnome-keyring-daemon exited (${keyring.exitCode}) before ${what}: ${keyringErrors}`);
        }
        if (await condition().catch(() => false)) return;
        if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}: ${keyringErrors}`);
        await delay(50);
      }
    };

    const service: PrivateSecretService = {
      address,
      env,
      envWithoutBus,
      async startKeyring(options = {}) {
        if (keyring) throw new Error('gnome-keyring-daemon is already running');
        const unlock = options.unlock ?? true;
        const args = ['--foreground', '--components=secrets', ...(unlock ? ['--unlock'] : [])];
        keyringErrors = '';
        const child = spawn('gnome-keyring-daemon', args, { env, stdio: ['pipe', 'ignore', 'pipe'], detached: true });
        keyring = child;
        child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
          keyringErrors += chunk;
        });
        // --unlock reads the password from stdin up to its end.
        child.stdin!.end(unlock ? 'terasync test keyring password' : '');
        await waitFor('org.freedesktop.secrets on the bus', secretsOwned);
        if (unlock) await waitFor('an unlocked default collection', async () => !(await isDefaultCollectionLocked()));
      },
      async stopKeyring() {
        if (!keyring) return;
        await stopProcess(keyring);
        keyring = undefined;
        await waitFor('org.freedesktop.secrets to leave the bus', async () => !(await secretsOwned()));
      },
      async lockDefaultCollection() {
        const collection = await defaultCollection();
        if (collection === null) throw new Error('The Secret Service has no default collection');
        await dbusSend(SECRETS_NAME, '/org/freedesktop/secrets', 'org.freedesktop.Secret.Service.Lock', `array:objpath:${collection}`);
      },
      isDefaultCollectionLocked,
      async searchItems(attributes) {
        const entries = Object.entries(attributes)
          .map(([name, value]) => `${name},${value}`)
          .join(',');
        const reply = await dbusSend(
          SECRETS_NAME,
          '/org/freedesktop/secrets',
          'org.freedesktop.Secret.Service.SearchItems',
          `dict:string:string:${entries}`,
        );
        return [...reply.matchAll(/object path "([^"]+)"/g)].map((match) => match[1]!);
      },
      freezeKeyring() {
        if (!keyring?.pid) throw new Error('gnome-keyring-daemon is not running');
        process.kill(keyring.pid, 'SIGSTOP');
      },
      thawKeyring() {
        if (!keyring?.pid) throw new Error('gnome-keyring-daemon is not running');
        process.kill(keyring.pid, 'SIGCONT');
      },
      dispose,
    };
    return service;
  } catch (error) {
    await dispose();
    throw error;
  }
}

function firstLine(child: ChildProcess, name: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let errors = '';
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      errors += chunk;
    });
    const lines = createInterface({ input: child.stdout! });
    const timer = setTimeout(() => reject(new Error(`${name} did not start: ${errors}`)), STARTUP_TIMEOUT_MS);
    lines.once('line', (line) => {
      clearTimeout(timer);
      resolve(line.trim());
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code}): ${errors}`));
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

// ---------------------------------------------------------------------------------------
// The store under test, in a child process.

type ClientMethod = 'get' | 'set' | 'delete' | 'probe' | 'describe';

interface ClientRequest {
  id: number;
  method: ClientMethod;
  args: string[];
}

interface SerializedError {
  name: string;
  code?: string;
  message: string;
  /** Messages of the `cause` chain, outermost first. */
  causes: string[];
}

type ClientResponse = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: SerializedError };

/** What a rejected client call rejects with: the child's error, rebuilt. */
export class KeyringClientError extends TeraSyncError {
  /** Messages of the child's `cause` chain, outermost first. */
  readonly causes: string[];
  constructor(serialized: SerializedError) {
    super((serialized.code ?? ErrorCode.LocalIo) as ErrorCode, serialized.message, {
      cause: serialized.causes.length > 0 ? new Error(serialized.causes.join(' <- ')) : undefined,
    });
    this.causes = serialized.causes;
  }
}

export interface KeyringClient {
  get(key: string): Promise<string | null>;
  set(key: string, secret: string): Promise<void>;
  delete(key: string): Promise<boolean>;
  probe(): Promise<KeyringProbeResult>;
  describe(): Promise<{ description: string; persistent: boolean }>;
  /** Everything the child wrote to stderr so far. */
  stderr(): string;
  /** Ends the child (killing it when it does not exit in time). */
  close(): Promise<void>;
}

/** The child's options: what `KeyringSecretStoreOptions` can carry as JSON. */
export type KeyringClientOptions = Pick<KeyringSecretStoreOptions, 'service' | 'timeoutMs' | 'platform'>;

const requireFromHere = createRequire(import.meta.url);

/**
 * Bundles the child program (this module's `runKeyringClient` and the real KeyringSecretStore)
 * into `directory`; `@napi-rs/keyring` stays external, loaded from this repository's
 * node_modules by absolute path.
 */
export async function buildKeyringClient(directory: string): Promise<string> {
  const outfile = path.join(directory, 'keyring-client.mjs');
  const keyringModule = requireFromHere.resolve('@napi-rs/keyring');
  // Imported here, not at the top: the child bundle contains this module and has no esbuild.
  const { build } = await import('esbuild');
  await build({
    stdin: {
      contents: "import { runKeyringClient } from './secretService.ts';\nawait runKeyringClient();\n",
      resolveDir: import.meta.dirname,
      sourcefile: 'keyring-client-entry.ts',
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22.12',
    outfile,
    logLevel: 'error',
    external: ['esbuild'],
    plugins: [
      {
        name: 'napi-keyring-from-repository',
        setup(builder) {
          builder.onResolve({ filter: /^@napi-rs\/keyring$/ }, () => ({ path: keyringModule, external: true }));
        },
      },
    ],
  });
  return outfile;
}

/** Starts the bundled client with `env` (and nothing else of this process's environment). */
export async function startKeyringClient(bundle: string, env: Record<string, string>, options: KeyringClientOptions): Promise<KeyringClient> {
  const child = spawn(process.execPath, [bundle, JSON.stringify(options)], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void; timer: NodeJS.Timeout }>();
  const exited = once(child, 'exit');
  child.once('exit', (code, signal) => {
    for (const { reject, timer } of pending.values()) {
      clearTimeout(timer);
      reject(new Error(`The keyring client ended (${code ?? signal}) before answering: ${stderr}`));
    }
    pending.clear();
  });
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const response = JSON.parse(line) as ClientResponse;
    const waiter = pending.get(response.id);
    if (!waiter) return;
    pending.delete(response.id);
    clearTimeout(waiter.timer);
    if (response.ok) waiter.resolve(response.value);
    else waiter.reject(new KeyringClientError(response.error));
  });
  let nextId = 1;
  const request = (method: ClientMethod, ...args: string[]): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`The keyring client did not answer ${method} within ${REQUEST_TIMEOUT_MS} ms: it hangs`));
      }, REQUEST_TIMEOUT_MS);
      pending.set(id, { resolve, reject, timer });
      child.stdin!.write(`${JSON.stringify({ id, method, args } satisfies ClientRequest)}\n`);
    });
  const close = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.stdin!.end();
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    try {
      await exited;
    } finally {
      clearTimeout(timer);
    }
  };
  return {
    get: async (key) => (await request('get', key)) as string | null,
    set: async (key, secret) => {
      await request('set', key, secret);
    },
    delete: async (key) => (await request('delete', key)) as boolean,
    probe: async () => (await request('probe')) as KeyringProbeResult,
    describe: async () => (await request('describe')) as { description: string; persistent: boolean },
    stderr: () => stderr,
    close,
  };
}

function serializeError(error: unknown): SerializedError {
  const causes: string[] = [];
  let cause: unknown = error instanceof Error ? error.cause : undefined;
  while (cause !== undefined && causes.length < 5) {
    causes.push(cause instanceof Error ? cause.message : String(cause));
    cause = cause instanceof Error ? cause.cause : undefined;
  }
  if (error instanceof TeraSyncError) return { name: error.name, code: error.code, message: error.message, causes };
  return { name: error instanceof Error ? error.name : 'Error', message: error instanceof Error ? error.message : String(error), causes };
}

/** The child program: one KeyringSecretStore, requests answered as they complete (concurrently). */
export async function runKeyringClient(): Promise<void> {
  const { KeyringSecretStore } = await import('../../electron/auth/KeyringSecretStore.js');
  const options = JSON.parse(process.argv[2] ?? '{}') as KeyringClientOptions;
  const store = new KeyringSecretStore(options);
  const handle = (request: ClientRequest): Promise<unknown> => {
    const [first = '', second = ''] = request.args;
    switch (request.method) {
      case 'get':
        return store.get(first);
      case 'set':
        return store.set(first, second).then(() => null);
      case 'delete':
        return store.delete(first);
      case 'probe':
        return KeyringSecretStore.probe(options);
      case 'describe':
        return Promise.resolve({ description: store.description, persistent: store.persistent });
    }
  };
  const inFlight = new Set<Promise<void>>();
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    const request = JSON.parse(line) as ClientRequest;
    const done = handle(request).then(
      (value): ClientResponse => ({ id: request.id, ok: true, value }),
      (error: unknown): ClientResponse => ({ id: request.id, ok: false, error: serializeError(error) }),
    ).then((response) => {
      process.stdout.write(`${JSON.stringify(response)}\n`);
    });
    inFlight.add(done);
    void done.finally(() => inFlight.delete(done));
  });
  await once(lines, 'close');
  await Promise.all(inFlight);
  // A keychain call that never ends would keep a libuv thread, and the process, alive.
  process.exit(0);
}
