/** A labelled progress bar with its numbers in words beside it (a bar alone says nothing to a screen reader). */
export interface ProgressProps {
  label: string;
  value: number;
  max: number;
  /** What the bar means, in words: "3 of 12 files · 4.2 MB of 10 MB · about 2 minutes left". */
  text: string;
  /** Unknown amount (still counting): the bar moves without a value. */
  indeterminate?: boolean;
  tone?: 'normal' | 'warning';
}

export function Progress({ label, value, max, text, indeterminate = false, tone = 'normal' }: ProgressProps) {
  const safeMax = max > 0 ? max : 1;
  return (
    <div className={`progress progress-${tone}`}>
      {indeterminate ? (
        <progress aria-label={label} aria-valuetext={text} />
      ) : (
        <progress aria-label={label} aria-valuetext={text} value={Math.min(value, safeMax)} max={safeMax} />
      )}
      <p className="progress-text">{text}</p>
    </div>
  );
}
