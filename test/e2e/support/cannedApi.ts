/**
 * An in-page `window.terasync` that answers from canned values, for the one check that needs
 * the window under its own Content-Security-Policy (the bridge's WebSocket is exactly what
 * that policy forbids). Bundled by esbuild into the page before the app loads; the answers
 * come in as JSON, so nothing here reaches outside the page.
 */
import { ErrorCode } from '../../../shared/errors.js';
import { buildTeraSyncApi } from '../../../shared/ipc/api.js';
import type { IpcChannel } from '../../../shared/ipc/contract.js';

export function installCannedApi(answers: Partial<Record<IpcChannel, unknown>>): void {
  (globalThis as unknown as { terasync: unknown }).terasync = buildTeraSyncApi({
    call: async (channel) =>
      Object.hasOwn(answers, channel)
        ? { ok: true, value: answers[channel] }
        : { ok: false, error: { code: ErrorCode.Internal, message: `no canned answer for ${channel}` } },
    subscribe: () => () => undefined,
  });
}
