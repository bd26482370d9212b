import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../../shared/errors.js';
import { ipcChannels, ipcMethods } from '../../../../shared/ipc/contract.js';
import {
  requestValidators,
  responseValidators,
  validateAppOverview,
  validateRequest,
  validateResponse,
} from '../../../../shared/ipc/schemas.js';
import type { AppOverview } from '../../../../shared/types.js';

function overview(): AppOverview {
  return {
    account: { user: 'alice', server: 'https://seto.teracloud.jp/dav/', method: 'basic' },
    pairs: [{ localFolder: '/home/alice/TeraCLOUD', remoteUrl: 'https://seto.teracloud.jp/dav/Sync/' }],
    settingsFile: '/home/alice/.config/TeraSync/settings.json',
    settingsProblem: null,
  };
}

function failureMessage(result: { ok: boolean; error?: { message: string } }): string {
  expect(result.ok).toBe(false);
  return result.error?.message ?? '';
}

describe('the contract', () => {
  it('has a function name, a request validator and a response validator for every channel', () => {
    expect(ipcChannels).toEqual(['app:getOverview']);
    for (const channel of ipcChannels) {
      expect(ipcMethods[channel]).toMatch(/^[a-z][A-Za-z]+$/);
      expect(requestValidators[channel]).toBeTypeOf('function');
      expect(responseValidators[channel]).toBeTypeOf('function');
    }
  });

  it('names channels domain:verb', () => {
    for (const channel of ipcChannels) expect(channel).toMatch(/^[a-z]+:[a-z][A-Za-z]+$/);
  });
});

describe('app:getOverview request', () => {
  it('accepts no payload', () => {
    expect(validateRequest('app:getOverview', undefined)).toEqual({ ok: true, value: undefined });
  });

  it.each([null, 0, '', 'x', {}, [], { path: '/etc/passwd' }])('refuses the payload %j', (payload) => {
    const result = validateRequest('app:getOverview', payload);
    expect(result).toEqual({
      ok: false,
      error: { code: ErrorCode.InvalidRequest, message: 'Invalid app:getOverview request: expected no payload' },
    });
  });
});

describe('AppOverview', () => {
  it('accepts a full overview and returns a copy', () => {
    const value = overview();
    const result = validateAppOverview(value);
    expect(result).toEqual({ ok: true, value });
    expect(result.ok && result.value).not.toBe(value);
    expect(result.ok && result.value.pairs).not.toBe(value.pairs);
  });

  it('accepts an overview with no account, no pairs and a settings problem', () => {
    const value: AppOverview = {
      account: { user: null, server: null, method: null },
      pairs: [],
      settingsFile: '/tmp/settings.json',
      settingsProblem: { code: ErrorCode.Configuration, message: 'The settings file was damaged.' },
    };
    expect(validateAppOverview(value)).toEqual({ ok: true, value });
  });

  it('accepts the oauth2 method', () => {
    const value = overview();
    value.account.method = 'oauth2';
    expect(validateAppOverview(value).ok).toBe(true);
  });

  it.each([
    ['not an object', 'nope', 'expected an object'],
    ['an array', [], 'expected an object'],
    ['a missing account', { ...overview(), account: undefined }, 'account: expected an object'],
    ['a numeric user', { ...overview(), account: { user: 7, server: null, method: null } }, 'account.user: expected a string or null'],
    ['an unknown method', { ...overview(), account: { user: null, server: null, method: 'digest' } }, "account.method: expected one of 'basic', 'oauth2' or null"],
    ['pairs not an array', { ...overview(), pairs: {} }, 'pairs: expected an array'],
    ['a pair without remoteUrl', { ...overview(), pairs: [{ localFolder: '/a' }] }, 'pairs[0].remoteUrl: expected a string'],
    ['a missing settingsFile', { ...overview(), settingsFile: undefined }, 'settingsFile: expected a string'],
    ['an unknown error code', { ...overview(), settingsProblem: { code: 'Oops', message: 'x' } }, 'settingsProblem.code: expected one of'],
    ['a problem that is a string', { ...overview(), settingsProblem: 'broken' }, 'settingsProblem: expected an object or null'],
    ['a huge string', { ...overview(), settingsFile: 'x'.repeat(40_000) }, 'settingsFile: expected at most'],
  ])('refuses %s', (_name, value, expected) => {
    const result = validateAppOverview(value);
    expect(failureMessage(result)).toContain(expected);
    expect(!result.ok && result.error.code).toBe(ErrorCode.BadResponse);
  });

  it('refuses a field the contract does not have, so nothing extra (a token) crosses', () => {
    const value = { ...overview(), account: { ...overview().account, accessToken: 'secret' } };
    expect(failureMessage(validateAppOverview(value))).toBe('account.accessToken: expected no such field');
    expect(failureMessage(validateAppOverview({ ...overview(), extra: 1 }))).toBe('extra: expected no such field');
  });

  it('refuses objects that are not plain', () => {
    class Overview {
      account = overview().account;
      pairs = [];
      settingsFile = '/s';
      settingsProblem = null;
    }
    expect(failureMessage(validateAppOverview(new Overview()))).toBe('expected a plain object');
  });

  it('names the channel when the response is invalid', () => {
    expect(failureMessage(validateResponse('app:getOverview', { ...overview(), pairs: null }))).toBe(
      'Invalid app:getOverview response: pairs: expected an array',
    );
  });
});
