/**
 * The time left of a transfer: shown only once the estimates agree, then counting down and
 * following the rate gently; never a wild first guess, never a moment in the future.
 */
import { describe, expect, it } from 'vitest';
import { pastTime, timeLeftMs, updateTimeLeft, type ProgressSample, type TimeLeftState } from '../../../renderer/src/components/timeLeft.js';

const MB = 1_000_000;

/** Feeds the samples in order; answers what would be shown after each. */
function shownAfter(samples: ProgressSample[]): Array<number | null> {
  let state: TimeLeftState | null = null;
  return samples.map((sample) => {
    state = updateTimeLeft(state, sample);
    return timeLeftMs(state);
  });
}

describe('time left', () => {
  it('says nothing while a slow start and a fast middle disagree (13.6 hours, 14 min, 6 min), then one steady estimate', () => {
    const total = 1_000 * MB;
    const samples: ProgressSample[] = [
      { at: 0, done: 0, total },
      // Listings and small files first: 20 kB/s would be 13.6 hours.
      { at: 1_000, done: 20_000, total },
      // Then the big files: 1 MB/s, then faster.
      { at: 2_000, done: 1 * MB, total },
      { at: 3_000, done: 3.5 * MB, total },
    ];
    // Then a steady 2.5 MB/s for ten seconds.
    for (let second = 4; second <= 14; second++) samples.push({ at: second * 1_000, done: 3.5 * MB + (second - 3) * 2.5 * MB, total });
    const shown = shownAfter(samples);
    expect(shown.slice(0, 4)).toEqual([null, null, null, null]);
    const first = shown.findIndex((value) => value !== null);
    expect(first).toBeGreaterThan(3);
    const values = shown.slice(first) as number[];
    // About 6 minutes at 2.5 MB/s, and never a jump of more than a fifth from one second to the next.
    const expected = (total - (3.5 * MB + 11 * 2.5 * MB)) / (2.5 * MB) * 1_000;
    expect(values.at(-1)).toBeGreaterThan(expected * 0.8);
    expect(values.at(-1)).toBeLessThan(expected * 1.5);
    for (let i = 1; i < values.length; i++) expect(Math.abs(values[i]! - values[i - 1]!) / values[i - 1]!).toBeLessThan(0.2);
  });

  it('counts down while the rate holds', () => {
    const total = 100 * MB;
    const samples: ProgressSample[] = [];
    for (let second = 0; second <= 20; second++) samples.push({ at: second * 1_000, done: second * MB, total });
    const shown = shownAfter(samples).filter((value): value is number => value !== null);
    expect(shown.length).toBeGreaterThan(10);
    for (let i = 1; i < shown.length; i++) expect(shown[i]!).toBeLessThan(shown[i - 1]!);
    expect(shown.at(-1)).toBeCloseTo(80_000, -3);
  });

  it('starts afresh with a new total, and says nothing when nothing is left', () => {
    const samples: ProgressSample[] = [];
    for (let second = 0; second <= 10; second++) samples.push({ at: second * 1_000, done: second * MB, total: 100 * MB });
    let state: TimeLeftState | null = null;
    for (const sample of samples) state = updateTimeLeft(state, sample);
    expect(timeLeftMs(state)).not.toBeNull();
    state = updateTimeLeft(state, { at: 11_000, done: 0, total: 50 * MB });
    expect(timeLeftMs(state)).toBeNull();
    state = updateTimeLeft(state, { at: 12_000, done: 50 * MB, total: 50 * MB });
    expect(timeLeftMs(state)).toBeNull();
  });

  it('never shows a passed moment as one to come', () => {
    expect(pastTime(10_000, 5_000)).toBe(5_000);
    expect(pastTime(1_000, 5_000)).toBe(1_000);
  });
});
