/** `terasync logout`: revokes the OAuth2 tokens and removes the account and its secrets. */
import { accountFailure, logout } from '../accountCommands.js';
import type { CommandContext } from '../context.js';
import { EXIT, exitCodeFor } from '../exitCodes.js';

export async function run({ io, accountOptions, fail }: CommandContext): Promise<number> {
  try {
    io.stdout.write(`${await logout(accountOptions)}\n`);
    return EXIT.ok;
  } catch (error) {
    const { code, message } = accountFailure(error);
    return fail(exitCodeFor(code), message);
  }
}
