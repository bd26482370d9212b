/**
 * The TeraSyncError a promise rejects with, for a test to look at its code, status and words.
 * The test fails when the promise resolves, or rejects with anything but a TeraSyncError.
 * `hiding`: strings the error's message must not contain (a password, a key, a token).
 *
 * Where one look at the error is enough, `await expect(p).rejects.toMatchObject({ code })`
 * says the same without this helper.
 */
import { expect } from 'vitest';
import { TeraSyncError } from '../../shared/errors.js';

export async function failure(promise: Promise<unknown>, options: { hiding?: readonly string[] } = {}): Promise<TeraSyncError> {
  const outcome = await promise.then(
    (value: unknown) => ({ rejected: false as const, value }),
    (error: unknown) => ({ rejected: true as const, error }),
  );
  if (!outcome.rejected) throw new Error(`expected a TeraSyncError, but the promise resolved (${describe(outcome.value)})`);
  expect(outcome.error, `the rejection: ${String(outcome.error)}`).toBeInstanceOf(TeraSyncError);
  const error = outcome.error as TeraSyncError;
  for (const secret of options.hiding ?? []) expect(error.message).not.toContain(secret);
  return error;
}

function describe(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
