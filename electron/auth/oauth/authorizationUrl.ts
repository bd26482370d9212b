/**
 * The address the browser opens (RFC 6749 §4.1.1 with RFC 7636 §4.3). Query parameters
 * already on the configured endpoint are kept (RFC 6749 §3.1); ours replace any of the same
 * name, so a configured endpoint cannot smuggle in another redirect URI or challenge.
 */
export interface AuthorizationRequest {
  clientId: string;
  redirectUri: string;
  scopes: readonly string[];
  state: string;
  codeChallenge: string;
}

export function buildAuthorizationUrl(authorizationEndpoint: string, request: AuthorizationRequest): string {
  const url = new URL(authorizationEndpoint);
  const params = url.searchParams;
  params.set('response_type', 'code');
  params.set('client_id', request.clientId);
  params.set('redirect_uri', request.redirectUri);
  const scope = request.scopes.filter((s) => s !== '').join(' ');
  if (scope === '') params.delete('scope');
  else params.set('scope', scope);
  params.set('state', request.state);
  params.set('code_challenge', request.codeChallenge);
  params.set('code_challenge_method', 'S256');
  return url.href;
}
