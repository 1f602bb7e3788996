/**
 * Sealing through the browser path and reading back: uploads (limits, resuming after a dropped
 * connection, odd names), the record list and page, file downloads, verify by hash, evidence
 * ZIPs that verify offline, and the activity log sealed into the log.
 */

import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bundleFingerprint,
  parseEvidence,
  verifyEvidence,
  verifyTlogProof,
} from '../../src/evidence/index.js';
import {
  CSRF_HEADER,
  type RecordListResponse,
  type RecordResponse,
  ROUTES,
  type UploadStatus,
  type VerifyResponse,
} from '../../src/server/app/api.js';
import { flushActivity } from '../../src/server/app/index.js';
import { type Caller, call, setUpApp, type TestApp, uploadAndSeal } from './helpers.js';
import { checkWithTamgasCheckers } from './zip-check.js';
import { readZip } from './zip-reader.js';

let t: TestApp;
let treasurer: Caller;

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

beforeAll(async () => {
  t = await setUpApp({ maxUploadBytes: 1024 * 1024 });
  treasurer = t.users.treasurer;
});

afterAll(async () => {
  await t.close();
});

describe('uploads', () => {
  it('seals an uploaded file as a document record whose file hash is the file’s', async () => {
    const data = randomBytes(200_000);
    const sealed = await uploadAndSeal(t.app, treasurer, 'minutes/2024/march.pdf', data, {
      tags: ['minutes'],
      meta: { box: '12' },
      sha256: sha(data),
    });
    expect(sealed).toMatchObject({ status: 'sealed', sha256: sha(data), size: data.length });
    const r = await call(t.app, t.users.viewer, 'GET', `/api/records/${sealed.recordId}`);
    expect(r.statusCode).toBe(200);
    const rec = r.json() as RecordResponse;
    expect(rec.record).toMatchObject({
      kind: 'document',
      author: 'treasurer',
      body: { path: 'minutes/2024/march.pdf', tags: ['minutes'], meta: { box: '12' } },
      files: [
        { sha256: sha(data), size: data.length, name: 'march.pdf', mediaType: 'application/pdf' },
      ],
    });
    expect(rec.proof.verified).toBe(true);
    expect(rec.proof.checkpoint?.size).toBeGreaterThan(rec.index);

    const file = await call(
      t.app,
      t.users.viewer,
      'GET',
      `/api/records/${sealed.recordId}/files/${sha(data)}`,
    );
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toBe('application/pdf');
    expect(file.headers['content-disposition']).toMatch(/^inline; filename="march.pdf"/);
    expect(sha(file.rawPayload)).toBe(sha(data));
    const dl = await call(
      t.app,
      t.users.viewer,
      'GET',
      `/api/records/${sealed.recordId}/files/${sha(data)}?download=1`,
    );
    expect(dl.headers['content-disposition']).toMatch(/^attachment;/);
    expect(dl.headers['content-type']).toBe('application/octet-stream');

    // The same path with the same contents: nothing to upload.
    const again = await call(t.app, treasurer, 'POST', ROUTES.uploads, {
      path: 'minutes/2024/march.pdf',
      size: data.length,
      sha256: sha(data),
    });
    expect(again.json()).toMatchObject({ status: 'unchanged', recordId: sealed.recordId });
  });

  it('keeps no plaintext on disk while uploading, and nothing after a cancel', async () => {
    const data = Buffer.from('a secret line that must not be written in the clear\n'.repeat(100));
    const c = (
      await call(t.app, treasurer, 'POST', ROUTES.uploads, {
        path: 'secret.txt',
        size: data.length,
      })
    ).json() as UploadStatus;
    await call(t.app, treasurer, 'PUT', `/api/uploads/${c.id}`, data.subarray(0, 2000), {
      'upload-offset': '0',
    });
    const tmp = join(t.dir, 'blobs', 'tmp');
    const names = await readdir(tmp);
    expect(names.length).toBe(1);
    const { readFile } = await import('node:fs/promises');
    const bytes = await readFile(join(tmp, names[0]!));
    expect(bytes.includes(Buffer.from('a secret line'))).toBe(false);
    expect(bytes.subarray(0, 21).toString()).toBe('age-encryption.org/v1');
    expect((await call(t.app, treasurer, 'DELETE', `/api/uploads/${c.id}`)).statusCode).toBe(200);
    expect(await readdir(tmp)).toEqual([]);
  });

  it('refuses files over the size bound (413) and more bytes than announced (413)', async () => {
    const big = await call(t.app, treasurer, 'POST', ROUTES.uploads, {
      path: 'big.bin',
      size: 1024 * 1024 + 1,
    });
    expect(big.statusCode).toBe(413);
    expect(big.json()).toMatchObject({ key: 'upload.too-large' });
    const c = (
      await call(t.app, treasurer, 'POST', ROUTES.uploads, { path: 'small.bin', size: 10 })
    ).json() as UploadStatus;
    const over = await call(t.app, treasurer, 'PUT', `/api/uploads/${c.id}`, randomBytes(11), {
      'upload-offset': '0',
    });
    expect(over.statusCode).toBe(413);
    expect(over.json()).toMatchObject({ key: 'upload.overflow' });
    // The upload is gone, and nothing was sealed or left behind.
    const gone = await call(t.app, treasurer, 'POST', `/api/uploads/${c.id}/seal`);
    expect(gone.statusCode).toBe(404);
    expect(await readdir(join(t.dir, 'blobs', 'tmp'))).toEqual([]);
  });

  it('refuses a piece at the wrong offset with 409 and the offset held; seals only when whole', async () => {
    const data = randomBytes(1000);
    const c = (
      await call(t.app, treasurer, 'POST', ROUTES.uploads, { path: 'pieces.bin', size: 1000 })
    ).json() as UploadStatus;
    const first = await call(
      t.app,
      treasurer,
      'PUT',
      `/api/uploads/${c.id}`,
      data.subarray(0, 400),
      {
        'upload-offset': '0',
      },
    );
    expect(first.json()).toMatchObject({ offset: 400 });
    const wrong = await call(t.app, treasurer, 'PUT', `/api/uploads/${c.id}`, data.subarray(500), {
      'upload-offset': '500',
    });
    expect(wrong.statusCode).toBe(409);
    expect(wrong.json()).toMatchObject({ key: 'upload.offset', params: { offset: 400 } });
    const early = await call(t.app, treasurer, 'POST', `/api/uploads/${c.id}/seal`);
    expect(early.statusCode).toBe(409);
    expect(early.json()).toMatchObject({ key: 'upload.incomplete' });
    await call(t.app, treasurer, 'PUT', `/api/uploads/${c.id}`, data.subarray(400), {
      'upload-offset': '400',
    });
    const sealed = await call(t.app, treasurer, 'POST', `/api/uploads/${c.id}/seal`);
    expect(sealed.json()).toMatchObject({ status: 'sealed', sha256: sha(data) });
  });

  it('refuses contents that do not hash to the SHA-256 announced, sealing nothing', async () => {
    const res = await call(t.app, treasurer, 'POST', ROUTES.uploads, {
      path: 'liar.bin',
      size: 3,
      sha256: sha(Buffer.from('abc')),
    });
    const c = res.json() as UploadStatus;
    await call(t.app, treasurer, 'PUT', `/api/uploads/${c.id}`, Buffer.from('abd'), {
      'upload-offset': '0',
    });
    const seal = await call(t.app, treasurer, 'POST', `/api/uploads/${c.id}/seal`);
    expect(seal.statusCode).toBe(400);
    expect(seal.json()).toMatchObject({ key: 'upload.hash-mismatch' });
    const list = (
      await call(t.app, treasurer, 'GET', `${ROUTES.records}?text=liar`)
    ).json() as RecordListResponse;
    expect(list.total).toBe(0);
  });

  it('resumes after the connection drops part way, then seals the whole file', async () => {
    const data = randomBytes(600_000);
    const c = (
      await call(t.app, treasurer, 'POST', ROUTES.uploads, {
        path: 'scans/dropped.tif',
        size: data.length,
        sha256: sha(data),
      })
    ).json() as UploadStatus;
    const url = await t.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = new URL(url);
    // Announce the whole file, send a third of it, and cut the connection.
    await new Promise<void>((resolve) => {
      const req = httpRequest({
        host: '127.0.0.1',
        port: Number(port),
        method: 'PUT',
        path: `/api/uploads/${c.id}`,
        headers: {
          cookie: treasurer.cookie,
          [CSRF_HEADER]: treasurer.csrf,
          'content-type': 'application/octet-stream',
          'content-length': String(data.length),
          'upload-offset': '0',
        },
      });
      req.on('error', () => resolve());
      req.write(data.subarray(0, 200_000), () => {
        setTimeout(() => {
          req.destroy();
          resolve();
        }, 100);
      });
    });
    let status: UploadStatus | null = null;
    for (let i = 0; i < 50; i++) {
      const s = await call(t.app, treasurer, 'GET', `/api/uploads/${c.id}`);
      if (s.statusCode === 200) {
        status = s.json() as UploadStatus;
        if (status.offset > 0) break;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(status?.offset).toBeGreaterThan(0);
    expect(status!.offset).toBeLessThanOrEqual(200_000);
    const rest = await call(
      t.app,
      treasurer,
      'PUT',
      `/api/uploads/${c.id}`,
      data.subarray(status!.offset),
      { 'upload-offset': String(status!.offset) },
    );
    expect(rest.json()).toMatchObject({ offset: data.length });
    const sealed = await call(t.app, treasurer, 'POST', `/api/uploads/${c.id}/seal`);
    expect(sealed.json()).toMatchObject({ status: 'sealed', sha256: sha(data), size: data.length });
  });

  it('cleans names with path separators, dot names, drive letters and control characters', async () => {
    const cases: Array<[string, string]> = [
      ['..\\..\\etc/passwd', 'etc/passwd'],
      ['C:\\Users\\union\\ledger.xlsx', 'Users/union/ledger.xlsx'],
      ['./a/./b/../c.txt', 'a/b/c.txt'],
      ['bad\u0001name\u007f.txt', 'bad\uFFFDname\uFFFD.txt'],
      ['lone\uD800surrogate.txt', 'lone\uFFFDsurrogate.txt'],
      ['/', 'file'],
      ['взносы/2019.csv', 'взносы/2019.csv'],
    ];
    for (const [given, expected] of cases) {
      const data = Buffer.from(`contents of ${given}`);
      const sealed = await uploadAndSeal(t.app, treasurer, given, data);
      const rec = (
        await call(t.app, treasurer, 'GET', `/api/records/${sealed.recordId}`)
      ).json() as RecordResponse;
      expect([given, rec.record.body.path]).toEqual([given, expected]);
      const meta = rec.record.body.meta as Record<string, string>;
      if (expected !== given.replace(/\\/g, '/')) {
        expect(Buffer.from(meta['tamga:rawPath']!, 'base64').toString('utf8')).toBe(
          given.replace(/\uD800/, '\uFFFD'),
        );
      }
    }
  });

  it('shares one batch and one checkpoint among seals that finish together', async () => {
    const files = Array.from({ length: 20 }, (_, i) => Buffer.from(`batch file ${i}`));
    const results = await Promise.all(
      files.map((f, i) => uploadAndSeal(t.app, treasurer, `batch/${i}.txt`, f)),
    );
    const indexes = results.map((r) => r.index).sort((a, b) => a - b);
    expect(new Set(indexes).size).toBe(20);
    const cps = new Set<number>();
    for (const r of results) {
      const rec = (
        await call(t.app, treasurer, 'GET', `/api/records/${r.recordId}`)
      ).json() as RecordResponse;
      cps.add(rec.proof.checkpoint!.size);
    }
    expect(cps.size).toBeLessThan(5);
  });
});

describe('the record list', () => {
  it('filters by kind, tag, text and date, pages newest first, and counts every match', async () => {
    for (let i = 0; i < 12; i++) {
      await uploadAndSeal(t.app, treasurer, `list/receipt-${i}.txt`, Buffer.from(`r${i}`), {
        tags: i % 2 ? ['odd'] : ['even'],
      });
    }
    const page = (
      await call(t.app, t.users.viewer, 'GET', `${ROUTES.records}?tag=odd&limit=4&offset=0`)
    ).json() as RecordListResponse;
    expect(page.total).toBe(6);
    expect(page.items.length).toBe(4);
    expect(page.items[0]!.title).toBe('list/receipt-11.txt');
    expect(page.items[0]!.index).toBeGreaterThan(page.items[1]!.index);
    const next = (
      await call(t.app, t.users.viewer, 'GET', `${ROUTES.records}?tag=odd&limit=4&offset=4`)
    ).json() as RecordListResponse;
    expect(next.items.map((i) => i.title)).toEqual(['list/receipt-3.txt', 'list/receipt-1.txt']);
    const text = (
      await call(t.app, t.users.viewer, 'GET', `${ROUTES.records}?text=RECEIPT-1&kind=document`)
    ).json() as RecordListResponse;
    expect(text.total).toBe(3); // receipt-1, -10, -11: case-folded
    const future = (
      await call(t.app, t.users.viewer, 'GET', `${ROUTES.records}?from=2999-01-01`)
    ).json() as RecordListResponse;
    expect(future.total).toBe(0);
    const bad = await call(t.app, t.users.viewer, 'GET', `${ROUTES.records}?limit=100000`);
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ key: 'request.invalid' });
  });
});

describe('verify by hash', () => {
  it('says sealed (with the record and proof), or not found with the closest name', async () => {
    const original = Buffer.from('Protocol of the general meeting, 12 March 2024. Dues: 1200.');
    const tampered = Buffer.from('Protocol of the general meeting, 12 March 2024. Dues: 9200.');
    const sealed = await uploadAndSeal(t.app, treasurer, 'protocols/meeting-2024-03.txt', original);
    const res = await call(t.app, t.users.auditor, 'POST', ROUTES.verify, {
      files: [
        { name: 'meeting-2024-03.txt', sha256: sha(original), size: original.length },
        { name: 'meeting-2024-03.txt', sha256: sha(tampered), size: tampered.length },
        { name: 'holiday.jpg', sha256: sha(Buffer.from('x')), size: 1 },
      ],
    });
    expect(res.statusCode).toBe(200);
    const [good, bad, unknown] = (res.json() as VerifyResponse).results;
    expect(good).toMatchObject({
      verdict: 'sealed',
      records: [
        {
          recordId: sealed.recordId,
          kind: 'document',
          path: 'protocols/meeting-2024-03.txt',
          witnessed: false,
          provenNoLaterThan: null,
        },
      ],
    });
    expect(bad).toMatchObject({
      verdict: 'not-found',
      closest: { recordId: sealed.recordId, name: 'meeting-2024-03.txt', sha256: sha(original) },
    });
    expect(unknown).toMatchObject({ verdict: 'not-found', closest: null });
  });
});

describe('evidence', () => {
  it('downloads a ZIP with evidence.json, the files and a README, that verifies offline', async () => {
    const a = Buffer.from('invoice 17, paid in cash');
    const b = randomBytes(70_000);
    const ra = await uploadAndSeal(t.app, treasurer, 'evidence/invoice-17.txt', a);
    const rb = await uploadAndSeal(t.app, treasurer, 'evidence/scan.png', b);
    const res = await call(t.app, t.users.auditor, 'POST', ROUTES.evidence, {
      records: [ra.recordId, rb.recordId],
      withFiles: true,
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/zip');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="evidence-/);
    const entries = readZip(res.rawPayload);
    // Each file named by the start of its digest and the name it was sealed under.
    const fileA = `files/${sha(a).slice(0, 16)}-invoice-17.txt`;
    const fileB = `files/${sha(b).slice(0, 16)}-scan.png`;
    expect([...entries.keys()].sort()).toEqual(
      [
        'README.txt',
        'evidence.json',
        fileA,
        fileB,
        `proofs/${ra.recordId}.tlog-proof`,
        `proofs/${rb.recordId}.tlog-proof`,
      ].sort(),
    );
    // Each record's proof alone, as a C2SP tlog-proof file, verifies under the bundle's keys.
    const bundle = parseEvidence(entries.get('evidence.json')!);
    // The README says to check it against the union's published statement, never without one,
    // and gives the bundle's fingerprint only to compare; the bundle carries no statement.
    const readme = entries.get('README.txt')!.toString('utf8');
    expect(readme).toContain('tamga check-evidence --trust trust.txt evidence.json files/*');
    expect(readme).toContain(bundleFingerprint(bundle)!);
    expect(readme).not.toMatch(/tamga check-evidence (?!--trust)/);
    for (const id of [ra.recordId, rb.recordId]) {
      const proven = verifyTlogProof(entries.get(`proofs/${id}.tlog-proof`)!, bundle);
      expect(proven.record.id).toBe(id);
    }
    expect(bundle.files).toEqual([
      { sha256: sha(a), path: fileA },
      { sha256: sha(b), path: fileB },
    ]);
    expect(entries.get(fileA)!.equals(a)).toBe(true);
    expect(entries.get(fileB)!.equals(b)).toBe(true);
    const files = new Map([
      [sha(a), { sha256: sha(a), size: a.length }],
      [sha(b), { sha256: sha(b), size: b.length }],
    ]);
    const verdict = verifyEvidence(entries.get('evidence.json')!, { files });
    expect(verdict.ok).toBe(true);
    expect(verdict.records.map((r) => r.ok)).toEqual([true, true]);
    expect(verdict.records.flatMap((r) => r.files.map((f) => f.status))).toEqual([
      'match',
      'match',
    ]);
    // A tampered file beside the bundle does not match.
    const forged = verifyEvidence(entries.get('evidence.json')!, {
      files: new Map([[sha(a), { sha256: sha(Buffer.from('forged')), size: a.length }]]),
    });
    expect(forged.ok).toBe(false);

    // Tamga's own offline checkers verify it as it is, every entry accounted for.
    const both = await checkWithTamgasCheckers(res.rawPayload, 'evidence.zip');
    expect(both.page.given.map((g) => [g.path, g.status])).toEqual([
      [`evidence/${fileA}`, 'disclosed'],
      [`evidence/${fileB}`, 'disclosed'],
    ]);
    expect(both.page.status).toBe('verified');
    expect(both.cli.outcome, both.printed.join('\n')).toBe('verified');
    expect(both.cli.unmatchedFiles).toEqual([]);
    expect(both.cli.given.map((g) => g.status)).toEqual(['disclosed', 'disclosed']);
    expect(both.printed[0]).toMatch(/^VERIFIED: 2 record\(s\) proven/);

    // Debian's unzip agrees (a cross-check of the reader above); CI installs it (.ci/run).
    const unzip = spawnSync('unzip', ['-v'], { encoding: 'utf8' });
    if (unzip.status !== 0 && process.env.CI === 'true') {
      throw new Error('unzip is not installed: .ci/run installs the Debian package unzip');
    }
    if (unzip.status === 0) {
      const dir = await mkdtemp(join(tmpdir(), 'tamga-zip-'));
      try {
        await writeFile(join(dir, 'e.zip'), res.rawPayload);
        const test = spawnSync('unzip', ['-t', join(dir, 'e.zip')], { encoding: 'utf8' });
        expect(test.stdout).toMatch(/No errors detected/);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }
  });

  it('answers 404 for a record that does not exist', async () => {
    const res = await call(t.app, t.users.auditor, 'POST', ROUTES.evidence, {
      records: ['01ARZ3NDEKTSV4RRFFQ69G5FAV'],
    });
    expect(res.statusCode).toBe(404);
  });
});

describe('the activity log', () => {
  it('is sealed into the log as activity records', async () => {
    await flushActivity(t.app);
    const activity = (
      await call(t.app, t.users.auditor, 'GET', `${ROUTES.activity}?limit=500`)
    ).json() as {
      total: number;
      items: Array<{ action: string; actor: string; recordId: string | null }>;
    };
    const actions = new Set(activity.items.map((i) => i.action));
    for (const a of [
      'vault.setup',
      'user.create',
      'user.login',
      'records.seal',
      'evidence.export',
    ]) {
      expect([a, actions.has(a)]).toEqual([a, true]);
    }
    expect(activity.items.every((i) => i.recordId !== null)).toBe(true);
    const seal = activity.items.find((i) => i.action === 'records.seal')!;
    const rec = (
      await call(t.app, t.users.auditor, 'GET', `/api/records/${seal.recordId}`)
    ).json() as RecordResponse;
    expect(rec.record).toMatchObject({
      kind: 'activity',
      author: 'treasurer',
      body: { action: 'records.seal', actor: 'treasurer' },
    });
    expect(rec.proof.verified).toBe(true);
    const list = (
      await call(t.app, t.users.viewer, 'GET', `${ROUTES.records}?kind=activity`)
    ).json() as RecordListResponse;
    expect(list.total).toBe(activity.total);
  });
});
