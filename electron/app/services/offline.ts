import { ErrorCode } from '../../../shared/errors.js';

/** The error codes that mean "not connected" (tried again later), not a failure of its own. */
export const OFFLINE_CODES: ReadonlySet<string> = new Set([ErrorCode.Network, ErrorCode.Timeout, ErrorCode.Server, ErrorCode.RateLimited]);
