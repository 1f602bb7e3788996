/** Reading a vault: records by id, by index, by file hash, by filter, and their proofs. */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCheckpoint } from '../log/checkpoint.js';
import { verifyInclusion } from '../log/proof.js';
import { recordLeafHash } from '../records/commitment.js';
import type { DocumentRecord } from '../records/record.js';
import {
  getRecord,
  listRecords,
  proofStatus,
  type RecordFilter,
  recordsByFileHash,
} from './query.js';
import { sealPaths } from './seal.js';
import { Vault } from './vault.js';

let dir: string;
let vault: Vault;
/** Record id by file name. */
const ids = new Map<string, string>();

/** Seals `name` (with `data`) as if at `at`, with tags and meta. */
async function sealAt(
  name: string,
  data: string,
  at: string,
  extra: { tags?: string[]; meta?: Record<string, string> } = {},
) {
  const folder = join(dir, 'in');
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, name), data);
  const keys = await vault.unlock('pass');
  await sealPaths(vault, keys, [join(folder, name)], {
    author: 'test',
    now: () => new Date(at),
    ...extra,
  });
  const last = listRecords(vault).at(-1)!;
  ids.set(name, last.record.id);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tamga-query-'));
  vault = await Vault.init(join(dir, 'vault'), {
    origin: 'query.test.example/log',
    passphrase: 'pass',
    logN: 10,
  });
  await sealAt('january.pdf', 'jan', '2024-01-15T10:00:00Z', { tags: ['2024', 'взносы'] });
  await sealAt('feb-first.txt', 'feb1', '2024-02-01T00:00:00Z', { meta: { office: 'Ош' } });
  await sealAt('feb-last.txt', 'feb2', '2024-02-01T23:59:59Z', { tags: ['взносы'] });
  await sealAt('ОТЧЁТ 100%.txt', 'report', '2024-02-02T00:00:00Z');
  await sealAt('a_b.txt', 'same contents', '2024-03-01T00:00:00Z');
  await sealAt('axb.txt', 'same contents', '2024-03-01T00:00:01Z');
});

afterAll(() => {
  vault.close();
  rmSync(dir, { recursive: true, force: true });
});

const names = (filter: RecordFilter) =>
  listRecords(vault, filter).map((s) => (s.record as DocumentRecord).body.path);

describe('listRecords', () => {
  it('lists every record in log order', () => {
    expect(names({})).toEqual([
      'january.pdf',
      'feb-first.txt',
      'feb-last.txt',
      'ОТЧЁТ 100%.txt',
      'a_b.txt',
      'axb.txt',
    ]);
    expect(listRecords(vault).map((s) => s.index)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('filters by created time, both ends inclusive; a bare --to date includes its whole day', () => {
    expect(names({ from: '2024-02-01' })).toEqual([
      'feb-first.txt',
      'feb-last.txt',
      'ОТЧЁТ 100%.txt',
      'a_b.txt',
      'axb.txt',
    ]);
    expect(names({ to: '2024-02-01' })).toEqual(['january.pdf', 'feb-first.txt', 'feb-last.txt']);
    expect(names({ from: '2024-02-01T00:00:00Z', to: '2024-02-01T00:00:00Z' })).toEqual([
      'feb-first.txt',
    ]);
    expect(names({ from: '2024-02-01', to: '2024-02-01' })).toEqual([
      'feb-first.txt',
      'feb-last.txt',
    ]);
    expect(names({ from: '2025-01-01' })).toEqual([]);
  });

  it('finds text in paths and metadata whatever its case, Cyrillic included', () => {
    expect(names({ text: 'отчёт' })).toEqual(['ОТЧЁТ 100%.txt']);
    expect(names({ text: 'Отчёт 100' })).toEqual(['ОТЧЁТ 100%.txt']);
    expect(names({ text: 'ош' })).toEqual(['feb-first.txt']);
    expect(names({ text: 'JANUARY' })).toEqual(['january.pdf']);
  });

  it("treats LIKE's wildcards in the text as plain characters", () => {
    expect(names({ text: '%' })).toEqual(['ОТЧЁТ 100%.txt']);
    expect(names({ text: 'a_b' })).toEqual(['a_b.txt']);
    expect(names({ text: '\\' })).toEqual([]);
  });

  it('filters by kind, and pages with limit and offset', () => {
    expect(names({ kind: 'document' })).toHaveLength(6);
    expect(names({ kind: 'incident' })).toEqual([]);
    expect(names({ limit: 2, offset: 1 })).toEqual(['feb-first.txt', 'feb-last.txt']);
    expect(names({ kind: 'document', text: 'feb', limit: 1 })).toEqual(['feb-first.txt']);
  });

  // Regression test for a bug fixed after it was found by this test.
  it('filters by tag', () => {
    expect(names({ tag: 'взносы' })).toEqual(['january.pdf', 'feb-last.txt']);
    expect(names({ tag: '2024' })).toEqual(['january.pdf']);
  });

  // Regression test for a bug fixed after it was found by this test.
  it('matches text in names, paths, tags and metadata only, not in JSON keys', () => {
    expect(names({ text: 'mediaType' })).toEqual([]);
    expect(names({ text: 'sha256' })).toEqual([]);
    expect(names({ text: 'author' })).toEqual([]);
  });
});

describe('getRecord and recordsByFileHash', () => {
  it('finds a record by id (in any case) or by log index, else null', () => {
    const id = ids.get('feb-last.txt')!;
    expect(getRecord(vault, id)?.index).toBe(2);
    expect(getRecord(vault, id.toLowerCase())?.record.id).toBe(id);
    expect(getRecord(vault, '2')?.record.id).toBe(id);
    expect(getRecord(vault, '99')).toBeNull();
    expect(getRecord(vault, '01ARZ3NDEKTSV4RRFFQ69G5FAV')).toBeNull();
    const stored = getRecord(vault, id)!;
    expect(stored.salt).toHaveLength(32);
    expect(stored.commitment).toHaveLength(32);
  });

  it('finds every record of a file hash, oldest first', () => {
    const hash = createHash('sha256').update('same contents').digest('hex');
    expect(recordsByFileHash(vault, hash).map((s) => s.record.id)).toEqual([
      ids.get('a_b.txt'),
      ids.get('axb.txt'),
    ]);
    expect(recordsByFileHash(vault, '0'.repeat(64))).toEqual([]);
  });
});

describe('proofStatus', () => {
  it('proves each record in the latest checkpoint, with a proof that verifies on its own', () => {
    for (const stored of listRecords(vault)) {
      const status = proofStatus(vault, stored);
      expect(status.verified).toBe(true);
      expect(status.checkpoint?.size).toBe(6);
      expect(status.witnesses).toEqual([]);
      const { checkpoint } = openCheckpoint(status.checkpoint!.note, vault.logVerifier());
      expect(() =>
        verifyInclusion(
          stored.index,
          6,
          recordLeafHash(stored.commitment),
          status.proof,
          checkpoint.root,
        ),
      ).not.toThrow();
    }
  });
});
