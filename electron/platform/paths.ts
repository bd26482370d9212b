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

/** One journal per pair: the pair is its local folder and its remote URL. */
export function journalFile(stateDir: string, localRoot: string, remoteUrl: string): string {
  const id = createHash('sha256').update(`${resolve(localRoot)}\n${remoteUrl}`).digest('hex').slice(0, 16);
  return join(stateDir, 'journals', `${id}.sqlite`);
}
