import { describe, expect, it } from 'vitest';
import { ifMatchHeader, isStrongEtag, isWeakEtag, normaliseEtag, sameEtag } from '../../../shared/etag.js';

describe('normaliseEtag', () => {
  it.each([
    ['W/"abc"', 'abc'],
    ['"abc"', 'abc'],
    ['abc', 'abc'],
    ['"abc-gzip"', 'abc'],
    ['W/"abc-gzip"', 'abc'],
    ['"abc-br"', 'abc'],
    ['W/"abc-br"', 'abc'],
    ['"abc-deflate"', 'abc'],
    ['  "abc"  ', 'abc'],
    ['w/"abc"', 'abc'],
    ['"1a2b-5f3c4d5e6f7a8"', '1a2b-5f3c4d5e6f7a8'],
  ])('%s -> %s', (tag, expected) => {
    expect(normaliseEtag(tag)).toBe(expected);
  });

  it('gives null for a missing or empty tag', () => {
    expect(normaliseEtag(null)).toBeNull();
    expect(normaliseEtag(undefined)).toBeNull();
    expect(normaliseEtag('')).toBeNull();
    expect(normaliseEtag('""')).toBeNull();
    expect(normaliseEtag('W/""')).toBeNull();
  });

  it('keeps a hyphenated Apache tag that is not an encoding suffix', () => {
    expect(normaliseEtag('"5-62c1f0a1b2c3d"')).toBe('5-62c1f0a1b2c3d');
    expect(normaliseEtag('"abc-gzipped"')).toBe('abc-gzipped');
  });
});

describe('isStrongEtag / isWeakEtag', () => {
  it('tells weak from strong', () => {
    expect(isStrongEtag('"abc"')).toBe(true);
    expect(isStrongEtag('abc')).toBe(true);
    expect(isStrongEtag('"abc-gzip"')).toBe(true);
    expect(isStrongEtag('W/"abc"')).toBe(false);
    expect(isStrongEtag('w/"abc"')).toBe(false);
    expect(isStrongEtag(null)).toBe(false);
    expect(isStrongEtag('')).toBe(false);
    expect(isStrongEtag('""')).toBe(false);
    expect(isWeakEtag('W/"abc"')).toBe(true);
    expect(isWeakEtag('"abc"')).toBe(false);
    expect(isWeakEtag(null)).toBe(false);
  });
});

describe('ifMatchHeader', () => {
  it('sends the quoted strong form', () => {
    expect(ifMatchHeader('"abc"')).toBe('"abc"');
    expect(ifMatchHeader('abc')).toBe('"abc"');
    expect(ifMatchHeader('"abc-gzip"')).toBe('"abc"');
  });

  it('never sends a weak tag', () => {
    expect(ifMatchHeader('W/"abc"')).toBeNull();
    expect(ifMatchHeader(null)).toBeNull();
    expect(ifMatchHeader('')).toBeNull();
  });
});

describe('sameEtag', () => {
  it('treats the spellings of one tag as the same', () => {
    expect(sameEtag('W/"abc"', '"abc"')).toBe(true);
    expect(sameEtag('"abc-gzip"', 'abc')).toBe(true);
    expect(sameEtag('"abc"', '"abd"')).toBe(false);
    expect(sameEtag(null, null)).toBe(false);
    expect(sameEtag('"abc"', null)).toBe(false);
  });
});
