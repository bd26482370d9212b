/**
 * A labelled one-line text field of a form: the label, the input, its help line, the problem
 * with what was typed, then anything else the field holds (a notice, a checkbox). The input is
 * described by the help, the problem while one is shown, and `describedBy` (a notice tied to
 * it); it is marked invalid while a problem is shown or `invalid` says so. The caller keeps the
 * ids, to move the focus to a field.
 */
import type { InputHTMLAttributes, ReactNode } from 'react';

type InputProps = Pick<InputHTMLAttributes<HTMLInputElement>, 'type' | 'inputMode' | 'autoComplete' | 'spellCheck' | 'placeholder' | 'disabled'>;

export interface TextFieldProps extends InputProps {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  /** Beside "field" on the wrapper ("nested", "proxy-port"). */
  className?: string;
  help?: { id: string; text: ReactNode };
  /** Shown (as an alert with `alert`) while `text` is not empty. */
  problem?: { id: string; text: string | null | undefined; alert?: boolean };
  /** Marked invalid though no problem is shown (a failure told in a notice under it). */
  invalid?: boolean;
  /** More ids describing the input, after the help and the problem. */
  describedBy?: string;
  children?: ReactNode;
}

export function TextField({ id, label, value, onChange, className, help, problem, invalid = false, describedBy, children, type = 'text', ...input }: TextFieldProps) {
  const problemShown = problem !== undefined && problem.text !== null && problem.text !== undefined && problem.text !== '';
  const described = [help?.id, problemShown ? problem.id : undefined, describedBy].filter((item) => item !== undefined).join(' ');
  return (
    <div className={className === undefined ? 'field' : `field ${className}`}>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type={type}
        {...input}
        value={value}
        aria-invalid={problemShown || invalid ? true : undefined}
        aria-describedby={described === '' ? undefined : described}
        onChange={(event) => onChange(event.target.value)}
      />
      {help !== undefined && (
        <p id={help.id} className="help">
          {help.text}
        </p>
      )}
      {problemShown && (
        <p id={problem.id} className="field-error" role={problem.alert === true ? 'alert' : undefined}>
          {problem.text}
        </p>
      )}
      {children}
    </div>
  );
}
