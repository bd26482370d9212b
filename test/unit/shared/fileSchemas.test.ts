import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { boundedList, checkFile, fileObject } from '../../../shared/fileSchemas.js';
import { ErrorCode } from '../../../shared/errors.js';

const entries = {
  name: v.string('must be a name'),
  size: v.optional(v.number('must be a number'), 0),
  parts: v.optional(v.array(v.pipe(v.string(), v.check((part) => part !== '', ': an empty part is no part')), 'must be a list'), () => []),
};
const schema = fileObject(entries, 'must be an object');

describe('checkFile', () => {
  it('gives a fresh copy without the fields it does not know', () => {
    const json = { name: 'a', extra: 1, parts: ['x'] };
    const checked = checkFile(schema, json);
    expect(checked).toEqual({ ok: true, value: { name: 'a', size: 0, parts: ['x'] } });
    if (checked.ok) expect(checked.value.parts).not.toBe(json.parts);
  });

  it.each([
    ['a wrong type', { name: 7 }, 'name must be a name'],
    ['a missing required field, in the words of a wrong value', { size: 1 }, 'name must be a name'],
    ['an item of a list, with its index', { name: 'a', parts: ['x', 7] }, 'parts[1] is not valid'],
    ['a message that is a sentence of its own', { name: 'a', parts: [''] }, 'parts[0]: an empty part is no part'],
    ['a list where the object belongs', [], 'must be an object'],
  ])('words %s as the files do', (_name, json, message) => {
    expect(checkFile(schema, json)).toEqual({ ok: false, error: { code: ErrorCode.Configuration, message } });
  });

  it('puts a prefix before the path, also before an index', () => {
    expect(checkFile(schema, { name: 1 }, 'section')).toMatchObject({ error: { message: 'section.name must be a name' } });
    expect(checkFile(v.array(v.string('must be text')), [1], 'list')).toMatchObject({ error: { message: 'list[0] must be text' } });
    expect(checkFile(schema, 'x', 'section')).toMatchObject({ error: { message: 'section must be an object' } });
  });

  it('never words an issue with the value: a schema given no message says only that the field is not valid', () => {
    const checked = checkFile(fileObject({ token: v.literal('expected') }, 'must be an object'), { token: 'hunter2' });
    expect(checked).toMatchObject({ ok: false, error: { message: 'token is not valid' } });
  });

  it('stops at the first problem in the order of the entries', () => {
    expect(checkFile(schema, { parts: 'x', size: 'y' })).toMatchObject({ error: { message: 'name must be a name' } });
    expect(checkFile(schema, { name: 'a', parts: 'x', size: 'y' })).toMatchObject({ error: { message: 'size must be a number' } });
  });
});

describe('boundedList', () => {
  const list = boundedList(v.string('must be text'), 3, 'must be a list of texts');

  it('accepts up to its bound', () => {
    expect(checkFile(list, ['a', 'b', 'c'])).toEqual({ ok: true, value: ['a', 'b', 'c'] });
  });

  it('counts the items before it checks any', () => {
    expect(checkFile(list, [1, 2, 3, 4], 'items')).toMatchObject({ error: { message: 'items has 4 items; at most 3 are allowed' } });
    expect(checkFile(list, ['a', 2], 'items')).toMatchObject({ error: { message: 'items[1] must be text' } });
    expect(checkFile(list, 'a', 'items')).toMatchObject({ error: { message: 'items must be a list of texts' } });
  });
});
