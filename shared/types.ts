/**
 * The data both processes see. Pure types: the main side builds these from its services, the
 * renderer shows them, and shared/ipc/schemas.ts checks them at the process boundary. Nothing
 * here ever carries a secret.
 */
import type { ErrorInfo } from './errors.js';

/** How the account signs in; the secret itself lives in the SecretStore, never here. */
export type AuthMethod = 'basic' | 'oauth2';

export interface AccountSummary {
  user: string | null;
  /** The WebDAV root of the account's node, e.g. `https://seto.teracloud.jp/dav/`. */
  server: string | null;
  method: AuthMethod | null;
}

/** One local folder kept in sync with one remote folder. */
export interface PairSummary {
  localFolder: string;
  remoteUrl: string;
}

export interface AppOverview {
  account: AccountSummary;
  pairs: PairSummary[];
  /** Absolute path of settings.json, so the user knows what to edit or back up. */
  settingsFile: string;
  /**
   * Why the settings could not be used, when they could not (a corrupt file moved aside, a
   * file written by a newer version, a secret where none belongs); null when all is well.
   */
  settingsProblem: ErrorInfo | null;
}
