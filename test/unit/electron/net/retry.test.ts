import { describe, expect, it } from 'vitest';
import { ErrorCode, TeraSyncError } from '../../../../shared/errors.js';
import { defaultRetryPolicy, isRetryable, parseRetryAfter, retryDelayMs, type RetryPolicy } from '../../../../electron/net/retry.js';

const policy: RetryPolicy = { attempts: 5, baseDelayMs: 500, maxDelayMs: 30_000 };

function systemError(code: string, message = `connect ${code}`): Error {
  return Object.assign(new Error(message), { code });
}

function network(cause: unknown): TeraSyncError {
  return new TeraSyncError(ErrorCode.Network, 'network', { cause });
}

function status(code: ErrorCode, httpStatus: number, retryAfterSeconds?: number): TeraSyncError {
  return new TeraSyncError(code, `status ${httpStatus}`, { status: httpStatus, retryAfterSeconds });
}

describe('isRetryable', () => {
  it.each(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ERR_STREAM_PREMATURE_CLOSE'])('retries network failure %s', (code) => {
    expect(isRetryable(network(systemError(code)))).toBe(true);
  });

  it('retries a socket hang up, and a FetchError whose system code is nested', () => {
    expect(isRetryable(network(new Error('socket hang up')))).toBe(true);
    const fetchError = Object.assign(new Error('request failed, reason: read ECONNRESET'), { type: 'system', code: 'ECONNRESET' });
    expect(isRetryable(network(fetchError))).toBe(true);
  });

  it('does not retry a permanent network failure (unknown host)', () => {
    expect(isRetryable(network(systemError('ENOTFOUND')))).toBe(false);
  });

  it('retries our timeout, 429 and 5xx except 501, 505 and 507', () => {
    expect(isRetryable(new TeraSyncError(ErrorCode.Timeout, 't'))).toBe(true);
    expect(isRetryable(status(ErrorCode.RateLimited, 429))).toBe(true);
    for (const code of [500, 502, 503, 504, 508, 599]) expect(isRetryable(status(ErrorCode.Server, code))).toBe(true);
    for (const code of [501, 505]) expect(isRetryable(status(ErrorCode.Server, code))).toBe(false);
    expect(isRetryable(status(ErrorCode.InsufficientStorage, 507))).toBe(false);
  });

  it('never retries cancellation, TLS, auth, precondition or bad responses', () => {
    for (const code of [
      ErrorCode.Cancelled,
      ErrorCode.Tls,
      ErrorCode.Unauthorized,
      ErrorCode.Forbidden,
      ErrorCode.NotFound,
      ErrorCode.Conflict,
      ErrorCode.PreconditionFailed,
      ErrorCode.BadResponse,
      ErrorCode.LocalIo,
      ErrorCode.Configuration,
    ]) {
      expect(isRetryable(new TeraSyncError(code, code)), code).toBe(false);
    }
  });
});

describe('retryDelayMs', () => {
  const timeout = new TeraSyncError(ErrorCode.Timeout, 't');

  it('grows exponentially under full jitter', () => {
    expect(retryDelayMs(timeout, 1, policy, () => 0.999_999)).toBe(499);
    expect(retryDelayMs(timeout, 2, policy, () => 0.5)).toBe(500);
    expect(retryDelayMs(timeout, 3, policy, () => 0.5)).toBe(1000);
    expect(retryDelayMs(timeout, 4, policy, () => 1)).toBe(4000);
    expect(retryDelayMs(timeout, 1, policy, () => 0)).toBe(0);
  });

  it('caps the backoff at maxDelayMs', () => {
    const many: RetryPolicy = { attempts: 20, baseDelayMs: 500, maxDelayMs: 30_000 };
    expect(retryDelayMs(timeout, 15, many, () => 1)).toBe(30_000);
  });

  it('stops after the last attempt', () => {
    expect(retryDelayMs(timeout, 5, policy, () => 0.5)).toBeNull();
    expect(retryDelayMs(timeout, 1, { ...policy, attempts: 1 }, () => 0.5)).toBeNull();
  });

  it('returns null for what is not retryable', () => {
    expect(retryDelayMs(status(ErrorCode.PreconditionFailed, 412), 1, policy, () => 0.5)).toBeNull();
    expect(retryDelayMs(new TeraSyncError(ErrorCode.Cancelled, 'c'), 1, policy, () => 0.5)).toBeNull();
  });

  it('honours Retry-After exactly, capped at maxDelayMs, without jitter', () => {
    expect(retryDelayMs(status(ErrorCode.Server, 503, 1), 1, policy, () => 0)).toBe(1000);
    expect(retryDelayMs(status(ErrorCode.RateLimited, 429, 7), 3, policy, () => 0)).toBe(7000);
    expect(retryDelayMs(status(ErrorCode.RateLimited, 429, 3600), 1, policy, () => 0)).toBe(30_000);
    expect(retryDelayMs(status(ErrorCode.RateLimited, 429, 0), 1, policy, () => 0.9)).toBe(0);
  });

  it('uses the documented defaults', () => {
    expect(defaultRetryPolicy).toEqual({ attempts: 5, baseDelayMs: 500, maxDelayMs: 30_000 });
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('Mon, 02 Jun 2025 10:00:00 GMT');

  it('reads delta-seconds', () => {
    expect(parseRetryAfter('1', now)).toBe(1);
    expect(parseRetryAfter(' 120 ', now)).toBe(120);
    expect(parseRetryAfter('0', now)).toBe(0);
  });

  it('reads an HTTP-date relative to now, never negative', () => {
    expect(parseRetryAfter('Mon, 02 Jun 2025 10:00:30 GMT', now)).toBe(30);
    expect(parseRetryAfter('Mon, 02 Jun 2025 09:59:00 GMT', now)).toBe(0);
  });

  it('ignores what it cannot read', () => {
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('', now)).toBeUndefined();
    expect(parseRetryAfter('-5', now)).toBeUndefined();
    expect(parseRetryAfter('1.5', now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });
});
