/**
 * The servers every sync scenario runs against: the in-process webdav-server (fast) and
 * Apache httpd with mod_dav over HTTPS, configured like TeraCLOUD (truth).
 */
import { readFile } from 'node:fs/promises';
import { apacheAvailable, startApache, type ApacheServer } from '../../support/apache.js';
import { requireSystemTool } from '../../support/requirements.js';
import { startWebDavServer } from '../../support/webdavServer.js';
import { afterAll, beforeAll } from 'vitest';
import { createPair, type Pair, type ServerUnderTest } from '../../support/pair.js';

/** One request a server answered. */
export interface AnsweredRequest {
  method: string;
  /** The decoded URL path, without the query string. */
  path: string;
  /** The status the server answered with (0 when the request never got an answer). */
  status: number;
}

export interface ServerKind {
  name: string;
  skip: boolean;
  start(): Promise<{ server: ServerUnderTest; stop(): Promise<void>; requests(): Promise<AnsweredRequest[]>; apache?: ApacheServer }>;
}

const apache = requireSystemTool('apache2', apacheAvailable(), 'apache2 openssl');

export const serverKinds: ServerKind[] = [
  {
    name: 'webdav-server (in-process)',
    skip: false,
    async start() {
      const server = await startWebDavServer();
      return {
        server: { url: server.url, user: server.user, password: server.password },
        stop: () => server.stop(),
        requests: async () =>
          server.requests.map((request) => ({ method: request.method, path: decodeURIComponent(request.path.split('?')[0] ?? ''), status: request.status ?? 0 })),
      };
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
        requests: async () => (await server.accessLog()).map((line) => ({ method: line.method, path: line.path, status: line.status })),
        apache: server,
      };
    },
  },
];

export interface ServerFixture {
  /** The running server (valid inside tests). */
  server(): ServerUnderTest;
  /** The Apache harness when this kind is Apache, for its access log and data folder. */
  apache(): ApacheServer | undefined;
  /** A fresh pair on the server, disposed after the suite. */
  newPair(): Promise<Pair>;
  /** Every request the server answered so far (Apache's once its access log holds them). */
  requests(): Promise<AnsweredRequest[]>;
}

/**
 * Starts `kind` once for the enclosing describe block and disposes of every pair and the
 * server after it. Call at the top of a `describe.each(serverKinds)` body.
 */
export function useServer(kind: ServerKind): ServerFixture {
  let server: ServerUnderTest | undefined;
  let apache: ApacheServer | undefined;
  let stop: () => Promise<void> = async () => undefined;
  let requests: () => Promise<AnsweredRequest[]> = async () => [];
  const pairs: Pair[] = [];

  beforeAll(async () => {
    if (kind.skip) return;
    const started = await kind.start();
    server = started.server;
    apache = started.apache;
    stop = started.stop;
    requests = started.requests;
  }, 60_000);

  afterAll(async () => {
    for (const pair of pairs) await pair.dispose();
    await stop();
  });

  const running = (): ServerUnderTest => {
    if (!server) throw new Error(`${kind.name} is not running`);
    return server;
  };
  return {
    server: running,
    apache: () => apache,
    async newPair() {
      const pair = await createPair(running());
      pairs.push(pair);
      return pair;
    },
    requests: () => requests(),
  };
}
