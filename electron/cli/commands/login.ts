/** `terasync login`: signs in and keeps the account (see electron/cli/accountCommands.ts). */
import { accountFailure, login } from '../accountCommands.js';
import type { CommandContext } from '../context.js';
import { EXIT, exitCodeFor } from '../exitCodes.js';

export async function run({ io, values, accountOptions, fail }: CommandContext): Promise<number> {
  try {
    const message = await login(
      accountOptions,
      {
        user: values.user,
        node: values.node,
        url: values.url,
        passwordStdin: values['password-stdin'],
        challenge: values.challenge,
        oauth: values.oauth,
        issuer: values.issuer,
        clientId: values['client-id'],
        scopes: values.scopes,
      },
      { input: io.stdin, output: io.stderr },
    );
    io.stdout.write(`${message}\n`);
    return EXIT.ok;
  } catch (error) {
    const { code, message } = accountFailure(error);
    return fail(exitCodeFor(code), message);
  }
}
