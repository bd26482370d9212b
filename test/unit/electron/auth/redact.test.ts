import { describe, expect, it } from 'vitest';
import { isSecretFieldName, redactingLogger, SecretRedactor } from '../../../../electron/auth/redact.js';
import type { Logger } from '../../../../electron/core/logger.js';

function redactorWith(...secrets: string[]): SecretRedactor {
  const redactor = new SecretRedactor();
  for (const secret of secrets) redactor.add(secret);
  return redactor;
}

const base64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

describe('SecretRedactor: known values', () => {
  it('replaces every occurrence of a known secret', () => {
    const redactor = redactorWith('hunter2-very-secret');
    expect(redactor.redact('tried hunter2-very-secret twice: hunter2-very-secret')).toBe('tried [redacted] twice: [redacted]');
  });

  it('leaves text without secrets alone', () => {
    const redactor = redactorWith('hunter2-very-secret');
    const text = 'GET /dav/Documents/report.pdf 200 in 35 ms, code=Unauthorized';
    expect(redactor.redact(text)).toBe(text);
  });

  it('ignores secrets shorter than 4 characters', () => {
    const redactor = redactorWith('abc', '');
    expect(redactor.redact('abc and abcdef')).toBe('abc and abcdef');
  });

  it('replaces the longest secret first, so one that contains another goes whole', () => {
    const redactor = redactorWith('abcd', 'abcdefgh');
    expect(redactor.redact('x abcdefgh y abcd z')).toBe('x [redacted] y [redacted] z');
  });

  it('takes regular-expression characters in a secret literally', () => {
    const redactor = redactorWith('a.b*c(d)[e]$');
    expect(redactor.redact('value a.b*c(d)[e]$ but not aXbbbc')).toBe('value [redacted] but not aXbbbc');
  });

  it('replaces the percent-encoded forms (URL component, form body, lower-case hex)', () => {
    const secret = 'p@ss wörd/&=+';
    const redactor = redactorWith(secret);
    const component = encodeURIComponent(secret);
    const form = new URLSearchParams({ note: secret, y: '1' }).toString();
    const lowerHex = component.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase());
    expect(lowerHex).not.toBe(component);
    expect(redactor.redact(`https://example.test/?x=${component}`)).toBe('https://example.test/?x=[redacted]');
    expect(redactor.redact(form)).toBe('note=[redacted]&y=1');
    expect(redactor.redact(`lower ${lowerHex}`)).toBe('lower [redacted]');
  });

  it('replaces the JSON-escaped form', () => {
    const secret = 'say "hi" \\ there';
    const redactor = redactorWith(secret);
    expect(redactor.redact(JSON.stringify({ note: secret }))).toBe('{"note":"[redacted]"}');
  });

  it('replaces the base64 and base64url forms', () => {
    const secret = 'token?with>>bytes~~';
    const redactor = redactorWith(secret);
    expect(redactor.redact(`blob ${base64(secret)} end`)).toBe('blob [redacted] end');
    expect(redactor.redact(`blob ${Buffer.from(secret).toString('base64url')} end`)).toBe('blob [redacted] end');
  });

  it.each(['', 'a', 'al', 'ali', 'alice', 'alice.smith@example.com'])(
    'finds the password inside base64("%s:password") at any byte offset, and blanks the whole string',
    (user) => {
      const password = 'Tr0ub4dor&3-horse';
      const redactor = redactorWith(password);
      const credentials = base64(`${user}:${password}`);
      const redacted = redactor.redact(`sent credentials ${credentials} to the server`);
      expect(redacted).toBe('sent credentials [redacted] to the server');
    },
  );

  it('finds the password inside base64 for short passwords too (5 bytes and up)', () => {
    for (const user of ['a', 'ab', 'abc']) {
      const redactor = redactorWith('s3cr!');
      expect(redactor.redact(`x ${base64(`${user}:s3cr!`)} y`)).toBe('x [redacted] y');
    }
  });

  it('accepts a secret that cannot be percent-encoded (a lone surrogate)', () => {
    const redactor = redactorWith('broken\ud800secret');
    expect(redactor.redact('x broken\ud800secret y')).toBe('x [redacted] y');
  });

  it('forgets nothing when more secrets are added later', () => {
    const redactor = redactorWith('first-secret');
    expect(redactor.redact('first-secret')).toBe('[redacted]');
    redactor.add('second-secret');
    expect(redactor.redact('first-secret second-secret')).toBe('[redacted] [redacted]');
  });
});

describe('SecretRedactor: patterns, without knowing the value', () => {
  const redactor = new SecretRedactor();

  it.each([
    ['Authorization: Basic YWxpY2U6c2VjcmV0', 'Authorization: Basic [redacted]'],
    ['authorization: Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl', 'authorization: Bearer [redacted]'],
    ['Proxy-Authorization: Basic YWxpY2U6c2VjcmV0', 'Proxy-Authorization: Basic [redacted]'],
    ['{"headers":{"Authorization":"Bearer abc.def.ghi"}}', '{"headers":{"Authorization":"Bearer [redacted]"}}'],
    ["{ authorization: 'Basic YWxpY2U6c2VjcmV0' }", "{ authorization: 'Basic [redacted]' }"],
    ['X-TeraCLOUD-API-KEY: 0123456789ABCDEF0123456789ABCDEF', 'X-TeraCLOUD-API-KEY: [redacted]'],
  ])('headers: %s', (text, expected) => {
    expect(redactor.redact(text)).toBe(expected);
  });

  it('a bearer token anywhere', () => {
    expect(redactor.redact('retrying with Bearer abcdefgh12345678 after 401')).toBe('retrying with Bearer [redacted] after 401');
  });

  it('BASIC credentials anywhere, but not the word "Basic" in a sentence', () => {
    expect(redactor.redact(`sent Basic ${base64('alice:secret')} to the server`)).toBe('sent Basic [redacted] to the server');
    expect(redactor.redact('Basic authentication failed for alice')).toBe('Basic authentication failed for alice');
  });

  it.each([
    ['https://auth.example/cb?code=SplxlOBeZQQYbYS6WxSbIA&state=xyz', 'https://auth.example/cb?code=[redacted]&state=xyz'],
    ['grant_type=authorization_code&code=abc123&redirect_uri=http%3A%2F%2F127.0.0.1', 'grant_type=authorization_code&code=[redacted]&redirect_uri=http%3A%2F%2F127.0.0.1'],
    ['code=abc123&code_verifier=dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk', 'code=[redacted]&code_verifier=[redacted]'],
    ['grant_type=refresh_token&refresh_token=tGzv3JOkF0XG5Qx2TlKWIA', 'grant_type=refresh_token&refresh_token=[redacted]'],
    ['#access_token=2YotnFZFEjr1zCsicMWpAA&token_type=bearer', '#access_token=[redacted]&token_type=bearer'],
    ['login with password=hunter2 failed', 'login with password=[redacted] failed'],
    ['id_token=eyJ.abc.def client_secret=s3cr3t', 'id_token=[redacted] client_secret=[redacted]'],
    ['/v2/api/ba/user;api_key=0123456789ABCDEF0123456789ABCDEF', '/v2/api/ba/user;api_key=[redacted]'],
  ])('parameters: %s', (text, expected) => {
    expect(redactor.redact(text)).toBe(expected);
  });

  it('keeps "code=" that is not an OAuth2 parameter', () => {
    expect(redactor.redact('rclone exited with exit code=1; errcode=5')).toBe('rclone exited with exit code=1; errcode=5');
  });

  it('secret JSON fields, whatever the value, but not "code"', () => {
    const json = JSON.stringify({
      access_token: 'at-123',
      refresh_token: 'rt-456',
      id_token: 'idt-789',
      password: 'pa"ss\\word',
      code_verifier: 'verifier',
      token_type: 'Bearer',
      expires_in: 3600,
      code: 'Unauthorized',
    });
    expect(redactor.redact(json)).toBe(
      '{"access_token":"[redacted]","refresh_token":"[redacted]","id_token":"[redacted]","password":"[redacted]",' +
        '"code_verifier":"[redacted]","token_type":"Bearer","expires_in":3600,"code":"Unauthorized"}',
    );
    expect(redactor.redact('{ "access_token" : "spaced" }')).toBe('{ "access_token" : "[redacted]" }');
  });

  it('user:password@ in URLs, keeping the user and the rest', () => {
    expect(redactor.redact('PROPFIND https://alice:p%40ss@seto.teracloud.jp/dav/ failed')).toBe(
      'PROPFIND https://alice:[redacted]@seto.teracloud.jp/dav/ failed',
    );
    expect(redactor.redact('https://alice:p@ss@host/x')).toBe('https://alice:[redacted]@host/x');
    expect(redactor.redact('https://seto.teracloud.jp:443/dav/ and mail to bob@example.com')).toBe(
      'https://seto.teracloud.jp:443/dav/ and mail to bob@example.com',
    );
  });
});

describe('isSecretFieldName', () => {
  it.each(['password', 'Password', 'accessToken', 'access_token', 'refreshToken', 'Authorization', 'client-secret', 'x-teracloud-api-key', 'idToken', 'codeVerifier', 'proxyPassword', 'proxy_password'])(
    '%s holds a secret',
    (name) => expect(isSecretFieldName(name)).toBe(true),
  );
  it.each(['code', 'user', 'status', 'path', 'message', 'tokenType'])('%s does not', (name) => expect(isSecretFieldName(name)).toBe(false));
});

describe('redactingLogger', () => {
  interface Line {
    level: string;
    message: string;
    fields?: Record<string, unknown>;
    arguments: number;
  }

  function recordingLogger(): { logger: Logger; lines: Line[] } {
    const lines: Line[] = [];
    const record =
      (level: string) =>
      (...args: [string, Record<string, unknown>?]): void => {
        const line: Line = { level, message: args[0], arguments: args.length };
        if (args[1] !== undefined) line.fields = args[1];
        lines.push(line);
      };
    return { logger: { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') }, lines };
  }

  it('redacts the message at every level, passing no fields when there were none', () => {
    const { logger, lines } = recordingLogger();
    const safe = redactingLogger(logger, redactorWith('my-app-password'));
    safe.debug('debug my-app-password');
    safe.info('info my-app-password');
    safe.warn('warn Authorization: Bearer abcdefgh12345678');
    safe.error('error my-app-password');
    expect(lines).toEqual([
      { level: 'debug', message: 'debug [redacted]', arguments: 1 },
      { level: 'info', message: 'info [redacted]', arguments: 1 },
      { level: 'warn', message: 'warn Authorization: Bearer [redacted]', arguments: 1 },
      { level: 'error', message: 'error [redacted]', arguments: 1 },
    ]);
  });

  it('redacts every string in the fields, nested, and blanks secret-named fields, without touching the original', () => {
    const { logger, lines } = recordingLogger();
    const safe = redactingLogger(logger, redactorWith('my-app-password'));
    const fields = {
      url: 'https://alice:my-app-password@seto.teracloud.jp/dav/',
      attempt: 2,
      ok: false,
      when: new Date(0),
      headers: { Authorization: 'Basic abc', 'Content-Type': 'text/plain' },
      accessToken: { value: 'not a string but still secret' },
      password: 'plain',
      nothing: null,
      list: ['one my-app-password', { refresh_token: 'rt' }, 3],
      target: new URL('https://seto.teracloud.jp/dav/?access_token=abc'),
      body: Buffer.from('my-app-password'),
    };
    const before = JSON.stringify(fields);
    safe.info('request', fields);
    expect(lines[0]!.fields).toEqual({
      url: 'https://alice:[redacted]@seto.teracloud.jp/dav/',
      attempt: 2,
      ok: false,
      when: new Date(0),
      headers: { Authorization: '[redacted]', 'Content-Type': 'text/plain' },
      accessToken: '[redacted]',
      password: '[redacted]',
      nothing: null,
      list: ['one [redacted]', { refresh_token: '[redacted]' }, 3],
      target: 'https://seto.teracloud.jp/dav/?access_token=[redacted]',
      body: '[15 bytes]',
    });
    expect(JSON.stringify(fields), "the caller's object is left as it was").toBe(before);
  });

  it('redacts errors: message, stack, own fields and cause', () => {
    const { logger, lines } = recordingLogger();
    const safe = redactingLogger(logger, redactorWith('my-app-password'));
    const cause = Object.assign(new Error('inner my-app-password'), { password: 'x' });
    const error = Object.assign(new Error('outer my-app-password', { cause }), { status: 401 });
    safe.error('failed', { error });
    const logged = lines[0]!.fields!['error'] as Record<string, unknown>;
    expect(logged['name']).toBe('Error');
    expect(logged['message']).toBe('outer [redacted]');
    expect(logged['status']).toBe(401);
    expect(String(logged['stack'])).toContain('outer [redacted]');
    expect(logged['cause']).toMatchObject({ message: 'inner [redacted]', password: '[redacted]' });
    expect(JSON.stringify(lines)).not.toContain('my-app-password');
  });

  it('survives cycles and repeats', () => {
    const { logger, lines } = recordingLogger();
    const safe = redactingLogger(logger, new SecretRedactor());
    const shared = { name: 'shared' };
    const cyclic: Record<string, unknown> = { shared, again: shared };
    cyclic['self'] = cyclic;
    safe.info('cycle', { cyclic });
    expect(lines[0]!.fields).toEqual({ cyclic: { shared: { name: 'shared' }, again: { name: 'shared' }, self: '[circular]' } });
  });

  it('uses secrets added to the redactor after the logger was made', () => {
    const { logger, lines } = recordingLogger();
    const redactor = new SecretRedactor();
    const safe = redactingLogger(logger, redactor);
    redactor.add('fresh-token-value');
    safe.info('got fresh-token-value', { note: 'fresh-token-value' });
    expect(lines[0]).toMatchObject({ message: 'got [redacted]', fields: { note: '[redacted]' } });
  });
});
