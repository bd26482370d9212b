/**
 * Runtime validators for every payload that crosses the process boundary: each request the
 * renderer sends (main checks it before acting) and each response main sends (checked before
 * it leaves, so the renderer only ever sees what the contract promises and never a field that
 * slipped in, such as a token).
 *
 * Hand-written on purpose: a handful of readers below, no dependency. Objects are strict (an
 * unknown field is an error, not silently passed on) and every validator returns a fresh copy.
 */
import { ErrorCode, type ErrorInfo, type Result } from '../errors.js';
import type { AccountSummary, AppOverview, AuthMethod, PairSummary } from '../types.js';
import type { IpcChannel, IpcRequest, IpcResponse } from './contract.js';

export type Validator<T> = (value: unknown) => Result<T>;

/** A malformed message from the other process; requests are relabelled InvalidRequest below. */
const invalidPayloadCode = ErrorCode.BadResponse;

/** Generous bounds for paths, URLs and names; they only stop absurd payloads. */
const maxStringLength = 32_768;
const maxArrayLength = 10_000;

class SchemaViolation extends Error {
  constructor(
    readonly path: string,
    readonly expected: string,
  ) {
    super(path === '' ? `expected ${expected}` : `${path}: expected ${expected}`);
  }
}

type Reader<T> = (value: unknown, path: string) => T;

function child(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}

function readString(value: unknown, path: string): string {
  if (typeof value !== 'string') throw new SchemaViolation(path, 'a string');
  if (value.length > maxStringLength) throw new SchemaViolation(path, `at most ${maxStringLength} characters`);
  return value;
}

function nullable<T>(read: Reader<T>, expected: string): Reader<T | null> {
  return (value, path) => {
    if (value === null) return null;
    try {
      return read(value, path);
    } catch (error) {
      if (error instanceof SchemaViolation && error.path === path) throw new SchemaViolation(path, `${expected} or null`);
      throw error;
    }
  };
}

function oneOf<const T extends string>(allowed: readonly T[]): Reader<T> {
  return (value, path) => {
    if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
    throw new SchemaViolation(path, `one of ${allowed.map((item) => `'${item}'`).join(', ')}`);
  };
}

function readArray<T>(value: unknown, path: string, readItem: Reader<T>): T[] {
  if (!Array.isArray(value)) throw new SchemaViolation(path, 'an array');
  if (value.length > maxArrayLength) throw new SchemaViolation(path, `at most ${maxArrayLength} items`);
  return value.map((item, index) => readItem(item, child(path, index)));
}

/** A plain object with exactly the given fields (each may still be undefined; readers decide). */
function readRecord<K extends string>(value: unknown, path: string, keys: readonly K[]): Record<K, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new SchemaViolation(path, 'an object');
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) throw new SchemaViolation(path, 'a plain object');
  for (const key of Object.keys(value)) {
    if (!(keys as readonly string[]).includes(key)) throw new SchemaViolation(child(path, key), 'no such field');
  }
  return value as Record<K, unknown>;
}

const authMethods: readonly AuthMethod[] = ['basic', 'oauth2'];
const errorCodes = Object.values(ErrorCode);

const readNullableString = nullable(readString, 'a string');
const readNullableAuthMethod = nullable(oneOf(authMethods), `one of ${authMethods.map((m) => `'${m}'`).join(', ')}`);

function readAccountSummary(value: unknown, path: string): AccountSummary {
  const record = readRecord(value, path, ['user', 'server', 'method']);
  return {
    user: readNullableString(record.user, child(path, 'user')),
    server: readNullableString(record.server, child(path, 'server')),
    method: readNullableAuthMethod(record.method, child(path, 'method')),
  };
}

function readPairSummary(value: unknown, path: string): PairSummary {
  const record = readRecord(value, path, ['localFolder', 'remoteUrl']);
  return {
    localFolder: readString(record.localFolder, child(path, 'localFolder')),
    remoteUrl: readString(record.remoteUrl, child(path, 'remoteUrl')),
  };
}

function readErrorInfo(value: unknown, path: string): ErrorInfo {
  const record = readRecord(value, path, ['code', 'message']);
  return {
    code: oneOf(errorCodes)(record.code, child(path, 'code')),
    message: readString(record.message, child(path, 'message')),
  };
}

const readNullableErrorInfo = nullable(readErrorInfo, 'an object');

function readAppOverview(value: unknown, path: string): AppOverview {
  const record = readRecord(value, path, ['account', 'pairs', 'settingsFile', 'settingsProblem']);
  return {
    account: readAccountSummary(record.account, child(path, 'account')),
    pairs: readArray(record.pairs, child(path, 'pairs'), readPairSummary),
    settingsFile: readString(record.settingsFile, child(path, 'settingsFile')),
    settingsProblem: readNullableErrorInfo(record.settingsProblem, child(path, 'settingsProblem')),
  };
}

function readNoPayload(value: unknown, path: string): undefined {
  if (value !== undefined) throw new SchemaViolation(path, 'no payload');
  return undefined;
}

function toValidator<T>(read: Reader<T>): Validator<T> {
  return (value) => {
    try {
      return { ok: true, value: read(value, '') };
    } catch (error) {
      if (error instanceof SchemaViolation) return { ok: false, error: { code: invalidPayloadCode, message: error.message } };
      throw error;
    }
  };
}

export const validateNoPayload: Validator<undefined> = toValidator(readNoPayload);
export const validateAppOverview: Validator<AppOverview> = toValidator(readAppOverview);

/** Every channel's request validator; the mapped type makes a missing one a compile error. */
export const requestValidators: { readonly [C in IpcChannel]: Validator<IpcRequest<C>> } = {
  'app:getOverview': validateNoPayload,
};

/** Every channel's response validator. */
export const responseValidators: { readonly [C in IpcChannel]: Validator<IpcResponse<C>> } = {
  'app:getOverview': validateAppOverview,
};

function withContext<T>(result: Result<T>, context: string): Result<T> {
  if (result.ok) return result;
  return { ok: false, error: { code: result.error.code, message: `${context}: ${result.error.message}` } };
}

/** Checks what the renderer sent on `channel`; the error message names the channel and field. */
export function validateRequest<C extends IpcChannel>(channel: C, payload: unknown): Result<IpcRequest<C>> {
  const validate = requestValidators[channel] as Validator<IpcRequest<C>>;
  const result = validate(payload);
  if (result.ok) return result;
  return { ok: false, error: { code: ErrorCode.InvalidRequest, message: `Invalid ${channel} request: ${result.error.message}` } };
}

/** Checks what main is about to answer on `channel`. */
export function validateResponse<C extends IpcChannel>(channel: C, payload: unknown): Result<IpcResponse<C>> {
  const validate = responseValidators[channel] as Validator<IpcResponse<C>>;
  return withContext(validate(payload), `Invalid ${channel} response`);
}
