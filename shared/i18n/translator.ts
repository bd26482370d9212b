/**
 * The translator both sides share: the window (through the React layer in
 * renderer/src/i18n/i18n.tsx) and the main process (tray, notifications, dialogs). The
 * language is the setting (app.language) when it names one, else the first of the system's
 * languages we have (the window reads navigator.languages, main Electron's
 * app.getPreferredSystemLanguages()), else English. Numbers, sizes, dates and durations are
 * formatted for that language with Intl. Pure TypeScript: no React, no DOM, no Node.
 */
import type { ErrorCode } from '../errors.js';
import type { Language } from '../types.js';
import { en, type Messages } from './en.js';
import { ja } from './ja.js';

export type Locale = 'en' | 'ja';

/**
 * Where an error happened, which changes what to do about it: 'sync' (a running sync, which
 * tries again by itself), 'action' (a button the user pressed: nothing repeats it), 'signIn'.
 */
export type ErrorSituation = 'sync' | 'action' | 'signIn';

export const catalogs: Readonly<Record<Locale, Messages>> = { en, ja };

/** The language to show for a setting and the system's preferred languages. */
export function resolveLocale(setting: Language | null | undefined, systemLanguages: readonly string[]): Locale {
  if (setting === 'en' || setting === 'ja') return setting;
  for (const tag of systemLanguages) {
    const base = tag.toLowerCase().split(/[-_]/)[0];
    if (base === 'ja') return 'ja';
    if (base === 'en') return 'en';
  }
  return 'en';
}

export interface I18n {
  locale: Locale;
  t: Messages;
  /** "512 B", "4.2 MB", "1.5 GB": decimal units, as file managers show sizes. */
  bytes(value: number): string;
  number(value: number): string;
  percent(fraction: number): string;
  /** Date and time, as the user's system writes them. */
  dateTime(ms: number): string;
  /** Date and time to the second, where the minute cannot tell two times apart. */
  dateTimeSeconds(ms: number): string;
  /** "3 minutes ago", "in 20 seconds", "just now", relative to `now`. */
  relative(ms: number, now: number): string;
  /** "about 3 minutes", "45 seconds", "2 hours". */
  duration(ms: number): string;
  /** The error's title and advice in this language, for where it happened (default 'sync'). */
  error(code: ErrorCode, situation?: ErrorSituation): { title: string; advice: string };
}

const units = ['B', 'kB', 'MB', 'GB', 'TB'] as const;

export function createI18n(locale: Locale): I18n {
  const t = catalogs[locale];
  const numberFormat = new Intl.NumberFormat(locale);
  const oneDecimal = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
  const percentFormat = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 });
  const dateTimeFormat = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
  const dateTimeSecondsFormat = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'medium' });
  const relativeFormat = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  const steps: ReadonlyArray<[Intl.RelativeTimeFormatUnit, number]> = [
    ['second', 60],
    ['minute', 60],
    ['hour', 24],
    ['day', 7],
    ['week', 4.35],
    ['month', 12],
    ['year', Infinity],
  ];
  const unitFormats = new Map(
    (['second', 'minute', 'hour', 'day'] as const).map((unit) => [unit, new Intl.NumberFormat(locale, { style: 'unit', unit, unitDisplay: 'long' })]),
  );
  return {
    locale,
    t,
    bytes(value) {
      let amount = Math.max(0, value);
      let unit = 0;
      while (amount >= 1000 && unit < units.length - 1) {
        amount /= 1000;
        unit++;
      }
      if (unit === 0) return `${numberFormat.format(Math.round(amount))} B`;
      // 999.6 kB rounds to "1,000 kB": say "1 MB" instead.
      if (Math.round(amount) >= 1000 && unit < units.length - 1) return `${numberFormat.format(1)} ${units[unit + 1]}`;
      const shown = amount < 10 ? oneDecimal.format(amount) : numberFormat.format(Math.round(amount));
      return `${shown} ${units[unit]}`;
    },
    number: (value) => numberFormat.format(value),
    percent: (fraction) => percentFormat.format(fraction),
    dateTime: (ms) => dateTimeFormat.format(new Date(ms)),
    dateTimeSeconds: (ms) => dateTimeSecondsFormat.format(new Date(ms)),
    relative(ms, now) {
      let amount = (ms - now) / 1000;
      if (Math.abs(amount) < 10) return t.time.justNow;
      for (const [unit, size] of steps) {
        if (Math.abs(amount) < size) return relativeFormat.format(Math.round(amount), unit);
        amount /= size;
      }
      return relativeFormat.format(Math.round(amount), 'year');
    },
    duration(ms) {
      const seconds = Math.max(0, Math.round(ms / 1000));
      if (seconds < 60) return seconds < 5 ? t.time.lessThanMinute : (unitFormats.get('second') as Intl.NumberFormat).format(seconds);
      const minutes = Math.round(seconds / 60);
      if (minutes < 60) return (unitFormats.get('minute') as Intl.NumberFormat).format(minutes);
      const hours = Math.round(minutes / 6) / 10;
      if (hours < 48) return (unitFormats.get('hour') as Intl.NumberFormat).format(hours);
      return (unitFormats.get('day') as Intl.NumberFormat).format(Math.round(hours / 24));
    },
    error(code, situation = 'sync') {
      if (situation !== 'sync') {
        const said: Partial<Record<ErrorCode, { title: string; advice: string }>> = t.errorSituations[situation];
        const specific = said[code];
        if (specific !== undefined) return specific;
      }
      return t.errors[code];
    },
  };
}
