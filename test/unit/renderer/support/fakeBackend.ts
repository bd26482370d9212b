/**
 * The window's component tests talk to this instead of main: `window.terasync` built by the
 * real API builder (shared/ipc/api.ts) over a transport whose answers the test sets per
 * channel, that records every call, checks every answer and event against the contract's
 * validators (a test cannot feed the window what main never could), and pushes events when
 * the test says.
 */
import { ErrorCode, type ErrorInfo, type Result } from '../../../../shared/errors.js';
import { buildTeraSyncApi, type IpcTransport } from '../../../../shared/ipc/api.js';
import type { IpcChannel, IpcEventName, IpcEventPayload, IpcRequest, IpcResponse, TeraSyncApi } from '../../../../shared/ipc/contract.js';
import { validateEvent, validateRequest, validateResponse } from '../../../../shared/ipc/schemas.js';
import type { AccountInfo, PairView, SettingsView, SyncStatus, UpdateStateView } from '../../../../shared/types.js';

type Answer<C extends IpcChannel> = IpcResponse<C> | ErrorInfo | ((request: IpcRequest<C>) => IpcResponse<C> | ErrorInfo | Promise<IpcResponse<C> | ErrorInfo>);

export interface RecordedCall {
  channel: IpcChannel;
  request: unknown;
}

function isErrorInfo(value: unknown): value is ErrorInfo {
  return typeof value === 'object' && value !== null && 'code' in value && 'message' in value && Object.keys(value).length === 2;
}

export function account(change: Partial<AccountInfo> = {}): AccountInfo {
  return {
    userId: 'alice',
    node: 'seto',
    webdavUrl: 'https://seto.teracloud.jp/dav/',
    signedInWith: 'basic',
    method: 'basic',
    fallbackReason: null,
    quota: { usedBytes: 4_200_000_000, quotaBytes: 20_000_000_000 },
    quotaProblem: null,
    secretStore: 'secretService',
    ...change,
  };
}

export function pair(change: Partial<PairView> = {}): PairView {
  return {
    id: 'pair-1',
    localFolder: '/home/alice/TeraCLOUD',
    remoteFolder: 'Sync',
    paused: false,
    bandwidth: { uploadKiBps: 0, downloadKiBps: 0 },
    excludedFolders: [],
    ...change,
  };
}

export function settings(change: Partial<SettingsView> = {}): SettingsView {
  return {
    pairs: [],
    sync: { pollIntervalSeconds: 30, fullScanMinutes: 10, ignorePatterns: [], parallelTransfers: 4, failSafePercent: 50, deletedRetentionDays: 30 },
    backup: { sources: [], device: null, retentionDays: 30, schedule: 'manual' },
    app: { startAtLogin: true, notifications: true, theme: 'system', language: 'en' },
    update: { enabled: true, channel: 'stable' },
    ...change,
  };
}

export function updateState(change: Partial<UpdateStateView> = {}): UpdateStateView {
  return {
    phase: 'idle',
    disabledReason: null,
    currentVersion: '0.1.0',
    version: null,
    percent: null,
    lastCheckedAt: Date.now() - 60_000,
    problem: null,
    nextCheckAt: Date.now() + 4 * 60 * 60_000,
    restartPending: false,
    busy: null,
    ...change,
  };
}

export function status(change: Partial<SyncStatus> = {}): SyncStatus {
  return {
    state: 'idle',
    lastSyncAt: null,
    progress: null,
    problem: null,
    retryAt: null,
    watcherFallback: false,
    lastRun: null,
    failSafe: null,
    pending: 0,
    ...change,
  };
}

export class FakeBackend {
  readonly calls: RecordedCall[] = [];
  readonly api: TeraSyncApi;
  /** Contract violations (a bad request from the window, a bad answer set by a test): a test ends with none. */
  readonly violations: string[] = [];
  private readonly answers = new Map<IpcChannel, Answer<IpcChannel>>();
  private readonly listeners = new Map<IpcEventName, Set<(payload: unknown) => void>>();

  constructor() {
    this.answer('app:getOverview', { account: { user: null, server: null, method: null }, pairs: [], settingsFile: '/home/alice/.config/TeraSync/settings.json', settingsProblem: null });
    this.answer('account:get', null);
    this.answer('settings:get', settings());
    this.answer('status:get', []);
    this.answer('activity:list', { runs: [], more: false });
    this.answer('conflicts:list', []);
    this.answer('backup:getState', { running: null, history: [] });
    // Deleted files: nothing in the trash (the quota line asks on the Status and Settings screens).
    this.answer('deleted:list', []);
    this.answer('deleted:usage', { bytes: 0, retentionDays: 30 });
    // Updates: up to date, checked a minute before the tests' clock.
    this.answer('update:getState', updateState());
    // The proxy: the system's, no password stored.
    this.answer('proxy:get', { mode: 'system', host: '', port: 8080, user: null, passwordStored: false });
    const transport: IpcTransport = {
      call: (channel, request) => this.call(channel, request),
      subscribe: (event, listener) => {
        let set = this.listeners.get(event);
        if (set === undefined) {
          set = new Set();
          this.listeners.set(event, set);
        }
        set.add(listener);
        return () => set.delete(listener);
      },
    };
    this.api = buildTeraSyncApi(transport);
  }

  /** What `channel` answers from now on: a value, an error ({ code, message }), or a function of the request. */
  answer<C extends IpcChannel>(channel: C, answer: Answer<C>): this {
    this.answers.set(channel, answer as unknown as Answer<IpcChannel>);
    return this;
  }

  /** Pushes an event to the window, as main does. */
  emit<E extends IpcEventName>(event: E, payload: IpcEventPayload<E>): void {
    const checked = validateEvent(event, payload);
    if (!checked.ok) throw new Error(`a test pushed an invalid ${event}: ${checked.error.message}`);
    for (const listener of this.listeners.get(event) ?? []) listener(checked.value);
  }

  callsOf<C extends IpcChannel>(channel: C): Array<IpcRequest<C>> {
    return this.calls.filter((item) => item.channel === channel).map((item) => item.request as IpcRequest<C>);
  }

  listenerCount(event: IpcEventName): number {
    return this.listeners.get(event)?.size ?? 0;
  }

  private async call(channel: IpcChannel, request: unknown): Promise<Result<unknown>> {
    this.calls.push({ channel, request });
    const checkedRequest = validateRequest(channel, request);
    if (!checkedRequest.ok) {
      this.violations.push(checkedRequest.error.message);
      return checkedRequest;
    }
    // `undefined` is an answer of its own (the channels that answer nothing), so ask `has`.
    if (!this.answers.has(channel)) {
      this.violations.push(`no answer set for ${channel}`);
      return { ok: false, error: { code: ErrorCode.Internal, message: `the test set no answer for ${channel}` } };
    }
    const answer = this.answers.get(channel);
    const value = typeof answer === 'function' ? await (answer as (request: unknown) => unknown)(checkedRequest.value) : answer;
    if (isErrorInfo(value)) return { ok: false, error: value };
    const checked = validateResponse(channel, value);
    if (!checked.ok) this.violations.push(checked.error.message);
    return checked;
  }
}
