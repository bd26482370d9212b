/**
 * Turns HTTP answers and transport failures into coded TeraSyncErrors with a message a user can
 * act on. Messages name the method and the path relative to the sync root, never the URL's
 * credentials, the password, the token or the Authorization header (the cause keeps the
 * original error for logs, and node-fetch never puts headers in its messages).
 */
import { INSECURE_REDIRECT_CODE, tlsFailureAdvice } from './tls.js';
import { findProxyError, PROXY_ERROR_CODES, proxyFailureError, tlsThroughProxyAdvice, type ProxyError } from './proxy.js';
import { ErrorCode, TeraSyncError } from '../../shared/errors.js';

export interface RequestDescription {
  method: string;
  /** Relative path ('' is the sync root). */
  path: string;
}

export type AuthKind = 'basic' | 'bearer';

/** What TeraCLOUD users must check when /dav/ answers 401 (see docs/SERVICE.md, Credentials). */
export const BASIC_UNAUTHORIZED_HINT =
  'Check that: (1) you entered the Apps password, not the login password, and it is typed correctly; ' +
  '(2) "Apps connection" (BASIC access) is switched on in MyPage (accounts made after 2021-06 have it off); ' +
  '(3) a newly issued Apps password can take a few minutes to be accepted, so wait and try again; ' +
  '(4) only one Apps password is valid at a time: reissuing it (for example for another app) invalidates ' +
  'the old one, so enter the newest one.';

export const BEARER_UNAUTHORIZED_HINT = 'The access token was refused or has expired: sign in again.';

/** Quotes the path for a message; the root reads as "the sync folder". */
export function describePath(path: string): string {
  return path === '' ? 'the sync folder' : `"${path}"`;
}

function what(request: RequestDescription): string {
  return `${request.method} ${describePath(request.path)}`;
}

export interface StatusDetails {
  statusText?: string;
  retryAfterSeconds?: number;
  authKind?: AuthKind;
}

/** Maps an HTTP status (>= 300, or a failing status found inside a 207) to a coded error. */
export function errorFromStatus(status: number, request: RequestDescription, details: StatusDetails = {}): TeraSyncError {
  const on = what(request);
  const options = { status, retryAfterSeconds: details.retryAfterSeconds };
  switch (status) {
    case 401:
      return new TeraSyncError(
        ErrorCode.Unauthorized,
        `The server refused the credentials (401) for ${on}. ` +
          (details.authKind === 'bearer' ? BEARER_UNAUTHORIZED_HINT : BASIC_UNAUTHORIZED_HINT),
        options,
      );
    case 403:
      return new TeraSyncError(ErrorCode.Forbidden, `The server does not allow ${on} (403 Forbidden).`, options);
    case 404:
    case 410:
      return new TeraSyncError(ErrorCode.NotFound, `${describePath(request.path)} does not exist on the server (${status}, ${request.method}).`, options);
    case 405:
      return new TeraSyncError(ErrorCode.Conflict, `The server does not allow ${on} there (405): a file or folder of the other kind may already exist.`, options);
    case 409:
      return new TeraSyncError(ErrorCode.Conflict, `${on} failed with 409 Conflict: the parent folder is missing on the server.`, options);
    case 412:
      return new TeraSyncError(ErrorCode.PreconditionFailed, `${on} failed with 412 Precondition Failed: the remote entry changed or already exists.`, options);
    case 413:
      return new TeraSyncError(ErrorCode.Forbidden, `The server refused ${on} as too large (413).`, options);
    case 414:
      return new TeraSyncError(ErrorCode.InvalidName, `The path is too long for the server (414) for ${on}.`, options);
    case 423:
      return new TeraSyncError(ErrorCode.Conflict, `${describePath(request.path)} is locked on the server (423, ${request.method}).`, options);
    case 429:
      return new TeraSyncError(ErrorCode.RateLimited, `The server asked to slow down (429) for ${on}.`, options);
    case 507:
      return new TeraSyncError(ErrorCode.InsufficientStorage, `The TeraCLOUD storage is full (507) for ${on}: free some space or upgrade the plan.`, options);
    default:
      break;
  }
  if (status >= 500) {
    return new TeraSyncError(ErrorCode.Server, `The server failed on ${on} (${status}${details.statusText ? ` ${details.statusText}` : ''}).`, options);
  }
  return new TeraSyncError(ErrorCode.BadResponse, `Unexpected answer ${status}${details.statusText ? ` ${details.statusText}` : ''} to ${on}.`, options);
}

/** Network failures worth another try (the brief's list plus the "Wi-Fi dropped" family). */
const TRANSIENT_NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENETUNREACH',
  'ENETDOWN',
  'EHOSTUNREACH',
  'ERR_STREAM_PREMATURE_CLOSE',
  'UND_ERR_SOCKET',
  // The proxy is down or cannot reach the server: the same as a dropped connection.
  PROXY_ERROR_CODES.unreachable,
  PROXY_ERROR_CODES.upstream,
]);

const TLS_CODE = /^(?:CERT_|ERR_SSL_|ERR_TLS_|EPROTO$|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$|HOSTNAME_MISMATCH$)/;

/** The system / library error code along the cause chain (node-fetch copies it onto FetchError). */
export function failureCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current !== null && typeof current === 'object'; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code !== '') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function failureMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function isTlsFailureCode(code: string | undefined): boolean {
  return code !== undefined && TLS_CODE.test(code);
}

/** True for a network failure that another attempt may cure. */
export function isTransientNetworkFailure(error: unknown): boolean {
  const code = failureCode(error);
  if (code !== undefined && TRANSIENT_NETWORK_CODES.has(code)) return true;
  // node-fetch reports a response the server cut off as an AbortError (see errorFromFailure).
  if ((error as { name?: unknown } | null)?.name === 'AbortError') return true;
  return /socket hang up|premature close|connection closed/i.test(failureMessage(error));
}

export interface FailureState {
  /** Our own idle / header timeout fired. */
  timedOut?: boolean;
  /** The caller's AbortSignal fired. */
  cancelled?: boolean;
  timeoutMs?: number;
  /** The proxy agent the request went through, if any: its failures and the proxy in use. */
  proxy?: ProxyFailureSource;
}

export interface ProxyFailureSource {
  failure(code: string | undefined): ProxyError | undefined;
  /** The proxy in use without its password, or null when the request went direct. */
  describeRoute(): string | null;
}

/**
 * Maps anything a request threw (node-fetch FetchError / AbortError, a stream error) to a coded
 * error. A TeraSyncError passes through unchanged, unless the caller cancelled.
 */
export function errorFromFailure(error: unknown, request: RequestDescription, state: FailureState = {}): TeraSyncError {
  const on = what(request);
  // A cancelled request is Cancelled whatever it failed with on the way out.
  if (state.cancelled) {
    return error instanceof TeraSyncError && error.code === ErrorCode.Cancelled
      ? error
      : new TeraSyncError(ErrorCode.Cancelled, `${on} was cancelled.`, { cause: error });
  }
  if (error instanceof TeraSyncError) return error;
  if (state.timedOut) {
    const seconds = state.timeoutMs === undefined ? '' : ` within ${formatSeconds(state.timeoutMs)}`;
    return new TeraSyncError(ErrorCode.Timeout, `The server did not answer${seconds} for ${on} (timed out).`, { cause: error });
  }
  const proxyError = findProxyError(error, state.proxy);
  if (proxyError !== undefined) return proxyFailureError(proxyError, on, error);
  const code = failureCode(error);
  if (code === INSECURE_REDIRECT_CODE) {
    return new TeraSyncError(
      ErrorCode.Configuration,
      `The server redirected ${on} from HTTPS to plain HTTP; TeraSync does not follow that. Check the WebDAV address.`,
      { cause: error },
    );
  }
  if (isTlsFailureCode(code)) {
    const proxy = state.proxy?.describeRoute() ?? null;
    return new TeraSyncError(
      ErrorCode.Tls,
      `The secure (TLS) connection failed for ${on} (${code ?? 'TLS error'}): ${tlsFailureAdvice(code)}${proxy === null ? '' : tlsThroughProxyAdvice(proxy)}`,
      { cause: error },
    );
  }
  const type = (error as { type?: unknown } | null)?.type;
  if (type === 'unsupported-redirect' || type === 'max-redirect' || type === 'invalid-redirect') {
    return new TeraSyncError(ErrorCode.BadResponse, `The server redirected ${on} somewhere it cannot be followed.`, { cause: error });
  }
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'AbortError') {
    // node-fetch reports a connection the server closed mid-response as an abort; our own
    // aborts (timeout, cancel) are told apart by the state flags above.
    return new TeraSyncError(ErrorCode.Network, `The connection closed during ${on}.`, { cause: error });
  }
  const reason = code ?? (/socket hang up/i.test(failureMessage(error)) ? 'socket hang up' : 'network error');
  return new TeraSyncError(ErrorCode.Network, `Could not reach the server for ${on} (${reason}).`, { cause: error });
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
