/**
 * The main process's language: the tray, the notifications and the dialogs speak it. It is
 * decided as the window decides its own (resolveLocale in shared/i18n/translator.ts): the
 * setting `app.language` when it names a language, else the first of the system's languages
 * that TeraSync has (ja* is Japanese, en* English), else English. The system's languages come
 * from Electron (app.getPreferredSystemLanguages(), then app.getLocale()); electron/main
 * passes them in, so this runs under plain Node.
 *
 * A change of the setting (settings:changed) goes through `setSetting`; listeners hear of it
 * only when the language actually changes, and the tray rebuilds its tooltip and menu then.
 * Notifications and dialogs read `current()` when they are shown.
 */
import { readFile } from 'node:fs/promises';
import { createI18n, resolveLocale, type I18n, type Locale } from '../../shared/i18n/translator.js';
import type { Language } from '../../shared/types.js';
import { settingsFilePath } from './settings.js';

/** What the tray and the notifications need of the language. */
export interface LanguageSource {
  current(): I18n;
  /** Called after the language changed. */
  onDidChange(listener: () => void): { dispose(): void };
}

/** The system's languages, best first, from what Electron reports (either may be empty). */
export function systemLanguagesOf(preferred: readonly string[], appLocale: string): string[] {
  return [...preferred, appLocale].filter((tag) => tag.trim() !== '');
}

export interface AppLanguageOptions {
  /** app.language from the settings. */
  setting: Language;
  /** The system's languages, best first; asked again whenever the language is decided. */
  systemLanguages(): readonly string[];
}

export class AppLanguage implements LanguageSource {
  private readonly systemLanguages: () => readonly string[];
  private readonly listeners = new Set<() => void>();
  private setting: Language;
  private i18n: I18n;

  constructor(options: AppLanguageOptions) {
    this.systemLanguages = options.systemLanguages;
    this.setting = options.setting;
    this.i18n = createI18n(this.resolve());
  }

  get locale(): Locale {
    return this.i18n.locale;
  }

  current(): I18n {
    return this.i18n;
  }

  /** The setting changed (or may have): decides again, and tells the listeners if the language changed. */
  setSetting(setting: Language): void {
    this.setting = setting;
    const locale = this.resolve();
    if (locale === this.i18n.locale) return;
    this.i18n = createI18n(locale);
    for (const listener of [...this.listeners]) listener();
  }

  onDidChange(listener: () => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  private resolve(): Locale {
    return resolveLocale(this.setting, this.systemLanguages());
  }
}

/**
 * app.language as settings.json holds it, for what is shown before the settings are loaded
 * (the keychain question comes before the services start). Only reads: a missing, unreadable
 * or damaged file, or an unknown value, is 'system'; the settings store deals with the file.
 */
export async function peekLanguageSetting(appDataFolder: string, read: (file: string) => Promise<string> = (file) => readFile(file, 'utf8')): Promise<Language> {
  try {
    const json = JSON.parse(await read(settingsFilePath(appDataFolder))) as unknown;
    const app = typeof json === 'object' && json !== null ? (json as { app?: unknown }).app : undefined;
    const language = typeof app === 'object' && app !== null ? (app as { language?: unknown }).language : undefined;
    return language === 'en' || language === 'ja' ? language : 'system';
  } catch {
    return 'system';
  }
}
