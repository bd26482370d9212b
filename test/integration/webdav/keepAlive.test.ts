/**
 * Apache closes a keep-alive connection after MaxKeepAliveRequests answers (100 by default;
 * the service's limit is unknown). A PUT whose 201 arrived must count as done even when the
 * connection closes right after it: retrying it would send the file twice, and with
 * If-None-Match the second PUT answers 412 and the engine takes its own upload for a conflict.
 */
import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebDavRemoteStore } from '../../../electron/webdav/WebDavRemoteStore.js';
import { mapLimit } from '../../../shared/async.js';
import { apacheAvailable, startApache, type ApacheServer } from '../../support/apache.js';
import { requireSystemTool } from '../../support/requirements.js';

const apache = requireSystemTool('apache2', apacheAvailable(), 'apache2 openssl');

describe.skipIf(apache.skip)('uploads on connections Apache closes after every second request', () => {
  let server: ApacheServer;
  let store: WebDavRemoteStore;
  const warnings: string[] = [];

  beforeAll(async () => {
    apache.assertAvailable();
    server = await startApache({ maxKeepAliveRequests: 2 });
    store = new WebDavRemoteStore({
      url: server.url,
      auth: { kind: 'basic', user: server.user, password: server.password },
      ca: await readFile(server.caFile, 'utf8'),
      concurrency: 4,
      logger: {
        debug: () => undefined,
        info: () => undefined,
        warn: (message, context) => warnings.push(`${message} ${JSON.stringify(context)}`),
        error: (message, context) => warnings.push(`${message} ${JSON.stringify(context)}`),
      },
    });
  });

  afterAll(async () => {
    await store?.dispose();
    await server?.stop();
  });

  it('sends each file exactly once, never retrying a PUT the server answered', async () => {
    const count = 200;
    const names = Array.from({ length: count }, (_, index) => `file-${String(index).padStart(3, '0')}.txt`);
    await mapLimit(names, 4, async (name) => {
      const body = Buffer.from(`content of ${name}\n`.repeat(20));
      // A file stream reports its end a little after its last bytes, so the server may answer
      // (and close the connection) before the body stream has ended on our side.
      const open = (): Readable => {
        let pushed = false;
        return new Readable({
          read() {
            if (pushed) return;
            pushed = true;
            this.push(body);
            setTimeout(() => this.push(null), 15);
          },
        });
      };
      await store.upload(name, open, body.length, { ifNoneMatch: true, statAfter: false });
    });

    const puts = (await server.accessLog()).filter((line) => line.method === 'PUT');
    expect(puts.map((line) => line.status).filter((status) => status !== 201)).toEqual([]);
    expect(puts).toHaveLength(count);
    expect(warnings).toEqual([]);
    for (const name of names.slice(0, 5)) {
      expect(await readFile(`${server.dataDir}/${name}`, 'utf8')).toBe(`content of ${name}\n`.repeat(20));
    }
  });
});
