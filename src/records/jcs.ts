/**
 * RFC 8785, JSON Canonicalization Scheme (JCS): one byte string for every JSON value, so that a
 * record hashes the same wherever it is written, parsed or re-indented.
 *
 *   literals  null, true, false
 *   numbers   ECMAScript Number::toString (RFC 8785 §3.2.2.3); NaN and ±Infinity are not JSON
 *   strings   JSON.stringify's escaping (§3.2.2.2): \" \\ \b \t \n \f \r, other C0 as \u00xx
 *             lowercase, everything else as is; no Unicode normalization
 *   objects   members sorted by their names' UTF-16 code units (§3.2.3), no whitespace
 *   arrays    elements in order, no whitespace
 *   output    UTF-8 (§3.2.4)
 *
 * RFC 8785 takes I-JSON input (RFC 7493), so strings holding a lone surrogate are refused, as
 * are values that JSON.stringify would silently drop or rewrite: undefined, functions, symbols,
 * bigints, Dates, byte arrays and other class instances, sparse arrays, getters and cycles.
 * Where JSON.stringify and RFC 8785 agree, this module uses JSON.stringify for strings and
 * String() for numbers, which ECMAScript defines exactly as RFC 8785 requires.
 */
import { encodeUtf8 } from '../log/encoding.js';
import { FormatError, LimitError } from '../log/errors.js';
import { formatPath } from './errors.js';

/** How deeply arrays and objects may nest; deeper input is refused before it can exhaust the stack. */
export const MAX_JSON_DEPTH = 1000;

/** Options of `canonicalize`. */
export interface CanonicalizeOptions {
  /** Refuse (LimitError `jcs.too-large`) output longer than this many UTF-8 bytes. */
  readonly maxBytes?: number;
}

// With the u flag a surrogate range matches only surrogates that are not part of a pair.
const LONE_SURROGATE = /[\ud800-\udfff]/u;

/**
 * Returns the RFC 8785 canonical JSON text of `value`. Throws FormatError (`jcs.*`, naming the
 * path of the offending value) for anything that is not I-JSON: non-finite numbers, strings with
 * lone surrogates, and values that are not null, booleans, numbers, strings, arrays or plain
 * objects. Throws LimitError for nesting deeper than 1000 or output above `options.maxBytes`.
 */
export function canonicalize(value: unknown, options: CanonicalizeOptions = {}): string {
  const text = new Canonicalizer(options.maxBytes ?? Number.POSITIVE_INFINITY).run(value);
  if (options.maxBytes !== undefined) checkBytes(encodeUtf8(text).length, options.maxBytes);
  return text;
}

/** Returns the UTF-8 bytes of `canonicalize(value, options)`. Throws as `canonicalize`. */
export function canonicalizeBytes(value: unknown, options: CanonicalizeOptions = {}): Uint8Array {
  const bytes = encodeUtf8(
    new Canonicalizer(options.maxBytes ?? Number.POSITIVE_INFINITY).run(value),
  );
  if (options.maxBytes !== undefined) checkBytes(bytes.length, options.maxBytes);
  return bytes;
}

function checkBytes(length: number, maxBytes: number): void {
  if (length > maxBytes) {
    throw new LimitError(
      'jcs.too-large',
      `the canonical JSON is ${length} bytes, more than the ${maxBytes} allowed`,
    );
  }
}

class Canonicalizer {
  private readonly parts: string[] = [];
  // Output length in UTF-16 code units. UTF-8 never takes fewer bytes than UTF-16 code units,
  // so once this passes the byte limit the output is certainly too large.
  private length = 0;
  private readonly path: PropertyKey[] = [];
  private readonly open = new Set<object>();

  constructor(private readonly maxBytes: number) {}

  run(value: unknown): string {
    this.value(value);
    return this.parts.join('');
  }

  private push(s: string): void {
    this.parts.push(s);
    this.length += s.length;
    if (this.length > this.maxBytes) {
      throw new LimitError(
        'jcs.too-large',
        `the canonical JSON is more than the ${this.maxBytes} bytes allowed`,
      );
    }
  }

  private value(v: unknown): void {
    switch (typeof v) {
      case 'string':
        this.push(this.string(v));
        return;
      case 'number':
        if (!Number.isFinite(v)) throw this.error('jcs.number', `${v} is not a JSON number`);
        // Number::toString is RFC 8785's number serialization; it writes -0 as "0".
        this.push(String(v));
        return;
      case 'boolean':
        this.push(v ? 'true' : 'false');
        return;
      case 'object':
        if (v === null) this.push('null');
        else if (Array.isArray(v)) this.array(v);
        else this.object(v);
        return;
      case 'bigint':
        throw this.error(
          'jcs.unsupported',
          'a bigint is not a JSON number; write it as a number or a decimal string',
        );
      case 'undefined':
        throw this.error('jcs.unsupported', 'undefined is not a JSON value; leave the field out');
      default:
        throw this.error('jcs.unsupported', `a ${typeof v} is not a JSON value`);
    }
  }

  private string(s: string): string {
    if (LONE_SURROGATE.test(s)) {
      throw this.error(
        'jcs.lone-surrogate',
        'the string holds a lone UTF-16 surrogate, which is not Unicode text (RFC 8785 needs I-JSON)',
      );
    }
    return JSON.stringify(s);
  }

  private array(a: readonly unknown[]): void {
    if (Object.getPrototypeOf(a) !== Array.prototype) {
      throw this.error('jcs.unsupported', 'an array subclass is not a plain JSON array');
    }
    this.enter(a);
    this.push('[');
    for (let i = 0; i < a.length; i++) {
      if (!Object.hasOwn(a, i)) {
        this.path.push(i);
        throw this.error(
          'jcs.sparse-array',
          'the array has a hole here; JSON arrays have no holes',
        );
      }
      if (i > 0) this.push(',');
      this.path.push(i);
      this.value(a[i]);
      this.path.pop();
    }
    this.push(']');
    this.leave(a);
  }

  private object(o: object): void {
    const proto: unknown = Object.getPrototypeOf(o);
    if (proto !== Object.prototype && proto !== null) {
      throw this.error('jcs.unsupported', `${describeInstance(o)} is not a plain JSON object`);
    }
    if (Object.getOwnPropertySymbols(o).length > 0) {
      throw this.error(
        'jcs.unsupported',
        'the object has symbol-keyed properties, which JSON cannot hold',
      );
    }
    this.enter(o);
    // The default sort compares UTF-16 code units, exactly as RFC 8785 §3.2.3 requires.
    const keys = Object.keys(o).sort();
    this.push('{');
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      this.path.push(key);
      const desc = Object.getOwnPropertyDescriptor(o, key);
      if (desc === undefined || !('value' in desc)) {
        throw this.error('jcs.unsupported', 'a getter is not a JSON value');
      }
      if (i > 0) this.push(',');
      this.push(this.string(key));
      this.push(':');
      this.value(desc.value);
      this.path.pop();
    }
    this.push('}');
    this.leave(o);
  }

  private enter(o: object): void {
    if (this.open.has(o))
      throw this.error('jcs.cycle', 'the value contains itself; JSON cannot be cyclic');
    if (this.open.size >= MAX_JSON_DEPTH) {
      throw new LimitError(
        'jcs.too-deep',
        `${where(this.path)}arrays and objects nest more than ${MAX_JSON_DEPTH} deep`,
      );
    }
    this.open.add(o);
  }

  private leave(o: object): void {
    this.open.delete(o);
  }

  private error(code: string, message: string): FormatError {
    return new FormatError(code, `${where(this.path)}${message}`);
  }
}

function where(path: readonly PropertyKey[]): string {
  return path.length === 0 ? '' : `${formatPath(path)}: `;
}

function describeInstance(o: object): string {
  if (o instanceof Date) return 'a Date (write it as an RFC 3339 string)';
  if (ArrayBuffer.isView(o)) return 'a byte array (encode it as base64 or hex)';
  const name: unknown = (o.constructor as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' && name !== ''
    ? `an instance of ${name}`
    : 'an object with a prototype';
}
