/**
 * `terasync login`, `logout` and `whoami`: the account the command (and the app) syncs with
 * when no credentials are in the environment. Secrets go to the OS keychain; account.json in
 * the state folder says who and where, never a secret.
 */
import { ErrorCode, TeraSyncError, toTeraSyncError } from '../../shared/errors.js';
import { AccountFile, type ApiSettings } from '../auth/AccountRecord.js';
import { AccountService, type AccountInfo } from '../auth/AccountService.js';
import { KeyringSecretStore } from '../auth/KeyringSecretStore.js';
import { allowCustomHostFrom, apiSettingsFrom, oauthSettingsFrom } from '../auth/serviceConfig.js';
import type { Logger } from '../core/logger.js';
import { systemClock } from '../core/time.js';
import { ask, launchBrowser, readAll, type PromptInput } from './prompt.js';
import { formatBytes } from '../../shared/format.js';

export interface AccountOptions {
  stateDir: string;
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  ca: string | undefined;
  logger: Logger;
  /** --api-key / TERASYNC_API_KEY, --api-url, --api-key-in */
  apiKey: string | undefined;
  apiUrl: string | undefined;
  apiKeyIn: string | undefined;
}

export interface LoginOptions {
  user: string | undefined;
  node: string | undefined;
  url: string | undefined;
  passwordStdin: boolean;
  challenge: boolean;
  oauth: boolean;
  issuer: string | undefined;
  clientId: string | undefined;
  scopes: string | undefined;
}

/** Where messages for the user go: stderr (stdout stays for --json). */
export type Terminal = PromptInput;

/** The API settings from options and environment; null when no application key is configured. */
export function apiSettings(options: AccountOptions): ApiSettings | null {
  return apiSettingsFrom({ apiKey: options.apiKey, apiUrl: options.apiUrl, apiKeyIn: options.apiKeyIn }, options.env);
}

export function accountService(options: AccountOptions, api: ApiSettings | null = null): AccountService {
  // An API on loopback (the emulator) hands out loopback WebDAV addresses.
  const allowCustomHost = allowCustomHostFrom(api, options.env);
  return new AccountService({
    accountFile: new AccountFile(options.stateDir),
    secrets: new KeyringSecretStore({ service: options.env.TERASYNC_KEYRING_SERVICE || undefined, platform: options.platform }),
    clock: systemClock,
    logger: options.logger,
    ...(options.ca === undefined ? {} : { ca: options.ca }),
    allowCustomHost,
  });
}

/** Runs `terasync login`; resolves with what to print. */
export async function login(options: AccountOptions, values: LoginOptions, terminal: Terminal): Promise<string> {
  const api = apiSettings(options);
  const accounts = accountService(options, api);
  const location = values.url ?? values.node;
  const oauth = oauthSettingsFrom({ requested: values.oauth, issuer: values.issuer, clientId: values.clientId, scopes: values.scopes }, options.env);
  if (oauth !== null) {
    const { record, fallbackReason, problem } = await accounts.signInWithOAuth({
      oauth,
      api,
      ...(values.user === undefined ? {} : { userId: values.user }),
      ...(location === undefined ? {} : { location }),
      openBrowser: async (url) => {
        terminal.output.write(`Sign in to TeraCLOUD in your browser. If it does not open, open this address:\n\n  ${url}\n\n`);
        if (options.env.TERASYNC_NO_BROWSER !== '1') launchBrowser(url, options.platform);
      },
    });
    return (
      `Signed in as ${record.userId} on ${record.node} with OAuth2; the tokens are in ${accounts.secretStoreDescription()}.` +
      (fallbackReason === null ? '' : `\nNote: ${fallbackReason}.`) +
      (problem === null ? '' : `\nWarning: syncing cannot connect yet: ${problem.message}`)
    );
  }
  let user = values.user;
  if (user === undefined) {
    if (terminal.input.isTTY !== true) throw new TeraSyncError(ErrorCode.InvalidRequest, 'give your user ID with --user ID');
    user = (await ask(terminal, 'TeraCLOUD user ID: ')).trim();
  }
  let password: string;
  if (values.passwordStdin) password = await readAll(terminal.input);
  else if (terminal.input.isTTY === true) password = await ask(terminal, 'Apps password (from MyPage; not shown): ', true);
  else throw new TeraSyncError(ErrorCode.InvalidRequest, 'give the Apps password on standard input with --password-stdin (it is never accepted as an argument)');
  const record = await accounts.signInWithPassword({
    userId: user,
    password,
    api,
    preemptive: !values.challenge,
    ...(location === undefined ? {} : { location }),
  });
  return `Signed in as ${record.userId} on ${record.node} with your Apps password (stored in ${accounts.secretStoreDescription()}).`;
}

export async function logout(options: AccountOptions): Promise<string> {
  const report = await accountService(options).signOut();
  if (!report.signedOut) return 'Not signed in: nothing to do.';
  const revocation =
    report.revocation === 'revoked'
      ? ' The sign-in server revoked the tokens.'
      : report.revocation === 'failed'
        ? ` The sign-in server could not be told (${report.revocationError ?? 'unknown error'}); the tokens were deleted here anyway.`
        : '';
  return `Signed out: the account and its secrets were removed from this computer.${revocation}`;
}

export async function whoami(options: AccountOptions): Promise<AccountInfo> {
  return accountService(options).whoami();
}

export function describeAccount(info: AccountInfo): string {
  const lines = [
    `user:     ${info.userId}`,
    `node:     ${info.node}`,
    `WebDAV:   ${info.webdavUrl} (${info.method === 'oauth2' ? 'OAuth2 bearer token' : 'BASIC, Apps password'})`,
  ];
  if (info.fallbackReason !== null) lines.push(`note:     ${info.fallbackReason}`);
  if (info.quota !== null) lines.push(`quota:    ${formatBytes(info.quota.usedBytes)} used of ${formatBytes(info.quota.quotaBytes)}`);
  else lines.push(`quota:    unknown (${info.quotaProblem ?? 'not available'})`);
  lines.push(`secrets:  ${info.secretStore}`);
  return lines.join('\n');
}

/**
 * Why an account command failed: the error's code (for the exit code) and its message; when
 * the keychain is missing, also how to sync without signing in.
 */
export function accountFailure(error: unknown): { code: ErrorCode; message: string } {
  const coded = toTeraSyncError(error);
  const sessionOnly =
    coded.code === ErrorCode.KeychainUnavailable
      ? '\nFor this session only, set TERASYNC_USER and TERASYNC_PASSWORD (or TERASYNC_TOKEN) instead of signing in.'
      : '';
  return { code: coded.code, message: `${coded.message}${sessionOnly}` };
}
