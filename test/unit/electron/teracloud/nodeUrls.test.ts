import { describe, expect, it } from 'vitest';
import { ErrorCode, TeraSyncError } from '../../../../shared/errors.js';
import { nodeFromName, nodeFromUserInput, nodeFromWebDavUrl, type NodeUrlOptions } from '../../../../electron/teracloud/nodeUrls.js';

function refusal(run: () => unknown): TeraSyncError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(TeraSyncError);
    expect((error as TeraSyncError).code).toBe(ErrorCode.InvalidAddress);
    return error as TeraSyncError;
  }
  throw new Error('accepted');
}

const SETO = {
  node: 'seto',
  origin: 'https://seto.teracloud.jp',
  davUrl: 'https://seto.teracloud.jp/dav/',
  v2DavUrl: 'https://seto.teracloud.jp/v2/dav/',
  backupUrl: 'https://seto.teracloud.jp/backup/',
  provider: 'teracloud',
};

describe('nodeFromName', () => {
  it('builds every URL of a TeraCLOUD node', () => {
    expect(nodeFromName('seto')).toEqual(SETO);
  });

  it('trims and lowercases', () => {
    expect(nodeFromName('  Seto\n')).toEqual(SETO);
  });

  it('puts InfiniCLOUD nodes on infini-cloud.net', () => {
    expect(nodeFromName('hakata', 'infinicloud')).toEqual({
      node: 'hakata',
      origin: 'https://hakata.infini-cloud.net',
      davUrl: 'https://hakata.infini-cloud.net/dav/',
      v2DavUrl: 'https://hakata.infini-cloud.net/v2/dav/',
      backupUrl: 'https://hakata.infini-cloud.net/backup/',
      provider: 'infinicloud',
    });
  });

  it.each(['a', '0', 'node-2', 'x'.repeat(63)])('accepts %j', (name) => {
    expect(nodeFromName(name).node).toBe(name);
  });

  it.each([
    ['', /empty/],
    ['   ', /empty/],
    ['x'.repeat(64), /64 characters; at most 63/],
    ['se_to', /contains "_"/],
    ['se to', /contains a space/],
    ['seto.teracloud', /contains "\."/],
    ['せと', /contains "せ"/],
    ['-seto', /start or end with a hyphen/],
    ['seto-', /start or end with a hyphen/],
    ['api', /REST API server, not a storage node/],
  ])('refuses %j and says why', (name, reason) => {
    const error = refusal(() => nodeFromName(name));
    expect(error.message).toMatch(reason);
    expect(error.message).toContain('"seto" in https://seto.teracloud.jp/dav/');
  });
});

describe('nodeFromWebDavUrl', () => {
  it.each([
    'https://seto.teracloud.jp/dav/',
    'https://seto.teracloud.jp/dav',
    '  https://seto.teracloud.jp/dav/  ',
    'https://SETO.TeraCloud.JP/dav/',
    'https://seto.teracloud.jp',
    'https://seto.teracloud.jp/',
    'https://seto.teracloud.jp:443/dav/',
    'https://seto.teracloud.jp./dav/',
    'seto.teracloud.jp/dav/',
    'https://seto.teracloud.jp/dav/?x=1#top',
  ])('reads %j as the /dav/ root of seto', (text) => {
    expect(nodeFromWebDavUrl(text)).toEqual({ ...SETO, area: 'dav', folder: '' });
  });

  it('keeps a sub-folder, decoded', () => {
    expect(nodeFromWebDavUrl('https://seto.teracloud.jp/dav/Photos/')).toEqual({ ...SETO, area: 'dav', folder: 'Photos' });
    expect(nodeFromWebDavUrl('https://seto.teracloud.jp/dav/Photos')).toMatchObject({ folder: 'Photos' });
    expect(nodeFromWebDavUrl('https://seto.teracloud.jp/dav/Photos/2024%20Trip/')).toMatchObject({ folder: 'Photos/2024 Trip' });
    expect(nodeFromWebDavUrl('https://seto.teracloud.jp/dav/%E5%86%99%E7%9C%9F/')).toMatchObject({ folder: '写真' });
    expect(nodeFromWebDavUrl('https://seto.teracloud.jp/dav/A//B/')).toMatchObject({ folder: 'A/B' });
  });

  it('reads /v2/dav/ and /backup/', () => {
    expect(nodeFromWebDavUrl('https://seto.teracloud.jp/v2/dav/')).toEqual({ ...SETO, area: 'v2dav', folder: '' });
    expect(nodeFromWebDavUrl('https://seto.teracloud.jp/v2/dav/Docs')).toMatchObject({ area: 'v2dav', folder: 'Docs' });
    expect(nodeFromWebDavUrl('https://seto.teracloud.jp/backup/')).toEqual({ ...SETO, area: 'backup', folder: '' });
    expect(nodeFromWebDavUrl('https://seto.teracloud.jp/backup/pc1/')).toMatchObject({ area: 'backup', folder: 'pc1' });
  });

  it('reads infini-cloud.net hosts', () => {
    expect(nodeFromWebDavUrl('https://rebun.infini-cloud.net/dav/')).toEqual({
      node: 'rebun',
      origin: 'https://rebun.infini-cloud.net',
      davUrl: 'https://rebun.infini-cloud.net/dav/',
      v2DavUrl: 'https://rebun.infini-cloud.net/v2/dav/',
      backupUrl: 'https://rebun.infini-cloud.net/backup/',
      provider: 'infinicloud',
      area: 'dav',
      folder: '',
    });
  });

  it.each([
    ['http://127.0.0.1:8080/dav/', 'http://127.0.0.1:8080', '127.0.0.1:8080'],
    ['http://localhost:3000/dav/Sync/', 'http://localhost:3000', 'localhost:3000'],
    ['http://[::1]:9000/dav/', 'http://[::1]:9000', '[::1]:9000'],
    ['https://127.0.0.1:8443/backup/', 'https://127.0.0.1:8443', '127.0.0.1:8443'],
  ])('accepts the loopback address %j as a custom origin', (text, origin, node) => {
    const location = nodeFromWebDavUrl(text);
    expect(location).toMatchObject({ provider: 'custom', origin, node, davUrl: `${origin}/dav/`, v2DavUrl: `${origin}/v2/dav/`, backupUrl: `${origin}/backup/` });
  });

  it('accepts another HTTPS host only with allowCustomHost', () => {
    const options: NodeUrlOptions = { allowCustomHost: true };
    expect(nodeFromWebDavUrl('https://dav.example.test:8443/dav/Sync/', options)).toEqual({
      node: 'dav.example.test:8443',
      origin: 'https://dav.example.test:8443',
      davUrl: 'https://dav.example.test:8443/dav/',
      v2DavUrl: 'https://dav.example.test:8443/v2/dav/',
      backupUrl: 'https://dav.example.test:8443/backup/',
      provider: 'custom',
      area: 'dav',
      folder: 'Sync',
    });
    const error = refusal(() => nodeFromWebDavUrl('https://dav.example.test/dav/'));
    expect(error.message).toContain('dav.example.test is not a TeraCLOUD/InfiniCLOUD WebDAV address');
  });

  it.each([
    ['', /empty/],
    ['not a url at all', /not a web address/],
    ['https://', /not a web address/],
    ['http://seto.teracloud.jp/dav/', /plain http:\/\/: TeraSync only connects over https:\/\//],
    ['ftp://seto.teracloud.jp/dav/', /"ftp:" addresses/],
    ['webdav://seto.teracloud.jp/dav/', /"webdav:" addresses/],
    ['https://evil.example.com/dav/', /evil\.example\.com is not a TeraCLOUD\/InfiniCLOUD WebDAV address/],
    ['https://teracloud.jp.evil.com/dav/', /not a TeraCLOUD\/InfiniCLOUD WebDAV address/],
    ['https://evilteracloud.jp/dav/', /not a TeraCLOUD\/InfiniCLOUD WebDAV address/],
    ['https://teracloud.jp/dav/', /no node name in front of teracloud\.jp/],
    ['https://a.seto.teracloud.jp/dav/', /not a storage node address \(expected <node>\.teracloud\.jp\)/],
    ['https://api.teracloud.jp/dav/', /REST API server, not a storage node/],
    ['https://seto.teracloud.jp:8443/dav/', /standard HTTPS port, not on port 8443/],
    ['https://seto.teracloud.jp/mypage/', /must start with \/dav\//],
    ['https://seto.teracloud.jp/davx/', /must start with \/dav\//],
    ['https://seto.teracloud.jp/v2/', /must start with \/dav\//],
    ['https://seto.teracloud.jp/dav/%E5%/', /broken %-escape/],
    ['https://seto.teracloud.jp/dav/a%2Fb/', /name TeraSync cannot use/],
    ['https://seto.teracloud.jp/dav/a%5Cb/', /name TeraSync cannot use/],
    ['https://seto.teracloud.jp/dav/a%00b/', /name TeraSync cannot use/],
    ['https://seto.teracloud.jp/dav/../etc/', /must start with \/dav\//],
  ])('refuses %j with a clear message', (text, reason) => {
    const error = refusal(() => nodeFromWebDavUrl(text));
    expect(error.message).toMatch(reason);
  });

  it('refuses plain HTTP to a non-loopback host even with allowCustomHost', () => {
    expect(refusal(() => nodeFromWebDavUrl('http://dav.example.test/dav/', { allowCustomHost: true })).message).toMatch(/plain http/);
  });

  it.each([
    'https://alice:s3cretPass@seto.teracloud.jp/dav/',
    'https://alice@seto.teracloud.jp/dav/',
    'alice:s3cretPass@seto.teracloud.jp/dav/',
    'http://alice:s3cretPass@127.0.0.1:8080/dav/',
    'https://alice:s3cretPass@evil.example.com/dav/',
  ])('refuses credentials in %j and never repeats them', (text) => {
    const error = refusal(() => nodeFromWebDavUrl(text));
    expect(error.message).toMatch(/contains a user name or password/);
    expect(error.message).not.toContain('s3cretPass');
    expect(error.message).not.toContain('alice');
  });

  it('every refusal shows what a WebDAV address looks like', () => {
    expect(refusal(() => nodeFromWebDavUrl('https://evil.example.com/')).message).toContain('https://seto.teracloud.jp/dav/');
  });
});

describe('nodeFromUserInput', () => {
  it('reads a node name', () => {
    expect(nodeFromUserInput('seto')).toEqual({ ...SETO, area: 'dav', folder: '' });
    expect(nodeFromUserInput(' Kita ')).toMatchObject({ node: 'kita', origin: 'https://kita.teracloud.jp' });
    expect(nodeFromUserInput('otaru', { provider: 'infinicloud' })).toMatchObject({ origin: 'https://otaru.infini-cloud.net', provider: 'infinicloud' });
  });

  it('reads a URL, with or without the scheme', () => {
    expect(nodeFromUserInput('https://seto.teracloud.jp/dav/Photos/')).toEqual({ ...SETO, area: 'dav', folder: 'Photos' });
    expect(nodeFromUserInput('seto.teracloud.jp')).toEqual({ ...SETO, area: 'dav', folder: '' });
    expect(nodeFromUserInput('hakata.infini-cloud.net/dav/')).toMatchObject({ node: 'hakata', provider: 'infinicloud' });
    expect(nodeFromUserInput('http://127.0.0.1:4000/dav/')).toMatchObject({ provider: 'custom', origin: 'http://127.0.0.1:4000' });
    expect(nodeFromUserInput('https://dav.example.test/dav/', { allowCustomHost: true })).toMatchObject({ provider: 'custom' });
  });

  it.each([
    ['', /Enter your node name/],
    ['se_to', /contains "_"/],
    ['https://evil.example.com/dav/', /not a TeraCLOUD\/InfiniCLOUD WebDAV address/],
    ['alice:pw@seto.teracloud.jp', /contains a user name or password/],
  ])('refuses %j', (text, reason) => {
    expect(refusal(() => nodeFromUserInput(text)).message).toMatch(reason);
  });
});
