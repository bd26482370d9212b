/**
 * What the schemas of the files on disk (settings.json, account.json) share: how a refused
 * field is worded, and an object that is not a list. The messages follow the files' own
 * style, "pairs[0].localFolder must be an absolute path": a schema's message is what follows
 * the field's path ("must be an absolute path"), or ": <a sentence>" for a sentence of its
 * own ("origin: http://a is plain HTTP ..."); a message of the whole file ("it is not a JSON
 * object") stands alone.
 *
 * The IPC validators word a refusal otherwise ("pairs[2].remoteUrl: expected a string",
 * shared/validation.ts); the files keep their words, which users have seen in the messages
 * about a damaged file. Both take the path from `issuePath`, and a rule worded by a function
 * is `rule` there. Every schema and action given to `checkFile` carries such a message:
 * valibot's own messages quote the value, and a file's value may be a password pasted in the
 * wrong place.
 */
import * as v from 'valibot';
import { ErrorCode, type Result } from './errors.js';
import { issuePath } from './validation.js';

type Issue = v.BaseIssue<unknown>;

/** A field's issue in the files' words: `<path> <message>`, `<path>: <sentence>`, or the message alone. */
export function fileIssueMessage(issue: Issue, prefix = ''): string {
  const inner = issuePath(issue);
  const path = prefix === '' ? inner : inner === '' ? prefix : inner.startsWith('[') ? `${prefix}${inner}` : `${prefix}.${inner}`;
  if (path === '') return issue.message;
  return issue.message.startsWith(':') ? `${path}${issue.message}` : `${path} ${issue.message}`;
}

/** The stop-gap for a schema given no message: says the field is wrong without quoting it. */
const config: v.Config<Issue> = { abortEarly: true, message: () => 'is not valid' };

/**
 * Runs `schema` on parsed JSON and stops at the first issue, the one a reader meets first in
 * the file's order of fields. The error (Configuration) names the field after `prefix`
 * ('proxy' when a section is checked alone); the value is valibot's output, a fresh copy.
 */
export function checkFile<const S extends v.GenericSchema>(schema: S, json: unknown, prefix = ''): Result<v.InferOutput<S>> {
  const result = v.safeParse(schema, json, config);
  if (result.success) return { ok: true, value: result.output };
  return { ok: false, error: { code: ErrorCode.Configuration, message: fileIssueMessage(result.issues[0], prefix) } };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * An object with `entries`, refused with `message` when it is not one (a list included).
 * A field it does not know is left out of the result (a file may come from a later version);
 * a required field that is missing is refused with the words of that field's own schema,
 * as if it held a wrong value ("pairs[0].id must be ...").
 */
export function fileObject<const E extends v.ObjectEntries>(entries: E, message: string) {
  const missing = (issue: v.ObjectIssue): string => {
    const key = issue.path?.at(-1)?.key;
    const schema = typeof key === 'string' ? entries[key] : undefined;
    const result = schema === undefined ? null : v.safeParse(schema, undefined, config);
    return result === null || result.success ? 'is missing' : result.issues[0].message;
  };
  return v.pipe(v.custom<Record<string, unknown>>(isRecord, message), v.object(entries, missing));
}

/**
 * A list of at most `max` items, counted before any item is checked (so a huge list costs
 * nothing more), each checked by `item`.
 */
export function boundedList<const S extends v.GenericSchema>(item: S, max: number, message: string) {
  return v.pipe(
    v.array(v.unknown(), message),
    v.maxLength(max, (issue) => `has ${issue.input.length} items; at most ${max} are allowed`),
    v.array(item, message),
  );
}
