/**
 * When to try a WebDAV request again, and after how long. Pure functions: the store owns the
 * loop and sleeps on the injected Clock.
 *
 * Retried: transient network failures (ECONNRESET, ECONNREFUSED, ETIMEDOUT, EPIPE, EAI_AGAIN,
 * socket hang up, a response cut off mid-body), our own timeout, 5xx except 501 (will never be
 * implemented), 505 (HTTP version) and 507 (storage full: waiting does not free space), and
 * 429. A `Retry-After` (429 / 503 and any other retried status) is honoured, capped at
 * maxDelayMs; otherwise exponential backoff with full jitter:
 * `random() * min(maxDelayMs, baseDelayMs * 2^(attempt - 1))`.
 * Never retried: cancellation, TLS, 4xx other than 429, local I/O, bad responses.
 */
import { ErrorCode, type TeraSyncError } from '../../shared/errors.js';
import { isTransientNetworkFailure } from './httpErrors.js';

export interface RetryPolicy {
  /** Total attempts, the first included (1 = no retry). */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const defaultRetryPolicy: RetryPolicy = { attempts: 5, baseDelayMs: 500, maxDelayMs: 30_000 };

const NOT_RETRIED_5XX = new Set([501, 505, 507]);

export function isRetryable(error: TeraSyncError): boolean {
  switch (error.code) {
    case ErrorCode.Timeout:
    case ErrorCode.RateLimited:
      return true;
    case ErrorCode.Server:
      return error.status === undefined || !NOT_RETRIED_5XX.has(error.status);
    case ErrorCode.Network:
      return isTransientNetworkFailure(error.cause);
    default:
      return false;
  }
}

/**
 * The delay before the next attempt, or null when `error` (from attempt number `attempt`,
 * 1-based) must be thrown: not retryable, or no attempts left.
 */
export function retryDelayMs(
  error: TeraSyncError,
  attempt: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number | null {
  if (attempt >= policy.attempts || !isRetryable(error)) return null;
  const maxDelayMs = Math.max(0, policy.maxDelayMs);
  if (error.retryAfterSeconds !== undefined && Number.isFinite(error.retryAfterSeconds)) {
    return Math.min(Math.max(0, error.retryAfterSeconds * 1000), maxDelayMs);
  }
  const ceiling = Math.min(maxDelayMs, Math.max(0, policy.baseDelayMs) * 2 ** (attempt - 1));
  const jitter = Math.min(Math.max(random(), 0), 1);
  return Math.floor(jitter * ceiling);
}

/**
 * `Retry-After` in seconds: delta-seconds (`120`) or an HTTP-date (relative to `nowMs`, never
 * negative). Undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+$/.test(text)) return Number.parseInt(text, 10);
  // An HTTP-date always names a weekday and a GMT zone; this keeps stray numbers (`1.5`) out.
  if (!/[a-z]{3}/i.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - nowMs) / 1000));
}
