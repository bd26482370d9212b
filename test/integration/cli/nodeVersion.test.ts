/**
 * bin/terasync.js refuses a Node older than 22.12 with a sentence, before anything loads
 * better-sqlite3 13 (which crashes the process on Node 20). The older Node is played by the
 * test's own Node with `process.versions.node` replaced before the command starts.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureCliBuilt, runCli } from '../../support/cli.js';

function pretending(version: string): Record<string, string> {
  const source = `Object.defineProperty(process, 'versions', { value: { ...process.versions, node: '${version}' } });`;
  return { NODE_OPTIONS: `--import data:text/javascript,${encodeURIComponent(source)}` };
}

describe('the command on an older Node', () => {
  beforeAll(() => ensureCliBuilt());

  it.each(['20.20.2', '22.11.0', '18.20.8'])('Node %s: exit 2 with what to install, nothing else run', async (version) => {
    const result = await runCli(['--help'], pretending(version));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`needs Node.js 22.12 or later; this is Node.js ${version}`);
    expect(result.stderr).toContain('Install Node.js 24 LTS');
    expect(result.stdout).toBe('');
  });

  it.each(['22.12.0', '24.21.0', '25.0.0'])('Node %s: runs', async (version) => {
    const result = await runCli(['--help'], pretending(version));
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Usage: terasync sync');
  });
});
