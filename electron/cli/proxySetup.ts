/**
 * The command's proxy, set up for the whole process before a command that makes requests runs:
 * `--proxy` or the environment (proxyOption.ts), and, when the proxy URL holds a password,
 * everything the command prints passed through a redactor. Loaded only by such commands, so
 * that `--help` and `status` load no networking module (test/integration/cli/startup.test.ts).
 */
import { ErrorCode, toTeraSyncError } from '../../shared/errors.js';
import { SecretRedactor } from '../auth/redact.js';
import { proxyPassword, setProcessProxy } from '../net/proxy.js';
import type { CliIo } from './context.js';
import { commandProxy, type CommandProxy } from './proxyOption.js';
import type { Output } from './reporter.js';

/** The proxy in use and the io to print through; a usage problem as a sentence instead. */
export function setUpProxy(option: string | undefined, io: CliIo): { proxy: CommandProxy; io: CliIo } | { problem: string } {
  let proxy: CommandProxy;
  try {
    proxy = commandProxy(option, io.env);
  } catch (error) {
    return { problem: toTeraSyncError(error, ErrorCode.Configuration).message };
  }
  setProcessProxy(proxy.setting);
  const secret = proxyPassword(proxy.setting);
  if (secret === undefined) return { proxy, io };
  // Nothing the command prints holds the proxy's password, whatever a library put in a message.
  const redactor = new SecretRedactor();
  redactor.add(secret);
  const redacting = (output: Output): Output => ({
    write: (text: string) => output.write(redactor.redact(text)),
    ...(output.isTTY === undefined ? {} : { isTTY: output.isTTY }),
  });
  return { proxy, io: { ...io, stdout: redacting(io.stdout), stderr: redacting(io.stderr) } };
}
