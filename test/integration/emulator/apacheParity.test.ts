/**
 * The emulator's WebDAV against the truth: the same requests, in the same order, to Apache
 * httpd + mod_dav configured like the service (test/support/apache.ts) and to the emulator's
 * /dav/, must get the same statuses. Where the emulator differs on purpose (gzip and Range,
 * the realm, MOVE between areas) it is tested in webdav.test.ts instead.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../../dev/emulator/TeraCloudEmulator.js';
import { apacheAvailable, startApache, type ApacheServer } from '../../support/apache.js';
import { requireSystemTool } from '../../support/requirements.js';
import { basic, headerOf, send, type RawResponse } from './http.js';

const apache = requireSystemTool('apache2', apacheAvailable(), 'apache2 openssl');

interface Target {
  /** The area root, with a trailing slash. */
  url: string;
  authorization: string;
}

interface Step {
  label: string;
  method: string;
  path: string;
  headers?: (previous: Map<string, RawResponse>, target: Target) => Record<string, string>;
  body?: string;
  /** Send without credentials. */
  anonymous?: boolean;
}

const LOCK_BODY =
  '<?xml version="1.0"?><d:lockinfo xmlns:d="DAV:"><d:lockscope><d:exclusive/></d:lockscope><d:locktype><d:write/></d:locktype></d:lockinfo>';
const PROPPATCH_MTIME =
  '<?xml version="1.0"?><d:propertyupdate xmlns:d="DAV:"><d:set><d:prop><d:getlastmodified>Mon, 01 Jan 2001 00:00:00 GMT</d:getlastmodified></d:prop></d:set></d:propertyupdate>';

const steps: Step[] = [
  { label: 'OPTIONS on the root', method: 'OPTIONS', path: '' },
  { label: 'request without credentials', method: 'PROPFIND', path: '', anonymous: true, headers: () => ({ Depth: '0' }) },
  { label: 'PROPFIND without Depth', method: 'PROPFIND', path: '' },
  { label: 'PROPFIND Depth: infinity', method: 'PROPFIND', path: '', headers: () => ({ Depth: 'infinity' }) },
  { label: 'PROPFIND Depth: 1', method: 'PROPFIND', path: '', headers: () => ({ Depth: '1' }) },
  { label: 'PUT new', method: 'PUT', path: 'a.txt', body: 'hello world' },
  { label: 'PUT replace', method: 'PUT', path: 'a.txt', body: 'hello world, again' },
  { label: 'PUT without parent', method: 'PUT', path: 'nope/a.txt', body: 'x' },
  { label: 'GET', method: 'GET', path: 'a.txt' },
  { label: 'HEAD', method: 'HEAD', path: 'a.txt' },
  { label: 'GET a range', method: 'GET', path: 'a.txt', headers: () => ({ Range: 'bytes=2-4' }) },
  { label: 'GET a range past the end', method: 'GET', path: 'a.txt', headers: () => ({ Range: 'bytes=100-' }) },
  { label: 'GET If-None-Match current', method: 'GET', path: 'a.txt', headers: (previous) => ({ 'If-None-Match': previous.get('GET')!.headers.etag! }) },
  { label: 'PUT If-None-Match: *', method: 'PUT', path: 'a.txt', body: 'x', headers: () => ({ 'If-None-Match': '*' }) },
  { label: 'PUT If-Match other', method: 'PUT', path: 'a.txt', body: 'x', headers: () => ({ 'If-Match': '"abc-123"' }) },
  { label: 'PUT If-Match weak current', method: 'PUT', path: 'a.txt', body: 'x', headers: (previous) => ({ 'If-Match': previous.get('GET')!.headers.etag! }) },
  { label: 'MKCOL new', method: 'MKCOL', path: 'd' },
  { label: 'MKCOL existing, no slash', method: 'MKCOL', path: 'd' },
  { label: 'MKCOL existing, slash', method: 'MKCOL', path: 'd/' },
  { label: 'MKCOL on a file', method: 'MKCOL', path: 'a.txt' },
  { label: 'MKCOL without parent', method: 'MKCOL', path: 'x/y/' },
  { label: 'PUT on a folder, no slash', method: 'PUT', path: 'd', body: 'x' },
  { label: 'PUT on a folder, slash', method: 'PUT', path: 'd/', body: 'x' },
  { label: 'PROPFIND folder, no slash', method: 'PROPFIND', path: 'd', headers: () => ({ Depth: '0' }) },
  { label: 'PROPFIND folder, slash', method: 'PROPFIND', path: 'd/', headers: () => ({ Depth: '1' }) },
  { label: 'GET folder', method: 'GET', path: 'd/' },
  { label: 'GET missing', method: 'GET', path: 'missing.txt' },
  { label: 'PROPFIND missing', method: 'PROPFIND', path: 'missing.txt', headers: () => ({ Depth: '0' }) },
  { label: 'DELETE missing', method: 'DELETE', path: 'missing.txt' },
  { label: 'PROPPATCH getlastmodified', method: 'PROPPATCH', path: 'a.txt', body: PROPPATCH_MTIME, headers: () => ({ 'Content-Type': 'application/xml' }) },
  { label: 'COPY new', method: 'COPY', path: 'a.txt', headers: (_previous, target) => ({ Destination: `${target.url}b.txt` }) },
  { label: 'COPY over', method: 'COPY', path: 'a.txt', headers: (_previous, target) => ({ Destination: `${target.url}b.txt` }) },
  { label: 'MOVE Overwrite: F', method: 'MOVE', path: 'a.txt', headers: (_previous, target) => ({ Destination: `${target.url}b.txt`, Overwrite: 'F' }) },
  { label: 'MOVE into a folder', method: 'MOVE', path: 'a.txt', headers: (_previous, target) => ({ Destination: `${target.url}d/c.txt` }) },
  { label: 'MOVE without parent', method: 'MOVE', path: 'b.txt', headers: (_previous, target) => ({ Destination: `${target.url}nope/c.txt` }) },
  { label: 'LOCK', method: 'LOCK', path: 'b.txt', body: LOCK_BODY, headers: () => ({ 'Content-Type': 'application/xml', Timeout: 'Second-60' }) },
  { label: 'PUT locked, no token', method: 'PUT', path: 'b.txt', body: 'x' },
  { label: 'DELETE locked, no token', method: 'DELETE', path: 'b.txt' },
  { label: 'PUT locked, token', method: 'PUT', path: 'b.txt', body: 'y', headers: (previous) => ({ If: `(${headerOf(previous.get('LOCK')!, 'Lock-Token')})` }) },
  { label: 'UNLOCK', method: 'UNLOCK', path: 'b.txt', headers: (previous) => ({ 'Lock-Token': headerOf(previous.get('LOCK')!, 'Lock-Token') }) },
  { label: 'DELETE file', method: 'DELETE', path: 'b.txt' },
  { label: 'DELETE folder, no slash', method: 'DELETE', path: 'd' },
  { label: 'DELETE folder, slash', method: 'DELETE', path: 'd/' },
];

async function play(target: Target): Promise<{ statuses: string[]; answers: Map<string, RawResponse> }> {
  const answers = new Map<string, RawResponse>();
  const statuses: string[] = [];
  for (const step of steps) {
    const headers = { ...(step.anonymous ? {} : { Authorization: target.authorization }), ...(step.headers?.(answers, target) ?? {}) };
    const answer = await send(`${target.url}${step.path}`, { method: step.method, headers, ...(step.body === undefined ? {} : { body: step.body }) });
    if (!answers.has(step.method)) answers.set(step.method, answer);
    statuses.push(`${step.label}: ${answer.status}`);
  }
  return { statuses, answers };
}

describe.skipIf(apache.skip)('the emulator answers like Apache mod_dav', () => {
  let server: ApacheServer;
  let emulator: RunningEmulator;

  beforeAll(async () => {
    apache.assertAvailable();
    [server, emulator] = await Promise.all([startApache({ https: false, deflate: false }), startEmulator({ oauth: false })]);
  });
  afterAll(async () => {
    await Promise.all([server?.stop(), emulator?.close()]);
  });

  it('with the same statuses for the same requests', async () => {
    const truth = await play({ url: server.url, authorization: basic(server.user, server.password) });
    const emulated = await play({ url: emulator.davUrl, authorization: basic('demo', 'demo-apps-password') });
    expect(emulated.statuses).toEqual(truth.statuses);

    // The same kind of ETag, weak right after the write, and the same validators on GET.
    const etagShape = /^W\/"[0-9a-f]+-[0-9a-f]+"$/;
    expect(truth.answers.get('GET')!.headers.etag).toMatch(etagShape);
    expect(emulated.answers.get('GET')!.headers.etag).toMatch(etagShape);
    for (const answers of [truth.answers, emulated.answers]) {
      expect(answers.get('GET')!.headers['accept-ranges']).toBe('bytes');
      expect(answers.get('GET')!.headers['last-modified']).toMatch(/GMT$/);
      expect(answers.get('PUT')!.headers.etag).toBeUndefined();
      expect(answers.get('PUT')!.headers.location).toMatch(/\/dav\/a\.txt$/);
      expect(answers.get('PROPPATCH')!.text).toMatch(/<D:status>HTTP\/1\.1 409 [^<]*<\/D:status>/);
      expect(answers.get('LOCK')!.headers['lock-token']).toMatch(/^<[^<>]+>$/);
    }
  });
});
