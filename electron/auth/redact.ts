/**
 * Keeps secrets out of log lines and error messages. Two layers:
 *
 * - Known values: every password and token the app handles is `add`ed, and `redact` replaces
 *   it wherever it shows up, also percent-encoded (URLs, form bodies), JSON-escaped, and
 *   base64-encoded, including inside a longer base64 string such as the BASIC credentials
 *   `base64(user:password)`, where the password starts at any byte offset.
 * - Patterns, for values nobody added (a token the server just sent, a header a library
 *   printed): `Authorization:` headers, `Bearer …`, `Basic <base64 of user:password>`, OAuth2
 *   and password parameters in URLs and form bodies, secret JSON fields, `user:pass@` in URLs,
 *   the TeraCLOUD API key (header and `;api_key=` matrix parameter).
 *
 * `redactingLogger` puts both in front of a `Logger`, for messages and for every string in
 * the fields, and blanks whole fields whose name says they hold a secret.
 */
import type { Logger } from '../core/logger.js';
import { looksLikeSecretName } from '../core/secretNames.js';

export const REDACTED = '[redacted]';

/** Shorter strings are too common to replace everywhere ("1234" is also a port or a year). */
const MIN_SECRET_LENGTH = 4;

/** A base64 fragment shorter than this would match ordinary words and numbers. */
const MIN_BASE64_FRAGMENT_LENGTH = 4;

/** True when a field of this name holds a secret (`password`, `accessToken`, `Authorization`, ...): electron/core/secretNames.ts. */
export function isSecretFieldName(name: string): boolean {
  return looksLikeSecretName(name);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function lowerCasePercentHex(text: string): string {
  return text.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase());
}

/** The textual forms a secret takes in URLs, form bodies and JSON. */
function textualForms(secret: string): string[] {
  const forms = new Set<string>([secret]);
  const encoders = [encodeURIComponent, encodeURI, (text: string) => new URLSearchParams({ s: text }).toString().slice(2)];
  for (const encode of encoders) {
    let encoded: string;
    try {
      encoded = encode(secret);
    } catch {
      // A lone surrogate cannot be percent-encoded (URIError), so it cannot appear that way either.
      continue;
    }
    forms.add(encoded);
    forms.add(lowerCasePercentHex(encoded));
  }
  forms.add(JSON.stringify(secret).slice(1, -1));
  return [...forms].filter((value) => value.length >= MIN_SECRET_LENGTH);
}

/**
 * The parts of base64 (standard and URL alphabet) that any encoding of a text containing
 * `secret` contains, for each of the three byte offsets the secret can start at: the groups of
 * four characters made only of the secret's bytes. The groups at either end mix in bytes of
 * whatever surrounds the secret and are left out.
 */
function base64Fragments(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const fragments = new Set<string>();
  for (let offset = 0; offset < 3; offset++) {
    const padded = Buffer.concat([Buffer.alloc(offset), bytes]);
    const firstWholeGroup = offset === 0 ? 0 : 1;
    const wholeGroups = Math.floor(padded.length / 3);
    if (wholeGroups <= firstWholeGroup) continue;
    const standard = padded.subarray(0, wholeGroups * 3).toString('base64').slice(firstWholeGroup * 4);
    if (standard.length < MIN_BASE64_FRAGMENT_LENGTH) continue;
    fragments.add(standard);
    fragments.add(standard.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return [...fragments];
}

/** A run of base64 (either alphabet) with its padding. */
const BASE64_RUN = /[A-Za-z0-9+/_-]+={0,2}/g;

interface Pattern {
  expression: RegExp;
  replace: (match: string, ...groups: string[]) => string;
}


/** Decodes `candidate` as base64 and tells whether it reads as BASIC credentials `user:password`. */
function looksLikeBasicCredentials(candidate: string): boolean {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(candidate) || candidate.length % 4 !== 0) return false;
  const decoded = Buffer.from(candidate, 'base64').toString('utf8');
  if (!decoded.includes(':')) return false;
  for (const character of decoded) {
    const code = character.codePointAt(0) ?? 0;
    // Control characters or undecodable bytes: binary, not a user name and password.
    if (code < 0x20 || code === 0x7f || code === 0xfffd) return false;
  }
  return true;
}

const PATTERNS: Pattern[] = [
  // Authorization / Proxy-Authorization / the TeraCLOUD API key as a header line, a JSON field
  // or a JavaScript object printout: keep the scheme, drop the credentials.
  {
    expression:
      /((?:proxy-)?authorization|x-teracloud-api-key)(["']?\s*[:=]\s*["']?)(?:(basic|bearer|digest|negotiate|token)(\s+))?([^\s"',;}]+)/gi,
    replace: (_match, name, separator, scheme, space) => `${name}${separator}${scheme ? `${scheme}${space}` : ''}${REDACTED}`,
  },
  { expression: /\b(Bearer\s+)[A-Za-z0-9\-._~+/]{8,}=*/g, replace: (_match, prefix) => `${prefix}${REDACTED}` },
  {
    expression: /\b(Basic\s+)([A-Za-z0-9+/]{4,}={0,2})(?![A-Za-z0-9+/=])/g,
    replace: (match, prefix, candidate) => (looksLikeBasicCredentials(candidate) ? `${prefix}${REDACTED}` : match),
  },
  // Parameters in URLs, form bodies and `key=value` log text. `code` only right after ?, & or #
  // (an OAuth2 redirect or token request), so that "exit code=1" survives.
  // Any name that holds a secret by the one rule (electron/core/secretNames.ts).
  {
    expression: /((?<![\w.-])([A-Za-z0-9_-]+)=)([^&\s"'#;,)]+)/g,
    replace: (match, prefix, name) => (looksLikeSecretName(name ?? '') && !match.includes(REDACTED) ? `${prefix}${REDACTED}` : match),
  },
  { expression: /((?:^|[?&#])code=)([^&\s"'#;,)]+)/gim, replace: (_match, prefix) => `${prefix}${REDACTED}` },
  {
    expression: /("([A-Za-z0-9_-]+)"\s*:\s*)"(?:[^"\\]|\\.)*"/g,
    // A value an earlier pattern blanked keeps what it kept (the scheme of an Authorization).
    replace: (match, prefix, name) => (looksLikeSecretName(name ?? '') && !match.includes(REDACTED) ? `${prefix}"${REDACTED}"` : match),
  },
  // user:password@ in any URL; the greedy password runs to the last @ of the authority.
  {
    expression: /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#@:]*):([^\s/?#]*)@/gi,
    replace: (_match, scheme, user) => `${scheme}${user}:${REDACTED}@`,
  },
];

/** Replaces what must not be read: the known secrets first, then the patterns. */
export class SecretRedactor {
  private readonly textual = new Set<string>();
  private readonly fragments = new Set<string>();
  private textualExpression: RegExp | null = null;

  /** Remembers `secret` (and its encoded forms) for every later `redact`. Shorter than 4 characters: ignored. */
  add(secret: string): void {
    if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH) return;
    for (const form of textualForms(secret)) this.textual.add(form);
    for (const fragment of base64Fragments(secret)) this.fragments.add(fragment);
    this.textualExpression = null;
  }

  redact(text: string): string {
    let result = this.redactKnown(text);
    for (const pattern of PATTERNS) {
      result = result.replace(pattern.expression, pattern.replace as (substring: string, ...args: unknown[]) => string);
    }
    return result;
  }

  private redactKnown(text: string): string {
    if (this.textual.size === 0) return text;
    if (this.textualExpression === null) {
      // Longest first, so that a secret that contains another is replaced whole.
      const alternatives = [...this.textual].sort((a, b) => b.length - a.length).map(escapeRegExp);
      this.textualExpression = new RegExp(alternatives.join('|'), 'g');
    }
    const withoutText = text.replace(this.textualExpression, REDACTED);
    // A base64 string that contains a secret is replaced whole: its edges would give away
    // bytes of the secret, and the rest (a user name) is no loss in a log.
    return withoutText.replace(BASE64_RUN, (run) => {
      for (const fragment of this.fragments) if (run.includes(fragment)) return REDACTED;
      return run;
    });
  }
}

/**
 * Copies `value` with every string redacted and every secret-named field blanked: arrays,
 * objects and errors (message, stack, own fields, cause) recursively. Errors become plain
 * objects, which is also what a JSON log line can show of them.
 */
function redactValue(value: unknown, redactor: SecretRedactor, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return redactor.redact(value);
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date) return value;
  if (value instanceof URL) return redactor.redact(value.href);
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return `[${value.byteLength} bytes]`;
  if (seen.has(value)) return '[circular]';
  // `seen` holds the objects on the path from the root: the same object twice side by side is
  // no cycle.
  seen.add(value);
  try {
    return redactObject(value, redactor, seen);
  } finally {
    seen.delete(value);
  }
}

function redactObject(value: object, redactor: SecretRedactor, seen: WeakSet<object>): unknown {
  if (Array.isArray(value)) return value.map((item: unknown) => redactValue(item, redactor, seen));
  if (value instanceof Map) return redactEntries([...value.entries()].map(([key, item]) => [String(key), item]), redactor, seen);
  if (value instanceof Set) return [...value].map((item) => redactValue(item, redactor, seen));
  const copy: Record<string, unknown> = {};
  if (value instanceof Error) {
    copy['name'] = value.name;
    copy['message'] = redactor.redact(value.message);
  }
  Object.assign(copy, redactEntries(Object.entries(value), redactor, seen));
  if (value instanceof Error) {
    if (value.stack !== undefined) copy['stack'] = redactor.redact(value.stack);
    if (value.cause !== undefined) copy['cause'] = redactValue(value.cause, redactor, seen);
  }
  return copy;
}

function redactEntries(entries: Array<[string, unknown]>, redactor: SecretRedactor, seen: WeakSet<object>): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const [key, field] of entries) {
    copy[key] = isSecretFieldName(key) && field !== undefined && field !== null ? REDACTED : redactValue(field, redactor, seen);
  }
  return copy;
}

/** Redacts what `fields` hold, as `redactingLogger` does. */
export function redactFields(fields: Record<string, unknown>, redactor: SecretRedactor): Record<string, unknown> {
  return redactValue(fields, redactor, new WeakSet()) as Record<string, unknown>;
}

/**
 * A Logger that passes everything through `redactor` before `logger` sees it: the message,
 * every string in the fields (nested objects, arrays, errors and their causes included), and
 * the whole value of fields named like secrets (`password`, `accessToken`, `authorization`).
 */
export function redactingLogger(logger: Logger, redactor: SecretRedactor): Logger {
  const forward =
    (level: keyof Logger) =>
    (message: string, fields?: Record<string, unknown>): void => {
      const safeMessage = redactor.redact(message);
      if (fields === undefined) logger[level](safeMessage);
      else logger[level](safeMessage, redactFields(fields, redactor));
    };
  return { debug: forward('debug'), info: forward('info'), warn: forward('warn'), error: forward('error') };
}
