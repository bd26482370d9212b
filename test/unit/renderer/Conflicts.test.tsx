// @vitest-environment jsdom
/**
 * The conflicts screen: nothing to do, each conflict's two versions side by side (or the one
 * that is gone), opening either, the three answers, and the list as main pushes it.
 */
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ErrorCode } from '../../../shared/errors.js';
import type { ConflictInfo, ConflictResolution } from '../../../shared/types.js';
import { type FakeBackend, pair } from './support/fakeBackend.js';
import { renderApp } from './support/render.js';
import { openScreen, signedInBackend, tabTo } from './support/screens.js';

const now = Date.UTC(2025, 5, 2, 9, 30, 0);
const minute = 60_000;

beforeEach(() => {
  vi.setSystemTime(now);
});

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

const home = pair();

const plan: ConflictInfo = {
  id: 4,
  pairId: home.id,
  path: 'docs/plan.odt',
  copy: 'docs/plan (conflict 2025-06-02 0925).odt',
  createdAt: now - 5 * minute,
  mine: { size: 1_200, modifiedMs: now - 6 * minute },
  theirs: { size: 34_000, modifiedMs: now - 8 * minute },
};

const notes: ConflictInfo = {
  id: 9,
  pairId: home.id,
  path: 'notes.txt',
  copy: 'notes (conflict 2025-06-02 0910).txt',
  createdAt: now - 20 * minute,
  mine: null,
  theirs: { size: 80, modifiedMs: now - 21 * minute },
};

/** Resolves as main does: the conflict leaves the list every window gets. */
function answerResolve(backend: FakeBackend, conflicts: ConflictInfo[]): void {
  let open = [...conflicts];
  backend.answer('conflicts:resolve', ({ pairId, id }) => {
    open = open.filter((item) => !(item.pairId === pairId && item.id === id));
    backend.emit('conflicts:changed', open);
    return undefined;
  });
}

async function openConflicts(conflicts: ConflictInfo[] = [plan, notes], change: (backend: FakeBackend) => void = (b) => answerResolve(b, conflicts)) {
  const backend = signedInBackend({ pairs: [home] }).answer('conflicts:list', conflicts).answer('conflicts:open', undefined);
  change(backend);
  const user = userEvent.setup();
  renderApp(backend);
  await screen.findByRole('heading', { level: 1, name: 'Status' });
  await openScreen(user, /^Conflicts/, 'Conflicts');
  return { user, backend };
}

/** Date and time to the second, as the cards show them. */
function dateTimeSecondsText(ms: number, locale = 'en'): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'medium' }).format(new Date(ms));
}

function card(path: string): HTMLElement {
  return screen.getByRole('article', { name: path });
}

/** The facts of one version: its size and when it changed, as the card lists them. */
function facts(element: HTMLElement, title: string): Record<string, string> {
  const version = within(element).getByRole('heading', { level: 3, name: title }).parentElement as HTMLElement;
  const terms = within(version).queryAllByRole('term');
  return Object.fromEntries(terms.map((term) => [term.textContent ?? '', term.nextElementSibling?.textContent ?? '']));
}

describe('the conflicts screen', () => {
  it('says when there are none', async () => {
    const { backend } = await openConflicts([]);
    expect(screen.getByRole('status').textContent).toBe('No conflicts. Every file has one version.');
    expect(screen.queryByRole('article')).toBeNull();
    expect(backend.violations).toEqual([]);
  });

  it('counts the open conflicts in the navigation', async () => {
    const { backend } = await openConflicts();
    const navigation = screen.getByRole('navigation', { name: 'TeraSync' });
    expect(within(navigation).getByRole('button', { name: /^Conflicts/ }).textContent).toContain('2');
    expect(within(navigation).getByLabelText('2 open conflicts')).toBeTruthy();
    backend.emit('conflicts:changed', []);
    await waitFor(() => expect(within(navigation).queryByLabelText(/open conflict/)).toBeNull());
    expect(backend.violations).toEqual([]);
  });

  it('shows both versions of each conflict: size, time and side, and a version that is gone', async () => {
    const { backend } = await openConflicts();
    const first = card('docs/plan.odt');
    expect(within(first).getByText('In /home/alice/TeraCLOUD · since 5 minutes ago')).toBeTruthy();
    expect(facts(first, 'This computer’s version')).toEqual({ Size: '1.2 kB', Changed: `${dateTimeSecondsText(now - 6 * minute)} Newer` });
    expect(facts(first, 'TeraCLOUD version')).toEqual({ Size: '34 kB', Changed: dateTimeSecondsText(now - 8 * minute) });
    expect(within(first).getByText('Kept as docs/plan (conflict 2025-06-02 0925).odt')).toBeTruthy();
    expect(within(first).getByRole('button', { name: 'Open this computer’s version of docs/plan.odt' })).toBeTruthy();
    expect(within(first).getByRole('button', { name: 'Open the TeraCLOUD version of docs/plan.odt' })).toBeTruthy();

    const second = card('notes.txt');
    expect(within(second).getByText('No longer there')).toBeTruthy();
    expect(facts(second, 'This computer’s version')).toEqual({});
    expect(within(second).queryByRole('button', { name: 'Open this computer’s version of notes.txt' })).toBeNull();
    expect(facts(second, 'TeraCLOUD version')).toEqual({ Size: '80 B', Changed: dateTimeSecondsText(now - 21 * minute) });
    // What each answer does is said once, above the list.
    expect(screen.getByText('This computer’s version replaces the one on TeraCLOUD, which goes to the trash.')).toBeTruthy();
    expect(backend.violations).toEqual([]);
  });

  it.each([
    ['Keep this computer’s version', 'local'],
    ['Keep the TeraCLOUD version', 'remote'],
    ['Keep both', 'both'],
  ] as Array<[string, ConflictResolution]>)('%s resolves the conflict, which leaves the list', async (label, keep) => {
    const { user, backend } = await openConflicts();
    await user.click(within(card('docs/plan.odt')).getByRole('button', { name: label }));
    await waitFor(() => expect(screen.queryByRole('article', { name: 'docs/plan.odt' })).toBeNull());
    expect(backend.callsOf('conflicts:resolve')).toEqual([{ pairId: home.id, id: 4, keep }]);
    expect(card('notes.txt')).toBeTruthy();
    expect(backend.violations).toEqual([]);
  });

  it('offers keeping both first, as the one primary answer', async () => {
    const { backend } = await openConflicts();
    const answers = within(within(card('docs/plan.odt')).getByRole('group', { name: 'docs/plan.odt' })).getAllByRole('button');
    expect(answers.map((button) => button.textContent)).toEqual(['Keep both', 'Keep this computer’s version', 'Keep the TeraCLOUD version']);
    expect(answers.map((button) => button.classList.contains('secondary'))).toEqual([false, true, true]);
    expect(backend.violations).toEqual([]);
  });

  it('shows the times to the second and marks the newer version, or the same time', async () => {
    // A minute apart would read the same to the minute: 09:24:10 and 09:24:50.
    const close: ConflictInfo = { ...plan, mine: { size: 10, modifiedMs: now - 6 * minute + 10_000 }, theirs: { size: 10, modifiedMs: now - 6 * minute + 50_000 } };
    const same: ConflictInfo = { ...notes, mine: { size: 10, modifiedMs: now - minute + 200 }, theirs: { size: 12, modifiedMs: now - minute + 700 } };
    const { backend } = await openConflicts([close, same]);
    expect(facts(card('docs/plan.odt'), 'This computer’s version').Changed).toBe(dateTimeSecondsText(close.mine!.modifiedMs));
    expect(facts(card('docs/plan.odt'), 'TeraCLOUD version').Changed).toBe(`${dateTimeSecondsText(close.theirs!.modifiedMs)} Newer`);
    expect(facts(card('notes.txt'), 'This computer’s version').Changed).toBe(`${dateTimeSecondsText(same.mine!.modifiedMs)} Same time`);
    expect(facts(card('notes.txt'), 'TeraCLOUD version').Changed).toBe(`${dateTimeSecondsText(same.theirs!.modifiedMs)} Same time`);
    expect(backend.violations).toEqual([]);
  });

  it('says when every conflict is resolved', async () => {
    const { user, backend } = await openConflicts([plan]);
    await user.click(within(card('docs/plan.odt')).getByRole('button', { name: 'Keep both' }));
    expect(await screen.findByText('No conflicts. Every file has one version.')).toBeTruthy();
    expect(backend.violations).toEqual([]);
  });

  it('opens my version and theirs', async () => {
    const { user, backend } = await openConflicts();
    await user.click(screen.getByRole('button', { name: 'Open this computer’s version of docs/plan.odt' }));
    await user.click(screen.getByRole('button', { name: 'Open the TeraCLOUD version of docs/plan.odt' }));
    await waitFor(() =>
      expect(backend.callsOf('conflicts:open')).toEqual([
        { pairId: home.id, id: 4, side: 'mine' },
        { pairId: home.id, id: 4, side: 'theirs' },
      ]),
    );
    expect(backend.violations).toEqual([]);
  });

  it('takes out a conflict resolved outside the app', async () => {
    const { backend } = await openConflicts();
    backend.emit('conflicts:changed', [notes]);
    await waitFor(() => expect(screen.queryByRole('article', { name: 'docs/plan.odt' })).toBeNull());
    expect(card('notes.txt')).toBeTruthy();
    backend.emit('conflicts:changed', [notes, { ...plan, id: 11, path: 'new.txt', copy: 'new (conflict).txt' }]);
    expect(await screen.findByRole('article', { name: 'new.txt' })).toBeTruthy();
    expect(backend.violations).toEqual([]);
  });

  it('says why a conflict could not be resolved, and keeps it', async () => {
    const { user, backend } = await openConflicts([plan, notes], (b) => b.answer('conflicts:resolve', { code: ErrorCode.LocalIo, message: 'EBUSY: resource busy or locked' }));
    await user.click(within(card('docs/plan.odt')).getByRole('button', { name: 'Keep this computer’s version' }));
    const alert = await within(card('docs/plan.odt')).findByRole('alert');
    expect(within(alert).getByText('A file or folder on this computer could not be used.')).toBeTruthy();
    expect(within(alert).getByText('EBUSY: resource busy or locked')).toBeTruthy();
    expect(within(card('docs/plan.odt')).getByRole('button', { name: 'Keep this computer’s version' })).toHaveProperty('disabled', false);
    await user.click(within(alert).getByRole('button', { name: 'Dismiss' }));
    expect(within(card('docs/plan.odt')).queryByRole('alert')).toBeNull();
    expect(backend.violations).toEqual([]);
  });

  it('says why a version could not be opened', async () => {
    const { user, backend } = await openConflicts([plan], (b) => b.answer('conflicts:open', { code: ErrorCode.NotFound, message: 'the conflict copy is gone' }));
    await user.click(screen.getByRole('button', { name: 'Open this computer’s version of docs/plan.odt' }));
    const alert = await within(card('docs/plan.odt')).findByRole('alert');
    expect(within(alert).getByText('the conflict copy is gone')).toBeTruthy();
    expect(backend.violations).toEqual([]);
  });

  it('resolves with the keyboard alone, and the focus stays in the list', async () => {
    const { user, backend } = await openConflicts();
    await tabTo(user, within(card('docs/plan.odt')).getByRole('button', { name: 'Keep the TeraCLOUD version' }));
    await user.keyboard('{Enter}');
    await waitFor(() => expect(screen.queryByRole('article', { name: 'docs/plan.odt' })).toBeNull());
    expect(backend.callsOf('conflicts:resolve')).toEqual([{ pairId: home.id, id: 4, keep: 'remote' }]);
    await waitFor(() => expect(card('notes.txt').contains(document.activeElement)).toBe(true));
    expect(backend.violations).toEqual([]);
  });

  it('is in Japanese on a Japanese system', async () => {
    const backend = signedInBackend({ pairs: [home], language: 'system' }).answer('conflicts:list', [plan]);
    const user = userEvent.setup();
    renderApp(backend, ['ja-JP']);
    await screen.findByRole('heading', { level: 1, name: '状態' });
    await openScreen(user, /^競合/, '競合');
    expect(screen.getByRole('heading', { level: 1, name: '競合' })).toBeTruthy();
    expect(screen.getByRole('heading', { level: 3, name: 'このPCのバージョン' })).toBeTruthy();
    expect(screen.getByRole('heading', { level: 3, name: 'TeraCLOUD上のバージョン' })).toBeTruthy();
    expect(screen.getByRole('button', { name: '両方を残す' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'このPCのバージョンを残す' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'TeraCLOUD上のバージョンを残す' })).toBeTruthy();
    expect(screen.getByText('新しい方')).toBeTruthy();
    expect(backend.violations).toEqual([]);
  });
});
