/**
 * The one way a setting is edited: it applies at once, with no Save button.
 *
 * - A choice (a checkbox, a select) applies on change.
 * - A typed value (a number, a name, a list) applies when the field is left (blur) or on Enter
 *   (not in a multi-line field), after it is checked: what fails the check stays in the field
 *   with the reason beside it (aria-invalid, an inline message), and is never silently lost.
 *   Escape puts the applied value back.
 * - A field holding an edit that is not applied (invalid, or refused by main) is registered
 *   with the leave guard: moving to another screen asks first (useLeaveGuard in App.tsx).
 * - While the user is not editing, the field follows the value as main pushes it (a change made
 *   in the tray or by the command is shown, never overwritten later).
 *
 * SettingField is the generic field; WholeNumberSetting and TextSetting are the common kinds.
 */
import { useCallback, useEffect, useId, useRef, useState, useSyncExternalStore, type ReactNode } from 'react';
import { useI18n } from '../i18n/i18n.js';
import { useAction } from '../state/hooks.js';
import { ErrorNotice } from './ErrorNotice.js';

// The leave guard --------------------------------------------------------------------------

interface PendingEdit {
  label: string;
  focus: () => void;
}

const pendingEdits = new Map<object, PendingEdit>();
const listeners = new Set<() => void>();
let pendingList: PendingEdit[] = [];

function setPending(key: object, edit: PendingEdit | null): void {
  if (edit === null ? !pendingEdits.has(key) : pendingEdits.get(key)?.label === edit.label) {
    if (edit !== null) pendingEdits.set(key, edit);
    return;
  }
  if (edit === null) pendingEdits.delete(key);
  else pendingEdits.set(key, edit);
  pendingList = [...pendingEdits.values()];
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The settings holding an edit that was not applied, in the order they were left. */
export function useUnappliedEdits(): readonly PendingEdit[] {
  return useSyncExternalStore(subscribe, () => pendingList);
}

/**
 * Guards leaving a screen: `ask(leave)` leaves at once when no setting holds an unapplied
 * edit, else shows `dialog` (what was not saved, Stay and fix it, Leave anyway).
 */
export function useLeaveGuard(): { ask: (leave: () => void) => void; dialog: ReactNode } {
  const [waiting, setWaiting] = useState<(() => void) | null>(null);
  const edits = useUnappliedEdits();
  const ask = useCallback((leave: () => void): void => {
    if (pendingEdits.size === 0) leave();
    else setWaiting(() => leave);
  }, []);
  const dialog =
    waiting !== null && edits.length > 0 ? (
      <LeaveDialog
        edits={edits}
        onStay={() => {
          setWaiting(null);
          edits[0]?.focus();
        }}
        onLeave={() => {
          setWaiting(null);
          for (const key of [...pendingEdits.keys()]) setPending(key, null);
          waiting();
        }}
      />
    ) : null;
  return { ask, dialog };
}

function LeaveDialog({ edits, onStay, onLeave }: { edits: readonly PendingEdit[]; onStay: () => void; onLeave: () => void }) {
  const { t } = useI18n();
  const titleId = useId();
  const textId = useId();
  const stay = useRef<HTMLButtonElement>(null);
  useEffect(() => stay.current?.focus(), []);
  return (
    <div className="notice notice-warning leave-guard" role="alertdialog" aria-labelledby={titleId} aria-describedby={textId}>
      <p id={titleId} className="notice-title">
        {t.settingField.leaveTitle}
      </p>
      <div id={textId}>
        <p>{t.settingField.leaveText}</p>
        <ul>
          {edits.map((edit) => (
            <li key={edit.label}>{edit.label}</li>
          ))}
        </ul>
      </div>
      <div className="button-row">
        <button type="button" ref={stay} onClick={onStay}>
          {t.settingField.stay}
        </button>
        <button type="button" className="secondary" onClick={onLeave}>
          {t.settingField.leave}
        </button>
      </div>
    </div>
  );
}

// The fields -------------------------------------------------------------------------------

/** What a check makes of the typed text: the value to apply, or why it cannot be one. */
export type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

export interface SettingFieldProps<T> {
  label: string;
  /** The applied value, as main has it. */
  value: T;
  /** The value as the field shows it. */
  format: (value: T) => string;
  /** Checks what was typed. */
  parse: (text: string) => Checked<T>;
  /** Applies a checked value (settings:update, pairs:update); rejects when main refuses it. */
  apply: (value: T) => Promise<void>;
  help?: string;
  multiline?: boolean;
  inputMode?: 'numeric' | 'text';
  disabled?: boolean;
}

export function SettingField<T>({ label, value, format, parse, apply, help, multiline = false, inputMode = 'text', disabled = false }: SettingFieldProps<T>) {
  const { t } = useI18n();
  const id = useId();
  const helpId = useId();
  const problemId = useId();
  const applied = format(value);
  const [text, setText] = useState(applied);
  const [problem, setProblem] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const [focused, setFocused] = useState(false);
  const input = useRef<HTMLInputElement & HTMLTextAreaElement>(null);
  const key = useRef({}).current;
  const action = useAction(async (next: T) => {
    await apply(next);
    setSaved(true);
  });
  const unapplied = problem !== null || action.error !== null;

  // Follows the applied value while the user is not editing it.
  useEffect(() => {
    if (!focused && !unapplied) setText(applied);
  }, [applied, focused, unapplied]);

  useEffect(() => {
    setPending(key, unapplied ? { label, focus: () => input.current?.focus() } : null);
  }, [key, label, unapplied]);
  useEffect(() => () => setPending(key, null), [key]);

  const commit = (): void => {
    const checked = parse(text);
    if (!checked.ok) {
      setProblem(checked.message);
      setSaved(false);
      return;
    }
    setProblem(null);
    const normalised = format(checked.value);
    setText(normalised);
    if (normalised === applied && action.error === null) return;
    void action.run(checked.value);
  };
  const revert = (): void => {
    setText(applied);
    setProblem(null);
    action.clearError();
  };

  const describedBy = [help !== undefined ? helpId : null, problem !== null ? problemId : null].filter((item) => item !== null).join(' ') || undefined;
  const common = {
    id,
    ref: input,
    value: text,
    disabled,
    'aria-invalid': problem !== null ? true : undefined,
    'aria-describedby': describedBy,
    onFocus: () => setFocused(true),
    onBlur: () => {
      setFocused(false);
      commit();
    },
  } as const;
  return (
    <div className="field setting-field">
      <label htmlFor={id}>{label}</label>
      {multiline ? (
        <textarea
          {...common}
          rows={5}
          spellCheck={false}
          onChange={(event) => {
            setText(event.target.value);
            setSaved(false);
          }}
          onKeyDown={(event) => {
            if (event.key === 'Escape') revert();
          }}
        />
      ) : (
        <input
          {...common}
          type="text"
          inputMode={inputMode}
          onChange={(event) => {
            setText(event.target.value);
            setSaved(false);
          }}
          onKeyDown={(event) => {
            if (event.key === 'Enter') {
              event.preventDefault();
              commit();
            }
            if (event.key === 'Escape') revert();
          }}
        />
      )}
      {help !== undefined && (
        <p id={helpId} className="help">
          {help}
        </p>
      )}
      {problem !== null && (
        <p id={problemId} className="field-error" role="alert">
          {problem} {t.settingField.notSaved}
        </p>
      )}
      {action.error !== null && <ErrorNotice error={action.error} heading={t.settingField.notApplied(label)} onDismiss={revert} />}
      {saved && !unapplied && !action.busy && (
        <p className="saved" role="status">
          {t.app.saved}
        </p>
      )}
    </div>
  );
}

/** A whole number typed in a field, within [min, max]; null when it is not one. */
export function parseWholeNumber(text: string, min: number, max: number): number | null {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) return null;
  const value = Number(trimmed);
  return value >= min && value <= max ? value : null;
}

export interface WholeNumberSettingProps {
  label: string;
  value: number;
  /** The lowest and highest value allowed (a row of `limits`). */
  range: { min: number; max: number };
  apply: (value: number) => Promise<void>;
  help?: string;
  disabled?: boolean;
}

/** A setting that is a whole number in [min, max]. */
export function WholeNumberSetting({ range: { min, max }, ...rest }: WholeNumberSettingProps) {
  const { t } = useI18n();
  return (
    <SettingField<number>
      {...rest}
      inputMode="numeric"
      format={String}
      parse={(text) => {
        const value = parseWholeNumber(text, min, max);
        return value === null ? { ok: false, message: t.settings.invalidNumber(min, max) } : { ok: true, value };
      }}
    />
  );
}
