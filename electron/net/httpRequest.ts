/**
 * One small HTTP(S) request with a buffered text answer, for the REST API and the OAuth2
 * endpoints (WebDAV has its own client in electron/webdav). HTTPS with TLS 1.2+ and the
 * private CA of `electron/net/tls.ts`; plain HTTP only to loopback (the emulator). Through the
 * process's proxy setting (electron/net/proxy.ts) unless given another. Failures become coded
 * errors: Network, Timeout, Tls, Cancelled, Configuration, ProxyAuth.
 */
import { request as httpRequestRaw, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequestRaw } from 'node:https';
import { ErrorCode, TeraSyncError } from '../../shared/errors.js';
import { failureCode, isTlsFailureCode } from './httpErrors.js';
import { httpsAgentFor, insecureUrlReason, tlsFailureAdvice, tlsOptions } from './tls.js';
import { findProxyError, processProxy, proxyFailureError, ProxyRoutingAgent, tlsThroughProxyAdvice, type ProxySetting } from './proxy.js';

export interface HttpRequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** PEM of a private CA, trusted in addition to the system roots. */
  ca?: string;
  /** Time to the answer's end. Default 30 s. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Answers longer than this fail with BadResponse. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Words for error messages, e.g. "the sign-in server". Default: the URL's origin. */
  what?: string;
  /** Which proxy to go through. Default: the process's setting (`setProcessProxy`). */
  proxy?: ProxySetting;
}

/** One routing agent per proxy setting and trust setting (see httpsAgentFor in tls.ts). */
const proxyAgents = new WeakMap<ProxySetting, Map<string, ProxyRoutingAgent>>();

function proxyAgentFor(setting: ProxySetting, ca: string | undefined): ProxyRoutingAgent {
  let byCa = proxyAgents.get(setting);
  if (byCa === undefined) {
    byCa = new Map();
    proxyAgents.set(setting, byCa);
  }
  const key = ca ?? '';
  let agent = byCa.get(key);
  if (agent === undefined) {
    agent = new ProxyRoutingAgent(setting, { keepAlive: false, tls: tlsOptions(ca) });
    byCa.set(key, agent);
  }
  return agent;
}

export interface HttpTextResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_BODY = 1024 * 1024;

export function httpRequest(target: string | URL, options: HttpRequestOptions = {}): Promise<HttpTextResponse> {
  const url = typeof target === 'string' ? new URL(target) : target;
  const what = options.what ?? url.origin;
  const insecure = insecureUrlReason(url);
  if (insecure !== null) return Promise.reject(new TeraSyncError(ErrorCode.Configuration, insecure));
  if (options.signal?.aborted) return Promise.reject(new TeraSyncError(ErrorCode.Cancelled, `The request to ${what} was cancelled.`));
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const headers: Record<string, string> = { 'User-Agent': 'TeraSync', ...options.headers };
  if (options.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(options.body));

  return new Promise<HttpTextResponse>((resolve, reject) => {
    let settled = false;
    let timedOut = false;
    const settle = (error: TeraSyncError | null, value?: HttpTextResponse): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      if (error) reject(error);
      else resolve(value as HttpTextResponse);
    };
    const proxy = options.proxy ?? processProxy();
    const proxyAgent = proxy.mode === 'none' ? undefined : proxyAgentFor(proxy, options.ca);
    const requestOptions = {
      method: options.method ?? 'GET',
      headers,
      ...(url.protocol === 'https:' ? { ...tlsOptions(options.ca), agent: proxyAgent ?? httpsAgentFor(options.ca) } : proxyAgent === undefined ? {} : { agent: proxyAgent }),
    };
    const request = (url.protocol === 'https:' ? httpsRequestRaw : httpRequestRaw)(url, requestOptions, (response) => {
      const chunks: Buffer[] = [];
      let length = 0;
      response.on('data', (chunk: Buffer) => {
        length += chunk.length;
        if (length > maxBody) {
          settle(new TeraSyncError(ErrorCode.BadResponse, `${what} sent an answer larger than ${maxBody} bytes.`));
          request.destroy();
          return;
        }
        chunks.push(chunk);
      });
      response.on('end', () => {
        settle(null, { status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') });
      });
      response.on('error', (error) => settle(failure(error)));
    });
    const failure = (error: unknown): TeraSyncError => {
      if (options.signal?.aborted) return new TeraSyncError(ErrorCode.Cancelled, `The request to ${what} was cancelled.`, { cause: error });
      if (timedOut) return new TeraSyncError(ErrorCode.Timeout, `${what} did not answer within ${Math.round(timeoutMs / 1000)} s.`, { cause: error });
      const proxyError = findProxyError(error, proxyAgent);
      if (proxyError !== undefined) return proxyFailureError(proxyError, `the request to ${what}`, error);
      const code = failureCode(error);
      if (isTlsFailureCode(code)) {
        const through = proxyAgent?.describeRoute() ?? null;
        return new TeraSyncError(
          ErrorCode.Tls,
          `The secure (TLS) connection to ${what} failed (${code}): ${tlsFailureAdvice(code)}${through === null ? '' : tlsThroughProxyAdvice(through)}`,
          { cause: error },
        );
      }
      return new TeraSyncError(ErrorCode.Network, `Could not reach ${what} (${code ?? 'network error'}). Check your connection.`, { cause: error });
    };
    const onAbort = (): void => {
      request.destroy();
      settle(failure(new Error('aborted')));
    };
    const timer = setTimeout(() => {
      timedOut = true;
      request.destroy();
      settle(failure(new Error('timeout')));
    }, timeoutMs);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    request.on('error', (error) => settle(failure(error)));
    request.end(options.body);
  });
}

/** The answer's JSON, or BadResponse naming `what`. */
export function parseJsonBody(response: HttpTextResponse, what: string): unknown {
  try {
    return JSON.parse(response.body) as unknown;
  } catch (error) {
    throw new TeraSyncError(ErrorCode.BadResponse, `${what} answered ${response.status} with something that is not JSON.`, { cause: error, status: response.status });
  }
}
