/**
 * `terasync deleted list|restore|purge`: the pair's server-side trash (see
 * electron/cli/deletedCommands.ts for what each subcommand does).
 */
import { toTeraSyncError } from '../../../shared/errors.js';
import { WebDavRemoteStore, type WebDavAuth } from '../../webdav/WebDavRemoteStore.js';
import { accountService } from '../accountCommands.js';
import type { CliValues, CommandContext } from '../context.js';
import { deletedUsageProblem, runDeleted, type DeletedOptions, type DeletedSubcommand } from '../deletedCommands.js';
import { exitCodeFor } from '../exitCodes.js';
import { encodeFolder, pairOptions, resolvePair } from '../pair.js';

function deletedOptions(values: CliValues): DeletedOptions {
  return { run: values.run, path: values.path, all: values.all, json: values.json };
}

export function usageProblem(subcommand: string | null, values: CliValues): string | null {
  return deletedUsageProblem(subcommand ?? undefined, deletedOptions(values));
}

export async function run(context: CommandContext): Promise<number> {
  const options = pairOptions(context);
  if (typeof options === 'number') return options;
  const pair = await resolvePair(context, options);
  if (typeof pair === 'number') return pair;
  let store: WebDavRemoteStore | undefined;
  try {
    let url = pair.pairRemote;
    let auth: WebDavAuth;
    if (pair.envAuth !== null) auth = pair.envAuth;
    else {
      const connection = await accountService(context.accountOptions).connect();
      url = `${connection.rootUrl}${encodeFolder(pair.folder ?? '')}`;
      auth = connection.auth;
    }
    store = new WebDavRemoteStore({ url, auth, ca: context.ca, concurrency: options.concurrency });
    return await runDeleted(context.subcommand as DeletedSubcommand, store, deletedOptions(context.values), { stdout: context.io.stdout });
  } catch (error) {
    const coded = toTeraSyncError(error);
    return context.fail(exitCodeFor(coded.code), coded.message);
  } finally {
    await store?.dispose();
  }
}
