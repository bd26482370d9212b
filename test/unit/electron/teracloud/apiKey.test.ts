import { describe, expect, it } from 'vitest';
import { ErrorCode, TeraSyncError } from '../../../../shared/errors.js';
import { API_KEY_HEADER, parseApiKey, withApiKey } from '../../../../electron/teracloud/apiKey.js';

const KEY = '0123456789ABCDEF0123456789ABCDEF';

function refusal(text: string): TeraSyncError {
  try {
    parseApiKey(text);
  } catch (error) {
    expect(error).toBeInstanceOf(TeraSyncError);
    expect((error as TeraSyncError).code).toBe(ErrorCode.Configuration);
    return error as TeraSyncError;
  }
  throw new Error(`parseApiKey accepted ${JSON.stringify(text)}`);
}

describe('parseApiKey', () => {
  it('accepts 32 uppercase hex digits and trims around them', () => {
    expect(parseApiKey(KEY)).toBe(KEY);
    expect(parseApiKey(`  ${KEY}\n`)).toBe(KEY);
    expect(parseApiKey('FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF')).toBe('FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF');
  });

  it('refuses an empty key and says what a key looks like', () => {
    for (const text of ['', '   ']) {
      const error = refusal(text);
      expect(error.message).toMatch(/empty/);
      expect(error.message).toMatch(/32 hexadecimal digits in uppercase/);
    }
  });

  it.each([
    [KEY.slice(0, 31), 31],
    [`${KEY}0`, 33],
    ['ABCDEF', 6],
  ])('refuses a key of the wrong length (%s)', (text, length) => {
    const error = refusal(text);
    expect(error.message).toContain(`${length} characters instead of 32`);
    expect(error.message).toMatch(/32 hexadecimal digits in uppercase/);
  });

  it('refuses lowercase, suggesting the uppercase form without accepting it', () => {
    const error = refusal(KEY.toLowerCase());
    expect(error.message).toMatch(/lowercase/);
    expect(error.message).toContain(`Did you mean ${KEY}?`);
    const mixed = refusal(`${KEY.slice(0, 31)}f`);
    expect(mixed.message).toContain(`Did you mean ${KEY.slice(0, 31)}F?`);
  });

  it.each([
    [`${KEY.slice(0, 9)}G${KEY.slice(10)}`, '"G" at position 10'],
    [`Z${KEY.slice(1)}`, '"Z" at position 1'],
    [`${KEY.slice(0, 16)} ${KEY.slice(17)}`, 'a space at position 17'],
    [`${KEY.slice(0, 31)}-`, '"-" at position 32'],
    [`${KEY.slice(0, 4)}\u0000${KEY.slice(5)}`, 'a control character (U+0000) at position 5'],
    [`${KEY.slice(0, 2)}é${KEY.slice(3)}`, '"é" at position 3'],
    ['{0123456789ABCDEF0123456789ABCDEF}', '"{" at position 1'],
  ])('names the first non-hex character and its position (%j)', (text, expected) => {
    const error = refusal(text);
    expect(error.message).toContain(`${expected}, which is not a hexadecimal digit`);
  });

  it('reports a bad character before a wrong length', () => {
    expect(refusal('XYZ').message).toContain('"X" at position 1');
  });
});

describe('withApiKey', () => {
  it('puts the key in the X-TeraCLOUD-API-KEY header and leaves the URL alone', () => {
    const url = new URL('https://api.teracloud.jp/v2/api/ba/user');
    const result = withApiKey(url, KEY, 'header');
    expect(result.headers).toEqual({ [API_KEY_HEADER]: KEY });
    expect(API_KEY_HEADER).toBe('X-TeraCLOUD-API-KEY');
    expect(result.url.href).toBe('https://api.teracloud.jp/v2/api/ba/user');
    expect(result.url).not.toBe(url);
  });

  it('appends the matrix parameter to the last path segment', () => {
    const result = withApiKey(new URL('https://api.teracloud.jp/v2/api/ba/user'), KEY, 'matrix');
    expect(result.headers).toEqual({});
    expect(result.url.href).toBe(`https://api.teracloud.jp/v2/api/ba/user;api_key=${KEY}`);
  });

  it('sends the parentheses of (capacity) literally', () => {
    const result = withApiKey(new URL('https://seto.teracloud.jp/v2/api/ba/dataset/(capacity)'), KEY, 'matrix');
    expect(result.url.href).toBe(`https://seto.teracloud.jp/v2/api/ba/dataset/(capacity);api_key=${KEY}`);
    expect(result.url.pathname).toBe(`/v2/api/ba/dataset/(capacity);api_key=${KEY}`);
    expect(withApiKey(new URL('https://seto.teracloud.jp/v2/api/ba/dataset/(capacity)'), KEY, 'header').url.pathname).toBe(
      '/v2/api/ba/dataset/(capacity)',
    );
  });

  it('keeps a query string after the matrix parameter, and in header mode', () => {
    const url = new URL('https://api.teracloud.jp/v2/api/ba/user?lang=en&x=1');
    expect(withApiKey(url, KEY, 'matrix').url.href).toBe(`https://api.teracloud.jp/v2/api/ba/user;api_key=${KEY}?lang=en&x=1`);
    expect(withApiKey(url, KEY, 'header').url.href).toBe('https://api.teracloud.jp/v2/api/ba/user?lang=en&x=1');
    expect(url.href).toBe('https://api.teracloud.jp/v2/api/ba/user?lang=en&x=1');
  });

  it('keeps other matrix parameters and replaces an old api_key instead of doubling it', () => {
    const url = new URL(`https://api.teracloud.jp/v2/api/ba/user;lang=en;api_key=${'A'.repeat(32)}`);
    expect(withApiKey(url, KEY, 'matrix').url.pathname).toBe(`/v2/api/ba/user;lang=en;api_key=${KEY}`);
    expect(withApiKey(url, KEY, 'header').url.pathname).toBe('/v2/api/ba/user;lang=en');
  });

  it('refuses a malformed key instead of putting it on the wire', () => {
    for (const placement of ['header', 'matrix'] as const) {
      expect(() => withApiKey(new URL('https://api.teracloud.jp/v2/api/ba/user'), 'abc/../x', placement)).toThrow(
        expect.objectContaining({ code: ErrorCode.Configuration }),
      );
    }
  });
});
