/**
 * PKCE (RFC 7636) with S256 only, and the `state` value, both from the OS's secure random
 * source. The `plain` method is never offered: it would hand the verifier to anyone who sees
 * the authorization URL.
 */
import { createHash, randomBytes } from 'node:crypto';
import { ErrorCode, TeraSyncError } from '../../../shared/errors.js';

export interface PkcePair {
  /** 43 to 128 characters of [A-Za-z0-9-._~] (RFC 7636 §4.1). Secret: sent only to the token endpoint. */
  verifier: string;
  /** BASE64URL(SHA256(ASCII(verifier))) (RFC 7636 §4.2). */
  challenge: string;
  method: 'S256';
}

/** Bytes of randomness behind a verifier: 32 give 43 characters, 256 bits. */
const VERIFIER_BYTES = 32;
/** Bytes of randomness behind a state: 32 give 256 bits (at least 128 are needed). */
const STATE_BYTES = 32;

const VERIFIER_PATTERN = /^[A-Za-z0-9\-._~]{43,128}$/;

export type RandomBytes = (size: number) => Buffer;

export function isValidCodeVerifier(verifier: string): boolean {
  return VERIFIER_PATTERN.test(verifier);
}

export function codeChallengeS256(verifier: string): string {
  if (!isValidCodeVerifier(verifier)) {
    throw new TeraSyncError(ErrorCode.InvalidRequest, 'A PKCE code verifier must be 43 to 128 characters of A-Z, a-z, 0-9, "-", ".", "_" and "~".');
  }
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

export function createPkcePair(random: RandomBytes = randomBytes): PkcePair {
  // base64url's alphabet is a subset of the unreserved characters.
  const verifier = random(VERIFIER_BYTES).toString('base64url');
  return { verifier, challenge: codeChallengeS256(verifier), method: 'S256' };
}

export function createState(random: RandomBytes = randomBytes): string {
  return random(STATE_BYTES).toString('base64url');
}
