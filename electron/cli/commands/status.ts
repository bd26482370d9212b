/**
 * `terasync status`: what the engine of a pair is doing, or how its last run ended, from the
 * pair's status file (written by a running `terasync sync` or the app). Reads files only: no
 * journal, no connection, no keychain.
 */
import { readStatusFile } from '../../platform/statusFile.js';
import type { CommandContext } from '../context.js';
import { EXIT } from '../exitCodes.js';
import { pairOptions, resolvePair } from '../pair.js';
import { describeStatus } from '../reporter.js';

export async function run(context: CommandContext): Promise<number> {
  const options = pairOptions(context);
  if (typeof options === 'number') return options;
  const pair = await resolvePair(context, options);
  if (typeof pair === 'number') return pair;
  const { io } = context;
  const record = readStatusFile(pair.statusPath);
  if (!record) {
    io.stderr.write('terasync: this pair has not been synced yet (no status recorded)\n');
    return EXIT.partial;
  }
  if (context.values.json) {
    io.stdout.write(`${JSON.stringify(record, null, 2)}\n`);
    return EXIT.ok;
  }
  io.stdout.write(`${describeStatus(record.status)}${record.running ? ` (running, pid ${record.pid})` : ' (not running)'}\n`);
  io.stdout.write(`  ${record.localRoot} <-> ${record.remoteUrl}\n`);
  if (record.status.lastSyncAt) io.stdout.write(`  last in sync: ${new Date(record.status.lastSyncAt).toLocaleString()}\n`);
  return EXIT.ok;
}
