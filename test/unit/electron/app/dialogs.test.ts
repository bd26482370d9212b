/** The main process's dialogs in English and Japanese: the pickers and the keychain question. */
import { describe, expect, it } from 'vitest';
import { keychainQuestion, pickerOptions } from '../../../../electron/app/dialogs.js';
import { createI18n } from '../../../../shared/i18n/translator.js';
import type { PickPurpose } from '../../../../shared/types.js';

const english = createI18n('en');
const japanese = createI18n('ja');
const purposes: PickPurpose[] = ['syncFolder', 'backupSource', 'restoreTarget', 'caCertificate'];

describe('pickerOptions', () => {
  it('titles each picker in English and Japanese', () => {
    expect(purposes.map((purpose) => pickerOptions(purpose, english).title)).toEqual([
      'Choose the folder to sync',
      'Choose a folder to back up',
      'Choose where to restore',
      'Choose the CA certificate',
    ]);
    expect(purposes.map((purpose) => pickerOptions(purpose, japanese).title)).toEqual([
      '同期するフォルダーを選択',
      'バックアップするフォルダーを選択',
      '復元先を選択',
      'CA証明書を選択',
    ]);
  });

  it('asks for folders or a certificate file, with named filters', () => {
    expect(pickerOptions('syncFolder', english).properties).toEqual(['openDirectory', 'createDirectory']);
    expect(pickerOptions('backupSource', english).properties).toEqual(['openDirectory']);
    expect(pickerOptions('syncFolder', english).filters).toBeUndefined();
    expect(pickerOptions('caCertificate', japanese)).toEqual({
      title: 'CA証明書を選択',
      properties: ['openFile'],
      filters: [
        { name: 'PEM証明書', extensions: ['pem', 'crt', 'cer'] },
        { name: 'すべてのファイル', extensions: ['*'] },
      ],
    });
    expect(pickerOptions('caCertificate', english).filters?.map((filter) => filter.name)).toEqual(['PEM certificates', 'All files']);
  });
});

describe('keychainQuestion', () => {
  const reason = 'The Secret Service is not running.';

  it('asks in English, the reason first, keeping the sign-in as the default answer', () => {
    expect(keychainQuestion(reason, english)).toEqual({
      type: 'warning',
      title: 'TeraSync',
      message: 'TeraSync cannot use the system keychain.',
      detail: `${reason}\n\nTeraSync can keep your sign-in in memory until it quits (you sign in again at every start), or quit now.`,
      buttons: ['Keep it for this session', 'Quit'],
      defaultId: 0,
      cancelId: 1,
    });
  });

  it('asks in Japanese, with the system’s own message as the detail', () => {
    const question = keychainQuestion(reason, japanese);
    expect(question.message).toBe('TeraSyncはシステムのキーチェーンを使えません。');
    expect(question.buttons).toEqual(['このセッションの間だけ保持する', '終了']);
    expect(question.detail.endsWith(`詳細：${reason}`)).toBe(true);
    expect({ defaultId: question.defaultId, cancelId: question.cancelId }).toEqual({ defaultId: 0, cancelId: 1 });
  });
});
