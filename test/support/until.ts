/**
 * The one polling wait of the tests: `until(what, condition, options)` polls `condition` until
 * it gives a value other than null, undefined or false, and returns that value; after
 * `timeoutMs` it throws `timed out after <n> ms waiting for <what>`. For what a test cannot
 * await directly (a file a child process writes, a status the services reach by themselves,
 * a page a browser shows). A bounded poll of the outcome, never a sleep to let things settle.
 *
 * Options (a number is `timeoutMs`):
 * - `timeoutMs` (default 20 s) and `intervalMs` (default 50 ms);
 * - `retryErrors`: an error the condition throws counts as "not yet" (a tree read while files
 *   come and go); the last one is named if time runs out. Without it, an error fails at once;
 * - `detail`: words added to the time-out message (the status seen last).
 *
 * `untilWithin(timeoutMs, intervalMs)` gives an `until` with other defaults, for a file whose
 * waits all share them.
 */
export interface UntilOptions {
  timeoutMs?: number;
  intervalMs?: number;
  retryErrors?: boolean;
  detail?: () => string;
}

type Condition<T> = () => T | null | undefined | false | Promise<T | null | undefined | false>;

const DEFAULT_TIMEOUT_MS = 20_000;
const DEFAULT_INTERVAL_MS = 50;

export async function until<T>(what: string, condition: Condition<T>, options: number | UntilOptions = {}): Promise<T> {
  const { timeoutMs = DEFAULT_TIMEOUT_MS, intervalMs = DEFAULT_INTERVAL_MS, retryErrors = false, detail } = typeof options === 'number' ? { timeoutMs: options } : options;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await condition();
      if (value !== null && value !== undefined && value !== false) return value;
      lastError = undefined;
    } catch (error) {
      if (!retryErrors) throw error;
      lastError = error;
    }
    if (Date.now() > deadline) {
      const reason = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      const more = detail === undefined ? '' : `; ${detail()}`;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${reason}${more}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** `until` with other defaults: `untilWithin(10_000)` waits 10 s unless a call says otherwise. */
export function untilWithin(timeoutMs: number, intervalMs = DEFAULT_INTERVAL_MS): typeof until {
  return (what, condition, options = {}) => until(what, condition, { timeoutMs, intervalMs, ...(typeof options === 'number' ? { timeoutMs: options } : options) });
}
