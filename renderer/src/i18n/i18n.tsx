/**
 * The window's language as React context: a thin layer over the shared translator
 * (shared/i18n/translator.ts), which holds the catalogs, the choice of language and the
 * formatting of numbers, sizes, dates and durations.
 */
import { createContext, useContext, useMemo, type ReactNode } from 'react';
import { createI18n, type I18n, type Locale } from '../../../shared/i18n/translator.js';

export { catalogs, createI18n, resolveLocale, type ErrorSituation, type I18n, type Locale } from '../../../shared/i18n/translator.js';

const I18nContext = createContext<I18n>(createI18n('en'));

export function I18nProvider({ locale, children }: { locale: Locale; children: ReactNode }) {
  const value = useMemo(() => createI18n(locale), [locale]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  return useContext(I18nContext);
}
