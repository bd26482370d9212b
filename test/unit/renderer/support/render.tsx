/**
 * Renders the whole window (App) on a FakeBackend, as the real window renders on
 * window.terasync, in jsdom. `languages` stands for navigator.languages.
 */
import { render, type RenderResult } from '@testing-library/react';
import { App } from '../../../../renderer/src/App.js';
import { FakeBackend } from './fakeBackend.js';

export interface RenderedApp extends RenderResult {
  backend: FakeBackend;
}

export function renderApp(backend: FakeBackend = new FakeBackend(), languages: readonly string[] = ['en-US']): RenderedApp {
  return { ...render(<App api={backend.api} systemLanguages={languages} />), backend };
}
