/**
 * The `terasync` command's exit codes, and which one an error code gives. Kept apart from the
 * commands so that the dispatcher (electron/cli/main.ts) and every command share them without
 * loading each other.
 */
import { ErrorCode } from '../../shared/errors.js';

export const EXIT = { ok: 0, partial: 1, usage: 2, failSafe: 3, auth: 4, busy: 5 } as const;

export function exitCodeFor(code: ErrorCode): number {
  switch (code) {
    case ErrorCode.FailSafeTriggered:
      return EXIT.failSafe;
    case ErrorCode.Unauthorized:
    case ErrorCode.ProxyAuth:
      return EXIT.auth;
    case ErrorCode.Configuration:
    case ErrorCode.Tls:
    case ErrorCode.InvalidRequest:
    case ErrorCode.KeychainUnavailable:
    case ErrorCode.InvalidAddress:
    case ErrorCode.NodeNotFound:
      return EXIT.usage;
    default:
      return EXIT.partial;
  }
}
