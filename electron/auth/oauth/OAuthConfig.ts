/**
 * Where the OAuth2 sign-in goes. TeraCLOUD has not published its OAuth2 endpoints, scopes or
 * client registration (docs/SERVICE.md, OAuth2), so all of it is configuration: an issuer, whose
 * metadata is discovered, or the endpoints themselves, or both (an endpoint set explicitly
 * wins over the discovered one).
 *
 * Discovery tries RFC 8414 first (`/.well-known/oauth-authorization-server`, inserted before
 * the issuer's path), then OpenID Connect Discovery (`/.well-known/openid-configuration`,
 * appended to the issuer). The document must name exactly the configured issuer (RFC 8414
 * §3.3): a document for another issuer is refused, because trusting it would let one server
 * send the sign-in, the code and the tokens to another (a mix-up attack).
 *
 * Discovery stays here rather than in oauth4webapi (which sends the token requests, see
 * tokens.ts): its discoveryRequest knows two of the three addresses tried, and its issuer
 * check compares the URLs after normalising them, where RFC 8414 asks for the identical
 * string. The requests go through httpRequest like the library's.
 */
import { ErrorCode, TeraSyncError } from '../../../shared/errors.js';
import { httpRequest, parseJsonBody } from '../../net/httpRequest.js';
import { insecureUrlReason } from '../../net/tls.js';

export interface OAuthConfig {
  /** The authorization server's issuer identifier, for discovery, e.g. `https://auth.example`. */
  issuer?: string;
  authorizationEndpoint?: string;
  tokenEndpoint?: string;
  revocationEndpoint?: string;
  clientId: string;
  scopes: string[];
  /** PEM of a private CA, trusted in addition to the system roots. */
  ca?: string;
}

export interface OAuthEndpoints {
  /** The configured issuer (verified against the metadata when it was discovered), or null. */
  issuer: string | null;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  /** Null when the server has none: sign-out then only forgets the tokens locally. */
  revocationEndpoint: string | null;
  /**
   * True when the server said (RFC 9207) that it puts `iss` on every authorization answer:
   * an answer without it is then refused.
   */
  issuerInAuthorizationResponse: boolean;
}

export interface OAuthRequestOptions {
  signal?: AbortSignal;
  /** Per request. Default: httpRequest's (30 s). */
  timeoutMs?: number;
}

/** Words for error messages. */
export const SIGN_IN_SERVER = 'the sign-in server';

const SETTING_NAMES = {
  authorizationEndpoint: 'authorizationEndpoint',
  tokenEndpoint: 'tokenEndpoint',
} as const;

function configurationError(message: string): TeraSyncError {
  return new TeraSyncError(ErrorCode.Configuration, message);
}

/** Parses an endpoint (configured or discovered): https, or http to loopback only. */
function checkedEndpoint(value: string, what: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw configurationError(`The OAuth2 ${what} "${value}" is not a web address.`);
  }
  const reason = insecureUrlReason(url);
  if (reason !== null) throw configurationError(`The OAuth2 ${what} cannot be used: ${reason}`);
  return url.href;
}

/** The metadata addresses to try, in order. */
export function discoveryUrls(issuer: string): string[] {
  const url = new URL(issuer);
  const path = url.pathname.replace(/\/+$/, '');
  const urls = [`${url.origin}/.well-known/oauth-authorization-server${path}`];
  // Some servers with a path in their issuer serve RFC 8414 metadata appended, like OIDC.
  if (path !== '') urls.push(`${url.origin}${path}/.well-known/oauth-authorization-server`);
  urls.push(`${url.origin}${path}/.well-known/openid-configuration`);
  return urls;
}

interface Discovered {
  metadata: Record<string, unknown>;
  from: string;
}

async function discover(issuer: string, config: OAuthConfig, options: OAuthRequestOptions): Promise<Discovered> {
  const tried: string[] = [];
  for (const url of discoveryUrls(issuer)) {
    const response = await httpRequest(url, {
      headers: { Accept: 'application/json' },
      ca: config.ca,
      signal: options.signal,
      timeoutMs: options.timeoutMs,
      what: SIGN_IN_SERVER,
    });
    if (response.status !== 200) {
      tried.push(`${url} (${response.status})`);
      continue;
    }
    const metadata = parseJsonBody(response, `The sign-in server (${url})`);
    if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) {
      throw new TeraSyncError(ErrorCode.BadResponse, `The sign-in server's metadata at ${url} is not a JSON object.`);
    }
    return { metadata: metadata as Record<string, unknown>, from: url };
  }
  throw configurationError(
    `The sign-in server ${issuer} publishes no OAuth2 metadata (tried ${tried.join(', ')}): check the issuer setting, ` +
      `or set "${SETTING_NAMES.authorizationEndpoint}" and "${SETTING_NAMES.tokenEndpoint}" instead.`,
  );
}

function metadataString(metadata: Record<string, unknown>, name: string): string | undefined {
  const value = metadata[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * The endpoints to use: the configured ones, completed by discovery when an issuer is set
 * and an endpoint is missing. Throws Configuration saying which setting to add when an
 * endpoint cannot be found, or when the metadata names another issuer.
 */
export async function resolveEndpoints(config: OAuthConfig, options: OAuthRequestOptions = {}): Promise<OAuthEndpoints> {
  if (config.clientId.trim() === '') throw configurationError('The OAuth2 client ID setting ("clientId") is empty.');
  const issuer = config.issuer === undefined || config.issuer === '' ? undefined : config.issuer;
  if (issuer !== undefined) checkedEndpoint(issuer, 'issuer');
  const explicit = {
    authorizationEndpoint: config.authorizationEndpoint || undefined,
    tokenEndpoint: config.tokenEndpoint || undefined,
    revocationEndpoint: config.revocationEndpoint || undefined,
  };
  const requiredExplicit = explicit.authorizationEndpoint !== undefined && explicit.tokenEndpoint !== undefined;

  let discovered: Discovered | undefined;
  if (issuer !== undefined && (!requiredExplicit || explicit.revocationEndpoint === undefined)) {
    try {
      discovered = await discover(issuer, config, options);
    } catch (error) {
      // Only the optional revocation endpoint was missing: go on without it (unless cancelled).
      const cancelled = error instanceof TeraSyncError && error.code === ErrorCode.Cancelled;
      if (!requiredExplicit || cancelled) throw error;
    }
  }

  if (discovered !== undefined) {
    const named = discovered.metadata['issuer'];
    if (named !== issuer) {
      throw configurationError(
        `The sign-in server's metadata at ${discovered.from} belongs to the issuer "${String(named)}", not to the configured ` +
          `issuer "${issuer}": TeraSync does not sign in with it. Check the issuer setting.`,
      );
    }
    const methods = discovered.metadata['code_challenge_methods_supported'];
    if (Array.isArray(methods) && !methods.includes('S256')) {
      throw configurationError(`The sign-in server ${issuer} does not support PKCE with S256, which TeraSync requires.`);
    }
  }

  const found = (name: 'authorizationEndpoint' | 'tokenEndpoint' | 'revocationEndpoint', metadataName: string): string | undefined =>
    explicit[name] ?? (discovered === undefined ? undefined : metadataString(discovered.metadata, metadataName));

  const missing = (setting: string, what: string): TeraSyncError =>
    configurationError(
      issuer === undefined
        ? `OAuth2 sign-in needs the ${what}: set "${setting}", or "issuer" to discover it.`
        : `The sign-in server ${issuer} does not publish its ${what}: set "${setting}".`,
    );

  const authorizationEndpoint = found('authorizationEndpoint', 'authorization_endpoint');
  if (authorizationEndpoint === undefined) throw missing(SETTING_NAMES.authorizationEndpoint, 'authorization endpoint');
  const tokenEndpoint = found('tokenEndpoint', 'token_endpoint');
  if (tokenEndpoint === undefined) throw missing(SETTING_NAMES.tokenEndpoint, 'token endpoint');
  const revocationEndpoint = found('revocationEndpoint', 'revocation_endpoint');

  return {
    issuer: issuer ?? null,
    authorizationEndpoint: checkedEndpoint(authorizationEndpoint, 'authorization endpoint'),
    tokenEndpoint: checkedEndpoint(tokenEndpoint, 'token endpoint'),
    revocationEndpoint: revocationEndpoint === undefined ? null : checkedEndpoint(revocationEndpoint, 'revocation endpoint'),
    issuerInAuthorizationResponse: discovered?.metadata['authorization_response_iss_parameter_supported'] === true,
  };
}
