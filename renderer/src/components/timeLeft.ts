/**
 * "About 3 minutes left" for a transfer, said only once it can be trusted.
 *
 * The rate is what moved over the last `windowMs` (not since the start: a run that starts with
 * slow listings and small files would say "13 hours" for a long while). An estimate is shown
 * only once the last few agree (within `stableSpread` of each other) and at least `minElapsedMs`
 * of progress were seen; once shown, it counts down and follows new estimates gently instead of
 * jumping. A new total (a new run, another pass) starts afresh. Pure: state in, state out; the
 * hook below keeps the state for a component.
 *
 * `pastTime` is the other half of "the window tells the truth": a moment that has passed is
 * never shown as one to come, however the two processes' clocks disagree.
 */
import { useRef } from 'react';

export interface ProgressSample {
  at: number;
  done: number;
  total: number;
}

export interface TimeLeftOptions {
  /** The rate is measured over this much of the latest progress. */
  windowMs: number;
  /** Progress seen before any estimate is shown. */
  minElapsedMs: number;
  /** How many consecutive estimates must agree. */
  agreeing: number;
  /** How far they may be apart: the largest at most (1 + stableSpread) times the smallest. */
  stableSpread: number;
  /** Samples closer together than this are not measured (the rate needs time to tell). */
  minIntervalMs: number;
  /** How much of a new estimate goes into the shown one (the rest is the count-down). */
  follow: number;
}

export const defaultTimeLeftOptions: TimeLeftOptions = {
  windowMs: 10_000,
  minElapsedMs: 3_000,
  agreeing: 3,
  stableSpread: 0.5,
  minIntervalMs: 500,
  follow: 0.3,
};

export interface TimeLeftState {
  total: number;
  first: ProgressSample;
  /** The samples within the window, oldest first. */
  window: ProgressSample[];
  /** The latest raw estimates (ms), oldest first. */
  recent: number[];
  /** What is shown, as of `shownAt`; null until stable. */
  shown: number | null;
  shownAt: number;
  left: number;
}

export function startTimeLeft(sample: ProgressSample): TimeLeftState {
  return { total: sample.total, first: sample, window: [sample], recent: [], shown: null, shownAt: sample.at, left: sample.total - sample.done };
}

export function updateTimeLeft(state: TimeLeftState | null, sample: ProgressSample, options: TimeLeftOptions = defaultTimeLeftOptions): TimeLeftState {
  if (state === null || sample.total !== state.total) return startTimeLeft(sample);
  const last = state.window[state.window.length - 1] as ProgressSample;
  if (sample.done < last.done) return startTimeLeft(sample);
  if (sample.at - last.at < options.minIntervalMs) return state;
  const window = [...state.window, sample].filter((item) => item.at >= sample.at - options.windowMs);
  // Keep the one sample just before the window, so there is always a span to measure.
  const oldest = window[0] === sample ? last : (window[0] as ProgressSample);
  const span = sample.at - oldest.at;
  const moved = sample.done - oldest.done;
  const left = sample.total - sample.done;
  const estimate = moved > 0 && span > 0 ? (left * span) / moved : Number.POSITIVE_INFINITY;
  const recent = [...state.recent, estimate].slice(-options.agreeing);
  const next: TimeLeftState = { ...state, window: window.length > 0 ? window : [last, sample], recent, left };
  if (left <= 0) return { ...next, shown: 0, shownAt: sample.at };
  if (state.shown !== null) {
    if (!Number.isFinite(estimate)) return { ...next, shown: Math.max(0, state.shown - (sample.at - state.shownAt)), shownAt: sample.at };
    const countedDown = Math.max(0, state.shown - (sample.at - state.shownAt));
    return { ...next, shown: countedDown + options.follow * (estimate - countedDown), shownAt: sample.at };
  }
  const seen = sample.at - state.first.at;
  if (seen >= options.minElapsedMs && recent.length >= options.agreeing && recent.every(Number.isFinite)) {
    const low = Math.min(...recent);
    const high = Math.max(...recent);
    if (high <= low * (1 + options.stableSpread)) return { ...next, shown: estimate, shownAt: sample.at };
  }
  return next;
}

/** Milliseconds left, or null while it cannot be told yet (or nothing is left). */
export function timeLeftMs(state: TimeLeftState | null): number | null {
  if (state === null || state.shown === null || state.left <= 0) return null;
  return state.shown;
}

/** A moment that has passed, as of `now`: never later than now. */
export function pastTime(at: number, now: number): number {
  return Math.min(at, now);
}

/** Keeps the estimate's state for a component; answers the time left for `latest`. */
export function useRemainingMs(latest: ProgressSample | null): number | null {
  const state = useRef<TimeLeftState | null>(null);
  if (latest === null) {
    state.current = null;
    return null;
  }
  state.current = updateTimeLeft(state.current, latest);
  return timeLeftMs(state.current);
}
