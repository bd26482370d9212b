/**
 * Which proxy a request goes through, and the agent that takes it there. One place for both
 * HTTP stacks (the WebDAV store and `httpRequest` for the REST and OAuth2 endpoints).
 *
 * A `ProxySetting` says where the answer comes from:
 * - `none`: every request goes straight to its server;
 * - `manual`: one proxy for everything, `http://[user:pass@]host:port`, `https://...`,
 *   `socks5://...` (the client resolves the server's name), `socks5h://...` (the proxy does),
 *   `socks4://`, `socks4a://`; `user` / `password` given beside it win over the URL's;
 * - `env`: the conventions of curl (and npm, rclone): `https_proxy` / `HTTPS_PROXY` for https
 *   targets, `http_proxy` for http targets (only lower case, as curl: `HTTP_PROXY` can be set
 *   by a CGI request header), `all_proxy` / `ALL_PROXY` for both when those are unset, and
 *   `no_proxy` / `NO_PROXY` to go direct (lower case wins when both are set);
 * - `system`: a resolver answering like a PAC file or Electron's `session.resolveProxy`
 *   (`"PROXY host:port; SOCKS5 host:port; DIRECT"`); the entries are tried in order, as browsers
 *   do: a proxy that cannot be connected to is passed over for the next entry (see
 *   `firstReachable`), and DIRECT ends the list;
 * - `follow`: whatever `current()` gives at each new connection, so that a client built once
 *   (a pair's WebDAV store) follows a setting that changes while it runs (the app's settings).
 *
 * TLS to the server stays end to end: the proxy only carries a tunnel (HTTP CONNECT, or a
 * SOCKS connection), every target (http: loopback test servers too) goes through a tunnel, and
 * the server's certificate is checked inside it with the same options as without a proxy.
 * The tunnels are made by https-proxy-agent and socks-proxy-agent.
 *
 * Failures of the proxy itself become `ProxyError`s whose code says what went wrong
 * (`PROXY_ERROR_CODES`); `proxyFailureError` turns them into the coded TeraSyncError a user
 * reads: unreachable is Network (retried, offline like a dropped connection), 407 is
 * ProxyAuth, a refused CONNECT is Configuration, a proxy's 5xx is Network.
 */
import { Agent as HttpAgent, type ClientRequest, type AgentOptions as HttpAgentOptions } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { connect as netConnect, isIP } from 'node:net';
import type { Socket } from 'node:net';
import { Agent as AgentBase, type AgentConnectOpts } from 'agent-base';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { SocksProxyAgent } from 'socks-proxy-agent';
import { ErrorCode, TeraSyncError } from '../../shared/errors.js';
import { systemClock, type WallClock } from '../core/time.js';

export type ProxyProtocol = 'http' | 'https' | 'socks4' | 'socks4a' | 'socks5' | 'socks5h';

/** One proxy server. */
export interface ProxyServer {
  protocol: ProxyProtocol;
  /** Host name or IP address (IPv6 without brackets). */
  host: string;
  port: number;
  username?: string;
  password?: string;
}

/** Answers like Electron's `session.resolveProxy(url)`: `"PROXY h:p; SOCKS5 h:p; DIRECT"`. */
export type SystemProxyResolver = (url: string) => Promise<string>;

export interface ProxyCredentials {
  username?: string;
  password?: string;
}

export type ProxySetting =
  | { mode: 'none' }
  | ({ mode: 'manual'; url: string } & ProxyCredentials)
  | { mode: 'env'; env: Readonly<Record<string, string | undefined>> }
  | ({ mode: 'system'; resolve: SystemProxyResolver } & ProxyCredentials)
  | { mode: 'follow'; current: () => ProxySetting };

export const NO_PROXY_SETTING: ProxySetting = { mode: 'none' };

export const PROXY_ERROR_CODES = {
  /** The proxy could not be connected to (refused, unknown host, reset, timed out). */
  unreachable: 'ERR_TERASYNC_PROXY_UNREACHABLE',
  /** 407 to a CONNECT without credentials. */
  authRequired: 'ERR_TERASYNC_PROXY_AUTH_REQUIRED',
  /** 407 to a CONNECT with credentials, or a SOCKS5 server refusing user and password. */
  authRefused: 'ERR_TERASYNC_PROXY_AUTH_REFUSED',
  /** The proxy would not open a tunnel to that host (403 and other 4xx, SOCKS "not allowed"). */
  refused: 'ERR_TERASYNC_PROXY_REFUSED',
  /** The proxy could not reach the server (502, 503, 504, SOCKS host unreachable). */
  upstream: 'ERR_TERASYNC_PROXY_UPSTREAM',
  /** The system resolver (a PAC script) failed or answered something unreadable. */
  resolve: 'ERR_TERASYNC_PROXY_RESOLVE',
} as const;

export type ProxyErrorCode = (typeof PROXY_ERROR_CODES)[keyof typeof PROXY_ERROR_CODES];

const PROXY_CODES: ReadonlySet<string> = new Set(Object.values(PROXY_ERROR_CODES));

/** A failure of the proxy (not of the server behind it); `message` says what to do. */
export class ProxyError extends Error {
  override readonly name = 'ProxyError';
  constructor(
    readonly code: ProxyErrorCode,
    message: string,
    options: { cause?: unknown; status?: number } = {},
  ) {
    super(message, { cause: options.cause });
    this.status = options.status;
  }
  readonly status: number | undefined;
}

export function isProxyErrorCode(code: string | undefined): code is ProxyErrorCode {
  return code !== undefined && PROXY_CODES.has(code);
}

// ---- parsing ---------------------------------------------------------------------------------

const DEFAULT_PORTS: Record<ProxyProtocol, number> = { http: 1080, https: 443, socks4: 1080, socks4a: 1080, socks5: 1080, socks5h: 1080 };

function configuration(message: string): TeraSyncError {
  return new TeraSyncError(ErrorCode.Configuration, message);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * A proxy URL as curl reads it: `[scheme://][user:pass@]host[:port]`; no scheme is http, no
 * port is 1080 (443 for https). Throws Configuration, without the password, when it is not one.
 */
export function parseProxyUrl(text: string, what = 'The proxy address'): ProxyServer {
  const trimmed = text.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `http://${trimmed}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw configuration(`${what} "${redactProxyUrlText(trimmed)}" is not a proxy URL: use http://host:port, https://host:port or socks5://host:port.`);
  }
  const scheme = url.protocol.slice(0, -1).toLowerCase();
  const protocol = (scheme === 'socks' ? 'socks5' : scheme) as ProxyProtocol;
  if (!(protocol in DEFAULT_PORTS)) {
    throw configuration(`${what} uses ${url.protocol}, which TeraSync cannot use: use http://, https://, socks5:// or socks5h://.`);
  }
  if (url.hostname === '') throw configuration(`${what} "${redactProxyUrlText(trimmed)}" names no host.`);
  if ((url.pathname !== '' && url.pathname !== '/') || url.search !== '' || url.hash !== '') {
    throw configuration(`${what} must be only scheme://host:port (got a path or a query).`);
  }
  const server: ProxyServer = {
    protocol,
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port === '' ? DEFAULT_PORTS[protocol] : Number(url.port),
  };
  if (url.username !== '') server.username = safeDecode(url.username);
  if (url.password !== '') server.password = safeDecode(url.password);
  return server;
}

/** `scheme://user:pass@` with the password hidden, for messages about text the user typed. */
function redactProxyUrlText(text: string): string {
  return text.replace(/^((?:[a-z][a-z0-9+.-]*:\/\/)?[^\s/@:]*):[^\s/]*@/i, '$1:***@');
}

/** `http://user@host:port`: the proxy without its password, for messages, logs and whoami. */
export function describeProxy(server: ProxyServer | null): string {
  if (server === null) return 'none (direct)';
  const host = isIP(server.host) === 6 ? `[${server.host}]` : server.host;
  const user = server.username === undefined ? '' : `${encodeURIComponent(server.username)}@`;
  return `${server.protocol}://${user}${host}:${server.port}`;
}

/** Entries of a PAC answer ("PROXY a:1; SOCKS5 b:2; DIRECT"); null for DIRECT. Throws ProxyError. */
export function parsePacAnswer(answer: string): Array<ProxyServer | null> {
  const entries = answer
    .split(';')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  if (entries.length === 0) return [null];
  return entries.map((entry) => {
    const [keyword = '', address = ''] = entry.split(/\s+/, 2);
    const kind = keyword.toUpperCase();
    if (kind === 'DIRECT') return null;
    const protocols: Record<string, ProxyProtocol> = {
      PROXY: 'http',
      HTTP: 'http',
      HTTPS: 'https',
      // Chromium speaks SOCKS v4 for "SOCKS", and lets a SOCKS5 proxy resolve names.
      SOCKS: 'socks4',
      SOCKS4: 'socks4',
      SOCKS5: 'socks5h',
    };
    const protocol = protocols[kind];
    const match = /^(\[[^\]]+\]|[^:\s]+):(\d{1,5})$/.exec(address);
    if (protocol === undefined || match === null) {
      throw new ProxyError(PROXY_ERROR_CODES.resolve, `The system proxy configuration (PAC) answered "${entry}", which TeraSync cannot use.`);
    }
    return { protocol, host: (match[1] ?? '').replace(/^\[(.*)\]$/, '$1'), port: Number(match[2]) };
  });
}

// ---- environment (curl's rules) --------------------------------------------------------------

function envValue(env: Readonly<Record<string, string | undefined>>, name: string, upperToo = true): string | undefined {
  const lower = env[name.toLowerCase()];
  if (lower !== undefined && lower.trim() !== '') return lower;
  if (!upperToo) return undefined;
  const upper = env[name.toUpperCase()];
  return upper !== undefined && upper.trim() !== '' ? upper : undefined;
}

function ipv4ToNumber(address: string): number | null {
  const parts = address.split('.');
  if (parts.length !== 4) return null;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return null;
    value = value * 256 + Number(part);
  }
  return value;
}

function ipv6ToBigInt(address: string): bigint | null {
  if (isIP(address) !== 6) return null;
  let text = address.toLowerCase();
  // An IPv4 tail (::ffff:1.2.3.4) becomes two groups.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const number = ipv4ToNumber(v4[1] ?? '');
    if (number === null) return null;
    text = text.slice(0, -(v4[1] ?? '').length) + `${(number >>> 16).toString(16)}:${(number & 0xffff).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const missing = 8 - headGroups.length - tailGroups.length;
  const groups = tail === undefined ? headGroups : [...headGroups, ...Array<string>(missing).fill('0'), ...tailGroups];
  if (groups.length !== 8) return null;
  return groups.reduce((value, group) => (value << 16n) + BigInt(Number.parseInt(group, 16)), 0n);
}

function inCidr(host: string, network: string, bits: number): boolean {
  const host4 = ipv4ToNumber(host);
  const network4 = ipv4ToNumber(network);
  if (host4 !== null && network4 !== null) {
    if (bits > 32) return false;
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    return ((host4 & mask) >>> 0) === ((network4 & mask) >>> 0);
  }
  const host6 = ipv6ToBigInt(host);
  const network6 = ipv6ToBigInt(network);
  if (host6 === null || network6 === null || bits > 128) return false;
  const shift = BigInt(128 - bits);
  return host6 >> shift === network6 >> shift;
}

/**
 * Whether `NO_PROXY` sends `hostname` direct, with curl's rules: entries separated by commas
 * (or spaces); `*` alone matches every host; a name matches itself and every name below it, a
 * leading dot ignored (`example.com` and `.example.com` both match `dav.example.com` and
 * `example.com`); an IP address matches itself, and `address/bits` a whole network (IPv4 and
 * IPv6); a `:port` after an entry limits it to that port. Case does not matter.
 */
export function noProxyMatches(hostname: string, port: number, noProxy: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
  for (const raw of noProxy.split(/[,\s]+/)) {
    let entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    if (entry === '*') return true;
    let entryPort: number | null = null;
    const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
    if (bracketed) {
      entry = bracketed[1] ?? '';
      entryPort = bracketed[2] === undefined ? null : Number(bracketed[2]);
    } else if (isIP(entry.split('/')[0] ?? '') !== 6) {
      const withPort = /^(.*):(\d+)$/.exec(entry);
      if (withPort) {
        entry = withPort[1] ?? '';
        entryPort = Number(withPort[2]);
      }
    }
    if (entryPort !== null && entryPort !== port) continue;
    const cidr = /^(.+)\/(\d{1,3})$/.exec(entry);
    if (cidr) {
      if (isIP(host) !== 0 && inCidr(host, cidr[1] ?? '', Number(cidr[2]))) return true;
      continue;
    }
    if (isIP(entry) !== 0) {
      if (isIP(host) !== 0 && (entry === host || ipv6ToBigInt(entry) === ipv6ToBigInt(host) && ipv6ToBigInt(host) !== null)) return true;
      continue;
    }
    const name = entry.replace(/^\*?\./, '').replace(/\.$/, '');
    if (name === '') continue;
    if (host === name || host.endsWith(`.${name}`)) return true;
  }
  return false;
}

function defaultPort(target: URL): number {
  if (target.port !== '') return Number(target.port);
  return target.protocol === 'https:' ? 443 : 80;
}

/** The proxy the environment names for `target`, or null to go direct. Throws Configuration. */
export function proxyFromEnvironment(target: URL, env: Readonly<Record<string, string | undefined>>): ProxyServer | null {
  const noProxy = envValue(env, 'no_proxy');
  if (noProxy !== undefined && noProxyMatches(target.hostname, defaultPort(target), noProxy)) return null;
  const specific = target.protocol === 'https:' ? envValue(env, 'https_proxy') : envValue(env, 'http_proxy', false);
  const chosen = specific ?? envValue(env, 'all_proxy');
  if (chosen === undefined) return null;
  const name =
    specific === undefined ? (env['all_proxy'] !== undefined ? 'all_proxy' : 'ALL_PROXY') : target.protocol === 'https:' ? (env['https_proxy'] !== undefined ? 'https_proxy' : 'HTTPS_PROXY') : 'http_proxy';
  return parseProxyUrl(chosen, `The proxy in ${name}`);
}

// ---- routing ---------------------------------------------------------------------------------

function withCredentials(server: ProxyServer, credentials: ProxyCredentials): ProxyServer {
  if (credentials.username === undefined || credentials.username === '') return server;
  const { username, password } = credentials;
  return { ...server, username, ...(password === undefined ? {} : { password }) };
}

/** Tells whether a proxy accepts connections (a TCP connection to its port). */
export type ProxyReachability = (server: ProxyServer) => Promise<boolean>;

/**
 * The entry of a PAC answer to use: the first proxy that `reachable` says can be connected to,
 * DIRECT as soon as it comes, and the last entry without asking (its own failure is then the
 * error the user reads). `[a, b, DIRECT]` with `a` down gives `b`; with both down, DIRECT.
 */
export async function firstReachable(candidates: readonly (ProxyServer | null)[], reachable: ProxyReachability): Promise<ProxyServer | null> {
  for (let index = 0; index < candidates.length; index++) {
    const candidate = candidates[index] ?? null;
    if (candidate === null || index === candidates.length - 1) return candidate;
    if (await reachable(candidate)) return candidate;
  }
  return null;
}

/** How long a proxy that could not be connected to is passed over before it is tried again. */
const UNREACHABLE_PROXY_PAUSE_MS = 60_000;
/** How long a connection attempt to a proxy may take before it counts as unreachable. */
const PROXY_PROBE_TIMEOUT_MS = 10_000;

/**
 * A `ProxyReachability` that opens (and closes at once) a TCP connection to the proxy, and
 * remembers for a minute a proxy that refused, so that each new connection does not wait for
 * a dead proxy again (browsers keep such a "bad proxy" list too).
 */
export function createProxyProbe(clock: WallClock = systemClock): ProxyReachability {
  const unreachableSince = new Map<string, number>();
  return async (server) => {
    const key = `${server.host}\u0000${server.port}`;
    const since = unreachableSince.get(key);
    if (since !== undefined && clock.now() - since < UNREACHABLE_PROXY_PAUSE_MS) return false;
    const reachable = await new Promise<boolean>((resolve) => {
      const socket = netConnect({ host: server.host, port: server.port });
      const done = (result: boolean): void => {
        socket.destroy();
        resolve(result);
      };
      socket.setTimeout(PROXY_PROBE_TIMEOUT_MS, () => done(false));
      socket.once('connect', () => done(true));
      socket.once('error', () => done(false));
    });
    if (reachable) unreachableSince.delete(key);
    else unreachableSince.set(key, clock.now());
    return reachable;
  };
}

/** Every proxy is taken as reachable: the first entry of a PAC answer. */
const firstEntry: ProxyReachability = async () => true;

/** The setting a `follow` setting stands for now (itself for the others). */
function settled(setting: ProxySetting): Exclude<ProxySetting, { mode: 'follow' }> {
  return setting.mode === 'follow' ? settled(setting.current()) : setting;
}

/** The proxy of a setting that needs no resolver, or null to go direct. */
function fixedProxy(target: URL, setting: Exclude<ProxySetting, { mode: 'follow' | 'system' }>): ProxyServer | null {
  switch (setting.mode) {
    case 'none':
      return null;
    case 'manual':
      return withCredentials(parseProxyUrl(setting.url), setting);
    case 'env':
      return proxyFromEnvironment(target, setting.env);
  }
}

/**
 * The proxy for `target` under `setting`, or null to go direct. For `system`, the PAC answer's
 * entries are tried with `reachable` (default: the first entry is taken). Throws
 * Configuration / ProxyError.
 */
export async function resolveProxy(target: URL, setting: ProxySetting, reachable: ProxyReachability = firstEntry): Promise<ProxyServer | null> {
  const current = settled(setting);
  if (current.mode !== 'system') return fixedProxy(target, current);
  let answer: string;
  try {
    answer = await current.resolve(target.href);
  } catch (error) {
    throw new ProxyError(
      PROXY_ERROR_CODES.resolve,
      `The system proxy configuration (PAC script) failed for ${target.origin}: check the proxy settings of this computer, or choose a proxy in TeraSync's settings.`,
      { cause: error },
    );
  }
  const candidates = parsePacAnswer(answer).map((server) => (server === null ? null : withCredentials(server, current)));
  return firstReachable(candidates, reachable);
}

/** A synchronous answer for settings that need no resolver (whoami, a store's first look); undefined for `system`. */
export function staticProxy(target: URL, setting: ProxySetting): ProxyServer | null | undefined {
  const current = settled(setting);
  return current.mode === 'system' ? undefined : fixedProxy(target, current);
}

/** The proxy's password, for a redactor (`SecretRedactor.add`); undefined when there is none. */
export function proxyPassword(setting: ProxySetting): string | undefined {
  if (setting.mode === 'follow') return proxyPassword(setting.current());
  if (setting.mode === 'system' || setting.mode === 'manual') {
    if (setting.password !== undefined && setting.password !== '') return setting.password;
  }
  if (setting.mode === 'manual') return parseProxyUrl(setting.url).password;
  if (setting.mode === 'env') {
    for (const name of ['https_proxy', 'HTTPS_PROXY', 'http_proxy', 'HTTP_PROXY', 'all_proxy', 'ALL_PROXY']) {
      const value = setting.env[name];
      if (value === undefined || value.trim() === '') continue;
      try {
        const password = parseProxyUrl(value).password;
        if (password !== undefined) return password;
      } catch {
        // An unreadable variable fails where it is used, with its own message.
      }
    }
  }
  return undefined;
}

// ---- the agent -------------------------------------------------------------------------------

export interface ProxyAgentOptions {
  keepAlive: boolean;
  /** Sockets per server (and per proxy). */
  maxSockets?: number;
  /** TLS options for the server behind the tunnel (tls.ts). */
  tls?: Record<string, unknown>;
}

function routeKey(server: ProxyServer | null): string {
  return server === null ? 'direct' : `${describeProxy(server)}\u0000${server.password ?? ''}`;
}

function proxyUrl(server: ProxyServer): string {
  const host = isIP(server.host) === 6 ? `[${server.host}]` : server.host;
  const auth =
    server.username === undefined ? '' : `${encodeURIComponent(server.username)}${server.password === undefined ? '' : `:${encodeURIComponent(server.password)}`}@`;
  return `${server.protocol}://${auth}${host}:${server.port}`;
}

function targetName(opts: AgentConnectOpts): string {
  const host = opts.host ?? 'the server';
  return `${isIP(host) === 6 ? `[${host}]` : host}:${opts.port}`;
}

const UNREACHABLE_ADVICE = 'Check that the proxy is running and its address is right (--proxy, HTTPS_PROXY / ALL_PROXY, or the Proxy card in Settings). TeraSync tries again by itself.';

function unreachable(server: ProxyServer, error: unknown): ProxyError {
  const code = (error as { code?: unknown } | null)?.code;
  const reason = typeof code === 'string' ? code : error instanceof Error ? error.message : String(error);
  return new ProxyError(PROXY_ERROR_CODES.unreachable, `Could not reach the proxy ${describeProxy(server)} (${reason}). ${UNREACHABLE_ADVICE}`, {
    cause: error,
  });
}

function authFailure(server: ProxyServer, status: number | undefined): ProxyError {
  const code = server.username === undefined ? PROXY_ERROR_CODES.authRequired : PROXY_ERROR_CODES.authRefused;
  const what = status === undefined ? '' : ` (${status})`;
  const message =
    server.username === undefined
      ? `The proxy ${describeProxy(server)} wants a user name and password${what}: give them in the proxy URL (http://user:password@host:port, --proxy or HTTPS_PROXY), or in the Proxy card in Settings. This is the proxy's sign-in, not TeraCLOUD's.`
      : `The proxy ${describeProxy(server)} refused the proxy user name or password${what}: check them (in the proxy URL, or in the Proxy card in Settings). This is the proxy's sign-in, not TeraCLOUD's Apps password.`;
  return new ProxyError(code, message, { ...(status === undefined ? {} : { status }) });
}

function refusedTunnel(server: ProxyServer, target: string, status: number, statusText: string): ProxyError {
  if (status >= 500) {
    return new ProxyError(
      PROXY_ERROR_CODES.upstream,
      `The proxy ${describeProxy(server)} could not reach ${target} (${status}${statusText ? ` ${statusText}` : ''}). TeraSync tries again by itself; if it keeps happening, check the address with the proxy's administrator.`,
      { status },
    );
  }
  return new ProxyError(
    PROXY_ERROR_CODES.refused,
    `The proxy ${describeProxy(server)} refused to open a connection to ${target} (${status}${statusText ? ` ${statusText}` : ''}). Ask the proxy's administrator to allow it, or go direct for that host (NO_PROXY, or another proxy setting).`,
    { status },
  );
}

/**
 * Awaits `attempt`; what it fails with, turned into a ProxyError by `toProxyError` where it can
 * be (default: as it is), is told to `onFailure` when it is one, then thrown on.
 */
async function reportProxyFailure<T>(
  attempt: () => Promise<T>,
  onFailure: (error: ProxyError) => void,
  toProxyError: (error: unknown) => unknown = (error) => error,
): Promise<T> {
  try {
    return await attempt();
  } catch (error) {
    const failure = toProxyError(error);
    if (failure instanceof ProxyError) onFailure(failure);
    throw failure;
  }
}

/** What a tunnel agent is made of: its proxy, its pool's options, and who hears of its failures. */
interface TunnelRoute {
  server: ProxyServer;
  options: HttpAgentOptions & Record<string, unknown>;
  onFailure: (error: ProxyError) => void;
}

/** CONNECT through an HTTP(S) proxy, with our own errors for a refused tunnel. */
class TunnelAgent extends HttpsProxyAgent<string> {
  constructor(private readonly route: TunnelRoute) {
    super(proxyUrl(route.server), route.options);
  }

  override connect(req: ClientRequest, opts: AgentConnectOpts): Promise<Socket> {
    return reportProxyFailure(() => this.tunnel(req, opts), this.route.onFailure);
  }

  private async tunnel(req: ClientRequest, opts: AgentConnectOpts): Promise<Socket> {
    let answer: { statusCode: number; statusText: string } | null = null;
    const onConnect = (connect: { statusCode: number; statusText: string }): void => {
      answer = connect;
    };
    req.once('proxyConnect', onConnect);
    let socket: Socket;
    try {
      socket = await super.connect(req, opts);
    } catch (error) {
      throw unreachable(this.route.server, error);
    } finally {
      req.off('proxyConnect', onConnect);
    }
    const connect = answer as { statusCode: number; statusText: string } | null;
    if (connect === null || connect.statusCode === 200) return socket;
    // The library would hand the proxy's answer to the request as if the server had sent it.
    socket.destroy();
    // 407 is the standard answer; some proxies (tinyproxy) answer a wrong password with 401.
    // Either way it comes from the proxy: the server never saw the request.
    if (connect.statusCode === 407 || connect.statusCode === 401) throw authFailure(this.route.server, connect.statusCode);
    throw refusedTunnel(this.route.server, targetName(opts), connect.statusCode, connect.statusText);
  }
}

/** A SOCKS tunnel, with our own errors for what the SOCKS server answered. */
class SocksTunnelAgent extends SocksProxyAgent {
  constructor(private readonly route: TunnelRoute) {
    super(proxyUrl(route.server), route.options);
  }

  override connect(req: ClientRequest, opts: AgentConnectOpts): Promise<Socket> {
    return reportProxyFailure(() => super.connect(req, opts), this.route.onFailure, (error) => this.failure(error, opts));
  }

  private failure(error: unknown, opts: AgentConnectOpts): ProxyError {
    {
      const message = error instanceof Error ? error.message : String(error);
      if (/authentication failed|auth.*(?:rejected|failed)|no acceptable auth/i.test(message)) return authFailure(this.route.server, undefined);
      if (/NotAllowed/i.test(message)) {
        return new ProxyError(
          PROXY_ERROR_CODES.refused,
          `The SOCKS proxy ${describeProxy(this.route.server)} does not allow a connection to ${targetName(opts)}. Ask the proxy's administrator to allow it, or go direct for that host (NO_PROXY).`,
          { cause: error },
        );
      }
      if (/rejected connection - (?:HostUnreachable|NetworkUnreachable|ConnectionRefused|TTLExpired|Failure)/i.test(message)) {
        return new ProxyError(
          PROXY_ERROR_CODES.upstream,
          `The SOCKS proxy ${describeProxy(this.route.server)} could not reach ${targetName(opts)} (${message.replace(/^.*rejected connection - /i, '')}). TeraSync tries again by itself.`,
          { cause: error },
        );
      }
      return unreachable(this.route.server, error);
    }
  }
}

/**
 * The agent for every request of one client: it asks `setting` for each new connection which
 * proxy (or none) to use and hands the request to a pooled agent per route, made with the same
 * keep-alive, socket limit and TLS options. The last proxy failure is kept for messages.
 */
export class ProxyRoutingAgent extends AgentBase {
  private readonly routes = new Map<string, HttpAgent>();
  /** The proxy of the last connection made (null: direct; undefined: none yet). */
  lastRoute: ProxyServer | null | undefined = undefined;
  private readonly failures = new Map<string, ProxyError>();
  /** Which entry of a PAC answer to use: the first proxy that can be connected to. */
  private readonly probe: ProxyReachability = createProxyProbe();

  constructor(
    readonly setting: ProxySetting,
    private readonly agentOptions: ProxyAgentOptions,
  ) {
    // No socket limit here: the sockets belong to the route's agent, which has the limit. A
    // limit here would queue requests that only this agent's own sockets could release.
    super({ keepAlive: agentOptions.keepAlive, ...agentOptions.tls });
  }

  override async connect(req: ClientRequest, opts: AgentConnectOpts): Promise<HttpAgent> {
    const target = new URL(`${opts.secureEndpoint ? 'https' : 'http'}://${isIP(opts.host ?? '') === 6 ? `[${opts.host}]` : opts.host}:${opts.port}/`);
    const server = await reportProxyFailure(() => resolveProxy(target, this.setting, this.probe), (error) => this.remember(error));
    this.lastRoute = server;
    const secure = opts.secureEndpoint === true;
    const key = server === null ? `direct:${secure}` : routeKey(server);
    let agent = this.routes.get(key);
    if (agent === undefined) {
      agent = this.createRoute(server, secure);
      this.routes.set(key, agent);
    }
    return agent;
  }

  private createRoute(server: ProxyServer | null, secure: boolean): HttpAgent {
    const base = {
      keepAlive: this.agentOptions.keepAlive,
      ...(this.agentOptions.maxSockets === undefined ? {} : { maxSockets: this.agentOptions.maxSockets }),
    };
    if (server === null) return secure ? new HttpsAgent({ ...base, ...this.agentOptions.tls }) : new HttpAgent(base);
    const route: TunnelRoute = { server, options: base, onFailure: (error) => this.remember(error) };
    return server.protocol === 'http' || server.protocol === 'https' ? new TunnelAgent(route) : new SocksTunnelAgent(route);
  }

  private remember(error: ProxyError): void {
    this.failures.set(error.code, error);
  }

  /**
   * The last failure with this code: an HTTP client that keeps only the code of what the agent
   * threw (node-fetch) gets the whole message back here.
   */
  failure(code: string | undefined): ProxyError | undefined {
    return code === undefined ? undefined : this.failures.get(code);
  }

  /** The proxy in use, without its password (the last connection's, or what the setting names). */
  describeRoute(): string | null {
    if (this.lastRoute === undefined) return null;
    return this.lastRoute === null ? null : describeProxy(this.lastRoute);
  }

  override destroy(): void {
    for (const agent of this.routes.values()) agent.destroy();
    this.routes.clear();
    super.destroy();
  }
}

// ---- errors for users ------------------------------------------------------------------------

/** The ProxyError along `error`'s cause chain, or (given the agent) the one its code names. */
export function findProxyError(error: unknown, agent?: { failure(code: string | undefined): ProxyError | undefined }): ProxyError | undefined {
  let current: unknown = error;
  let code: string | undefined;
  for (let depth = 0; depth < 6 && current !== null && typeof current === 'object'; depth += 1) {
    if (current instanceof ProxyError) return current;
    const own = (current as { code?: unknown }).code;
    if (code === undefined && typeof own === 'string') code = own;
    current = (current as { cause?: unknown }).cause;
  }
  return isProxyErrorCode(code) ? agent?.failure(code) : undefined;
}

/** The coded error for a proxy failure; `on` names the request ("PROPFIND the sync folder"). */
export function proxyFailureError(proxyError: ProxyError, on: string, cause: unknown = proxyError): TeraSyncError {
  const options = { cause, ...(proxyError.status === undefined ? {} : { status: proxyError.status }) };
  const message = `${proxyError.message} (${on})`;
  switch (proxyError.code) {
    case PROXY_ERROR_CODES.authRequired:
    case PROXY_ERROR_CODES.authRefused:
      return new TeraSyncError(ErrorCode.ProxyAuth, message, options);
    case PROXY_ERROR_CODES.unreachable:
    case PROXY_ERROR_CODES.upstream:
      return new TeraSyncError(ErrorCode.Network, message, options);
    case PROXY_ERROR_CODES.refused:
    case PROXY_ERROR_CODES.resolve:
      return new TeraSyncError(ErrorCode.Configuration, message, options);
  }
}

/** For TLS failures through a proxy: a TLS-inspecting proxy is the likely reason, and --ca the cure. */
export function tlsThroughProxyAdvice(proxy: string): string {
  return (
    ` The connection went through the proxy ${proxy}: a proxy that inspects TLS presents its own certificate, ` +
    'which TeraSync trusts only when given its CA: pass it with --ca <file.pem>, or in the app choose it under "Advanced" when you sign in.'
  );
}

// ---- the process's setting -------------------------------------------------------------------

let processSetting: ProxySetting = NO_PROXY_SETTING;

/**
 * The setting every client uses unless given its own: the command sets it from the environment
 * and --proxy, the app from its settings. Direct until set.
 */
export function setProcessProxy(setting: ProxySetting): void {
  processSetting = setting;
}

export function processProxy(): ProxySetting {
  return processSetting;
}
