/**
 * What a request carries to identify itself: the Authorization header (BASIC with user ID and
 * Apps password, or an OAuth2 bearer token) and the TeraCLOUD API key, which the service
 * accepts as the header `X-TeraCLOUD-API-KEY` or as the matrix parameter `;api_key=` on the
 * last path segment (`/v2/api/ba/user;api_key=<KEY>`).
 */
import type { IncomingMessage } from 'node:http';

export type AuthorizationKind = 'basic' | 'bearer' | 'none';
export type ApiKeySource = 'header' | 'matrix' | 'none';

export const API_KEY_HEADER = 'x-teracloud-api-key';
/** 128 bits as 32 upper-case hex digits, as the service issues them. */
export const API_KEY_PATTERN = /^[0-9A-F]{32}$/;

function authorizationHeader(req: IncomingMessage): string {
  return (req.headers.authorization ?? '').trim();
}

export function authorizationKind(req: IncomingMessage): AuthorizationKind {
  const header = authorizationHeader(req);
  if (/^basic\s/i.test(header)) return 'basic';
  if (/^bearer\s/i.test(header)) return 'bearer';
  return 'none';
}

/** User ID and password of a BASIC header (UTF-8), null when there is none or it is malformed. */
export function basicCredentials(req: IncomingMessage): { userId: string; password: string } | null {
  const match = /^basic\s+([A-Za-z0-9+/=]+)$/i.exec(authorizationHeader(req));
  if (match?.[1] === undefined) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  return { userId: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

export function bearerToken(req: IncomingMessage): string | null {
  const match = /^bearer\s+(\S+)$/i.exec(authorizationHeader(req));
  return match?.[1] ?? null;
}

/** The matrix parameters of a path segment: `user;api_key=K;x=y` gives `user` and {api_key: K, x: y}. */
export function splitMatrix(segment: string): { name: string; parameters: Map<string, string> } {
  const [name = '', ...rest] = segment.split(';');
  const parameters = new Map<string, string>();
  for (const item of rest) {
    const equals = item.indexOf('=');
    const key = equals < 0 ? item : item.slice(0, equals);
    const value = equals < 0 ? '' : item.slice(equals + 1);
    try {
      parameters.set(decodeURIComponent(key), decodeURIComponent(value));
    } catch {
      parameters.set(key, value);
    }
  }
  return { name, parameters };
}

/** The API key a request carries and where; the matrix parameter wins over the header. */
export function apiKeyOf(req: IncomingMessage): { source: ApiKeySource; value: string | null } {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  const last = path.slice(path.lastIndexOf('/') + 1);
  const matrix = splitMatrix(last).parameters.get('api_key');
  if (matrix !== undefined) return { source: 'matrix', value: matrix };
  const header = req.headers[API_KEY_HEADER];
  const value = Array.isArray(header) ? header[0] : header;
  if (value !== undefined) return { source: 'header', value: value.trim() };
  return { source: 'none', value: null };
}
