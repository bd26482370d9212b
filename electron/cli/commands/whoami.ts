/** `terasync whoami`: the signed-in user, node, WebDAV path and method, and the quota. */
import { accountFailure, describeAccount, whoami } from '../accountCommands.js';
import type { CommandContext } from '../context.js';
import { EXIT, exitCodeFor } from '../exitCodes.js';
import { describeProxyReport, proxyReport } from '../proxyOption.js';

export async function run({ io, values, accountOptions, proxy, fail }: CommandContext): Promise<number> {
  try {
    const info = await whoami(accountOptions);
    const proxyInUse = proxyReport(proxy ?? { setting: { mode: 'none' }, source: 'none' }, info.webdavUrl);
    io.stdout.write(
      values.json ? `${JSON.stringify({ ...info, proxy: proxyInUse }, null, 2)}\n` : `${describeAccount(info)}\nproxy:    ${describeProxyReport(proxyInUse)}\n`,
    );
    return EXIT.ok;
  } catch (error) {
    const { code, message } = accountFailure(error);
    return fail(exitCodeFor(code), message);
  }
}
