/**
 * A `fetch` for libraries that take one (oauth4webapi's `customFetch`), made of `httpRequest`:
 * the request goes through the same proxy, private CA, TLS checks, timeout and body limit as
 * every REST call, and its failures are the same coded errors (Network, Timeout, Tls,
 * Cancelled, Configuration, ProxyAuth), thrown as they are rather than as fetch's TypeError.
 *
 * Only what a small JSON or form request needs: a string or URLSearchParams body, no streams,
 * no redirects followed (httpRequest follows none, which is what `redirect: 'manual'` asks).
 * The answer is buffered, then handed back as a standard Response.
 */
import { ErrorCode, TeraSyncError } from '../../shared/errors.js';
import { httpRequest, type HttpRequestOptions } from './httpRequest.js';

/** What httpRequest takes besides the method, headers, body and signal of each request. */
export type FetchOverHttpRequestOptions = Pick<HttpRequestOptions, 'ca' | 'timeoutMs' | 'maxBodyBytes' | 'what' | 'proxy'>;

/** The part of fetch's second argument that the adapter reads. */
export interface FetchInit {
  method?: string;
  headers?: Record<string, string> | Headers;
  body?: string | URLSearchParams | null;
  signal?: AbortSignal | null;
  redirect?: string;
}

export type FetchFunction = (url: string, init?: FetchInit) => Promise<Response>;

/** Statuses whose Response must have no body (the Fetch standard's null body statuses). */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

function requestHeaders(headers: FetchInit['headers']): Record<string, string> {
  const entries = headers === undefined ? [] : headers instanceof Headers ? [...headers.entries()] : Object.entries(headers);
  const result: Record<string, string> = {};
  for (const [name, value] of entries) {
    // httpRequest names the client itself (User-Agent: TeraSync).
    if (name.toLowerCase() === 'user-agent') continue;
    result[name] = value;
  }
  return result;
}

function requestBody(body: FetchInit['body']): string | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return body;
  if (body instanceof URLSearchParams) return body.toString();
  throw new TeraSyncError(ErrorCode.InvalidRequest, 'Only text and form bodies can be sent through this request helper.');
}

export function fetchOverHttpRequest(options: FetchOverHttpRequestOptions = {}): FetchFunction {
  return async (url, init = {}) => {
    const response = await httpRequest(url, {
      ...options,
      method: init.method ?? 'GET',
      headers: requestHeaders(init.headers),
      body: requestBody(init.body),
      signal: init.signal ?? undefined,
    });
    if (response.status < 200 || response.status > 599) {
      throw new TeraSyncError(ErrorCode.BadResponse, `${options.what ?? new URL(url).origin} answered with the status ${response.status}.`, {
        status: response.status,
      });
    }
    const headers = new Headers();
    for (const [name, value] of Object.entries(response.headers)) {
      if (value === undefined) continue;
      for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
    }
    return new Response(NULL_BODY_STATUSES.has(response.status) ? null : response.body, { status: response.status, headers });
  };
}
