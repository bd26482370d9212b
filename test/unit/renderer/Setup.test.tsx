// @vitest-environment jsdom
/**
 * Setting up a synced folder: the four steps forwards and back, the local folder from the
 * dialog or typed, browsing the server's folders (or naming a new one), leaving subfolders out,
 * the preview of the first sync, and Start.
 */
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent, { type UserEvent } from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../shared/errors.js';
import type { AddPairRequest } from '../../../shared/ipc/contract.js';
import type { PairPreview, RemoteFolderListing, RemoteFolderSize } from '../../../shared/types.js';
import { type FakeBackend, pair, settings } from './support/fakeBackend.js';
import { renderApp } from './support/render.js';
import { deferred, openScreen, signedInBackend, tabTo } from './support/screens.js';

afterEach(() => {
  cleanup();
});

const folders: Readonly<Record<string, RemoteFolderListing>> = {
  '': { path: '', folders: [{ name: 'Photos', path: 'Photos' }, { name: 'Work', path: 'Work' }], files: 3 },
  Photos: { path: 'Photos', folders: [{ name: '2024', path: 'Photos/2024' }, { name: '2025', path: 'Photos/2025' }], files: 0 },
  'Photos/2024': { path: 'Photos/2024', folders: [], files: 40 },
  'Photos/2025': { path: 'Photos/2025', folders: [], files: 2 },
  Work: { path: 'Work', folders: [{ name: 'Reports', path: 'Work/Reports' }], files: 1 },
  'Work/Reports': { path: 'Work/Reports', folders: [], files: 12 },
};

const preview: PairPreview = {
  upload: { files: 12, bytes: 4_200_000 },
  download: { files: 1, bytes: 512 },
  createLocalFolders: 2,
  createRemoteFolders: 3,
  conflicts: 2,
  onBoth: 5,
  skipped: 1,
  conflictPaths: ['notes/todo.txt', 'plan.odt'],
};

const samePreview: PairPreview = {
  upload: { files: 0, bytes: 0 },
  download: { files: 0, bytes: 0 },
  createLocalFolders: 0,
  createRemoteFolders: 0,
  conflicts: 0,
  onBoth: 0,
  skipped: 0,
  conflictPaths: [],
};

/** What each server folder holds, everything below it counted (remote:folderSize). */
const sizes: Readonly<Record<string, RemoteFolderSize>> = {
  Photos: { path: 'Photos', bytes: 1_200_000_000, files: 900, complete: false },
  'Photos/2024': { path: 'Photos/2024', bytes: 800_000_000, files: 40, complete: true },
  'Photos/2025': { path: 'Photos/2025', bytes: 3_000, files: 2, complete: true },
  Work: { path: 'Work', bytes: 4_200_000, files: 13, complete: true },
  'Work/Reports': { path: 'Work/Reports', bytes: 4_000_000, files: 12, complete: true },
};

function setupBackend(change: (backend: FakeBackend) => void = () => {}): FakeBackend {
  const backend = signedInBackend()
    .answer('remote:listFolders', ({ path }) => folders[path] ?? { code: ErrorCode.NotFound, message: `${path} is not on the server` })
    .answer('remote:folderSize', ({ path }) => sizes[path] ?? { code: ErrorCode.NotFound, message: `${path} is not on the server` })
    .answer('local:freeSpace', ({ path }) => ({ path, freeBytes: 50_000_000_000 }))
    .answer('pairs:preview', preview);
  change(backend);
  return backend;
}

async function openSetup(backend: FakeBackend = setupBackend()) {
  const user = userEvent.setup();
  renderApp(backend);
  await screen.findByRole('heading', { level: 1, name: 'Set up a synced folder' });
  return { user, backend };
}

function stepHeading(): HTMLElement {
  return screen.getByRole('heading', { level: 2 });
}

function localField(): HTMLInputElement {
  return screen.getByRole('textbox', { name: 'Local folder' });
}

/** Step 1 done with a typed folder: on step 2 with the root listed. */
async function toRemoteStep(user: UserEvent, folder = '/home/alice/TeraCLOUD'): Promise<void> {
  await user.type(localField(), folder);
  await user.click(screen.getByRole('button', { name: 'Next' }));
  await screen.findByRole('button', { name: 'Open Photos' });
}

async function toSelectiveStep(user: UserEvent): Promise<void> {
  await toRemoteStep(user);
  await user.click(screen.getByRole('button', { name: 'Next' }));
  expect(stepHeading().textContent).toBe('Which folders to sync?');
}

describe('the set-up', () => {
  it('goes through the four steps with Next and Back, each step named and its heading focused', async () => {
    const { user, backend } = await openSetup();
    expect(screen.getAllByText('Step 1 of 4').length).toBeGreaterThan(0);
    expect(stepHeading().textContent).toBe('Which folder on this computer?');
    const steps = screen.getByRole('list', { name: 'Step 1 of 4' });
    const items = within(steps).getAllByRole('listitem');
    // Each step its own item: its number and its name apart, never run together.
    expect(items.map((item) => [...item.children].map((part) => part.textContent))).toEqual([
      ['1', 'Folder on this computer'],
      ['2', 'Folder on TeraCLOUD'],
      ['3', 'Folders to sync'],
      ['4', 'Check and start'],
    ]);
    expect(within(steps).getByText('Folder on this computer').closest('li')?.getAttribute('aria-current')).toBe('step');

    await toRemoteStep(user);
    expect(stepHeading().textContent).toBe('Which folder on TeraCLOUD?');
    expect(document.activeElement).toBe(stepHeading());
    expect(screen.getByRole('list', { name: 'Step 2 of 4' })).toBeTruthy();

    await user.click(screen.getByRole('button', { name: 'Next' }));
    expect(stepHeading().textContent).toBe('Which folders to sync?');
    await user.click(screen.getByRole('button', { name: 'Next' }));
    expect(stepHeading().textContent).toBe('What the first sync will do');
    expect(document.activeElement).toBe(stepHeading());
    expect(screen.queryByRole('button', { name: 'Next' })).toBeNull();

    for (const heading of ['Which folders to sync?', 'Which folder on TeraCLOUD?', 'Which folder on this computer?']) {
      await user.click(screen.getByRole('button', { name: 'Back' }));
      expect(stepHeading().textContent).toBe(heading);
    }
    expect(screen.queryByRole('button', { name: 'Back' })).toBeNull();
    // What was typed is still there.
    expect(localField().value).toBe('/home/alice/TeraCLOUD');
    expect(backend.violations).toEqual([]);
  });

  it('takes the local folder from the system dialog', async () => {
    const { user, backend } = await openSetup(setupBackend((b) => b.answer('dialog:pickPath', '/home/alice/Sync')));
    await user.click(screen.getByRole('button', { name: 'Choose…' }));
    await waitFor(() => expect(localField().value).toBe('/home/alice/Sync'));
    expect(backend.callsOf('dialog:pickPath')).toEqual([{ purpose: 'syncFolder' }]);
    await user.click(screen.getByRole('button', { name: 'Next' }));
    expect(await screen.findByRole('button', { name: 'Open Work' })).toBeTruthy();
    expect(backend.violations).toEqual([]);
  });

  it('leaves the field as it was when the dialog is cancelled', async () => {
    const { user, backend } = await openSetup(setupBackend((b) => b.answer('dialog:pickPath', null)));
    await user.type(localField(), '/home/alice/Typed');
    await user.click(screen.getByRole('button', { name: 'Choose…' }));
    await waitFor(() => expect(backend.callsOf('dialog:pickPath')).toHaveLength(1));
    expect(localField().value).toBe('/home/alice/Typed');
    expect(backend.violations).toEqual([]);
  });

  it('refuses an empty or relative local folder with a message, and takes a full Windows path', async () => {
    const { user, backend } = await openSetup();
    await user.click(screen.getByRole('button', { name: 'Next' }));
    expect(screen.getByRole('alert').textContent).toBe('Choose a folder on this computer.');
    expect(localField().getAttribute('aria-invalid')).toBe('true');
    expect(stepHeading().textContent).toBe('Which folder on this computer?');

    await user.type(localField(), 'Documents/TeraCLOUD');
    await user.click(screen.getByRole('button', { name: 'Next' }));
    expect(screen.getByRole('alert').textContent).toBe('Type a full path, such as /home/you/TeraCLOUD or C:\\Users\\you\\TeraCLOUD.');
    expect(stepHeading().textContent).toBe('Which folder on this computer?');

    await user.clear(localField());
    await user.type(localField(), 'C:\\Users\\alice\\TeraCLOUD');
    await user.click(screen.getByRole('button', { name: 'Next' }));
    expect(stepHeading().textContent).toBe('Which folder on TeraCLOUD?');
    expect(screen.queryByRole('alert')).toBeNull();
    expect(backend.violations).toEqual([]);
  });

  it('browses the server folder by folder, and the path above goes back up', async () => {
    const { user, backend } = await openSetup();
    await toRemoteStep(user);
    expect(backend.callsOf('remote:listFolders')).toEqual([{ path: '' }]);
    expect(screen.getByText('3 files')).toBeTruthy();
    expect(screen.getByText('Selected: All of TeraCLOUD')).toBeTruthy();

    await user.click(screen.getByRole('button', { name: 'Open Work' }));
    expect(await screen.findByRole('button', { name: 'Open Reports' })).toBeTruthy();
    expect(backend.callsOf('remote:listFolders')).toEqual([{ path: '' }, { path: 'Work' }]);
    expect(screen.getByText('1 file')).toBeTruthy();
    expect(screen.getByText('Selected: Work')).toBeTruthy();
    const path = screen.getByRole('navigation', { name: 'Which folder on TeraCLOUD?' });
    expect(within(path).getByRole('button', { name: 'Work' }).getAttribute('aria-current')).toBe('location');

    await user.click(screen.getByRole('button', { name: 'Open Reports' }));
    expect(await screen.findByText('No folders here.')).toBeTruthy();
    expect(screen.getByText('12 files')).toBeTruthy();
    expect(screen.getByText('Selected: Work/Reports')).toBeTruthy();

    await user.click(within(path).getByRole('button', { name: 'Work' }));
    expect(await screen.findByRole('button', { name: 'Open Reports' })).toBeTruthy();
    expect(screen.getByText('Selected: Work')).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Up one level' }));
    expect(await screen.findByRole('button', { name: 'Open Photos' })).toBeTruthy();
    expect(screen.getByText('Selected: All of TeraCLOUD')).toBeTruthy();

    await user.click(screen.getByRole('button', { name: 'Open Work' }));
    await screen.findByRole('button', { name: 'Open Reports' });
    await user.click(within(path).getByRole('button', { name: 'All of TeraCLOUD' }));
    expect(await screen.findByRole('button', { name: 'Open Photos' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Up one level' })).toBeNull();
    expect(backend.violations).toEqual([]);
  });

  it('says when the server folders cannot be listed, and lists them on Try again', async () => {
    const backend = setupBackend((b) => b.answer('remote:listFolders', { code: ErrorCode.Network, message: 'getaddrinfo ENOTFOUND seto.teracloud.jp' }));
    const { user } = await openSetup(backend);
    await user.type(localField(), '/home/alice/TeraCLOUD');
    await user.click(screen.getByRole('button', { name: 'Next' }));
    const alert = await screen.findByRole('alert');
    expect(within(alert).getByText('TeraSync cannot reach TeraCLOUD.')).toBeTruthy();
    expect(within(alert).getByText('getaddrinfo ENOTFOUND seto.teracloud.jp')).toBeTruthy();
    backend.answer('remote:listFolders', ({ path }) => folders[path] ?? { code: ErrorCode.NotFound, message: 'gone' });
    await user.click(within(alert).getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('button', { name: 'Open Photos' })).toBeTruthy();
    expect(screen.queryByRole('alert')).toBeNull();
    expect(backend.violations).toEqual([]);
  });

  it('syncs a new folder inside the one shown, with nothing in it to leave out', async () => {
    const { user, backend } = await openSetup();
    await toRemoteStep(user);
    await user.click(screen.getByRole('button', { name: 'Open Work' }));
    await screen.findByRole('button', { name: 'Open Reports' });
    const name = screen.getByRole('textbox', { name: 'Or a new folder inside it' });
    await user.type(name, ' Laptop ');
    expect(screen.getByText('Selected: Work/Laptop')).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Next' }));

    expect(stepHeading().textContent).toBe('Which folders to sync?');
    expect(screen.getByText('This folder has no subfolders: everything in it is synced.')).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Next' }));
    expect(await screen.findByText('12 files (4.2 MB) go up to TeraCLOUD')).toBeTruthy();
    expect(screen.getByText('Work/Laptop')).toBeTruthy();
    expect(backend.callsOf('pairs:preview')).toEqual([{ localFolder: '/home/alice/TeraCLOUD', remoteFolder: 'Work/Laptop', excludedFolders: [] }]);
    expect(backend.violations).toEqual([]);
  });

  it('refuses a folder name that cannot be one', async () => {
    const { user, backend } = await openSetup();
    await toRemoteStep(user);
    const name = screen.getByRole('textbox', { name: 'Or a new folder inside it' });
    for (const bad of ['..', 'a/b', 'back\\slash']) {
      await user.clear(name);
      await user.type(name, bad);
      await user.click(screen.getByRole('button', { name: 'Next' }));
      expect(screen.getByText('A folder name cannot contain / or \\ and cannot be . or ..')).toBeTruthy();
      expect(name.getAttribute('aria-invalid')).toBe('true');
      expect(stepHeading().textContent).toBe('Which folder on TeraCLOUD?');
    }
    // Going into another folder starts the name afresh.
    await user.click(screen.getByRole('button', { name: 'Open Photos' }));
    await screen.findByRole('button', { name: 'Open 2024' });
    expect(screen.getByRole('textbox', { name: 'Or a new folder inside it' })).toHaveProperty('value', '');
    expect(screen.queryByText('A folder name cannot contain / or \\ and cannot be . or ..')).toBeNull();
    expect(backend.violations).toEqual([]);
  });

  it('leaves out a folder that is unticked, and its subfolders cannot be ticked on their own', async () => {
    const { user, backend } = await openSetup();
    await toSelectiveStep(user);
    const tree = await screen.findByRole('list', { name: 'Which folders to sync?' });
    const photos = within(tree).getByRole('checkbox', { name: 'Photos' });
    expect(photos).toHaveProperty('checked', true);
    expect(within(tree).getByRole('checkbox', { name: 'Work' })).toHaveProperty('checked', true);

    await user.click(within(tree).getByRole('button', { name: 'Folder Photos' }));
    const year = await within(tree).findByRole('checkbox', { name: '2024' });
    expect(within(tree).getByRole('button', { name: 'Folder Photos' }).getAttribute('aria-expanded')).toBe('true');
    expect(year).toHaveProperty('checked', true);
    expect(year).toHaveProperty('disabled', false);

    await user.click(photos);
    expect(photos).toHaveProperty('checked', false);
    expect(year).toHaveProperty('checked', false);
    expect(year).toHaveProperty('disabled', true);
    expect(within(tree).getByRole('checkbox', { name: '2025' })).toHaveProperty('disabled', true);

    await user.click(screen.getByRole('button', { name: 'Next' }));
    expect(await screen.findByText('12 files (4.2 MB) go up to TeraCLOUD')).toBeTruthy();
    expect(backend.callsOf('pairs:preview')).toEqual([{ localFolder: '/home/alice/TeraCLOUD', remoteFolder: '', excludedFolders: ['Photos'] }]);
    expect(screen.getByText('Left out')).toBeTruthy();
    expect(screen.getByText('Photos')).toBeTruthy();
    expect(screen.getByText('All of TeraCLOUD')).toBeTruthy();
    expect(backend.violations).toEqual([]);
  });

  it('shows how much each server folder holds, measured as it comes into view', async () => {
    const { user, backend } = await openSetup();
    await toSelectiveStep(user);
    const tree = await screen.findByRole('list', { name: 'Which folders to sync?' });
    const row = (name: string): HTMLElement => within(tree).getByRole('checkbox', { name }).closest('.folder-row') as HTMLElement;
    await waitFor(() => expect(within(row('Work')).getByText('4.2 MB')).toBeTruthy());
    // Past the bound on the server: a lower bound.
    expect(within(row('Photos')).getByText('more than 1.2 GB')).toBeTruthy();
    // Only the folders shown are measured; the ones inside when their folder opens.
    expect(backend.callsOf('remote:folderSize')).toEqual([{ path: 'Photos' }, { path: 'Work' }]);
    await user.click(within(tree).getByRole('button', { name: 'Folder Photos' }));
    await within(tree).findByRole('checkbox', { name: '2024' });
    await waitFor(() => expect(within(row('2024')).getByText('800 MB')).toBeTruthy());
    expect(within(row('2025')).getByText('3 kB')).toBeTruthy();
    expect(backend.callsOf('remote:folderSize')).toHaveLength(4);
    expect(backend.violations).toEqual([]);
  });

  it('warns before starting when the disk has less free space than comes down', async () => {
    const backend = setupBackend((b) => b.answer('local:freeSpace', ({ path }) => ({ path, freeBytes: 300 })));
    const { user } = await openSetup(backend);
    await toSelectiveStep(user);
    await user.click(screen.getByRole('button', { name: 'Next' }));
    await screen.findByText('1 file (512 B) come down to this computer');
    const alert = await screen.findByRole('alert');
    expect(within(alert).getByText('Not enough free space on this computer')).toBeTruthy();
    expect(within(alert).getByText(/^The first sync downloads 512 B, but the disk of this folder has only 300 B free/)).toBeTruthy();
    expect(screen.getByText('Free space on this computer’s disk: 300 B')).toBeTruthy();
    expect(backend.callsOf('local:freeSpace')).toEqual([{ path: '/home/alice/TeraCLOUD' }]);
    expect(backend.violations).toEqual([]);
  });

  it('says the free space, and no warning, when there is room', async () => {
    const { user, backend } = await openSetup();
    await toSelectiveStep(user);
    await user.click(screen.getByRole('button', { name: 'Next' }));
    await screen.findByText('1 file (512 B) come down to this computer');
    expect(await screen.findByText('Free space on this computer’s disk: 50 GB')).toBeTruthy();
    expect(screen.queryByRole('alert')).toBeNull();
    expect(backend.violations).toEqual([]);
  });

  it('leaves out a single subfolder, and ticking the folder again takes it back', async () => {
    const { user, backend } = await openSetup();
    await toSelectiveStep(user);
    const tree = await screen.findByRole('list', { name: 'Which folders to sync?' });
    await user.click(within(tree).getByRole('button', { name: 'Folder Photos' }));
    await user.click(await within(tree).findByRole('checkbox', { name: '2024' }));
    // Partly synced: the box shows neither ticked nor unticked.
    expect(within(tree).getByRole('checkbox', { name: 'Photos' })).toHaveProperty('indeterminate', true);
    await user.click(screen.getByRole('button', { name: 'Next' }));
    await screen.findByText('12 files (4.2 MB) go up to TeraCLOUD');
    expect(backend.callsOf('pairs:preview').at(-1)).toEqual({ localFolder: '/home/alice/TeraCLOUD', remoteFolder: '', excludedFolders: ['Photos/2024'] });

    await user.click(screen.getByRole('button', { name: 'Back' }));
    const again = await screen.findByRole('list', { name: 'Which folders to sync?' });
    await user.click(within(again).getByRole('button', { name: 'Folder Photos' }));
    await user.click(await within(again).findByRole('checkbox', { name: '2024' }));
    await user.click(screen.getByRole('button', { name: 'Next' }));
    await waitFor(() => expect(backend.callsOf('pairs:preview').at(-1)).toEqual({ localFolder: '/home/alice/TeraCLOUD', remoteFolder: '', excludedFolders: [] }));
    expect(screen.queryByText('Left out')).toBeNull();
    expect(backend.violations).toEqual([]);
  });

  it('shows what the first sync will do, and that both folders are the same when they are', async () => {
    const comparing = deferred<PairPreview>();
    const { user, backend } = await openSetup(setupBackend((b) => b.answer('pairs:preview', () => comparing.promise)));
    await toSelectiveStep(user);
    await user.click(screen.getByRole('button', { name: 'Next' }));
    expect(await screen.findByText('Comparing both folders…')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Start syncing' })).toHaveProperty('disabled', true);
    comparing.resolve(preview);
    expect(await screen.findByText('12 files (4.2 MB) go up to TeraCLOUD')).toBeTruthy();
    expect(screen.getByText('1 file (512 B) come down to this computer')).toBeTruthy();
    expect(screen.getByText('2 folders created here, 3 on TeraCLOUD')).toBeTruthy();
    expect(screen.getByText('5 files are on both sides with the same size: compared by content, the same ones are kept once')).toBeTruthy();
    expect(screen.getByText(/^2 files differ on the two sides: both versions are kept/)).toBeTruthy();
    expect(screen.getByText('notes/todo.txt')).toBeTruthy();
    expect(screen.getByText('plan.odt')).toBeTruthy();
    expect(screen.getByText('1 entry is left alone (links, unreadable files, names this system refuses)')).toBeTruthy();
    expect(screen.getByText('Nothing is deleted on either side by a first sync.')).toBeTruthy();
    expect(screen.queryByText('Comparing both folders…')).toBeNull();

    backend.answer('pairs:preview', samePreview);
    await user.click(screen.getByRole('button', { name: 'Back' }));
    await user.click(screen.getByRole('button', { name: 'Next' }));
    expect(await screen.findByText('Both folders are already the same: nothing to copy.')).toBeTruthy();
    expect(screen.queryByText(/go up to TeraCLOUD/)).toBeNull();
    expect(backend.violations).toEqual([]);
  });

  it('cannot start before the preview, says why the preview failed, and Try again asks again', async () => {
    const backend = setupBackend((b) => b.answer('pairs:preview', { code: ErrorCode.LocalIo, message: "EACCES: permission denied, scandir '/home/alice/TeraCLOUD'" }));
    const { user } = await openSetup(backend);
    await toSelectiveStep(user);
    await user.click(screen.getByRole('button', { name: 'Next' }));
    const alert = await screen.findByRole('alert');
    expect(within(alert).getByText('A file or folder on this computer could not be used.')).toBeTruthy();
    expect(within(alert).getByText("EACCES: permission denied, scandir '/home/alice/TeraCLOUD'")).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Start syncing' })).toHaveProperty('disabled', true);

    backend.answer('pairs:preview', preview);
    await user.click(within(alert).getByRole('button', { name: 'Try again' }));
    expect(await screen.findByText('12 files (4.2 MB) go up to TeraCLOUD')).toBeTruthy();
    expect(backend.callsOf('pairs:preview')).toHaveLength(2);
    expect(backend.callsOf('pairs:preview')[1]).toEqual(backend.callsOf('pairs:preview')[0]);
    expect(screen.queryByRole('alert')).toBeNull();
    expect(screen.getByRole('button', { name: 'Start syncing' })).toHaveProperty('disabled', false);
    expect(backend.violations).toEqual([]);
  });

  it('starts with the same request the preview had, and goes to the status', async () => {
    const backend = setupBackend((b) =>
      b.answer('pairs:add', (request: AddPairRequest) => {
        const added = pair({ id: 'pair-7', localFolder: request.localFolder, remoteFolder: request.remoteFolder, excludedFolders: request.excludedFolders ?? [] });
        // As main does: the new pair reaches every window through the settings.
        b.emit('settings:changed', settings({ pairs: [added] }));
        return added;
      }),
    );
    const { user } = await openSetup(backend);
    await toRemoteStep(user, '/home/alice/Work');
    await user.click(screen.getByRole('button', { name: 'Open Work' }));
    await screen.findByRole('button', { name: 'Open Reports' });
    await user.click(screen.getByRole('button', { name: 'Next' }));
    const tree = await screen.findByRole('list', { name: 'Which folders to sync?' });
    await user.click(within(tree).getByRole('checkbox', { name: 'Reports' }));
    await user.click(screen.getByRole('button', { name: 'Next' }));
    await screen.findByText('12 files (4.2 MB) go up to TeraCLOUD');
    await user.click(screen.getByRole('button', { name: 'Start syncing' }));

    expect(await screen.findByRole('heading', { level: 1, name: 'Status' })).toBeTruthy();
    const request = { localFolder: '/home/alice/Work', remoteFolder: 'Work', excludedFolders: ['Reports'] };
    expect(backend.callsOf('pairs:preview')).toEqual([request]);
    expect(backend.callsOf('pairs:add')).toEqual([request]);
    expect(screen.getByRole('heading', { level: 2, name: /\/home\/alice\/Work/ })).toBeTruthy();
    expect(backend.violations).toEqual([]);
  });

  it('says why a folder could not be added, and stays on the step', async () => {
    const backend = setupBackend((b) => b.answer('pairs:add', { code: ErrorCode.InvalidRequest, message: '/home/alice/TeraCLOUD is already synced' }));
    const { user } = await openSetup(backend);
    await toSelectiveStep(user);
    await user.click(screen.getByRole('button', { name: 'Next' }));
    await screen.findByText('12 files (4.2 MB) go up to TeraCLOUD');
    await user.click(screen.getByRole('button', { name: 'Start syncing' }));
    const alert = await screen.findByRole('alert');
    expect(within(alert).getByText('That could not be done.')).toBeTruthy();
    expect(within(alert).getByText('/home/alice/TeraCLOUD is already synced')).toBeTruthy();
    expect(screen.getByRole('heading', { level: 1, name: 'Set up a synced folder' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Start syncing' })).toHaveProperty('disabled', false);
    expect(backend.violations).toEqual([]);
  });

  it('offers Cancel only when there are folders to go back to', async () => {
    const { backend } = await openSetup();
    expect(screen.queryByRole('button', { name: 'Cancel' })).toBeNull();
    expect(backend.violations).toEqual([]);
    cleanup();

    const user = userEvent.setup();
    const withPair = signedInBackend({ pairs: [pair()] });
    renderApp(withPair);
    await screen.findByRole('heading', { level: 1, name: 'Status' });
    await openScreen(user, 'Add a folder', 'Set up a synced folder');
    await user.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Status' })).toBeTruthy();
    expect(withPair.callsOf('pairs:add')).toEqual([]);
    expect(withPair.violations).toEqual([]);
  });

  it('sets up a folder with the keyboard alone', async () => {
    const backend = setupBackend((b) => b.answer('pairs:add', (request: AddPairRequest) => pair({ id: 'pair-8', localFolder: request.localFolder, remoteFolder: request.remoteFolder })));
    const { user } = await openSetup(backend);
    await tabTo(user, localField());
    // Enter in the field goes on, as Next does.
    await user.keyboard('/home/alice/TeraCLOUD{Enter}');
    expect(stepHeading().textContent).toBe('Which folder on TeraCLOUD?');
    const work = await screen.findByRole('button', { name: 'Open Work' });
    await tabTo(user, work);
    await user.keyboard('{Enter}');
    const next = await screen.findByRole('button', { name: 'Next' });
    await screen.findByRole('button', { name: 'Open Reports' });
    // The folder opened: the keyboard stays in the list, on its first entry.
    await waitFor(() => expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Up one level' })));
    await user.keyboard('{Enter}');
    await waitFor(() => expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Open Photos' })));
    await user.keyboard('{Tab}{Enter}');
    await screen.findByRole('button', { name: 'Open Reports' });
    await tabTo(user, next);
    await user.keyboard('{Enter}');

    const reports = await screen.findByRole('checkbox', { name: 'Reports' });
    await tabTo(user, reports);
    await user.keyboard(' ');
    expect(reports).toHaveProperty('checked', false);
    await tabTo(user, screen.getByRole('button', { name: 'Next' }));
    await user.keyboard('{Enter}');

    await screen.findByText('12 files (4.2 MB) go up to TeraCLOUD');
    await tabTo(user, screen.getByRole('button', { name: 'Start syncing' }));
    await user.keyboard('{Enter}');
    await waitFor(() => expect(backend.callsOf('pairs:add')).toEqual([{ localFolder: '/home/alice/TeraCLOUD', remoteFolder: 'Work', excludedFolders: ['Reports'] }]));
    expect(await screen.findByRole('heading', { level: 1, name: 'Status' })).toBeTruthy();
    expect(backend.violations).toEqual([]);
  });

  it('is in Japanese on a Japanese system', async () => {
    const backend = signedInBackend({ language: 'system' });
    renderApp(backend, ['ja-JP']);
    expect(await screen.findByRole('heading', { level: 1, name: '同期するフォルダーの設定' })).toBeTruthy();
    expect(backend.violations).toEqual([]);
  });
});
