import { describe, expect, it } from 'vitest';
import { ErrorCode, TeraSyncError } from '../../../../shared/errors.js';
import { errorFromFailure, errorFromStatus, isTransientNetworkFailure } from '../../../../electron/net/httpErrors.js';

const put = { method: 'PUT', path: 'Docs/report.pdf' };

function systemError(code: string, message = code): Error {
  return Object.assign(new Error(message), { code });
}

/** node-fetch's FetchError: the system code copied on top, the message naming the URL. */
function fetchError(code: string, url = 'https://kita.teracloud.jp/dav/Sync/Docs/report.pdf'): Error {
  return Object.assign(new Error(`request to ${url} failed, reason: ${code}`), { type: 'system', code, errno: code, name: 'FetchError' });
}

describe('errorFromStatus', () => {
  it.each([
    [401, ErrorCode.Unauthorized],
    [403, ErrorCode.Forbidden],
    [404, ErrorCode.NotFound],
    [409, ErrorCode.Conflict],
    [412, ErrorCode.PreconditionFailed],
    [429, ErrorCode.RateLimited],
    [500, ErrorCode.Server],
    [502, ErrorCode.Server],
    [503, ErrorCode.Server],
    [507, ErrorCode.InsufficientStorage],
    [400, ErrorCode.BadResponse],
    [302, ErrorCode.BadResponse],
  ])('%i -> %s', (status, code) => {
    const error = errorFromStatus(status, put);
    expect(error).toBeInstanceOf(TeraSyncError);
    expect(error.code).toBe(code);
    expect(error.status).toBe(status);
    expect(error.message).toContain('"Docs/report.pdf"');
  });

  it('tells a TeraCLOUD user what to do on 401', () => {
    const message = errorFromStatus(401, { method: 'PROPFIND', path: '' }).message;
    expect(message).toMatch(/Apps password/);
    expect(message).toMatch(/MyPage/);
    expect(message).toMatch(/Apps connection|BASIC/);
    expect(message).toMatch(/few minutes/);
    expect(message).toMatch(/reissu/i);
    expect(message).toContain('the sync folder');
  });

  it('asks a bearer user to sign in again', () => {
    const message = errorFromStatus(401, put, { authKind: 'bearer' }).message;
    expect(message).toMatch(/sign in again/);
    expect(message).not.toMatch(/Apps password/);
  });

  it('says the parent folder is missing on 409', () => {
    expect(errorFromStatus(409, put).message).toMatch(/parent folder/);
  });

  it('keeps Retry-After', () => {
    expect(errorFromStatus(503, put, { retryAfterSeconds: 4 }).retryAfterSeconds).toBe(4);
    expect(errorFromStatus(429, put, { retryAfterSeconds: 9 }).retryAfterSeconds).toBe(9);
  });
});

describe('errorFromFailure', () => {
  it.each(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND'])('%s -> Network', (code) => {
    const error = errorFromFailure(fetchError(code), put);
    expect(error.code).toBe(ErrorCode.Network);
    expect(error.message).toContain(code);
    expect(error.message).toContain('"Docs/report.pdf"');
  });

  it.each([
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', /--ca <file\.pem>/],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', /--ca <file\.pem>/],
    ['SELF_SIGNED_CERT_IN_CHAIN', /--ca <file\.pem>/],
    ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', /--ca <file\.pem>/],
    // A private CA helps with an unknown issuer only: these say what is really wrong.
    ['CERT_HAS_EXPIRED', /expired or not yet valid/],
    ['ERR_TLS_CERT_ALTNAME_INVALID', /for another host name/],
    ['ERR_SSL_WRONG_VERSION_NUMBER', /TLS 1\.2 or later could not be negotiated/],
    ['EPROTO', /TLS 1\.2 or later could not be negotiated/],
  ] as const)('%s -> Tls with the advice for it', (code, advice) => {
    const error = errorFromFailure(fetchError(code), put);
    expect(error.code).toBe(ErrorCode.Tls);
    expect(error.message).toMatch(advice);
    if (!advice.source.includes('--ca')) expect(error.message).not.toContain('--ca');
    expect(error.message).toContain(code);
  });

  it('finds the code deeper in the cause chain', () => {
    const wrapped = new Error('outer', { cause: systemError('DEPTH_ZERO_SELF_SIGNED_CERT') });
    expect(errorFromFailure(wrapped, put).code).toBe(ErrorCode.Tls);
  });

  it('maps our own timeout to Timeout, and names the time', () => {
    const abort = Object.assign(new Error('The operation was aborted.'), { name: 'AbortError' });
    const error = errorFromFailure(abort, put, { timedOut: true, timeoutMs: 30_000 });
    expect(error.code).toBe(ErrorCode.Timeout);
    expect(error.message).toContain('30 s');
  });

  it('maps a caller abort to Cancelled, whatever the request failed with', () => {
    const abort = Object.assign(new Error('The operation was aborted.'), { name: 'AbortError' });
    expect(errorFromFailure(abort, put, { cancelled: true }).code).toBe(ErrorCode.Cancelled);
    expect(errorFromFailure(new TeraSyncError(ErrorCode.Server, 's'), put, { cancelled: true }).code).toBe(ErrorCode.Cancelled);
    expect(errorFromFailure(abort, put, { cancelled: true, timedOut: true }).code).toBe(ErrorCode.Cancelled);
  });

  it('maps an abort that was neither ours nor the caller (server cut the body) to a retryable Network error', () => {
    const abort = Object.assign(new Error('The operation was aborted.'), { name: 'AbortError' });
    const error = errorFromFailure(abort, put);
    expect(error.code).toBe(ErrorCode.Network);
    expect(isTransientNetworkFailure(error.cause)).toBe(true);
  });

  it('passes a coded error through', () => {
    const original = new TeraSyncError(ErrorCode.LocalIo, 'disk full');
    expect(errorFromFailure(original, put)).toBe(original);
  });

  it('maps a redirect it cannot follow to BadResponse', () => {
    const error = Object.assign(new Error('Cannot follow redirect with body being a readable stream'), { type: 'unsupported-redirect' });
    expect(errorFromFailure(error, put).code).toBe(ErrorCode.BadResponse);
  });

  it('never puts secrets in the message', () => {
    const secret = 'S3cr3t-Apps-Pa55';
    const authorization = `Basic ${Buffer.from(`alice:${secret}`).toString('base64')}`;
    const cause = Object.assign(new Error(`request failed (${authorization}) ${secret}`), { code: 'ECONNRESET' });
    for (const error of [
      errorFromFailure(cause, put),
      errorFromFailure(Object.assign(new Error(secret), { code: 'CERT_HAS_EXPIRED' }), put),
      errorFromFailure(cause, put, { timedOut: true }),
      errorFromStatus(401, put),
    ]) {
      expect(error.message).not.toContain(secret);
      expect(error.message).not.toContain(authorization);
      expect(error.message).not.toContain('Authorization');
    }
  });
});
