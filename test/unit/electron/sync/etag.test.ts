import { describe, expect, it } from 'vitest';
import { isStrongEtag, normaliseEtag } from '../../../../electron/sync/etag.js';

describe('normaliseEtag', () => {
  it.each([
    ['W/"a"', 'a'],
    ['"a"', 'a'],
    ['a', 'a'],
    ['"a-gzip"', 'a'],
    ['W/"a-gzip"', 'a'],
    ['"a-br"', 'a'],
    ['"a-deflate"', 'a'],
    ['a-gzip', 'a'],
    ['  "a"  ', 'a'],
    ['"5e1-5f0a1b2c3d4e5"', '5e1-5f0a1b2c3d4e5'],
  ])('%j -> %j', (tag, expected) => {
    expect(normaliseEtag(tag)).toBe(expected);
  });

  it('gives every spelling of one Apache tag the same normal form', () => {
    const spellings = ['"abc"', 'W/"abc"', 'abc', '"abc-gzip"', 'W/"abc-gzip"', '"abc-br"', 'abc-gzip'];
    expect(new Set(spellings.map((tag) => normaliseEtag(tag)))).toEqual(new Set(['abc']));
  });

  it('keeps different tags different', () => {
    expect(normaliseEtag('"abc"')).not.toBe(normaliseEtag('"abd"'));
    expect(normaliseEtag('"abc-gzip"')).not.toBe(normaliseEtag('"abd-gzip"'));
  });

  it('is null for an empty tag, "" and W/"", null and undefined', () => {
    expect(normaliseEtag('')).toBeNull();
    expect(normaliseEtag('   ')).toBeNull();
    expect(normaliseEtag('""')).toBeNull();
    expect(normaliseEtag('W/""')).toBeNull();
    expect(normaliseEtag(null)).toBeNull();
    expect(normaliseEtag(undefined)).toBeNull();
  });
});

describe('isStrongEtag', () => {
  it.each([
    ['W/"a"', false],
    ['"a"', true],
    ['a', true],
    ['"a-gzip"', true],
    ['W/"a-gzip"', false],
    ['"a-br"', true],
    ['', false],
    ['   ', false],
    [' W/"a"', false],
  ])('%j -> %j', (tag, expected) => {
    expect(isStrongEtag(tag)).toBe(expected);
  });

  it('is false for null and undefined', () => {
    expect(isStrongEtag(null)).toBe(false);
    expect(isStrongEtag(undefined)).toBe(false);
  });
});
