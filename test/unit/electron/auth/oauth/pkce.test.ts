import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../../../shared/errors.js';
import { codeChallengeS256, createPkcePair, createState, isValidCodeVerifier } from '../../../../../electron/auth/oauth/pkce.js';

// RFC 7636 Appendix B: the 32 random octets, the verifier they encode to, and its S256 challenge.
const RFC_OCTETS = [
  116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212, 37, 77, 105, 214, 191, 240, 91, 88, 5, 88, 83, 132, 141, 121,
];
const RFC_VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const RFC_CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

describe('PKCE', () => {
  it('computes the S256 challenge of RFC 7636 Appendix B', async () => {
    expect(await codeChallengeS256(RFC_VERIFIER)).toBe(RFC_CHALLENGE);
  });

  it('turns the RFC 7636 Appendix B octets into its verifier and challenge', async () => {
    const pair = await createPkcePair((size) => {
      expect(size).toBe(32);
      return Buffer.from(RFC_OCTETS);
    });
    expect(pair).toEqual({ verifier: RFC_VERIFIER, challenge: RFC_CHALLENGE, method: 'S256' });
  });

  it('makes verifiers of 43 unreserved characters, different every time, whose challenge is base64url(sha256)', async () => {
    const pairs = await Promise.all(Array.from({ length: 50 }, () => createPkcePair()));
    for (const { verifier, challenge } of pairs) {
      expect(verifier).toMatch(/^[A-Za-z0-9\-._~]{43,128}$/);
      expect(challenge).toBe(createHash('sha256').update(verifier).digest('base64url'));
      expect(challenge).not.toMatch(/[=+/]/);
    }
    expect(new Set(pairs.map((p) => p.verifier)).size).toBe(pairs.length);
  });

  it('refuses to hash a verifier RFC 7636 does not allow', async () => {
    for (const verifier of ['short', 'a'.repeat(42), 'a'.repeat(129), `${'a'.repeat(42)} `, `${'a'.repeat(42)}+`]) {
      expect(isValidCodeVerifier(verifier), verifier).toBe(false);
      await expect(codeChallengeS256(verifier)).rejects.toThrow(expect.objectContaining({ code: ErrorCode.InvalidRequest }));
    }
    expect(isValidCodeVerifier('a'.repeat(128))).toBe(true);
    expect(isValidCodeVerifier(`${'a'.repeat(39)}-._~`)).toBe(true);
  });

  it('makes states of at least 128 random bits, different every time', () => {
    const states = Array.from({ length: 50 }, () => createState());
    for (const state of states) {
      expect(state).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(Buffer.from(state, 'base64url').length * 8).toBeGreaterThanOrEqual(128);
    }
    expect(new Set(states).size).toBe(states.length);
  });
});
