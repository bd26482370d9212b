/**
 * The TeraCLOUD API key: one per application, 128 bits written as 32 uppercase hexadecimal
 * digits, sent on every REST request either as the header `X-TeraCLOUD-API-KEY` or as the
 * matrix parameter `;api_key=<KEY>` on the last path segment (see docs/SERVICE.md, The API key).
 *
 * The service says "uppercase BINHEX": a lowercase key is refused with the uppercase form
 * suggested, never silently converted, so that the setting holds what is actually sent.
 */
import { ErrorCode, TeraSyncError } from '../../shared/errors.js';

export const API_KEY_PATTERN = /^[0-9A-F]{32}$/;
export const API_KEY_LENGTH = 32;
export const API_KEY_HEADER = 'X-TeraCLOUD-API-KEY';

const EXAMPLE = 'An API key is 32 hexadecimal digits in uppercase (0-9, A-F), e.g. 0123456789ABCDEF0123456789ABCDEF.';

export type ApiKeyPlacement = 'header' | 'matrix';

export const API_KEY_PLACEMENTS: readonly ApiKeyPlacement[] = ['header', 'matrix'];

function describeCharacter(character: string): string {
  if (character === ' ') return 'a space';
  if (character === '\t') return 'a tab';
  if (/\p{Cc}/u.test(character)) return `a control character (U+${(character.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')})`;
  return `"${character}"`;
}

/** The key, trimmed; Configuration when it is not 32 uppercase hex digits. */
export function parseApiKey(text: string): string {
  const key = text.trim();
  if (key === '') throw new TeraSyncError(ErrorCode.Configuration, `The API key is empty. ${EXAMPLE}`);
  const characters = [...key];
  const badIndex = characters.findIndex((character) => !/^[0-9A-Fa-f]$/.test(character));
  const bad = characters[badIndex];
  if (bad !== undefined) {
    throw new TeraSyncError(
      ErrorCode.Configuration,
      `The API key has ${describeCharacter(bad)} at position ${badIndex + 1}, which is not a hexadecimal digit. ${EXAMPLE}`,
    );
  }
  if (characters.length !== API_KEY_LENGTH) {
    throw new TeraSyncError(ErrorCode.Configuration, `The API key has ${characters.length} characters instead of ${API_KEY_LENGTH}. ${EXAMPLE}`);
  }
  if (key !== key.toUpperCase()) {
    throw new TeraSyncError(
      ErrorCode.Configuration,
      `The API key contains lowercase letters; TeraCLOUD expects uppercase. Did you mean ${key.toUpperCase()}? ${EXAMPLE}`,
    );
  }
  return key;
}

/**
 * A copy of `url` and the headers that carry `key`. The matrix parameter goes on the last path
 * segment, before any query string: `/v2/api/ba/dataset/(capacity);api_key=<KEY>?x=1`. An
 * `api_key` matrix parameter already on that segment is replaced, never doubled. `new URL`
 * leaves `(`, `)`, `;` and `=` in a path as they are, so they reach the server literally, as
 * curl and the open-source clients send them.
 */
export function withApiKey(url: URL, key: string, placement: ApiKeyPlacement): { url: URL; headers: Record<string, string> } {
  const valid = parseApiKey(key);
  const copy = new URL(url.href);
  const segments = copy.pathname.split('/');
  const lastSegment = (segments.pop() ?? '')
    .split(';')
    .filter((part, index) => index === 0 || !part.toLowerCase().startsWith('api_key='))
    .join(';');
  if (placement === 'header') {
    copy.pathname = [...segments, lastSegment].join('/');
    return { url: copy, headers: { [API_KEY_HEADER]: valid } };
  }
  copy.pathname = [...segments, `${lastSegment};api_key=${valid}`].join('/');
  return { url: copy, headers: {} };
}
