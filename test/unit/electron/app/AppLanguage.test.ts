/**
 * AppLanguage: the main process's language from the setting and the system's languages (the
 * window's rule), its change events, and the peek at settings.json before the settings load.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AppLanguage, peekLanguageSetting, systemLanguagesOf } from '../../../../electron/app/AppLanguage.js';
import { settingsFilePath } from '../../../../electron/app/settings.js';
import { resolveLocale } from '../../../../shared/i18n/translator.js';
import type { Language } from '../../../../shared/types.js';

describe('AppLanguage', () => {
  it('follows the setting when it names a language', () => {
    expect(new AppLanguage({ setting: 'ja', systemLanguages: () => ['en-US'] }).locale).toBe('ja');
    expect(new AppLanguage({ setting: 'en', systemLanguages: () => ['ja-JP'] }).current().t.tray.quit).toBe('Quit TeraSync');
  });

  it('follows the system for "system": ja* is Japanese, anything else English', () => {
    const of = (languages: string[]) => new AppLanguage({ setting: 'system', systemLanguages: () => languages }).locale;
    expect(of(['ja-JP'])).toBe('ja');
    expect(of(['ja'])).toBe('ja');
    expect(of(['en-US', 'ja-JP'])).toBe('en');
    expect(of(['de-DE', 'ja-JP'])).toBe('ja');
    expect(of(['de-DE'])).toBe('en');
    expect(of([])).toBe('en');
  });

  it('decides as the window does, for every setting and system', () => {
    const systems = [['ja-JP'], ['en-GB'], ['fr-FR', 'ja'], ['zh-CN'], []];
    const settings: Language[] = ['system', 'en', 'ja'];
    for (const setting of settings) {
      for (const languages of systems) {
        expect(new AppLanguage({ setting, systemLanguages: () => languages }).locale).toBe(resolveLocale(setting, languages));
      }
    }
  });

  it('takes Electron’s preferred languages first, then the app locale', () => {
    expect(systemLanguagesOf(['ja-JP', 'en-US'], 'en-US')).toEqual(['ja-JP', 'en-US', 'en-US']);
    expect(systemLanguagesOf([], 'ja')).toEqual(['ja']);
    expect(systemLanguagesOf([], '')).toEqual([]);
    expect(new AppLanguage({ setting: 'system', systemLanguages: () => systemLanguagesOf([], 'ja') }).locale).toBe('ja');
  });

  it('tells its listeners when the language changes, and only then', () => {
    let system = ['en-US'];
    const language = new AppLanguage({ setting: 'system', systemLanguages: () => system });
    const heard: string[] = [];
    const listener = language.onDidChange(() => heard.push(language.locale));
    language.setSetting('en');
    language.setSetting('ja');
    language.setSetting('ja');
    language.setSetting('system');
    // The system's languages are asked again at each decision.
    system = ['ja-JP'];
    language.setSetting('system');
    listener.dispose();
    language.setSetting('en');
    expect(heard).toEqual(['ja', 'en', 'ja']);
    expect(language.current().locale).toBe('en');
  });
});

describe('peekLanguageSetting', () => {
  let folder: string | null = null;
  afterEach(async () => {
    if (folder !== null) await rm(folder, { recursive: true, force: true });
    folder = null;
  });

  async function withSettings(text: string | null): Promise<Language> {
    folder = await mkdtemp(path.join(tmpdir(), 'terasync-language-'));
    if (text !== null) await writeFile(settingsFilePath(folder), text);
    return peekLanguageSetting(folder);
  }

  it('reads app.language from settings.json', async () => {
    expect(await withSettings(JSON.stringify({ version: 3, app: { language: 'ja' } }))).toBe('ja');
  });

  it('is "system" without a file, with a damaged one or an unknown value, and leaves the file alone', async () => {
    expect(await withSettings(null)).toBe('system');
    expect(await withSettings('{ not json')).toBe('system');
    expect(await withSettings(JSON.stringify({ app: { language: 'fr' } }))).toBe('system');
    expect(await withSettings(JSON.stringify({ app: null }))).toBe('system');
    expect(await withSettings('null')).toBe('system');
  });
});
