import { pathToFileURL } from 'node:url';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { externalHttpsUrl, isRendererUrl } from '../../../../electron/app/navigation.js';

const rendererUrl = pathToFileURL(path.resolve('/opt/TeraSync/resources/app.asar/dist/renderer/index.html')).href;

describe('isRendererUrl', () => {
  it('accepts our page, with or without a query or hash', () => {
    expect(isRendererUrl(rendererUrl, rendererUrl)).toBe(true);
    expect(isRendererUrl(`${rendererUrl}#/pairs`, rendererUrl)).toBe(true);
    expect(isRendererUrl(`${rendererUrl}?view=1`, rendererUrl)).toBe(true);
  });

  it.each([
    ['another local file', pathToFileURL(path.resolve('/etc/passwd')).href],
    ['a file next to ours', rendererUrl.replace('index.html', 'other.html')],
    ['a web page', 'https://example.com/'],
    ['a web page with our path', `https://example.com${new URL(rendererUrl).pathname}`],
    ['garbage', 'not a url'],
    ['javascript:', 'javascript:alert(1)'],
  ])('refuses %s', (_name, url) => {
    expect(isRendererUrl(url, rendererUrl)).toBe(false);
  });
});

describe('externalHttpsUrl', () => {
  it('passes a parsed https: URL through', () => {
    expect(externalHttpsUrl('https://teracloud.jp/en/')).toBe('https://teracloud.jp/en/');
    expect(externalHttpsUrl('HTTPS://TeraCloud.jp')).toBe('https://teracloud.jp/');
  });

  it.each([
    'http://teracloud.jp/',
    'file:///etc/passwd',
    'javascript:alert(1)',
    'smb://server/share',
    'ms-settings:',
    'https://user:password@teracloud.jp/',
    'https://user@teracloud.jp/',
    'not a url',
    '',
  ])('refuses %j', (url) => {
    expect(externalHttpsUrl(url)).toBeNull();
  });
});
