import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FormatError, LimitError, TamgaError } from '../log/errors.js';
import { RECORD_KINDS } from './bodies.js';
import { SchemaError } from './errors.js';
import { RECORD_LIMITS } from './fields.js';
import { isRecordKind, parseRecord, recordCanonicalBytes } from './record.js';

interface Vectors {
  valid: { name: string; record: unknown }[];
  invalid: { name: string; record: unknown; path: string; message: string }[];
}
const vectors = JSON.parse(
  readFileSync(new URL('../../test/vectors/tamga-records.json', import.meta.url), 'utf8'),
) as Vectors;

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

const byName = (name: string) =>
  structuredClone(vectors.valid.find((v) => v.name === name)!.record);

describe('parseRecord: valid records', () => {
  it('has an example of every kind', () => {
    const kinds = new Set(vectors.valid.map((v) => (v.record as { kind: string }).kind));
    expect([...kinds].sort()).toEqual([...RECORD_KINDS].sort());
  });

  it.each(vectors.valid)('accepts $name unchanged', ({ record }) => {
    const copy = structuredClone(record);
    const parsed = parseRecord(record);
    expect(parsed).toEqual(copy);
  });
});

describe('parseRecord: invalid records', () => {
  it.each(vectors.invalid)('refuses $name, naming $path', ({ record, path, message }) => {
    const e = thrown(() => parseRecord(record));
    expect(e).toBeInstanceOf(SchemaError);
    const err = e as SchemaError;
    expect(err.code).toBe('record.schema');
    const issue = err.issues.find((i) => i.path === path);
    expect(issue, `issues: ${JSON.stringify(err.issues)}`).toBeDefined();
    expect(issue!.message).toMatch(new RegExp(message));
    // The message says where and what, so a person can act on it.
    expect(err.message).toContain(path === '' ? issue!.message : `${path}: ${issue!.message}`);
  });

  it('writes the path and problem as the design asks', () => {
    const record = byName('document') as { body: { tags: unknown[] } };
    record.body.tags[2] = 3;
    const e = thrown(() => parseRecord(record)) as SchemaError;
    expect(e.message).toBe(
      'record "01JNQ0V1W8ZK3M5P7R9T2X4Y6A" is not valid: body.tags[2]: expected a string, got the number 3',
    );
  });

  it('lists every problem at once', () => {
    const record = byName('document') as Record<string, unknown>;
    record.author = '';
    record.created = 'yesterday';
    const e = thrown(() => parseRecord(record)) as SchemaError;
    expect(e.issues.map((i) => i.path).sort()).toEqual(['author', 'created']);
  });

  it('refuses values JSON cannot carry, naming the field', () => {
    const record = byName('document') as { body: Record<string, unknown> };
    record.body.title = undefined;
    const e = thrown(() => parseRecord(record));
    expect(e).toBeInstanceOf(FormatError);
    expect((e as FormatError).code).toBe('jcs.unsupported');
    expect((e as FormatError).message).toMatch(/^body\.title: undefined/);
    record.body.title = 'bad \ud800';
    expect((thrown(() => parseRecord(record)) as FormatError).code).toBe('jcs.lone-surrogate');
  });

  it('refuses a record whose canonical JSON is above 1 MiB', () => {
    const record = byName('transaction') as { body: Record<string, unknown> };
    const chunk = 'x'.repeat(RECORD_LIMITS.maxLongText);
    for (let i = 0; i < 11; i++) record.body[`part${i}`] = chunk;
    const e = thrown(() => parseRecord(record));
    expect(e).toBeInstanceOf(LimitError);
    expect((e as LimitError).code).toBe('record.too-large');
    delete record.body.part10;
    expect(() => parseRecord(record)).not.toThrow();
    expect(recordCanonicalBytes(record).length).toBeLessThanOrEqual(
      RECORD_LIMITS.maxCanonicalBytes,
    );
  });

  it('bounds every list', () => {
    const record = byName('document') as { body: { tags: string[] }; refs: string[] };
    record.body.tags = new Array<string>(RECORD_LIMITS.maxTags + 1).fill('t');
    const e = thrown(() => parseRecord(record)) as SchemaError;
    expect(e.issues[0]).toEqual({
      path: 'body.tags',
      message: `is too long: at most ${RECORD_LIMITS.maxTags} items (it has ${RECORD_LIMITS.maxTags + 1})`,
    });
  });

  it('raises only TamgaErrors for arbitrary values', () => {
    const odd: unknown[] = [
      undefined,
      null,
      0,
      Number.NaN,
      'x',
      [],
      {},
      { kind: null },
      { kind: 'document', body: null },
      { kind: 'correction', body: { corrects: 5 }, refs: 'x' },
      { kind: 'seizure', id: 5, refs: [5], body: [] },
      new Date(0),
    ];
    for (const value of odd) {
      const e = thrown(() => parseRecord(value));
      expect(e).toBeInstanceOf(TamgaError);
    }
  });
});

describe('isRecordKind', () => {
  it('knows the kinds', () => {
    for (const k of RECORD_KINDS) expect(isRecordKind(k)).toBe(true);
    expect(isRecordKind('memo')).toBe(false);
    expect(isRecordKind(undefined)).toBe(false);
  });
});
