/**
 * Selective sync: the folders below a pair's remote folder, each with a tick box. Unticking a
 * folder leaves it (and everything below it) out; nothing is deleted on either side. A folder
 * inside one that is left out cannot be ticked on its own (the ignore rules follow git's: a
 * folder left out is not looked into), so its box is shown unticked and disabled. Subfolders
 * load when a folder is opened. With `showSizes` (the set-up), each folder shown says how much
 * it holds, measured on the server when it comes into view (remote:folderSize, bounded there).
 */
import { useEffect, useId, useState } from 'react';
import type { RemoteFolderSize, RemoteFolderView } from '../../../shared/types.js';
import { useI18n } from '../i18n/i18n.js';
import { useApi } from '../state/hooks.js';
import { ErrorNotice } from './ErrorNotice.js';
import { useRemoteFolders } from './useRemoteFolders.js';

export interface FolderTreeProps {
  /** The pair's remote folder below the account root ('' for the root). */
  root: string;
  /** Folders left out, relative to `root`. */
  excluded: readonly string[];
  onChange: (excluded: string[]) => void;
  /** Names the list for screen readers. */
  label: string;
  disabled?: boolean;
  /** Show how much each folder holds (measured on the server as it comes into view). */
  showSizes?: boolean;
}

function relativeTo(root: string, path: string): string {
  return root === '' ? path : path.slice(root.length + 1);
}

function isWithin(path: string, folder: string): boolean {
  return path.startsWith(`${folder}/`);
}

/** Leaves `folder` out (replacing what was left out below it), or takes it back in. */
export function toggleExcluded(excluded: readonly string[], folder: string, include: boolean): string[] {
  if (include) return excluded.filter((item) => item !== folder);
  return [...excluded.filter((item) => item !== folder && !isWithin(item, folder)), folder].sort();
}

/** The size of a server folder, asked for once while `enabled`; null until it is known (or when it cannot be). */
function useFolderSize(path: string, enabled: boolean): RemoteFolderSize | null {
  const api = useApi();
  const [size, setSize] = useState<RemoteFolderSize | null>(null);
  useEffect(() => {
    if (!enabled) return;
    let current = true;
    void api.measureRemoteFolder({ path }).then((result) => {
      // A size that cannot be measured is left out: the folder can still be chosen.
      if (current && result.ok) setSize(result.value);
    });
    return () => {
      current = false;
    };
  }, [api, path, enabled]);
  return size;
}

function FolderSize({ path }: { path: string }) {
  const { t, bytes } = useI18n();
  const size = useFolderSize(path, true);
  if (size === null) return null;
  return <span className="folder-size">{size.complete ? t.setup.folderSize(bytes(size.bytes)) : t.setup.folderSizeAtLeast(bytes(size.bytes))}</span>;
}

export function FolderTree({ root, excluded, onChange, label, disabled = false, showSizes = false }: FolderTreeProps) {
  const { t } = useI18n();
  const folders = useRemoteFolders(root);
  if (folders.error !== null) return <ErrorNotice error={folders.error} onRetry={folders.reload} />;
  if (folders.listing === null) return <p role="status">{t.setup.remoteLoading}</p>;
  if (folders.listing.folders.length === 0) return <p>{t.setup.selectiveNone}</p>;
  return <FolderList folders={folders.listing.folders} tree={{ root, excluded, onChange, disabled, showSizes }} parentExcluded={false} className="folder-tree" label={label} />;
}

/** What every folder of one tree shares. */
interface TreeProps {
  root: string;
  excluded: readonly string[];
  onChange: (excluded: string[]) => void;
  disabled: boolean;
  showSizes: boolean;
}

interface FolderListProps {
  folders: readonly RemoteFolderView[];
  tree: TreeProps;
  /** The folder above is left out. */
  parentExcluded: boolean;
  className?: string;
  label?: string;
}

function FolderList({ folders, tree, parentExcluded, className, label }: FolderListProps) {
  return (
    <ul className={className} aria-label={label}>
      {folders.map((folder) => (
        <FolderNode key={folder.path} folder={folder} tree={tree} parentExcluded={parentExcluded} />
      ))}
    </ul>
  );
}

function FolderNode({ folder, tree, parentExcluded }: { folder: RemoteFolderView; tree: TreeProps; parentExcluded: boolean }) {
  const { root, excluded, onChange, disabled, showSizes } = tree;
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const relative = relativeTo(root, folder.path);
  const isExcluded = parentExcluded || excluded.includes(relative);
  const partly = !isExcluded && excluded.some((item) => isWithin(item, relative));
  const children = useRemoteFolders(folder.path, open);
  const listId = useId();
  return (
    <li>
      <div className="folder-row">
        <button
          type="button"
          className="disclosure"
          aria-expanded={open}
          aria-controls={open ? listId : undefined}
          aria-label={t.backup.folderToggle(folder.name)}
          onClick={() => setOpen((value) => !value)}
        >
          <span aria-hidden="true">{open ? '▾' : '▸'}</span>
        </button>
        <label>
          <input
            type="checkbox"
            checked={!isExcluded}
            disabled={disabled || parentExcluded}
            ref={(input) => {
              if (input !== null) input.indeterminate = partly;
            }}
            onChange={(event) => onChange(toggleExcluded(excluded, relative, event.target.checked))}
          />{' '}
          {folder.name}
        </label>
        {showSizes && <FolderSize path={folder.path} />}
      </div>
      {open && (
        <div id={listId}>
          {children.error !== null && <ErrorNotice error={children.error} onRetry={children.reload} />}
          {children.listing === null && children.error === null && <p role="status">{t.setup.remoteLoading}</p>}
          {children.listing !== null && children.listing.folders.length === 0 && <p className="muted">{t.setup.remoteEmpty}</p>}
          {children.listing !== null && children.listing.folders.length > 0 && <FolderList folders={children.listing.folders} tree={tree} parentExcluded={isExcluded} />}
        </div>
      )}
    </li>
  );
}
