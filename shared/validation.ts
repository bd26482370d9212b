/**
 * Running a valibot schema the way this repository reports a bad value: a `Result` whose error
 * names the field (`pairs[2].remoteUrl`) and what was expected there (`expected a string`),
 * never the value itself, which may be a password or a token. Valibot's own messages quote the
 * value ("... but received "hunter2""), so they are never used: every issue is described here
 * from its kind and requirement, or by the message a schema was given.
 *
 * The IPC validators (shared/ipc/schemas.ts) and the checks of settings.json and account.json
 * share these helpers, so that a refused value reads the same everywhere.
 */
import * as v from 'valibot';
import { ErrorCode, type Result } from './errors.js';

/**
 * True when A and B are the same type, field for field (optional and readonly included): for a
 * type that stays declared by hand, `true satisfies Same<Declared, v.InferOutput<typeof schema>>`
 * stops the compiler when the two drift apart.
 */
export type Same<A, B> = (<X>() => X extends A ? 1 : 2) extends <X>() => X extends B ? 1 : 2 ? true : false;

/** Any synchronous schema: what `check` runs. */
export type AnySchema = v.GenericSchema;

type Issue = v.BaseIssue<unknown>;

/** The path of an issue as `a.b[2].c`; '' for the value itself. */
export function issuePath(issue: Issue): string {
  let path = '';
  for (const item of issue.path ?? []) {
    const key: unknown = item.key;
    if (typeof key === 'number') path += `[${key}]`;
    else path += path === '' ? String(key) : `.${String(key)}`;
  }
  return path;
}

const typeNames: Readonly<Record<string, string>> = {
  string: 'a string',
  boolean: 'true or false',
  number: 'a number',
  bigint: 'a bigint',
  array: 'an array',
  tuple: 'an array',
  object: 'an object',
  loose_object: 'an object',
  strict_object: 'an object',
  record: 'an object',
  null: 'null',
  undefined: 'nothing',
  date: 'a date',
};

/**
 * What an issue expected, in words, without the value: the default message of every schema
 * and action run by `check`. Schemas whose rule needs better words carry their own message.
 */
export function describeIssue(issue: Issue): string {
  const requirement: unknown = issue.requirement;
  switch (issue.type) {
    case 'strict_object':
    case 'strict_tuple':
      if (issue.expected === 'never') return 'no such field';
      break;
    case 'picklist':
    case 'enum':
    case 'literal':
      // `expected` lists the allowed values ('("a" | "b")'), never the one received.
      return `one of ${(issue.expected ?? '').replace(/^\((.*)\)$/, '$1').split(' | ').map((item) => item.replace(/^"(.*)"$/, "'$1'")).join(', ')}`;
    case 'max_length':
      return `at most ${String(requirement)} ${typeof issue.input === 'string' ? 'characters' : 'items'}`;
    case 'min_length':
      if (requirement === 1 && typeof issue.input === 'string') return 'a non-empty string';
      return `at least ${String(requirement)} ${typeof issue.input === 'string' ? 'characters' : 'items'}`;
    case 'non_empty':
      return typeof issue.input === 'string' ? 'a non-empty string' : 'at least one item';
    case 'integer':
      return 'an integer';
    case 'min_value':
      return `at least ${String(requirement)}`;
    case 'max_value':
      return `at most ${String(requirement)}`;
    case 'regex':
      return `text matching ${String(requirement)}`;
    default:
      break;
  }
  const named = typeNames[issue.type];
  if (named !== undefined) return named;
  // `expected` describes the rule ('"id"', '>=5', 'Object'), never the input: `received` does that.
  return issue.expected ?? `a valid ${issue.type.replace(/_/g, ' ')}`;
}

/** `path: expected what`, or `expected what` for the value itself. */
export function issueMessage(issue: Issue): string {
  const path = issuePath(issue);
  return path === '' ? `expected ${issue.message}` : `${path}: expected ${issue.message}`;
}

const config = { abortEarly: true, message: describeIssue } as const;

/**
 * Runs `schema` on `value` and stops at the first issue. The error carries `code`
 * (BadResponse unless told) and `issueMessage`'s text; the value is a fresh copy for objects
 * and arrays (valibot builds its output), never the input itself.
 */
export function check<const S extends AnySchema>(schema: S, value: unknown, code: ErrorCode = ErrorCode.BadResponse): Result<v.InferOutput<S>> {
  const result = v.safeParse(schema, value, config);
  if (result.success) return { ok: true, value: result.output };
  return { ok: false, error: { code, message: issueMessage(result.issues[0]) } };
}

/** What `schema` says of `value` when it refuses it, in `describeIssue`'s words; null if it accepts. */
function expectedOf(schema: AnySchema, value: unknown): string | null {
  const result = v.safeParse(schema, value, config);
  return result.success ? null : result.issues[0].message;
}

/** A string of at most `max` characters (`nonEmpty` refuses ''). */
export function boundedString(max: number, options: { nonEmpty?: boolean } = {}) {
  const bounded = v.pipe(v.string('a string'), v.maxLength(max, `at most ${max} characters`));
  return options.nonEmpty === true ? v.pipe(bounded, v.minLength(1, 'a non-empty string')) : bounded;
}

/** An integer from `min` to `max`, both included. */
export function integer(min: number, max: number) {
  const expected = `an integer from ${min} to ${max}`;
  return v.pipe(v.number(expected), v.integer(expected), v.minValue(min, expected), v.maxValue(max, expected));
}

function isPlain(value: object): boolean {
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/**
 * A plain object (no array, no class instance) with exactly `entries`' fields: an unknown
 * field is an error at its own path (`pair.token: expected no such field`), found before the
 * fields are read; a missing one is described by its own schema (`pair.id: expected a pair
 * id`). Fields left out or undefined are absent from the copy, so no `key: undefined` reaches
 * a handler.
 */
export function strictObject<const E extends v.ObjectEntries>(entries: E) {
  const known = new Set(Object.keys(entries));
  const missingField = (issue: Issue): string => {
    const key = issue.path?.at(-1)?.key;
    const entry = typeof key === 'string' ? entries[key] : undefined;
    return (entry === undefined ? null : expectedOf(entry, undefined)) ?? describeIssue(issue);
  };
  return v.pipe(
    v.unknown(),
    v.rawCheck(({ dataset, addIssue }) => {
      if (!dataset.typed) return;
      const input = dataset.value;
      if (typeof input !== 'object' || input === null || Array.isArray(input)) {
        addIssue({ message: 'an object' });
        return;
      }
      if (!isPlain(input)) {
        addIssue({ message: 'a plain object' });
        return;
      }
      const record = input as Record<string, unknown>;
      const unknown = Object.keys(record).find((key) => !known.has(key));
      if (unknown !== undefined) {
        addIssue({ message: 'no such field', path: [{ type: 'object', origin: 'key', input: record, key: unknown, value: record[unknown] }] });
      }
    }),
    v.strictObject(entries, (issue) => (issue.expected === 'never' ? 'no such field' : missingField(issue))),
    v.transform((output) => Object.fromEntries(Object.entries(output).filter(([, value]) => value !== undefined)) as typeof output),
  );
}

/**
 * `schema`, or null. When the value is neither, the message is `expected or null` ('a string
 * or null'); an error deeper inside (a field of an object) keeps its own words and path.
 */
export function nullable<const S extends AnySchema>(schema: S, expected: string) {
  const wrapped = v.nullable(schema);
  const run = wrapped['~run'].bind(wrapped);
  const runRewording: typeof wrapped['~run'] = (dataset, runConfig) => {
    const output = run(dataset, runConfig);
    for (const issue of output.issues ?? []) {
      if (issue.path === undefined || issue.path.length === 0) (issue as { message: string }).message = `${expected} or null`;
    }
    return output;
  };
  return {
    ...wrapped,
    '~run': runRewording,
    // As valibot builds it for its own schemas (its dataset is the Standard Schema result).
    '~standard': { ...wrapped['~standard'], validate: ((value: unknown) => runRewording({ value }, v.getGlobalConfig())) as typeof wrapped['~standard']['validate'] },
  } satisfies typeof wrapped as typeof wrapped;
}

/** A rule over a value its schema accepted: `test` answers what was expected when it breaks, else null. */
export function rule<T>(test: (value: T) => string | null) {
  return v.rawCheck<T>(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const expected = test(dataset.value);
    if (expected !== null) addIssue({ message: expected });
  });
}

/**
 * `schema` and then a rule across the fields of the object it accepted (`endedAt` not before
 * `startedAt`): `test` names the field at fault and what was expected there, or answers null.
 */
export function withFieldRule<const S extends AnySchema>(
  schema: S,
  test: (value: v.InferOutput<S>) => { field: keyof v.InferOutput<S> & string; expected: string } | null,
) {
  return v.pipe(
    schema,
    v.rawCheck<v.InferOutput<S>>(({ dataset, addIssue }) => {
      if (!dataset.typed) return;
      const problem = test(dataset.value);
      if (problem === null) return;
      const input = dataset.value as Record<string, unknown>;
      addIssue({ message: problem.expected, path: [{ type: 'object', origin: 'value', input, key: problem.field, value: input[problem.field] }] });
    }),
  );
}
