/**
 * Which field and parameter names hold a secret: one rule for the three places that judge a
 * name (settings.json and account.json refuse such a field, the log redactor blanks its
 * value). A name holds a secret when, compared without case, `-` or `_`, it ends in one of
 * `SECRET_NAME_ENDINGS`: `password`, `proxyPassword`, `refresh_token`, `client_secret`,
 * `api_key`, `code_verifier`; but not `tokenEndpoint` (an address) or `token_type`.
 */
export const SECRET_NAME_ENDINGS = [
  'password',
  'passwd',
  'passphrase',
  'secret',
  'token',
  'apikey',
  'credential',
  'credentials',
  'privatekey',
  'authorization',
  'cookie',
  'verifier',
] as const;

const ending = new RegExp(`(?:${SECRET_NAME_ENDINGS.join('|')})$`);

export function looksLikeSecretName(name: string): boolean {
  return ending.test(name.toLowerCase().replace(/[-_]/g, ''));
}
