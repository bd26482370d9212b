/**
 * Picks a folder on the server by going down into it: the path so far as a row of buttons
 * (each goes back up to that folder), the folders inside as buttons that open them, and a
 * field for a new folder inside the one shown (the first sync creates it).
 */
import { useEffect, useId, useRef } from 'react';
import { useI18n } from '../i18n/i18n.js';
import { ErrorNotice } from './ErrorNotice.js';
import { Icon } from './Icon.js';
import { useRemoteFolders } from './useRemoteFolders.js';

export interface RemoteFolderBrowserProps {
  /** The folder shown, below the account root ('' for the root). */
  path: string;
  onNavigate: (path: string) => void;
  /** A new folder's name inside `path` ('' for none). */
  newFolder: string;
  onNewFolderChange: (name: string) => void;
  newFolderError?: string | null;
}

/** `name` inside `parent` ('' for the root); no name: the parent itself. */
export function joinRemote(parent: string, name: string): string {
  if (name === '') return parent;
  return parent === '' ? name : `${parent}/${name}`;
}

export function RemoteFolderBrowser({ path, onNavigate, newFolder, onNewFolderChange, newFolderError }: RemoteFolderBrowserProps) {
  const { t } = useI18n();
  const folders = useRemoteFolders(path);
  const segments = path === '' ? [] : path.split('/');
  const newFolderId = useId();
  const newFolderHelpId = useId();
  const newFolderErrorId = useId();
  // A folder opened (or left) from the list: once the next listing is in, the keyboard goes
  // back to the list instead of falling to the page.
  const listRef = useRef<HTMLUListElement>(null);
  const newFolderRef = useRef<HTMLInputElement>(null);
  /** The folder opened from the list, until its listing is shown. */
  const refocus = useRef<string | null>(null);
  const openFromList = (target: string): void => {
    refocus.current = target;
    onNavigate(target);
  };
  useEffect(() => {
    const target = refocus.current;
    if (target === null || target !== path || folders.loading) return;
    if (folders.listing?.path !== target && folders.error === null) return;
    refocus.current = null;
    const first = listRef.current?.querySelector<HTMLButtonElement>('button');
    (first ?? newFolderRef.current)?.focus();
  }, [path, folders.loading, folders.listing, folders.error]);
  return (
    <div className="remote-browser">
      <nav aria-label={t.setup.remoteHeading}>
        <ol className="breadcrumb">
          <li>
            <button type="button" className="link" aria-current={segments.length === 0 ? 'location' : undefined} onClick={() => onNavigate('')}>
              {t.setup.remoteRoot}
            </button>
          </li>
          {segments.map((segment, index) => {
            const target = segments.slice(0, index + 1).join('/');
            return (
              <li key={target}>
                <button type="button" className="link" aria-current={index === segments.length - 1 ? 'location' : undefined} onClick={() => onNavigate(target)}>
                  {segment}
                </button>
              </li>
            );
          })}
        </ol>
      </nav>
      {folders.error !== null && <ErrorNotice error={folders.error} onRetry={folders.reload} />}
      {folders.loading && <p role="status">{t.setup.remoteLoading}</p>}
      {folders.listing !== null && !folders.loading && (
        <>
          <ul className="folder-list" ref={listRef}>
            {segments.length > 0 && (
              <li>
                <button type="button" className="folder-button" onClick={() => openFromList(segments.slice(0, -1).join('/'))}>
                  <Icon name="up" />
                  {t.setup.remoteUp}
                </button>
              </li>
            )}
            {folders.listing.folders.map((folder) => (
              <li key={folder.path}>
                <button type="button" className="folder-button" aria-label={t.setup.remoteOpen(folder.name)} onClick={() => openFromList(folder.path)}>
                  <Icon name="folder" />
                  {folder.name}
                </button>
              </li>
            ))}
          </ul>
          {folders.listing.folders.length === 0 && <p className="muted">{t.setup.remoteEmpty}</p>}
          <p className="muted">{t.setup.remoteFiles(folders.listing.files)}</p>
        </>
      )}
      <div className="field">
        <label htmlFor={newFolderId}>{t.setup.newFolderField}</label>
        <input
          id={newFolderId}
          ref={newFolderRef}
          type="text"
          value={newFolder}
          aria-describedby={newFolderError ? `${newFolderHelpId} ${newFolderErrorId}` : newFolderHelpId}
          aria-invalid={newFolderError ? true : undefined}
          onChange={(event) => onNewFolderChange(event.target.value)}
        />
        <p id={newFolderHelpId} className="help">
          {t.setup.newFolderHelp}
        </p>
        {newFolderError && (
          <p id={newFolderErrorId} className="field-error">
            {newFolderError}
          </p>
        )}
      </div>
      <p className="selected-path">{t.setup.remoteCurrent(joinRemote(path, newFolder.trim()) || t.setup.remoteRoot)}</p>
    </div>
  );
}
