/**
 * OAuth2 sign-in in the system browser (RFC 8252): authorization code with PKCE S256, a
 * random `state`, and the answer caught by a loopback listener on 127.0.0.1.
 *
 * The browser is opened through `openBrowser` (the app passes `shell.openExternal`, the
 * command line prints the address and tries the desktop's opener). It runs alongside the
 * wait: a headless browser in tests resolves only when it has seen the last page, which
 * comes after the token exchange. If it fails, the sign-in fails.
 *
 * When the server names its issuer in the answer (RFC 9207 `iss`), it must be the configured
 * issuer; when its metadata promised `iss`, an answer without it is refused (mix-up defence).
 */
import type { Scheduler, WallClock } from '../../core/time.js';
import { ErrorCode, TeraSyncError } from '../../../shared/errors.js';
import { buildAuthorizationUrl } from './authorizationUrl.js';
import { LoopbackRedirectListener, type AuthorizationResponse } from './LoopbackRedirectListener.js';
import { resolveEndpoints, type OAuthConfig, type OAuthEndpoints } from './OAuthConfig.js';
import { createPkcePair, createState } from './pkce.js';
import { exchangeCode, type TokenSet } from './tokens.js';

export interface SignInWithBrowserOptions {
  config: OAuthConfig;
  /** Opens the address in the user's browser. */
  openBrowser: (url: string) => Promise<void>;
  signal?: AbortSignal;
  /** How long to wait for the browser. Default 5 minutes. */
  timeoutMs?: number;
  /** For the tokens' expiry. Default: the system clock. */
  clock?: WallClock;
  /** For the wait's timeout. Default: systemScheduler. */
  scheduler?: Scheduler;
  /** Already resolved endpoints; without them, discovery runs first. */
  endpoints?: OAuthEndpoints;
}

function checkIssuer(endpoints: OAuthEndpoints, response: AuthorizationResponse): void {
  if (response.issuer === null) {
    if (endpoints.issuerInAuthorizationResponse) {
      throw new TeraSyncError(
        ErrorCode.BadResponse,
        'The sign-in answer does not say which server sent it, although the sign-in server promised to: start the sign-in again.',
      );
    }
    return;
  }
  if (endpoints.issuer !== null && response.issuer !== endpoints.issuer) {
    throw new TeraSyncError(
      ErrorCode.Configuration,
      'The sign-in answer came from another sign-in server than the configured one: TeraSync did not use it. Check the issuer setting.',
    );
  }
}

export async function signInWithBrowser(options: SignInWithBrowserOptions): Promise<TokenSet> {
  const { config, signal } = options;
  const endpoints = options.endpoints ?? (await resolveEndpoints(config, { signal }));
  const pkce = await createPkcePair();
  const state = createState();
  const listener = await LoopbackRedirectListener.start({ state, timeoutMs: options.timeoutMs, signal, scheduler: options.scheduler });
  try {
    const url = buildAuthorizationUrl(endpoints.authorizationEndpoint, {
      clientId: config.clientId,
      redirectUri: listener.redirectUri,
      scopes: config.scopes,
      state,
      codeChallenge: pkce.challenge,
    });
    let opening: Promise<void>;
    try {
      opening = options.openBrowser(url);
    } catch (error) {
      opening = Promise.reject(error);
    }
    opening.catch((error: unknown) => {
      const reason = error instanceof Error ? error.message : String(error);
      listener.fail(new TeraSyncError(ErrorCode.LocalIo, `TeraSync could not open your web browser for the sign-in (${reason}).`, { cause: error }));
    });
    return await listener.waitForAuthorization(async (response) => {
      checkIssuer(endpoints, response);
      return exchangeCode(
        config,
        { code: response.code, codeVerifier: pkce.verifier, redirectUri: listener.redirectUri },
        { endpoints, signal, clock: options.clock },
      );
    });
  } finally {
    await listener.dispose();
  }
}
