/**
 * The servers every sync scenario runs against: the in-process webdav-server (fast) and
 * Apache httpd with mod_dav over HTTPS, configured like TeraCLOUD (truth).
 */
import { readFile } from 'node:fs/promises';
import { apacheAvailable, startApache, type ApacheServer } from '../../support/apache.js';
import { requireSystemTool } from '../../support/requirements.js';
import { startWebDavServer } from '../../support/webdavServer.js';
import type { ServerUnderTest } from '../../support/pair.js';

export interface ServerKind {
  name: string;
  skip: boolean;
  start(): Promise<{ server: ServerUnderTest; stop(): Promise<void>; apache?: ApacheServer }>;
}

const apache = requireSystemTool('apache2', apacheAvailable(), 'apache2 openssl');

export const serverKinds: ServerKind[] = [
  {
    name: 'webdav-server (in-process)',
    skip: false,
    async start() {
      const server = await startWebDavServer();
      return { server: { url: server.url, user: server.user, password: server.password }, stop: () => server.stop() };
    },
  },
  {
    name: 'Apache mod_dav over HTTPS',
    skip: apache.skip,
    async start() {
      apache.assertAvailable();
      const server = await startApache();
      const ca = await readFile(server.caFile, 'utf8');
      return {
        server: { url: server.url, user: server.user, password: server.password, ca },
        stop: () => server.stop(),
        apache: server,
      };
    },
  },
];
