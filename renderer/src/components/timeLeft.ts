/**
 * "About 3 minutes left" for a transfer: the rate over what has moved since the run's first
 * progress report, once there is enough to go by (two seconds and some bytes); null before
 * that, or when nothing is left to move. A new total starts a new measurement.
 */
import { useRef } from 'react';

export interface ProgressSample {
  at: number;
  done: number;
  total: number;
}

/** Milliseconds left, or null while it cannot be told yet. */
export function estimateRemainingMs(first: ProgressSample, latest: ProgressSample): number | null {
  if (latest.total !== first.total || latest.total <= 0) return null;
  const elapsed = latest.at - first.at;
  const moved = latest.done - first.done;
  if (elapsed < 2_000 || moved <= 0) return null;
  const left = latest.total - latest.done;
  if (left <= 0) return null;
  return (left * elapsed) / moved;
}

/** Keeps the first sample of the current measurement; answers the estimate for `latest`. */
export function useRemainingMs(latest: ProgressSample | null): number | null {
  const first = useRef<ProgressSample | null>(null);
  if (latest === null) {
    first.current = null;
    return null;
  }
  if (first.current === null || first.current.total !== latest.total || latest.done < first.current.done) first.current = latest;
  return estimateRemainingMs(first.current, latest);
}
