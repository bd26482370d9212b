/**
 * The words and options of the main process's system dialogs, in the app's language:
 * electron/main hands these to Electron's dialog module as they are.
 */
import type { I18n } from '../../shared/i18n/translator.js';
import type { PickPurpose } from '../../shared/types.js';

export interface PickerOptions {
  title: string;
  properties: Array<'openDirectory' | 'openFile' | 'createDirectory'>;
  filters?: Array<{ name: string; extensions: string[] }>;
}

/** What each of the window's pickers asks the system's open dialog for. */
export function pickerOptions(purpose: PickPurpose, i18n: I18n): PickerOptions {
  const words = i18n.t.dialogs;
  switch (purpose) {
    case 'syncFolder':
      return { title: words.pickSyncFolder, properties: ['openDirectory', 'createDirectory'] };
    case 'backupSource':
      return { title: words.pickBackupSource, properties: ['openDirectory'] };
    case 'restoreTarget':
      return { title: words.pickRestoreTarget, properties: ['openDirectory', 'createDirectory'] };
    case 'caCertificate':
      return {
        title: words.pickCaCertificate,
        properties: ['openFile'],
        filters: [
          { name: words.pemCertificates, extensions: ['pem', 'crt', 'cer'] },
          { name: words.allFiles, extensions: ['*'] },
        ],
      };
  }
}

export interface MessageBoxOptions {
  type: 'warning';
  title: string;
  message: string;
  detail: string;
  buttons: string[];
  defaultId: number;
  cancelId: number;
}

/** The question when the system keychain cannot be used: button 0 keeps the sign-in in memory, 1 quits. */
export function keychainQuestion(reason: string, i18n: I18n): MessageBoxOptions {
  const words = i18n.t.dialogs;
  return {
    type: 'warning',
    title: i18n.t.app.name,
    message: words.keychainMessage,
    detail: words.keychainDetail(reason),
    buttons: [words.keychainKeep, words.keychainQuit],
    defaultId: 0,
    cancelId: 1,
  };
}
