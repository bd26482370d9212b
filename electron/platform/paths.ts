/**
 * Where TeraSync keeps its own files when the user does not say: the same folder Electron's
 * `app.getPath('userData')` uses for an app named TeraSync, so the command and the app share
 * journals.
 */
import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export function appDataDir(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): string {
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'TeraSync');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'TeraSync');
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'TeraSync');
}

/** A sync pair's identity: its local folder and its remote URL. */
export function pairId(localRoot: string, remoteUrl: string): string {
  return createHash('sha256').update(`${resolve(localRoot)}\n${remoteUrl}`).digest('hex').slice(0, 16);
}

/** One journal per pair. */
export function journalFile(stateDir: string, localRoot: string, remoteUrl: string): string {
  return join(stateDir, 'journals', `${pairId(localRoot, remoteUrl)}.sqlite`);
}

/** The pair engine's last known status, for `terasync status`. */
export function statusFile(stateDir: string, localRoot: string, remoteUrl: string): string {
  return join(stateDir, 'status', `${pairId(localRoot, remoteUrl)}.json`);
}
