/**
 * What the screen tests share: a backend with an account signed in, moving between screens as
 * the user does (the navigation bar), reaching a control with the Tab key alone, answers that
 * arrive when the test says, and the words the window writes for a date.
 */
import { screen, within } from '@testing-library/react';
import type { UserEvent } from '@testing-library/user-event';
import { expect } from 'vitest';
import type { AccountInfo, Language, PairStatus, PairView, SettingsView } from '../../../../shared/types.js';
import { account, FakeBackend, settings } from './fakeBackend.js';

export interface SignedInOptions {
  account?: Partial<AccountInfo>;
  pairs?: PairView[];
  settings?: Partial<SettingsView>;
  statuses?: PairStatus[];
  /** The language setting ('system' lets the languages given to renderApp decide). */
  language?: Language;
}

/** A backend whose account is signed in, with these pairs (none: the window opens on the set-up). */
export function signedInBackend(options: SignedInOptions = {}): FakeBackend {
  return new FakeBackend()
    .answer('account:get', account(options.account))
    .answer('settings:get', settings({ pairs: options.pairs ?? [], ...options.settings, ...(options.language === undefined ? {} : { app: { ...settings().app, language: options.language } }) }))
    .answer('status:get', options.statuses ?? []);
}

/** Goes to a screen by its button in the navigation bar, and waits for its heading. */
export async function openScreen(user: UserEvent, label: RegExp | string, heading: string = typeof label === 'string' ? label : ''): Promise<HTMLElement> {
  const navigation = await screen.findByRole('navigation', { name: 'TeraSync' });
  await user.click(within(navigation).getByRole('button', { name: label }));
  return screen.findByRole('heading', { level: 1, name: heading });
}

/** Presses Tab (Shift+Tab with `backwards`) until `target` has the focus; fails when it never gets it. */
export async function tabTo(user: UserEvent, target: Element, { backwards = false, most = 40 } = {}): Promise<void> {
  for (let presses = 0; presses < most && document.activeElement !== target; presses++) {
    await user.tab({ shift: backwards });
  }
  expect(document.activeElement, `Tab never reached ${target.outerHTML.slice(0, 120)}`).toBe(target);
}

export interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
}

/** An answer that comes when the test resolves it (a sign-in waiting for the browser, a running backup). */
export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

/** The text of the elements an element's aria-describedby names: what a screen reader reads after its name. */
export function descriptionOf(element: Element): string {
  const ids = (element.getAttribute('aria-describedby') ?? '').split(/\s+/).filter((id) => id !== '');
  return ids.map((id) => document.getElementById(id)?.textContent ?? '').join(' ');
}

/** A date and time as the window writes it in `locale` (the system's own way, through Intl). */
export function dateTimeText(ms: number, locale = 'en'): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(ms));
}

/**
 * Matches the element whose whole text (children included) is `text`, as the user reads a line
 * that holds some words in bold: `getByText(wholeText('Finished · 2 hours ago'))`.
 */
export function wholeText(text: string | RegExp): (content: string, element: Element | null) => boolean {
  const matches = (element: Element): boolean => {
    const content = element.textContent ?? '';
    return typeof text === 'string' ? content === text : text.test(content);
  };
  return (_, element) => element !== null && matches(element) && ![...element.children].some(matches);
}
