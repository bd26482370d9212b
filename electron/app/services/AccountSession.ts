/**
 * The account as the app holds it: the record of who is signed in, signing in (with the Apps
 * password, or OAuth2 in the browser) and out, the account view the window shows, and its quota
 * asked again every `quotaRefreshMs` (10 minutes) and `quotaAfterRunMs` after a run that changed
 * the server; the window hears of it through `account:changed` when it changed. A sign-in or
 * sign-out brings the pairs in line through `reconcile`.
 */
import { ErrorCode, TeraSyncError, toTeraSyncError, type ErrorInfo } from '../../../shared/errors.js';
import type { AdvancedSignInOptions, OAuthSignInRequest, PasswordSignInRequest } from '../../../shared/ipc/contract.js';
import type { AccountInfo, SignInResult, SignOutResult } from '../../../shared/types.js';
import type { AccountRecord, ApiSettings, OAuthSettings } from '../../auth/AccountRecord.js';
import { notSignedIn, type AccountService, type AdvancedAccountOptions } from '../../auth/AccountService.js';
import { readCaFile } from '../../auth/caFile.js';
import type { Logger } from '../../core/logger.js';
import type { Scheduler } from '../../core/time.js';
import type { IpcEventHub } from '../IpcEventHub.js';
import { accountInfoView, signOutView } from '../ipcViews.js';

const QUOTA_REFRESH_MS = 10 * 60_000;
const QUOTA_AFTER_RUN_MS = 5_000;

export interface AccountSessionDeps {
  accounts: AccountService;
  events: IpcEventHub;
  scheduler: Scheduler;
  logger: Logger;
  api?: ApiSettings | null;
  oauth?: OAuthSettings | null;
  openBrowser(url: string): Promise<void>;
  redactSecret?: (secret: string) => void;
  quotaRefreshMs?: number;
  quotaAfterRunMs?: number;
  /** True once the app stops. */
  stopped: () => boolean;
  /** Brings the pairs in line with the account (PairSupervisor.reconcile). */
  reconcile: () => Promise<void>;
}

export class AccountSession {
  /** The OAuth2 sign-in waiting for the browser, to cancel it. */
  private signingIn: AbortController | null = null;
  private account: AccountRecord | null = null;
  /** The quota last sent to the window (JSON), to tell it only of a change. */
  private lastQuota: string | null = null;
  private cancelQuotaTimer: (() => void) | null = null;
  private cancelQuotaAfterRun: (() => void) | null = null;

  constructor(private readonly deps: AccountSessionDeps) {}

  /** Who is signed in, as account.json says. */
  async load(): Promise<void> {
    this.account = await this.deps.accounts.current();
  }

  /** The account signed in now, or null. */
  current(): AccountRecord | null {
    return this.account;
  }

  /** No more quota refreshes. */
  dispose(): void {
    this.cancelQuotaTimer?.();
    this.cancelQuotaTimer = null;
    this.cancelQuotaAfterRun?.();
    this.cancelQuotaAfterRun = null;
  }

  /** The periodic quota refresh: one timer, armed again after each refresh. */
  armQuotaRefresh(): void {
    if (this.deps.stopped()) return;
    this.cancelQuotaTimer = this.deps.scheduler.schedule(this.deps.quotaRefreshMs ?? QUOTA_REFRESH_MS, () => {
      this.cancelQuotaTimer = null;
      void this.refreshQuota().finally(() => this.armQuotaRefresh());
    });
  }

  /** A refresh soon after a run that changed the server (one at a time, however many runs end). */
  quotaAfterRun(): void {
    if (this.deps.stopped() || this.cancelQuotaAfterRun !== null) return;
    this.cancelQuotaAfterRun = this.deps.scheduler.schedule(this.deps.quotaAfterRunMs ?? QUOTA_AFTER_RUN_MS, () => {
      this.cancelQuotaAfterRun = null;
      void this.refreshQuota();
    });
  }

  /** Asks for the account (and its quota) again; tells the window when the quota changed. */
  async refreshQuota(): Promise<void> {
    if (this.deps.stopped() || this.account === null) return;
    try {
      const info = await this.accountInfo();
      if (info === null || this.deps.stopped()) return;
      const quota = JSON.stringify([info.quota, info.quotaProblem]);
      if (quota === this.lastQuota) return;
      this.lastQuota = quota;
      this.deps.events.emit('account:changed', info);
    } catch (error) {
      this.deps.logger.warn(`quota: ${toTeraSyncError(error).message}`);
    }
  }

  /** The account as the window sees it, or null when nobody is signed in. */
  async accountInfo(): Promise<AccountInfo | null> {
    this.account = await this.deps.accounts.current();
    if (this.account === null) return null;
    try {
      return accountInfoView(await this.deps.accounts.whoami());
    } catch (error) {
      // Offline, or the sign-in was refused: still signed in; the window shows who, and why not connected.
      this.deps.logger.warn(`account: ${toTeraSyncError(error).message}`);
      return this.offlineAccountInfo(this.account, toTeraSyncError(error).message);
    }
  }

  async signInWithPassword(input: PasswordSignInRequest): Promise<SignInResult> {
    this.deps.redactSecret?.(input.password);
    const advanced = await this.advancedOptions(input.advanced);
    await this.deps.accounts.signInWithPassword({
      userId: input.userId,
      password: input.password,
      api: this.deps.api ?? null,
      ...(input.location === undefined ? {} : { location: input.location }),
      ...(input.preemptive === undefined ? {} : { preemptive: input.preemptive }),
      ...(advanced === undefined ? {} : { advanced }),
    });
    return this.afterSignIn(null);
  }

  async signInWithOAuth(input: OAuthSignInRequest): Promise<SignInResult> {
    const oauth = this.deps.oauth ?? null;
    if (oauth === null) {
      throw new TeraSyncError(
        ErrorCode.Configuration,
        'OAuth2 sign-in is not configured in this build (TeraCLOUD has not published its sign-in server yet): sign in with your user ID and Apps password.',
      );
    }
    if (this.signingIn !== null) throw new TeraSyncError(ErrorCode.InvalidRequest, 'A sign-in in the browser is already waiting: finish it there, or cancel it.');
    const controller = new AbortController();
    this.signingIn = controller;
    try {
      const advanced = await this.advancedOptions(input.advanced);
      const { problem } = await this.deps.accounts.signInWithOAuth({
        oauth,
        api: this.deps.api ?? null,
        openBrowser: (url) => this.deps.openBrowser(url),
        signal: controller.signal,
        ...(input.location === undefined ? {} : { location: input.location }),
        ...(advanced === undefined ? {} : { advanced }),
      });
      return await this.afterSignIn(problem === null ? null : problem.toInfo());
    } finally {
      if (this.signingIn === controller) this.signingIn = null;
    }
  }

  /** Gives up the OAuth2 sign-in that waits for the browser (its loopback listener closes). */
  cancelSignIn(): void {
    this.signingIn?.abort(new TeraSyncError(ErrorCode.Cancelled, 'The sign-in was cancelled.'));
  }

  /** The sign-in screen's advanced section, with the CA file read here (the window sends its path). */
  private async advancedOptions(options: AdvancedSignInOptions | undefined): Promise<AdvancedAccountOptions | undefined> {
    if (options === undefined) return undefined;
    const advanced: AdvancedAccountOptions = {};
    if (options.apiServer !== undefined) advanced.apiServer = options.apiServer;
    if (options.apiKeyPlacement !== undefined) advanced.apiKeyPlacement = options.apiKeyPlacement;
    if (options.caFile !== undefined) advanced.caPem = await readCaFile(options.caFile);
    return advanced;
  }

  async signOut(): Promise<SignOutResult> {
    const report = await this.deps.accounts.signOut();
    this.account = null;
    await this.deps.reconcile();
    this.deps.events.emit('account:changed', null);
    return signOutView(report);
  }

  private async afterSignIn(problem: ErrorInfo | null): Promise<SignInResult> {
    this.account = await this.deps.accounts.current();
    await this.deps.reconcile();
    const account = await this.accountInfo();
    if (account === null) throw notSignedIn();
    this.deps.events.emit('account:changed', account);
    return { account, problem };
  }

  private offlineAccountInfo(record: AccountRecord, problem: string): AccountInfo {
    return {
      userId: record.userId,
      node: record.node,
      webdavUrl: `${record.origin}${record.method === 'oauth2' ? '/v2/dav/' : '/dav/'}`,
      signedInWith: record.method,
      method: record.method,
      fallbackReason: null,
      quota: null,
      quotaProblem: problem,
      secretStore: this.deps.accounts.secretStoreKind(),
    };
  }
}
