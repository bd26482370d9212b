/**
 * A labelled list to choose from (its options are the children), with an optional line under
 * it that describes it (aria-describedby): `help`, in the class "help" unless told ("muted").
 */
import { useId, type ReactNode } from 'react';

export interface SelectFieldProps<T extends string> {
  label: string;
  value: T;
  onChange: (value: T) => void;
  disabled?: boolean;
  help?: { text: ReactNode; className?: string };
  children: ReactNode;
}

export function SelectField<T extends string>({ label, value, onChange, disabled, help, children }: SelectFieldProps<T>) {
  const id = useId();
  const helpId = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} disabled={disabled} aria-describedby={help === undefined ? undefined : helpId} onChange={(event) => onChange(event.target.value as T)}>
        {children}
      </select>
      {help !== undefined && (
        <p id={helpId} className={help.className ?? 'help'}>
          {help.text}
        </p>
      )}
    </div>
  );
}
