/**
 * Reads and writes settings.json (format in settings.ts) for the app and the command.
 *
 * - `load()` never throws: like `readSettings`, it gives the settings and, when the file could
 *   not be used, the problem.
 * - `update(mutator)` reads the file afresh (another process or the user may have changed it),
 *   lets `mutator` change a copy, checks the result as a file read from disk would be checked
 *   (plus: no secret in any field), and writes it atomically: a temporary file with mode 0600,
 *   flushed to disk, then renamed over settings.json. A crash at any moment leaves the old file
 *   or the new one, never a mix.
 * - Loads and updates run one at a time in call order, so two updates never interleave and
 *   neither loses the other's change.
 * - An update is refused (the file left alone) when the file on disk could not be used: one
 *   from a newer version keeps its settings, one holding a secret is the user's to clean, an
 *   unreadable one is not overwritten blind, and a damaged one has just been moved aside, so
 *   the change was made against settings that are gone (the next update starts from defaults).
 *
 * Writes from other processes (the `terasync` command) are not serialised with ours; the
 * atomic rename keeps the file whole, and the last writer wins.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode, TeraSyncError } from '../../shared/errors.js';
import { silentLogger, type Logger } from '../core/logger.js';
import {
  decodeSettings,
  defaultSettings,
  readSettings,
  rejectSecrets,
  serializeSettings,
  settingsFilePath,
  SettingsRefusal,
  type Settings,
  type SettingsCheckOptions,
  type SettingsFileSystem,
  type SettingsReadResult,
} from './settings.js';
import type { WallClock } from '../core/time.js';

export interface SettingsStoreFileSystem extends SettingsFileSystem {
  /** Creates `filePath` (it does not exist yet) with `text` and `mode`, flushed to disk before it resolves. */
  writeNewFile(filePath: string, text: string, mode: number): Promise<void>;
  /** Removes a file; a missing one is success. */
  unlink(filePath: string): Promise<void>;
  mkdir(folder: string): Promise<void>;
}

export const nodeSettingsStoreFileSystem: SettingsStoreFileSystem = {
  readFile: (filePath) => readFile(filePath, 'utf8'),
  rename: (from, to) => rename(from, to),
  async writeNewFile(filePath, text, mode) {
    const handle = await open(filePath, 'wx', mode);
    try {
      await handle.writeFile(text, 'utf8');
      // Without this, a power cut soon after the rename can leave an empty settings.json on
      // file systems that delay writing data behind metadata.
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
  unlink: (filePath) =>
    unlink(filePath).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    }),
  mkdir: async (folder) => {
    await mkdir(folder, { recursive: true });
  },
};

export interface SettingsStoreDeps {
  fileSystem: SettingsStoreFileSystem;
  /** Names the file a corrupt settings.json is moved to. */
  clock: WallClock;
  /** Names the temporary file; default: random. */
  randomSuffix?: () => string;
  /** Tells of a change listener that threw. */
  logger?: Logger;
}

export type SettingsLoadResult = SettingsReadResult;

/** Changes `draft` in place (and returns nothing), or returns the new settings. */
export type SettingsMutator = ((draft: Settings) => void) | ((draft: Settings) => Settings);

export type SettingsListener = (settings: Settings) => void;

export interface Disposable {
  dispose(): void;
}

/** The mode of settings.json: only the user reads it (it says which folders are synced). */
export const SETTINGS_FILE_MODE = 0o600;

export class SettingsStore {
  readonly file: string;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly listeners = new Set<SettingsListener>();
  private latest: Settings = defaultSettings();
  private disposed = false;

  constructor(
    readonly folder: string,
    private readonly deps: SettingsStoreDeps,
    private readonly options: SettingsCheckOptions = {},
  ) {
    this.file = settingsFilePath(folder);
  }

  /** The settings of the last load or update (defaults before the first). A copy. */
  get current(): Settings {
    return structuredClone(this.latest);
  }

  /** Reads settings.json. Never throws: see the table in settings.ts. */
  load(): Promise<SettingsLoadResult> {
    return this.enqueue(async () => {
      let result: SettingsLoadResult;
      try {
        result = await readSettings(this.folder, this.deps, this.options);
      } catch (error) {
        // readSettings does not throw; this is a last guard so that the app always starts.
        result = {
          settings: defaultSettings(),
          found: false,
          problem: { code: ErrorCode.LocalIo, message: `The settings file ${this.file} could not be read: ${messageOf(error)}` },
          movedTo: null,
          migratedFrom: null,
          notes: [],
        };
      }
      this.latest = result.settings;
      return { ...result, settings: structuredClone(result.settings) };
    });
  }

  /**
   * Applies `mutator` to the settings on disk and saves the result; resolves with the saved
   * settings. Rejects with a TeraSyncError: InvalidRequest when the result is not valid (the
   * message names the field) or holds a secret, Configuration or LocalIo when the file on disk
   * could not be used (see the header), LocalIo when the write fails, Cancelled after dispose.
   */
  update(mutator: SettingsMutator): Promise<Settings> {
    if (this.disposed) return Promise.reject(new TeraSyncError(ErrorCode.Cancelled, 'The settings store is closed.'));
    return this.enqueue(async () => {
      const read = await readSettings(this.folder, this.deps, this.options);
      if (read.problem !== null) {
        throw new TeraSyncError(read.problem.code, `The settings were not saved. ${read.problem.message}`);
      }
      const draft = structuredClone(read.settings);
      const returned: unknown = mutator(draft);
      // Checked below like anything read from disk, whatever the mutator gave.
      const changed = returned === undefined ? draft : (returned as Settings);
      const settings = this.check(changed);
      await this.write(serializeSettings(settings));
      this.latest = settings;
      this.emit(settings);
      return structuredClone(settings);
    });
  }

  /** Called with the new settings after each successful update. */
  onDidChange(listener: SettingsListener): Disposable {
    this.listeners.add(listener);
    return { dispose: () => void this.listeners.delete(listener) };
  }

  /** Stops taking updates, forgets the listeners, and resolves when the pending work is done. */
  async dispose(): Promise<void> {
    this.disposed = true;
    this.listeners.clear();
    await this.queue;
  }

  private enqueue<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** `candidate` checked as if read from disk; throws InvalidRequest saying what is wrong. */
  private check(candidate: Settings): Settings {
    if (typeof candidate !== 'object' || candidate === null) {
      throw new TeraSyncError(ErrorCode.InvalidRequest, 'The settings were not saved: the change did not give settings.');
    }
    try {
      // Checked as the file it would become: a field named like a secret, or a URL with a
      // password, is refused; what is written is the checked result, which holds only known fields.
      const json = JSON.parse(serializeSettings(candidate)) as unknown;
      return decodeSettings(json, this.options).settings;
    } catch (error) {
      if (error instanceof SettingsRefusal && error.kind === 'secret') {
        throw new TeraSyncError(
          ErrorCode.InvalidRequest,
          `The settings were not saved because ${error.message}, which looks like a secret: TeraSync keeps passwords and tokens in the system keychain.`,
        );
      }
      throw new TeraSyncError(ErrorCode.InvalidRequest, `The settings were not saved: ${messageOf(error)}.`, { cause: error });
    }
  }

  private async write(text: string): Promise<void> {
    // The last guard: whatever the checks above missed, no secret reaches the disk.
    try {
      rejectSecrets(JSON.parse(text) as unknown);
    } catch (error) {
      throw new TeraSyncError(ErrorCode.InvalidRequest, `Refusing to write ${this.file}: ${messageOf(error)}`, { cause: error });
    }
    const { fileSystem } = this.deps;
    const suffix = this.deps.randomSuffix?.() ?? randomBytes(6).toString('hex');
    const temp = path.join(this.folder, `.${path.basename(this.file)}.${suffix}.tmp`);
    try {
      await fileSystem.mkdir(this.folder);
      await fileSystem.writeNewFile(temp, text, SETTINGS_FILE_MODE);
      await fileSystem.rename(temp, this.file);
    } catch (error) {
      await fileSystem.unlink(temp).catch(() => undefined);
      throw new TeraSyncError(ErrorCode.LocalIo, `The settings could not be saved to ${this.file}: ${messageOf(error)}`, { cause: error });
    }
  }

  private emit(settings: Settings): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(structuredClone(settings));
      } catch (error) {
        (this.deps.logger ?? silentLogger).error('A settings listener failed', { error });
      }
    }
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
