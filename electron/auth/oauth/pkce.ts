/**
 * PKCE (RFC 7636) with S256 only, and the `state` value, from oauth4webapi (which draws on
 * the platform's secure random source, 32 bytes each). The `plain` method is never offered:
 * it would hand the verifier to anyone who sees the authorization URL.
 */
import * as oauth from 'oauth4webapi';
import { ErrorCode, TeraSyncError } from '../../../shared/errors.js';

export interface PkcePair {
  /** 43 to 128 characters of [A-Za-z0-9-._~] (RFC 7636 §4.1). Secret: sent only to the token endpoint. */
  verifier: string;
  /** BASE64URL(SHA256(ASCII(verifier))) (RFC 7636 §4.2). */
  challenge: string;
  method: 'S256';
}

/** Bytes of randomness behind a verifier given by `random`: 32 give 43 characters, 256 bits. */
const VERIFIER_BYTES = 32;
/** Bytes of randomness behind a state given by `random`: 32 give 256 bits (at least 128 are needed). */
const STATE_BYTES = 32;

const VERIFIER_PATTERN = /^[A-Za-z0-9\-._~]{43,128}$/;

/** Another source of random bytes, for tests that replay RFC 7636's example. */
export type RandomBytes = (size: number) => Buffer;

export function isValidCodeVerifier(verifier: string): boolean {
  return VERIFIER_PATTERN.test(verifier);
}

export async function codeChallengeS256(verifier: string): Promise<string> {
  if (!isValidCodeVerifier(verifier)) {
    throw new TeraSyncError(ErrorCode.InvalidRequest, 'A PKCE code verifier must be 43 to 128 characters of A-Z, a-z, 0-9, "-", ".", "_" and "~".');
  }
  return oauth.calculatePKCECodeChallenge(verifier);
}

export async function createPkcePair(random?: RandomBytes): Promise<PkcePair> {
  // base64url's alphabet is a subset of the unreserved characters.
  const verifier = random === undefined ? oauth.generateRandomCodeVerifier() : random(VERIFIER_BYTES).toString('base64url');
  return { verifier, challenge: await codeChallengeS256(verifier), method: 'S256' };
}

export function createState(random?: RandomBytes): string {
  return random === undefined ? oauth.generateRandomState() : random(STATE_BYTES).toString('base64url');
}
