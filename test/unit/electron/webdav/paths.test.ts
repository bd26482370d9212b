import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../../shared/errors.js';
import { decodeSegment, hrefRawSegments, invalidNameReason, isLoopbackHost, percentDecodeBytes, splitRelativePath } from '../../../../electron/webdav/paths.js';

describe('invalidNameReason', () => {
  it.each(['', '.', '..', 'a/b', 'a\\b', 'nul\0here'])('refuses %j', (name) => {
    expect(invalidNameReason(name)).not.toBeNull();
  });

  it.each(['a b', '#1', '100%', '日本語', '...', '.hidden', 'a..b'])('accepts %j', (name) => {
    expect(invalidNameReason(name)).toBeNull();
  });
});

describe('splitRelativePath', () => {
  it('splits and accepts the root', () => {
    expect(splitRelativePath('')).toEqual([]);
    expect(splitRelativePath('a b/c#d')).toEqual(['a b', 'c#d']);
  });

  it.each(['../etc', 'a/../b', '/abs', 'a//b', 'a/', 'a\\b'])('refuses %j with InvalidName', (path) => {
    expect(() => splitRelativePath(path)).toThrow(expect.objectContaining({ code: ErrorCode.InvalidName }));
  });
});

describe('hrefRawSegments', () => {
  it('drops scheme and authority, keeps dot segments for the caller to refuse', () => {
    expect(hrefRawSegments('https://kita.teracloud.jp/dav/Sync/a%20b/', [])).toEqual(['dav', 'Sync', 'a%20b']);
    expect(hrefRawSegments('/dav/Sync/../etc', [])).toEqual(['dav', 'Sync', '..', 'etc']);
    expect(hrefRawSegments('//other.example/dav/x', [])).toEqual(['dav', 'x']);
  });

  it('keeps raw # and ? inside names (webdav-server leaves them unencoded)', () => {
    expect(hrefRawSegments('http://127.0.0.1:1/Sync/x#y/q?r', [])).toEqual(['Sync', 'x#y', 'q?r']);
  });

  it('resolves a relative href against the folder asked for', () => {
    expect(hrefRawSegments('child.txt', ['dav', 'Sync'])).toEqual(['dav', 'Sync', 'child.txt']);
  });
});

describe('decodeSegment', () => {
  it('decodes percent-encoding, and refuses broken encoding', () => {
    expect(decodeSegment('%E6%97%A5')).toBe('日');
    expect(decodeSegment('a%2Fb')).toBe('a/b');
    expect(decodeSegment('100%')).toBeNull();
    expect(decodeSegment('%FF')).toBeNull();
  });
});

describe('percentDecodeBytes', () => {
  it('gives the bytes a segment stands for, UTF-8 or not, and null for a broken escape', () => {
    expect([...percentDecodeBytes('caf%E9.txt')!]).toEqual([...Buffer.from('caf'), 0xe9, ...Buffer.from('.txt')]);
    expect([...percentDecodeBytes('%e6%97%a5 日😀')!]).toEqual([...Buffer.from('日 日😀')]);
    expect([...percentDecodeBytes('')!]).toEqual([]);
    expect(percentDecodeBytes('100%')).toBeNull();
    expect(percentDecodeBytes('bad%ZZ.txt')).toBeNull();
  });
});

describe('isLoopbackHost', () => {
  it.each(['localhost', '127.0.0.1', '127.1.2.3', '[::1]', '::1'])('%s is loopback', (host) => {
    expect(isLoopbackHost(host)).toBe(true);
  });

  it.each(['example.com', '10.0.0.1', '128.0.0.1', 'localhost.example.com', '127.0.0.1.nip.io', '[::2]'])('%s is not', (host) => {
    expect(isLoopbackHost(host)).toBe(false);
  });
});
