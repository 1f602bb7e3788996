/**
 * Reading the vault: the dashboard, the record list, a record with its proof, a record's file
 * (decrypted as it streams), and verifying files by their hashes.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Transform } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { encodeBase64 } from '../../log/encoding.js';
import { listMirrorTokens } from '../../mirror/tokens.js';
import type { TamgaRecord } from '../../records/record.js';
import { decryptStream } from '../../vault/age/index.js';
import { blobPath } from '../../vault/layout.js';
import {
  type FileProof,
  fileProver,
  type IndexDamage,
  type IndexDamageKind,
} from '../../vault/prove-file.js';
import { getRecord, type ProofStatus, proofChecker, type StoredRecord } from '../../vault/query.js';
import {
  closestByName,
  countByKind,
  type ListedRecord,
  readRecords,
  searchRecordIndexes,
} from '../../vault/record-search.js';
import type { Vault } from '../../vault/vault.js';
import { listAlarms, listWitnesses, quorum, type WitnessEntry } from '../../vault/witnesses.js';
import {
  type DashboardResponse,
  MAX_VERIFY_DAMAGE,
  type Notice,
  type ProofView,
  type RecordResponse,
  type RecordSummary,
  ROUTES,
  recordQuery,
  type VerifyDamage,
  type VerifyMatch,
  type VerifyResult,
  verifyRequest,
} from './api.js';
import { AppError, notFound } from './errors.js';
import { defineRoute, type RouteEnv } from './http.js';
import { organisationOf } from './routes-session.js';

/** Media types shown inline for preview; anything else downloads as an attachment. */
const INLINE_TYPES = new Set([
  'application/pdf',
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'text/plain',
]);

/** A witness unheard for this long, while failing, is reported as out of reach. */
const WITNESS_LOST_MS = 60 * 60 * 1000;
/** A checkpoint not witnessed this long after it was signed is reported. */
const UNWITNESSED_MS = 15 * 60 * 1000;

/** Returns the short title a list shows for a record. */
export function titleOf(record: TamgaRecord): string {
  const cut = (s: string) => (s.length > 200 ? `${s.slice(0, 199)}…` : s);
  switch (record.kind) {
    case 'document':
      return cut(record.body.title ?? record.body.path);
    case 'incident':
      return cut(`${record.body.category}, ${record.body.place}`);
    case 'asset':
      return cut(record.body.name);
    case 'correction':
      return cut(record.body.reason);
    case 'seizure':
      return cut(`${record.body.authority}, ${record.body.location}`);
    case 'activity':
      return cut(`${record.body.actor}: ${record.body.action}`);
    case 'transaction': {
      // A books body (src/records/books.ts) or, before the books, any JSON object.
      const body: Readonly<Record<string, unknown>> = record.body;
      const d = body.description ?? body.memo;
      return typeof d === 'string' ? cut(d) : '';
    }
  }
}

function summary(s: ListedRecord): RecordSummary {
  const r = s.record;
  return {
    id: r.id,
    index: s.index,
    kind: r.kind,
    created: r.created,
    author: r.author,
    title: titleOf(r),
    documentDate: r.kind === 'document' ? (r.body.documentDate ?? null) : null,
    tags: r.kind === 'document' ? [...r.body.tags] : [],
    files: r.files.slice(0, 10).map((f) => ({ ...f })),
    fileCount: r.files.length,
  };
}

/** Returns the proof status as the API shows it. */
export function proofView(p: ProofStatus): ProofView {
  return {
    checkpoint:
      p.checkpoint === null
        ? null
        : {
            size: p.checkpoint.size,
            root: encodeBase64(p.checkpoint.root),
            note: p.checkpoint.note,
          },
    proof: p.proof.map((h) => encodeBase64(h)),
    verified: p.verified,
    witnessed: p.witnessed,
    quorum: p.quorum,
    witnesses: p.witnesses.map((w) => ({ name: w.name, timestamp: w.timestamp })),
    provenNoLaterThan: p.witnessed ? (p.witnesses[0]?.timestamp ?? null) : null,
  };
}

function witnessView(w: WitnessEntry) {
  return { ...w };
}

/** The notices the dashboard shows: alarms, witnesses out of reach, checkpoints unwitnessed. */
function notices(vault: Vault, now: Date): Notice[] {
  const out: Notice[] = [];
  for (const a of listAlarms(vault.db, 20)) {
    out.push({
      severity: 'alarm',
      key: 'notice.alarm',
      message: `ALARM from ${a.source} (${a.kind}): ${a.message}. Someone may have signed another history with the vault's key; keep the evidence and tell your witnesses.`,
      params: { source: a.source, kind: a.kind, detail: a.message },
      time: a.time,
    });
  }
  const witnesses = listWitnesses(vault.db);
  const k = quorum(vault.db);
  for (const w of witnesses) {
    if (w.refusal !== null) {
      // An answer, not silence: it refused this vault's checkpoint, at once worth saying.
      out.push({
        severity: 'alarm',
        key: 'notice.witness-refused',
        message: `Witness ${w.name} refused this vault's checkpoint: ${w.refusal.reason} (alarm ${w.refusal.alarm}).`,
        params: { witness: w.name, reason: w.refusal.reason, alarm: w.refusal.alarm },
        time: w.lastAttempt,
      });
      continue;
    }
    if (w.lastError === null || w.failures === 0) continue;
    const lastGood = w.cosignedTime === null ? Date.parse(w.added) : w.cosignedTime * 1000;
    if (now.getTime() - lastGood < WITNESS_LOST_MS) continue;
    out.push({
      severity: 'warning',
      key: 'notice.witness-unreachable',
      message: `Witness ${w.name} has not cosigned since ${new Date(lastGood).toISOString()}: ${w.lastError}. It is asked again with backoff.`,
      params: { witness: w.name, since: new Date(lastGood).toISOString(), error: w.lastError },
      time: w.lastAttempt,
    });
  }
  if (witnesses.length === 0) {
    out.push({
      severity: 'warning',
      key: 'notice.no-witnesses',
      message:
        'No witness is listed: records are sealed, but nobody independent vouches for when. An administrator can add witnesses.',
      params: {},
      time: null,
    });
  }
  const latest = vault.db
    .prepare('SELECT size, created FROM checkpoints ORDER BY size DESC LIMIT 1')
    .get() as { size: number; created: string } | undefined;
  const witnessed = witnessedSize(vault, k);
  if (
    latest !== undefined &&
    witnesses.length > 0 &&
    (witnessed?.size ?? 0) < latest.size &&
    now.getTime() - Date.parse(latest.created) > UNWITNESSED_MS
  ) {
    out.push({
      severity: 'warning',
      key: 'notice.unwitnessed',
      message: `The latest ${latest.size - (witnessed?.size ?? 0)} records are not yet cosigned by the ${Math.max(k, 1)} witnesses needed.`,
      params: { records: latest.size - (witnessed?.size ?? 0), quorum: Math.max(k, 1) },
      time: latest.created,
    });
  }
  return out;
}

/** The largest checkpoint size the quorum (at least one) cosigned, and its earliest cosignature. */
function witnessedSize(vault: Vault, k: number): { size: number; time: number } | null {
  const row = vault.db
    .prepare(
      `SELECT c.size AS size, MIN(c.timestamp) AS time FROM cosignatures c JOIN witnesses w ON w.vkey = c.vkey
       GROUP BY c.size HAVING COUNT(*) >= ? ORDER BY c.size DESC LIMIT 1`,
    )
    .get(Math.max(1, k)) as { size: number; time: number } | undefined;
  return row ?? null;
}

/**
 * The JSON of record summaries by log index. A sealed record never changes, so what was
 * rendered once is right for good; the cache is bounded and simply emptied when full.
 */
class SummaryCache {
  private readonly json = new Map<number, string>();

  constructor(private readonly max = 50_000) {}

  get(vault: Vault, indexes: readonly number[]): string[] {
    const missing = indexes.filter((i) => !this.json.has(i));
    if (missing.length > 0) {
      if (this.json.size + missing.length > this.max) this.json.clear();
      for (const r of readRecords(vault, missing)) {
        this.json.set(r.index, JSON.stringify(summary(r)));
      }
    }
    return indexes.flatMap((i) => {
      const j = this.json.get(i);
      return j === undefined ? [] : [j];
    });
  }
}

/** Registers dashboard, records, record, record file and verify. */
export function recordRoutes(app: FastifyInstance, env: RouteEnv): void {
  const summaries = new SummaryCache();
  defineRoute(app, env, {
    method: 'GET',
    url: ROUTES.dashboard,
    access: 'read',
    handler: async (): Promise<DashboardResponse> => {
      const { vault } = env.host.requireReady();
      const latest = vault.db
        .prepare('SELECT size, created FROM checkpoints ORDER BY size DESC LIMIT 1')
        .get() as { size: number; created: string } | undefined;
      const k = quorum(vault.db);
      const kinds = countByKind(vault);
      return {
        organisation: organisationOf(vault),
        origin: vault.info.origin,
        records: Object.values(kinds).reduce((a, b) => a + b, 0),
        kinds,
        checkpoint: latest === undefined ? null : { size: latest.size, time: latest.created },
        witnessed: witnessedSize(vault, k),
        quorum: k,
        witnesses: listWitnesses(vault.db).map(witnessView),
        mirrors: listMirrorTokens(vault.db).map(({ lastPullSize: _size, ...t }) => t),
        notices: notices(vault, env.now()),
      };
    },
  });

  defineRoute(app, env, {
    method: 'GET',
    url: ROUTES.records,
    access: 'read',
    query: recordQuery,
    handler: async ({ query, reply }) => {
      const { vault } = env.host.requireReady();
      const limit = query.limit ?? 50;
      const offset = query.offset ?? 0;
      const { total, indexes } = searchRecordIndexes(vault, {
        ...(query.kind ? { kind: query.kind } : {}),
        ...(query.tag ? { tag: query.tag } : {}),
        ...(query.from ? { from: query.from } : {}),
        ...(query.to ? { to: query.to } : {}),
        ...(query.text ? { text: query.text } : {}),
        limit,
        offset,
      });
      const items = summaries.get(vault, indexes);
      // The summaries are JSON already (records never change: see SummaryCache).
      return reply
        .header('cache-control', 'no-store')
        .header('content-type', 'application/json; charset=utf-8')
        .header('x-content-type-options', 'nosniff')
        .send(
          `{"total":${total},"offset":${offset},"limit":${limit},"items":[${items.join(',')}]}`,
        );
    },
  });

  defineRoute(app, env, {
    method: 'GET',
    url: ROUTES.record,
    access: 'read',
    handler: async ({ params }): Promise<RecordResponse> => {
      const { vault } = env.host.requireReady();
      const stored = findRecord(vault, params.id ?? '');
      const referencedBy = vault.db
        .prepare(
          "SELECT r.id AS id, r.kind AS kind, r.created AS created FROM records r WHERE EXISTS (SELECT 1 FROM json_each(r.json, '$.refs') WHERE value = ?) ORDER BY r.idx DESC LIMIT 50",
        )
        .all(stored.record.id) as RecordResponse['referencedBy'];
      return {
        index: stored.index,
        record: stored.record as unknown as RecordResponse['record'],
        proof: proofView(proofChecker(vault)(stored)),
        referencedBy,
      };
    },
  });

  defineRoute(app, env, {
    method: 'GET',
    url: ROUTES.recordFile,
    access: 'read',
    handler: async ({ params, request, reply }) => {
      const { vault, keys } = env.host.requireReady();
      const stored = findRecord(vault, params.id ?? '');
      const file = stored.record.files.find((f) => f.sha256 === params.sha256);
      if (file === undefined) throw notFound('that file of the record');
      const download = (request.query as Record<string, unknown>).download === '1';
      const inline = !download && INLINE_TYPES.has(file.mediaType.split(';')[0]!.trim());
      const hash = createHash('sha256');
      const check = new Transform({
        transform(chunk: Buffer, _enc, done) {
          hash.update(chunk);
          done(null, chunk);
        },
        flush(done) {
          // The blob decrypted (age authenticated it) but is not the file the record names:
          // cut the response rather than end it as if it were whole.
          if (hash.digest('hex') !== file.sha256) {
            done(new AppError(500, 'blob.mismatch', 'the stored file does not match its record'));
          } else done();
        },
      });
      const source = createReadStream(blobPath(vault.layout, file.sha256));
      await new Promise<void>((resolve, reject) => {
        source.once('open', () => resolve());
        source.once('error', reject);
      }).catch(() => {
        throw new AppError(
          404,
          'blob.missing',
          'the file is not in this vault (a restored vault may still lack it); run `tamga fsck`',
        );
      });
      const stream = source.pipe(decryptStream([keys.ageIdentity])).pipe(check);
      source.on('error', (e) => stream.destroy(e));
      return reply
        .header('content-type', inline ? file.mediaType : 'application/octet-stream')
        .header('content-length', String(file.size))
        .header('content-disposition', contentDisposition(inline, file.name))
        .header('cache-control', 'private, no-store')
        .header('x-content-type-options', 'nosniff')
        .header(
          'content-security-policy',
          "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'",
        )
        .send(stream);
    },
  });

  defineRoute(app, env, {
    method: 'POST',
    url: ROUTES.verify,
    access: 'verify',
    body: verifyRequest,
    bodyLimit: 4 * 1024 * 1024,
    handler: async ({ body, request }) => {
      const { vault } = env.host.requireReady();
      // The rule `tamga verify` follows too: proven from the records, the index only a speed-up.
      const prove = fileProver(vault);
      const results = body.files.map((f): VerifyResult => {
        let proof: FileProof;
        try {
          proof = prove(f.sha256, { size: f.size, limit: 20 });
        } catch (e) {
          // The prover reports a damaged vault in its verdict; this is a failure it did not
          // foresee. Still an answer about this file, never a 500 for the whole request.
          request.log.error(
            { code: (e as { code?: unknown }).code, message: (e as Error)?.message },
            'verify failed',
          );
          proof = {
            status: 'damaged',
            sha256: f.sha256,
            damaged: [
              {
                kind: 'index-unreadable',
                index: null,
                recordId: null,
                message: 'the vault could not be read to verify this file',
              },
            ],
          };
        }
        if (proof.status === 'sealed') {
          return {
            verdict: 'sealed',
            name: f.name,
            sha256: f.sha256,
            records: proof.records.map(({ stored, file, proof }): VerifyMatch => {
              const p = proofView(proof);
              return {
                recordId: stored.record.id,
                index: stored.index,
                kind: stored.record.kind,
                name: file.name,
                path: stored.record.kind === 'document' ? stored.record.body.path : '',
                created: stored.record.created,
                provenNoLaterThan: p.provenNoLaterThan,
                witnesses: p.witnesses,
                witnessed: p.witnessed,
                checkpointSize: p.checkpoint?.size ?? null,
              };
            }),
            ...(proof.damaged.length > 0 ? { damaged: damageView(proof.damaged) } : {}),
          };
        }
        if (proof.status === 'damaged') {
          return {
            verdict: 'damaged',
            name: f.name,
            sha256: f.sha256,
            damaged: damageView(proof.damaged),
          };
        }
        return { verdict: 'not-found', name: f.name, sha256: f.sha256, closest: closest(f) };
      });
      return { results };

      /** A hint read from the index, not a proof: a vault too damaged to give it gives none. */
      function closest(f: { name: string; sha256: string }) {
        try {
          const near = closestByName(vault, f.name, f.sha256);
          const nearRecord = near === null ? null : getRecord(vault, String(near.index));
          return near === null || nearRecord === null
            ? null
            : {
                recordId: nearRecord.record.id,
                name: near.name,
                path: nearRecord.record.kind === 'document' ? nearRecord.record.body.path : '',
                sha256: near.sha256,
                size: near.size,
                created: nearRecord.record.created,
              };
        } catch {
          return null;
        }
      }
    },
  });
}

/** The browser's translation key of each kind of damage. */
const DAMAGE_KEYS: Readonly<Record<IndexDamageKind, VerifyDamage['key']>> = {
  'index-unreadable': 'verify.damage.index-unreadable',
  'record-missing': 'verify.damage.record-missing',
  'record-invalid': 'verify.damage.record-invalid',
  commitment: 'verify.damage.commitment',
  'no-checkpoint': 'verify.damage.no-checkpoint',
  'not-in-log': 'verify.damage.not-in-log',
  'file-not-named': 'verify.damage.file-not-named',
};

/** Damage as the API shows it: at most MAX_VERIFY_DAMAGE, each with its key. */
function damageView(damaged: readonly IndexDamage[]): VerifyDamage[] {
  return damaged.slice(0, MAX_VERIFY_DAMAGE).map((d) => ({
    key: DAMAGE_KEYS[d.kind],
    message: d.message,
    index: d.index,
    recordId: d.recordId,
  }));
}

/** Returns the record by id (or log index); throws 404. */
export function findRecord(vault: Vault, id: string): StoredRecord {
  if (id.length > 40) throw notFound('the record');
  const stored = getRecord(vault, id);
  if (stored === null) throw notFound(`record ${id.replace(/[^0-9A-Za-z]/g, '')}`);
  return stored;
}

/** A Content-Disposition header with an ASCII fallback and the UTF-8 name (RFC 6266, 5987). */
export function contentDisposition(inline: boolean, name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  const utf8 = encodeURIComponent(name).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `${inline ? 'inline' : 'attachment'}; filename="${ascii}"; filename*=UTF-8''${utf8}`;
}
