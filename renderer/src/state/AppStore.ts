/**
 * What the window knows of the app: loaded once through window.terasync, then kept current by
 * the contract's events (main pushes every change, whoever made it: this window, the tray, a
 * file manager). Plain TypeScript with an immutable snapshot, so React reads it with
 * useSyncExternalStore and tests drive it with a fake API.
 *
 * It subscribes before it loads, so that an event that arrives while the first answers are
 * on their way is not lost; an event older than the loaded state cannot arrive later, because
 * main answers and pushes in order over one channel.
 */
import { ErrorCode, type ErrorInfo, type Result } from '../../../shared/errors.js';
import type { TeraSyncApi } from '../../../shared/ipc/contract.js';
import type {
  AccountInfo,
  ActivityRun,
  AppOverview,
  BackupProgress,
  BackupStateView,
  ConflictInfo,
  SettingsView,
  SyncStatus,
  UpdateStateView,
} from '../../../shared/types.js';

/** How many of the newest activity runs the store keeps, for the status screen (the Activity screen pages through the rest). */
export const recentRunsKept = 3;

export interface AppData {
  phase: 'loading' | 'ready' | 'failed';
  loadError: ErrorInfo | null;
  overview: AppOverview | null;
  account: AccountInfo | null;
  settings: SettingsView | null;
  /** By pair id. */
  statuses: Readonly<Record<string, SyncStatus>>;
  /** The newest activity runs (at most recentRunsKept), newest first. */
  activity: readonly ActivityRun[];
  conflicts: readonly ConflictInfo[];
  backup: BackupStateView;
  /** The app's own update (null until loaded). */
  update: UpdateStateView | null;
}

const emptyBackup: BackupStateView = { running: null, history: [] };

function initialData(): AppData {
  return {
    phase: 'loading',
    loadError: null,
    overview: null,
    account: null,
    settings: null,
    statuses: {},
    activity: [],
    conflicts: [],
    backup: emptyBackup,
    update: null,
  };
}

/** A Result's value, or throws its error as an ApiError. */
export function unwrap<T>(result: Result<T>): T {
  if (result.ok) return result.value;
  throw new ApiError(result.error);
}

/** A failed call, with the coded error main answered. */
export class ApiError extends Error {
  readonly info: ErrorInfo;

  constructor(info: ErrorInfo) {
    super(info.message);
    this.info = info;
  }
}

/** Any failure as the coded error the screens show. */
export function errorInfoOf(error: unknown): ErrorInfo {
  if (error instanceof ApiError) return error.info;
  return { code: ErrorCode.Internal, message: error instanceof Error ? error.message : String(error) };
}

/** The runs of both lists, each once, newest first, at most recentRunsKept. */
function addRuns(list: readonly ActivityRun[], runs: readonly ActivityRun[]): readonly ActivityRun[] {
  const known = new Set(list.map((run) => run.id));
  const added = runs.filter((run) => !known.has(run.id));
  if (added.length === 0) return list;
  return [...list, ...added].sort((a, b) => b.id - a.id).slice(0, recentRunsKept);
}

export class AppStore {
  private data: AppData = initialData();
  private readonly listeners = new Set<() => void>();
  private readonly unsubscribes: Array<() => void> = [];
  private loading: Promise<void> | null = null;
  private disposed = false;

  constructor(private readonly api: TeraSyncApi) {}

  getSnapshot = (): AppData => this.data;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Subscribes to every event and loads everything; again after a failure (Try again). */
  start(): Promise<void> {
    if (this.unsubscribes.length === 0) this.listen();
    this.loading ??= this.load().finally(() => {
      this.loading = null;
    });
    return this.loading;
  }

  dispose(): void {
    this.disposed = true;
    for (const unsubscribe of this.unsubscribes.splice(0)) unsubscribe();
    this.listeners.clear();
  }

  /** Asks main for the account again (after a sign-in elsewhere, or to refresh the quota). */
  async refreshAccount(): Promise<void> {
    const account = unwrap(await this.api.getAccount());
    this.update({ account });
  }

  /** Takes an answer that main also announces by an event, so the screen does not wait for it. */
  accept(change: Partial<Pick<AppData, 'account' | 'settings' | 'conflicts' | 'backup' | 'update'>>): void {
    this.update(change);
  }

  private listen(): void {
    const api = this.api;
    this.unsubscribes.push(
      api.onStatusChanged(({ pairId, status }) => this.update({ statuses: { ...this.data.statuses, [pairId]: status } })),
      api.onActivityRunAdded((run) => this.update({ activity: addRuns(this.data.activity, [run]) })),
      api.onConflictsChanged((conflicts) => this.update({ conflicts })),
      api.onAccountChanged((account) => this.update({ account })),
      api.onSettingsChanged((settings) => this.update({ settings, statuses: this.keepKnownPairs(settings) })),
      api.onBackupProgress((progress) => this.backupProgressed(progress)),
      api.onBackupChanged((backup) => this.update({ backup })),
      api.onUpdateChanged((update) => this.update({ update })),
    );
  }

  private backupProgressed(progress: BackupProgress): void {
    const running = this.data.backup.running;
    // A progress event of a run that has ended (a late one) must not bring it back.
    if (running === null || running.operation !== progress.operation) return;
    this.update({ backup: { ...this.data.backup, running: { operation: running.operation, progress } } });
  }

  private keepKnownPairs(settings: SettingsView): Record<string, SyncStatus> {
    const ids = new Set(settings.pairs.map((pair) => pair.id));
    return Object.fromEntries(Object.entries(this.data.statuses).filter(([id]) => ids.has(id)));
  }

  private async load(): Promise<void> {
    this.update({ phase: 'loading', loadError: null });
    try {
      const api = this.api;
      const [overview, settings, statuses, activity, conflicts, backup, account, update] = await Promise.all([
        api.getOverview().then(unwrap),
        api.getSettings().then(unwrap),
        api.getStatus().then(unwrap),
        api.listActivity({ limit: recentRunsKept }).then(unwrap),
        api.listConflicts().then(unwrap),
        api.getBackupState().then(unwrap),
        api.getAccount().then(unwrap),
        api.getUpdateState().then(unwrap),
      ]);
      this.update({
        phase: 'ready',
        overview,
        settings,
        // Events that came while loading are newer than the answers.
        statuses: { ...Object.fromEntries(statuses.map((item) => [item.pairId, item.status])), ...this.data.statuses },
        activity: addRuns(this.data.activity, activity.runs),
        conflicts,
        backup,
        account,
        // An update:changed that came while loading is newer than the answer.
        update: this.data.update ?? update,
      });
    } catch (error) {
      this.update({ phase: 'failed', loadError: errorInfoOf(error) });
    }
  }

  private update(change: Partial<AppData>): void {
    if (this.disposed) return;
    this.data = { ...this.data, ...change };
    for (const listener of this.listeners) listener();
  }
}
