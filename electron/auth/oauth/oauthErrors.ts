/**
 * OAuth2 error answers as coded errors. Two places answer with an OAuth2 error code: the
 * authorization endpoint, through the browser's redirect (RFC 6749 §4.1.2.1), and the token
 * and revocation endpoints, as JSON (RFC 6749 §5.2, RFC 7009 §2.2.1).
 *
 * Messages never contain a token, a code or a verifier: server text (`error_description`)
 * is shown only after every secret the request carried has been cut out of it, and only
 * printable characters, at most 200, survive.
 */
import { ErrorCode, TeraSyncError } from '../../../shared/errors.js';
import type { HttpTextResponse } from '../../net/httpRequest.js';
import { parseRetryAfter } from '../../net/retry.js';

export const SIGN_IN_AGAIN_MESSAGE = 'Your sign-in has expired or was revoked: sign in again.';

const MAX_DESCRIPTION = 200;

/** Server text fit for a message: secrets cut out, printable ASCII only, at most 200 characters; null when empty. */
export function serverText(value: unknown, secrets: readonly string[] = []): string | null {
  if (typeof value !== 'string') return null;
  let text = value;
  for (const secret of secrets) {
    if (secret.length >= 4) text = text.split(secret).join('[redacted]');
  }
  text = text.replace(/[^\x20-\x7e]+/g, ' ').trim();
  if (text === '') return null;
  return text.length > MAX_DESCRIPTION ? `${text.slice(0, MAX_DESCRIPTION - 3)}...` : text;
}

/** An OAuth2 error code as sent (RFC 6749 allows %x20-21 / %x23-5B / %x5D-7E); anything else becomes "unknown_error". */
function errorCodeText(value: unknown): string {
  return typeof value === 'string' && /^[\x20\x21\x23-\x5b\x5d-\x7e]{1,64}$/.test(value) ? value : 'unknown_error';
}

function withDescription(code: string, description: string | null): string {
  return description === null ? code : `${code}: ${description}`;
}

/** The error an authorization answer (`?error=...` on the redirect URI) stands for. */
export function authorizationResponseError(error: unknown, description: unknown): TeraSyncError {
  const code = errorCodeText(error);
  const detail = withDescription(code, serverText(description));
  switch (code) {
    case 'access_denied':
      return new TeraSyncError(ErrorCode.Forbidden, `The sign-in was cancelled or access was refused in the browser (${detail}).`);
    case 'invalid_request':
    case 'unauthorized_client':
    case 'unsupported_response_type':
    case 'invalid_scope':
      return new TeraSyncError(
        ErrorCode.Configuration,
        `The sign-in server refused TeraSync's sign-in request (${detail}): check the OAuth2 settings (client ID, scopes, endpoints).`,
      );
    case 'server_error':
    case 'temporarily_unavailable':
      return new TeraSyncError(ErrorCode.Server, `The sign-in server could not sign you in just now (${detail}): try again later.`);
    default:
      return new TeraSyncError(ErrorCode.Unauthorized, `The sign-in failed (${detail}).`);
  }
}

export type TokenOperation = 'exchange' | 'refresh' | 'revoke';

export interface TokenErrorContext {
  operation: TokenOperation;
  clientId: string;
  /** Every secret the request carried (code, verifier, tokens): cut out of server text. */
  secrets: readonly string[];
  nowMs: number;
}

function parsedBody(response: HttpTextResponse): Record<string, unknown> | null {
  try {
    const value = JSON.parse(response.body) as unknown;
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function header(response: HttpTextResponse, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The error a non-2xx answer of the token or revocation endpoint stands for. */
export function tokenEndpointError(response: HttpTextResponse, context: TokenErrorContext): TeraSyncError {
  const status = response.status;
  const body = parsedBody(response);
  const what = context.operation === 'revoke' ? 'revoking the sign-in' : context.operation === 'refresh' ? 'renewing the sign-in' : 'completing the sign-in';

  if (body !== null && body['error'] !== undefined) {
    const code = errorCodeText(body['error']);
    const detail = withDescription(code, serverText(body['error_description'], context.secrets));
    switch (code) {
      case 'invalid_grant':
        return context.operation === 'exchange'
          ? new TeraSyncError(
              ErrorCode.Unauthorized,
              `The sign-in server refused the sign-in's authorization code (${detail}): it may have expired. Sign in again.`,
              { status },
            )
          : new TeraSyncError(ErrorCode.Unauthorized, SIGN_IN_AGAIN_MESSAGE, { status });
      case 'invalid_client':
        return new TeraSyncError(
          ErrorCode.Configuration,
          `The sign-in server does not accept the client ID "${context.clientId}" (${detail}): check the "clientId" setting.`,
          { status },
        );
      case 'unauthorized_client':
      case 'unsupported_grant_type':
      case 'invalid_scope':
      case 'unsupported_token_type':
        return new TeraSyncError(
          ErrorCode.Configuration,
          `The sign-in server refused ${what} (${detail}): check the OAuth2 settings (client ID, scopes, endpoints).`,
          { status },
        );
      case 'invalid_request':
        return new TeraSyncError(ErrorCode.InvalidRequest, `The sign-in server refused ${what} as malformed (${detail}).`, { status });
      default:
        if (status >= 500 || code === 'server_error' || code === 'temporarily_unavailable') {
          return new TeraSyncError(ErrorCode.Server, `The sign-in server failed while ${what} (${detail}): try again later.`, { status });
        }
        return new TeraSyncError(ErrorCode.BadResponse, `The sign-in server refused ${what} (${status}, ${detail}).`, { status });
    }
  }

  if (status === 429 || status === 503) {
    const retryAfterSeconds = parseRetryAfter(header(response, 'retry-after'), context.nowMs);
    return new TeraSyncError(
      status === 429 ? ErrorCode.RateLimited : ErrorCode.Server,
      `The sign-in server is busy (${status}) while ${what}: try again later.`,
      { status, retryAfterSeconds },
    );
  }
  if (status >= 500) return new TeraSyncError(ErrorCode.Server, `The sign-in server failed (${status}) while ${what}: try again later.`, { status });
  return new TeraSyncError(ErrorCode.BadResponse, `The sign-in server answered ${status} without an OAuth2 error while ${what}.`, { status });
}
