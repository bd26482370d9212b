/**
 * A button for something that cannot be taken back (sign out, stop syncing a folder, delete
 * many files): the first press shows the question with Yes and Cancel in place, focus goes to
 * the question's Cancel, Escape cancels. No modal dialog: the window stays keyboard-simple.
 */
import { useEffect, useId, useRef, useState } from 'react';
import { useI18n } from '../i18n/i18n.js';

export interface ConfirmButtonProps {
  label: string;
  question: string;
  confirmLabel: string;
  onConfirm: () => void;
  disabled?: boolean;
  tone?: 'danger' | 'normal';
}

export function ConfirmButton({ label, question, confirmLabel, onConfirm, disabled = false, tone = 'danger' }: ConfirmButtonProps) {
  const { t } = useI18n();
  const [asking, setAsking] = useState(false);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const openerRef = useRef<HTMLButtonElement>(null);
  const questionId = useId();
  const wasAsking = useRef(false);

  useEffect(() => {
    if (asking) cancelRef.current?.focus();
    else if (wasAsking.current) openerRef.current?.focus();
    wasAsking.current = asking;
  }, [asking]);

  if (!asking) {
    return (
      <button ref={openerRef} type="button" className={tone === 'danger' ? 'danger-outline' : 'secondary'} disabled={disabled} onClick={() => setAsking(true)}>
        {label}
      </button>
    );
  }
  return (
    <div
      className="confirm"
      role="group"
      aria-labelledby={questionId}
      onKeyDown={(event) => {
        if (event.key === 'Escape') setAsking(false);
      }}
    >
      <p id={questionId}>{question}</p>
      <div className="button-row">
        <button
          type="button"
          className={tone === 'danger' ? 'danger' : undefined}
          onClick={() => {
            setAsking(false);
            onConfirm();
          }}
        >
          {confirmLabel}
        </button>
        <button ref={cancelRef} type="button" className="secondary" onClick={() => setAsking(false)}>
          {t.app.cancel}
        </button>
      </div>
    </div>
  );
}
