/**
 * Pause or Resume, whichever applies: one secondary button that asks `run` for 'pause' or
 * 'resume'. Labels: Pause / Resume unless told (Pause all / Resume all).
 */
import { useI18n } from '../i18n/i18n.js';

export interface PauseButtonProps {
  paused: boolean;
  run: (what: 'pause' | 'resume') => void;
  disabled: boolean;
  labels?: { pause: string; resume: string };
}

export function PauseButton({ paused, run, disabled, labels }: PauseButtonProps) {
  const { t } = useI18n();
  const { pause, resume } = labels ?? { pause: t.status.pause, resume: t.status.resume };
  return (
    <button type="button" className="secondary" onClick={() => run(paused ? 'resume' : 'pause')} disabled={disabled}>
      {paused ? resume : pause}
    </button>
  );
}
