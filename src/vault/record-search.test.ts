/**
 * Searching a vault as a treasurer does: word forms of Russian and Kyrgyz, tags in any case,
 * metadata by key=value and by its words, activity left out of document lists, the index kept in
 * step with every append and built once for a vault that lacks it.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newRecordId } from '../records/id.js';
import { parseRecordCanonical, type TamgaRecord } from '../records/record.js';
import { sealedEntry } from './entry.js';
import type { VaultKeys } from './keys.js';
import { listRecords } from './query.js';
import { type RecordSearch, searchRecords } from './record-search.js';
import { indexedSize } from './search/text-index.js';
import { Vault } from './vault.js';

let dir: string;
let vault: Vault;
let keys: VaultKeys;
let clock = Date.parse('2024-01-01T00:00:00Z');

/** Appends `records` as one batch, as every sealing path does (through the sequencer). */
function append(...records: Array<Omit<TamgaRecord, 'id' | 'created' | 'author' | 'refs'>>) {
  vault.sequencer(keys).append(
    records.map((r) => {
      clock += 1000;
      const created = new Date(clock);
      const record = {
        ...r,
        id: newRecordId(created.getTime(), randomBytes(10)),
        created: `${created.toISOString().slice(0, 19)}Z`,
        author: 'treasurer',
        refs: [],
      } as TamgaRecord;
      return sealedEntry(record, parseRecordCanonical(record).canonical);
    }),
  );
}

const document = (
  path: string,
  extra: { tags?: string[]; meta?: Record<string, string> } = {},
): Omit<TamgaRecord, 'id' | 'created' | 'author' | 'refs'> =>
  ({
    kind: 'document',
    body: { path, tags: extra.tags ?? [], meta: extra.meta ?? {} },
    files: [],
  }) as Omit<TamgaRecord, 'id' | 'created' | 'author' | 'refs'>;

const paths = (search: Omit<RecordSearch, 'limit' | 'offset'>) =>
  searchRecords(vault, { limit: 1000, offset: 0, order: 'log', ...search }).items.map((i) =>
    i.record.kind === 'document' ? i.record.body.path : `${i.record.kind}`,
  );

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tamga-search-'));
  vault = await Vault.init(join(dir, 'vault'), {
    origin: 'search.test.example/log',
    passphrase: 'pass',
    logN: 10,
  });
  keys = await vault.unlock('pass');
  // Thirty scans named with взносов, as a treasurer's folder holds them.
  append(
    ...Array.from({ length: 30 }, (_, i) =>
      document(`2016/Ведомость взносов ${String(i + 1).padStart(2, '0')}.pdf`, { tags: ['Архив'] }),
    ),
  );
  append(
    document('2016/Протокол профсоюза.pdf', { meta: { коробка: '12' } }),
    document('2016/Письмо профсоюзу.pdf', { meta: { коробка: '120' } }),
    document('2017/мүчөлүктөрдүн тизмеси.pdf', { tags: ['мүчөлүк'] }),
    document('2017/Акт, отчет.pdf', { meta: { Office: 'Бишкек центр' } }),
    {
      kind: 'activity',
      body: { action: 'records.seal', actor: 'treasurer', details: 'взносы, 30 файлов' },
      files: [],
    } as Omit<TamgaRecord, 'id' | 'created' | 'author' | 'refs'>,
  );
});

afterAll(() => {
  vault.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('finding documents by words', () => {
  it('finds every form of a Russian word: взносы finds the 30 files named …взносов…', () => {
    for (const q of ['взносы', 'Взносам', 'взносами', 'ВЗНОС']) {
      expect([q, paths({ text: q, kind: 'document' }).length]).toEqual([q, 30]);
    }
    expect(paths({ text: 'профсоюз' })).toEqual([
      '2016/Протокол профсоюза.pdf',
      '2016/Письмо профсоюзу.pdf',
    ]);
  });

  it('finds Kyrgyz word forms: мүчөлүк and мүчөлүктүн find мүчөлүктөрдүн', () => {
    for (const q of ['мүчөлүк', 'мүчөлүктүн', 'МҮЧӨЛҮКТӨР']) {
      expect([q, paths({ text: q })]).toEqual([q, ['2017/мүчөлүктөрдүн тизмеси.pdf']]);
    }
  });

  it('treats ё as е only through the stems: отчёт finds отчет', () => {
    expect(paths({ text: 'отчёт' })).toEqual(['2017/Акт, отчет.pdf']);
  });

  it('needs every word, and finds the beginning of a word as typed', () => {
    expect(paths({ text: 'ведомость 07' })).toEqual(['2016/Ведомость взносов 07.pdf']);
    expect(paths({ text: 'ведом 0' })).toHaveLength(9);
    expect(paths({ text: 'взносы протокол' })).toEqual([]);
  });
});

describe('tags and metadata', () => {
  it('compares tags in any case, Cyrillic and Kyrgyz included', () => {
    for (const tag of ['архив', 'Архив', 'АРХИВ']) expect(paths({ tag })).toHaveLength(30);
    expect(paths({ tag: 'МҮЧӨЛҮК' })).toEqual(['2017/мүчөлүктөрдүн тизмеси.pdf']);
  });

  it('finds a metadata entry by key=value, whole and in any case', () => {
    expect(paths({ text: 'коробка=12' })).toEqual(['2016/Протокол профсоюза.pdf']);
    expect(paths({ text: 'КОРОБКА=120' })).toEqual(['2016/Письмо профсоюзу.pdf']);
    expect(paths({ text: 'коробка=1' })).toEqual([]);
    expect(paths({ text: '"office=бишкек центр"' })).toEqual(['2017/Акт, отчет.pdf']);
  });

  it('finds metadata by the words of its value', () => {
    expect(paths({ text: 'бишкек' })).toEqual(['2017/Акт, отчет.pdf']);
    expect(paths({ text: 'коробка 12' })).toEqual([
      '2016/Протокол профсоюза.pdf',
      '2016/Письмо профсоюзу.pdf',
    ]);
  });
});

describe('activity records', () => {
  it('are left out of a listing unless asked for by kind', () => {
    expect(paths({ text: 'взносы' })).toHaveLength(30);
    expect(paths({})).not.toContain('activity');
    expect(paths({ kind: 'activity' })).toEqual(['activity']);
    expect(paths({ kind: 'activity', text: 'взносы' })).toEqual(['activity']);
    // listRecords lists every kind.
    expect(listRecords(vault, { text: 'взносы' })).toHaveLength(31);
  });
});

describe('the index', () => {
  it('is kept in step with every append', () => {
    const before = indexedSize(vault.db);
    append(document('2018/новые взносы.pdf'));
    expect(indexedSize(vault.db)).toBe(before + 1);
    expect(paths({ text: 'взнос новые' })).toEqual(['2018/новые взносы.pdf']);
  });

  it('is built once for a vault that lacks it, also one opened read-only', async () => {
    const file = join(dir, 'vault', 'vault.db');
    vault.close();
    const raw = new Database(file);
    raw.exec(
      "DELETE FROM record_text; DELETE FROM record_tags; DELETE FROM meta WHERE key = 'searchIndexSize'",
    );
    raw.close();
    vault = await Vault.open(join(dir, 'vault'), { readonly: true });
    expect(indexedSize(vault.db)).toBe(0);
    expect(paths({ text: 'взносы', tag: 'АРХИВ' })).toHaveLength(30);
    expect(indexedSize(vault.db)).toBe(36);
    vault.close();
    vault = await Vault.open(join(dir, 'vault'));
    keys = await vault.unlock('pass');
  });
});
