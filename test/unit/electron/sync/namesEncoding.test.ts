/**
 * Names that cannot be synced as they are: bytes that are not valid UTF-8 (how they are
 * recognised and shown) and the sentences that say why such a name, or one with a backslash,
 * is skipped and what to do.
 */
import { describe, expect, it } from 'vitest';
import { backslashMessage, decodeName, escapeNameBytes, invalidEncodingMessage } from '../../../../electron/sync/names.js';

describe('names that are not valid UTF-8', () => {
  const cases: Array<[string, number[], string]> = [
    ['byte 0xff', [0x61, 0xff, 0x62], 'a\\xFFb'],
    ['Latin-1 café.txt', [...Buffer.from('caf'), 0xe9, ...Buffer.from('.txt')], 'caf\\xE9.txt'],
    ['a cut-off multi-byte sequence', [...Buffer.from('あ').subarray(0, 2), ...Buffer.from('.txt')], '\\xE3\\x81.txt'],
    ['a cut-off sequence at the end', [0x78, 0xf0, 0x9f, 0x98], 'x\\xF0\\x9F\\x98'],
    ['an overlong encoding', [0xc0, 0xaf], '\\xC0\\xAF'],
    ['an encoded surrogate', [0xed, 0xa0, 0x80], '\\xED\\xA0\\x80'],
    ['beyond U+10FFFF', [0xf4, 0x90, 0x80, 0x80], '\\xF4\\x90\\x80\\x80'],
    ['a lone continuation byte among valid characters', [...Buffer.from('日'), 0x80, ...Buffer.from('本😀')], '日\\x80本😀'],
  ];

  it.each(cases)('%s: not decoded, shown with \\xHH', (_, raw, shown) => {
    const buffer = Uint8Array.from(raw);
    expect(decodeName(buffer)).toBeNull();
    expect(escapeNameBytes(buffer)).toBe(shown);
  });

  it('decodes valid UTF-8 exactly as it is spelled, a leading byte order mark included', () => {
    for (const name of ['café.txt', 'e\u0301', '日本😀', '\uFEFFbom', '\uFFFD literal', 'a\\b']) {
      const raw = Buffer.from(name, 'utf8');
      expect(decodeName(raw)).toBe(name);
      expect(escapeNameBytes(raw)).toBe(name);
    }
  });

  it('the messages say why and what to do, for a file and a folder, on either side', () => {
    expect(invalidEncodingMessage(false)).toMatch(/not valid UTF-8.*the file is left as it is; rename it to sync it/);
    expect(invalidEncodingMessage(true)).toMatch(/the folder and everything in it are left as they are; rename the folder to sync it/);
    expect(backslashMessage(false)).toMatch(/contains "\\", which Windows and other WebDAV clients read as a folder separator.*rename it without "\\" to sync it/);
    expect(backslashMessage(false, 'remote')).toMatch(/left as it is on the server; rename it there without "\\"/);
    expect(backslashMessage(true, 'remote')).toMatch(/the folder and everything in it are left as they are on the server; rename the folder there/);
  });
});
