/**
 * Polls `condition` until it gives a value other than null, undefined or false, and returns
 * that value; throws `timed out waiting for <what>` after `timeoutMs`. For what a test cannot
 * await directly (a file a child process writes, a status the services reach by themselves).
 */
export async function until<T>(
  what: string,
  condition: () => T | null | undefined | false | Promise<T | null | undefined | false>,
  timeoutMs = 20_000,
  intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value !== null && value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
