import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  addSignatures,
  cosigner,
  FormatError,
  generateSignerKey,
  LimitError,
  MemoryTree,
  parseSignerKey,
  signCheckpoint,
  TamgaError,
} from '../log/index.js';
import { commitment, SchemaError, type TamgaRecord } from '../records/index.js';
import { assembleEvidence } from './assemble.js';
import { EVIDENCE_LIMITS, type EvidenceBundle, formatEvidence, parseEvidence } from './bundle.js';
import { verifyEvidence } from './verify.js';

const vectors = JSON.parse(
  readFileSync(new URL('../../test/vectors/tamga-records.json', import.meta.url), 'utf8'),
) as { valid: { name: string; record: TamgaRecord }[] };

const log = parseSignerKey(generateSignerKey('log.example/t', new Uint8Array(32).fill(1)));
const witness = cosigner('w1.example', new Uint8Array(32).fill(2));

/** A one-record bundle: the document example, alone in a log of one entry. */
function bundle(): EvidenceBundle {
  const record = vectors.valid[0]!.record;
  const salt = new Uint8Array(32).fill(7);
  const tree = new MemoryTree();
  tree.appendData(commitment(record, salt));
  const note = addSignatures(
    signCheckpoint({ origin: 'log.example/t', size: 1, root: tree.root() }, log),
    [witness.signer(1740821400)],
  );
  return assembleEvidence({
    created: '2025-03-05T12:00:00Z',
    generator: 'tamga test',
    log: { origin: 'log.example/t', verifierKey: log.verifierKey },
    witnesses: { quorum: 1, verifierKeys: [witness.verifierKey] },
    checkpoint: note,
    records: [{ record, salt, index: 0, proof: [] }],
    files: [{ sha256: record.files[0]!.sha256, path: 'files/statement.pdf' }],
  });
}

const good = bundle();

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

type Path = readonly (string | number)[];

/** Returns the value at `path` in a JSON value. */
function get(value: unknown, path: Path): unknown {
  let o = value;
  for (const k of path) o = (o as Record<string | number, unknown>)[k];
  return o;
}

/** Sets the value at `path` in a JSON value; `undefined` deletes it. */
function set(value: unknown, path: Path, to: unknown): void {
  const parent = get(value, path.slice(0, -1)) as Record<string | number, unknown>;
  const key = path.at(-1)!;
  if (to === undefined) delete parent[key];
  else parent[key] = to;
}

/** The good bundle as a plain JSON value, with `edit` applied. */
function edited(edit: (b: unknown) => void): unknown {
  const b: unknown = JSON.parse(JSON.stringify(good));
  edit(b);
  return b;
}

describe('parseEvidence', () => {
  it('reads a good bundle back unchanged, from text, bytes or a value', () => {
    const text = formatEvidence(good);
    expect(parseEvidence(text)).toEqual(good);
    expect(parseEvidence(new TextEncoder().encode(text))).toEqual(good);
    expect(parseEvidence(JSON.parse(text))).toEqual(good);
  });

  it.each([
    ['empty text', ''],
    ['garbage', '{"format": "tamga-evidence/v1", '],
    ['a binary file', '\u0000\u0001PK'],
  ])('refuses %s as not JSON', (_, text) => {
    const e = thrown(() => parseEvidence(text));
    expect(e).toBeInstanceOf(FormatError);
    expect((e as FormatError).code).toBe('evidence.json');
    expect((e as FormatError).message).toMatch(/not valid JSON/);
  });

  it('refuses bytes that are not UTF-8', () => {
    expect((thrown(() => parseEvidence(Uint8Array.of(0x7b, 0xff, 0x7d))) as FormatError).code).toBe(
      'evidence.utf8',
    );
  });

  it.each([
    ['null', null],
    ['an array', []],
    ['a number', 5],
    ['a JSON string', '"tamga-evidence/v1"'],
  ])('refuses %s as not a bundle', (_, value) => {
    const e = thrown(() => parseEvidence(value));
    expect(e).toBeInstanceOf(FormatError);
    expect((e as FormatError).code).toBe('evidence.format');
  });

  it.each([
    [
      'a later version',
      'tamga-evidence/v2',
      /is "tamga-evidence\/v2"; this verifier reads tamga-evidence\/v1 only/,
    ],
    ['another format', 'in-toto/v1', /not a Tamga evidence bundle: its "format" is "in-toto\/v1"/],
    ['no format', undefined, /its "format" is missing/],
  ])('refuses %s with evidence.version', (_, format, message) => {
    const e = thrown(() => parseEvidence(edited((b) => set(b, ['format'], format))));
    expect(e).toBeInstanceOf(FormatError);
    expect((e as FormatError).code).toBe('evidence.version');
    expect((e as FormatError).message).toMatch(message);
  });

  const schemaCases: [string, (b: unknown) => void, string, RegExp][] = [
    ['a missing checkpoint', (b) => set(b, ['checkpoint'], undefined), 'checkpoint', /is missing/],
    ['an unknown field', (b) => set(b, ['signature'], 'x'), 'signature', /is not a field/],
    ['no records', (b) => set(b, ['records'], []), 'records', /at least 1 items/],
    ['a bad created time', (b) => set(b, ['created'], 'today'), 'created', /RFC 3339/],
    [
      'a malformed log key',
      (b) => set(b, ['log', 'verifierKey'], 'nope'),
      'log.verifierKey',
      /malformed verifier key/,
    ],
    [
      'a witness key as the log key',
      (b) => set(b, ['log', 'verifierKey'], witness.verifierKey),
      'log.verifierKey',
      /only Ed25519 \(0x01\)/,
    ],
    [
      'the log key as a witness',
      (b) => set(b, ['witnesses', 'verifierKeys', 1], log.verifierKey),
      'witnesses.verifierKeys[1]',
      /the log's own key/,
    ],
    [
      'a witness listed twice',
      (b) => set(b, ['witnesses', 'verifierKeys', 1], witness.verifierKey),
      'witnesses.verifierKeys[1]',
      /same public key as verifierKeys\[0\]/,
    ],
    [
      'an unreachable quorum',
      (b) => set(b, ['witnesses', 'quorum'], 2),
      'witnesses.quorum',
      /more than the 1 witnesses/,
    ],
    [
      'a negative quorum',
      (b) => set(b, ['witnesses', 'quorum'], -1),
      'witnesses.quorum',
      /at least 0/,
    ],
    [
      'a short salt',
      (b) => set(b, ['records', 0, 'salt'], 'AAAA'),
      'records[0].salt',
      /decodes to 3 bytes/,
    ],
    [
      'a salt not in base64',
      (b) => set(b, ['records', 0, 'salt'], '****'),
      'records[0].salt',
      /not valid base64/,
    ],
    [
      'a proof hash not in base64',
      (b) => set(b, ['records', 0, 'proof'], ['x']),
      'records[0].proof[0]',
      /not valid base64/,
    ],
    [
      'an overlong proof',
      (b) =>
        set(b, ['records', 0, 'proof'], new Array(65).fill(get(b, ['records', 0, 'commitment']))),
      'records[0].proof',
      /at most 64 items/,
    ],
    [
      'a fractional index',
      (b) => set(b, ['records', 0, 'index'], 0.5),
      'records[0].index',
      /integer/,
    ],
    [
      'a record that is not an object',
      (b) => set(b, ['records', 0, 'record'], 'x'),
      'records[0].record',
      /expected an object/,
    ],
    [
      'a record disclosed twice',
      (b) => set(b, ['records', 1], get(b, ['records', 0])),
      'records[1].index',
      /repeats log entry 0 of records\[0\]/,
    ],
    [
      'a file no record names',
      (b) => set(b, ['files', 0, 'sha256'], '0'.repeat(64)),
      'files[0].sha256',
      /not attached to any record/,
    ],
    [
      'a file path that climbs out',
      (b) => set(b, ['files', 0, 'path'], '../../etc/passwd'),
      'files[0].path',
      /"\.\."/,
    ],
    [
      'an absolute file path',
      (b) => set(b, ['files', 0, 'path'], '/etc/passwd'),
      'files[0].path',
      /absolute/,
    ],
    [
      'an empty file path',
      (b) => set(b, ['files', 0, 'path'], ''),
      'files[0].path',
      /must not be empty/,
    ],
  ];
  it.each(schemaCases)('refuses %s, naming the field', (_, edit, path, message) => {
    const e = thrown(() => parseEvidence(edited(edit)));
    expect(e).toBeInstanceOf(SchemaError);
    const err = e as SchemaError;
    expect(err.code).toBe('evidence.format');
    const issue = err.issues.find((i) => i.path === path);
    expect(issue, JSON.stringify(err.issues)).toBeDefined();
    expect(issue!.message).toMatch(message);
  });

  it(`refuses more than ${EVIDENCE_LIMITS.maxRecords} records before checking any`, () => {
    const value = edited((b) =>
      set(b, ['records'], new Array(EVIDENCE_LIMITS.maxRecords + 1).fill(0)),
    );
    const e = thrown(() => parseEvidence(value));
    expect(e).toBeInstanceOf(LimitError);
    expect((e as LimitError).code).toBe('evidence.too-many-records');
  });

  it('refuses text above 100 MiB before parsing it', () => {
    const huge = ' '.repeat(EVIDENCE_LIMITS.maxBundleBytes + 1);
    const e = thrown(() => parseEvidence(huge));
    expect(e).toBeInstanceOf(LimitError);
    expect((e as LimitError).code).toBe('evidence.too-large');
    const bytes = new Uint8Array(EVIDENCE_LIMITS.maxBundleBytes + 1);
    expect((thrown(() => parseEvidence(bytes)) as LimitError).code).toBe('evidence.too-large');
  });

  it('checks trusted keys as carefully as the bundle', () => {
    const e = thrown(() =>
      verifyEvidence(good, { trust: { witnesses: { quorum: 3, verifierKeys: [] } } }),
    );
    expect(e).toBeInstanceOf(SchemaError);
    expect((e as SchemaError).code).toBe('evidence.trust');
  });

  it('raises only TamgaErrors for arbitrary values in any field', () => {
    const oddValues: unknown[] = [null, 0, -1, 1e300, '', 'x', [], {}, [null], { a: 1 }, true];
    const paths: (string | number)[][] = [
      ['format'],
      ['created'],
      ['generator'],
      ['log'],
      ['log', 'origin'],
      ['log', 'verifierKey'],
      ['witnesses'],
      ['witnesses', 'quorum'],
      ['witnesses', 'verifierKeys'],
      ['checkpoint'],
      ['records'],
      ['records', 0],
      ['records', 0, 'index'],
      ['records', 0, 'commitment'],
      ['records', 0, 'proof'],
      ['records', 0, 'record'],
      ['records', 0, 'record', 'files'],
      ['files'],
      ['files', 0],
    ];
    for (const path of paths) {
      for (const odd of oddValues) {
        const value = edited((b) => set(b, path, odd));
        try {
          const v = verifyEvidence(value);
          expect(typeof v.ok).toBe('boolean');
        } catch (e) {
          expect(e, `${path.join('.')} = ${JSON.stringify(odd)}`).toBeInstanceOf(TamgaError);
        }
      }
    }
  });
});

describe('docs/evidence-bundle.md', () => {
  it('shows a bundle that verifies', () => {
    const doc = readFileSync(new URL('../../docs/evidence-bundle.md', import.meta.url), 'utf8');
    const example = /```json\n([\s\S]*?)\n```/.exec(doc)![1]!;
    const v = verifyEvidence(example);
    expect(v.problems).toEqual([]);
    expect(v.ok).toBe(true);
  });
});
