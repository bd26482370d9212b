import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../shared/errors.js';
import { boundedString, check, integer, nullable, strictObject, type Same } from '../../../shared/validation.js';

const secret = 'hunter2-do-not-print';

const account = strictObject({
  user: boundedString(64, { nonEmpty: true }),
  password: boundedString(8),
  server: strictObject({ port: integer(1, 65_535), tags: v.array(boundedString(4)) }),
  note: v.optional(boundedString(10)),
});

const good = { user: 'alice', password: 'pw', server: { port: 443, tags: ['a'] } };

describe('check', () => {
  it('answers a fresh copy of what it accepts, without fields left undefined', () => {
    const input = { ...good, note: undefined };
    const result = check(account, input);
    expect(result).toEqual({ ok: true, value: good });
    if (!result.ok) return;
    expect(result.value).not.toBe(input);
    expect(result.value.server).not.toBe(input.server);
    expect(result.value.server.tags).not.toBe(input.server.tags);
    expect('note' in result.value).toBe(false);
  });

  it('names the field path of a nested error and what was expected, with the code asked for', () => {
    expect(check(account, { ...good, server: { port: 443, tags: ['a', 'abcdef'] } }, ErrorCode.InvalidRequest)).toEqual({
      ok: false,
      error: { code: ErrorCode.InvalidRequest, message: 'server.tags[1]: expected at most 4 characters' },
    });
    expect(check(account, { ...good, server: { port: 0, tags: [] } })).toEqual({
      ok: false,
      error: { code: ErrorCode.BadResponse, message: 'server.port: expected an integer from 1 to 65535' },
    });
    expect(check(account, 'text')).toEqual({ ok: false, error: { code: ErrorCode.BadResponse, message: 'expected an object' } });
  });

  it('never puts the value in the message, whatever the rule it breaks', () => {
    const refused = [
      { ...good, password: `${secret}-too-long` },
      { ...good, password: 12 },
      { ...good, user: '' },
      { ...good, token: secret },
      { ...good, server: { port: secret, tags: [] } },
      { ...good, server: { port: 1, tags: [secret] } },
      { ...good, server: new Map([[secret, secret]]) },
      secret,
    ];
    for (const value of refused) {
      const result = check(account, value);
      expect(result.ok).toBe(false);
      if (result.ok) continue;
      expect(result.error.message).not.toContain('hunter2');
      expect(result.error.message).not.toContain('received');
    }
    const picked = check(v.picklist(['a', 'b']), secret);
    expect(picked).toEqual({ ok: false, error: { code: ErrorCode.BadResponse, message: "expected one of 'a', 'b'" } });
  });

  it('calls an unknown field by its path, a missing one by what its schema expects', () => {
    expect(check(account, { ...good, server: { ...good.server, token: secret } })).toEqual({
      ok: false,
      error: { code: ErrorCode.BadResponse, message: 'server.token: expected no such field' },
    });
    const { password: _password, ...withoutPassword } = good;
    expect(check(account, withoutPassword)).toEqual({ ok: false, error: { code: ErrorCode.BadResponse, message: 'password: expected a string' } });
  });

  it('refuses arrays and class instances where a plain object belongs', () => {
    expect(check(strictObject({}), [])).toEqual({ ok: false, error: { code: ErrorCode.BadResponse, message: 'expected an object' } });
    expect(check(strictObject({}), new Date(0))).toEqual({ ok: false, error: { code: ErrorCode.BadResponse, message: 'expected a plain object' } });
    expect(check(strictObject({}), Object.create(null))).toEqual({ ok: true, value: {} });
  });

  it('words a nullable value that is neither as it was told, and keeps a deeper error as it is', () => {
    const name = nullable(boundedString(3), 'a name');
    expect(check(name, null)).toEqual({ ok: true, value: null });
    expect(check(name, 5)).toEqual({ ok: false, error: { code: ErrorCode.BadResponse, message: 'expected a name or null' } });
    expect(check(name, 'long')).toEqual({ ok: false, error: { code: ErrorCode.BadResponse, message: 'expected a name or null' } });
    const pair = nullable(strictObject({ id: boundedString(3) }), 'a pair');
    expect(check(pair, 'pair')).toEqual({ ok: false, error: { code: ErrorCode.BadResponse, message: 'expected a pair or null' } });
    expect(check(pair, { id: 'long' })).toEqual({ ok: false, error: { code: ErrorCode.BadResponse, message: 'id: expected at most 3 characters' } });
  });

  it('has a compile-time check that sees two types drift apart (tsc runs it)', () => {
    const same: Same<v.InferOutput<typeof account>['server'], { port: number; tags: string[] }> = true;
    // @ts-expect-error: an optional field is not a required one that may be undefined.
    const optional: Same<{ a?: string }, { a: string | undefined }> = true;
    // @ts-expect-error: a field more is a different type.
    const wider: Same<{ a: string }, { a: string; b: number }> = true;
    expect([same, optional, wider]).toEqual([true, true, true]);
  });
});
