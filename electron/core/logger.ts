/**
 * The structured log every service writes to: a message and its fields. The app writes it to
 * the log file (electron/app/LogFile.ts), the command to standard error; tests hand in
 * silentLogger or a recorder. Part of the kernel every folder under electron/ may use.
 */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
