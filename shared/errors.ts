/**
 * One error class with a code, so that every layer (engine, command, IPC) can decide what to
 * do from the code and show the message. Across IPC only `{ code, message }` survives.
 */
export const ErrorCode = {
  Unauthorized: 'Unauthorized',
  /** The proxy wants credentials (407) or refused the ones given: not TeraCLOUD's sign-in. */
  ProxyAuth: 'ProxyAuth',
  Forbidden: 'Forbidden',
  NotFound: 'NotFound',
  Conflict: 'Conflict',
  PreconditionFailed: 'PreconditionFailed',
  InsufficientStorage: 'InsufficientStorage',
  RateLimited: 'RateLimited',
  Server: 'Server',
  BadResponse: 'BadResponse',
  Network: 'Network',
  Timeout: 'Timeout',
  Tls: 'Tls',
  LocalIo: 'LocalIo',
  InvalidName: 'InvalidName',
  FailSafeTriggered: 'FailSafeTriggered',
  Configuration: 'Configuration',
  InvalidRequest: 'InvalidRequest',
  Cancelled: 'Cancelled',
  /** The OS keychain (Secret Service, Keychain, Credential Manager) is absent, locked or refused. */
  KeychainUnavailable: 'KeychainUnavailable',
  /** A bug or an unforeseen failure: the details go to the log, never across IPC. */
  Internal: 'Internal',
  /**
   * The node name does not exist: its host name does not resolve (DNS ENOTFOUND) while the
   * service's own domain does. A wrong name, never a lost connection: nothing retries it.
   */
  NodeNotFound: 'NodeNotFound',
  /** What was typed as the node or WebDAV address is not one (a /webdav/ path, another host, ...). */
  InvalidAddress: 'InvalidAddress',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface ErrorInfo {
  code: ErrorCode;
  message: string;
}

export class TeraSyncError extends Error {
  override readonly name = 'TeraSyncError';
  readonly code: ErrorCode;
  /** HTTP status when the error came from the server. */
  readonly status: number | undefined;
  /** Seconds the server asked us to wait (429/503 Retry-After). */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: { cause?: unknown; status?: number; retryAfterSeconds?: number } = {},
  ) {
    super(message, { cause: options.cause });
    this.code = code;
    this.status = options.status;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }

  toInfo(): ErrorInfo {
    return { code: this.code, message: this.message };
  }
}

export function isTeraSyncError(value: unknown): value is TeraSyncError {
  return value instanceof TeraSyncError;
}

/** Coerces anything thrown into a coded error without losing the original as `cause`. */
export function toTeraSyncError(value: unknown, fallback: ErrorCode = ErrorCode.LocalIo): TeraSyncError {
  if (value instanceof TeraSyncError) return value;
  const message = value instanceof Error ? value.message : String(value);
  return new TeraSyncError(fallback, message, { cause: value });
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorInfo };
