/**
 * Real TLS servers on loopback for the TLS policy tests (test/integration/net/tls.test.ts), and
 * the throwaway certificates they present, made with the openssl command the way
 * test/support/apache.ts makes its CA (EC P-256 keys, our own openssl config so the extensions
 * do not depend on the machine's /etc/ssl/openssl.cnf).
 *
 * Every server answers like a tiny TeraCLOUD (a WebDAV root at /dav/, the REST user call,
 * OAuth2 metadata) and records what reached it: TCP connections, completed handshakes with
 * their protocol, failed handshakes with OpenSSL's reason, and HTTP requests. A test can so
 * tell "refused during the handshake" from "refused after the request was sent".
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect, type SecureVersion, type TLSSocket } from 'node:tls';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** Whether the openssl command runs here (for requireSystemTool). */
export function opensslAvailable(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export interface KeyPair {
  /** PEM private key. */
  key: string;
  /** PEM certificate. */
  cert: string;
}

export interface TestCertificates {
  /** PEM of the throwaway CA that signed `server`, `wrongHost` and `expired`. */
  ca: string;
  /** PEM of a second throwaway CA that signed none of the server certificates. */
  otherCa: string;
  /** For IP 127.0.0.1 and localhost, signed by `ca`, valid for a week from now. */
  server: KeyPair;
  /** Self-signed, for IP 127.0.0.1: its own certificate is the only CA that trusts it. */
  selfSigned: KeyPair;
  /** For `example.invalid` only (CN and SAN), signed by `ca`. */
  wrongHost: KeyPair;
  /** For IP 127.0.0.1 and localhost, signed by `ca`, valid only in January 2020. */
  expired: KeyPair;
}

const OPENSSL_CONFIG = `[req]
distinguished_name = name
prompt = no
[name]
CN = TeraSync TLS test
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
[wrongHost]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:example.invalid
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[selfSigned]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1
subjectKeyIdentifier = hash
# \`openssl ca\` (the only 3.0 command that takes explicit validity dates) for the expired one.
[ca]
default_ca = pastCa
[pastCa]
database = ./index.txt
new_certs_dir = ./issued
rand_serial = yes
default_md = sha256
policy = anyName
unique_subject = no
copy_extensions = none
x509_extensions = server
[anyName]
commonName = supplied
`;

/** EC keys: RSA key generation would cost most of the setup time. */
const NEW_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

async function openssl(args: string[], cwd: string): Promise<void> {
  try {
    await execFileAsync('openssl', args, { cwd, encoding: 'utf8' });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`openssl ${args.join(' ')} failed: ${stderr || String(error)}`);
  }
}

/** Makes every certificate of TestCertificates in a temporary folder, reads them, removes it. */
export async function makeTestCertificates(): Promise<TestCertificates> {
  const directory = await mkdtemp(join(tmpdir(), 'terasync-tls-policy-'));
  try {
    const config = join(directory, 'openssl.cnf');
    await writeFile(config, OPENSSL_CONFIG);
    await writeFile(join(directory, 'index.txt'), '');
    await mkdir(join(directory, 'issued'));
    const run = (args: string[]): Promise<void> => openssl(args, directory);
    const serial = (): string => `0x${Date.now().toString(16)}${Math.floor(Math.random() * 0xffffff).toString(16)}`;
    const makeCa = (name: string, subject: string): Promise<void> =>
      run(['req', '-config', config, '-x509', ...NEW_KEY, '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '7', '-subj', subject, '-extensions', 'certificateAuthority']);
    const makeRequest = (name: string, subject: string): Promise<void> =>
      run(['req', '-config', config, '-new', ...NEW_KEY, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject]);
    const sign = (name: string, extensions: string): Promise<void> =>
      run(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-set_serial', serial(), '-days', '7', '-extfile', config, '-extensions', extensions, '-out', `${name}.pem`]);

    await makeCa('ca', '/CN=TeraSync TLS test CA');
    await makeCa('other-ca', '/CN=TeraSync TLS test other CA');
    await makeRequest('server', '/CN=127.0.0.1');
    await sign('server', 'server');
    await makeRequest('wrong-host', '/CN=example.invalid');
    await sign('wrong-host', 'wrongHost');
    await makeRequest('expired', '/CN=127.0.0.1');
    await run([
      'ca', '-batch', '-config', config, '-name', 'pastCa', '-cert', 'ca.pem', '-keyfile', 'ca.key', '-in', 'expired.csr', '-out', 'expired.pem',
      '-startdate', '20200101000000Z', '-enddate', '20200201000000Z', '-notext',
    ]);
    await run(['req', '-config', config, '-x509', ...NEW_KEY, '-keyout', 'self-signed.key', '-out', 'self-signed.pem', '-days', '7', '-subj', '/CN=127.0.0.1', '-extensions', 'selfSigned']);

    const text = (name: string): Promise<string> => readFile(join(directory, name), 'utf8');
    const pair = async (name: string): Promise<KeyPair> => ({ key: await text(`${name}.key`), cert: await text(`${name}.pem`) });
    return {
      ca: await text('ca.pem'),
      otherCa: await text('other-ca.pem'),
      server: await pair('server'),
      selfSigned: await pair('self-signed'),
      wrongHost: await pair('wrong-host'),
      expired: await pair('expired'),
    };
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

export interface ServedRequest {
  method: string;
  path: string;
  /** Whether it carried an Authorization header (its value is not kept). */
  authorization: boolean;
}

export interface TestServer {
  /** `https://127.0.0.1:PORT` or `http://127.0.0.1:PORT`, no trailing slash. */
  origin: string;
  port: number;
  /** TCP connections accepted, whatever came of them. */
  connections: number;
  /** Protocol of every completed TLS handshake ('TLSv1.2', 'TLSv1.3', ...). */
  protocols: string[];
  /** TLS handshakes that failed on the server's side, with OpenSSL's reason. */
  handshakeFailures: Error[];
  /** Every HTTP request that reached the server. */
  requests: ServedRequest[];
  stop(): Promise<void>;
}

export interface TestServerOptions {
  /** Answer every request with 307 to this URL instead of serving. */
  redirectTo?: string;
}

export interface TlsServerOptions extends KeyPair, TestServerOptions {
  minVersion?: SecureVersion;
  maxVersion?: SecureVersion;
  /** OpenSSL cipher string; `DEFAULT@SECLEVEL=0` lets OpenSSL 3 offer TLS 1.0 / 1.1. */
  ciphers?: string;
}

const MULTISTATUS_ROOT =
  '<?xml version="1.0" encoding="utf-8"?>\n' +
  '<D:multistatus xmlns:D="DAV:"><D:response><D:href>/dav/</D:href><D:propstat><D:prop>' +
  '<D:resourcetype><D:collection/></D:resourcetype><D:getlastmodified>Mon, 02 Jun 2025 10:00:00 GMT</D:getlastmodified>' +
  '</D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response></D:multistatus>\n';

function json(response: ServerResponse, value: unknown): void {
  response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(value));
}

/** A few TeraCLOUD answers: enough for stat(''), getUser, OAuth2 discovery and a plain GET. */
function serve(origin: string, request: IncomingMessage, response: ServerResponse): void {
  const path = (request.url ?? '/').split(/[;?]/)[0];
  if (request.method === 'PROPFIND' && path === '/dav/') {
    response.writeHead(207, { 'Content-Type': 'application/xml; charset=utf-8' }).end(MULTISTATUS_ROOT);
  } else if (request.method === 'GET' && (path === '/v2/api/ba/user' || path === '/v2/api/user')) {
    json(response, { result: 0, user: 'demo', node: 'seto', webdav_url: `${origin}/dav/`, capacity: 20 });
  } else if (request.method === 'GET' && path === '/.well-known/oauth-authorization-server') {
    json(response, {
      issuer: origin,
      authorization_endpoint: `${origin}/authorize`,
      token_endpoint: `${origin}/token`,
      code_challenge_methods_supported: ['S256'],
    });
  } else if (request.method === 'GET' && path === '/hello') {
    response.writeHead(200, { 'Content-Type': 'text/plain' }).end('hello');
  } else {
    response.writeHead(404).end();
  }
}

async function listen(
  server: HttpServer,
  scheme: 'http' | 'https',
  options: TestServerOptions,
  tls: { protocols: string[]; handshakeFailures: Error[] },
): Promise<TestServer> {
  const sockets = new Set<Socket>();
  const requests: ServedRequest[] = [];
  const state = { connections: 0 };
  server.on('connection', (socket: Socket) => {
    state.connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const origin = `${scheme}://127.0.0.1:${port}`;
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    requests.push({ method: request.method ?? '', path: request.url ?? '', authorization: request.headers.authorization !== undefined });
    request.resume();
    if (options.redirectTo !== undefined) response.writeHead(307, { Location: options.redirectTo }).end();
    else serve(origin, request, response);
  });
  return {
    origin,
    port,
    get connections() {
      return state.connections;
    },
    protocols: tls.protocols,
    handshakeFailures: tls.handshakeFailures,
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive sockets of the clients (https.globalAgent keeps them 5 s) would hold close().
        for (const socket of sockets) socket.destroy();
      }),
  };
}

/** An HTTPS server on 127.0.0.1 with the given certificate and protocol range. */
export function startTlsServer(options: TlsServerOptions): Promise<TestServer> {
  const tls = { protocols: [] as string[], handshakeFailures: [] as Error[] };
  const server = createHttpsServer({
    key: options.key,
    cert: options.cert,
    ...(options.minVersion === undefined ? {} : { minVersion: options.minVersion }),
    ...(options.maxVersion === undefined ? {} : { maxVersion: options.maxVersion }),
    ...(options.ciphers === undefined ? {} : { ciphers: options.ciphers }),
  });
  server.on('secureConnection', (socket: TLSSocket) => {
    tls.protocols.push(socket.getProtocol() ?? 'unknown');
  });
  server.on('tlsClientError', (error: Error, socket: TLSSocket) => {
    tls.handshakeFailures.push(error);
    socket.destroy();
  });
  return listen(server, 'https', options, tls);
}

/** A plain HTTP server on 127.0.0.1. */
export function startPlainServer(options: TestServerOptions = {}): Promise<TestServer> {
  return listen(createHttpServer(), 'http', options, { protocols: [], handshakeFailures: [] });
}

/**
 * Handshakes with `port` as a TLS 1.0 / 1.1 client (at OpenSSL security level 0) and hangs up
 * without sending a request: the protocol the server agreed to. It proves a legacy server does
 * speak the old protocols, so that a modern client's failure against it is about the version.
 */
export function legacyHandshake(port: number, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, ca, minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' }, () => {
      const protocol = socket.getProtocol() ?? 'unknown';
      socket.end();
      resolve(protocol);
    });
    socket.on('error', reject);
  });
}
