/**
 * account.json field by field: what parseAccountRecord reads, what it fills in, what it
 * refuses and with which words, and what AccountFile does with a file it cannot use. The
 * certificates of `caPem` are checked with real ones in test/integration/auth/advancedSignIn.test.ts.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AccountFile, parseAccountRecord } from '../../../../electron/auth/AccountRecord.js';
import { ErrorCode, TeraSyncError } from '../../../../shared/errors.js';
import { FakeClock } from '../../../support/fakeClock.js';

const KEY = '0123456789ABCDEF0123456789ABCDEF';

const basic = {
  version: 1,
  userId: 'alice',
  origin: 'https://seto.teracloud.jp',
  node: 'seto',
  method: 'basic',
  basicPreemptive: true,
  basicSignIn: true,
  oauth: null,
  api: null,
};

const oauth = { issuer: 'https://auth.example', clientId: 'terasync', scopes: ['dav', 'offline_access'] };

const oauth2 = { ...basic, method: 'oauth2', basicSignIn: false, oauth, api: { baseUrl: 'https://api.teracloud.jp/', applicationKey: KEY, keyPlacement: 'matrix' } };

/** The Configuration message parseAccountRecord throws for `json`. */
function refusal(json: unknown): string {
  try {
    parseAccountRecord(json);
  } catch (error) {
    expect(error).toBeInstanceOf(TeraSyncError);
    expect((error as TeraSyncError).code).toBe(ErrorCode.Configuration);
    return (error as Error).message;
  }
  throw new Error('the record was read');
}

describe('parseAccountRecord', () => {
  it('reads a BASIC account', () => {
    const { version: _version, ...record } = basic;
    expect(parseAccountRecord(basic)).toStrictEqual(record);
  });

  it('reads an OAuth2 account with its REST settings', () => {
    expect(parseAccountRecord(oauth2)).toStrictEqual({
      userId: 'alice',
      origin: 'https://seto.teracloud.jp',
      node: 'seto',
      method: 'oauth2',
      basicPreemptive: true,
      basicSignIn: false,
      oauth,
      api: { baseUrl: 'https://api.teracloud.jp/', applicationKey: KEY, keyPlacement: 'matrix' },
    });
  });

  it('fills in what may be left out: preemptive BASIC on, no Apps password, no OAuth2, no REST, the header placement, no CA', () => {
    const record = parseAccountRecord({ version: 1, userId: 'alice', origin: 'https://seto.teracloud.jp/', node: 'seto', method: 'basic', api: { baseUrl: 'https://api.teracloud.jp/', applicationKey: ` ${KEY} ` } });
    expect(record).toStrictEqual({
      userId: 'alice',
      origin: 'https://seto.teracloud.jp',
      node: 'seto',
      method: 'basic',
      basicPreemptive: true,
      basicSignIn: false,
      oauth: null,
      api: { baseUrl: 'https://api.teracloud.jp/', applicationKey: KEY, keyPlacement: 'header' },
    });
    expect(Object.keys(record)).not.toContain('caPem');
  });

  it('turns preemptive BASIC off only for false, and counts an Apps password only for true', () => {
    expect(parseAccountRecord({ ...basic, basicPreemptive: false }).basicPreemptive).toBe(false);
    expect(parseAccountRecord({ ...basic, basicPreemptive: 'no' }).basicPreemptive).toBe(true);
    expect(parseAccountRecord({ ...basic, basicPreemptive: null }).basicPreemptive).toBe(true);
    expect(parseAccountRecord({ ...basic, basicSignIn: 'yes' }).basicSignIn).toBe(false);
    expect(parseAccountRecord({ ...basic, basicSignIn: 1 }).basicSignIn).toBe(false);
  });

  it('keeps only the OAuth2 endpoints it was given, and takes a null endpoint as none', () => {
    const endpoints = { clientId: 'c', scopes: [], authorizationEndpoint: 'https://auth.example/authorize', tokenEndpoint: 'https://auth.example/token', issuer: null };
    const record = parseAccountRecord({ ...oauth2, oauth: endpoints });
    expect(record.oauth).toStrictEqual({ clientId: 'c', scopes: [], authorizationEndpoint: 'https://auth.example/authorize', tokenEndpoint: 'https://auth.example/token' });
  });

  it('accepts plain HTTP on a loopback address (test servers) and keeps the origin without its slash', () => {
    expect(parseAccountRecord({ ...basic, origin: 'http://127.0.0.1:8080/' }).origin).toBe('http://127.0.0.1:8080');
  });

  it('ignores fields it does not know, at the top and inside oauth and api', () => {
    const record = parseAccountRecord({ ...oauth2, colour: 'blue', oauth: { ...oauth, prompt: 'login' }, api: { ...oauth2.api, region: 'jp' } });
    expect(record).toStrictEqual(parseAccountRecord(oauth2));
  });

  it('does not change the JSON it was given', () => {
    const json = structuredClone({ ...oauth2, origin: 'https://seto.teracloud.jp/' });
    parseAccountRecord(json);
    expect(json).toEqual({ ...oauth2, origin: 'https://seto.teracloud.jp/' });
  });

  it.each([
    ['a list', [], 'it is not a JSON object'],
    ['null', null, 'it is not a JSON object'],
    ['no version', { ...basic, version: undefined }, '"version" must be 1'],
    ['version 2', { ...basic, version: 2 }, '"version" must be 1'],
    ['version "1"', { ...basic, version: '1' }, '"version" must be 1'],
    ['no method', { ...basic, method: undefined }, 'method must be "oauth2" or "basic"'],
    ['an unknown method', { ...basic, method: 'digest' }, 'method must be "oauth2" or "basic"'],
    ['no origin', { ...basic, origin: undefined }, 'origin must be a non-empty string'],
    ['a blank origin', { ...basic, origin: '  ' }, 'origin must be a non-empty string'],
    ['an origin that is not a URL', { ...basic, origin: 'seto.teracloud.jp' }, 'origin is not a URL'],
    ['an origin over plain HTTP', { ...basic, origin: 'http://seto.teracloud.jp' }, 'origin: http://seto.teracloud.jp is plain HTTP'],
    ['an origin of another scheme', { ...basic, origin: 'ftp://seto.teracloud.jp' }, 'origin: ftp: is not a web address'],
    ['an origin with a user', { ...basic, origin: 'https://alice@seto.teracloud.jp' }, 'origin must not hold credentials'],
    ['an origin with a path', { ...basic, origin: 'https://seto.teracloud.jp/dav/' }, 'origin must be a bare origin such as https://seto.teracloud.jp'],
    ['no user', { ...basic, userId: undefined }, 'userId must be a non-empty string'],
    ['a blank user', { ...basic, userId: ' ' }, 'userId must be a non-empty string'],
    ['a user that is a number', { ...basic, userId: 7 }, 'userId must be a non-empty string'],
    ['no node', { ...basic, node: undefined }, 'node must be a non-empty string'],
    ['oauth that is a list', { ...basic, oauth: [] }, 'oauth must be an object'],
    ['oauth as text', { ...basic, oauth: 'yes' }, 'oauth must be an object'],
    ['oauth scopes missing', { ...basic, oauth: { ...oauth, scopes: undefined } }, 'oauth.scopes must be a list of scope names'],
    ['an empty scope', { ...basic, oauth: { ...oauth, scopes: ['dav', ''] } }, 'oauth.scopes must be a list of scope names'],
    ['a scope that is a number', { ...basic, oauth: { ...oauth, scopes: [1] } }, 'oauth.scopes must be a list of scope names'],
    ['no client id', { ...basic, oauth: { ...oauth, clientId: undefined } }, 'oauth.clientId must be a non-empty string'],
    ['an issuer that is not a URL', { ...basic, oauth: { ...oauth, issuer: 'auth' } }, 'oauth.issuer is not a URL'],
    ['a token endpoint over plain HTTP', { ...basic, oauth: { ...oauth, tokenEndpoint: 'http://auth.example/token' } }, 'oauth.tokenEndpoint: http://auth.example is plain HTTP'],
    ['a revocation endpoint with a password', { ...basic, oauth: { ...oauth, revocationEndpoint: 'https://a:b@auth.example/' } }, 'oauth.revocationEndpoint must not hold credentials'],
    ['no issuer and one endpoint', { ...basic, oauth: { clientId: 'c', scopes: [], authorizationEndpoint: 'https://auth.example/a' } }, 'oauth needs an issuer, or both authorizationEndpoint and tokenEndpoint'],
    ['an OAuth2 account without oauth', { ...oauth2, oauth: null }, 'an OAuth2 account needs its oauth settings'],
    ['api that is a list', { ...basic, api: [] }, 'api must be an object'],
    ['an unknown key placement', { ...basic, api: { ...oauth2.api, keyPlacement: 'query' } }, 'api.keyPlacement must be "header" or "matrix"'],
    ['an API base over plain HTTP', { ...basic, api: { ...oauth2.api, baseUrl: 'http://api.example/' } }, 'api.baseUrl: http://api.example is plain HTTP'],
    ['no application key', { ...basic, api: { baseUrl: 'https://api.teracloud.jp/' } }, 'api.applicationKey must be a non-empty string'],
    ['a lowercase application key', { ...basic, api: { ...oauth2.api, applicationKey: KEY.toLowerCase() } }, 'The API key'],
    ['an application key of 31 digits', { ...basic, api: { ...oauth2.api, applicationKey: KEY.slice(1) } }, 'The API key has 31 characters instead of 32'],
    ['a user of 257 characters', { ...basic, userId: 'u'.repeat(257) }, 'userId is longer than 256 characters'],
    ['a node of 257 characters', { ...basic, node: 'n'.repeat(257) }, 'node is longer than 256 characters'],
    ['an origin of more than 8,192 characters', { ...basic, origin: `https://${'a'.repeat(8_190)}.jp` }, 'origin is longer than 8192 characters'],
    ['101 scopes', { ...basic, oauth: { ...oauth, scopes: Array.from({ length: 101 }, (_, i) => `s${i}`) } }, 'oauth.scopes must be a list of at most 100 scope names of at most 256 characters'],
    ['a scope of 257 characters', { ...basic, oauth: { ...oauth, scopes: ['s'.repeat(257)] } }, 'oauth.scopes must be a list of at most 100 scope names'],
    ['a CA that is a number', { ...basic, caPem: 7 }, 'caPem must be the text of PEM certificates'],
    ['a CA of more than 1 MiB', { ...basic, caPem: 'x'.repeat(1024 * 1024 + 1) }, 'caPem must be the text of PEM certificates'],
    ['a CA that is no certificate', { ...basic, caPem: 'not a certificate' }, 'caPem is not a PEM certificate'],
  ])('refuses %s', (_name, json, message) => {
    expect(refusal(json)).toContain(message);
  });

  it('names the first problem in the order the fields are checked: version, method, origin, then the rest', () => {
    expect(refusal({ ...basic, version: 2, method: 'digest' })).toBe('"version" must be 1');
    expect(refusal({ ...basic, method: 'digest', origin: 'x' })).toBe('method must be "oauth2" or "basic"');
    expect(refusal({ ...basic, origin: 'x', userId: '' })).toBe('origin is not a URL');
  });
});

describe('AccountFile.read', () => {
  /** 2025-01-02T03:04:05.000Z */
  const now = Date.UTC(2025, 0, 2, 3, 4, 5);
  let folder: string;
  let file: AccountFile;

  beforeEach(async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'terasync-account-'));
    file = new AccountFile(folder, new FakeClock(now));
  });

  afterEach(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('gives no account and no problem when there is no file', async () => {
    expect(await file.read()).toEqual({ record: null, problem: null });
  });

  it('reads what write() wrote', async () => {
    const record = parseAccountRecord(oauth2);
    await file.write(record);
    expect(await file.read()).toEqual({ record, problem: null });
  });

  it('moves a file that is not valid aside, naming the field, and asks to sign in again', async () => {
    const text = JSON.stringify({ ...basic, node: '' });
    await writeFile(file.file, text);
    const { record, problem } = await file.read();
    expect(record).toBeNull();
    const movedTo = `${file.file}.corrupt-2025-01-02T03-04-05-000Z`;
    expect(problem?.code).toBe(ErrorCode.Configuration);
    expect(problem?.message).toBe(`${file.file} was damaged (node must be a non-empty string); it was moved to ${movedTo}. Sign in again.`);
    expect(await readdir(folder)).toEqual([path.basename(movedTo)]);
    expect(await readFile(movedTo, 'utf8')).toBe(text);
  });

  it.each([
    ['oauth.clientSecret', { ...oauth2, oauth: { ...oauth, clientSecret: 'hunter2' } }],
    ['api.accessToken', { ...oauth2, api: { ...oauth2.api, accessToken: 'hunter2' } }],
    ['refresh_token', { ...basic, refresh_token: 'hunter2' }],
    ['caPem', { ...basic, caPem: '-----BEGIN PRIVATE KEY-----\nhunter2\n-----END PRIVATE KEY-----\n' }],
  ])('refuses a file with a secret (%s), leaves it in place, and names the field, not the value', async (field, json) => {
    await writeFile(file.file, JSON.stringify(json));
    const { record, problem } = await file.read();
    expect(record).toBeNull();
    expect(problem?.code).toBe(ErrorCode.Configuration);
    expect(problem?.message).toContain(`its field "${field}" looks like a secret`);
    expect(problem?.message).not.toContain('hunter2');
    expect(await readdir(folder)).toEqual(['account.json']);
  });

  it('takes tokenEndpoint for an address, not a token', async () => {
    const json = { ...oauth2, oauth: { clientId: 'c', scopes: [], authorizationEndpoint: 'https://auth.example/a', tokenEndpoint: 'https://auth.example/t' } };
    await writeFile(file.file, JSON.stringify(json));
    expect((await file.read()).problem).toBeNull();
  });
});
