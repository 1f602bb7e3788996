/**
 * The error raised when a record, or any other JSON document Tamga reads (an evidence bundle),
 * does not fit its schema. It lists every problem found, each with the path of the field
 * (`body.tags[2]`) and what is wrong with it, so that a person can fix the input in one pass.
 */
import type { z } from 'zod';
import { FormatError } from '../log/errors.js';

/** One problem with one field: where (`body.tags[2]`, or `''` for the whole value) and what. */
export interface SchemaIssue {
  readonly path: string;
  readonly message: string;
}

/** Input that does not fit a schema. `issues` names every wrong field; `code` says which schema. */
export class SchemaError extends FormatError {
  readonly issues: readonly SchemaIssue[];

  constructor(code: string, subject: string, issues: readonly SchemaIssue[]) {
    super(code, `${subject} is not valid: ${describeIssues(issues)}`);
    this.issues = issues;
  }
}

const MAX_LISTED = 10;

/** Returns the issues as one line: `path: problem; path: problem`, at most ten of them. */
export function describeIssues(issues: readonly SchemaIssue[]): string {
  const shown = issues
    .slice(0, MAX_LISTED)
    .map((i) => (i.path ? `${i.path}: ${i.message}` : i.message));
  if (issues.length > MAX_LISTED) shown.push(`and ${issues.length - MAX_LISTED} more problems`);
  return shown.join('; ');
}

/** Returns `path` as written in messages: `body.tags[2]`, `body.meta["two words"]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_$][\w$]*$/.test(key))
      out += out === '' ? key : `.${key}`;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}

/** Returns zod's issues as SchemaIssues with Tamga's wording, their paths under `prefix`. */
export function issuesFromZod(
  issues: readonly z.core.$ZodIssue[],
  prefix: readonly PropertyKey[] = [],
): SchemaIssue[] {
  const out: SchemaIssue[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'invalid_key') {
      // A bad key of a map: say so at the key's path, in the nested issue's words.
      for (const inner of issue.issues) {
        out.push({ path: formatPath(path), message: `this key ${problem(inner)}` });
      }
      continue;
    }
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        out.push({
          path: formatPath([...path, key]),
          message: 'is not a field of this schema; remove it',
        });
      }
      continue;
    }
    out.push({ path: formatPath(path), message: problem(issue) });
  }
  return out;
}

function problem(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type': {
      if (issue.input === undefined) return `is missing; expected ${article(issue.expected)}`;
      return `expected ${article(issue.expected)}, got ${describeValue(issue.input)}`;
    }
    case 'too_big':
      return issue.origin === 'string' || issue.origin === 'array'
        ? `is too long: ${bound('at most', issue.maximum, issue.origin, issue.input)}`
        : `must be at most ${issue.maximum}`;
    case 'too_small':
      if (issue.origin === 'string' && issue.minimum === 1) return 'must not be empty';
      return issue.origin === 'string' || issue.origin === 'array'
        ? `is too short: ${bound('at least', issue.minimum, issue.origin, issue.input)}`
        : `must be at least ${issue.minimum}`;
    case 'invalid_value':
      return `must be ${issue.values.length === 1 ? '' : 'one of '}${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${describeValue(issue.input)}`;
    case 'invalid_union':
      return 'matches none of the allowed forms';
    default:
      // Our own checks (formats, refinements) carry messages written for people.
      return issue.message;
  }
}

function bound(which: string, limit: number | bigint, origin: string, input: unknown): string {
  if (origin === 'string') {
    const n = typeof input === 'string' ? ` (it has ${input.length})` : '';
    return `${which} ${limit} characters${n}`;
  }
  const n = Array.isArray(input) ? ` (it has ${input.length})` : '';
  return `${which} ${limit} items${n}`;
}

function article(expected: string): string {
  switch (expected) {
    case 'int':
      return 'an integer from 0 to 2^53-1';
    case 'object':
    case 'record':
      return 'an object';
    case 'array':
      return 'an array';
    default:
      return `a ${expected}`;
  }
}

/** Returns a short description of a JSON value's type for messages: "a number", "null". */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'object':
      return 'an object';
    case 'string':
      return value.length <= 40 ? `the string ${JSON.stringify(value)}` : 'a long string';
    case 'number':
      return `the number ${value}`;
    case 'boolean':
      return `${value}`;
    case 'undefined':
      return 'nothing';
    default:
      return `a ${typeof value}`;
  }
}
