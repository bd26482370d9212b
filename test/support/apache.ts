/**
 * Apache httpd with mod_dav on loopback, configured like the TeraCLOUD WebDAV service
 * (see docs/SERVICE.md, The WebDAV server): BASIC auth, `/dav/` and `/backup/` as two separate
 * areas, `DavDepthInfinity Off`, mod_deflate with Debian's stock type list, KeepAlive,
 * TLS 1.2+ only with a throwaway CA. Integration tests run the client against it "for
 * truth": what this server answers is what the real service answers.
 *
 * Each server lives in its own temporary ServerRoot with its own pid file, mutexes,
 * lock database and logs, so two test files can run one each in parallel. It never
 * touches /etc/apache2 or the system service.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, constants as fsConstants, readFileSync } from 'node:fs';
import { chmod, lchown, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

const apacheBinary = '/usr/sbin/apache2';
const modulesDirectory = '/usr/lib/apache2/modules';
const mimeTypesFile = '/etc/mime.types';
const startupTimeoutMilliseconds = 15_000;
const stopTimeoutMilliseconds = 10_000;
const portAttempts = 5;

export interface ApacheOptions {
  /** Serve HTTPS with the throwaway CA (default true), or plain HTTP. */
  https?: boolean;
  /** Load mod_deflate like the service (default true). */
  deflate?: boolean;
  /** Requests per keep-alive connection before Apache closes it (default 100, Apache's own). */
  maxKeepAliveRequests?: number;
}

export interface AccessLogLine {
  method: string;
  /** The decoded URL path, without the query string (`/dav/a b/ü.txt`). */
  path: string;
  status: number;
  /** Response body bytes as sent (after compression), 0 for none. */
  bytes: number;
}

export interface ApacheServer {
  /** The WebDAV files area, with a trailing slash: `https://127.0.0.1:PORT/dav/`. */
  url: string;
  /** The separate backup area: `https://127.0.0.1:PORT/backup/`. */
  backupUrl: string;
  /** `https://127.0.0.1:PORT` */
  origin: string;
  user: string;
  password: string;
  /** PEM of the throwaway CA that signed the server certificate (127.0.0.1 and localhost). */
  caFile: string;
  /** The directory served at /dav/. */
  dataDir: string;
  /** The directory served at /backup/. */
  backupDir: string;
  /**
   * The parsed access log. Apache writes a line just after it sent the response, so a
   * read right after a response can miss it: without `until` this waits until the log
   * stops growing; with `until` it polls until the predicate holds (and throws after a
   * few seconds if it never does).
   */
  accessLog(until?: (lines: AccessLogLine[]) => boolean): Promise<AccessLogLine[]>;
  /**
   * Files a test wrote straight into dataDir or backupDir belong to the test's user;
   * when the tests run as root, Apache runs as www-data and could not change them. This
   * hands them over. A no-op when not root.
   */
  grantServerAccess(): Promise<void>;
  /** Stops the whole process group, waits for it, and removes the ServerRoot. */
  stop(): Promise<void>;
}

interface Account {
  uid: number;
  gid: number;
}

/** Whether this machine can run the harness: the apt apache2 package, its modules, openssl. */
export function apacheAvailable(): boolean {
  try {
    accessSync(apacheBinary, fsConstants.X_OK);
    for (const name of requiredModules(true)) {
      accessSync(path.join(modulesDirectory, `mod_${name}.so`), fsConstants.R_OK);
    }
    accessSync(mimeTypesFile, fsConstants.R_OK);
  } catch {
    return false;
  }
  return findOnPath('openssl') !== undefined;
}

export async function startApache(options: ApacheOptions = {}): Promise<ApacheServer> {
  const https = options.https ?? true;
  const deflate = options.deflate ?? true;
  if (!apacheAvailable()) {
    throw new Error(`apache2 is not usable here (${apacheBinary}, modules in ${modulesDirectory}, openssl); run .ci/run or apt-get install apache2 openssl`);
  }

  const root = await mkdtemp(path.join(os.tmpdir(), 'terasync-apache-'));
  const serverAccount = serverAccountWhenRoot();
  try {
    return await startInRoot(root, https, deflate, serverAccount, options.maxKeepAliveRequests ?? 100);
  } catch (error) {
    await rm(root, { recursive: true, force: true });
    throw error;
  }
}

async function startInRoot(
  root: string,
  https: boolean,
  deflate: boolean,
  serverAccount: Account | undefined,
  maxKeepAliveRequests: number,
): Promise<ApacheServer> {
  const directories = {
    conf: path.join(root, 'conf'),
    tls: path.join(root, 'tls'),
    logs: path.join(root, 'logs'),
    run: path.join(root, 'run'),
    documents: path.join(root, 'htdocs'),
    data: path.join(root, 'dav'),
    backup: path.join(root, 'backup'),
  };
  // mkdtemp makes the root 0700; Apache's children run as www-data when we are root and
  // must reach the data, the lock database and the password file below it.
  await chmod(root, 0o755);
  for (const directory of Object.values(directories)) {
    await mkdir(directory, { mode: 0o755 });
  }
  if (serverAccount) {
    for (const directory of [directories.run, directories.data, directories.backup]) {
      await lchown(directory, serverAccount.uid, serverAccount.gid);
    }
  }

  const user = 'terasync';
  const password = randomBytes(18).toString('base64url');
  const passwordFile = path.join(directories.conf, 'htpasswd');
  await writeFile(passwordFile, `${user}:${await hashPassword(password)}\n`, { mode: 0o644 });
  const tls = await makeCertificates(directories.tls);

  const configFile = path.join(directories.conf, 'httpd.conf');
  const errorLog = path.join(directories.logs, 'error.log');
  const accessLogFile = path.join(directories.logs, 'access.log');
  const pidFile = path.join(directories.run, 'httpd.pid');

  let lastFailure = '';
  for (let attempt = 1; attempt <= portAttempts; attempt += 1) {
    const port = await findFreePort();
    await writeFile(
      configFile,
      renderConfig({
        root,
        port,
        https,
        deflate,
        serverAccount,
        directories,
        passwordFile,
        tls,
        errorLog,
        accessLogFile,
        pidFile,
        maxKeepAliveRequests,
      }),
    );
    const started = await launch(configFile, port, pidFile, errorLog);
    if (started.kind === 'addressInUse') {
      // Another process took the port between our probe and Apache's bind.
      lastFailure = started.output;
      continue;
    }
    const scheme = https ? 'https' : 'http';
    const origin = `${scheme}://127.0.0.1:${port}`;
    return {
      url: `${origin}/dav/`,
      backupUrl: `${origin}/backup/`,
      origin,
      user,
      password,
      caFile: tls.caFile,
      dataDir: directories.data,
      backupDir: directories.backup,
      accessLog: (until) => readAccessLog(accessLogFile, until),
      grantServerAccess: async () => {
        if (!serverAccount) {
          return;
        }
        for (const directory of [directories.data, directories.backup]) {
          await chownTree(directory, serverAccount);
        }
      },
      stop: onceOnly(async () => {
        await stopProcessGroup(started.child);
        await rm(root, { recursive: true, force: true });
      }),
    };
  }
  throw new Error(`apache2 could not bind a free loopback port in ${portAttempts} attempts:\n${lastFailure}`);
}

function requiredModules(https: boolean): string[] {
  return [
    'mpm_event',
    'authz_core',
    'authz_user',
    'authn_core',
    'authn_file',
    'auth_basic',
    'alias',
    // mod_dir makes a collection URL without its trailing slash answer 301, a quirk of the service.
    'dir',
    'mime',
    'filter',
    'deflate',
    'dav',
    'dav_fs',
    ...(https ? ['ssl', 'socache_shmcb'] : []),
  ];
}

interface ConfigInput {
  root: string;
  port: number;
  https: boolean;
  deflate: boolean;
  serverAccount: Account | undefined;
  directories: { logs: string; run: string; documents: string; data: string; backup: string };
  passwordFile: string;
  tls: Certificates;
  errorLog: string;
  accessLogFile: string;
  pidFile: string;
  maxKeepAliveRequests: number;
}

function renderConfig(input: ConfigInput): string {
  const { directories } = input;
  const modules = requiredModules(input.https).filter((name) => input.deflate || name !== 'deflate');
  const davArea = (directory: string): string => `
<Directory "${directory}">
  Dav On
  Options None
  AllowOverride None
  AuthType Basic
  AuthName "TeraSync test"
  AuthBasicProvider file
  AuthUserFile "${input.passwordFile}"
  Require valid-user
</Directory>`;

  return `# Generated by test/support/apache.ts for one test run.
ServerRoot "${input.root}"
ServerName 127.0.0.1
Listen 127.0.0.1:${input.port}
PidFile "${input.pidFile}"
DefaultRuntimeDir "${directories.run}"
# File locks live in this ServerRoot and vanish with it; SysV semaphores would leak when a run is killed.
Mutex "file:${directories.run}" default
ErrorLog "${input.errorLog}"
LogLevel warn

${modules.map((name) => `LoadModule ${name}_module "${path.join(modulesDirectory, `mod_${name}.so`)}"`).join('\n')}

${input.serverAccount ? `User #${input.serverAccount.uid}\nGroup #${input.serverAccount.gid}` : '# Not root: Apache keeps running as the current user.'}

# Two servers may run at once on a two-core machine: keep each small.
StartServers 1
ServerLimit 2
ThreadsPerChild 16
MaxRequestWorkers 32
MinSpareThreads 1
MaxSpareThreads 32

Timeout 60
KeepAlive On
MaxKeepAliveRequests ${input.maxKeepAliveRequests}
KeepAliveTimeout 5
# 0 is unlimited; since 2.4.54 the default is 1 GiB, and large files are single PUTs.
LimitRequestBody 0
TypesConfig "${mimeTypesFile}"

# Tab-separated because paths may contain spaces; Apache escapes tabs inside values.
LogFormat "%m\\t%U\\t%>s\\t%B" terasync
CustomLog "${input.accessLogFile}" terasync

${
  input.https
    ? `SSLEngine on
SSLCertificateFile "${input.tls.serverCertificateFile}"
SSLCertificateKeyFile "${input.tls.serverKeyFile}"
SSLProtocol -all +TLSv1.2 +TLSv1.3
SSLSessionCache "shmcb:${directories.run}/ssl_scache(512000)"`
    : '# Plain HTTP on request (https: false).'
}

${
  input.deflate
    ? `# Debian's stock mods-available/deflate.conf, enabled by default there.
AddOutputFilterByType DEFLATE text/html text/plain text/xml text/css text/javascript
AddOutputFilterByType DEFLATE application/x-javascript application/javascript application/ecmascript
AddOutputFilterByType DEFLATE application/rss+xml
AddOutputFilterByType DEFLATE application/wasm
AddOutputFilterByType DEFLATE application/xml`
    : '# mod_deflate off on request (deflate: false).'
}

DavLockDB "${directories.run}/DavLock"
# The service refuses PROPFIND Depth: infinity with 403.
DavDepthInfinity Off

DocumentRoot "${directories.documents}"
<Directory />
  Options None
  AllowOverride None
  Require all denied
</Directory>

Alias /dav "${directories.data}"
Alias /backup "${directories.backup}"
${davArea(directories.data)}
${davArea(directories.backup)}
`;
}

interface Certificates {
  caFile: string;
  serverCertificateFile: string;
  serverKeyFile: string;
}

async function makeCertificates(directory: string): Promise<Certificates> {
  const opensslConfig = path.join(directory, 'openssl.cnf');
  // Our own config, so the extensions do not depend on the machine's /etc/ssl/openssl.cnf.
  await writeFile(
    opensslConfig,
    `[req]
distinguished_name = name
prompt = no
[name]
CN = TeraSync test
[certificateAuthority]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, DNS:localhost
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
`,
  );
  const caKey = path.join(directory, 'ca.key');
  const caFile = path.join(directory, 'ca.pem');
  const serverKeyFile = path.join(directory, 'server.key');
  const serverRequest = path.join(directory, 'server.csr');
  const serverCertificateFile = path.join(directory, 'server.pem');
  // EC keys: generating RSA keys would cost most of the startup time.
  const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await openssl(['req', '-config', opensslConfig, '-x509', ...newKey, '-keyout', caKey, '-out', caFile, '-days', '7', '-subj', '/CN=TeraSync throwaway test CA', '-extensions', 'certificateAuthority']);
  await openssl(['req', '-config', opensslConfig, '-new', ...newKey, '-keyout', serverKeyFile, '-out', serverRequest, '-subj', '/CN=127.0.0.1']);
  await openssl([
    'x509', '-req', '-in', serverRequest, '-CA', caFile, '-CAkey', caKey,
    '-set_serial', `0x${randomBytes(16).toString('hex')}`, '-days', '7',
    '-extfile', opensslConfig, '-extensions', 'server', '-out', serverCertificateFile,
  ]);
  await chmod(caFile, 0o644);
  return { caFile, serverCertificateFile, serverKeyFile };
}

async function hashPassword(password: string): Promise<string> {
  // apr1 (Apache's MD5) from openssl, so apache2-utils' htpasswd is not needed.
  const { stdout } = await openssl(['passwd', '-apr1', '-stdin'], `${password}\n`);
  return stdout.trim();
}

async function openssl(args: string[], input?: string): Promise<{ stdout: string }> {
  const child = execFileAsync('openssl', args, { encoding: 'utf8' });
  if (input !== undefined) {
    child.child.stdin?.end(input);
  }
  try {
    const { stdout } = await child;
    return { stdout };
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`openssl ${args.join(' ')} failed: ${stderr || String(error)}`);
  }
}

type LaunchResult = { kind: 'running'; child: ChildProcess } | { kind: 'addressInUse'; output: string };

async function launch(configFile: string, port: number, pidFile: string, errorLog: string): Promise<LaunchResult> {
  // Its own process group, so stop() can end the parent and every child it forked at once.
  const child = spawn(apacheBinary, ['-f', configFile, '-DFOREGROUND'], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer): void => {
    if (output.length < 64_000) {
      output += chunk.toString('utf8');
    }
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  child.on('exit', (code, signal) => {
    exit = { code, signal };
  });
  const spawned = await new Promise<Error | undefined>((resolve) => {
    child.once('spawn', () => resolve(undefined));
    child.once('error', resolve);
  });
  if (spawned) {
    throw new Error(`could not run ${apacheBinary}: ${spawned.message}`);
  }
  const processGroup = child.pid!;
  liveProcessGroups.add(processGroup);
  installExitHook();

  const deadline = Date.now() + startupTimeoutMilliseconds;
  for (;;) {
    if (exit) {
      liveProcessGroups.delete(processGroup);
      const everything = `${output}${await readIfExists(errorLog)}`;
      if (/Address already in use|could not bind to address/.test(everything)) {
        return { kind: 'addressInUse', output: everything };
      }
      throw new Error(`apache2 exited during startup (code ${exit.code}, signal ${exit.signal}) with config ${configFile}:\n${everything}`);
    }
    // The pid file is written after the listener is bound, so a connect that follows it
    // reaches this Apache and not some other process that holds the port.
    if ((await readIfExists(pidFile)).trim() === String(child.pid) && (await canConnect(port))) {
      return { kind: 'running', child };
    }
    if (Date.now() > deadline) {
      await stopProcessGroup(child);
      throw new Error(`apache2 did not answer on 127.0.0.1:${port} within ${startupTimeoutMilliseconds} ms; error log:\n${output}${await readIfExists(errorLog)}`);
    }
    await delay(20);
  }
}

async function stopProcessGroup(child: ChildProcess): Promise<void> {
  const processGroup = child.pid;
  if (processGroup === undefined) {
    return;
  }
  const exited = child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise<void>((resolve) => child.once('exit', () => resolve()));
  signalGroup(processGroup, 'SIGTERM');
  const stopped = await Promise.race([exited.then(() => true), delay(stopTimeoutMilliseconds).then(() => false)]);
  if (!stopped) {
    signalGroup(processGroup, 'SIGKILL');
    await exited;
  }
  // The parent reaps its children before it exits on SIGTERM; this catches stragglers.
  const deadline = Date.now() + 2_000;
  while (signalGroup(processGroup, 0) && Date.now() < deadline) {
    await delay(20);
  }
  signalGroup(processGroup, 'SIGKILL');
  liveProcessGroups.delete(processGroup);
}

/** Returns whether the group still existed. */
function signalGroup(processGroup: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-processGroup, signal);
    return true;
  } catch {
    return false;
  }
}

// A test run that crashes or forgets stop() must not leave Apaches behind.
const liveProcessGroups = new Set<number>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) {
    return;
  }
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const processGroup of liveProcessGroups) {
      signalGroup(processGroup, 'SIGKILL');
    }
  });
}

async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') {
          resolve(address.port);
        } else {
          reject(new Error('could not read the probe port'));
        }
      });
    });
  });
}

async function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.setTimeout(1_000);
    const finish = (result: boolean): void => {
      socket.destroy();
      resolve(result);
    };
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
    socket.once('timeout', () => finish(false));
  });
}

async function readIfExists(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    return '';
  }
}

async function readAccessLog(file: string, until: ((lines: AccessLogLine[]) => boolean) | undefined): Promise<AccessLogLine[]> {
  const deadline = Date.now() + 5_000;
  let previous = await readIfExists(file);
  for (;;) {
    if (until) {
      const lines = parseAccessLog(previous);
      if (until(lines)) {
        return lines;
      }
      if (Date.now() > deadline) {
        throw new Error(`the access log never matched the expectation; it holds:\n${previous}`);
      }
    }
    await delay(30);
    const current = await readIfExists(file);
    if (!until && (current === previous || Date.now() > deadline)) {
      return parseAccessLog(current);
    }
    previous = current;
  }
}

export function parseAccessLog(text: string): AccessLogLine[] {
  return text
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => {
      const [method, escapedPath, status, bytes] = line.split('\t');
      if (method === undefined || escapedPath === undefined || status === undefined || bytes === undefined) {
        throw new Error(`unexpected access log line: ${JSON.stringify(line)}`);
      }
      return { method, path: unescapeLogItem(escapedPath), status: Number(status), bytes: Number(bytes) };
    });
}

/**
 * Undoes Apache's ap_escape_logitem: `\"`, `\\`, `\t` and friends, and `\xhh` for every
 * byte that is not printable ASCII, which includes each byte of a UTF-8 character.
 */
function unescapeLogItem(escaped: string): string {
  const bytes: number[] = [];
  const named: Record<string, number> = { b: 0x08, n: 0x0a, r: 0x0d, t: 0x09, v: 0x0b, '"': 0x22, '\\': 0x5c };
  for (let index = 0; index < escaped.length; index += 1) {
    const character = escaped[index]!;
    if (character === '\\') {
      const next = escaped[index + 1];
      if (next === 'x' && /^[0-9a-fA-F]{2}$/.test(escaped.slice(index + 2, index + 4))) {
        bytes.push(Number.parseInt(escaped.slice(index + 2, index + 4), 16));
        index += 3;
        continue;
      }
      if (next !== undefined && named[next] !== undefined) {
        bytes.push(named[next]);
        index += 1;
        continue;
      }
    }
    bytes.push(...Buffer.from(character, 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

async function chownTree(directory: string, account: Account): Promise<void> {
  await lchown(directory, account.uid, account.gid);
  for (const entry of await readdir(directory, { recursive: true })) {
    await lchown(path.join(directory, entry), account.uid, account.gid);
  }
}

/** Apache refuses to serve as root: pick the unprivileged account it switches to. */
function serverAccountWhenRoot(): Account | undefined {
  if (process.getuid?.() !== 0) {
    return undefined;
  }
  const passwd = readFileSync('/etc/passwd', 'utf8');
  for (const name of ['www-data', 'nobody']) {
    const entry = passwd.split('\n').find((line) => line.startsWith(`${name}:`));
    const fields = entry?.split(':');
    if (fields && fields[2] !== undefined && fields[3] !== undefined) {
      return { uid: Number(fields[2]), gid: Number(fields[3]) };
    }
  }
  throw new Error('running as root, but /etc/passwd has neither www-data nor nobody for Apache to switch to');
}

function findOnPath(command: string): string | undefined {
  for (const directory of (process.env['PATH'] ?? '').split(path.delimiter)) {
    if (directory === '') {
      continue;
    }
    const candidate = path.join(directory, command);
    try {
      accessSync(candidate, fsConstants.X_OK);
      return candidate;
    } catch {
      // Not in this directory; try the next.
    }
  }
  return undefined;
}

function onceOnly(action: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => {
    running ??= action();
    return running;
  };
}
