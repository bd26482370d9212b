/**
 * Setting up a sync pair, in four steps: the folder on this computer (the system's dialog, or
 * typed), the folder on TeraCLOUD (browsed on the server, or a new one), the folders to sync
 * (selective sync), and a preview of what the first sync will do, counted by a dry run of the
 * real engine, before anything is changed. Nothing is written on either side until Start.
 */
import { useEffect, useId, useRef, useState } from 'react';
import type { ErrorInfo } from '../../../shared/errors.js';
import { isAbsolutePath, isPlainName, maxNameLength } from '../../../shared/pathRules.js';
import type { PairPreview } from '../../../shared/types.js';
import { ErrorNotice } from '../components/ErrorNotice.js';
import { FolderTree } from '../components/FolderTree.js';
import { joinRemote, RemoteFolderBrowser } from '../components/RemoteFolderBrowser.js';
import { useI18n } from '../i18n/i18n.js';
import { errorInfoOf, unwrap } from '../state/AppStore.js';
import { useAction, useApi } from '../state/hooks.js';

export interface SetupProps {
  onDone: (pairId: string) => void;
  /** Leaves the set-up; absent when there is nowhere to go back to (the first folder). */
  onCancel?: () => void;
}

const stepCount = 4;

export function Setup({ onDone, onCancel }: SetupProps) {
  const { t, bytes } = useI18n();
  const api = useApi();
  const [step, setStep] = useState(1);
  const [localFolder, setLocalFolder] = useState('');
  const [localError, setLocalError] = useState<string | null>(null);
  const [remotePath, setRemotePath] = useState('');
  const [newFolder, setNewFolder] = useState('');
  const [newFolderError, setNewFolderError] = useState<string | null>(null);
  const [excluded, setExcluded] = useState<string[]>([]);
  const [preview, setPreview] = useState<PairPreview | null>(null);
  const [previewError, setPreviewError] = useState<ErrorInfo | null>(null);
  const [pickError, setPickError] = useState<ErrorInfo | null>(null);
  const [previewAttempt, setPreviewAttempt] = useState(0);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const localId = useId();
  const localHelpId = useId();
  const localErrorId = useId();
  const firstRender = useRef(true);

  const remoteFolder = joinRemote(remotePath, newFolder.trim());
  const start = useAction(async () => {
    const pair = unwrap(await api.addPair({ localFolder: localFolder.trim(), remoteFolder, excludedFolders: excluded }));
    onDone(pair.id);
  });

  useEffect(() => {
    // Focus follows the step for keyboard and screen-reader users (not on the first render).
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    headingRef.current?.focus();
  }, [step]);

  useEffect(() => {
    if (step !== 4) return;
    let current = true;
    setPreview(null);
    setPreviewError(null);
    api
      .previewPair({ localFolder: localFolder.trim(), remoteFolder, excludedFolders: excluded })
      .then(unwrap)
      .then(
        (value) => {
          if (current) setPreview(value);
        },
        (failure: unknown) => {
          if (current) setPreviewError(errorInfoOf(failure));
        },
      );
    return () => {
      current = false;
    };
  }, [api, step, localFolder, remoteFolder, excluded, previewAttempt]);

  // The disk the first sync downloads to: asked for on the preview step, beside the preview.
  const [freeBytes, setFreeBytes] = useState<number | null>(null);
  useEffect(() => {
    if (step !== 4) return;
    let current = true;
    setFreeBytes(null);
    void api.localFreeSpace({ path: localFolder.trim() }).then((result) => {
      // Not knowing the free space is no reason to stop: the preview shows without it.
      if (current && result.ok) setFreeBytes(result.value.freeBytes);
    });
    return () => {
      current = false;
    };
  }, [api, step, localFolder]);
  const tooLittleSpace = preview !== null && freeBytes !== null && preview.download.bytes > freeBytes;

  const chooseLocal = async (): Promise<void> => {
    setPickError(null);
    const picked = await api.pickPath({ purpose: 'syncFolder' });
    if (!picked.ok) setPickError(picked.error);
    else if (picked.value !== null) {
      setLocalFolder(picked.value);
      setLocalError(null);
    }
  };

  const next = (): void => {
    if (step === 1) {
      const folder = localFolder.trim();
      if (folder === '') return void setLocalError(t.setup.localRequired);
      if (!isAbsolutePath(folder)) return void setLocalError(t.setup.localNotAbsolute);
      setLocalError(null);
    }
    if (step === 2) {
      const name = newFolder.trim();
      if (name !== '' && (!isPlainName(name) || name.length > maxNameLength)) return void setNewFolderError(t.setup.newFolderInvalid);
      setNewFolderError(null);
      // A new folder has nothing in it to leave out; a different folder, other subfolders.
      setExcluded([]);
    }
    setStep((value) => Math.min(stepCount, value + 1));
  };

  const stepTitle = t.setup.steps[step - 1] ?? '';
  return (
    <main className="setup" aria-labelledby="setup-title">
      <h1 id="setup-title" tabIndex={-1}>
        {t.setup.title}
      </h1>
      <ol className="steps" aria-label={t.setup.stepOf(step, stepCount)}>
        {t.setup.steps.map((name, index) => (
          <li key={name} aria-current={index + 1 === step ? 'step' : undefined} className={index + 1 < step ? 'done' : undefined}>
            {/* The list numbers the steps for screen readers; the number is drawn for the eye. */}
            <span className="step-number" aria-hidden="true">
              {index + 1}
            </span>
            <span className="step-name">{name}</span>
          </li>
        ))}
      </ol>
      <section className="card" aria-labelledby="setup-step-heading">
        <p className="muted">{t.setup.stepOf(step, stepCount)}</p>
        <h2 id="setup-step-heading" ref={headingRef} tabIndex={-1}>
          {step === 1 ? t.setup.localHeading : step === 2 ? t.setup.remoteHeading : step === 3 ? t.setup.selectiveHeading : t.setup.previewHeading}
        </h2>
        <p className="sr-only">{stepTitle}</p>

        {step === 1 && (
          <>
            <p id={localHelpId}>{t.setup.localHelp}</p>
            {pickError !== null && <ErrorNotice error={pickError} onDismiss={() => setPickError(null)} />}
            <div className="field">
              <label htmlFor={localId}>{t.setup.localField}</label>
              <div className="input-row">
                <input
                  id={localId}
                  type="text"
                  spellCheck={false}
                  value={localFolder}
                  aria-describedby={localError ? `${localHelpId} ${localErrorId}` : localHelpId}
                  aria-invalid={localError ? true : undefined}
                  onChange={(event) => setLocalFolder(event.target.value)}
                  onKeyDown={(event) => {
                    if (event.key === 'Enter') next();
                  }}
                />
                <button type="button" className="secondary" onClick={() => void chooseLocal()}>
                  {t.setup.choose}
                </button>
              </div>
              {localError && (
                <p id={localErrorId} className="field-error" role="alert">
                  {localError}
                </p>
              )}
            </div>
          </>
        )}

        {step === 2 && (
          <>
            <p>{t.setup.remoteHelp}</p>
            <RemoteFolderBrowser
              path={remotePath}
              onNavigate={(path) => {
                setRemotePath(path);
                setNewFolder('');
                setNewFolderError(null);
              }}
              newFolder={newFolder}
              onNewFolderChange={setNewFolder}
              newFolderError={newFolderError}
            />
          </>
        )}

        {step === 3 && (
          <>
            <p>{t.setup.selectiveHelp}</p>
            {newFolder.trim() !== '' ? (
              <p>{t.setup.selectiveNone}</p>
            ) : (
              <FolderTree root={remotePath} excluded={excluded} onChange={setExcluded} label={t.setup.selectiveHeading} showSizes />
            )}
          </>
        )}

        {step === 4 && (
          <>
            <dl className="facts">
              <dt>{t.settings.pairLocal}</dt>
              <dd>
                <code className="path">{localFolder.trim()}</code>
              </dd>
              <dt>{t.settings.pairRemote}</dt>
              <dd>
                <code className="path">{remoteFolder === '' ? t.setup.remoteRoot : remoteFolder}</code>
              </dd>
              {excluded.length > 0 && (
                <>
                  <dt>{t.settings.excluded}</dt>
                  <dd>
                    {excluded.map((folder) => (
                      <code key={folder} className="path tag">
                        {folder}
                      </code>
                    ))}
                  </dd>
                </>
              )}
            </dl>
            {previewError !== null && <ErrorNotice error={previewError} onRetry={() => setPreviewAttempt((n) => n + 1)} />}
            {preview === null && previewError === null && <p role="status">{t.setup.previewLoading}</p>}
            {preview !== null && <PreviewSummary preview={preview} bytes={bytes} />}
            {freeBytes !== null && <p className="muted">{t.setup.freeSpace(bytes(freeBytes))}</p>}
            {tooLittleSpace && (
              <div className="notice notice-warning" role="alert">
                <p className="notice-title">{t.setup.freeSpaceTitle}</p>
                <p>{t.setup.freeSpaceShort(bytes(preview.download.bytes), bytes(freeBytes))}</p>
              </div>
            )}
            {start.error !== null && <ErrorNotice error={start.error} onDismiss={start.clearError} />}
          </>
        )}

        <div className="button-row wizard-buttons">
          {step > 1 && (
            <button type="button" className="secondary" onClick={() => setStep((value) => value - 1)} disabled={start.busy}>
              {t.app.back}
            </button>
          )}
          {step === 1 && onCancel !== undefined && (
            <button type="button" className="secondary" onClick={onCancel}>
              {t.app.cancel}
            </button>
          )}
          {step < stepCount && (
            <button type="button" onClick={next}>
              {t.app.next}
            </button>
          )}
          {step === stepCount && (
            <button type="button" onClick={() => void start.run()} disabled={preview === null || start.busy}>
              {start.busy ? t.setup.starting : t.setup.start}
            </button>
          )}
        </div>
      </section>
    </main>
  );
}

function PreviewSummary({ preview, bytes }: { preview: PairPreview; bytes: (value: number) => string }) {
  const { t } = useI18n();
  const nothing =
    preview.upload.files === 0 &&
    preview.download.files === 0 &&
    preview.createLocalFolders === 0 &&
    preview.createRemoteFolders === 0 &&
    preview.conflicts === 0 &&
    preview.onBoth === 0;
  return (
    <div className="preview" role="status">
      {nothing ? (
        <p>{t.setup.previewNothing}</p>
      ) : (
        <ul className="preview-list">
          <li>
            <span aria-hidden="true">↑ </span>
            {t.setup.previewUpload(preview.upload.files, bytes(preview.upload.bytes))}
          </li>
          <li>
            <span aria-hidden="true">↓ </span>
            {t.setup.previewDownload(preview.download.files, bytes(preview.download.bytes))}
          </li>
          {(preview.createLocalFolders > 0 || preview.createRemoteFolders > 0) && <li>{t.setup.previewFolders(preview.createLocalFolders, preview.createRemoteFolders)}</li>}
          {preview.onBoth > 0 && <li>{t.setup.previewOnBoth(preview.onBoth)}</li>}
          {preview.conflicts > 0 && (
            <li>
              {t.setup.previewConflicts(preview.conflicts)}
              <ul>
                {preview.conflictPaths.map((path) => (
                  <li key={path}>
                    <code className="path">{path}</code>
                  </li>
                ))}
              </ul>
            </li>
          )}
          {preview.skipped > 0 && <li>{t.setup.previewSkipped(preview.skipped)}</li>}
        </ul>
      )}
      <p className="muted">{t.setup.previewSafe}</p>
    </div>
  );
}
