/**
 * The record list as a treasurer searches it in the web app (GET /api/records, through Fastify's
 * inject): Russian and Kyrgyz word forms, tags in any case, metadata by key=value and by its
 * words, activity records apart unless asked for; and the date a document bears, from the upload
 * to the list and the record, beside the time its seal proves; and a changed file sealed at the
 * same path, answered as a new version of the earlier record.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordListResponse, RecordResponse } from '../../src/server/app/api.js';
import { ROUTES } from '../../src/server/app/api.js';
import { flushActivity } from '../../src/server/app/index.js';
import { type Caller, call, setUpApp, type TestApp, uploadAndSeal } from './helpers.js';

let t: TestApp;
let treasurer: Caller;

const list = async (query: string): Promise<RecordListResponse> => {
  const res = await call(t.app, t.users.viewer, 'GET', `${ROUTES.records}?${query}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as RecordListResponse;
};
const titles = async (query: string) => (await list(query)).items.map((i) => i.title).sort();

beforeAll(async () => {
  t = await setUpApp();
  treasurer = t.users.treasurer;
  for (let i = 1; i <= 30; i++) {
    await uploadAndSeal(
      t.app,
      treasurer,
      `2016/Ведомость взносов ${String(i).padStart(2, '0')}.pdf`,
      Buffer.from(`ведомость ${i}`),
      { tags: ['Архив'] },
    );
  }
  await uploadAndSeal(t.app, treasurer, 'коробки/Протокол.pdf', Buffer.from('a'), {
    meta: { коробка: '12' },
  });
  await uploadAndSeal(t.app, treasurer, 'коробки/Письмо.pdf', Buffer.from('b'), {
    meta: { коробка: '120' },
  });
  await uploadAndSeal(t.app, treasurer, 'ky/мүчөлүктөрдүн тизмеси.pdf', Buffer.from('c'));
  // The activity log: "records.seal" by the treasurer, sealed as activity records.
  await flushActivity(t.app);
});

afterAll(async () => {
  await t.close();
});

describe('searching the record list', () => {
  it('finds every form of a word: взносы finds the 30 files named …взносов…', async () => {
    for (const text of ['взносы', 'ВЗНОСАМИ', 'взнос']) {
      const page = await list(`text=${encodeURIComponent(text)}&limit=10`);
      expect([text, page.total, page.items.length]).toEqual([text, 30, 10]);
    }
    expect(await titles(`text=${encodeURIComponent('мүчөлүктүн')}`)).toEqual([
      'ky/мүчөлүктөрдүн тизмеси.pdf',
    ]);
  });

  it('compares tags in any case', async () => {
    for (const tag of ['Архив', 'архив', 'АРХИВ']) {
      expect((await list(`tag=${encodeURIComponent(tag)}`)).total).toBe(30);
    }
  });

  it('finds metadata by key=value, whole, and by the words of its value', async () => {
    expect(await titles(`text=${encodeURIComponent('коробка=12')}`)).toEqual([
      'коробки/Протокол.pdf',
    ]);
    expect(await titles(`text=${encodeURIComponent('Коробка=120')}`)).toEqual([
      'коробки/Письмо.pdf',
    ]);
    expect(await titles('text=120')).toEqual(['коробки/Письмо.pdf']);
  });

  it('leaves activity records out of the list unless their kind is asked for', async () => {
    const activity = await list('kind=activity');
    expect(activity.total).toBeGreaterThan(0);
    const all = await list('limit=500');
    expect(all.items.some((i) => i.kind === 'activity')).toBe(false);
    expect(all.total).toBe(33);
  });
});

describe('the date a document bears', () => {
  it('is sealed from the upload, listed and shown beside the proven time', async () => {
    const sealed = await uploadAndSeal(
      t.app,
      treasurer,
      'scans/ведомость март.pdf',
      Buffer.from('dated'),
      { documentDate: '2016-03-12' },
    );
    const rec = (
      await call(t.app, t.users.viewer, 'GET', `/api/records/${sealed.recordId}`)
    ).json() as RecordResponse;
    expect(rec.record.body).toMatchObject({ documentDate: '2016-03-12' });
    // The record's own time is still the vault's, not the document's.
    expect(rec.record.created.startsWith('2016')).toBe(false);
    const page = await list(`text=${encodeURIComponent('ведомость март')}`);
    expect(page.items.map((i) => i.documentDate)).toEqual(['2016-03-12']);
    expect((await list('text=2016&limit=1')).items[0]!.documentDate).toBe('2016-03-12');
    // Records without one say so.
    expect((await list('tag=архив&limit=1')).items[0]!.documentDate).toBeNull();
  });

  it('is refused unless it is a date, a month or a year', async () => {
    for (const documentDate of ['12.03.2016', '2016-02-30', 'March']) {
      const res = await call(t.app, treasurer, 'POST', ROUTES.uploads, {
        path: 'bad-date.pdf',
        size: 1,
        documentDate,
      });
      expect([documentDate, res.statusCode]).toEqual([documentDate, 400]);
    }
  });
});

describe('a changed file sealed again at the same path', () => {
  it('is sealed as a new record that names the earlier one, and the answer says so', async () => {
    const first = await uploadAndSeal(t.app, treasurer, 'minutes/april.txt', Buffer.from('v1'));
    expect(first.supersedes).toBeUndefined();
    const second = await uploadAndSeal(t.app, treasurer, 'minutes/april.txt', Buffer.from('v2'));
    expect(second).toMatchObject({ status: 'sealed', supersedes: first.recordId });
    const rec = (
      await call(t.app, t.users.viewer, 'GET', `/api/records/${second.recordId}`)
    ).json() as RecordResponse;
    expect(rec.record.refs).toEqual([first.recordId]);
  });
});
