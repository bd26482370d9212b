/**
 * A node name that does not exist is said as such at sign-in (NodeNotFound), never as a lost
 * connection: the account service looks the node's host up first (through its injectable
 * resolver) and compares with the service's own domain. Nothing here reaches the network: the
 * resolver is the test's, and a sign-in that goes past the check is cancelled before it sends.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AccountFile } from '../../../../electron/auth/AccountRecord.js';
import { AccountService, type HostLookup } from '../../../../electron/auth/AccountService.js';
import { SessionSecretStore } from '../../../../electron/auth/SessionSecretStore.js';
import { silentLogger } from '../../../../electron/core/logger.js';
import { ErrorCode } from '../../../../shared/errors.js';
import { failure } from '../../../support/failure.js';

const folders: string[] = [];

afterEach(async () => {
  for (const folder of folders.splice(0)) await rm(folder, { recursive: true, force: true });
});

/** A resolver that knows `names`; any other name fails as `failure` does (ENOTFOUND by default). */
function resolver(names: readonly string[], failure = 'ENOTFOUND'): { lookupHost: HostLookup; asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    lookupHost: async (hostname) => {
      asked.push(hostname);
      if (!names.includes(hostname)) throw Object.assign(new Error(`getaddrinfo ${failure} ${hostname}`), { code: failure });
    },
  };
}

async function service(lookupHost: HostLookup): Promise<{ accounts: AccountService; file: AccountFile }> {
  const folder = await mkdtemp(join(tmpdir(), 'terasync-lookup-'));
  folders.push(folder);
  const file = new AccountFile(folder);
  return { accounts: new AccountService({ accountFile: file, secrets: new SessionSecretStore(), clock: { now: () => 0 }, logger: silentLogger, lookupHost }), file };
}

const cancelled = (): AbortSignal => AbortSignal.abort();

describe('sign-in with a node name that does not exist', () => {
  it('is NodeNotFound when the node does not resolve but the service does, and nothing is stored', async () => {
    const dns = resolver(['teracloud.jp']);
    const { accounts, file } = await service(dns.lookupHost);
    const error = await failure(accounts.signInWithPassword({ userId: 'alice', password: 'apps-password', location: 'setoo' }));
    expect(error.code).toBe(ErrorCode.NodeNotFound);
    expect(error.message).toContain('There is no node "setoo" on teracloud.jp');
    expect(error.message).toContain('MyPage');
    expect(dns.asked).toEqual(['setoo.teracloud.jp', 'teracloud.jp']);
    expect((await file.read()).record).toBeNull();
  });

  it('checks the InfiniCLOUD domain for an InfiniCLOUD address', async () => {
    const dns = resolver(['infini-cloud.net']);
    const { accounts } = await service(dns.lookupHost);
    const error = await failure(accounts.signInWithPassword({ userId: 'alice', password: 'apps-password', location: 'https://nosuch.infini-cloud.net/dav/' }));
    expect(error.code).toBe(ErrorCode.NodeNotFound);
    expect(dns.asked).toEqual(['nosuch.infini-cloud.net', 'infini-cloud.net']);
  });

  it('is not NodeNotFound when the service does not resolve either (offline): the request goes ahead and says what it finds', async () => {
    const dns = resolver([]);
    const { accounts } = await service(dns.lookupHost);
    const error = await failure(accounts.signInWithPassword({ userId: 'alice', password: 'apps-password', location: 'seto', signal: cancelled() }));
    expect(error.code).not.toBe(ErrorCode.NodeNotFound);
    expect(dns.asked).toEqual(['seto.teracloud.jp', 'teracloud.jp']);
  });

  it('is not NodeNotFound when the resolver is not answering (EAI_AGAIN)', async () => {
    const dns = resolver(['teracloud.jp'], 'EAI_AGAIN');
    const { accounts } = await service(dns.lookupHost);
    const error = await failure(accounts.signInWithPassword({ userId: 'alice', password: 'apps-password', location: 'seto', signal: cancelled() }));
    expect(error.code).not.toBe(ErrorCode.NodeNotFound);
    expect(dns.asked).toEqual(['seto.teracloud.jp']);
  });

  it('goes ahead when the node resolves', async () => {
    const dns = resolver(['seto.teracloud.jp', 'teracloud.jp']);
    const { accounts } = await service(dns.lookupHost);
    const error = await failure(accounts.signInWithPassword({ userId: 'alice', password: 'apps-password', location: 'seto', signal: cancelled() }));
    expect(error.code).not.toBe(ErrorCode.NodeNotFound);
    expect(dns.asked).toEqual(['seto.teracloud.jp']);
  });

  it('calls a pasted /webdav/ address an invalid address, before anything is looked up', async () => {
    const dns = resolver(['seto.teracloud.jp', 'teracloud.jp']);
    const { accounts } = await service(dns.lookupHost);
    const error = await failure(accounts.signInWithPassword({ userId: 'alice', password: 'apps-password', location: 'https://seto.teracloud.jp/webdav/' }));
    expect(error.code).toBe(ErrorCode.InvalidAddress);
    expect(dns.asked).toEqual([]);
  });
});
