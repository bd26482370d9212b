/** `terasync whoami`: the signed-in user, node, WebDAV path and method, and the quota. */
import { accountFailure, describeAccount, whoami } from '../accountCommands.js';
import type { CommandContext } from '../context.js';
import { EXIT, exitCodeFor } from '../exitCodes.js';

export async function run({ io, values, accountOptions, fail }: CommandContext): Promise<number> {
  try {
    const info = await whoami(accountOptions);
    io.stdout.write(values.json ? `${JSON.stringify(info, null, 2)}\n` : `${describeAccount(info)}\n`);
    return EXIT.ok;
  } catch (error) {
    const { code, message } = accountFailure(error);
    return fail(exitCodeFor(code), message);
  }
}
