import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../../shared/errors.js';
import { multistatusHash, parseMultistatus } from '../../../../electron/webdav/multistatus.js';

const request = { method: 'PROPFIND', path: 'Docs' };

const APACHE = `<?xml version="1.0" encoding="utf-8"?>
<D:multistatus xmlns:D="DAV:" xmlns:ns0="DAV:">
<D:response xmlns:lp1="DAV:" xmlns:lp2="http://apache.org/dav/props/">
<D:href>/dav/Sync/Docs/</D:href>
<D:propstat><D:prop><lp1:resourcetype><D:collection/></lp1:resourcetype><lp1:getlastmodified>Mon, 02 Jun 2025 10:00:00 GMT</lp1:getlastmodified><lp1:getetag>"1000-62c1f0a1b2c3d"</lp1:getetag></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat>
<D:propstat><D:prop><D:getcontentlength/></D:prop><D:status>HTTP/1.1 404 Not Found</D:status></D:propstat>
</D:response>
<D:response xmlns:lp1="DAV:">
<D:href>/dav/Sync/Docs/0x1F</D:href>
<D:propstat><D:prop><lp1:resourcetype/><lp1:getcontentlength>12345678901</lp1:getcontentlength><lp1:getlastmodified>Mon, 02 Jun 2025 10:00:01 GMT</lp1:getlastmodified><lp1:getetag>W/"0x1f"</lp1:getetag></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat>
</D:response>
<D:response><D:href>/dav/Sync/Docs/&#x65E5;&amp;x</D:href><D:status>HTTP/1.1 403 Forbidden</D:status></D:response>
</D:multistatus>
`;

describe('parseMultistatus', () => {
  it('reads an Apache answer, keeping every value a string as sent', async () => {
    const resources = await parseMultistatus(APACHE, request);
    expect(resources).toEqual([
      {
        href: '/dav/Sync/Docs/',
        status: 200,
        props: { isCollection: true, size: null, mtimeMs: Date.parse('Mon, 02 Jun 2025 10:00:00 GMT'), etag: '"1000-62c1f0a1b2c3d"' },
      },
      {
        href: '/dav/Sync/Docs/0x1F',
        status: 200,
        props: { isCollection: false, size: 12_345_678_901, mtimeMs: Date.parse('Mon, 02 Jun 2025 10:00:01 GMT'), etag: 'W/"0x1f"' },
      },
      { href: '/dav/Sync/Docs/日&x', status: 403, props: null },
    ]);
  });

  it('accepts an empty multistatus', async () => {
    await expect(parseMultistatus('<D:multistatus xmlns:D="DAV:"/>', request)).resolves.toEqual([]);
    await expect(parseMultistatus('<D:multistatus xmlns:D="DAV:"></D:multistatus>', request)).resolves.toEqual([]);
  });

  it.each([
    ['truncated', APACHE.slice(0, APACHE.length - 40)],
    ['truncated in an href', '<D:multistatus xmlns:D="DAV:"><D:response><D:href>/dav/Sync/a'],
    ['not XML', 'Internal error'],
    ['HTML', '<html><body>Service Unavailable</body></html>'],
    ['empty', ''],
    ['another root', '<D:error xmlns:D="DAV:"><D:multistatus/></D:error>'],
    ['a response without href', '<D:multistatus xmlns:D="DAV:"><D:response><D:status>HTTP/1.1 200 OK</D:status></D:response></D:multistatus>'],
    ['a response without status', '<D:multistatus xmlns:D="DAV:"><D:response><D:href>/a</D:href></D:response></D:multistatus>'],
    ['a propstat without status', '<D:multistatus xmlns:D="DAV:"><D:response><D:href>/a</D:href><D:propstat><D:prop/></D:propstat></D:response></D:multistatus>'],
    ['a garbage status', '<D:multistatus xmlns:D="DAV:"><D:response><D:href>/a</D:href><D:status>fine</D:status></D:response></D:multistatus>'],
    ['mismatched tags', '<D:multistatus xmlns:D="DAV:"><D:response><D:href>/a</D:response></D:multistatus>'],
  ])('refuses %s with BadResponse', async (_name, xml) => {
    await expect(parseMultistatus(xml, request)).rejects.toMatchObject({ code: ErrorCode.BadResponse });
  });
});

describe('multistatusHash', () => {
  const response = (name: string, etag: string): string =>
    `<D:response><D:href>/dav/${name}</D:href><D:propstat><D:prop><D:getetag>"${etag}"</D:getetag></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>`;
  const body = (...responses: string[]): string => `<?xml version="1.0" encoding="utf-8"?><D:multistatus xmlns:D="DAV:">${responses.join('')}</D:multistatus>`;

  it('does not depend on the order of the responses (webdav-server lists in any order)', () => {
    const a = response('a.txt', '1');
    const b = response('b.txt', '2');
    const c = response('c/', '3');
    expect(multistatusHash(body(a, b, c))).toBe(multistatusHash(body(c, a, b)));
    expect(multistatusHash(body(a, b, c))).toBe(multistatusHash(body(b, c, a)));
  });

  it('changes with any byte of a response, and with a response more or less', () => {
    const a = response('a.txt', '1');
    const b = response('b.txt', '2');
    expect(multistatusHash(body(a, b))).not.toBe(multistatusHash(body(a, response('b.txt', '3'))));
    expect(multistatusHash(body(a, b))).not.toBe(multistatusHash(body(a)));
    expect(multistatusHash(body(a, a))).not.toBe(multistatusHash(body(a)));
  });

  it('splits on any namespace prefix, or none', () => {
    const plain = (name: string): string => `<response><href>/dav/${name}</href></response>`;
    const doc = (...parts: string[]): string => `<multistatus xmlns="DAV:">${parts.join('')}</multistatus >`;
    expect(multistatusHash(doc(plain('x'), plain('y')))).toBe(multistatusHash(doc(plain('y'), plain('x'))));
    const prefixed = (name: string): string => `<lp1:response><lp1:href>/dav/${name}</lp1:href></lp1:response>`;
    const lp = (...parts: string[]): string => `<lp1:multistatus xmlns:lp1="DAV:">${parts.join('')}</lp1:multistatus>`;
    expect(multistatusHash(lp(prefixed('x'), prefixed('y')))).toBe(multistatusHash(lp(prefixed('y'), prefixed('x'))));
  });
});
