/**
 * Evidence bundles as one download: a ZIP holding `evidence.json` (docs/evidence-bundle.md),
 * each record's proof as a C2SP tlog-proof file under `proofs/<record id>.tlog-proof`, the
 * disclosed files under `files/<sha256 prefix>-<name>` when asked for, the offline verifier
 * (`verifier.html`) and a short README. Made like `tamga evidence`: the earliest checkpoint that
 * holds every chosen record and meets the witness quorum, else the latest.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply } from 'fastify';
import {
  assembleEvidence,
  BUNDLE_NAME,
  bundleFingerprint,
  disclosedFilePaths,
  evidenceReadme,
  formatEvidence,
  README_NAME,
  tlogProofOfRecord,
  tlogProofPath,
  VERIFIER_NAME,
} from '../../evidence/index.js';
import { openCheckpoint } from '../../log/checkpoint.js';
import { inclusionProofSync } from '../../log/proof.js';
import { SyncTileHashReader } from '../../log/tiles.js';
import { noteActivity } from '../../vault/activity.js';
import { decryptStream } from '../../vault/age/index.js';
import { blobPath } from '../../vault/layout.js';
import { latestCheckpoint, tileReader } from '../../vault/log-store.js';
import type { StoredRecord } from '../../vault/query.js';
import { earliestWitnessedCheckpoint, witnessPolicy } from '../../vault/witnesses.js';
import { evidenceRequest, ROUTES } from './api.js';
import { AppError } from './errors.js';
import { defineRoute, type RouteEnv } from './http.js';
import { contentDisposition, findRecord } from './routes-records.js';
import { type ZipEntry, zipStream } from './zip.js';

/** The evidence route needs where the offline verifier is. */
export interface EvidenceEnv extends RouteEnv {
  /** The built offline verifier (web/dist/verifier.html); null when not built. */
  readonly verifierFile: string | null;
}

/** An evidence bundle as the entries of a ZIP, and what it holds. */
export interface EvidenceZip {
  readonly entries: ZipEntry[];
  /** The checkpoint size the bundle proves against. */
  readonly size: number;
  readonly records: readonly StoredRecord[];
  readonly files: number;
}

/**
 * Returns the ZIP entries of an evidence bundle of the records `ids` (deduplicated, in log
 * order): evidence.json, README.txt, verifier.html when built, `proofs/<id>.tlog-proof` for each
 * record, and with `withFiles` the files.
 * Throws 404 for an unknown record, 409 when no checkpoint includes them yet.
 */
export async function evidenceZip(
  env: EvidenceEnv,
  ids: readonly string[],
  withFiles: boolean,
): Promise<EvidenceZip> {
  const { vault, keys } = env.host.requireReady();
  const chosen = new Map<number, StoredRecord>();
  for (const id of ids) {
    const s = findRecord(vault, id);
    chosen.set(s.index, s);
  }
  const records = [...chosen.values()].sort((a, b) => a.index - b.index);
  const lastIndex = records[records.length - 1]!.index;
  const cp = earliestWitnessedCheckpoint(vault.db, lastIndex) ?? latestCheckpoint(vault.db);
  if (cp === null || cp.size <= lastIndex) {
    throw new AppError(
      409,
      'evidence.no-checkpoint',
      'no signed checkpoint includes these records yet; try again in a moment',
    );
  }
  const { checkpoint } = openCheckpoint(cp.note, vault.logVerifier());
  const hashes = new SyncTileHashReader(checkpoint.size, tileReader(vault.db));
  const files = new Map<string, { sha256: string; size: number; name: string }>();
  if (withFiles) {
    for (const s of records)
      for (const f of s.record.files) if (!files.has(f.sha256)) files.set(f.sha256, f);
  }
  const paths = disclosedFilePaths(files.values());
  const bundle = assembleEvidence({
    created: `${env.now().toISOString().slice(0, 19)}Z`,
    generator: 'tamga 0.1.0',
    log: { origin: vault.info.origin, verifierKey: vault.info.logVerifierKey },
    witnesses: witnessPolicy(vault.db),
    checkpoint: cp.note,
    records: records.map((s) => ({
      record: s.record,
      salt: s.salt,
      index: s.index,
      proof: inclusionProofSync(s.index, checkpoint.size, hashes),
    })),
    files: [...files.keys()].map((sha256) => ({ sha256, path: paths.get(sha256)! })),
  });
  const json = Buffer.from(formatEvidence(bundle), 'utf8');
  const verifier =
    env.verifierFile === null ? null : await readFile(env.verifierFile).catch(() => null);
  const modified = env.now();
  const readme = Buffer.from(evidenceReadme(bundleFingerprint(bundle)), 'utf8');
  const entries: ZipEntry[] = [
    { name: BUNDLE_NAME, size: json.length, data: json, modified },
    { name: README_NAME, size: readme.length, data: readme, modified },
    ...(verifier === null
      ? []
      : [{ name: VERIFIER_NAME, size: verifier.length, data: verifier, modified }]),
    ...bundle.records.map((entry): ZipEntry => {
      const proof = Buffer.from(tlogProofOfRecord(entry, bundle.checkpoint), 'utf8');
      const name = tlogProofPath(String(entry.record.id));
      return { name, size: proof.length, data: proof, modified };
    }),
    ...[...files.values()].map(
      (f): ZipEntry => ({
        name: paths.get(f.sha256)!,
        size: f.size,
        modified,
        data: () => decryptedChecked(blobPath(vault.layout, f.sha256), keys.ageIdentity, f),
      }),
    ),
  ];
  return { entries, size: checkpoint.size, records, files: files.size };
}

/** Sends `entries` as a ZIP attachment named `name`. */
export function sendZip(reply: FastifyReply, name: string, entries: Iterable<ZipEntry>) {
  return reply
    .header('content-type', 'application/zip')
    .header('content-disposition', contentDisposition(false, name))
    .header('cache-control', 'private, no-store')
    .send(Readable.from(zipStream(entries)));
}

/** Registers POST /api/evidence. */
export function evidenceRoutes(app: FastifyInstance, env: EvidenceEnv): void {
  defineRoute(app, env, {
    method: 'POST',
    url: ROUTES.evidence,
    access: 'evidence',
    body: evidenceRequest,
    bodyLimit: 256 * 1024,
    handler: async ({ body, reply, session }) => {
      const { vault } = env.host.requireReady();
      const zip = await evidenceZip(env, body.records, body.withFiles);
      noteActivity(
        vault.db,
        {
          actor: session!.user.name,
          action: 'evidence.export',
          details: `${zip.records.length} records${body.withFiles ? ` with ${zip.files} files` : ''}: ${zip.records
            .slice(0, 50)
            .map((s) => s.record.id)
            .join(' ')}`,
        },
        env.now(),
      );
      const name = `evidence-${vault.info.origin.replace(/[^A-Za-z0-9.-]+/g, '_')}-${zip.size}.zip`;
      return sendZip(reply, name, zip.entries);
    },
  });
}

/** Yields a blob's plaintext; throws at the end when it does not hash to `sha256`. */
async function* decryptedChecked(
  path: string,
  identity: string,
  file: { sha256: string },
): AsyncGenerator<Uint8Array> {
  const hash = createHash('sha256');
  const plain = createReadStream(path).pipe(decryptStream([identity]));
  for await (const chunk of plain as AsyncIterable<Buffer>) {
    hash.update(chunk);
    yield chunk;
  }
  if (hash.digest('hex') !== file.sha256) {
    throw new Error(`the stored file ${file.sha256} does not match its record; run tamga fsck`);
  }
}
