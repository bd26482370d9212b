/**
 * What TeraSync remembers about the signed-in account, without a secret: who, which node,
 * how they signed in, and the OAuth2 / REST configuration. Kept as `account.json` in the app's
 * data folder (one account), shared by the app and the `terasync` command. The secrets it
 * refers to (Apps password, token set) live in the SecretStore under `basicSecretKey` and
 * `oauthSecretKey`.
 *
 *   {
 *     "version": 1,
 *     "userId": "alice",
 *     "origin": "https://seto.teracloud.jp",
 *     "node": "seto",
 *     "method": "oauth2",                  // how the user signed in: "oauth2" | "basic"
 *     "basicPreemptive": true,             // BASIC on the first request, or answer the challenge
 *     "basicSignIn": true,                 // an Apps password is stored (for /dav/, /backup/, fallback)
 *     "oauth": { "issuer": "...", "clientId": "...", "scopes": ["..."] },   // or null
 *     "api": { "baseUrl": "https://api.teracloud.jp/", "applicationKey": "<32 hex>", "keyPlacement": "header" },  // or null
 *     "caPem": "-----BEGIN CERTIFICATE-----\n..."   // left out: the system roots only
 *   }
 *
 * `caPem` holds the certificates of a private CA the account trusts besides the system roots,
 * for each of its connections (WebDAV, REST, OAuth2). A certificate is public, so it is kept
 * here; a private key never is (caFile.ts refuses one, and so does the secret check below).
 *
 * The format is `accountSchema` below, a valibot schema; `AccountRecord`, `OAuthSettings` and
 * `ApiSettings` are read from it. A field this version does not know is ignored and not
 * written back.
 *
 * A file that is not valid is moved aside (`account.json.corrupt-<time>`) and the user signs in
 * again; one holding something that looks like a secret is refused and left alone.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as v from 'valibot';
import { ErrorCode, TeraSyncError } from '../../shared/errors.js';
import { checkFile, fileObject } from '../../shared/fileSchemas.js';
import { stringLimits } from '../../shared/limits.js';
import { rule } from '../../shared/validation.js';
import { API_KEY_PLACEMENTS, parseApiKey } from '../teracloud/apiKey.js';
import { insecureUrlReason } from '../net/addresses.js';
import { holdsPrivateKey, MAX_CA_FILE_BYTES, parseCaCertificates } from './caFile.js';
import { systemClock, type WallClock } from '../core/time.js';
import { looksLikeSecretName } from '../core/secretNames.js';

export const ACCOUNT_FILE = 'account.json';
const FORMAT_VERSION = 1;

// ---------------------------------------------------------------------------------------------
// The schema of format 1 (after the version and the secrets were checked). A field's message
// is what follows its path in a refusal ("oauth.clientId" + " must be a non-empty string"),
// see shared/fileSchemas.ts. Objects are not strict: a field this version does not know is
// dropped.

const nonEmptyMessage = 'must be a non-empty string';
/** A non-empty string of at most `max` characters. */
const nonEmptyUpTo = (max: number) =>
  v.pipe(v.string(nonEmptyMessage), v.check((value) => value.trim() !== '', nonEmptyMessage), v.maxLength(max, `is longer than ${max} characters`));
/** A user ID, a node name, a client ID. */
const nonEmpty = nonEmptyUpTo(stringLimits.name);

/** Why `raw` is no address TeraSync may connect to and keep, or null. */
function webUrlProblem(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'is not a URL';
  }
  const insecure = insecureUrlReason(url);
  if (insecure !== null) return `: ${insecure}`;
  if (url.username !== '' || url.password !== '') return 'must not hold credentials';
  return null;
}

/** An https: address (http: on loopback, for test servers) without credentials, kept as written. */
const webUrl = v.pipe(nonEmptyUpTo(stringLimits.url), rule(webUrlProblem));

/** `fields` without the ones that are null or undefined: a setting left out is absent, never null. */
function defined<T extends Record<string, unknown>>(fields: T): { [K in keyof T]?: Exclude<T[K], null | undefined> } {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== null && value !== undefined)) as { [K in keyof T]?: Exclude<T[K], null | undefined> };
}

/** More scopes than any server defines: a bound, not a rule. */
const MAX_SCOPES = 100;
const scopesMessage = 'must be a list of scope names';

/** The OAuth2 configuration (OAuthConfig without the CA, which is the connection's setting, not the account's). */
const oauthSchema = v.pipe(
  fileObject(
    {
      clientId: nonEmpty,
      /** Refused as a whole ("oauth.scopes must be ..."), not item by item. */
      scopes: v.pipe(
        v.custom<string[]>((scopes) => Array.isArray(scopes) && scopes.every((scope) => typeof scope === 'string' && scope !== ''), scopesMessage),
        v.check(
          (scopes) => scopes.length <= MAX_SCOPES && scopes.every((scope) => scope.length <= stringLimits.name),
          `must be a list of at most ${MAX_SCOPES} scope names of at most ${stringLimits.name} characters`,
        ),
        v.transform((scopes) => [...scopes]),
      ),
      /** The authorization server's issuer identifier, for discovery; null or left out: none. */
      issuer: v.nullish(webUrl),
      authorizationEndpoint: v.nullish(webUrl),
      tokenEndpoint: v.nullish(webUrl),
      revocationEndpoint: v.nullish(webUrl),
    },
    'must be an object',
  ),
  v.transform(({ issuer, authorizationEndpoint, tokenEndpoint, revocationEndpoint, ...oauth }) => ({
    ...oauth,
    ...defined({ issuer, authorizationEndpoint, tokenEndpoint, revocationEndpoint }),
  })),
  v.check(
    (oauth) => oauth.issuer !== undefined || (oauth.authorizationEndpoint !== undefined && oauth.tokenEndpoint !== undefined),
    'needs an issuer, or both authorizationEndpoint and tokenEndpoint',
  ),
);

const apiSchema = fileObject(
  {
    /** The REST API's base, e.g. https://api.teracloud.jp/ */
    baseUrl: webUrl,
    /** The application's key (32 uppercase hex digits, trimmed): labels the app, not secret in practice. */
    applicationKey: v.pipe(
      nonEmpty,
      v.rawTransform(({ dataset, addIssue, NEVER }) => {
        try {
          return parseApiKey(dataset.value);
        } catch (error) {
          addIssue({ message: `: ${(error as Error).message}` });
          return NEVER;
        }
      }),
    ),
    keyPlacement: v.nullish(v.picklist(API_KEY_PLACEMENTS, 'must be "header" or "matrix"'), 'header'),
  },
  'must be an object',
);

const caPemMessage = 'must be the text of PEM certificates';

/**
 * The record, its fields in the order they are checked (the first problem is the one
 * reported; `version` is checked before, by parseAccountRecord). The file may hold them in
 * any order.
 */
const accountSchema = v.pipe(
  fileObject(
    {
      /** How the user signed in. */
      method: v.picklist(['oauth2', 'basic'], 'must be "oauth2" or "basic"'),
      /** https://seto.teracloud.jp: /dav/, /v2/dav/ and /backup/ live below it. Kept without a trailing '/'. */
      origin: v.pipe(
        webUrl,
        v.check((origin) => new URL(origin).pathname === '/', 'must be a bare origin such as https://seto.teracloud.jp'),
        v.transform((origin) => origin.replace(/\/$/, '')),
      ),
      userId: nonEmpty,
      /** The node name, or the host for a custom origin (development). */
      node: nonEmpty,
      /** BASIC on the first request (anything but false), or answer the challenge (false). */
      basicPreemptive: v.optional(v.pipe(v.unknown(), v.transform((value) => value !== false)), true),
      /** An Apps password is stored (true; anything else is false): for /dav/, /backup/ and the fallback. */
      basicSignIn: v.optional(v.pipe(v.unknown(), v.transform((value) => value === true)), false),
      oauth: v.nullish(oauthSchema, null),
      api: v.nullish(apiSchema, null),
      /**
       * PEM certificates of a private CA this account trusts besides the system roots, each
       * checked by parsing it; left out or null: none. parseCaCertificates begins its message
       * with the name it is given, which is this field's path: the rest follows the path.
       */
      caPem: v.nullish(
        v.pipe(
          v.string(caPemMessage),
          v.maxLength(MAX_CA_FILE_BYTES, caPemMessage),
          v.rawTransform(({ dataset, addIssue, NEVER }) => {
            try {
              return parseCaCertificates(dataset.value, 'caPem');
            } catch (error) {
              addIssue({ message: (error as Error).message.replace(/^caPem /, '') });
              return NEVER;
            }
          }),
        ),
      ),
    },
    'it is not a JSON object',
  ),
  v.transform(({ caPem, ...record }) => ({ ...record, ...defined({ caPem }) })),
  v.check((record) => record.method !== 'oauth2' || record.oauth !== null, 'an OAuth2 account needs its oauth settings'),
);

/** What TeraSync remembers about the signed-in account (see the top of this file). */
export type AccountRecord = v.InferOutput<typeof accountSchema>;
export type SignInMethod = AccountRecord['method'];
export type OAuthSettings = v.InferOutput<typeof oauthSchema>;
export type ApiSettings = v.InferOutput<typeof apiSchema>;

export function basicSecretKey(record: Pick<AccountRecord, 'userId' | 'origin'>): string {
  return `basic:${record.userId}@${record.origin}`;
}

export function oauthSecretKey(oauth: OAuthSettings): string {
  return `oauth:${oauth.clientId}@${oauth.issuer ?? oauth.tokenEndpoint ?? 'unknown'}`;
}

function invalid(message: string): TeraSyncError {
  return new TeraSyncError(ErrorCode.Configuration, message);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks parsed JSON; throws Configuration saying what is wrong. */
export function parseAccountRecord(json: unknown): AccountRecord {
  if (!isRecord(json)) throw invalid('it is not a JSON object');
  if (json['version'] !== FORMAT_VERSION) throw invalid(`"version" must be ${FORMAT_VERSION}`);
  const checked = checkFile(accountSchema, json);
  if (!checked.ok) throw invalid(checked.error.message);
  return checked.value;
}

/**
 * The first field holding a secret, by its name or, for a private key, by its text; else null.
 * Values are not judged otherwise: the certificates in `caPem` are long base64 text, which a
 * check for "secret-looking" values would refuse, but a private key in any field (the server's
 * key pasted with its certificate) is a secret.
 */
function secretField(value: unknown, where = ''): string | null {
  if (typeof value === 'string') return holdsPrivateKey(value) ? where : null;
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = secretField(item, `${where}[${index}]`);
      if (found !== null) return found;
    }
  } else if (isRecord(value)) {
    for (const [key, item] of Object.entries(value)) {
      const name = where === '' ? key : `${where}.${key}`;
      // `tokenEndpoint` names an address, not a token.
      if (looksLikeSecretName(key)) return name;
      const found = secretField(item, name);
      if (found !== null) return found;
    }
  }
  return null;
}

export interface AccountFileRead {
  record: AccountRecord | null;
  /** Why the file was not used; null when it was, or there is none. */
  problem: TeraSyncError | null;
}

/** account.json in `folder`: read, write (atomically), remove. */
export class AccountFile {
  readonly file: string;

  constructor(
    folder: string,
    private readonly clock: WallClock = systemClock,
  ) {
    this.file = path.join(folder, ACCOUNT_FILE);
  }

  async read(): Promise<AccountFileRead> {
    let raw: string;
    try {
      raw = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { record: null, problem: null };
      return { record: null, problem: new TeraSyncError(ErrorCode.LocalIo, `${this.file} could not be read: ${(error as Error).message}`, { cause: error }) };
    }
    let json: unknown;
    try {
      json = JSON.parse(raw) as unknown;
    } catch (error) {
      return this.moveAside(`it is not valid JSON (${(error as Error).message})`);
    }
    const secret = secretField(json);
    if (secret !== null) {
      return {
        record: null,
        problem: invalid(
          `${this.file} was not used because its field "${secret}" looks like a secret; TeraSync keeps passwords and tokens ` +
            'in the system keychain. Remove the file and sign in again.',
        ),
      };
    }
    try {
      return { record: parseAccountRecord(json), problem: null };
    } catch (error) {
      return this.moveAside((error as Error).message);
    }
  }

  async write(record: AccountRecord): Promise<void> {
    const json = { version: FORMAT_VERSION, ...record };
    const secret = secretField(json);
    if (secret !== null) throw new TeraSyncError(ErrorCode.InvalidRequest, `refusing to write the field "${secret}" to ${this.file}`);
    await mkdir(path.dirname(this.file), { recursive: true });
    const temp = `${this.file}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await writeFile(temp, `${JSON.stringify(json, null, 2)}\n`, { mode: 0o600 });
      await rename(temp, this.file);
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw new TeraSyncError(ErrorCode.LocalIo, `Could not save the account in ${this.file}: ${(error as Error).message}`, { cause: error });
    }
  }

  async remove(): Promise<void> {
    await unlink(this.file).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw new TeraSyncError(ErrorCode.LocalIo, `Could not remove ${this.file}: ${error.message}`, { cause: error });
    });
  }

  private async moveAside(reason: string): Promise<AccountFileRead> {
    const movedTo = `${this.file}.corrupt-${new Date(this.clock.now()).toISOString().replace(/[:.]/g, '-')}`;
    try {
      await rename(this.file, movedTo);
    } catch (error) {
      return { record: null, problem: invalid(`${this.file} is damaged (${reason}) and could not be moved aside: ${(error as Error).message}`) };
    }
    return { record: null, problem: invalid(`${this.file} was damaged (${reason}); it was moved to ${movedTo}. Sign in again.`) };
  }
}
