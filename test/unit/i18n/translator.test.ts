/**
 * The shared translator (shared/i18n/translator.ts): which language a setting and the system's
 * languages give (the one rule for the window and the main process), and the formatting both
 * sides use.
 */
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../shared/errors.js';
import { catalogs, createI18n, resolveLocale } from '../../../shared/i18n/translator.js';

describe('resolveLocale', () => {
  it('takes the setting when it names a language, whatever the system says', () => {
    expect(resolveLocale('ja', ['en-US'])).toBe('ja');
    expect(resolveLocale('en', ['ja-JP'])).toBe('en');
  });

  it('follows the first system language it has, for "system" or no setting', () => {
    expect(resolveLocale('system', ['ja-JP', 'en-US'])).toBe('ja');
    expect(resolveLocale('system', ['en-GB', 'ja'])).toBe('en');
    expect(resolveLocale(null, ['fr-FR', 'ja-JP'])).toBe('ja');
    expect(resolveLocale(undefined, ['JA'])).toBe('ja');
    // POSIX-style tags, as some Linux desktops report them.
    expect(resolveLocale('system', ['ja_JP'])).toBe('ja');
  });

  it('falls back to English', () => {
    expect(resolveLocale('system', [])).toBe('en');
    expect(resolveLocale('system', ['fr-FR', 'de-DE'])).toBe('en');
    // A tag that only starts with the letters is another language.
    expect(resolveLocale('system', ['jam'])).toBe('en');
  });
});

describe('createI18n', () => {
  it('gives the catalog of its language', () => {
    expect(createI18n('en').t).toBe(catalogs.en);
    expect(createI18n('ja').t).toBe(catalogs.ja);
    expect(createI18n('ja').t.status.syncNow).toBe('今すぐ同期');
  });

  it.each([
    [0, '0 B'],
    [512, '512 B'],
    [1000, '1 kB'],
    [4_200_000, '4.2 MB'],
    [9_960_000, '10 MB'],
    [999_600, '1 MB'],
    [123_456_789, '123 MB'],
    [1_500_000_000, '1.5 GB'],
  ])('writes %d bytes as %s, in decimal units', (bytes, text) => {
    expect(createI18n('en').bytes(bytes)).toBe(text);
    expect(createI18n('ja').bytes(bytes)).toBe(text);
  });

  it('groups digits as the language does', () => {
    expect(createI18n('en').number(12345)).toBe('12,345');
    expect(createI18n('ja').number(12345)).toBe('12,345');
    expect(createI18n('en').bytes(999_999_999_999_999)).toBe('1,000 TB');
  });

  it('says an error for where it happened', () => {
    const i18n = createI18n('en');
    expect(i18n.error(ErrorCode.Network).advice).toBe(catalogs.en.errors.Network.advice);
    expect(i18n.error(ErrorCode.Network, 'action').advice).toBe(catalogs.en.errorSituations.action.Network.advice);
    expect(createI18n('ja').error(ErrorCode.Network, 'signIn').title).toBe('TeraCLOUDに接続できません。');
  });
});
