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
 * A file that is not valid is moved aside (`account.json.corrupt-<time>`) and the user signs in
 * again; one holding something that looks like a secret is refused and left alone.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode, TeraSyncError } from '../../shared/errors.js';
import { parseApiKey, type ApiKeyPlacement } from '../teracloud/apiKey.js';
import { insecureUrlReason } from '../net/addresses.js';
import { holdsPrivateKey, MAX_CA_FILE_BYTES, parseCaCertificates } from './caFile.js';
import type { OAuthConfig } from './oauth/OAuthConfig.js';

export type SignInMethod = 'oauth2' | 'basic';

export interface ApiSettings {
  /** The REST API's base, e.g. https://api.teracloud.jp/ */
  baseUrl: string;
  /** The application's key (32 uppercase hex digits): labels the app, not secret in practice. */
  applicationKey: string;
  keyPlacement: ApiKeyPlacement;
}

/** OAuthConfig without the CA (that is the connection's setting, not the account's). */
export type OAuthSettings = Omit<OAuthConfig, 'ca'>;

export interface AccountRecord {
  userId: string;
  /** https://seto.teracloud.jp: /dav/, /v2/dav/ and /backup/ live below it. */
  origin: string;
  /** The node name, or the host for a custom origin (development). */
  node: string;
  method: SignInMethod;
  basicPreemptive: boolean;
  basicSignIn: boolean;
  oauth: OAuthSettings | null;
  api: ApiSettings | null;
  /** PEM certificates of a private CA this account trusts besides the system roots; absent: none. */
  caPem?: string;
}

export const ACCOUNT_FILE = 'account.json';
const FORMAT_VERSION = 1;

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

function text(value: unknown, where: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw invalid(`${where} must be a non-empty string`);
  return value;
}

function optionalUrl(value: unknown, where: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  return webUrl(value, where);
}

function webUrl(value: unknown, where: string): string {
  const raw = text(value, where);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalid(`${where} is not a URL`);
  }
  const insecure = insecureUrlReason(url);
  if (insecure !== null) throw invalid(`${where}: ${insecure}`);
  if (url.username !== '' || url.password !== '') throw invalid(`${where} must not hold credentials`);
  return raw;
}

function parseOAuth(value: unknown): OAuthSettings | null {
  if (value === null || value === undefined) return null;
  if (!isRecord(value)) throw invalid('oauth must be an object');
  const scopes = value['scopes'];
  if (!Array.isArray(scopes) || !scopes.every((scope) => typeof scope === 'string' && scope !== '')) {
    throw invalid('oauth.scopes must be a list of scope names');
  }
  const settings: OAuthSettings = { clientId: text(value['clientId'], 'oauth.clientId'), scopes: [...(scopes as string[])] };
  for (const field of ['issuer', 'authorizationEndpoint', 'tokenEndpoint', 'revocationEndpoint'] as const) {
    const url = optionalUrl(value[field], `oauth.${field}`);
    if (url !== undefined) settings[field] = url;
  }
  if (settings.issuer === undefined && (settings.authorizationEndpoint === undefined || settings.tokenEndpoint === undefined)) {
    throw invalid('oauth needs an issuer, or both authorizationEndpoint and tokenEndpoint');
  }
  return settings;
}

function parseCaPem(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.length > MAX_CA_FILE_BYTES) throw invalid('caPem must be the text of PEM certificates');
  try {
    return parseCaCertificates(value, 'caPem');
  } catch (error) {
    throw invalid((error as Error).message);
  }
}

function parseApi(value: unknown): ApiSettings | null {
  if (value === null || value === undefined) return null;
  if (!isRecord(value)) throw invalid('api must be an object');
  const placement = value['keyPlacement'] ?? 'header';
  if (placement !== 'header' && placement !== 'matrix') throw invalid('api.keyPlacement must be "header" or "matrix"');
  return {
    baseUrl: webUrl(value['baseUrl'], 'api.baseUrl'),
    applicationKey: parseApiKey(text(value['applicationKey'], 'api.applicationKey')),
    keyPlacement: placement,
  };
}

/** Checks parsed JSON; throws Configuration saying what is wrong. */
export function parseAccountRecord(json: unknown): AccountRecord {
  if (!isRecord(json)) throw invalid('it is not a JSON object');
  if (json['version'] !== FORMAT_VERSION) throw invalid(`"version" must be ${FORMAT_VERSION}`);
  const method = json['method'];
  if (method !== 'oauth2' && method !== 'basic') throw invalid('method must be "oauth2" or "basic"');
  const origin = webUrl(json['origin'], 'origin');
  if (new URL(origin).pathname !== '/') throw invalid('origin must be a bare origin such as https://seto.teracloud.jp');
  const record: AccountRecord = {
    userId: text(json['userId'], 'userId'),
    origin: origin.replace(/\/$/, ''),
    node: text(json['node'], 'node'),
    method,
    basicPreemptive: json['basicPreemptive'] !== false,
    basicSignIn: json['basicSignIn'] === true,
    oauth: parseOAuth(json['oauth']),
    api: parseApi(json['api']),
  };
  const caPem = parseCaPem(json['caPem']);
  if (caPem !== undefined) record.caPem = caPem;
  if (method === 'oauth2' && record.oauth === null) throw invalid('an OAuth2 account needs its oauth settings');
  return record;
}

/** A field whose name says it holds a secret: such a file is refused (secrets live in the keychain). */
const SECRET_NAME = /(password|passwd|secret|token|credential|authorization|cookie)$/i;

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
      if (SECRET_NAME.test(key.replace(/[-_]/g, ''))) return name;
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
    private readonly now: () => number = Date.now,
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
    const movedTo = `${this.file}.corrupt-${new Date(this.now()).toISOString().replace(/[:.]/g, '-')}`;
    try {
      await rename(this.file, movedTo);
    } catch (error) {
      return { record: null, problem: invalid(`${this.file} is damaged (${reason}) and could not be moved aside: ${(error as Error).message}`) };
    }
    return { record: null, problem: invalid(`${this.file} was damaged (${reason}); it was moved to ${movedTo}. Sign in again.`) };
  }
}
